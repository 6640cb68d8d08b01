"""Stored read models, brought up to date from the last event they processed.

The books (stock, cash, catalogue) are one JSON document and the history is one row per entry,
both kept in the ledger's own database (`ledger/store/read_models.py` holds the tables) next to
the position of the last event folded in. A writer catches them up once they lag (LAG in
`commands/recording/writing.py`), inside one transaction, so they never skip or repeat an event.
A reader (volunteer, auditor) opens the database read-only, loads them and folds in any events
recorded since, in memory. `rebuild` recomputes both from the first event.

Read models are derived data, never trusted (issue #22, finding 3). Each is stored with the chain
link of the last event folded in; a reader uses it only while the chain still vouches for that
position (it is not past the last event, and the link stored there is the same) and the stored
figures still hash, with that link, to the checksum stored beside them; otherwise it folds every
event itself, and a writer rebuilds the models. The checksum has no secret: it turns away figures
edited by hand, not a forger who recomputes it. History lines are read as the events stored at
their positions (the table only chooses and orders them), so an edited copy never shows, and
only when as many are chosen as the counts stored with the books say (`LINES`), so a deleted
one never hides its entry. The forger who recomputes the checksum, and a history line deleted
or re-dated, `aid audit verify` and `aid audit check` find by folding the events afresh and
comparing (`projections/audit/models.py`).
"""

from __future__ import annotations

import hashlib
import heapq
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ledger.store.access import EventLog, Record, decoded
from ledger.store.decoding import loads
from ledger.store.read_models import ModelTables
from ledger.trust.chain import stored_bytes
from ledger.ward import names
from projections.books import ENTRIES, Books
from projections.history import entry

# The stored books' name, which says their shape: "books" (shape 1) kept each household in the
# tier and group it was declared with; shape 2 follows its changes. Books stored under another
# name are never read: readers fold every event, and the next write (or `aid rebuild`) stores
# them afresh (docs/format.md).
BOOKS = "books/2"
# How many history lines the tables hold, in all and per location, item and both: a reader
# counts the lines a report chooses before it trusts them, since a line or index row deleted
# by hand would silently drop an entry from `aid history` (checksummed as the books are).
LINES = "lines/2"


