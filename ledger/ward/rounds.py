"""Distribution rounds: opening one with its rules, applying its plan, closing it.

A round's parameters are stored once, when it opens, so its plan (a projection) can be replayed
exactly. Applying records one hand-out per household, all in one atomic save, each naming the
round and the hash of the plan it applies. The plan is computed by the read side; this module
only receives it (`planner`), and refuses to apply it unless the ward is still exactly the ward
the plan was computed from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import KW_ONLY
from typing import TYPE_CHECKING, Any

from ledger.errors import BadInput, Refused
from ledger.phrases import N_, Phrase, either
from ledger.values.inputs import code, text
from ledger.values.text import clean, nearest
from ledger.ward.aggregate import TIERS, Ward, case_twin, post_reserved, stored_names
from ledger.ward.personal import forgotten
from ledger.ward.plans import Plan
from ledger.ward.register import write_seen
from ledger.ward.written import Written

if TYPE_CHECKING:  # the application (ledger/service.py) imports this module
    from ledger.service import Ledger

POLICIES = ("tiered", "equal", "per-capita")
DEFAULT_PERSONS_PER_BUNDLE = 4


class RoundOpened(Ward.Event):
    """A round shares the stock of `bundles` and `items` at `location` by `policy`.

    Optional, stored only when set (so older rounds keep their bytes): `top_up` (households
    another open round holds by its reservation are planned here too, up to this round's
    targets less what that round gives them) and `floor` (every eligible household gets this
    many units of each item, or its target if less, before tiers count)."""

    TOPIC = "ledger.rounds:RoundOpened"

    on: str
    actor: str
    round: str
    location: str
    bundles: list[str]
    items: list[str]
    policy: str
    cap: int | None
    persons_per_bundle: int
    rations: dict[str, int]
    groups: list[str]
    tiers: list[int]
    _: KW_ONLY
    top_up: bool | None = None
    floor: int | None = None

    def apply(self, ward: Ward) -> None:
        rounds(ward)[self.round] = {"location": self.location, "on": self.on, "closed": False}


class RoundReserved(Ward.Event):
    """The round's plan `plan` is confirmed: what it still hands out is held for it, and no
    other round, hand-out, transfer or pick-up may take it. `reserved` lists the change
    ([round, location, item, delta]); reserving again moves the reservation to a fresh plan."""

    TOPIC = "ledger.rounds:RoundReserved"

    on: str
    actor: str
    round: str
    plan: str
    reserved: list[list[Any]]

    def apply(self, ward: Ward) -> None:
        rounds(ward)[self.round].setdefault("reserved_on", self.on)
        post_reserved(ward, self.on, self.reserved)


class RoundClosed(Ward.Event):
    """No more hand-outs in this round; what was not handed out stays where it is, and what
    was reserved for it and not handed out is released (`reserved`, stored only then)."""

    TOPIC = "ledger.rounds:RoundClosed"

    on: str
    actor: str
    round: str
    _: KW_ONLY
    reserved: list[list[Any]] | None = None

    def apply(self, ward: Ward) -> None:
        post_reserved(ward, self.on, self.reserved)
        rounds(ward)[self.round]["closed"] = True


stored_names(RoundOpened, RoundReserved, RoundClosed)


def unknown_policy(typed: str) -> BadInput:
    """The refusal of a --policy that is none of ours: the policies named as the reader may
    type them ("theo mức ưu tiên, chia đều, theo nhân khẩu" in Vietnamese)."""
    return BadInput("--policy must be one of {policies}, not '{policy}'", policy=typed,
                    policies=Phrase.join(", ", [Phrase(policy) for policy in POLICIES]))


def rounds(ward: Ward) -> dict[str, dict[str, Any]]:
    """Rounds by code (set lazily, so wards saved before rounds existed still load)."""
    return ward.round_states()


def open_round(ledger: Ledger, round_code: str, location: str, bundles: Iterable[str],
               items: Iterable[str], policy: str, cap: int | None, persons_per_bundle: int,
               rations: dict[str, int], groups: Iterable[str], tiers: Iterable[int],
               on: str, actor: str, top_up: bool = False, floor: int = 0) -> int:
    """Record a new round's rules after checking every code and number in them."""
    name = code(round_code, N_("round code"))
    location = code(location, N_("location code"))
    bundles = _unique([code(b, N_("bundle code")) for b in bundles], "--bundle")
    items = _unique([code(i, N_("item code")) for i in items], "--item")
    rations = {code(k, N_("item code")): v for k, v in rations.items()}
    groups = _unique([text(g, "--group") for g in groups if clean(g)], "--group")
    tiers = sorted(set(tiers))
    if policy not in POLICIES:
        raise unknown_policy(policy)
    if floor < 0:
        raise BadInput("--floor must be 0 or more, not {floor}", floor=floor)
    if cap is not None and cap < 0:
        raise BadInput("--cap must be 0 or more, not {cap}", cap=cap)
    if persons_per_bundle < 1:
        raise BadInput("--persons-per-bundle must be at least 1, not {persons_per_bundle}",
                       persons_per_bundle=persons_per_bundle)
    for tier in tiers:
        if tier not in TIERS:
            raise BadInput("--tier must be 0, 1, 2 or 3, not {tier}", tier=tier)
    if not bundles and not items:
        raise BadInput("a round shares at least one --bundle CODE or --item CODE")

    def change(ward: Ward) -> int:
        if name in rounds(ward) and rounds(ward)[name]["closed"]:
            raise Refused("round {name} was closed and cannot be reopened; open a new round "
                          "with another code", name=name)
        if name in rounds(ward):
            raise Refused("round {name} is already open; choose another round code", name=name)
        twin = case_twin(name, rounds(ward))
        if twin is not None:  # "r1" beside "R1": two rounds a reader cannot tell apart
            raise BadInput("round code '{code}' differs from round {twin} only in case; codes "
                           "must differ in more than case: choose another code", code=name,
                           twin=twin)
        ward.require(location, ward.locations, N_("location"))
        for bundle in bundles:
            if bundle in ward.items:
                raise BadInput("{bundle} is an item, not a bundle: use --item {bundle} with "
                               "--ration {bundle}=QTY", bundle=bundle)
            ward.require(bundle, ward.bundles, N_("bundle"))
        for item in items:
            if item in ward.bundles:
                raise BadInput("{item} is a bundle, not an item: use --bundle {item}", item=item)
            ward.require(item, ward.items, N_("item"))
            if item not in rations:
                raise BadInput("loose item {item} needs --ration {item}=QTY (units per person)",
                               item=item)
        for item in rations:
            if item not in items:
                raise BadInput("--ration {item} names no --item of this round; add --item {item}",
                               item=item)
        return ward.emit(RoundOpened, on=on, actor=clean(actor), round=name, location=location,
                         bundles=bundles, items=items, policy=policy, cap=cap,
                         persons_per_bundle=persons_per_bundle, rations=rations,
                         groups=groups, tiers=tiers, top_up=top_up or None,
                         floor=floor or None)

    return ledger.write(change)


