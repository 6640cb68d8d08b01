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
from dataclasses import dataclass, field
from fractions import Fraction
from math import lcm
from typing import Any, NamedTuple

from ledger.errors import BadInput
from ledger.phrases import N_, Phrase
from ledger.store.access import Record
from ledger.values.text import nearest, sort_key
from ledger.ward import daybook, names
from ledger.ward.plans import Handout, Plan
from projections.allocation import Claimant, allocate, gini, target
from projections.books import Books
from projections.register import Register


@dataclass
class RoundLog:
    """Rounds' rules and state, and every hand-out recorded for a round (reversals removed)."""

    rounds: dict[str, dict[str, Any]] = field(default_factory=dict)
    handouts: dict[int, tuple[str, str, dict[str, int], int]] = field(default_factory=dict)

    def apply(self, record: Record) -> None:
        data = record.data
        if record.name == names.ROUND_OPENED:
            self.rounds[data["round"]] = {
                **{k: v for k, v in data.items() if k not in ("timestamp", "originator_topic")},
                "entry": record.version, "closed": None}
        elif record.name == names.ROUND_CLOSED:
            self.rounds[data["round"]]["closed"] = data["on"]
        elif record.name == names.HANDED_OUT and data.get("round"):
            goods = {item: -delta for _, item, delta in data["moves"]}
            cash = data["cash"].get("given", 0) + data["cash"].get("packed", 0)
            self.handouts[record.version] = (data["round"], data["recipient"], goods, cash)
        elif record.name == names.REVERSED:
            self.handouts.pop(data["entry"], None)


@dataclass
class Drive:
    """Everything a round's plan reads: the books, the register and the rounds."""

    books: Books = field(default_factory=Books)
    register: Register = field(default_factory=Register)
    log: RoundLog = field(default_factory=RoundLog)

    @classmethod
    def replay(cls, records: Iterable[Record]) -> Drive:
        drive = cls()
        for record in records:
            drive.books.apply(record.name, record.data)
            drive.register.apply(record.name, record.data, record.version)
            drive.log.apply(record)
        return drive

    def round(self, code: str) -> dict[str, Any]:
        if code not in self.log.rounds:
            close = nearest(code, self.log.rounds)
            hint = Phrase(N_("; did you mean {close}?"), close=" or ".join(close)) if close else ""
            raise BadInput("unknown round '{code}'{hint} (open one with `aid round open`)",
                           code=code, hint=hint)
        return self.log.rounds[code]

    def value(self, code: str) -> int:
        """Đồng value of one unit (an item's declared value, else 1; a bundle's contents)."""
        items, bundles = self.books.state["items"], self.books.state["bundles"]
        if code in bundles:
            return sum(q * self.value(i) for i, q in bundles[code]["recipe"].items()) + \
                bundles[code]["cash"]
        declared = items.get(code, {}).get("value")
        return 1 if declared is None else declared

    def received(self, round_code: str) -> dict[str, dict[str, int]]:
        """recipient -> goods code -> units handed out in this round."""
        got: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for name, recipient, goods, _ in self.log.handouts.values():
            if name == round_code:
                for item, qty in goods.items():
                    got[recipient][item] += qty
        return got

    def earlier(self, round_code: str) -> dict[str, int]:
        """recipient -> đồng value received in rounds opened before this one."""
        before = {name for name, r in self.log.rounds.items()
                  if r["entry"] < self.log.rounds[round_code]["entry"]}
        worth: dict[str, int] = defaultdict(int)
        for name, recipient, goods, cash in self.log.handouts.values():
            if name in before:
                worth[recipient] += cash + sum(q * self.value(i) for i, q in goods.items())
        return worth


class Column(NamedTuple):
    """One item of a plan: targets, shares and units already handed, one per household."""

    targets: list[int]
    quantities: list[int]
    handed: list[int]


@dataclass
class Households:
    """The households a plan covers, in code order, with what the figures need of them."""

    codes: list[str]
    tiers: list[int]
    sizes: list[int]
    eligible: list[bool]


