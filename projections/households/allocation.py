"""Fair allocation: tiered, need-weighted water-filling in whole units, with no floats.

Stated as what it is, a claims problem with priorities: each household's target is its claim,
tiers are priority classes served strictly in order, and within a class every household reaches
the same fill ratio (award ÷ claim) as nearly as whole units allow, each up to its claim:
water-filling on the fill ratio, so awards are proportional to claims (the proportional rule,
need-weighted: a household of five gets five times a household of one), not equal amounts. An
optional floor comes first: every claimant gets `floor` units (or its claim, if less) before any
priority counts, water-filled the same way across all classes when even the floor is short.
Ties at an equal fill ratio, whatever the claims, go by `order` (least received before per
person, then sha256 of round and household) and never by code or by claim.

Every unit a household could receive in a round has a key: (tier, fill ratio before the unit,
the household's place in the tie order). A household's keys grow with each unit it receives, so
handing out units one at a time to the lowest key is the same as taking the `stock` smallest keys
overall. That is what `allocate` computes, level by level rather than unit by unit: all
households with the same target and the same units already held rise together, so the work
grows with the number of distinct fill levels, not with the number of units.

Because the result is "the smallest keys", planning again after part of a plan was handed out
(from the stock that is left, counting what was handed out) gives the rest of the same plan.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from fractions import Fraction
from itertools import islice
from operator import attrgetter
from typing import NamedTuple


class Claimant(NamedTuple):
    """One household's claim on one item in one round.

    `rank` is its tier under the tiered policy (0 first) and 0 for every household otherwise;
    `target` what it should get in the round in all; `held` what it already received in the
    round; `order` its place among households with equal fill ratio (lower first: least received
    per person in earlier rounds, then sha256 of round and code).
    """

    code: str
    rank: int
    target: int
    held: int
    order: int


def target(policy: str, bundle: bool, size: int, cap: int | None, persons_per_bundle: int,
           ration: int) -> int:
    """Units a household should get: need by size, or one share each under `equal`; capped."""
    if policy == "equal":
        base = 1 if bundle else ration
    else:
        base = -(-size // persons_per_bundle) if bundle else ration * size
    return base if cap is None else min(cap, base)


def allocate(stock: int, claimants: list[Claimant], floor: int = 0) -> dict[str, int]:
    """Each household's share in the round (what it held plus what it gets now).

    With a `floor`, every claimant is first raised to min(floor, target) (all ranks alike);
    then ranks are served strictly in order: a rank gets nothing until every household of the
    ranks before it has its target.

    Every unit has a key (stage, rank, fill ratio before it, order), a household's keys grow
    with each unit, and the result is the `stock` smallest keys: so the rule is consistent
    (drop a household with its share and the rest is unchanged), composes (two tranches in
    turn, the second counting the first as held, equal their sum at once), is resource
    monotonic and treats equal claimants equally (within one unit).
    """
    if floor > 0:
        first = [c._replace(rank=0, target=max(min(floor, c.target), c.held))
                 for c in claimants]
        base = _allocate(stock, first)
        stock -= sum(base[c.code] - c.held for c in claimants)
        claimants = [c._replace(held=base[c.code]) for c in claimants]
    return _allocate(stock, claimants)


def _allocate(stock: int, claimants: list[Claimant]) -> dict[str, int]:
    """Priority classes strictly in order, water-filling inside each."""
    share = {c.code: c.held for c in claimants}
    by_rank: dict[int, list[Claimant]] = defaultdict(list)
    for claimant in claimants:
        if claimant.target > claimant.held:
            by_rank[claimant.rank].append(claimant)
    left = max(stock, 0)
    for rank in sorted(by_rank):
        if left == 0:
            break
        members = by_rank[rank]
        need = sum(c.target - c.held for c in members)
        if left >= need:
            for claimant in members:
                share[claimant.code] = claimant.target
            left -= need
        else:
            _fill(members, left, share)
            left = 0
    return share


def _fill(members: list[Claimant], units: int, share: dict[str, int]) -> None:
    """Water-fill `units` (fewer than the members need) into `share`, lowest fill ratio first."""
    grouped: dict[tuple[int, int], list[Claimant]] = defaultdict(list)
    for claimant in members:
        grouped[(claimant.target, claimant.held)].append(claimant)
    keys = sorted(grouped)
    groups = [sorted(grouped[k], key=attrgetter("order")) for k in keys]
    raised = [0] * len(groups)  # levels every member of the group has risen by
    heap = [(Fraction(held, goal), g) for g, (goal, held) in enumerate(keys)]
    heapq.heapify(heap)
    extra: list[Claimant] = []
    while units and heap:
        ratio, first = heapq.heappop(heap)
        tied = [first]
        while heap and heap[0][0] == ratio:
            tied.append(heapq.heappop(heap)[1])
        size = sum(len(groups[g]) for g in tied)
        if units < size:
            lucky = heapq.merge(*(groups[g] for g in tied), key=attrgetter("order"))
            extra = list(islice(lucky, units))
            break
        units -= size
        for g in tied:
            raised[g] += 1
            goal, held = keys[g]
            if held + raised[g] < goal:
                heapq.heappush(heap, (Fraction(held + raised[g], goal), g))
    for g, group in enumerate(groups):
        for claimant in group:
            share[claimant.code] = claimant.held + raised[g]
    for claimant in extra:
        share[claimant.code] += 1


def gini(values: list[int]) -> Fraction | None:
    """Gini coefficient of non-negative whole values, zeros included; None when all are zero.

    Values are per-person amounts scaled by a common factor (the coefficient does not change
    with scale). From the sorted values: G = 2·Σ i·x_i / (n·Σ x) − (n+1)/n.
    """
    ordered = sorted(values)
    total = sum(ordered)
    if total == 0:
        return None
    n = len(ordered)
    weighted = sum(i * v for i, v in enumerate(ordered, start=1))
    return Fraction(2 * weighted, n * total) - Fraction(n + 1, n)