def close_round(ledger: Ledger, round_code: str, on: str, actor: str) -> int:
    name = code(round_code, N_("round code"))
    return ledger.write(lambda ward: close(ward, name, on, clean(actor)))


def close(ward: Ward, name: str, on: str, actor: str) -> int:
    """Record the round's close, releasing what it still holds reserved."""
    state = _open(ward, name)
    if on < state["on"]:
        raise BadInput("round {name} opened on {opened}: close it on that day or later, not "
                       "{on}", name=name, opened=state["on"], on=on)
    if state.get("reserved") and on < state["reserved_on"]:
        raise BadInput("round {name} holds stock reserved on {reserved_on}: close it on that "
                       "day or later, not {on}", name=name, reserved_on=state["reserved_on"],
                       on=on)
    release = [[name, state["location"], item, -qty]
               for item, qty in sorted(state.get("reserved", {}).items())]
    return ward.emit(RoundClosed, on=on, actor=actor, round=name, reserved=release or None)


def reserve_round(ledger: Ledger, round_code: str, planner: Callable[[], Plan], expected: str,
                  actor: str) -> tuple[Plan, dict[str, int]]:
    """Hold what the round's confirmed plan still hands out, so no one else can take it.

    Reserving takes the plan's hash, as `apply` does: what is held is exactly what the
    volunteer saw. Reserving again after the plan changed moves the reservation to it."""
    name = code(round_code, N_("round code"))
    if not expected or len(expected.strip()) < 8:
        raise BadInput("--plan needs at least the first 8 characters of the plan hash")
    return write_seen(ledger, planner, lambda ward, plan: Written(
        (plan, reserve(ward, name, plan, expected, clean(actor)))))