def plan(drive: Drive, round_code: str) -> dict[str, Any]:
    """The round's plan: allocations (each household's share of the round), figures, notes."""
    rules = drive.round(round_code)
    goods = rules["bundles"] + rules["items"]
    eligible = drive.register.eligible(rules["groups"], rules["tiers"])
    received = drive.received(round_code)
    codes = sorted({*eligible, *received})
    people = {code: drive.register.households[code] for code in codes}
    homes = Households(codes, [people[c]["tier"] for c in codes],
                       [people[c]["size"] for c in codes], [c in eligible for c in codes])
    order = _tie_order(round_code, people, drive.earlier(round_code))
    stock = {item: _available(drive, rules, item) for item in goods}
    columns: dict[str, Column] = {}
    for item in goods:
        claimants = _claimants(rules, item, people, eligible, received, order)
        shares = allocate(stock[item], claimants)
        columns[item] = Column([c.target for c in claimants], [shares[c] for c in codes],
                               [c.held for c in claimants])
    allocations = [{"recipient": code, "tier": homes.tiers[i], "size": homes.sizes[i],
                    "item": item, "target": column.targets[i], "quantity": column.quantities[i],
                    "handed": column.handed[i]}
                   for i, code in enumerate(codes) for item, column in columns.items()
                   if column.quantities[i]]
    counted = figures(drive, rules, homes, columns, stock)
    return {
        "round": round_code, "location": rules["location"], "on": rules["on"],
        "policy": rules["policy"], "closed": rules["closed"],
        "plan": digest(round_code, allocations), "allocations": allocations,
        "figures": counted,
        "notes": notes(rules, eligible, counted["items"]) + held_elsewhere(drive, rules, goods),
    }


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


def _claimants(rules: dict[str, Any], item: str, people: dict[str, dict[str, Any]],
               eligible: dict[str, Any], received: dict[str, dict[str, int]],
               order: dict[str, int]) -> list[Claimant]:
    """Every household's claim on `item`; one no longer eligible keeps what it got, no more.
    (One comprehension: a plan of 20,000 households builds 100,000 claims.)"""
    tiered = rules["policy"] == "tiered"
    goals = {size: target(rules["policy"], item in rules["bundles"], size, rules["cap"],
                          rules["persons_per_bundle"], rules["rations"].get(item, 0))
             for size in {home["size"] for home in people.values()}}  # household size -> target
    return [Claimant(code, home["tier"] if tiered else 0,
                     goals[home["size"]] if code in eligible else held, held, order[code])
            for code, home in people.items()
            for held in (received[code][item] if code in received else 0,)]


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
    """Per tier: households fully met, partly met, given nothing, and excluded from the round."""
    excluded = [h["tier"] for h in drive.register.excluded(rules["groups"], rules["tiers"])]
    counts = {tier: {"eligible": 0, "full": 0, "nothing": 0} for tier in drive.register.labels}
    for i in mine:
        count = counts[homes.tiers[i]]
        count["eligible"] += 1
        got = [(c.quantities[i], c.targets[i]) for c in columns.values()]
        if sum(t for _, t in got) > 0 and all(q == t for q, t in got):
            count["full"] += 1
        elif not any(q for q, _ in got):
            count["nothing"] += 1
    return {str(tier): {"label": drive.register.labels[tier], "eligible": c["eligible"],
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
    """Planned against handed out, per household, and who has not received yet."""
    result = plan(drive, round_code)
    homes: dict[str, dict[str, Any]] = {}
    for a in result["allocations"]:
        home = homes.setdefault(a["recipient"], {"recipient": a["recipient"], "tier": a["tier"],
                                                 "size": a["size"], "planned": {},
                                                 "handed": {}})
        home["planned"][a["item"]] = a["quantity"]
        home["handed"][a["item"]] = a["handed"]
    for home in homes.values():
        planned, handed = sum(home["planned"].values()), sum(home["handed"].values())
        home["status"] = ("received" if handed >= planned else
                          "part received" if handed else "not yet")
    waiting = [code for code, home in homes.items() if home["status"] != "received"]
    return {"round": round_code, "location": result["location"], "on": result["on"],
            "closed": result["closed"], "plan": result["plan"],
            "households": list(homes.values()),
            "received": len(homes) - len(waiting), "not_received": waiting}


def sheet(drive: Drive, round_code: str) -> dict[str, Any]:
    """The signed receipt list (danh sách ký nhận): households by group and name, with names.

    A line's `cash` is what its bundles carry (the household signs for it too); the sheet's
    `cash` says whether any bundle of the round carries cash at all."""
    result = plan(drive, round_code)
    rules = drive.round(round_code)
    goods = rules["bundles"] + rules["items"]
    cash = {b: drive.books.state["bundles"][b]["cash"] for b in rules["bundles"]}
    lines: dict[str, dict[str, Any]] = {}
    for a in result["allocations"]:
        h = drive.register.households[a["recipient"]]
        line = lines.setdefault(a["recipient"], {
            "code": h["code"], "name": h["name"], "group": h["group"], "size": h["size"],
            "goods": {}, "cash": 0, "handed": True})
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
