"""Distribution rounds read from the ledger: the plan, its fairness figures, status and sheet.

The plan is a pure function of the stored events: stock at the round's location on its date,
the register (eligible households, their sizes and tiers), the round's rules, and what was
handed out in this and earlier rounds (net of reversals). Same events, byte-identical plan.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from fractions import Fraction
from math import lcm
from typing import Any, NamedTuple

from ledger.errors import BadInput, Refused
from ledger.phrases import N_, Phrase, either
from ledger.store.access import Record
from ledger.values.text import nearest, sort_key
from ledger.ward import daybook, names
from ledger.ward.plans import Handout, Plan
from projections.books import Books
from projections.households.allocation import Claimant, allocate, gini, target
from projections.households.register import Register


@dataclass
class RoundLog:
    """Rounds' rules and state, every hand-out recorded for a round, and every other hand-out
    and shop pick-up (all net of reversals): what households received, and when."""

    rounds: dict[str, dict[str, Any]] = field(default_factory=dict)
    handouts: dict[int, tuple[str, str, dict[str, int], int, str]] = \
        field(default_factory=dict)  # entry -> (round, recipient, goods, cash, day)
    given: dict[int, tuple[str, str, dict[str, int], int]] = field(default_factory=dict)
    pickups: dict[int, tuple[str, str, int]] = field(default_factory=dict)

    def apply(self, record: Record) -> None:
        data = record.data
        if record.name == names.ROUND_OPENED:
            self.rounds[data["round"]] = {
                **{k: v for k, v in data.items() if k not in ("timestamp", "originator_topic")},
                "entry": record.version, "closed": None, "closed_entry": None,
                "reserved_entry": None}
        elif record.name == names.ROUND_RESERVED:
            known = self.rounds[data["round"]]
            known["reserved_entry"] = known["reserved_entry"] or record.version
        elif record.name == names.ROUND_CLOSED:
            self.rounds[data["round"]].update(closed=data["on"], closed_entry=record.version)
        elif record.name == names.HANDED_OUT:
            goods = {item: -delta for _, item, delta in data["moves"]}
            cash = data["cash"].get("given", 0) + data["cash"].get("packed", 0)
            if data.get("round"):
                self.handouts[record.version] = (data["round"], data["recipient"], goods, cash,
                                                 data["on"])
            else:  # `aid give`: counts toward "received before" from its business date
                self.given[record.version] = (data["on"], data["recipient"], goods, cash)
        elif record.name == names.PICKED_UP:
            self.pickups[record.version] = (data["on"], data["recipient"], data["value"])
        elif record.name == names.REVERSED:
            for kept in (self.handouts, self.given, self.pickups):
                kept.pop(data["entry"], None)


@dataclass
class Drive:
    """Everything a round's plan reads: the books, the register and the rounds."""

    books: Books = field(default_factory=Books)
    register: Register = field(default_factory=Register)
    log: RoundLog = field(default_factory=RoundLog)
    closed_with: dict[str, Register] = field(default_factory=dict)  # round -> its register
    reserved_with: dict[str, Register] = field(default_factory=dict)  # round -> at its reserve
    served_as: dict[int, dict[str, Any]] = field(default_factory=dict)  # hand-out -> household

    @classmethod
    def replay(cls, records: Iterable[Record]) -> Drive:
        drive = cls()
        for record in records:
            drive.books.apply(record.name, record.data)
            drive.register.apply(record.name, record.data, record.version)
            drive.log.apply(record)
            if record.name == names.ROUND_CLOSED:
                drive.closed_with[record.data["round"]] = drive.register.frozen()
            elif record.name == names.ROUND_RESERVED:  # the register its reserved plan used
                drive.reserved_with[record.data["round"]] = drive.register.frozen()
            elif record.name == names.HANDED_OUT and record.data.get("round"):
                code = record.data["recipient"]  # the household as the round saw it then
                home = (drive.register_of(record.data["round"]).households.get(code)
                        or drive.register.households.get(code))
                if home is not None:
                    drive.served_as[record.version] = dict(home)
            elif record.name == names.ROUND_OPENED:
                drive.closed_with.pop(record.data["round"], None)
        return drive

    def register_of(self, round_code: str, fresh: bool = False) -> Register:
        """The households as the round sees them: a closed round, as they were when it closed
        (a household that moves group later stays where it was in that round's figures); an
        open round that reserved its plan, as they were when it last reserved (what its plan
        hands out does not follow later changes of the register; `fresh`: as they are now,
        the plan `aid round reserve` would reserve again); any other, as they are now."""
        if round_code in self.closed_with:
            return self.closed_with[round_code]
        if not fresh and round_code in self.reserved_with:
            return self.reserved_with[round_code]
        return self.register

    def served_in(self, round_code: str) -> dict[str, dict[str, Any]]:
        """recipient -> the household (group, tier, size…) as it was when it first received
        in this round (hand-outs reversed since not counted)."""
        seen: dict[str, dict[str, Any]] = {}
        for entry, (name, recipient, _, _, _) in self.log.handouts.items():
            if name == round_code and recipient not in seen and entry in self.served_as:
                seen[recipient] = self.served_as[entry]
        return seen

    def round(self, code: str) -> dict[str, Any]:
        if code not in self.log.rounds:
            close = nearest(code, self.log.rounds)
            hint = Phrase(N_("; did you mean {close}?"), close=either(close)) if close else ""
            raise BadInput("unknown round '{code}'{hint} (open one with `aid round open`)",
                           code=code, hint=hint)
        return self.log.rounds[code]

    def value(self, code: str, unknown: int = 1) -> int:
        """Đồng value of one unit (an item's declared value, else `unknown`; a bundle's
        contents). The fairness figures weigh an item of no declared value as 1 đồng a unit,
        so they still compare households; published đồng (`worth`) count it as 0."""
        items, bundles = self.books.state["items"], self.books.state["bundles"]
        if code in bundles:
            return sum(q * self.value(i, unknown) for i, q in bundles[code]["recipe"].items()) \
                + bundles[code]["cash"]
        declared = items.get(code, {}).get("value")
        return unknown if declared is None else declared

    def worth(self, code: str) -> int:
        """Đồng value of one unit as published: goods of no declared value count as 0, as in
        the drive report (never an invented figure)."""
        return self.value(code, unknown=0)

    def received(self, round_code: str) -> dict[str, dict[str, int]]:
        """recipient -> goods code -> units handed out in this round."""
        got: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for name, recipient, goods, _, _ in self.log.handouts.values():
            if name == round_code:
                for item, qty in goods.items():
                    got[recipient][item] += qty
        return got

    def earlier(self, round_code: str) -> dict[str, int]:
        """recipient -> đồng value received before this round: in rounds opened before it,
        and by hand-outs of other rounds, `aid give` and shop pick-ups dated on or before its
        day (a round opened later but handing out first is seen too)."""
        return self.before(round_code)[0]

    def before(self, round_code: str) -> tuple[dict[str, int], list[tuple[str, str, str, int]]]:
        """What `earlier` counts, and each part of it: (recipient -> đồng, [(recipient,
        source, round, đồng)]), the source being "round", "given" or "pickup". Every hand-out
        counts once, whatever recorded it."""
        rules = self.log.rounds[round_code]
        before = {name for name, r in self.log.rounds.items() if r["entry"] < rules["entry"]}
        parts: list[tuple[str, str, str, int]] = []
        for name, recipient, goods, cash, on in self.log.handouts.values():
            if name != round_code and (name in before or on <= rules["on"]):
                parts.append((recipient, "round", name,
                              cash + sum(q * self.value(i) for i, q in goods.items())))
        for on, recipient, goods, cash in self.log.given.values():
            if on <= rules["on"]:
                parts.append((recipient, "given", "",
                              cash + sum(q * self.value(i) for i, q in goods.items())))
        for on, recipient, value in self.log.pickups.values():
            if on <= rules["on"]:
                parts.append((recipient, "pickup", "", value))
        worth: dict[str, int] = defaultdict(int)
        for recipient, _, _, value in parts:
            worth[recipient] += value
        return worth, parts


