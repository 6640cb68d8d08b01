"""The district's reports: each ward's own projections over its synced copy, then summed.

Nothing here has rules of its own: a ward's stock and cash are that ward's `Books`, its
hand-outs are the statement's `facts_by_kind` (reversals left out, voucher pick-ups counted as
hand-outs), its households the `Register`. The district adds them up, so its figures are by
construction the sum of what each ward's own `aid stock` and `aid cash` say.

Households are named by code only. Two wards' households are matched by code and by the keyed
pseudonym of an ID number (`id_pseudonym`, an HMAC the ward stores in clear when an ID number is
given), never by name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ledger.values.text import sort_key
from ledger.ward.cashbook import CATEGORIES
from projections.audit.statement import facts_by_kind
from projections.books import Books
from projections.events import WardEvent
from projections.register import Register

CASH_LINES = (*CATEGORIES, "balance")


@dataclass
class WardCopy:
    """One ward's synced events, decoded: its code in the district and its ward events."""

    code: str
    events: list[WardEvent]

    def books(self) -> Books:
        books = Books()
        for event in self.events:
            books.apply(event.name, event.data)
        return books


def stock(wards: Iterable[WardCopy], as_of: str | None = None) -> list[dict[str, Any]]:
    """Every ward's stock rows (as its own `aid stock` prints them), the ward code first."""
    return [{"ward": ward.code, **row} for ward in wards
            for row in ward.books().planned(as_of=as_of)]


def stock_total(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The district's stock per item and unit (wards may count one item in different units)."""
    totals: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        total = totals.setdefault((row["item"], row["unit"]), {
            "item": row["item"], "name": row["name"], "quantity": 0, "unit": row["unit"],
            "reserved": 0, "free": 0, "wards": set()})
        for figure in ("quantity", "reserved", "free"):
            total[figure] += row[figure]
        total["wards"].add(row["ward"])
    return [{**total, "wards": len(total["wards"])} for _, total in sorted(totals.items())]


def cash(wards: Iterable[WardCopy], as_of: str | None = None) -> dict[str, dict[str, int]]:
    """Each ward's cash book, by code, and the district's (their sum) under "total"."""
    books = {ward.code: ward.books().cash(as_of) for ward in wards}
    books["total"] = {line: sum(book[line] for book in books.values()) for line in CASH_LINES}
    return books


def served(ward: WardCopy, start: str | None, end: str | None) -> dict[str, list[str]]:
    """Households that received in the period (hand-outs and voucher pick-ups, reversed
    entries left out): code -> the business dates they received on."""
    _, by_kind = facts_by_kind(ward.events, start, end)
    dates: dict[str, list[str]] = defaultdict(list)
    for event in by_kind["give"]:
        dates[event.data["recipient"]].append(event.data["on"])
    return dates


def register(ward: WardCopy) -> Register:
    households = Register()
    for event in ward.events:
        households.apply(event.name, event.data)
    return households


def coverage(wards: Iterable[WardCopy], start: str | None = None,
             end: str | None = None) -> list[dict[str, Any]]:
    """Per ward, group and tier: households registered and households served in the period."""
    rows = []
    for ward in wards:
        got = served(ward, start, end)
        cells: dict[tuple[str, int], dict[str, int]] = {}
        for household in register(ward).households.values():
            cell = cells.setdefault((household["group"], household["tier"]),
                                    {"households": 0, "served": 0})
            cell["households"] += 1
            cell["served"] += household["code"] in got
        rows += [{"ward": ward.code, "group": group, "tier": tier, **cell}
                 for (group, tier), cell in sorted(cells.items(), key=_group_order)]
    return rows


def _group_order(item: tuple[tuple[str, int], Any]) -> tuple[Any, ...]:
    (group, tier), _ = item
    return sort_key(group), tier


def pseudonyms(ward: WardCopy) -> dict[str, str]:
    """Household code -> the keyed pseudonym of its ID number, where the ward recorded one
    (on whichever event carries `id_pseudonym` for a household); the latest wins."""
    found = {}
    for event in ward.events:
        pseudonym = event.data.get("id_pseudonym")
        household = event.data.get("recipient") or event.data.get("code")  # not a voucher's
        if pseudonym and household:
            found[household] = pseudonym
    return found


def duplicates(wards: Iterable[WardCopy], start: str | None = None,
               end: str | None = None) -> list[dict[str, Any]]:
    """Households served by two or more wards in the period, matched by the pseudonym of their
    ID number, and by household code; one row per match."""
    by_key: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(dict)
    for ward in wards:
        ids = pseudonyms(ward)
        for household, dates in served(ward, start, end).items():
            where = f"{ward.code}:{household}"
            by_key[("code", household)][where] = dates
            if household in ids:
                by_key[("id", ids[household])][where] = dates
    rows = []
    for (match, key), where in sorted(by_key.items()):
        wards_of = sorted({place.partition(":")[0] for place in where})
        if len(wards_of) < 2:
            continue
        dates = sorted(day for days in where.values() for day in days)
        rows.append({"match": match, "key": key, "wards": ", ".join(wards_of),
                     "households": ", ".join(sorted(where)), "first": dates[0],
                     "last": dates[-1]})
    return rows


def statement_row(ward: WardCopy, name: str, start: str | None, end: str | None
                  ) -> dict[str, Any]:
    """One ward's line of the district's statement: donations, households served and the
    cash book's movements in the period (as its own statement counts them), the fund at the
    end."""
    books, by_kind = facts_by_kind(ward.events, start, end)
    after = books.cash(end)
    before = (books.cash((date.fromisoformat(start) - timedelta(days=1)).isoformat())
              if start else dict.fromkeys(CASH_LINES, 0))
    return {"ward": ward.code, "name": name, "donations": len(by_kind["donate"]),
            "handouts": len(by_kind["give"]),
            "households": len({e.data["recipient"] for e in by_kind["give"]}),
            **{line: after[line] - before[line] for line in CATEGORIES},
            "balance": after["balance"]}
