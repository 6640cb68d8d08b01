"""Stored read models against a fresh fold of the events (`aid audit verify`, `aid audit check`).

The stock, cash and catalogue figures (`books`), the history lines and their location/item index
are stored next to the events so reports start fast (`projections/store.py`). They are derived
data: anyone who can write the database can edit them, and reports would print the edit. The
audit never trusts them: it folds the events up to the position the stored books claim, and names
every difference, model by model and key by key, stored value against recomputed value. It also
names stored books the chain no longer vouches for (past the last event, or stored under a link
that is no longer the chain's), which reports already refuse to use.

One pass over the ward's events up to that position, merged with one ordered read of the stored
history lines and one of the stored index, so memory holds the books and one line at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import groupby
from typing import Any

from ledger.phrases import N_, Money, Phrase
from ledger.store.access import EventLog
from ledger.store.decoding import loads
from ledger.ward import names
from ledger.ward.cashbook import CATEGORIES
from projections.audit.tamper import Problem
from projections.books import ENTRIES, Books
from projections.store import ReadModels, checksum

SHOWN = 20  # differences named one by one per model; the rest are counted


def compare(log: EventLog) -> list[Problem]:
    """Every difference between the stored read models and the events, in one snapshot."""
    models = ReadModels(log)
    with log.snapshot():
        row = models.stored_row()
        if row is None:
            return []  # never stored, or stored before links were kept: no report reads them
        position, state, link, stored_checksum = row
        unvouched = _unvouched(models, position, link)
        if unvouched is not None:
            return [unvouched]
        books = Books()
        expected_lines: list[tuple[int, int, str, str, str]] = []
        problems: list[Problem] = []
        lines, bins = _stored_lines(models), _stored_bins(models)
        for event_position, _, version, topic, raw in log.stored(upto=position,
                                                                 ward_only=True):
            name = names.short(topic)
            if name not in ENTRIES:
                continue
            try:
                data = loads(raw)
            except ValueError:  # edited by hand (even to NULL): the chain names it; the books
                # cannot be folded past it, so nothing after it can be compared
                return [*problems, _unfoldable(position, event_position, version, Phrase(N_(
                    "is not readable JSON")))]
            try:
                books.apply(name, data)
                expected_lines.append((event_position, version, name, data["on"], raw.decode()))
                moves = {(location, item) for location, item, _ in data.get("moves") or ()}
            except (LookupError, TypeError, ValueError, AttributeError):  # JSON of another shape
                return [*problems, _unfoldable(position, event_position, version, Phrase(N_(
                    "does not hold what its kind of entry holds")))]
            problems += _lines_before(lines, expected_lines, limit=event_position)
            problems += _bins_at(bins, event_position, moves)
            expected_lines.clear()
        problems += _lines_before(lines, [], limit=END, upto=position)
        problems += _bins_at(bins, END, set())
        try:
            problems[:0] = _books_differences(position, state, books)
        except ValueError:  # the stored model itself edited into something that is no JSON
            problems.insert(0, Problem(position, Phrase(N_(
                "read model books (as of position {position}): not readable JSON (edited by "
                "hand; reports fold the events instead)"), position=position)))
        if not problems and stored_checksum != checksum(link, state):
            problems.append(Problem(position, Phrase(N_(
                "read model books (as of position {position}): its checksum does not match "
                "its figures (edited by hand; reports fold the events instead)"),
                position=position)))
    return problems


def _unfoldable(position: int, event: int, entry: int, why: Phrase) -> Problem:
    """The books cannot be folded past an entry edited by hand (the chain names the edit), so
    nothing after it can be compared."""
    return Problem(event, Phrase(N_(
        "read model books (as of position {position}): cannot be recomputed from the events: "
        "position {event}: entry {entry} {why}"), position=position, event=event, entry=entry,
        why=why))


def _unvouched(models: ReadModels, position: int, link: str | None) -> Problem | None:
    head = models.log.head()
    if position > head:
        return Problem(position, Phrase(N_(
            "read model books: stored as of position {position}, but the ledger's last event "
            "is at position {head}: events were removed after it was stored"),
            position=position, head=head))
    chain = models.log.link_at(position)
    if link != chain and chain is not None:  # no link stored there: the chain's own finding
        return Problem(position, Phrase(N_(
            "read model books: stored as of position {position} under link {stored}…, but the "
            "chain's link there is {chain}…: the history under it, or the model, was edited"),
            position=position, stored=str(link)[:12], chain=str(chain)[:12]))
    return None


# ---- the books: catalogue, stock and cash ---------------------------------------------------

def _books_differences(position: int, state: str, books: Books) -> list[Problem]:
    stored = _plain(Books(loads(state.encode())).state)
    recomputed = _plain(books.state)
    found = list(differences(stored, recomputed, ()))
    problems = [Problem(position, Phrase(N_(
        "read model books (as of position {position}): {key}: stored {stored}, recomputed from "
        "the events {recomputed}"), position=position, key=where(path),
        stored=shown(old, path), recomputed=shown(new, path)))
        for path, old, new in found[:SHOWN]]
    if len(found) > SHOWN:
        problems.append(Problem(position, Phrase(N_(
            "read model books (as of position {position}): … and {count} more differences"),
            position=position, count=len(found) - SHOWN)))
    return problems


# The books' parts, in words (the rest of a path is codes, dates and numbers, shown as they are)
PARTS = {"ward": N_("ward"), "items": N_("items"), "locations": N_("locations"),
         "donors": N_("donors"), "bundles": N_("bundles"), "recipients": N_("households"),
         "bins": N_("stock"), "cash": N_("cash book"), "reserved": N_("reserved"),
         "lots": N_("lots"), "thresholds": N_("minimums"), "counted": N_("counts"),
         # and the ward's own (its snapshots: projections/audit/snapshots.py)
         "fund": N_("cash book"), "reversed": N_("reversals"), "rounds": N_("rounds"),
         "shops": N_("0 đồng shops"), "values": N_("shop prices"),
         "forgotten": N_("forgotten households"), "accounts": N_("bank accounts")}


# the parts whose numbers are amounts of đồng (the cash book, the ward's fund by day, shop prices)
MONEY = ("cash", "fund", "values")


def where(path: tuple[str, ...]) -> Phrase:
    """Where in the books a difference is: "stock › KHO › RICE", "cash book › spent ›
    2021-11-15", the part and a cash category in words."""
    if not path:
        return Phrase("-")
    rest: list[Any] = [part.replace("\t", " › ") for part in path[1:]]  # a bin: "LOCATION\tITEM"
    if path[0] == "cash" and rest and rest[0] in CATEGORIES:  # each its own word (CASH_WORDS)
        from projections.history import cash_word

        rest[0] = cash_word(rest[0])
    return Phrase.join(" › ", [Phrase(PARTS.get(path[0], path[0])), *rest])