class Column(NamedTuple):
    """One item of a plan: targets, shares and units already handed, one per household."""

    targets: list[int]
    quantities: list[int]
    handed: list[int]


class Overlap(NamedTuple):
    """Another open round's hold on households of this one: which, and for which goods."""

    households: list[str]
    goods: list[str]


@dataclass
class Households:
    """The households a plan covers, in code order, with what the figures need of them."""

    codes: list[str]
    tiers: list[int]
    sizes: list[int]
    eligible: list[bool]
    groups: list[str] = field(default_factory=list)
    excluded: list[int] = field(default_factory=list)  # tiers of households it leaves out


def plan(drive: Drive, round_code: str, reserved: bool = False, fresh: bool = False
         ) -> dict[str, Any]:
    """The round's plan; `reserved`: from the stock its reservation holds alone (what it
    gives each household for sure, which another round opened beside it plans around), not
    from free stock that came in since, which another round may take first; `fresh`: from
    the register as it is now, even when the round reserved its plan from the register as
    it was then (what reserving again would hold)."""
    return _computed(drive, round_code, reserved, fresh)[0]


def _computed(drive: Drive, round_code: str, reserved: bool = False, fresh: bool = False
              ) -> tuple[dict[str, Any], Households, dict[str, Column]]:
    """The round's plan: allocations (each household's share of the round), figures, notes.

    A household that another open round holds by its reservation is left out (or, in a round
    opened with --top-up, planned only what that round does not already give it); a closed
    round's plan is what it handed out. An open round that reserved its plan plans from the
    register as it was when it reserved: a household added, moved or re-tiered since is noted,
    not planned in or out (one excluded or forgotten since gets nothing more, and its share
    stays reserved, given to no one else). A household that received in the round and has
    left its groups or tiers since stays in it, as it was when it received, with what it
    received. New keys (`floor`, `top_up`, `overlaps`, `register_changes`, `fresh_plan`,
    `figures.received_before`) appear only when they say something, so a plan of an earlier
    release's ledger prints as it did."""
    rules = drive.round(round_code)
    goods = rules["bundles"] + rules["items"]
    register = drive.register_of(round_code, fresh)
    frozen = register is not drive.register and not rules["closed"]  # a reserved plan's
    eligible = register.eligible(rules["groups"], rules["tiers"],
                                 until=rules.get("closed_entry"))
    seen = eligible  # before other rounds' holds
    now = drive.register
    withdrawn = {code for code in eligible
                 if now.households[code]["excluded"] or code in now.forgotten} if frozen else set()
    received = drive.received(round_code)
    held, overlaps = _overlaps(drive, rules, eligible, goods)
    if not rules.get("top_up"):  # held for every good of this round: nothing left to plan
        eligible = {code: h for code, h in eligible.items()
                    if len(held.get(code, ())) < len(goods)}
    codes = sorted({*eligible, *received})
    served = drive.served_in(round_code) if received else {}
    people = {code: served[code] if code not in seen and code in served
              else register.households.get(code) or now.households[code]
              for code in codes}  # one that left: as it was when it received
    mine = {code for code in codes
            if (code in eligible and code not in withdrawn) or code in received}
    homes = Households(codes, [people[c]["tier"] for c in codes],
                       [people[c]["size"] for c in codes], [c in mine for c in codes],
                       [people[c]["group"] for c in codes],
                       [h["tier"] for h in register.excluded(rules["groups"], rules["tiers"])
                        if h["code"] not in mine]
                       + [register.households[c]["tier"] for c in sorted(withdrawn)
                          if c not in mine and now.households[c]["excluded"]])
    worth, parts = drive.before(round_code)
    order = _tie_order(round_code, people, worth)
    stock = {item: _available(drive, rules, item) for item in goods}
    if reserved:
        stock = {item: min(units, _reserved(drive, rules, item)) for item, units in stock.items()}
    columns: dict[str, Column] = {}
    for item in goods:
        claimants = _claimants(rules, item, people, eligible, received, order, held)
        if rules["closed"]:  # nothing more will be handed out: the plan is what was
            shares = {c.code: c.held for c in claimants}
        else:
            shares = allocate(stock[item], claimants, rules.get("floor") or 0)
        if withdrawn:  # planned as reserved (no one else gets its share), then given no more
            claimants = [c._replace(target=c.held) if c.code in withdrawn else c
                         for c in claimants]
            shares.update({c.code: c.held for c in claimants if c.code in withdrawn})
        columns[item] = Column([c.target for c in claimants], [shares[c] for c in codes],
                               [c.held for c in claimants])
    if rules.get("top_up"):  # one the other rounds give its whole target is owed nothing here
        homes.eligible = [yes and (code not in held or code in received or
                                   any(column.targets[i] for column in columns.values()))
                          for i, (code, yes) in enumerate(zip(codes, homes.eligible))]
    allocations = [{"recipient": code, "tier": homes.tiers[i], "size": homes.sizes[i],
                    "item": item, "target": column.targets[i], "quantity": column.quantities[i],
                    "handed": column.handed[i]}
                   for i, code in enumerate(codes) for item, column in columns.items()
                   if column.quantities[i]]
    counted = figures(drive, rules, homes, columns, stock)
    if any(f["to_hand"] for f in counted["items"].values()):
        counted["received_before"] = _counted_before(parts, set(codes))
    changes = [] if rules["closed"] else _register_changes(drive, rules, register, seen,
                                                           withdrawn, people)
    result = {
        "round": round_code, "location": rules["location"], "on": rules["on"],
        "policy": rules["policy"], "closed": rules["closed"],
        "plan": digest(round_code, allocations), "allocations": allocations,
        "figures": counted,
        "notes": notes(rules, eligible, counted["items"]) + held_elsewhere(drive, rules, goods)
        + _overlap_notes(rules, overlaps) + _register_notes(rules, changes),
    }
    for key in ("floor", "top_up"):
        if rules.get(key):
            result[key] = rules[key]
    if changes:
        result["register_changes"] = changes
    fresh_plan = (plan(drive, round_code, fresh=True)["plan"]
                  if frozen and changes and not reserved else None)
    if fresh_plan is not None and fresh_plan != result["plan"]:  # what reserving again holds
        result["fresh_plan"] = fresh_plan
        result["notes"].append(Phrase(N_(
            "the plan from the register as it is now is {plan} (`aid round plan {round} "
            "--fresh` shows it); `aid round reserve {round} --plan {plan}` holds it instead of "
            "the reserved plan"), plan=result["fresh_plan"][:12], round=round_code))
    if overlaps:
        result["overlaps"] = [{"round": name, "households": overlap.households,
                               "top_up": bool(rules.get("top_up")), "goods": overlap.goods}
                              for name, overlap in overlaps.items()]
    return result, homes, columns


