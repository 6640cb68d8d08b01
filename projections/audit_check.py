"""`aid audit check`: every ledger rule, re-checked over the whole stored history.

The write side refuses bad facts; this replays what is actually stored (an auditor trusts the
file, not the program that wrote it) and lists every failure, like `hledger check`: entries
missing or out of order, no actor, bad dates, unknown codes, movements that do not balance or
do not match their kind, reversals of reversals and double reversals, counts that differ from
the books without a variance reason, and stock or cash that is negative on some date.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any, NamedTuple

from ledger import daybook
from ledger.cashbook import CATEGORIES, fund_change
from ledger.chain import originator_text
from ledger.ward import WARD_ID

from .books import KINDS, Books

WARD = WARD_ID.hex
DECLARATIONS = {"item": "items", "location": "locations", "donor": "donors",
                "recipient": "recipients", "bundle": "bundles"}


class WardEvent(NamedTuple):
    position: int
    entry: int
    name: str
    data: dict[str, Any]


def ward_events(rows: Iterable[tuple[int, Any, int, str, bytes]]) -> Iterator[WardEvent | str]:
    """The ward's own events from stored rows; an undecodable row yields a failure message."""
    for position, originator, version, topic, state in rows:
        if originator_text(originator) != WARD:
            continue
        try:
            data = json.loads(state)
        except ValueError:
            yield f"position {position}: entry {version} is not readable JSON"
            continue
        yield WardEvent(position, version, topic.rpartition(":")[2], data)


def is_fact(data: dict[str, Any]) -> bool:
    return "moves" in data and "cash" in data


