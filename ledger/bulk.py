"""Bulk recording: many donations or hand-outs, validated in full, then written in batches.

Each row has an identity derived from the ward and its receipt (donations) or slip number or
content (hand-outs), claimed in the same transaction as the row's fact. Importing the same rows
twice, or resuming after a crash, therefore adds nothing twice: claimed rows are skipped. A
batch is one transaction, so a crash leaves only whole batches behind. Once the ward has signing
keys, each batch carries one seal (`Ledger.seal`, called by `Ledger.write`): one signature per
batch, not per row.
"""

from __future__ import annotations

import copy
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ledger.errors import BadInput, LedgerError, Refused
from ledger.phrases import N_
from ledger.service import Ledger
from ledger.store.claims import claim_row, receipt_key, twin_used
from ledger.store.rows import RowBuilder
from ledger.values.dates import happened, parse_date
from ledger.values.expiry import dated_pairs
from ledger.values.inputs import MAX_NOTE, code, known, money_amount, optional, pairs, text
from ledger.ward.aggregate import Ward
from ledger.ward.drafts import drafting
from ledger.ward.written import Written


@dataclass(frozen=True)
class Row:
    """One parsed row: its line in the file, its identity, and how to record it on a ward."""

    line: int
    key: str
    record: Callable[[Ward], int] = field(compare=False)
    names: Sequence[tuple[str, str]] = field(default=(), compare=False)  # (kind, code) named
    # whether a stored fact records what this row says (a row keyed by a number the file's
    # author chose: a re-import skips it only when the entry that used the number is this row)
    same: Callable[[Any], bool] | None = field(default=None, compare=False)
    expired: bool = field(default=False, compare=False)  # goods expired before they came in


@dataclass
class Outcome:
    written: int = 0
    skipped: int = 0
    batches: int = 0


class ImportErrors(LedgerError):
    """Every problem found, one per line, so the whole file can be fixed in one go."""

    def __init__(self, problems: list[LedgerError], exit_code: int,
                 parsed: Sequence[Row] = (),
                 named: Sequence[tuple[int, Sequence[tuple[str, str]]]] = ()) -> None:
        self.problems = problems
        self.exit_code = exit_code
        self.parsed = list(parsed)  # the rows that did parse, so the rules can check them too
        self.named = list(named)  # (line, codes) of rows that did not: their codes checked too
        super().__init__("\n".join(map(str, problems)))


def _on_line(line: int, error: LedgerError) -> LedgerError:
    """The error said on its line; a refusal or bad input with a `line` field of its own (a
    Shortage's fields are its phrase's, so `type(error)` would lose the line and the order)."""
    kind = BadInput if error.exit_code == 2 else Refused
    return kind(N_("line {line}: {problem}"), line=line, problem=error)


def donation_rows(rows: Iterable[tuple[int, dict[str, str]]], actor: str) -> list[Row]:
    """Rows with columns receipt, date, donor, location, cash, items, note, and optionally
    expires (the goods' lot)."""

    def parse(line: int, row: dict[str, str]) -> Row:
        cell = _Fields()
        receipt = cell(lambda: text(_required(row, "receipt"), N_("receipt")))
        on = cell(lambda: happened(_required(row, "date"), N_("date")))
        donor = cell(lambda: code(_required(row, "donor")))
        location = cell(lambda: code(_required(row, "location")))
        cash = cell(lambda: money_amount(row.get("cash") or 0, "cash", minimum=0))
        until = cell(lambda: parse_date(row["expires"])
                     if (row.get("expires") or "").strip() else None)
        dated = cell(lambda: _dated_items(row.get("items"), until))
        goods, expires = dated or ({}, None)
        note = cell(lambda: optional(row.get("note") or None, N_("note"), limit=MAX_NOTE))
        if cash == 0 and dated is not None and not goods:  # the command's own refusal names
            cell.problems.append(BadInput(  # its options, which a spreadsheet has not
                "a donation needs an amount in the '{cash}' column and/or goods in the "
                "'{items}' column", cash="cash", items="items"))
        names = _named(("donor", donor), ("location", location), *(("goods", g) for g in goods))
        cell.done(names)

        def same(fact: Any) -> bool:
            return (isinstance(fact, Ward.Donated) and (fact.on, fact.donor, fact.location)
                    == (on, donor, location) and fact.cash.get("received", 0) == cash
                    and _goods(fact.moves, 1) == goods)

        dates = expires.values() if isinstance(expires, dict) else [expires] if expires else []
        return Row(line, receipt_key(receipt), lambda w: w.donate(
            donor, location, cash, goods, receipt, note, on, actor, expires), names, same,
            expired=any(day < on for day in dates))

    return _parse_all(rows, parse)


