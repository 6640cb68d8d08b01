"""`aid audit statement`: the public statement (công khai) a ward posts for a period.

Donors and what each gave (anonymous donors shown as such), totals received, purchases, what was
handed out by group and by household code, losses and count differences, stock and cash left,
and the ledger's digest head so anyone can later check the ledger was not rewritten. Recipients
appear by code and group only, never by name. Reversed entries and their reversals are left out
(they cancel as of the original's date); the sections are plain rows, rendered by the command.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ledger.phrases import N_, Phrase
from ledger.text import sort_key
from ledger.zones import DEFAULT as DEFAULT_ZONE

from .audit_check import WardEvent, is_fact
from .books import KINDS, Books

ANONYMOUS = "Ẩn danh (anonymous)"
STANDARD = {"donate", "buy", "pack", "unpack", "give", "transfer", "adjust", "count", "reverse"}


@dataclass
class Section:
    key: str
    title: str
    columns: list[tuple[str, str]]  # (field, title)
    rows: list[dict[str, Any]]


def statement(events: Iterable[WardEvent], start: str | None = None,
              end: str | None = None) -> dict[str, Any]:
    """The statement's header and sections for business dates start..end (inclusive)."""
    books, by_kind = facts_by_kind(events, start, end)
    view = _View(books)
    sections = [
        view.donors(by_kind["donate"]), view.donations(by_kind["donate"]),
        view.received(by_kind["donate"]), view.purchases(by_kind["buy"]),
        view.by_group(by_kind["give"]), view.by_household(by_kind["give"]),
        view.losses(by_kind["adjust"] + by_kind["count"]), view.stock(end),
        view.cash(start, end),
    ]
    return {"ward": books.state["ward"], "from": start, "to": end, "sections": sections,
            "timezone": books.state.get("timezone", DEFAULT_ZONE)}


def facts_by_kind(events: Iterable[WardEvent], start: str | None = None, end: str | None = None
                  ) -> tuple[Books, dict[str, list[WardEvent]]]:
    """The books at the end, and the period's facts by kind: reversed entries and their
    reversals left out; hand-outs recorded by other features (a voucher redeemed) as "give"."""
    books, facts = Books(), []
    for event in events:
        books.apply(event.name, event.data)
        if is_fact(event.data) and KINDS.get(event.name):
            facts.append(event)
    reversals = [e for e in facts if KINDS[e.name] == "reverse"]
    annulled = {e.data.get("entry") for e in reversals} | {e.entry for e in reversals}
    period = [e for e in facts if e.entry not in annulled
              and (start is None or e.data["on"] >= start) and (end is None or e.data["on"] <= end)]
    by_kind: dict[str, list[WardEvent]] = defaultdict(list)
    for event in period:
        kind = KINDS[event.name]
        if kind not in STANDARD and event.data.get("recipient"):
            kind = "give"  # a hand-out recorded by another feature (a voucher redeemed, say)
        by_kind[kind].append(event)
    return books, by_kind


