"""What a round's plan hands to the write side: per household, the bundles and items still due.

Kept apart from `ledger.ward.rounds` (which needs the event store) so that reading a plan never
imports the eventsourcing library.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Handout:
    """What one household is to receive now under a plan: {code: qty} bundles and items."""

    recipient: str
    bundles: dict[str, int]
    items: dict[str, int]


@dataclass(frozen=True)
class Plan:
    """What the read side computed: the round, its hash, and the hand-outs still to record.
    `replans`: the round reserved a plan from the register as it was, and this one, from the
    register as it is now, differs (reserving it records the change even when the stock it
    holds stays the same)."""

    round: str
    digest: str
    handouts: list[Handout]
    replans: bool = False

    def totals(self) -> dict[str, int]:
        """Units of each bundle and item still to hand out: what a reservation holds."""
        total: dict[str, int] = {}
        for handout in self.handouts:
            for goods in (handout.bundles, handout.items):
                for item, qty in goods.items():
                    total[item] = total.get(item, 0) + qty
        return total