def handout_rows(rows: Iterable[tuple[int, dict[str, str]]], actor: str) -> list[Row]:
    """Rows with columns slip (optional), date, recipient, location, bundles, items, cash."""
    seen: Counter[str] = Counter()

    def parse(line: int, row: dict[str, str]) -> Row:
        cell = _Fields()
        on = cell(lambda: happened(_required(row, "date"), N_("date")))
        recipient = cell(lambda: code(_required(row, "recipient")))
        location = cell(lambda: code(_required(row, "location")))
        bundles = cell(lambda: _items(row.get("bundles"), "bundles"))
        goods = cell(lambda: _items(row.get("items")))
        cash = cell(lambda: money_amount(row.get("cash") or 0, "cash", minimum=0))
        slip = cell(lambda: optional(row.get("slip") or None, N_("slip")) or "")
        if bundles == {} and goods == {} and cash == 0:
            cell.problems.append(BadInput(
                "a hand-out needs bundles in the '{bundles}' column, goods in the '{items}' "
                "column and/or an amount in the '{cash}' column", bundles="bundles",
                items="items", cash="cash"))
        names = _named(("recipient", recipient), ("location", location),
                       *(("bundle", b) for b in bundles or ()), *(("item", g) for g in goods or ()))
        cell.done(names)
        same = None
        if slip:
            key = f"handout:{slip}"

            def same(fact: Any) -> bool:
                given = fact.cash.get("given", 0) + fact.cash.get("packed", 0)
                return (isinstance(fact, Ward.HandedOut) and (fact.on, fact.recipient,
                        fact.location, given) == (on, recipient, location, cash)
                        and _goods(fact.moves, -1) == {**bundles, **goods})
        else:  # no slip number: the row's content, and which repeat of it this is
            content = repr((on, recipient, location, sorted(bundles.items()),
                            sorted(goods.items()), cash))
            seen[content] += 1
            digest = hashlib.sha256(f"{content}#{seen[content]}".encode()).hexdigest()[:32]
            key = f"handout-row:{digest}"
        return Row(line, key, lambda w: w.give(recipient, location, bundles, goods, cash,
                                              on, actor), names, same)

    return _parse_all(rows, parse)


def validate(ledger: Ledger, parse: Callable[[Iterable[tuple[int, dict[str, str]]], str],
                                             list[Row]],
             table: Iterable[tuple[int, dict[str, str]]], actor: str) -> list[Row]:
    """Parse every row and dry-run those that parse; raise every problem of every row at once,
    in line order (a malformed cash on line 3 does not hide an unknown donor on line 2)."""
    named: list[tuple[int, Sequence[tuple[str, str]]]] = []
    try:
        rows = parse(table, actor)
        earlier: list[LedgerError] = []
    except ImportErrors as errors:
        rows, earlier, named = errors.parsed, errors.problems, errors.named
    check(ledger, rows, earlier, named)
    return rows


