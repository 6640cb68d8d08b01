"""0 đồng shops on the read side: vouchers, pick-ups and the shop report, by business date.

The vouchers are folded with the same `ledger.ward.shopbook` functions the ward uses to refuse a
pick-up, so "left on the voucher" here is exactly what the next pick-up will be checked against.
Recipients appear by code only.

Households marked excluded: the rounds feature records exclusions as events whose names end in
names.EXCLUDED / names.INCLUDED (with a `recipient` or `code` field); a
`RecipientDeclared` with `excluded: true` counts too. Without such events nobody is excluded.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ledger.errors import BadInput
from ledger.store.access import Record
from ledger.values import dates
from ledger.values.text import clean, sort_key
from ledger.ward import names, shopbook
from projections.books import Books
from projections.households.register import Register

KIND = {names.SHOP_PRICED: "price", names.VOUCHER_ISSUED: "voucher", names.PICKED_UP: "pickup",
        names.VOUCHER_CANCELLED: "cancel"}
STATUSES = ("live", "not yet valid", "used up", "expired", "cancelled")


class Shops:
    """Every voucher with its pick-ups, and which households are excluded."""

    def __init__(self) -> None:
        self.book = shopbook.empty()
        self.reversed: dict[str, int] = {}
        self.pickups: list[dict[str, Any]] = []
        self.excluded: dict[str, bool] = {}  # plain data, like the rest, for a stored read model
        self.forgotten: dict[str, int] = {}  # code -> the entry that forgot it: gone for good

    def apply(self, record: Record) -> None:
        name, data = record.name, record.data
        kind = KIND.get(name)
        if kind is not None:
            shopbook.apply(self.book, kind, data, record.version)
            if kind == "pickup":
                self.pickups.append({
                    "entry": record.version, "on": data["on"], "voucher": data["voucher"],
                    "recipient": data["recipient"], "shop": data["shop"],
                    "items": {item: -delta for _, item, delta in data["moves"]},
                    "value": data["value"]})
        elif name == names.REVERSED:
            self.reversed[str(data["entry"])] = record.version
        elif name == names.RECIPIENT_DECLARED and data.get("excluded"):
            self.excluded[data["code"]] = True
        elif name.endswith(names.EXCLUDED):
            self.excluded[data.get("recipient") or data["code"]] = True
        elif name == names.FORGOTTEN:
            self.forgotten[data["code"]] = record.version
        elif name.endswith(names.INCLUDED):
            self.excluded.pop(data.get("recipient") or data["code"], None)

    # ---- vouchers -----------------------------------------------------------------------

    def find(self, code: str) -> dict[str, Any] | None:
        return self.book["vouchers"].get(code)

    def row(self, code: str, as_of: str | None = None) -> dict[str, Any]:
        """One voucher's terms, use and status as of a date (default today)."""
        card = self.book["vouchers"][code]
        day = as_of or dates.today().isoformat()
        visits = shopbook.visits(card, self.reversed, as_of)
        used = sum(visit[2] for visit in visits)
        return {
            "code": code, "recipient": card["recipient"], "shop": card["shop"],
            "value": card["value"], "used": used, "left": card["value"] - used,
            "visits": len(visits), "last_visit": visits[-1][1] if visits else None,
            "max_items": card["max_items"], "every": card["every"],
            "valid_from": card["valid_from"], "valid_to": card["valid_to"], "slot": card["slot"],
            "issued": card["issued"], "entry": card["entry"],
            "status": shopbook.status(card, day, self.reversed),
            "cancelled": card["cancelled"]["reason"] if shopbook.cancelled(card, day) else None,
        }

    def detail(self, code: str, as_of: str | None = None) -> dict[str, Any]:
        """A voucher's row plus each pick-up that stands, with its items."""
        row = self.row(code, as_of)
        row["pickups"] = [p for p in self._standing(as_of) if p["voucher"] == code]
        return row

    def rows(self, shop: str | None = None, as_of: str | None = None) -> list[dict[str, Any]]:
        """Vouchers issued by `as_of`, sorted by code."""
        return [self.row(code, as_of) for code in sorted(self.book["vouchers"])
                if (shop is None or self.book["vouchers"][code]["shop"] == shop)
                and (as_of is None or self.book["vouchers"][code]["issued"] <= as_of)]

    def _standing(self, as_of: str | None) -> list[dict[str, Any]]:
        return [p for p in self.pickups if str(p["entry"]) not in self.reversed
                and (as_of is None or p["on"] <= as_of)]

    # ---- the shop report ----------------------------------------------------------------

    def report(self, books: Books, shop: str, as_of: str | None = None) -> dict[str, Any]:
        """Stock, pick-ups, vouchers used and unused, and value given, for one shop."""
        pickups = sorted((p for p in self._standing(as_of) if p["shop"] == shop),
                         key=lambda p: (p["on"], p["entry"]))  # as the days went, back-dated too
        vouchers = self.rows(shop, as_of)
        given: dict[str, int] = {}
        for p in pickups:
            for item, qty in p["items"].items():
                given[item] = given.get(item, 0) + qty
        by_status = {status: sum(1 for v in vouchers if v["status"] == status)
                     for status in STATUSES}
        return {
            "shop": shop, "name": books.state["locations"].get(shop, {}).get("name", shop),
            "as_of": as_of,
            "stock": books.stock(at=shop, as_of=as_of),
            "pickups": pickups,
            "given": [{"item": item, "name": books.describe(item)[0],
                       "unit": books.describe(item)[1], "quantity": given[item]}
                      for item in sorted(given)],
            "vouchers": {
                "issued": len(vouchers),
                "used": sum(1 for v in vouchers if v["visits"]),
                "unused": sum(1 for v in vouchers if not v["visits"]),
                **{status.replace(" ", "_"): n for status, n in by_status.items()},
                "value_issued": sum(v["value"] for v in vouchers),
                "value_left": sum(v["left"] for v in vouchers if v["status"] in shopbook.LIVE),
            },
            "value_given": sum(p["value"] for p in pickups),
        }