MISSING = object()


def differences(stored: Any, recomputed: Any, path: tuple[str, ...]
                 ) -> Iterator[tuple[tuple[str, ...], Any, Any]]:
    """(path, stored, recomputed) for every leaf that differs, keys in sorted order; a leaf
    of another type differs too (500.0 is not 500, true is not 1: a write would carry it on)."""
    if isinstance(stored, dict) and isinstance(recomputed, dict):
        for key in sorted(set(stored) | set(recomputed)):
            yield from differences(stored.get(key, MISSING), recomputed.get(key, MISSING),
                                    (*path, str(key)))
    elif isinstance(stored, list) and isinstance(recomputed, list) and \
            len(stored) == len(recomputed):
        for index, (old, new) in enumerate(zip(stored, recomputed)):
            yield from differences(old, new, (*path, str(index)))
    elif type(stored) is not type(recomputed) or stored != recomputed:
        yield path, stored, recomputed


def _plain(state: Any) -> Any:
    """As stored: JSON's own types (tuples as lists, keys as text)."""
    return json.loads(json.dumps(state, ensure_ascii=False, sort_keys=True))


class Figure(int):
    """A whole number stored in the books, in a finding: as stored in English (and so in
    `audit check`'s JSON), "90000000"; in a language that writes figures its own way, grouped,
    and as money where it is an amount of đồng ("90.000.000 ₫")."""

    def __new__(cls, value: int, money: bool = False) -> Figure:
        figure = super().__new__(cls, value)
        figure.money = money
        return figure

    def text(self, translate: Any, number: Any) -> str:
        if getattr(number, "money", None) is None:  # English: as stored
            return str(int(self))
        return Money(self).text(translate, number) if self.money else number(int(self))

    def __format__(self, spec: str) -> str:  # the English text
        return format(str(int(self)), spec)