def check(ledger: Ledger, rows: Sequence[Row], earlier: Sequence[LedgerError] = (),
          named: Sequence[tuple[int, Sequence[tuple[str, str]]]] = ()) -> None:
    """Dry-run every row not yet recorded on a copy of the ward; raise all refusals at once,
    together with the `earlier` problems of rows that did not even parse, and every unknown
    code any row names (`named`: those of rows that did not parse), not only a row's first."""
    seen: set[str] = set()
    problems: list[LedgerError] = list(earlier)
    worst = 2 if earlier else 1
    ward = copy.deepcopy(ledger.ward())
    for line, names in named:
        unknown = _unknown(ward, names)
        problems += [_on_line(line, error) for error in unknown]
        worst = 2 if unknown else worst
    folded: dict[str, str] = {}  # a receipt's key in small letters -> as first written
    for chunk in _chunks(rows, 1000):
        used = ledger.claimed_entries([row.key for row in chunk])
        stored = ledger.entries(used[row.key] for row in chunk if row.same and row.key in used)
        twins = ledger.case_twins([row.key for row in chunk if row.key not in used])
        for row in chunk:
            first = folded.setdefault(row.key.lower(), row.key)
            twin = twins.get(row.key) or ((first, 0) if first != row.key else None)
            if twin is not None and row.key.startswith("receipt:"):
                problems.append(_case_twin(row.line, row.key, *twin))
                worst = 2
                continue
            unknown = _unknown(ward, row.names)
            if unknown:  # the dry run would stop at the first of them
                problems += [_on_line(row.line, error) for error in unknown]
                worst = 2
                seen.add(row.key)
                continue
            if row.key in seen and not row.key.startswith("handout-row:"):
                problems.append(_twice_in_file(row.line, row.key))
                worst = 2
                continue
            seen.add(row.key)
            if row.key in used:
                entry = used[row.key]
                if row.same is not None and not row.same(stored.get(entry)):
                    problems.append(_on_line(row.line, _used_otherwise(row.key, entry)))
                continue
            with drafting():  # a dry run: the rules and the state, no events kept
                try:
                    row.record(ward)
                except LedgerError as error:
                    problems.append(_on_line(row.line, error))
                    worst = max(worst, error.exit_code)
    if problems:
        problems.sort(key=lambda problem: problem.fields.get("line", 0))  # stable: line order
        raise ImportErrors(problems, worst)


def _case_twin(line: int, key: str, twin: str, entry: int) -> LedgerError:
    """A receipt number written in other capitals than one used (entry) or earlier in the
    file (entry 0): the same paper receipt, never recorded twice."""
    if entry:
        return _on_line(line, twin_used(key, twin, entry))
    return BadInput("line {line}: receipt {number} is receipt {twin} of an earlier line, "
                    "written in other letters; each receipt number is recorded once",
                    line=line, number=key.split(":", 1)[1], twin=twin.split(":", 1)[1])


def _twice_in_file(line: int, key: str) -> LedgerError:
    """A receipt or slip number written on an earlier line too: named as the reader calls it
    (a row's key, "receipt:PT-1", is the ledger's own)."""
    kind, number = key.split(":", 1)
    if kind == "receipt":
        return BadInput("line {line}: receipt {number} appears earlier in the file; each is "
                        "recorded once", line=line, number=number)
    return BadInput("line {line}: slip {number} appears earlier in the file; each is recorded "
                    "once", line=line, number=number)


def _used_otherwise(key: str, entry: int) -> LedgerError:
    """A receipt or slip number the ledger holds for something else: skipping the row would
    lose it without a word, recording it would use the number twice."""
    kind, number = key.split(":", 1)
    if kind == "receipt":
        return Refused("receipt {number} is already used by entry {entry}, which records "
                       "another donation; a receipt number is used once: correct the number "
                       "on this line, or leave the line out", number=number, entry=entry)
    return Refused("slip {number} is already used by entry {entry}, which records another "
                   "hand-out; a slip number is used once: correct the number on this line, "
                   "or leave the line out", number=number, entry=entry)


def _goods(moves: Sequence[Sequence[Any]], sign: int) -> dict[str, int]:
    """What a stored fact's moves carried, by item or bundle code (one location)."""
    return {item: sign * delta for _location, item, delta in moves}