class _View:
    """Rows of each section, read from the books as they stand at the end."""

    def __init__(self, books: Books) -> None:
        self.books = books
        self.state = books.state

    def goods(self, quantities: dict[str, int]) -> Phrase:
        """ "Gạo (RICE) 500 kg, Mì gói (NOODLE) 40 case": a reader knows goods by name, an
        auditor matches them to the ledger by code; a page groups the quantity and names a
        bundle in its own language."""
        return Phrase.join(", ", (
            Phrase(N_("{goods} {quantity:,} {unit}"), goods=self.named(item), quantity=qty,
                   unit=Phrase(N_("bundle")) if item in self.state["bundles"]
                   else self.books.describe(item)[1])
            for item, qty in sorted(quantities.items()) if qty))

    def named(self, code: str) -> str:
        name = self.books.describe(code)[0]
        return f"{name} ({code})" if name and name != code else code

    def donor(self, code: str) -> tuple[str, str]:
        donor = self.state["donors"].get(code, {})
        return ("—", ANONYMOUS) if donor.get("anonymous") else (code, donor.get("name", code))

    def donors(self, donations: list[WardEvent]) -> Section:
        totals: dict[str, dict[str, Any]] = {}
        for event in donations:
            row = totals.setdefault(event.data["donor"], {"gifts": 0, "cash": 0, "goods": {}})
            row["gifts"] += 1
            row["cash"] += event.data["cash"].get(N_("received"), 0)
            for _, item, qty in event.data["moves"]:
                row["goods"][item] = row["goods"].get(item, 0) + qty
        rows = []
        for code, row in sorted(totals.items(), key=lambda kv: (
                self.donor(kv[0])[1] == ANONYMOUS, kv[0])):
            shown, name = self.donor(code)
            rows.append({"donor": shown, "name": name, "gifts": row["gifts"],
                         "cash": row["cash"], "goods": self.goods(row["goods"]),
                         "value": self.value(row["goods"]) + row["cash"]})
        return Section("donors", N_("Donors and what each gave (nhà hảo tâm)"),
                       [("donor", N_("code")), ("name", N_("name")), ("gifts", N_("gifts")),
                        ("cash", N_("cash (đồng)")), ("goods", N_("goods")),
                        ("value", N_("total value (đồng)"))], rows)

    def value(self, goods: dict[str, int]) -> int:
        items = self.state["items"]
        return sum(qty * (items.get(item, {}).get("value") or 0) for item, qty in goods.items())

    def donations(self, donations: list[WardEvent]) -> Section:
        rows = []
        for event in sorted(donations, key=lambda e: (e.data["on"], e.entry)):
            shown, name = self.donor(event.data["donor"])
            goods = {item: qty for _, item, qty in event.data["moves"]}
            rows.append({"entry": event.entry, "on": event.data["on"], "donor": shown,
                         "name": name, "receipt": event.data.get("receipt") or "",
                         "cash": event.data["cash"].get(N_("received"), 0),
                         "goods": self.goods(goods)})
        return Section("donations", N_("Donations received (phiếu thu)"),
                       [("entry", N_("entry")), ("on", N_("on")), ("donor", N_("code")), ("name", N_("name")),
                        ("receipt", N_("receipt")), ("cash", N_("cash (đồng)")), ("goods", N_("goods"))],
                       rows)

    def received(self, donations: list[WardEvent]) -> Section:
        goods: dict[str, int] = defaultdict(int)
        cash = 0
        for event in donations:
            cash += event.data["cash"].get(N_("received"), 0)
            for _, item, qty in event.data["moves"]:
                goods[item] += qty
        rows = [{"item": item, "name": self.books.describe(item)[0], "quantity": qty,
                 "unit": self.books.describe(item)[1], "value": self.value({item: qty})}
                for item, qty in sorted(goods.items())]
        rows.append({"item": Phrase(N_("cash")), "name": Phrase(N_("cash in hand")),
                     "quantity": cash, "unit": "đồng", "value": cash})
        return Section(N_("received"), N_("Totals received"),
                       [("item", N_("item")), ("name", N_("name")), ("quantity", N_("quantity")),
                        ("unit", N_("unit")), ("value", N_("value (đồng)"))], rows)

    def purchases(self, purchases: list[WardEvent]) -> Section:
        rows = [{"entry": e.entry, "on": e.data["on"], "supplier": e.data.get("supplier") or "",
                 "location": e.data.get("location", ""),
                 "cash": e.data["cash"].get("spent", 0),
                 "goods": self.goods({item: qty for _, item, qty in e.data["moves"]})}
                for e in sorted(purchases, key=lambda e: (e.data["on"], e.entry))]
        return Section("purchases", N_("Purchases from the fund"),
                       [("entry", N_("entry")), ("on", N_("on")), ("supplier", N_("supplier")),
                        ("location", N_("into")), ("cash", N_("cash (đồng)")), ("goods", N_("goods"))], rows)

    def _handed(self, gifts: list[WardEvent], key: Any) -> dict[Any, dict[str, Any]]:
        totals: dict[Any, dict[str, Any]] = {}
        for event in gifts:
            recipient = event.data.get("recipient", "")
            row = totals.setdefault(key(recipient), {"households": set(), "entries": 0,
                                                     "bundles": {}, "goods": {}, "cash": 0})
            row["households"].add(recipient)
            row["entries"] += 1
            row["cash"] += event.data["cash"].get("given", 0)
            for _, item, delta in event.data["moves"]:
                kind = "bundles" if item in self.state["bundles"] else "goods"
                row[kind][item] = row[kind].get(item, 0) - delta
        return totals

    def group(self, recipient: str) -> str:
        return self.state["recipients"].get(recipient, {}).get("group") or "—"

    def by_group(self, gifts: list[WardEvent]) -> Section:
        totals = self._handed(gifts, self.group)
        rows = [{"group": group, "households": len(row["households"]),
                 "bundles": self.goods(row["bundles"]), "goods": self.goods(row["goods"]),
                 "cash": row["cash"]}
                for group, row in sorted(totals.items(), key=lambda kv: sort_key(kv[0]))]
        return Section("by_group", N_("Handed out, by group (tổ)"),
                       [("group", N_("group")), ("households", N_("households")),
                        ("bundles", N_("bundles")), ("goods", N_("goods")),
                        ("cash", N_("cash incl. bundles (đồng)"))], rows)

    def by_household(self, gifts: list[WardEvent]) -> Section:
        totals = self._handed(gifts, lambda recipient: recipient)
        rows = [{"recipient": code, "group": self.group(code), "times": row["entries"],
                 "bundles": self.goods(row["bundles"]), "goods": self.goods(row["goods"]),
                 "cash": row["cash"]}
                for code, row in sorted(totals.items(), key=lambda kv: (
                    sort_key(self.group(kv[0])), sort_key(kv[0])))]
        return Section("by_household", N_("Handed out, by household code (no names)"),
                       [("recipient", N_("household")), ("group", N_("group")), ("times", N_("times")),
                        ("bundles", N_("bundles")), ("goods", N_("goods")),
                        ("cash", N_("cash incl. bundles (đồng)"))], rows)

    def losses(self, changes: list[WardEvent]) -> Section:
        rows = [{"entry": e.entry, "on": e.data["on"], "location": location, "item": item,
                 "change": delta,
                 "reason": e.data.get("reason") or e.data.get("variance_reason") or ""}
                for e in sorted(changes, key=lambda e: (e.data["on"], e.entry))
                for location, item, delta in e.data["moves"]]
        return Section("losses", N_("Spoiled, lost or found (adjustments and count differences)"),
                       [("entry", N_("entry")), ("on", N_("on")), ("location", N_("location")),
                        ("item", N_("item")), ("change", N_("change")), ("reason", N_("reason"))], rows)

    def stock(self, end: str | None) -> Section:
        rows = self.books.stock(as_of=end)
        return Section("stock", N_("Stock left"),
                       [("location", N_("location")), ("item", N_("item")), ("name", N_("name")),
                        ("quantity", N_("quantity")), ("unit", N_("unit"))], rows)

    def cash(self, start: str | None, end: str | None) -> Section:
        before = (self.books.cash((date.fromisoformat(start) - timedelta(days=1)).isoformat())
                  if start else dict.fromkeys(("received", "spent", "given", "packed",
                                               "balance"), 0))
        after = self.books.cash(end)
        bundles = self.state["bundles"]
        in_bundles = sum(self.books.quantity(location, code, end) * bundles[code]["cash"]
                         for location in self.state["bins"] for code in bundles)
        lines = [(N_("opening balance of the fund"), before["balance"]),
                 (N_("received"), after["received"] - before["received"]),
                 (N_("spent on purchases"), after["spent"] - before["spent"]),
                 (N_("handed out (in cash and in bundles)"), after["given"] - before["given"]),
                 (N_("put into / taken from packed bundles"), after["packed"] - before["packed"]),
                 (N_("closing balance of the fund"), after["balance"]),
                 (N_("cash inside packed bundles still held"), in_bundles),
                 (N_("cash left in all"), after["balance"] + in_bundles)]
        return Section("cash", N_("Cash (đồng)"), [("line", N_("line")), ("amount", N_("đồng"))],
                       [{"line": line, "amount": amount} for line, amount in lines])
