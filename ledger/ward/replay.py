"""The ward folded from its events alone, never from a snapshot: `aid rebuild` takes a new
snapshot from it, and the audit compares every stored snapshot with it
(projections/audit/snapshots.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ledger.phrases import N_, Phrase


class Gap(Exception):
    """The ward's events skip an entry (or the first is missing): its history is broken."""

    def __init__(self, last: int, entry: int) -> None:
        super().__init__(Phrase(N_("the ward's events skip from entry {last} to entry {entry}"),
                                last=last, entry=entry))
        self.last, self.entry = last, entry


def fold(events: Iterable[Any], ward: Any = None) -> Any:
    """`ward` (None: none yet) carried on through `events`, which must follow it entry by
    entry."""
    at = 0 if ward is None else ward.version
    for event in events:
        if event.originator_version != at + 1:
            raise Gap(at, event.originator_version)
        ward = event.mutate(ward)
        at = event.originator_version
    return ward