def write(ledger: Ledger, rows: Sequence[Row], batch: int,
          progress: Callable[[int], None] = lambda n: None) -> Outcome:
    """Record the rows not yet recorded, one transaction per batch, each stored row built
    directly from the ward's drafts (`Ledger.write_rows`)."""
    outcome = Outcome()
    for chunk in _chunks(rows, batch):
        done = ledger.write_rows(lambda ward, builder, chunk=chunk: _record_batch(
            ledger, ward, builder, chunk))
        outcome.written += len(done)
        outcome.skipped += len(chunk) - len(done)
        outcome.batches += 1
        progress(len(chunk))
    return outcome


def _record_batch(ledger: Ledger, ward: Ward, builder: RowBuilder,
                  chunk: Sequence[Row]) -> Written:
    claimed = ledger.claimed([row.key for row in chunk])
    entries, claims = [], []
    for row in chunk:
        if row.key in claimed:
            continue
        entry = row.record(ward)
        entries.append(entry)
        claims.append(claim_row(builder, row.key, entry))
    return Written(entries, claims)


def _parse_all(rows: Iterable[tuple[int, dict[str, str]]],
               parse: Callable[[int, dict[str, str]], Row]) -> list[Row]:
    parsed: list[Row] = []
    problems: list[LedgerError] = []
    named: list[tuple[int, Sequence[tuple[str, str]]]] = []
    for line, row in rows:
        try:
            parsed.append(parse(line, row))
        except ImportErrors as errors:
            problems += [_on_line(line, error) for error in errors.problems]
            named += [(line, names) for _line, names in errors.named]
        except LedgerError as error:
            problems.append(_on_line(line, error))
    if problems:
        raise ImportErrors(problems, 2, parsed, named)
    return parsed


def _named(*pairs: tuple[str, str | None]) -> tuple[tuple[str, str], ...]:
    """The (kind, code) pairs a row names, leaving out cells that did not parse."""
    return tuple((kind, value) for kind, value in pairs if value is not None)


def _unknown(ward: Ward, names: Sequence[tuple[str, str]]) -> list[LedgerError]:
    """A refusal for each code a row names that the ward has not declared (with the nearest
    declared ones), so one pass over the file finds them all."""
    declared = {"donor": (ward.donors, N_("donor")), "location": (ward.locations, N_("location")),
                "recipient": (ward.recipients, N_("recipient")),
                "bundle": (ward.bundles, N_("bundle")), "item": (ward.items, N_("item"))}
    found = []
    for kind, value in names:
        if kind == "goods" and value in ward.bundles:
            continue  # named as goods: the dry run says a bundle is not an item
        table, what = declared["item" if kind == "goods" else kind]
        try:
            known(value, table, what)
        except LedgerError as error:
            found.append(error)
    return found


class _Fields:
    """Reads a row's cells one by one, keeping every cell's problem rather than the first."""

    def __init__(self) -> None:
        self.problems: list[LedgerError] = []

    def __call__(self, read: Callable[[], Any]) -> Any:
        try:
            return read()
        except LedgerError as error:
            self.problems.append(error)
            return None

    def done(self, names: Sequence[tuple[str, str]] = ()) -> None:
        """Raise every cell's problem, with the codes the row names (checked all the same)."""
        if self.problems:
            raise ImportErrors(self.problems, 2, named=[(0, names)])


def _required(row: dict[str, str], column: str) -> str:
    value = (row.get(column) or "").strip()
    if not value:
        raise BadInput("column '{column}' is empty", column=column)
    return value


def _items(text: str | None, column: str = "items") -> dict[str, int]:
    """ "RICE=10; NOODLE=2" (or separated by spaces or commas) into {code: qty}."""
    parts = (text or "").replace(";", " ").replace(",", " ").split()
    return pairs(parts, column)


def _dated_items(text: str | None, until: str | None
                 ) -> tuple[dict[str, int], str | dict[str, str] | None]:
    """ "GAO=100; SUA=24@15/12/2021": the goods, and the expiry of each dated item (the
    row's expires column dates the items that name no date of their own)."""
    parts = (text or "").replace(";", " ").replace(",", " ").split()
    return dated_pairs(parts, until, "items")


def _chunks(rows: Sequence[Row], size: int) -> Iterator[Sequence[Row]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]
