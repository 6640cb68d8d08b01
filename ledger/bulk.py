"""Bulk recording: many donations or hand-outs, validated in full, then written in batches.

Each row has an identity derived from the ward and its receipt (donations) or slip number or
content (hand-outs), claimed in the same transaction as the row's fact. Importing the same rows
twice, or resuming after a crash, therefore adds nothing twice: claimed rows are skipped. A
batch is one transaction, so a crash leaves only whole batches behind.
"""

from __future__ import annotations

import copy
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from .claims import claim, receipt_key
from .dates import parse_date
from .errors import BadInput, LedgerError
from .inputs import code, pairs, whole
from .phrases import N_
from .service import Ledger, Written
from .text import clean
from .ward import Ward

@dataclass(frozen=True)
class Row:
    """One parsed row: its line in the file, its identity, and how to record it on a ward."""

    line: int
    key: str
    record: Callable[[Ward], int] = field(compare=False)


@dataclass
class Outcome:
    written: int = 0
    skipped: int = 0
    batches: int = 0


class ImportErrors(LedgerError):
    """Every problem found, one per line, so the whole file can be fixed in one go."""

    def __init__(self, problems: list[LedgerError], exit_code: int) -> None:
        self.problems = problems
        self.exit_code = exit_code
        super().__init__("\n".join(map(str, problems)))


def _on_line(line: int, error: LedgerError) -> LedgerError:
    return type(error)(N_("line {line}: {problem}"), line=line, problem=error)


def donation_rows(rows: Iterable[tuple[int, dict[str, str]]], actor: str) -> list[Row]:
    """Rows with columns receipt, date, donor, location, cash, items, note, and optionally
    expires (the goods' lot)."""

    def parse(line: int, row: dict[str, str]) -> Row:
        receipt = clean(_required(row, "receipt"))
        on = parse_date(_required(row, "date"))
        donor, location = code(_required(row, "donor")), code(_required(row, "location"))
        cash = whole(row.get("cash") or 0, "cash", minimum=0)
        goods = _items(row.get("items"))
        note = clean(row.get("note") or "") or None
        expires = parse_date(row["expires"]) if (row.get("expires") or "").strip() else None
        return Row(line, receipt_key(receipt), lambda w: w.donate(
            donor, location, cash, goods, receipt, note, on, actor, expires))

    return _parse_all(rows, parse)


def handout_rows(rows: Iterable[tuple[int, dict[str, str]]], actor: str) -> list[Row]:
    """Rows with columns slip (optional), date, recipient, location, bundles, items, cash."""
    seen: Counter[str] = Counter()

    def parse(line: int, row: dict[str, str]) -> Row:
        on = parse_date(_required(row, "date"))
        recipient, location = code(_required(row, "recipient")), code(_required(row, "location"))
        bundles = _items(row.get("bundles"), "bundles")
        goods = _items(row.get("items"))
        cash = whole(row.get("cash") or 0, "cash", minimum=0)
        slip = clean(row.get("slip") or "")
        if slip:
            key = f"handout:{slip}"
        else:  # no slip number: the row's content, and which repeat of it this is
            content = repr((on, recipient, location, sorted(bundles.items()),
                            sorted(goods.items()), cash))
            seen[content] += 1
            digest = hashlib.sha256(f"{content}#{seen[content]}".encode()).hexdigest()[:32]
            key = f"handout-row:{digest}"
        return Row(line, key, lambda w: w.give(recipient, location, bundles, goods, cash,
                                              on, actor))

    return _parse_all(rows, parse)


def check(ledger: Ledger, rows: Sequence[Row]) -> None:
    """Dry-run every row not yet recorded on a copy of the ward; raise all refusals at once."""
    seen: set[str] = set()
    problems: list[LedgerError] = []
    worst = 1
    ward = copy.deepcopy(ledger.ward())
    claimed = ledger.claimed([row.key for row in rows])
    for row in rows:
        if row.key in seen and not row.key.startswith("handout-row:"):
            problems.append(BadInput("line {line}: {key} appears earlier in the file; each is "
                                     "recorded once", line=row.line,
                                     key=row.key.replace(":", " ", 1)))
            worst = 2
            continue
        seen.add(row.key)
        if row.key in claimed:
            continue
        try:
            row.record(ward)
        except LedgerError as error:
            problems.append(_on_line(row.line, error))
            worst = max(worst, error.exit_code)
        ward.collect_events()  # a dry run: drop the events, keep memory flat
    if problems:
        raise ImportErrors(problems, worst)


def write(ledger: Ledger, rows: Sequence[Row], batch: int,
          progress: Callable[[int], None] = lambda n: None) -> Outcome:
    """Record the rows not yet recorded, one transaction per batch."""
    outcome = Outcome()
    for chunk in _chunks(rows, batch):
        done = ledger.write(lambda ward, chunk=chunk: _record_batch(ledger, ward, chunk))
        outcome.written += len(done)
        outcome.skipped += len(chunk) - len(done)
        outcome.batches += 1
        progress(len(chunk))
    return outcome


def _record_batch(ledger: Ledger, ward: Ward, chunk: Sequence[Row]) -> Written:
    claimed = ledger.claimed([row.key for row in chunk])
    entries, claims = [], []
    for row in chunk:
        if row.key in claimed:
            continue
        entry = row.record(ward)
        entries.append(entry)
        claims.append(claim(row.key, entry))
    return Written(entries, claims)


def _parse_all(rows: Iterable[tuple[int, dict[str, str]]],
               parse: Callable[[int, dict[str, str]], Row]) -> list[Row]:
    parsed, problems = [], []
    for line, row in rows:
        try:
            parsed.append(parse(line, row))
        except LedgerError as error:
            problems.append(_on_line(line, error))
    if problems:
        raise ImportErrors(problems, 2)
    return parsed


def _required(row: dict[str, str], column: str) -> str:
    value = (row.get(column) or "").strip()
    if not value:
        raise BadInput("column '{column}' is empty", column=column)
    return value


def _items(text: str | None, column: str = "items") -> dict[str, int]:
    """ "RICE=10; NOODLE=2" (or separated by spaces or commas) into {code: qty}."""
    parts = (text or "").replace(";", " ").replace(",", " ").split()
    return pairs(parts, column)


def _chunks(rows: Sequence[Row], size: int) -> Iterator[Sequence[Row]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]
