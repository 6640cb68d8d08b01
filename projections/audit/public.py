"""The audit's readings of a stored ledger that the CLI and the stock board share: the chain
verified over one read of the rows, and the public statement (công khai) read or streamed from
the same rows, so what a page shows and what `aid audit …` prints are one computation."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ledger.store.access import EventLog
    from ledger.store.tree import NodeCheck
    from ledger.trust.chain import StoredRow
    from projections.audit.signatures import SignatureCheck
    from projections.audit.statement import StatementFold
    from projections.audit.tamper import Digest, Verification
    from projections.events import WardEvent


def taken_now() -> str:
    """When a digest was taken: UTC, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def verification(log: EventLog, digests: Sequence[Digest] = (),
                 seals: SignatureCheck | None = None,
                 each: Callable[[bytes], None] | None = None) -> Verification:
    """The chain checked over one read of the stored rows (and the seals too, when given);
    `each` hears every row's encoded bytes (the Merkle roots are recomputed from them)."""
    from ledger.trust.seal_bytes import MAX_SEALED, SEAL_TOPIC
    from projections.audit.tamper import verify

    if log.in_snapshot:
        rows = log.stored()
        if seals is not None:
            rows = seals.watch(rows, log.rows_before_first(SEAL_TOPIC, MAX_SEALED))
        return verify(rows, log.links(), digests, each)
    with log.snapshot():
        return verification(log, digests, seals, each)


def tree_findings(log: EventLog, roots: NodeCheck) -> list[Any]:
    """The stored Merkle tree against the root recomputed from the events (`roots`, fed by the
    verify pass): checkpoints and receipts are signed from the stored tree, so a tree edited
    outside aid would have the treasurer sign a root the events do not give."""
    from ledger.phrases import N_, Phrase
    from ledger.store.tree import LedgerTree, TreeMismatch
    from projections.audit.tamper import Problem

    try:
        tree = LedgerTree(log)
    except TreeMismatch as mismatch:
        return [Problem(log.head(), Phrase(N_(
            "the stored Merkle tree covers {tree} events, the ledger holds {events}: the tree "
            "was edited outside aid"), tree=mismatch.tree, events=mismatch.events))]
    try:
        if roots.differ:
            level, idx = roots.first
            return [Problem(log.head(), Phrase(N_(
                "the stored Merkle tree's node at level {level}, index {idx} is not what the "
                "events give (nodes that differ: {count}): the tree was edited outside aid, "
                "and receipts and proofs made from it would not verify"), level=level, idx=idx,
                count=roots.differ))]
        if tree.size != roots.size or tree.root() == roots.at_end()[roots.size]:
            return []
        return [Problem(log.head(), Phrase(N_(
            "the stored Merkle tree has root {stored}… over the {events} events, which give "
            "{root}…: the tree was edited outside aid, and a checkpoint signed from it would "
            "not be the events'"), stored=tree.root().hex()[:16], events=tree.size,
            root=roots.at_end()[roots.size].hex()[:16]))]
    finally:
        tree.close()


def readable(events: Iterable[WardEvent | str]) -> Iterator[WardEvent]:
    """Ward events, leaving out rows that could not be read (`aid audit check` lists them)."""
    return (event for event in events if not isinstance(event, str))


def read_statement(log: EventLog, first: str | None, last: str | None,
                   charts: bool = False) -> tuple[dict[str, Any], Any, Verification]:
    """The statement's sections, the drive's charts (when `charts`) and the chain's
    verification, all from the events themselves: call it inside `log.snapshot()` so the
    three agree with each other and with the digest taken from them."""
    from projections.audit.statement import statement as build_statement
    from projections.drive import drive
    from projections.events import ward_events

    events = list(readable(ward_events(log.stored())))
    until = _until(last)
    sheet = {**build_statement(events, first, until), "to": last}
    bank_sections(log, sheet, first, until)
    pictures = drive(events, first, until) if charts else None
    return sheet, pictures, verification(log)


def _until(last: str | None) -> str:
    """The statement's last day: the one asked for, else today in Vietnam ("from … to
    today" on the page is what it holds; an entry dated in the future is not yet the ward's
    to publish)."""
    from ledger.values.dates import parse_date

    return last if last is not None else parse_date(None)


def bank_sections(log: EventLog, sheet: dict[str, Any], first: str | None,
                   last: str | None) -> None:
    """The bank accounts' section of the statement, only when the drive declared one (so
    statements of drives without accounts print as they always did)."""
    from projections.bank import statement_sections

    sheet["sections"] += statement_sections(log, first, last)


def stream_statement(log: EventLog, first: str | None, last: str | None
                     ) -> tuple[dict[str, Any], Verification, StatementFold]:
    """`read_statement` without the charts, with memory that does not grow with the ledger:
    one pass finds the reversals, a second folds every event into the statement while the
    chain is verified over the very same rows. Call it inside `log.snapshot()`; close the
    fold (its spool) once the statement is printed."""
    from projections.audit.statement import StatementFold, annulled_in
    from projections.audit.tamper import verify
    from projections.events import ward_events

    until = _until(last)
    fold = StatementFold(annulled_in(log.stored(ward_only=True)), first, until)

    def folded(rows: Iterable[StoredRow]) -> Iterator[StoredRow]:
        for row in rows:
            for event in readable(ward_events((row,))):
                fold.add(event)
            yield row

    try:
        checked = verify(folded(log.stored()), log.links())
        sheet = {**fold.statement(), "to": last}
        bank_sections(log, sheet, first, until)
        return sheet, checked, fold
    except BaseException:
        fold.close()
        raise