def to_reserve(drive: Drive, round_code: str, expected: str) -> Plan:
    """The plan `aid round reserve` holds: from the register as it is now (reserving again is
    how a round re-plans after the register changed). The reserved plan's own hash, when the
    register has changed since so that the two differ, is refused saying so: that plan was
    from the register as it was, and holding it again would change nothing."""
    result = plan(drive, round_code, fresh=True)
    rules = drive.round(round_code)
    shown = plan(drive, round_code) if round_code in drive.reserved_with else result
    typed = expected.strip().lower()
    if typed and not result["plan"].startswith(typed):
        if shown["plan"] != result["plan"] and shown["plan"].startswith(typed):
            raise Refused("plan {plan} is round {name}'s reserved plan, from the register as it "
                          "was when the round reserved it; to reserve again from the register "
                          "as it is now, give the plan `aid round plan {name} --fresh` shows "
                          "({fresh}); nothing was recorded", plan=shown["plan"][:12],
                          name=round_code, fresh=result["plan"][:12])
    return replace(handouts(result, rules["bundles"]), replans=shown["plan"] != result["plan"])


def _overlaps(drive: Drive, rules: dict[str, Any], eligible: dict[str, Any], goods: list[str]
              ) -> tuple[dict[str, dict[str, int]], dict[str, Overlap]]:
    """Households of this round that another round open beside it holds for some of the same
    goods: one that reserved its plan before this one did (or at all, if this one has not),
    and was still open when this one opened (once it closes it still holds what it handed
    out, so a plan never changes because the other round closed). Returns (household -> item
    -> units the other rounds plan for it, other round -> its households in this round); a
    household held for rice may still be planned noodles."""
    mine = rules.get("reserved_entry")
    held: dict[str, dict[str, int]] = {}
    overlaps: dict[str, Overlap] = {}
    for name, other in sorted(drive.log.rounds.items()):
        if name == rules["round"] or other.get("reserved_entry") is None:
            continue
        if other["closed_entry"] is not None and other["closed_entry"] < rules["entry"]:
            continue  # closed before this round opened: what it gave counts as received before
        if mine is not None and other["reserved_entry"] > mine:
            continue
        found, shared = set(), set()
        for a in _planned(drive, name)["allocations"]:
            if a["recipient"] in eligible and a["item"] in goods:
                units = held.setdefault(a["recipient"], {})
                units[a["item"]] = units.get(a["item"], 0) + a["quantity"]
                found.add(a["recipient"])
                shared.add(a["item"])
        if found:
            overlaps[name] = Overlap(sorted(found), [g for g in goods if g in shared])
    return held, overlaps


