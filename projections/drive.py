"""The drive at a glance: the figures behind the charts a committee looks at.

Three series, each a pure integer function of the ward's ordered events for business dates
start..end (inclusive), with reversed entries and their reversals left out as in the statement:

- stock of each item and bundle over time, all locations together (what `aid stock --as-of`
  says, summed), one point per day the total changed;
- received vs handed out by ISO week, in đồng: cash plus goods at their declared value (a
  bundle at its recipe's value; its cash is already in the cash handed out);
- coverage: households served (at least one hand-out in the period) out of those declared, by
  group and by priority tier.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from ledger import daybook
from ledger.text import sort_key

from .audit_check import WardEvent
from .books import Books
from .statement import facts_by_kind


def drive(events: Iterable[WardEvent], start: str | None = None,
          end: str | None = None) -> dict[str, Any]:
    """Every chart's data, JSON-plain: codes, integers and ISO dates."""
    books, by_kind = facts_by_kind(events, start, end)
    days = sorted({e.data["on"] for kind in by_kind.values() for e in kind})
    first = start or (days[0] if days else None)
    last = end or (days[-1] if days else None)
    return {"ward": books.state["ward"], "from": first, "to": last,
            "stock": stock_lines(books, first, last),
            "weeks": weekly(books, by_kind["donate"], by_kind["give"], first, last),
            "coverage": coverage(books, by_kind["give"])}


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


def weekly(books: Books, donations: list[WardEvent], gifts: list[WardEvent],
           first: str | None, last: str | None) -> list[dict[str, Any]]:
    """Received and handed out per ISO week, đồng; every week from first to last, even empty."""
    if first is None or last is None:
        return []
    weeks: dict[str, dict[str, Any]] = {}
    monday = _monday(first)
    while monday <= _monday(last):
        year, week, _ = monday.isocalendar()
        weeks[monday.isoformat()] = {"week": f"{year}-W{week:02d}", "monday": monday.isoformat(),
                                     "received": 0, "handed_out": 0, "handouts": 0}
        monday += timedelta(days=7)
    for event in donations:
        row = weeks[_monday(event.data["on"]).isoformat()]
        row["received"] += event.data["cash"].get("received", 0) + sum(
            value(books, item, delta) for _, item, delta in event.data["moves"])
    for event in gifts:
        row = weeks[_monday(event.data["on"]).isoformat()]
        row["handouts"] += 1
        row["handed_out"] += event.data["cash"].get("given", 0) + sum(
            value(books, item, -delta) for _, item, delta in event.data["moves"] if delta < 0)
    return list(weeks.values())


def _monday(iso: str) -> date:
    day = date.fromisoformat(iso)
    return day - timedelta(days=day.weekday())


def coverage(books: Books, gifts: list[WardEvent]) -> dict[str, list[dict[str, Any]]]:
    """Households served / declared, by group (Vietnamese order) and by tier (0 first)."""
    served = {event.data["recipient"] for event in gifts}
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
