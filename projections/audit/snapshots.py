"""The ward's stored snapshots against the ward folded from its first event (`aid audit verify`,
`aid audit check`).

Every write starts from the ward's latest snapshot (ledger/service.py): the snapshot decides
what the next write may do (how much stock is free or reserved, which voucher is live, which
household was forgotten). It is derived data that anyone who can write the database can edit,
and the write side would then refuse and allow by the edit. The audit never starts from a
snapshot: it folds the ward's events from the first and compares every stored snapshot with the
fold at its version, part by part. Every part a snapshot holds must be the fold's; a part it
lacks may be one a later release added, but only while the fold has it as the ward makes it on
first use (empty).

One pass, paged: memory holds the ward, one page of snapshots and the events between two.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ledger.phrases import N_, Phrase, said
from ledger.store.access import EventLog
from ledger.store.decoding import event_mapper
from ledger.ward import replay
from ledger.ward.aggregate import Ward
from ledger.ward.names import WARD_ID
from projections.audit.models import MISSING, SHOWN, differences, shown, where
from projections.audit.tamper import Problem

PAGE = 100  # snapshots read at a time (one per 100 entries): a few MB
EVENTS = 5_000  # events folded at a time between two snapshots far apart


def compare(log: EventLog) -> list[Problem]:
    """Every difference between a stored snapshot of the ward and its events, in one snapshot
    of the database."""
    from eventsourcing.persistence import StoredEvent

    from ledger.ward import events  # noqa: F401 - every stored name resolves to its class

    mapper, problems = event_mapper(), []
    fold, first_use = _Fold(log, mapper), _first_use(mapper)
    with log.snapshot():
        problems += [Problem(_event_at(log, originator, version), Phrase(N_(
            "a snapshot of aggregate {originator} (version {version}) is stored: aid takes "
            "snapshots of the ward alone, so it was written outside aid (writers never read "
            "it)"), originator=originator, version=version))
            for originator, version in log.others_snapshotted(WARD_ID)]
        after = 0
        while page := log.snapshots(WARD_ID, after, PAGE):
            for version, topic, state in page:
                try:
                    fresh = fold.upto(version)
                except Exception as error:  # noqa: BLE001 - the events' own findings say why
                    return [*problems, _unreadable(log, version, error)]
                try:
                    stored = _snapshot(mapper.to_domain_event(
                        StoredEvent(WARD_ID, version, topic, state)))
                    problems += _differences(log, version, stored.state, fresh, mapper,
                                             first_use)
                except Exception as error:  # noqa: BLE001 - an unreadable snapshot is a finding
                    problems.append(_unreadable(log, version, error))
            after = page[-1][0]
    return problems


def _event_at(log: EventLog, originator: str, version: int) -> int:
    """The position of the event a snapshot claims to stand for (the head if none is)."""
    try:
        row = log.row_of(UUID(originator), version)
    except ValueError:
        row = None
    return row[0] if row is not None else log.head()


class _Fold:
    """The ward folded from its first event, never from a snapshot."""

    def __init__(self, log: EventLog, mapper: Any) -> None:
        from eventsourcing.persistence import StoredEvent

        self.log, self.ward, self.mapper, self.stored = log, None, mapper, StoredEvent

    def upto(self, version: int) -> Any:
        at = 0 if self.ward is None else self.ward.version
        while at < version:
            rows = self.log.aggregate_rows(WARD_ID, min(at + EVENTS, version), after=at)
            if not rows:
                raise LookupError(Phrase(N_("the ward's events end at entry {entry}"),
                                         entry=at))
            self.ward = replay.fold((self.mapper.to_domain_event(self.stored(WARD_ID, *row))
                                     for row in rows), self.ward)  # a gap: replay.Gap says so
            at = self.ward.version
        self.ward.made_on_first_use()
        return self.ward


def _snapshot(stored: Any) -> Any:
    """The stored object, if it is a snapshot of the ward (a forged topic makes it another
    class, or a snapshot of another aggregate, which a write would then start from)."""
    from eventsourcing.domain import Snapshot
    from eventsourcing.utils import get_topic

    if not isinstance(stored, Snapshot) or stored.topic != get_topic(Ward) or \
            not isinstance(stored.state, dict):
        raise ValueError(Phrase(N_("it is not a snapshot of the ward")))
    return stored


# What the write side reads again from the events when a snapshot lacks it: item values
# (ledger/ward/vouchers.py) and the days stock was counted (ledger/service.py)
READ_AGAIN_WHEN_MISSING = ("values", "counted")


def _differences(log: EventLog, version: int, stored: dict[str, Any], ward: Any,
                 mapper: Any, first_use: dict[str, Any]) -> list[Problem]:
    """The parts of a stored snapshot's state that the fold does not give, as stored. A part
    the snapshot lacks is one a later release added only while the fold has it as the ward
    makes it on first use (empty); lacking anything else, a write would start without it."""
    fresh = _as_stored(mapper, Ward.Snapshot.take(ward))
    found = []
    for part in sorted(set(stored) | set(fresh)):
        if part in stored:
            found += differences(stored[part], fresh.get(part, MISSING), (part,))
        elif part not in READ_AGAIN_WHEN_MISSING and fresh[part] != first_use.get(part, MISSING):
            found.append(((part,), MISSING, fresh[part]))
    position = _position(log, version)
    problems = [Problem(position, Phrase(N_(
        "the ward's snapshot at entry {entry}: {part}: stored {stored}, recomputed from the "
        "events {recomputed} (every write starts from it: run `aid rebuild`)"),
        entry=version, part=where(path), stored=shown(old, path),
        recomputed=shown(new, path)))
        for path, old, new in found[:SHOWN]]
    if len(found) > SHOWN:
        problems.append(Problem(position, Phrase(N_(
            "the ward's snapshot at entry {entry}: … and {count} more differences"),
            entry=version, count=len(found) - SHOWN)))
    return problems


def _as_stored(mapper: Any, snapshot: Any) -> dict[str, Any]:
    """A snapshot's state as a stored one reads back (JSON's types, the library's dates)."""
    return mapper.to_domain_event(mapper.to_stored_event(snapshot)).state


def _first_use(mapper: Any) -> dict[str, Any]:
    """The parts a ward makes on first use, as each is made (empty)."""
    blank = object.__new__(Ward)
    blank.made_on_first_use()
    return mapper.transcoder.decode(mapper.transcoder.encode(dict(vars(blank))))


def _unreadable(log: EventLog, version: int, error: Exception) -> Problem:
    return Problem(_position(log, version), Phrase(N_(
        "the ward's snapshot at entry {entry} cannot be checked: {error} (every write starts "
        "from it: run `aid rebuild`)"), entry=version, error=said(error)))


def _position(log: EventLog, version: int) -> int:
    """Where the snapshot's entry is stored (the ledger's last position if it is not)."""
    row = log.row_of(WARD_ID, version)
    return row[0] if row is not None else log.head()