REGISTER_FIELDS = ("group", "tier", "size", "excluded", "forgotten")


def _register_changes(drive: Drive, rules: dict[str, Any], register: Register,
                      eligible: dict[str, Any], withdrawn: set[str],
                      people: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """How the register as it is now differs from the households as this open round sees
    them, one row per household that differs: `change` is "left" (received in the round, no
    longer in its groups or tiers, or excluded or forgotten: kept as it was when it received,
    planned nothing more), "kept" (changed after the round reserved its plan, which still
    gives it what it planned), "withdrawn" (excluded or forgotten after the reservation: given
    nothing more) or "joined" (in the round's groups and tiers now, not in its reserved plan);
    `was` and `now` hold the fields that differ (`was` is None for one that joined),
    `in_round` whether the register as it is now puts it in the round."""
    now = drive.register
    inside = (now.eligible(rules["groups"], rules["tiers"]) if register is not now
              else eligible)
    changes = []
    for code in sorted({*people, *inside}):
        if people.get(code) is now.households[code]:  # as the register holds it now
            continue
        current = {**now.households[code], "forgotten": code in now.forgotten}
        if code not in people:  # in the round's groups and tiers now, not in its plan
            changes.append({"recipient": code, "change": "joined", "was": None,
                            "now": {k: current[k] for k in ("group", "tier", "size")},
                            "in_round": True})
            continue
        was = {**people[code], "forgotten": code in eligible and code in register.forgotten}
        differ = [k for k in REGISTER_FIELDS if was[k] != current[k]]
        if not differ:
            continue
        kind = ("withdrawn" if code in withdrawn else "kept" if code in eligible else "left")
        changes.append({"recipient": code, "change": kind,
                        "was": {k: was[k] for k in differ},
                        "now": {k: current[k] for k in differ}, "in_round": code in inside})
    return changes


REGISTER_NOTES = {
    "left": N_("{count} households received in round {round} and have left its groups or tiers, "
               "or were excluded or forgotten, since ({codes}): shown as they were when they "
               "received, with what they received; planned nothing more"),
    "kept": N_("{count} households changed in the register after round {round} reserved its "
               "plan ({codes}): the reserved plan still gives them what it planned"),
    "withdrawn": N_("{count} households were excluded or forgotten after round {round} reserved "
                    "its plan ({codes}): they get nothing more in it; what it planned them stays "
                    "reserved, for no one else, until the round reserves again or closes"),
    "joined": N_("{count} households joined round {round}'s groups and tiers after it reserved "
                 "its plan ({codes}): not in the reserved plan"),
}


def _register_notes(rules: dict[str, Any], changes: list[dict[str, Any]]) -> list[Phrase]:
    said = []
    for kind, template in REGISTER_NOTES.items():
        codes = [c["recipient"] for c in changes if c["change"] == kind]
        if codes:
            shown = ", ".join(codes[:12]) + (", …" if len(codes) > 12 else "")
            said.append(Phrase(template, count=len(codes), round=rules["round"], codes=shown))
    return said


def _planned(drive: Drive, name: str) -> dict[str, Any]:
    """What another round's reservation holds for each household: its plan from the stock it
    reserved, computed once per replay (rounds that hold stock see each other in the order
    they reserved, so this never comes back to the round asking). Not its plan from today's
    stock: free units that came in since are not its own, and the round asking may plan them."""
    cache = drive.__dict__.setdefault("_plans", {})
    if name not in cache:
        cache[name] = plan(drive, name, reserved=True)
    return cache[name]


def _overlap_notes(rules: dict[str, Any], overlaps: dict[str, Overlap]) -> list[Phrase]:
    said = []
    every = len(rules["bundles"]) + len(rules["items"])
    for name, (codes, goods) in overlaps.items():
        shown = ", ".join(codes[:12]) + (", …" if len(codes) > 12 else "")
        if not rules.get("top_up") and len(goods) < every:
            said.append(Phrase(N_("{count} households are held by round {other}'s reserved plan "
                                  "for {goods} ({codes}): not planned those again here (open the "
                                  "round with --top-up to top them up)"),
                               count=len(codes), other=name, goods=", ".join(goods),
                               codes=shown))
        elif rules.get("top_up"):
            said.append(Phrase(N_("{count} households are also in round {other}'s reserved plan "
                                  "({codes}): this round tops them up to its targets, less what "
                                  "round {other} gives them"),
                               count=len(codes), other=name, codes=shown))
        else:
            said.append(Phrase(N_("{count} households are held by round {other}'s reserved plan "
                                  "({codes}): not planned again here (open the round with "
                                  "--top-up to top them up)"),
                               count=len(codes), other=name, codes=shown))
    return said


def _counted_before(parts: list[tuple[str, str, str, int]], codes: set[str]) -> dict[str, Any]:
    """Which earlier receipts of this round's households decided its tie order, by source."""
    rounds: dict[str, int] = defaultdict(int)
    given = {"count": 0, "value": 0}
    picked = {"count": 0, "value": 0}
    homes = set()
    for recipient, source, name, value in parts:
        if recipient not in codes:
            continue
        homes.add(recipient)
        if source == "round":
            rounds[name] += value
        else:
            counted = given if source == "given" else picked
            counted["count"] += 1
            counted["value"] += value
    return {"households": len(homes), "rounds": dict(sorted(rounds.items())),
            "given": given, "pickups": picked}


def held_elsewhere(drive: Drive, rules: dict[str, Any], goods: list[str]) -> list[Phrase]:
    """Say what other rounds hold at this location, so a short plan is never a mystery."""
    said = []
    for item in goods:
        held = drive.books.reserved(rules["location"], item)
        for name, quantity in held.items():
            if name != rules["round"]:
                said.append(Phrase(N_("{quantity} {item} at {location} are reserved for round "
                                      "{other}: not in this plan"), quantity=quantity,
                                   item=item, location=rules["location"], other=name))
    return said


def digest(round_code: str, allocations: list[dict[str, Any]]) -> str:
    """sha256 of the canonical JSON of who gets what in the round: the plan's identity."""
    shares = [[a["recipient"], a["item"], a["quantity"]] for a in allocations]
    text = json.dumps({"round": round_code, "allocations": shares}, ensure_ascii=False,
                      separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def handouts(result: dict[str, Any], bundles: list[str]) -> Plan:
    """What is still to be handed out under a plan, per household, for `ledger.ward.rounds`."""
    todo: dict[str, dict[str, int]] = defaultdict(dict)
    for a in result["allocations"]:
        if a["quantity"] > a["handed"]:
            todo[a["recipient"]][a["item"]] = a["quantity"] - a["handed"]
    return Plan(result["round"], result["plan"], [
        Handout(code, {i: q for i, q in got.items() if i in bundles},
                {i: q for i, q in got.items() if i not in bundles})
        for code, got in todo.items()])


def _tie_order(round_code: str, people: dict[str, dict[str, Any]],
               earlier: dict[str, int]) -> dict[str, int]:
    """Place among equal fill ratios: least per person in earlier rounds, then sha256."""
    def key(code: str) -> tuple[Fraction | int, bytes]:
        seed = hashlib.sha256(f"{round_code}\t{code}".encode()).digest()
        worth = earlier.get(code, 0)
        return (Fraction(worth, people[code]["size"]) if worth else 0), seed

    return {code: place for place, code in enumerate(sorted(people, key=key))}


def _available(drive: Drive, rules: dict[str, Any], item: str) -> int:
    """Units at the round's location that can leave on its date without overdrawing later,
    less what other rounds hold reserved (two rounds never promise the same unit) and less
    lots already expired on the round's date."""
    state = drive.books.state
    book = state["bins"].get(rules["location"], {}).get(item, {})
    held = state["reserved"].get(rules["location"], {}).get(item, {})
    for name, reserved in held.items():
        if name != rules["round"]:
            book = daybook.difference(book, reserved)
    for expires, lot in state["lots"].get(rules["location"], {}).get(item, {}).items():
        if expires < rules["on"]:  # expired by the round's day: not handed out by a plan
            book = daybook.difference(book, lot)
    return max(daybook.lowest_from(book, rules["on"]), 0)


def _reserved(drive: Drive, rules: dict[str, Any], item: str) -> int:
    """Units of `item` the round's reservation holds at its location from its day on."""
    book = drive.books.state["reserved"].get(rules["location"], {}).get(item, {}) \
        .get(rules["round"], {})
    return max(daybook.lowest_from(book, rules["on"]), 0) if book else 0


def _claimants(rules: dict[str, Any], item: str, people: dict[str, dict[str, Any]],
               eligible: dict[str, Any], received: dict[str, dict[str, int]],
               order: dict[str, int], elsewhere: dict[str, dict[str, int]]) -> list[Claimant]:
    """Every household's claim on `item`; one no longer eligible keeps what it got, no more;
    one another round holds for this item claims nothing more, or in a top-up round its
    target less what that round gives.
    (One comprehension: a plan of 20,000 households builds 100,000 claims.)"""
    tiered = rules["policy"] == "tiered"
    goals = {size: target(rules["policy"], item in rules["bundles"], size, rules["cap"],
                          rules["persons_per_bundle"], rules["rations"].get(item, 0))
             for size in {home["size"] for home in people.values()}}  # household size -> target
    claims = [Claimant(code, home["tier"] if tiered else 0,
                       goals[home["size"]] if code in eligible else held, held, order[code])
              for code, home in people.items()
              for held in (received[code][item] if code in received else 0,)]
    if elsewhere:
        top_up = rules.get("top_up")
        claims = [c._replace(target=max(c.target - elsewhere[c.code][item] if top_up else 0,
                                        c.held))
                  if c.code in eligible and item in elsewhere.get(c.code, ()) else c
                  for c in claims]
    return claims


def figures(drive: Drive, rules: dict[str, Any], homes: Households,
            columns: dict[str, Column], stock: dict[str, int]) -> dict[str, Any]:
    """The fairness figures published with every plan (integers and exact fractions)."""
    mine = [i for i, yes in enumerate(homes.eligible) if yes]
    items = {}
    for item, column in columns.items():
        handed, to_hand = sum(column.handed), sum(column.quantities) - sum(column.handed)
        items[item] = {"stock": stock[item], "handed": handed, "to_hand": to_hand,
                       "left": stock[item] - to_hand,
                       "targets": sum(column.targets[i] for i in mine),
                       "min_fill": _ratio(_min_fill(column, mine))}
    fills = [f for f in (_min_fill(column, mine) for column in columns.values()) if f is not None]
    return {
        "eligible": len(mine),
        "served": sum(1 for i in mine if any(c.quantities[i] for c in columns.values())),
        "gini": _ratio(gini(_per_person(drive, homes, columns, mine))),
        "left": {item: counted["left"] for item, counted in items.items()},
        "items": items,
        "tiers": _tiers(drive, rules, homes, columns, mine),
        "lower_tier_while_unmet": sum(_lower_while_unmet(homes, column, mine)
                                      for column in columns.values()),
        "min_fill": _ratio(min(fills, default=None)),
    }


def _per_person(drive: Drive, homes: Households, columns: dict[str, Column],
                mine: list[int]) -> list[int]:
    """Value received per person in each eligible household, scaled to whole numbers."""
    scale = lcm(*{homes.sizes[i] for i in mine}) if mine else 1
    worth = [0] * len(homes.codes)
    for item, column in columns.items():
        value = drive.value(item)
        for i in mine:
            worth[i] += column.quantities[i] * value
    return [worth[i] * (scale // homes.sizes[i]) for i in mine]


def _tiers(drive: Drive, rules: dict[str, Any], homes: Households, columns: dict[str, Column],
           mine: list[int]) -> dict[str, dict[str, Any]]:
    """Per tier: households fully met, partly met, given nothing, and excluded from the round
    (one excluded after it received in the round is counted as served, not excluded)."""
    register = drive.register_of(rules["round"])
    excluded = homes.excluded
    counts = {tier: {"eligible": 0, "full": 0, "nothing": 0} for tier in register.labels}
    for i in mine:
        count = counts[homes.tiers[i]]
        count["eligible"] += 1
        got = [(c.quantities[i], c.targets[i]) for c in columns.values()]
        if sum(t for _, t in got) > 0 and all(q == t for q, t in got):
            count["full"] += 1
        elif not any(q for q, _ in got):
            count["nothing"] += 1
    return {str(tier): {"label": register.labels[tier], "eligible": c["eligible"],
                        "full": c["full"], "partial": c["eligible"] - c["full"] - c["nothing"],
                        "nothing": c["nothing"], "excluded": excluded.count(tier)}
            for tier, c in sorted(counts.items())}


def _lower_while_unmet(homes: Households, column: Column, mine: list[int]) -> int:
    """Units of one item given to a tier below the most urgent tier left short of target."""
    short = [homes.tiers[i] for i in mine if column.quantities[i] < column.targets[i]]
    if not short:
        return 0
    urgent = min(short)
    return sum(column.quantities[i] for i in mine if homes.tiers[i] > urgent)


def _min_fill(column: Column, mine: list[int]) -> Fraction | None:
    """The lowest quantity ÷ target (compared by cross-multiplying: no Fraction per row)."""
    low: tuple[int, int] | None = None
    for i in mine:
        goal, got = column.targets[i], column.quantities[i]
        if goal and (low is None or got * low[1] < low[0] * goal):
            low = (got, goal)
    return None if low is None else Fraction(*low)


def _ratio(value: Fraction | None) -> str | None:
    return None if value is None else _decimal(value)


def _decimal(value: Fraction, places: int = 4) -> str:
    """A fraction as a decimal string, rounded half up, for display and JSON (never a float)."""
    scale = 10**places
    scaled = (value.numerator * scale * 2 + value.denominator) // (2 * value.denominator)
    return f"{scaled // scale}.{scaled % scale:0{places}d}"


def notes(rules: dict[str, Any], eligible: dict[str, Any],
          items: dict[str, dict[str, Any]]) -> list[Phrase]:
    """Plain words for the edge cases, so an empty plan never looks like a bug."""
    said = []
    if not eligible:
        said.append(Phrase(N_("no eligible household: check the round's --group/--tier "
                              "filters, the register (`aid recipient list`) and exclusions")))
    if rules["cap"] == 0:
        said.append(Phrase(N_("--cap is 0: every target is 0, so nothing is allocated")))
    for item, counted in items.items():
        if counted["stock"] == 0 and counted["handed"] == 0:
            said.append(Phrase(N_("no {item} available at {location} on {on}: nothing of it "
                                  "to allocate"),
                               item=item, location=rules["location"], on=rules["on"]))
    if rules["closed"]:
        said.append(Phrase(N_("round {round} was closed on {day}: nothing more will be handed "
                              "out"), round=rules["round"], day=rules["closed"]))
    return said


def status(drive: Drive, round_code: str) -> dict[str, Any]:
    """Planned against handed out, per household, and who has not received yet.

    A household the register has changed since the round saw it (see `_register_changes`)
    carries `change`, `now` (the fields as they are now) and `in_round`; households in the
    round's groups and tiers now that its reserved plan leaves out are `not_in_plan`, and the
    plan's notes on the register say why (`notes`). These keys appear only then."""
    result = plan(drive, round_code)
    changed = {c["recipient"]: c for c in result.get("register_changes", ())}
    homes: dict[str, dict[str, Any]] = {}
    for a in result["allocations"]:
        home = homes.setdefault(a["recipient"], {"recipient": a["recipient"], "tier": a["tier"],
                                                 "size": a["size"], "planned": {},
                                                 "handed": {}})
        home["planned"][a["item"]] = a["quantity"]
        home["handed"][a["item"]] = a["handed"]
    for code, home in homes.items():
        planned, handed = sum(home["planned"].values()), sum(home["handed"].values())
        home["status"] = (N_("received") if handed >= planned else
                          N_("part received") if handed else N_("not yet"))
        if code in changed:
            home.update({k: changed[code][k] for k in ("change", "now", "in_round")})
    waiting = [code for code, home in homes.items() if home["status"] != "received"]
    shown = {"round": round_code, "location": result["location"], "on": result["on"],
             "closed": result["closed"], "plan": result["plan"],
             "households": list(homes.values()),
             "received": len(homes) - len(waiting), "not_received": waiting}
    left_out = [code for code, c in changed.items() if c["change"] == "joined"]
    if left_out:
        shown["not_in_plan"] = left_out
    said = _register_notes(drive.round(round_code), list(changed.values()))
    if said:
        shown["notes"] = said
    return shown


def sheet(drive: Drive, round_code: str) -> dict[str, Any]:
    """The signed receipt list (danh sách ký nhận): households by group and name, with names.

    A line's `cash` is what its bundles carry (the household signs for it too); the sheet's
    `cash` says whether any bundle of the round carries cash at all."""
    result, homes, _ = _computed(drive, round_code)
    group = dict(zip(homes.codes, homes.groups))  # as the plan sees it (size: the plan's too)
    rules = drive.round(round_code)
    goods = rules["bundles"] + rules["items"]
    cash = {b: drive.books.state["bundles"][b]["cash"] for b in rules["bundles"]}
    lines: dict[str, dict[str, Any]] = {}
    for a in result["allocations"]:
        h = drive.register.households[a["recipient"]]  # the name: as the register holds it now
        line = lines.setdefault(a["recipient"], {
            "code": h["code"], "name": h["name"], "group": group[a["recipient"]],
            "size": a["size"], "goods": {}, "cash": 0, "handed": True})
        line["goods"][a["item"]] = a["quantity"]
        line["cash"] += a["quantity"] * cash.get(a["item"], 0)
        line["handed"] = line["handed"] and a["handed"] >= a["quantity"]
    ordered = sorted(lines.values(), key=lambda line: (
        sort_key(line["group"]), sort_key(line["name"]), sort_key(line["code"])))
    place = drive.books.state["locations"].get(result["location"], {})
    return {"ward": drive.books.state["ward"], "round": round_code,
            "location": result["location"], "location_name": place.get("name", ""),
            "on": result["on"], "plan": result["plan"], "cash": any(cash.values()),
            "goods": [{"code": g, "name": drive.books.describe(g)[0],
                       "unit": drive.books.describe(g)[1]} for g in goods],
            "lines": ordered}


def round_status(drive: Drive, code: str) -> dict[str, Any]:
    """What `aid round status --format json` prints (and the stock board's round page serves):
    households by code only, never by name."""
    from ledger.values.inputs import code as clean_code

    return status(drive, clean_code(code, "round code"))


PRIORITY_TIERS = (0, 1)  # F0/F1, elderly alone, disabled; poor and near-poor households


def _planned_any(row: dict[str, Any]) -> bool:
    """Whether a household's rounds plan it anything: goods (an item of no declared value is
    still goods) or đồng."""
    return bool(row["planned"] or row["goods"])


def summary(drive: Drive, round_codes: list[str] | None = None) -> dict[str, Any]:
    """Cumulative figures over a set of rounds (all of them by default, in the order opened):
    each household's total, the Gini of value per person, the minimum fill ratio per tier and
    the priority households (tiers 0-1) that got nothing.

    A household's `planned` is what its rounds' plans give it (a closed round's plan is what
    it handed out), `received` what was handed out, `target` what the rounds aimed to give it,
    all in đồng (an item's declared value, 0 if none, a bundle's contents and cash); the
    figures are of `planned`, weighed as the plans weigh it (an item of no declared value as 1
    a unit), so they hold for open rounds too. Households by code, never by name."""
    if round_codes:
        chosen = list(dict.fromkeys(round_codes))
        for name in chosen:
            drive.round(name)
    else:
        chosen = sorted(drive.log.rounds, key=lambda r: drive.log.rounds[r]["entry"])
    homes: dict[str, dict[str, Any]] = {}
    handed: dict[str, int] = defaultdict(int)  # units handed out, whatever their value
    computed = {name: _computed(drive, name) for name in chosen}
    for name, (result, households, columns) in computed.items():
        values = {item: drive.worth(item) for item in columns}
        weights = {item: drive.value(item) for item in columns}
        aimed = _aimed_before(result, computed)
        for i, code in enumerate(households.codes):
            if not households.eligible[i]:
                continue
            home = homes.setdefault(code, {
                "recipient": code, "group": households.groups[i], "tier": households.tiers[i],
                "size": households.sizes[i], "rounds": 0, "target": 0, "planned": 0,
                "received": 0, "goods": defaultdict(int), "weighed": [0, 0]})
            home["rounds"] += 1
            for item, column in columns.items():
                aim = max(column.targets[i] - aimed.get((code, item), 0), 0)
                home["target"] += aim * values[item]
                home["planned"] += column.quantities[i] * values[item]
                home["weighed"][0] += aim * weights[item]
                home["weighed"][1] += column.quantities[i] * weights[item]
                home["received"] += column.handed[i] * values[item]
                handed[code] += column.handed[i]
                if column.quantities[i]:
                    home["goods"][item] += column.quantities[i]
    weighed = {code: home.pop("weighed") for code, home in homes.items()}  # (target, planned)
    rows = [{**home, "goods": dict(sorted(home["goods"].items())),
             "fill": _ratio(Fraction(weighed[code][1], weighed[code][0]))
             if weighed[code][0] else None}
            for code, home in sorted(homes.items())]
    tiers: dict[str, dict[str, Any]] = {}
    for tier in sorted(drive.register.labels):
        mine = [row for row in rows if row["tier"] == tier]
        fills = [Fraction(weighed[r["recipient"]][1], weighed[r["recipient"]][0]) for r in mine
                 if weighed[r["recipient"]][0]]
        tiers[str(tier)] = {"label": drive.register.labels[tier], "households": len(mine),
                            "nothing": sum(1 for row in mine if not _planned_any(row)),
                            "min_fill": _ratio(min(fills, default=None))}
    scale = lcm(*{row["size"] for row in rows}) if rows else 1
    nothing = [row["recipient"] for row in rows
               if row["tier"] in PRIORITY_TIERS and not _planned_any(row)]
    return {"rounds": chosen, "households": len(rows),
            "served": sum(1 for row in rows if _planned_any(row)),
            "households_received": sum(1 for row in rows if handed[row["recipient"]]),
            "gini": _ratio(gini([weighed[row["recipient"]][1] * (scale // row["size"])
                                 for row in rows])),
            "tiers": tiers, "priority_with_nothing": nothing, "rows": rows}


def _aimed_before(result: dict[str, Any], computed: dict[str, Any]) -> dict[tuple[str, str], int]:
    """What a top-up round's targets repeat of the summed rounds it tops up: their shortfall
    (target less plan), which its target, theirs less what they give, counts a second time."""
    repeated: dict[tuple[str, str], int] = defaultdict(int)
    for overlap in result.get("overlaps", ()) if result.get("top_up") else ():
        if overlap["round"] not in computed:
            continue
        _, households, columns = computed[overlap["round"]]
        place = {code: i for i, code in enumerate(households.codes)}
        for code in overlap["households"]:
            for item in overlap["goods"]:
                column, i = columns[item], place[code]
                repeated[(code, item)] += column.targets[i] - column.quantities[i]
    return repeated


def outflow(drive: Drive, round_code: str) -> dict[str, Any]:
    """The round's public outflow statement (công khai đợt phát): what each household
    received, by code, group (tổ) and tier, never by name; with the totals handed out."""
    result, households, columns = _computed(drive, round_code)
    cash = {b: drive.books.state["bundles"][b]["cash"]
            for b in columns if b in drive.books.state["bundles"]}
    rows = []
    for i, code in enumerate(households.codes):
        goods = {item: column.handed[i] for item, column in columns.items() if column.handed[i]}
        if goods:
            rows.append({"recipient": code,
                         "group": households.groups[i],
                         "tier": households.tiers[i], "goods": goods,
                         "cash": sum(q * cash.get(item, 0) for item, q in goods.items()),
                         "value": sum(q * drive.worth(item) for item, q in goods.items())})
    rows.sort(key=lambda row: (sort_key(row["group"]), sort_key(row["recipient"])))
    totals = {item: sum(column.handed) for item, column in columns.items()}
    place = drive.books.state["locations"].get(result["location"], {})
    return {"ward": drive.books.state["ward"], "round": round_code,
            "location": result["location"], "on": result["on"], "closed": result["closed"],
            "plan": result["plan"], "households": len(rows),
            "handed": {item: qty for item, qty in totals.items() if qty},
            "cash": sum(row["cash"] for row in rows),
            "value": sum(row["value"] for row in rows), "rows": rows,
            "location_name": place.get("name", ""),
            "goods": {item: {"name": drive.books.describe(item)[0],
                             "unit": drive.books.describe(item)[1]} for item in columns}}
