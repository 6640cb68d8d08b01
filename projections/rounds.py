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
from typing import Any

from ledger import daybook
from ledger.errors import BadInput
from ledger.rounds import Handout, Plan
from ledger.storage import Record
from ledger.text import nearest, sort_key

from .allocation import Claimant, allocate, gini, target
from .books import Books
from .register import Register


@dataclass
class RoundLog:
    """Rounds' rules and state, and every hand-out recorded for a round (reversals removed)."""

    rounds: dict[str, dict[str, Any]] = field(default_factory=dict)
    handouts: dict[int, tuple[str, str, dict[str, int], int]] = field(default_factory=dict)

    def apply(self, record: Record) -> None:
        data = record.data
        if record.name == "RoundOpened":
            self.rounds[data["round"]] = {
                **{k: v for k, v in data.items() if k not in ("timestamp", "originator_topic")},
                "entry": record.version, "closed": None}
        elif record.name == "RoundClosed":
            self.rounds[data["round"]]["closed"] = data["on"]
        elif record.name == "Ward.HandedOut" and data.get("round"):
            goods = {item: -delta for _, item, delta in data["moves"]}
            cash = data["cash"].get("given", 0) + data["cash"].get("packed", 0)
            self.handouts[record.version] = (data["round"], data["recipient"], goods, cash)
        elif record.name == "Ward.Reversed":
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
            drive.register.apply(record.name, record.data)
            drive.log.apply(record)
        return drive

    def round(self, code: str) -> dict[str, Any]:
        if code not in self.log.rounds:
            close = nearest(code, self.log.rounds)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            raise BadInput(f"unknown round '{code}'{hint} (open one with `aid round open`)")
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


def plan(drive: Drive, round_code: str) -> dict[str, Any]:
    """The round's plan: allocations (each household's share of the round), figures, notes."""
    rules = drive.round(round_code)
    goods = rules["bundles"] + rules["items"]
    eligible = drive.register.eligible(rules["groups"], rules["tiers"])
    received = drive.received(round_code)
    people = {code: drive.register.households[code] for code in {*eligible, *received}}
    order = _tie_order(round_code, people, drive.earlier(round_code))
    stock = {item: _available(drive, rules, item) for item in goods}
    rows = []
    for item in goods:
        claimants = [_claimant(rules, item, h, code in eligible, received[code][item], order)
                     for code, h in people.items()]
        shares = allocate(stock[item], claimants)
        rows += [{"recipient": c.code, "tier": people[c.code]["tier"],
                  "size": people[c.code]["size"], "item": item, "target": c.target,
                  "quantity": shares[c.code], "handed": c.held, "eligible": c.code in eligible}
                 for c in claimants]
    places = {code: sort_key(code) for code in people}
    rows.sort(key=lambda r: (places[r["recipient"]], goods.index(r["item"])))
    allocations = [{k: v for k, v in r.items() if k != "eligible"} for r in rows if r["quantity"]]
    return {
        "round": round_code, "location": rules["location"], "on": rules["on"],
        "policy": rules["policy"], "closed": rules["closed"], "plan": digest(round_code,
                                                                             allocations),
        "allocations": allocations,
        "figures": (counted := figures(drive, rules, goods, rows, stock)),
        "notes": notes(rules, eligible, counted["items"]),
    }