def shown(value: Any, path: tuple[str, ...] = ()) -> Any:
    """A stored or recomputed value as the reader reads it: a whole number grouped ("1.500"),
    an amount of đồng as money ("1.500.000 ₫"), in English as stored; anything else as JSON (a
    500.0 stays "500.0": its type is the difference)."""
    if value is MISSING:
        return "—"
    if type(value) is int:
        return Figure(value, bool(path) and (path[0] in MONEY or path[-1] == "cash"))
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)[:200]


# ---- the history lines and their location/item index ----------------------------------------

class _Ahead:
    """An iterator one can peek into."""

    def __init__(self, rows: Iterator[Any]) -> None:
        self.rows, self.next = rows, next(rows, None)

    def take(self) -> Any:
        taken, self.next = self.next, next(self.rows, None)
        return taken


def _stored_lines(models: ReadModels) -> _Ahead:
    tables = models.tables
    return _Ahead(tables.pages(tables.lines, "position, entry, name, on_date, event",
                               "position"))


def _stored_bins(models: ReadModels) -> _Ahead:
    tables = models.tables
    rows = tables.pages(tables.bins, "position, location, item", "position, location, item")
    return _Ahead((position, {(r[1], r[2]) for r in group})
                  for position, group in groupby(rows, key=lambda r: r[0]))


END = 2**62  # past any position


def _same_json(stored: Any, expected: str) -> bool:
    """Whether a stored line's event holds the recorded entry's data (one edited into
    something that is no JSON never does)."""
    try:
        return bool(loads(stored.encode()) == loads(expected.encode()))
    except (ValueError, AttributeError):
        return False


def _lines_before(lines: _Ahead, expected: list[tuple], limit: int,
                  upto: int | None = None) -> list[Problem]:
    """Compare stored history lines at positions up to `limit` with the expected ones (`upto`:
    the books' position, past which no line may be stored)."""
    problems = []
    wanted = {line[0]: line for line in expected}
    while lines.next is not None and lines.next[0] <= limit:
        stored = tuple(lines.take())
        line = wanted.pop(stored[0], None)
        if upto is not None and stored[0] > upto:
            problems.append(Problem(stored[0], Phrase(N_(
                "read model history: a line is stored at position {position}, past the "
                "position the books were stored at ({upto})"), position=stored[0], upto=upto)))
        elif line is None:
            problems.append(Problem(stored[0], Phrase(N_(
                "read model history: a line is stored at position {position} (entry {entry}), "
                "where no entry is recorded"), position=stored[0], entry=stored[1])))
        elif stored != line and (stored[:4] != line[:4] or not _same_json(stored[4], line[4])):
            problems.append(Problem(stored[0], Phrase(N_(
                "read model history: the line of entry {entry} at position {position} differs "
                "from the entry recorded there"), position=stored[0], entry=line[1])))
    problems += [Problem(position, Phrase(N_(
        "read model history: the line of entry {entry} at position {position} is missing"),
        position=position, entry=line[1])) for position, line in sorted(wanted.items())]
    return problems


def _bins_at(bins: _Ahead, position: int, moves: set[tuple[str, str]]) -> list[Problem]:
    """Compare the stored index rows before `position` (none expected) and at it (`moves`)."""
    problems = []
    while bins.next is not None and bins.next[0] <= position:
        at, stored = bins.take()
        expected = moves if at == position else set()
        if stored != expected:
            problems.append(Problem(at, Phrase(N_(
                "read model history index at position {position}: stored {stored}, recomputed "
                "from the events {recomputed}"), position=at, stored=_pairs(stored),
                recomputed=_pairs(expected))))
        if at == position:
            return problems
    if moves:
        problems.append(Problem(position, Phrase(N_(
            "read model history index at position {position}: stored —, recomputed from the "
            "events {recomputed}"), position=position, recomputed=_pairs(moves))))
    return problems


def _pairs(pairs: set[tuple[str, str]]) -> str:
    return ", ".join(f"{location}/{item}" for location, item in sorted(pairs)) or "—"