class ReadModels:
    """The read models of one ledger, over its event log (stored in `ModelTables`)."""

    def __init__(self, log: EventLog) -> None:
        self.log = log
        self.tables = ModelTables(log)

    # ---- reading ------------------------------------------------------------------------

    def books(self) -> Books:
        """The books as of the latest event."""
        position, books = self._stored_books()
        for record in self.log.read(after=position, ward_only=True):
            books.apply(record.name, record.data)
        return books

    def history(self, at: str | None = None, item: str | None = None,
                by_date: bool = False) -> Iterator[dict[str, Any]]:
        """History lines in entry order, narrowed by location and item when given. With
        `by_date`, in (date, entry) order instead, as a running balance needs them (an entry
        may be back-dated): the database sorts them, not a list in memory."""
        position = self._position()
        if position and not self._all_lines_stored(position, at, item):
            position = 0  # lines deleted by hand: every entry from its event instead
        stored = self._stored_lines(at, item, by_date) if position else iter(())
        records = (record for record in self.log.read(after=position, ward_only=True)
                   if record.name in ENTRIES)
        if not by_date:
            yield from stored
            yield from (entry(record) for record in records)
            return
        from projections.dated import in_date_order
        from projections.events import WardEvent

        chosen = (WardEvent(r.position, r.version, r.name, r.data) for r in records
                  if _moves_at(r.data, at, item))
        recent = (entry(Record(e.position, e.name, e.entry, e.data))
                  for e in in_date_order(chosen))
        yield from heapq.merge(stored, recent, key=lambda line: (line["on"], line["id"]))

    # ---- writing ------------------------------------------------------------------------

    def behind(self) -> int | None:
        """How many events the stored models have not folded in yet (None: never stored, or
        stored where the chain no longer vouches for them: they must be rebuilt)."""
        found = self.stored()
        return None if found is None else self.log.head() - found[0]

    def refresh(self) -> int:
        """Fold every new event into the stored models; returns the position reached. Models
        the chain no longer vouches for (or stored before links were kept with them) are
        rebuilt from the first event."""
        with self.log.transaction():
            self.tables.ensure()
            found = self.stored()
            counts = self._counts(found[0]) if found is not None else None
            if found is None or counts is None:
                return self._refold()
            position, books = found[0], Books(loads(found[1].encode()))
            head = self.log.head()
            if head > position:
                self._fold(books, position, head, counts=counts)
            return head

    def rebuild(self, progress: Callable[[int], None] = lambda done: None) -> int:
        """Recompute every read model from the first event; `progress(n)` as n more are done."""
        with self.log.transaction():
            self.tables.ensure()
            return self._refold(progress)

    def _refold(self, progress: Callable[[int], None] = lambda done: None) -> int:
        self.tables.clear()
        head = self.log.head()
        self._fold(Books(), 0, head, progress)
        self.tables.index()
        return head

    def _fold(self, books: Books, after: int, upto: int,
              progress: Callable[[int], None] = lambda done: None,
              counts: LineCounts | None = None) -> None:
        """Fold events (after, upto] into the books and the history table, streaming: rows are
        read and history lines written 5,000 at a time, so memory stays flat. Claims are left
        in the database; the history keeps each event's stored JSON as it is, so folding never
        re-encodes an event. `progress(n)` is told as n more positions are done."""
        lines: list[tuple] = []
        bins: list[tuple] = []
        counts = counts or LineCounts()
        told = after
        for position, _, version, topic, state in self.log.stored(after, upto, ward_only=True):
            name = names.short(topic)
            if name not in ENTRIES:
                continue
            data = decoded(position, version, state)
            books.apply(name, data)
            lines.append((position, version, name, data["on"], state.decode()))
            moved = {(loc, item) for loc, item, _ in data.get("moves") or ()}
            bins.extend((position, loc, item) for loc, item in moved)
            counts.add(moved)
            if len(lines) >= 5000:
                self.tables.add(lines, bins)
                lines, bins = [], []
                progress(position - told)
                told = position
        self.tables.add(lines, bins)
        progress(upto - told)
        state = json.dumps(books.state, ensure_ascii=False, sort_keys=True)
        link = self.log.link_at(upto)
        self.tables.put(BOOKS, upto, state, link, checksum(link, state))
        held = json.dumps(counts.__dict__, ensure_ascii=False, sort_keys=True)
        self.tables.put(LINES, upto, held, link, checksum(link, held))

    # ---- stored state -------------------------------------------------------------------

    def stored(self) -> tuple[int, str] | None:
        """The stored books' position and state, if the chain vouches for that position: not
        past the last event, and the link stored with the books is the chain's link there.
        None otherwise (never stored, stored before links were kept, or under a history that
        was since cut short or rewritten): readers then fold every event themselves."""
        row = self.stored_row()
        if row is None or row[0] > self.log.head():
            return None
        link = self.log.link_at(row[0])
        if row[2] != link or row[3] != checksum(link, row[1]):
            return None
        return row[0], row[1]

    def stored_row(self) -> tuple[int, str, str | None, str | None] | None:
        """The stored books as kept: position, state, link and checksum (None if there are
        none, or they were stored before links were kept with them)."""
        return self.tables.row(BOOKS)

    def _stored_books(self) -> tuple[int, Books]:
        found = self.stored()
        if found is None:
            return 0, Books()
        return found[0], Books(loads(found[1].encode()))

    def _position(self) -> int:
        found = self.stored()
        return found[0] if found else 0

    def _counts(self, position: int) -> LineCounts | None:
        """The stored line counts, if stored with the books at `position` and not edited."""
        row = self.tables.row(LINES)
        if row is None or row[0] != position or row[3] != checksum(row[2], row[1]):
            return None
        return LineCounts(**loads(row[1].encode()))

    def _all_lines_stored(self, position: int, at: str | None, item: str | None) -> bool:
        counts = self._counts(position)
        return counts is not None and self.tables.count(at, item) == counts.of(at, item)

    def _stored_lines(self, at: str | None, item: str | None,
                      by_date: bool = False) -> Iterator[dict[str, Any]]:
        for position, topic, version, state in self.tables.history(at, item, by_date):
            data = decoded(position, version, stored_bytes(state))  # an edited row: one line
            yield entry(Record(position, names.short(topic), version, data))


@dataclass
class LineCounts:
    """History lines stored: in all, and per location, item and (location, item) moved."""

    lines: int = 0
    at: dict[str, int] = field(default_factory=dict)
    item: dict[str, int] = field(default_factory=dict)
    both: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, moved: set[tuple[str, str]]) -> None:
        """One more line, of an entry that moves these (location, item) pairs."""
        self.lines += 1
        for key, values in ((self.at, {loc for loc, _ in moved}),
                            (self.item, {item for _, item in moved})):
            for value in values:
                key[value] = key.get(value, 0) + 1
        for loc, item in moved:
            held = self.both.setdefault(loc, {})
            held[item] = held.get(item, 0) + 1

    def of(self, at: str | None, item: str | None) -> int:
        """How many lines `aid history --at AT --item ITEM` shows (either may be None)."""
        if at is None and item is None:
            return self.lines
        if item is None:
            return self.at.get(at, 0)
        if at is None:
            return self.item.get(item, 0)
        return self.both.get(at, {}).get(item, 0)


def ward_zone(log: EventLog) -> str:
    """The ward's clock (ledger/ward/zones.py): every moment the ward's own pages, digest and
    status show is on it, never the server's nor UTC."""
    from ledger.values.dates import DEFAULT_ZONE

    return ReadModels(log).books().state.get("timezone", DEFAULT_ZONE)


def checksum(link: str | None, state: str) -> str:
    """What the stored books are kept with: SHA-256 of the chain's link at their position and
    their JSON (no secret: it catches figures edited by hand, and a model moved under another
    history)."""
    return hashlib.sha256(f"{link or ''}\n{state}".encode()).hexdigest()


def _moves_at(data: dict[str, Any], at: str | None, item: str | None) -> bool:
    """Whether an event moves goods at the location and of the item (either may be None)."""
    return any((at is None or location == at) and (item is None or code == item)
               for location, code, _ in data.get("moves") or ())