def replay(records: Iterable[Record]) -> tuple[Books, Shops]:
    """The books and the shops from one pass over the stored events."""
    books, shops = Books(), Shops()
    for record in records:
        books.apply(record.name, record.data)
        shops.apply(record)
    return books, shops


def eligible(register: Register, tiers: Iterable[int] = (),
             groups: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """Households in the given tiers and groups (all when none given) as they stand now — a
    household moved to another tier or group since it was declared counts where it is —
    split into those that may get a voucher and those excluded (or forgotten); both in
    Vietnamese order of their codes."""
    within = register.within([clean(g) for g in groups], list(tiers))
    may = register.eligible([clean(g) for g in groups], list(tiers))
    chosen = sorted((h["code"] for h in within), key=sort_key)
    return [c for c in chosen if c in may], [c for c in chosen if c not in may]


def require_shop(books: Any, shop: str) -> None:
    """Refuse a code that is not a 0 đồng shop, naming the shops there are."""
    if books.state["locations"].get(shop, {}).get("kind") != "shop":
        raise BadInput("'{shop}' is not a 0 đồng shop; shops: {shops}",
                       shop=shop, shops=', '.join(shop_codes(books)) or 'none')


def shop_report(books: Any, shops: Shops, shop: str, as_of: str | None) -> dict[str, Any]:
    """What `aid shop report --format json` prints (and the stock board's shop page serves):
    refuses a code that is not a 0 đồng shop, naming the shops there are."""
    require_shop(books, shop)
    found = shops.report(books, shop, as_of)
    for pick in found["pickups"]:
        pick["goods"] = ", ".join(f"{item} {qty:,}" for item, qty in pick["items"].items())
    return found


def shop_codes(books: Any) -> list[str]:
    """The declared 0 đồng shops, by code."""
    return sorted(c for c, loc in books.state["locations"].items() if loc["kind"] == "shop")
