"""What needs attention before the next round: lots expiring soon, items below their minimum,
locations not counted for a while. Plain answers over the books, as of any date."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ledger.phrases import N_, Phrase
from projections.books import Books

EXPIRING_DAYS = 7  # lots expiring within a week are an alert
STALE_COUNT_DAYS = 14


def expiring(books: Books, on: str, within: int, at: str | None = None) -> list[dict[str, Any]]:
    """Dated lots with stock that expire on or before `on` + `within` days (expired ones
    included, with negative days left), earliest first, per location."""
    until = (date.fromisoformat(on) + timedelta(days=within)).isoformat()
    rows = [dict(lot, days=(date.fromisoformat(lot["expires"]) - date.fromisoformat(on)).days)
            for lot in books.lots(at=at, as_of=on)
            if lot["expires"] is not None and lot["expires"] <= until]
    return sorted(rows, key=lambda row: (row["location"], row["expires"], row["item"]))


def last_counted(books: Books, location: str, on: str) -> tuple[str, bool] | None:
    """(day, True) for the last count at `location` on or before `on`; never counted by
    then: (the first day it held stock, False), since its books went unchecked from there."""
    counted = [day for day in books.state["counted"].get(location, []) if day <= on]
    if counted:
        return counted[-1], True
    days = [day for book in books.state["bins"].get(location, {}).values() for day in book
            if day <= on]
    return (min(days), False) if days else None


def alerts(books: Books, on: str, stale_days: int = STALE_COUNT_DAYS,
           within: int = EXPIRING_DAYS) -> list[dict[str, Any]]:
    """Every alert as of `on`: `low` (free stock below the minimum), `expiring` (a lot
    expiring within `within` days, or expired and still held) and `stale` (a location holding
    stock not counted for more than `stale_days` days)."""
    found = []
    for row in books.planned(as_of=on):
        if row["low"]:
            found.append(_alert("low", row["location"], row["item"], Phrase(
                N_("{free:,} {unit} free, minimum {minimum:,}"), free=row["free"], unit=row["unit"],
                minimum=row["minimum"])))
    for lot in expiring(books, on, within):
        said = (N_("{quantity:,} {unit} expired on {expires}") if lot["days"] < 0 else
                N_("{quantity:,} {unit} expire on {expires}"))
        found.append(_alert("expiring", lot["location"], lot["item"], Phrase(
            said, quantity=lot["quantity"], unit=lot["unit"], expires=lot["expires"])))
    return found + _stale(books, on, stale_days)


def _stale(books: Books, on: str, stale_days: int) -> list[dict[str, Any]]:
    """Locations holding stock whose last count is more than `stale_days` days old."""
    found = []
    for location in sorted(books.state["locations"]):
        since = last_counted(books, location, on) if books.stock(location, on) else None
        if since is None:
            continue
        day, counted = since
        days = (date.fromisoformat(on) - date.fromisoformat(day)).days
        if days > stale_days:
            said = (N_("last counted on {day}, {days:,} days ago") if counted else
                    N_("never counted; holds stock since {day}, {days:,} days ago"))
            found.append(_alert("stale", location, None, Phrase(said, day=day, days=days)))
    return found


def _alert(kind: str, location: str, item: str | None, problem: Phrase) -> dict[str, Any]:
    return {"kind": kind, "location": location, "item": item, "problem": problem}
