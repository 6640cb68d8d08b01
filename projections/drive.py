"""The drive at a glance: the figures behind the charts a committee looks at.

Three series, each a pure integer function of the ward's ordered events for business dates
start..end (inclusive), with reversed entries and their reversals left out as in the statement:

- stock of each item and bundle over time, all locations together (what `aid stock --as-of`
  says, summed), one point per day the total changed;
- received vs handed out by ISO week, and by calendar month (the charts of a long drive), in
  đồng: cash plus goods at their declared value (a bundle at its recipe's value; its cash is
  already in the cash handed out);
- coverage: households served (at least one hand-out in the period) out of those declared, by
  group and by priority tier.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from ledger.values.text import sort_key
from ledger.ward import daybook
from projections.audit.statement import STANDARD
from projections.books import KINDS, Books
from projections.events import WardEvent, is_fact


def drive(events: Iterable[WardEvent], start: str | None = None, end: str | None = None,
          lookup: Callable[[int], tuple[str, dict[str, Any]] | None] | None = None,
          ) -> dict[str, Any]:
    """Every chart's data, JSON-plain: codes, integers and ISO dates.

    One pass with flat memory: each fact of the period is added to its week as it comes, and
    taken out again when a reversal names it. `lookup(entry)` reads that original again from
    the store (`projections.events.entry_reader`); without it the period's facts are kept in
    memory."""
    tally = _Tally(start, end, lookup)
    for event in events:
        tally.books.apply(event.name, event.data)
        if is_fact(event.data) and KINDS.get(event.name):
            tally.add(event)
    books = tally.books
    days = sorted(day for day, count in tally.days.items() if count)
    first = start or (days[0] if days else None)
    last = end or max((day for day in (days[-1] if days else None, start) if day), default=None)
    return {"ward": books.state["ward"], "from": first, "to": last,
            "stock": stock_lines(books, first, last),
            "weeks": weekly(tally.weeks, first, last),
            "months": monthly(tally.months, first, last),
            "coverage": coverage(books, {code for code, n in tally.served.items() if n})}


class _Tally:
    """Running sums of the period's facts per week, day and household, reversals undone."""

    def __init__(self, start: str | None, end: str | None,
                 lookup: Callable[[int], tuple[str, dict[str, Any]] | None] | None) -> None:
        self.books = Books()
        self.start, self.end, self.lookup = start, end, lookup
        self.kept: dict[int, tuple[str, dict[str, Any]]] = {}  # without a lookup
        self.annulled: set[int] = set()  # reversals and what they reversed: few
        self.seen = bytearray()  # with a lookup: entry -> 1 once added (a byte per entry)
        self.weeks: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        self.months: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        self.days: dict[str, int] = defaultdict(int)
        self.served: dict[str, int] = defaultdict(int)

    def add(self, event: WardEvent) -> None:
        kind = KINDS[event.name]
        if kind == "reverse":
            self.annulled.add(event.entry)
            target = event.data.get("entry")
            if target not in self.annulled:
                self.annulled.add(target)
                original = self._original(target)
                if original is not None:
                    self._count(*original, -1)
            return
        if event.entry in self.annulled:
            return
        if self.lookup is None:
            self.kept[event.entry] = (event.name, event.data)
        else:
            if event.entry >= len(self.seen):
                self.seen.extend(bytes(event.entry + 1 - len(self.seen)))
            self.seen[event.entry] = 1
        self._count(event.name, event.data, 1)

    def _original(self, entry: Any) -> tuple[str, dict[str, Any]] | None:
        if self.lookup is None:
            return self.kept.pop(entry, None)
        if type(entry) is not int or not 0 < entry < len(self.seen) or not self.seen[entry]:
            return None  # not a fact added before its reversal
        found = self.lookup(entry)
        if found is None or not is_fact(found[1]) or KINDS.get(found[0]) in (None, "reverse"):
            return None
        return found

    def _count(self, name: str, data: dict[str, Any], sign: int) -> None:
        """Add (sign 1) or take out (-1) one fact of the period."""
        on = data["on"]
        if (self.start is not None and on < self.start) or (self.end is not None and on > self.end):
            return
        kind = KINDS.get(name)
        if kind not in STANDARD and data.get("recipient"):
            kind = "give"  # a hand-out recorded by another feature (a voucher redeemed, say)
        self.days[on] += sign
        sums = (self.weeks[_monday(on).isoformat()], self.months[on[:7]])
        if kind == "donate":
            received = sign * (data["cash"].get("received", 0) + sum(
                value(self.books, item, delta) for _, item, delta in data["moves"]))
            for period in sums:
                period[0] += received
        elif kind == "give":
            handed = sign * (data["cash"].get("given", 0) + sum(
                value(self.books, item, -delta) for _, item, delta in data["moves"] if delta < 0))
            for period in sums:
                period[1] += handed
                period[2] += sign
            self.served[data["recipient"]] += sign