def reserve(ward: Ward, name: str, plan: Plan, expected: str, actor: str) -> dict[str, int]:
    """Record the reservation of `plan` (whose hash starts with `expected`) on the ward;
    returns what the round now holds. Refused if free stock does not cover it.

    The reservation is dated on the round's own date: its plan shares the stock available
    from that date, and its hand-outs are never dated earlier, so each one consumes what
    was held for it on its day."""
    state = _open(ward, name)
    _same_plan(name, plan, expected)
    day = state["on"]
    wanted = plan.totals()
    held = state.get("reserved", {})
    delta = [[name, state["location"], item, wanted.get(item, 0) - held.get(item, 0)]
             for item in sorted({*wanted, *held}) if wanted.get(item, 0) != held.get(item, 0)]
    if not wanted and not held:
        raise Refused("plan {plan} of round {name} hands out nothing more, so there is nothing "
                      "to reserve; see `aid round plan {name}`", name=name,
                      plan=plan.digest[:12])
    if not delta and not plan.replans:
        raise Refused("round {name} already holds what plan {plan} hands out",
                      name=name, plan=plan.digest[:12])
    ward.check_free(day, [], delta)
    ward.emit(RoundReserved, on=day, actor=actor, round=name, plan=plan.digest,
              reserved=delta)
    return wanted


def _same_plan(name: str, plan: Plan, expected: str) -> None:
    if not plan.digest.startswith(expected.strip().lower()):
        raise Refused("the plan of round {name} is now {plan}, not {expected}: the ledger "
                      "changed since that plan was shown, or its hash was mistyped; run `aid "
                      "round plan {name}` again and give the hash it shows",
                      name=name, plan=plan.digest[:12], expected=expected.strip()[:12])


def apply_plan(ledger: Ledger, round_code: str, planner: Callable[[], Plan],
               only: Iterable[str], skip: Iterable[str], on: str | None, actor: str,
               expected: str | None = None) -> tuple[Plan, list[int]]:
    """Record the plan's hand-outs (all, `only` these, or all but `skip`) in one atomic save.

    The plan is recomputed from the ledger as it is when saving. If `expected` (a hash, or its
    first 8+ characters) no longer matches, or stock no longer covers the plan, nothing is
    recorded and the volunteer is asked to look at a fresh plan.
    """
    name = code(round_code, N_("round code"))
    only = {code(c, N_("recipient code")) for c in only}
    skip = {code(c, N_("recipient code")) for c in skip}
    if expected is not None and len(expected.strip()) < 8:
        raise BadInput("--plan needs at least the first 8 characters of the plan hash")

    def change(ward: Ward, plan: Plan) -> tuple[Plan, list[int]]:
        state = _open(ward, name)
        for recipient in sorted(only | skip):
            ward.require(recipient, ward.recipients, N_("recipient"))
        if expected is not None:
            _same_plan(name, plan, expected)
        chosen = [h for h in plan.handouts
                  if (not only or h.recipient in only) and h.recipient not in skip]
        missing = sorted(only - {h.recipient for h in plan.handouts})
        if missing:  # excluded, not eligible, or already served: say which, apply none (the
            # volunteer named them to hand them something)
            raise Refused("round {name}'s plan hands nothing to {codes} (excluded, outside the "
                          "round's groups or tiers, or already handed out); nothing was "
                          "recorded: see `aid round plan {name}`", name=name,
                          codes=", ".join(missing))
        if not chosen:
            raise Refused("nothing left to hand out in round {name} for the households chosen; "
                          "see `aid round status {name}`", name=name)
        day = on or state["on"]
        if day < state["on"]:
            raise BadInput("hand-outs of round {name} cannot be dated before it opened ({on})",
                           name=name, on=state['on'])
        gone = forgotten(ward)
        for handout in chosen:  # the plan never names one; a plan made elsewhere might
            if handout.recipient in gone:
                raise Refused("household {code} was forgotten in entry {entry} and receives "
                              "nothing more; run `aid round plan {name}` for a fresh plan",
                              code=handout.recipient, entry=gone[handout.recipient], name=name)
        entries = []
        for handout in chosen:
            try:
                entries.append(ward.give(handout.recipient, state["location"], handout.bundles,
                                         handout.items, 0, day, clean(actor), round=name,
                                         plan=plan.digest))
            except Refused as error:
                raise Refused("the plan of round {name} is no longer feasible ({error}); run `aid "
                              "round plan {name}` for a fresh plan",
                              name=name, error=error) from None
        return plan, entries

    return write_seen(ledger, planner, lambda ward, plan: Written(change(ward, plan)))


def _open(ward: Ward, name: str) -> dict[str, Any]:
    known = rounds(ward)
    if name not in known:
        close = nearest(name, known)
        hint = Phrase(N_("; did you mean {close}?"), close=either(close)) if close else ""
        raise BadInput("unknown round '{name}'{hint} (open one with `aid round open`)",
                       name=name, hint=hint)
    if known[name]["closed"]:
        raise Refused("round {name} is closed; open a new round to hand out more", name=name)
    return known[name]


def _unique(codes: list[str], option: str) -> list[str]:
    for index, value in enumerate(codes):
        if value in codes[:index]:
            raise BadInput("{option} names {value} twice", option=option, value=value)
    return codes