def digest(round_code: str, allocations: list[dict[str, Any]]) -> str:
    """sha256 of the canonical JSON of who gets what in the round: the plan's identity."""
    shares = [[a["recipient"], a["item"], a["quantity"]] for a in allocations]
    text = json.dumps({"round": round_code, "allocations": shares}, ensure_ascii=False,
                      separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def handouts(result: dict[str, Any], bundles: list[str]) -> Plan:
    """What is still to be handed out under a plan, per household, for `ledger.rounds`."""
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
    def key(code: str) -> tuple[Fraction, bytes]:
        seed = hashlib.sha256(f"{round_code}\t{code}".encode()).digest()
        return Fraction(earlier.get(code, 0), people[code]["size"]), seed

    return {code: place for place, code in enumerate(sorted(people, key=key))}


def _available(drive: Drive, rules: dict[str, Any], item: str) -> int:
    """Units at the round's location that can leave on its date without overdrawing later."""
    book = drive.books.state["bins"].get(rules["location"], {}).get(item, {})
    return max(daybook.lowest_from(book, rules["on"]), 0)


def _claimant(rules: dict[str, Any], item: str, household: dict[str, Any], eligible: bool,
              held: int, order: dict[str, int]) -> Claimant:
    """A household's claim on `item`; one no longer eligible keeps what it got, no more."""
    bundle = item in rules["bundles"]
    goal = target(rules["policy"], bundle, household["size"], rules["cap"],
                  rules["persons_per_bundle"], rules["rations"].get(item, 0))
    rank = household["tier"] if rules["policy"] == "tiered" else 0
    return Claimant(household["code"], rank, goal if eligible else held, held,
                    order[household["code"]])


def figures(drive: Drive, rules: dict[str, Any], goods: list[str], rows: list[dict[str, Any]],
            stock: dict[str, int]) -> dict[str, Any]:
    """The fairness figures published with every plan (integers and exact fractions)."""
    mine = [r for r in rows if r["eligible"]]
    per_home: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in mine:
        per_home[r["recipient"]].append(r)
    items = {}
    for item in goods:
        these = [r for r in rows if r["item"] == item]
        to_hand = sum(r["quantity"] - r["handed"] for r in these)
        items[item] = {"stock": stock[item], "handed": sum(r["handed"] for r in these),
                       "to_hand": to_hand, "left": stock[item] - to_hand,
                       "targets": sum(r["target"] for r in these if r["eligible"]),
                       "min_fill": _ratio(_min_fill([r for r in these if r["eligible"]]))}
    worth = [Fraction(sum(r["quantity"] * drive.value(r["item"]) for r in got), got[0]["size"])
             for got in per_home.values()]
    index = gini(worth)
    return {
        "eligible": len(per_home),
        "served": sum(1 for got in per_home.values() if any(r["quantity"] for r in got)),
        "gini": None if index is None else _decimal(index),
        "left": {item: items[item]["left"] for item in goods},
        "items": items,
        "tiers": _tiers(drive, rules, per_home),
        "lower_tier_while_unmet": sum(_lower_while_unmet([r for r in mine if r["item"] == item])
                                      for item in goods),
        "min_fill": _ratio(_min_fill(mine)),
    }


def _tiers(drive: Drive, rules: dict[str, Any],
           per_home: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Per tier: households fully met, partly met, given nothing, and excluded from the round."""
    excluded = drive.register.excluded(rules["groups"], rules["tiers"])
    tiers = {}
    for tier, label in sorted(drive.register.labels.items()):
        homes = [got for got in per_home.values() if got[0]["tier"] == tier]
        full = sum(1 for got in homes if sum(r["target"] for r in got) > 0
                   and all(r["quantity"] == r["target"] for r in got))
        nothing = sum(1 for got in homes if not any(r["quantity"] for r in got))
        tiers[str(tier)] = {"label": label, "eligible": len(homes), "full": full,
                            "partial": len(homes) - full - nothing, "nothing": nothing,
                            "excluded": sum(1 for h in excluded if h["tier"] == tier)}
    return tiers


def _lower_while_unmet(rows: list[dict[str, Any]]) -> int:
    """Units of one item given to a tier below the most urgent tier left short of target."""
    short = [r["tier"] for r in rows if r["quantity"] < r["target"]]
    if not short:
        return 0
    return sum(r["quantity"] for r in rows if r["tier"] > min(short))


def _min_fill(rows: list[dict[str, Any]]) -> Fraction | None:
    fills = [Fraction(r["quantity"], r["target"]) for r in rows if r["target"]]
    return min(fills) if fills else None


def _ratio(value: Fraction | None) -> str | None:
    return None if value is None else _decimal(value)


def _decimal(value: Fraction, places: int = 4) -> str:
    """A fraction as a decimal string, rounded half up, for display and JSON (never a float)."""
    scale = 10**places
    scaled = (value.numerator * scale * 2 + value.denominator) // (2 * value.denominator)
    return f"{scaled // scale}.{scaled % scale:0{places}d}"


def notes(rules: dict[str, Any], eligible: dict[str, Any],
          items: dict[str, dict[str, Any]]) -> list[str]:
    """Plain words for the edge cases, so an empty plan never looks like a bug."""
    said = []
    if not eligible:
        said.append("no eligible household: check the round's --group/--tier filters, the "
                    "register (`aid recipient list`) and exclusions")
    if rules["cap"] == 0:
        said.append("--cap is 0: every target is 0, so nothing is allocated")
    for item, counted in items.items():
        if counted["stock"] == 0 and counted["handed"] == 0:
            said.append(f"no {item} available at {rules['location']} on {rules['on']}: "
                        f"nothing of it to allocate")
    if rules["closed"]:
        said.append(f"round {rules['round']} was closed on {rules['closed']}: "
                    "nothing more will be handed out")
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
    """The signed receipt list (danh sách ký nhận): households by group and name, with names."""
    result = plan(drive, round_code)
    rules = drive.round(round_code)
    goods = rules["bundles"] + rules["items"]
    lines: dict[str, dict[str, Any]] = {}
    for a in result["allocations"]:
        h = drive.register.households[a["recipient"]]
        line = lines.setdefault(a["recipient"], {
            "code": h["code"], "name": h["name"], "group": h["group"], "size": h["size"],
            "goods": {}, "handed": True})
        line["goods"][a["item"]] = a["quantity"]
        line["handed"] = line["handed"] and a["handed"] >= a["quantity"]
    ordered = sorted(lines.values(), key=lambda line: (
        sort_key(line["group"]), sort_key(line["name"]), sort_key(line["code"])))
    return {"ward": drive.books.state["ward"], "round": round_code,
            "location": result["location"], "on": result["on"], "plan": result["plan"],
            "goods": [{"code": g, "name": drive.books.describe(g)[0],
                       "unit": drive.books.describe(g)[1]} for g in goods],
            "lines": ordered}
