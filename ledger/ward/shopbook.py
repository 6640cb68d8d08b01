"""The 0 đồng shops' book as plain data: prices by date, and each voucher with its pick-ups.

The ward keeps this book to check pick-ups; the read side folds the same events into the same
book with the same functions, so a report can never disagree with the rule that refused a
pick-up. Pick-ups are kept by entry id and skipped when that entry was reversed (the ward's
`reversed` map), so reversing a mistaken pick-up gives the voucher its value back.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import date
from typing import Any

Book = dict[str, Any]
Voucher = dict[str, Any]
TERMS = ("code", "recipient", "shop", "value", "max_items", "every", "valid_from", "valid_to",
         "slot")
LIVE = ("live", "not yet valid")  # statuses in which a voucher still counts as held


def empty() -> Book:
    return {"prices": {}, "vouchers": {}, "held": {}}


def apply(book: Book, kind: str, data: dict[str, Any], entry: int) -> None:
    """Fold one shop event ("price", "voucher", "pickup" or "cancel") into the book."""
    if kind == "price":
        shop = book["prices"].setdefault(data["shop"], {})
        for item, price in data["prices"].items():
            shop.setdefault(item, {})[data["on"]] = price
    elif kind == "voucher":
        voucher = {key: data[key] for key in TERMS}
        voucher.update(issued=data["on"], entry=entry, cancelled=None, pickups={})
        book["vouchers"][data["code"]] = voucher
        book["held"].setdefault(holder(data["shop"], data["recipient"]), []).append(data["code"])
    elif kind == "pickup":
        items = -sum(delta for _, _, delta in data["moves"])
        book["vouchers"][data["voucher"]]["pickups"][str(entry)] = [data["on"], data["value"], items]
    elif kind == "cancel":
        book["vouchers"][data["code"]]["cancelled"] = {"on": data["on"], "reason": data["reason"],
                                                       "entry": entry}


def holder(shop: str, recipient: str) -> str:
    return f"{shop}\t{recipient}"


def price(book: Book, shop: str, item: str, on: str, default: int | None) -> int | None:
    """The item's price at the shop on a date: the latest price set on or before it, else
    `default` (the item's declared value)."""
    dated = book["prices"].get(shop, {}).get(item, {})
    days = [day for day in dated if day <= on]
    return dated[max(days)] if days else default


def visits(voucher: Voucher, reversed: Container[str],
           as_of: str | None = None) -> list[tuple[int, str, int, int]]:
    """(entry, date, value, items) of the pick-ups that stand, in date order."""
    found = [(int(entry), on, value, items)
             for entry, (on, value, items) in voucher["pickups"].items()
             if entry not in reversed and (as_of is None or on <= as_of)]
    return sorted(found, key=lambda visit: (visit[1], visit[0]))


def used(voucher: Voucher, reversed: Container[str], as_of: str | None = None) -> int:
    """Value taken with the voucher, in đồng."""
    return sum(visit[2] for visit in visits(voucher, reversed, as_of))


def cancelled(voucher: Voucher, on: str) -> bool:
    return voucher["cancelled"] is not None and voucher["cancelled"]["on"] <= on


def status(voucher: Voucher, on: str, reversed: Container[str]) -> str:
    """cancelled, used up, expired, not yet valid or live, as of the end of `on`."""
    if cancelled(voucher, on):
        return "cancelled"
    if used(voucher, reversed, on) >= voucher["value"]:
        return "used up"
    if voucher["valid_to"] is not None and on > voucher["valid_to"]:
        return "expired"
    if on < voucher["valid_from"]:
        return "not yet valid"
    return "live"


def held(book: Book, shop: str, recipient: str, on: str, reversed: Container[str]) -> str | None:
    """The code of a voucher the household still holds for the shop on `on`, if any."""
    for code in book["held"].get(holder(shop, recipient), []):
        if status(book["vouchers"][code], on, reversed) in LIVE:
            return code
    return None


def days_between(first: str, second: str) -> int:
    return abs((date.fromisoformat(second) - date.fromisoformat(first)).days)