class Checker:
    """Replays the ward's events in order against the books as they stood, noting failures."""

    def __init__(self) -> None:
        self.books = Books()
        self.failures: list[dict[str, Any]] = []
        self.facts: dict[int, tuple[str, dict[str, Any]]] = {}  # entry -> (kind, data)
        self.reversed_by: dict[int, int] = {}
        self.receipts: dict[str, int] = {}
        self.next_entry = 1
        self.entries = 0

    def fail(self, event: WardEvent | None, rule: str, problem: str) -> None:
        self.failures.append({
            "entry": event.entry if event else None,
            "position": event.position if event else None,
            "on": event.data.get("on") if event else None,
            "rule": rule, "problem": problem})

    def run(self, events: Iterable[WardEvent | str]) -> list[dict[str, Any]]:
        for event in events:
            if isinstance(event, str):
                self.fail(None, "readable", event)
                continue
            self.entries += 1
            self.visit(event)
        self.negative_balances()
        return self.failures

    def visit(self, event: WardEvent) -> None:
        self._order(event)
        data, kind = event.data, KINDS.get(event.name)
        if not str(data.get("actor") or "").strip():
            self.fail(event, "actor", f"entry {event.entry} does not say who recorded it")
        if not _is_date(data.get("on")):
            self.fail(event, "date", f"entry {event.entry} has no valid business date "
                                     f"({data.get('on')!r})")
            return
        if is_fact(data):
            if kind is None:
                self.fail(event, "kind", f"entry {event.entry} is a fact of unknown kind "
                                         f"{event.name}: stock and cash reports ignore it")
                return
            if not self._shape(event):
                return
            self.fact(event, kind)
            self.facts[event.entry] = (kind, data)
        elif kind in DECLARATIONS:
            self.declaration(event, kind)
        try:
            self.books.apply(event.name, data)
        except (KeyError, TypeError, ValueError) as error:
            self.fail(event, "readable", f"entry {event.entry} lacks a field its kind needs "
                                         f"({error})")

    def _order(self, event: WardEvent) -> None:
        if event.entry > self.next_entry:
            missing = range(self.next_entry, event.entry)
            self.fail(event, "entries", f"entr{'ies' if len(missing) > 1 else 'y'} "
                      f"{_span(missing)} missing before entry {event.entry} (deleted?)")
        elif event.entry < self.next_entry:
            self.fail(event, "entries", f"entry {event.entry} is stored out of order, after "
                      f"entry {self.next_entry - 1}")
        self.next_entry = max(self.next_entry, event.entry + 1)

    def declaration(self, event: WardEvent, kind: str) -> None:
        code = event.data.get("code")
        known = self.books.state[DECLARATIONS[kind]]
        goods = {**self.books.state["items"], **self.books.state["bundles"]}
        if code in known or (kind in ("item", "bundle") and code in goods):
            self.fail(event, "declaration", f"entry {event.entry} declares {kind} {code} again")
        if kind == "bundle":
            for item in event.data.get("recipe", {}):
                self._known(event, item, self.books.state["items"], "item")

    # ---- facts ------------------------------------------------------------------------------

    def _shape(self, event: WardEvent) -> bool:
        moves, cash = event.data["moves"], event.data["cash"]
        good = isinstance(moves, list) and all(
            isinstance(m, list) and len(m) == 3 and isinstance(m[0], str)
            and isinstance(m[1], str) and _whole(m[2]) for m in moves)
        good = good and isinstance(cash, dict) and all(
            k in CATEGORIES and _whole(v) for k, v in cash.items())
        if not good:
            self.fail(event, "balance", f"entry {event.entry} has malformed moves or cash: "
                                        f"{moves!r} {cash!r}")
        return good

    def fact(self, event: WardEvent, kind: str) -> None:
        data, s = event.data, self.books.state
        for location, item, _ in data["moves"]:
            self._known(event, location, s["locations"], "location")
            self._known(event, item, {**s["items"], **s["bundles"]}, "item")
        check = getattr(self, f"_{kind}", None)
        if check is not None:
            check(event, data)

    def _known(self, event: WardEvent, code: Any, known: dict[str, Any], what: str) -> bool:
        if code in known:
            return True
        self.fail(event, "code", f"entry {event.entry} names {what} {code!r}, never declared "
                                 "before it")
        return False

    def _expect(self, event: WardEvent, moves: list[list[Any]], cash: dict[str, int],
                what: str) -> None:
        """The entry's moves and cash must be exactly what its kind and details imply."""
        differences = _differences(_net(moves), _net(event.data["moves"]), " ".join)
        differences += _differences(_cash(cash), _cash(event.data["cash"]), "cash {}".format)
        if differences:
            self.fail(event, "balance", f"entry {event.entry} does not balance as {what}: "
                      + "; ".join(differences))

    def _inflow(self, event: WardEvent, data: dict[str, Any], category: str, what: str) -> None:
        goods = [m for m in data["moves"] if m[0] == data.get("location") and m[2] > 0]
        self._expect(event, goods, {category: max(data["cash"].get(category, 0), 0)}, what)

    def _donate(self, event: WardEvent, data: dict[str, Any]) -> None:
        self._known(event, data.get("donor"), self.books.state["donors"], "donor")
        self._inflow(event, data, "received", "a donation into " + str(data.get("location")))
        receipt = data.get("receipt")
        if receipt:
            if receipt in self.receipts:
                self.fail(event, "receipt", f"entry {event.entry} uses receipt {receipt}, "
                          f"already used by entry {self.receipts[receipt]}")
            self.receipts.setdefault(receipt, event.entry)

    def _buy(self, event: WardEvent, data: dict[str, Any]) -> None:
        self._inflow(event, data, "spent", "a purchase into " + str(data.get("location")))

    def _pack(self, event: WardEvent, data: dict[str, Any], sign: int = 1) -> None:
        bundle = self.books.state["bundles"].get(data.get("bundle"))
        count, location = data.get("count"), data.get("location")
        if bundle is None or not _whole(count) or count <= 0:
            self.fail(event, "balance", f"entry {event.entry} packs {count!r} of unknown or "
                                        f"undeclared bundle {data.get('bundle')!r}")
            return
        moves = [[location, item, -sign * qty * count] for item, qty in bundle["recipe"].items()]
        moves.append([location, data["bundle"], sign * count])
        verb = "packing" if sign > 0 else "unpacking"
        self._expect(event, moves, {"packed": sign * bundle["cash"] * count},
                     f"{verb} {count} × {data['bundle']}")

    def _unpack(self, event: WardEvent, data: dict[str, Any]) -> None:
        self._pack(event, data, sign=-1)

    def _give(self, event: WardEvent, data: dict[str, Any]) -> None:
        self._known(event, data.get("recipient"), self.books.state["recipients"], "recipient")
        bundles = self.books.state["bundles"]
        moves = [m for m in data["moves"] if m[0] == data.get("location") and m[2] < 0]
        bundle_cash = sum(-m[2] * bundles[m[1]]["cash"] for m in moves if m[1] in bundles)
        direct = data["cash"].get("given", 0) - bundle_cash
        self._expect(event, moves, {"given": max(direct, 0) + bundle_cash,
                                    "packed": -bundle_cash},
                     f"a hand-out from {data.get('location')}")

    def _transfer(self, event: WardEvent, data: dict[str, Any]) -> None:
        source, target = data.get("source"), data.get("target")
        out = [m for m in data["moves"] if m[0] == source and m[2] < 0 and source != target]
        self._expect(event, out + [[target, item, -qty] for _, item, qty in out], {},
                     f"a transfer {source} → {target}")

    def _adjust(self, event: WardEvent, data: dict[str, Any]) -> None:
        if not str(data.get("reason") or "").strip():
            self.fail(event, "reason", f"entry {event.entry} adjusts stock without a reason")
        moves = [m for m in data["moves"]
                 if m[0] == data.get("location") and m[1] in self.books.state["items"]]
        self._expect(event, moves, {}, f"an adjustment at {data.get('location')}")

    def _count(self, event: WardEvent, data: dict[str, Any]) -> None:
        location, on = data.get("location"), data["on"]
        counted = data.get("counted") or {}
        implied = []
        for item, qty in counted.items():
            difference = qty - self.books.quantity(location, item, on)
            if difference:
                implied.append([location, item, difference])
                if not str(data.get("variance_reason") or "").strip():
                    self.fail(event, "count", f"entry {event.entry} counts {qty} {item} at "
                              f"{location} on {on}, the books then said {qty - difference}, "
                              "and no variance reason is given")
        self._expect(event, implied, {}, f"the count at {location}")

    def _reverse(self, event: WardEvent, data: dict[str, Any]) -> None:
        target = data.get("entry")
        original = self.facts.get(target)
        if original is None:
            self.fail(event, "reversal", f"entry {event.entry} reverses entry {target}, which "
                                         "is not an earlier fact")
            return
        kind, before = original
        if kind == "reverse":
            self.fail(event, "reversal", f"entry {event.entry} reverses entry {target}, itself "
                                         "a reversal")
        if target in self.reversed_by:
            self.fail(event, "reversal", f"entry {event.entry} reverses entry {target} again "
                      f"(already reversed by entry {self.reversed_by[target]})")
        self.reversed_by.setdefault(target, event.entry)
        if data["on"] != before["on"]:
            self.fail(event, "reversal", f"entry {event.entry} reverses entry {target} dated "
                      f"{before['on']} but is dated {data['on']}")
        self._expect(event, [[loc, item, -q] for loc, item, q in before["moves"]],
                     {k: -v for k, v in before["cash"].items()}, f"reversing entry {target}")

    # ---- balances over time -----------------------------------------------------------------

    def negative_balances(self) -> None:
        """Stock per bin and the fund must not be negative at the end of any day."""
        for location, items in sorted(self.books.state["bins"].items()):
            for item, book in sorted(items.items()):
                self._never_negative(book, f"{item} at {location}")
        cash = self.books.state["cash"]
        fund: dict[str, int] = defaultdict(int)
        for category in CATEGORIES:
            for day, delta in cash[category].items():
                fund[day] += fund_change({category: delta})
        self._never_negative(dict(fund), "the ward fund (đồng)")

    def _never_negative(self, book: daybook.DayBook, what: str) -> None:
        running, first, lowest = 0, None, 0
        for day in sorted(book):
            running += book[day]
            if running < 0 and first is None:
                first = day
            lowest = min(lowest, running)
        if first is not None:
            self.failures.append({"entry": None, "position": None, "on": first,
                                  "rule": "negative",
                                  "problem": f"{what} is negative from {first} (lowest {lowest:,})"})


def check(events: Iterable[WardEvent | str]) -> tuple[int, list[dict[str, Any]]]:
    """(entries checked, failures) over the ward's whole history."""
    checker = Checker()
    failures = checker.run(events)
    return checker.entries, failures


def _is_date(value: Any) -> bool:
    try:
        return isinstance(value, str) and date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _net(moves: list[list[Any]]) -> dict[tuple[str, str], int]:
    net: Counter[tuple[str, str]] = Counter()
    for location, item, delta in moves:
        net[(location, item)] += delta
    return {key: value for key, value in net.items() if value}


def _cash(cash: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in sorted(cash.items()) if v}


def _differences(implied: dict[Any, int], recorded: dict[Any, int], label: Any) -> list[str]:
    return [f"{label(key)} records {recorded.get(key, 0):+,}, should be {implied.get(key, 0):+,}"
            for key in sorted(set(implied) | set(recorded), key=str)
            if implied.get(key, 0) != recorded.get(key, 0)]


def _span(numbers: range) -> str:
    return str(numbers[0]) if len(numbers) == 1 else f"{numbers[0]}–{numbers[-1]}"