def stock_lines(books: Books, first: str | None, last: str | None) -> list[dict[str, Any]]:
    """Per item (then bundle) code: [[date, quantity], ...] from `first` to `last`, all
    locations summed; items that held nothing in the period are left out."""
    if first is None or last is None:
        return []
    merged: dict[str, dict[str, int]] = defaultdict(dict)
    for bins in books.state["bins"].values():
        for item, book in bins.items():
            for on, delta in book.items():
                daybook.post(merged[item], on, delta)
    state = books.state
    order = sorted(merged, key=lambda code: (code not in state["items"], code))
    lines = []
    for item in order:
        book = merged[item]
        opening = daybook.balance(book, _day_before(first))
        points = [[first, opening]]
        running = opening
        for on in sorted(d for d in book if first <= d <= last):
            running += book[on]
            if on == first:
                points[0][1] = running
            else:
                points.append([on, running])
        if points[-1][0] != last:
            points.append([last, running])
        if any(quantity for _, quantity in points):
            name, unit = books.describe(item)
            lines.append({"item": item, "name": name, "unit": unit, "points": points})
    return lines


def _day_before(iso: str) -> str:
    return (date.fromisoformat(iso) - timedelta(days=1)).isoformat()


def value(books: Books, item: str, quantity: int) -> int:
    """Goods at their declared value; a bundle at its recipe's (its cash is counted as cash)."""
    state = books.state
    if item in state["items"]:
        return quantity * (state["items"][item].get("value") or 0)
    recipe = state["bundles"].get(item, {}).get("recipe", {})
    return quantity * sum(value(books, part, n) for part, n in recipe.items())


def weekly(sums: dict[str, list[int]], first: str | None,
           last: str | None) -> list[dict[str, Any]]:
    """Received and handed out per ISO week, đồng; every week from first to last, even empty."""
    if first is None or last is None:
        return []
    weeks = []
    monday = _monday(first)
    while monday <= _monday(last):
        year, week, _ = monday.isocalendar()
        received, handed_out, handouts = sums.get(monday.isoformat(), (0, 0, 0))
        weeks.append({"week": f"{year}-W{week:02d}", "monday": monday.isoformat(),
                      "received": received, "handed_out": handed_out, "handouts": handouts})
        monday += timedelta(days=7)
    return weeks


def monthly(sums: dict[str, list[int]], first: str | None,
            last: str | None) -> list[dict[str, Any]]:
    """Received and handed out per calendar month ("2021-11"), đồng; every month from first to
    last, even empty."""
    if first is None or last is None:
        return []
    months = []
    year, month = int(first[:4]), int(first[5:7])
    while f"{year:04d}-{month:02d}" <= last[:7]:
        key = f"{year:04d}-{month:02d}"
        received, handed_out, handouts = sums.get(key, (0, 0, 0))
        months.append({"month": key, "received": received, "handed_out": handed_out,
                       "handouts": handouts})
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _monday(iso: str) -> date:
    day = date.fromisoformat(iso)
    return day - timedelta(days=day.weekday())


def coverage(books: Books, served: set[str]) -> dict[str, list[dict[str, Any]]]:
    """Households served / declared, by group (Vietnamese order) and by tier (0 first)."""
    recipients = books.state["recipients"]
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    tiers: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for code, recipient in recipients.items():
        for bucket in (groups[recipient.get("group") or "—"], tiers[recipient.get("tier", 3)]):
            bucket[0] += 1
            bucket[1] += code in served
    return {
        "groups": [{"group": g, "declared": n, "served": s}
                   for g, (n, s) in sorted(groups.items(), key=lambda kv: sort_key(kv[0]))],
        "tiers": [{"tier": t, "declared": n, "served": s} for t, (n, s) in sorted(tiers.items())],
    }
