"""The audit's readings of a stored ledger that the CLI and the stock board share: the chain
verified over one read of the rows, and the public statement (công khai) read or streamed from
the same rows, so what a page shows and what `aid audit …` prints are one computation."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ledger.store.access import EventLog
    from ledger.store.tree import NodeCheck
    from ledger.trust.chain import StoredRow
    from projections.audit.signatures import SignatureCheck, Signatures
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
        return verify(rows, log.links(), digests, each, gapless=log.gapless)
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
        beyond = tree.stored.beyond(tree.size)
        if beyond:
            return [Problem(log.head(), Phrase(N_(
                "the stored Merkle tree holds {count} nodes beyond its {events} events: the "
                "tree was edited outside aid, and the next write cannot store its own nodes "
                "there"), count=beyond, events=tree.size))]
        if roots.differ and roots.missing:
            level, idx = roots.first
            return [Problem(log.head(), Phrase(N_(
                "the ledger's stored Merkle tree lacks its node at level {level}, index {idx} "
                "(deleted outside aid?; nodes that differ: {count}): receipts and proofs made "
                "from it would not verify"), level=level, idx=idx, count=roots.differ))]
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


@dataclass(frozen=True)
class Checked:
    """Where a check of the whole history ended, sound: the events' count, their tree's root,
    the last one's position and link, and what the seal check knew there. A signer who keeps
    it (signed, `commands/audit/remembered.py`) checks only what came after, next time."""

    size: int
    root: str  # hex
    position: int
    link: str
    seals: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"size": self.size, "root": self.root, "position": self.position,
                "link": self.link, "seals": self.seals}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Checked:
        return cls(int(data["size"]), str(data["root"]), int(data["position"]),
                   str(data["link"]), dict(data["seals"]))


@dataclass
class History:
    """What one read of the stored events says of the ledger: its chain (and the digests held
    against it), its seals, and its stored Merkle tree."""

    checked: Verification
    signed: Signatures
    tree: list[Any]
    reached: Checked | None = None  # where it ended, when sound and the seals can go on
    resumed_at: int | None = None  # the size it went on from (None: read from the first event)

    @property
    def sound(self) -> bool:
        """Whether a treasurer may sign a checkpoint of it: a signature vouching for events no
        declared key sealed, or for a root they do not give, would turn a forgery `aid audit
        verify` catches into a proof a donor holds."""
        return not (self.checked.problems or self.signed.problems or self.tree)

    def first_bad(self) -> int | None:
        return min((p.position for p in [*self.checked.problems, *self.signed.problems,
                                          *self.tree] if p.position is not None), default=None)


def check_history(log: EventLog, digests: Sequence[Digest] = (), keys: Iterable[str] = (),
                  since: Checked | None = None) -> History:
    """The chain, the seals and the stored Merkle tree, checked in one read of the events
    (call inside `log.snapshot()`); `keys`: key ids an auditor holds from outside. `since`:
    where an earlier sound check ended; when the ledger still holds exactly that (the same
    events up to the same link, the same tree's root over them), only the events after it
    are read: what came before is bound by that root, which the signer checked."""
    from ledger.store.tree import NodeCheck
    from projections.audit.signatures import SignatureCheck, head_findings
    from projections.audit.tamper import verify

    keys = list(keys)
    frontier = (_resumable(log, since) if since is not None and not digests and not keys
                else None)
    tail = since if frontier is not None else None
    found = None if digests else _intact(log, keys, tail, frontier)
    if found is not None:  # the usual case: nothing to report, found a batch at a time
        checked, seals, roots = found
    elif tail is not None:  # the tail alone, row by row, to say what is wrong
        seals = SignatureCheck.resumed(tail.seals)
        roots = NodeCheck.of(log, frontier)
        rows = seals.watch(log.stored(after=tail.position))
        checked = verify(rows, log.links(after=tail.position), (), roots.add,
                         start=(tail.link, tail.size), gapless=log.gapless)
    else:
        seals = SignatureCheck(keys)
        roots = NodeCheck.of(log)  # the tree from the events, as the chain's pass hashes them
        checked = verification(log, digests, seals, roots.add)
    # the stored tree checkpoints are signed from; an edited event already breaks the chain
    # (and the tree with it): the tree is named only over intact events
    stored_tree = [] if checked.problems else tree_findings(log, roots)
    signed = seals.finish()
    signed.problems.extend(head_findings(signed, log.link_at))
    history = History(checked, signed, stored_tree,
                      resumed_at=tail.size if tail is not None else None)
    state = seals.state()
    if history.sound and state is not None and checked.events:
        last = checked.position or (tail.position if tail is not None else 0)  # no new row
        history.reached = Checked(checked.events, roots.at_end()[roots.size].hex(), last,
                                  checked.head, state)
    return history


BATCH = 10_000  # rows `check_history` reads and checks at a time


def _intact(log: EventLog, keys: list[str], tail: Checked | None, frontier: Any
            ) -> tuple[Verification, SignatureCheck, NodeCheck] | None:
    """`check_history`'s one read, a batch of rows at a time, while the chain holds (every
    link recomputed from the stored bytes and found stored at its position): each batch's
    rows go to the seal check and their leaves to the tree's check, all from the bytes the
    chain hashed. None at the first link that does not hold: the row-by-row read then says
    what is wrong (a ledger with findings is read twice, up to its first)."""
    from ledger.store.tree import NodeCheck
    from ledger.trust.chain import GENESIS
    from ledger.trust.merkle import leaf_hashes
    from ledger.trust.seal_bytes import MAX_SEALED, SEAL_TOPIC
    from projections.audit.signatures import SignatureCheck
    from projections.audit.tamper import verify_intact

    if not log.in_snapshot:
        with log.snapshot():
            return _intact(log, keys, tail, frontier)
    if tail is not None:
        seals = SignatureCheck.resumed(tail.seals)
        roots = NodeCheck.of(log, frontier)
        start = (tail.link, tail.size, tail.position)
    else:
        seals = SignatureCheck(keys)
        seals.hashing_from(log.rows_before_first(SEAL_TOPIC, MAX_SEALED))
        roots = NodeCheck.of(log)
        start = (GENESIS, 0, -(2**63))

    def each(rows: Sequence[StoredRow], encoded: list[bytes]) -> None:
        seals.see_encoded(rows, encoded)
        roots.add_leaves(leaf_hashes(encoded))

    checked = verify_intact(log.stored_batches(after=start[2], batch=BATCH),
                            log.links_between, each, start, gapless=log.gapless)
    return None if checked is None else (checked, seals, roots)


def _resumable(log: EventLog, since: Checked) -> Any:
    """The stored tree's frontier over `since.size` events, when the ledger still holds what
    `since` says: that many events up to its position, its link there, its root over them;
    otherwise None (and the whole history is read)."""
    from ledger.store.tree import frontier_at

    if since.size < 1 or log.link_at(since.position) != since.link:
        return None
    if log.count(-(2**63)) - log.count(since.position) != since.size:
        return None  # a row slipped in before that position, or one of them taken out
    frontier = frontier_at(log, since.size)
    return frontier if frontier is not None and frontier.root().hex() == since.root else None


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
        checked = verify(folded(log.stored()), log.links(), gapless=log.gapless)
        sheet = {**fold.statement(), "to": last}
        bank_sections(log, sheet, first, until)
        return sheet, checked, fold
    except BaseException:
        fold.close()
        raise
