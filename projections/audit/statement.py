"""`aid audit statement`: the public statement (công khai) a ward posts for a period.

Donors and what each gave (anonymous donors shown as such), totals received, purchases, what was
handed out by group and by household code, losses and count differences, stock and cash left,
and the ledger's digest head so anyone can later check the ledger was not rewritten. Recipients
appear by code and group only, never by name. Reversed entries and their reversals are left out
(they cancel as of the original's date); the sections are plain rows, rendered by the command.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ledger.phrases import C_, N_, Phrase
from ledger.store.decoding import dumps, loads
from ledger.values.dates import DEFAULT_ZONE
from ledger.values.text import sort_key
from ledger.ward import names
from projections.books import KINDS, Books
from projections.events import WardEvent, is_fact, ward_events

ANONYMOUS = Phrase(N_("Ẩn danh (anonymous)"))  # Vietnamese pages: "Ẩn danh"
TOTAL = Phrase(N_("Total"))  # the first words of a section's total row on the printed page
STANDARD = {"donate", "buy", "pack", "unpack", "give", "transfer", "adjust", "count", "reverse"}


@dataclass
class Section:
    key: str
    title: str
    columns: list[tuple[str, str]]  # (field, title)
    rows: Iterable[dict[str, Any]]  # a list, or Spooled rows made as they are read
    total: dict[str, Any] | None = None  # the printed page's "Total" row: only the sums that
    # mean something (money; goods per item, each in its own unit), the word in one column


def statement(events: Iterable[WardEvent], start: str | None = None,
              end: str | None = None) -> dict[str, Any]:
    """The statement's header and sections for business dates start..end (inclusive), every
    row in memory (the printed page, the workbook and the stock board use it)."""
    books, by_kind = facts_by_kind(events, start, end)
    view = _View(books)
    donated, gifts = by_kind["donate"], _handed_out(by_kind["give"])
    received = _received(donated)
    sections = [
        view.donors(_donor_totals(donated)),
        view.donations(list(view.donation_rows(_by_date(donated))), received),
        view.received(received),
        view.purchases(list(view.purchase_rows(_by_date(by_kind["buy"]))),
                       _bought(by_kind["buy"])),
        view.by_group(gifts), view.by_household(gifts),
        view.losses(list(view.loss_rows(_by_date(by_kind["adjust"] + by_kind["count"])))),
        view.stock(end), view.cash(start, end),
    ]
    first = min((e.data["on"] for kind in by_kind.values() for e in kind), default=None)
    return _sheet(books, start, end, sections, first)


def _sheet(books: Books, start: str | None, end: str | None,
           sections: list[Section], first: str | None = None) -> dict[str, Any]:
    """The statement's header and sections; `first_day` and `last_day` are the dates the
    period runs between when no --from or --to says them (the first entry it holds, and the
    day it is made as of), for the page to print dates rather than "from the beginning"."""
    return {"ward": books.state["ward"], "from": start, "to": end, "sections": sections,
            "timezone": books.state.get("timezone", DEFAULT_ZONE),
            "first_day": start or first, "last_day": end}


def facts_by_kind(events: Iterable[WardEvent], start: str | None = None, end: str | None = None
                  ) -> tuple[Books, dict[str, list[WardEvent]]]:
    """The books at the end, and the period's facts by kind: reversed entries and their
    reversals left out; hand-outs recorded by other features (a voucher redeemed) as "give"."""
    books, facts = Books(), []
    for event in events:
        books.apply(event.name, event.data)
        if is_fact(event.data) and KINDS.get(event.name):
            facts.append(event)
    annulled = annulled_entries(facts)
    by_kind: dict[str, list[WardEvent]] = defaultdict(list)
    for event in facts:
        kind = _period_kind(event, annulled, start, end)
        if kind is not None:
            by_kind[kind].append(event)
    return books, by_kind


def annulled_entries(events: Iterable[WardEvent]) -> set[Any]:
    """The entries reversed, and the reversals themselves: the statement leaves both out."""
    reversals = [e for e in events if KINDS.get(e.name) == "reverse" and is_fact(e.data)]
    return {e.data.get("entry") for e in reversals} | {e.entry for e in reversals}


def annulled_in(rows: Iterable[tuple[int, Any, int, str, bytes]]) -> set[Any]:
    """`annulled_entries` of stored rows, decoding only the reversals' rows (a first pass over
    a million rows that costs little more than reading them)."""
    reversals = (row for row in rows if names.short(row[3]) == REVERSED)
    return annulled_entries(e for e in ward_events(reversals) if not isinstance(e, str))


REVERSED = next(name for name, kind in KINDS.items() if kind == "reverse")


def _period_kind(event: WardEvent, annulled: set[Any], start: str | None,
                 end: str | None) -> str | None:
    """The section kind of a fact that counts in the period, or None (not a fact, reversed, a
    reversal, or outside the dates)."""
    kind = KINDS.get(event.name)
    if not kind or not is_fact(event.data) or event.entry in annulled:
        return None
    on = event.data["on"]
    if (start is not None and on < start) or (end is not None and on > end):
        return None
    if kind not in STANDARD and event.data.get("recipient"):
        kind = "give"  # a hand-out recorded by another feature (a voucher redeemed, say)
    return kind


def _by_date(events: list[WardEvent]) -> list[WardEvent]:
    return sorted(events, key=lambda e: (e.data["on"], e.entry))


def _donor_totals(donations: Iterable[WardEvent],
                  totals: dict[str, dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    """Gifts, cash and goods per donor code, added to `totals` when given."""
    totals = {} if totals is None else totals
    for event in donations:
        row = totals.setdefault(event.data["donor"], {"gifts": 0, "cash": 0, "goods": {}})
        row["gifts"] += 1
        row["cash"] += event.data["cash"].get(N_("received"), 0)
        for _, item, qty in event.data["moves"]:
            row["goods"][item] = row["goods"].get(item, 0) + qty
    return totals


def _received(donations: Iterable[WardEvent],
              totals: dict[str, Any] | None = None) -> dict[str, Any]:
    """Goods by item and cash received, added to `totals` when given."""
    totals = {"goods": defaultdict(int), "cash": 0} if totals is None else totals
    for event in donations:
        totals["cash"] += event.data["cash"].get(N_("received"), 0)
        for _, item, qty in event.data["moves"]:
            totals["goods"][item] += qty
    return totals


def _bought(purchases: Iterable[WardEvent],
            totals: dict[str, Any] | None = None) -> dict[str, Any]:
    """Goods by item and cash spent on purchases, added to `totals` when given."""
    totals = {"goods": defaultdict(int), "cash": 0} if totals is None else totals
    for event in purchases:
        totals["cash"] += event.data["cash"].get("spent", 0)
        for _, item, qty in event.data["moves"]:
            totals["goods"][item] += qty
    return totals


def _handed_out(gifts: Iterable[WardEvent],
                totals: dict[str, dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    """Entries, units (goods and bundles together) and cash per recipient, in the order of
    their first hand-out, added to `totals` when given. Groups and which codes are bundles
    are read at the end, from the books as they stand then."""
    totals = {} if totals is None else totals
    for event in gifts:
        recipient = event.data.get("recipient", "")
        row = totals.setdefault(recipient, {"entries": 0, "units": {}, "cash": 0})
        row["entries"] += 1
        row["cash"] += event.data["cash"].get("given", 0)
        for _, item, delta in event.data["moves"]:
            row["units"][item] = row["units"].get(item, 0) - delta
    return totals


class StatementFold:
    """The statement from one pass over the events, its memory bounded by the donors,
    households and catalogue rather than the ledger: totals are added up as events pass, and
    the growing sections (donations, purchases, losses) are written to a temporary SQLite file
    (deleted when closed) and read back in (date, entry) order as they are printed. Give it
    the annulled entries first (`annulled_in`): a reversal comes after what it reverses."""

    GROWING = {"donate": "donations", "buy": "purchases", "adjust": "losses", "count": "losses"}

    def __init__(self, annulled: set[Any], start: str | None = None,
                 end: str | None = None) -> None:
        self.books, self.annulled, self.start, self.end = Books(), annulled, start, end
        self.donors: dict[str, dict[str, Any]] = {}
        self.received = _received(())
        self.bought = _bought(())
        self.first: str | None = None
        self.gifts: dict[str, dict[str, Any]] = {}
        self.spool = sqlite3.connect("")  # "": a temporary database on disk, not in memory
        self.spool.execute("CREATE TABLE facts (section TEXT, on_date TEXT, entry INTEGER, "
                           "position INTEGER, name TEXT, data BLOB, "
                           "PRIMARY KEY (section, on_date, entry, position)) WITHOUT ROWID")
        self.pending: list[tuple[Any, ...]] = []

    def add(self, event: WardEvent) -> None:
        """Fold one ward event (in ledger order) into the books and the sections."""
        self.books.apply(event.name, event.data)
        kind = _period_kind(event, self.annulled, self.start, self.end)
        if kind is not None and (self.first is None or event.data["on"] < self.first):
            self.first = event.data["on"]
        if kind == "buy":
            _bought((event,), self.bought)
        if kind == "donate":
            _donor_totals((event,), self.donors)
            _received((event,), self.received)
        elif kind == "give":
            _handed_out((event,), self.gifts)
        if kind in self.GROWING:
            self.pending.append((self.GROWING[kind], event.data["on"], event.entry,
                                 event.position, event.name, dumps(event.data)))
            if len(self.pending) >= 5000:
                self._flush()

    def _flush(self) -> None:
        self.spool.executemany("INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?)", self.pending)
        self.pending.clear()

    def statement(self) -> dict[str, Any]:
        """The statement's header and sections, once every event is in; the growing
        sections' rows are read from the spool each time they are iterated."""
        self._flush()
        view = _View(self.books)
        sections = [
            view.donors(self.donors),
            view.donations(Spooled(self.spool, "donations", view.donation_rows), self.received),
            view.received(self.received),
            view.purchases(Spooled(self.spool, "purchases", view.purchase_rows), self.bought),
            view.by_group(self.gifts), view.by_household(self.gifts),
            view.losses(Spooled(self.spool, "losses", view.loss_rows)),
            view.stock(self.end), view.cash(self.start, self.end),
        ]
        return _sheet(self.books, self.start, self.end, sections, self.first)

    def close(self) -> None:
        self.spool.close()


class Spooled:
    """A growing section's rows, made from its spooled events in (date, entry) order each
    time they are iterated, so they are never all in memory."""

    def __init__(self, spool: sqlite3.Connection, section: str,
                 rows: Callable[[Iterable[WardEvent]], Iterator[dict[str, Any]]]) -> None:
        self.spool, self.section, self.rows = spool, section, rows

    def __iter__(self) -> Iterator[dict[str, Any]]:
        cursor = self.spool.execute("SELECT position, entry, name, data FROM facts WHERE "
                                    "section = ? ORDER BY on_date, entry, position",
                                    (self.section,))
        return self.rows(WardEvent(position, entry, name, loads(data))
                         for position, entry, name, data in cursor)


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

    def donors(self, totals: dict[str, dict[str, Any]]) -> Section:
        rows = []
        for code, row in sorted(totals.items(), key=lambda kv: (
                self.donor(kv[0])[1] == ANONYMOUS, kv[0])):
            shown, name = self.donor(code)
            rows.append({"donor": shown, "name": name, "gifts": row["gifts"],
                         "cash": row["cash"], "goods": self.goods(row["goods"]),
                         "value": self.value(row["goods"]) + row["cash"]})
        goods: dict[str, int] = defaultdict(int)
        for row in totals.values():
            for item, qty in row["goods"].items():
                goods[item] += qty
        total = {"name": TOTAL, "gifts": sum(row["gifts"] for row in totals.values()),
                 "cash": sum(row["cash"] for row in totals.values()), "goods": self.goods(goods),
                 "value": sum(row["value"] for row in rows)}
        return Section("donors", N_("Donors and what each gave (nhà hảo tâm)"),
                       [("donor", N_("code")), ("name", N_("name")), ("gifts", N_("gifts")),
                        ("cash", N_("cash (đồng)")), ("goods", N_("goods")),
                        ("value", N_("total value (đồng)"))], rows, total)

    def value(self, goods: dict[str, int]) -> int:
        items = self.state["items"]
        return sum(qty * (items.get(item, {}).get("value") or 0) for item, qty in goods.items())

    def donation_rows(self, donations: Iterable[WardEvent]) -> Iterator[dict[str, Any]]:
        for event in donations:
            shown, name = self.donor(event.data["donor"])
            goods = {item: qty for _, item, qty in event.data["moves"]}
            yield {"entry": event.entry, "on": event.data["on"], "donor": shown,
                   "name": name, "receipt": event.data.get("receipt") or "",
                   "cash": event.data["cash"].get(N_("received"), 0),
                   "goods": self.goods(goods)}

    def donations(self, rows: Iterable[dict[str, Any]], received: dict[str, Any]) -> Section:
        """The donations one by one; `received`: their sums (`_received`), for the total."""
        return Section("donations", N_("Donations received (phiếu thu)"),
                       [("entry", N_("entry number")), ("on", N_("on")), ("donor", N_("code")),
                        ("name", N_("name")), ("receipt", N_("receipt")),
                        ("cash", N_("cash (đồng)")), ("goods", N_("goods"))],
                       rows, {"name": TOTAL, "cash": received["cash"],
                              "goods": self.goods(received["goods"])})

    def received(self, totals: dict[str, Any]) -> Section:
        goods, cash = totals["goods"], totals["cash"]
        rows = [{"item": item, "name": self.books.describe(item)[0], "quantity": qty,
                 "unit": self.books.describe(item)[1], "value": self.value({item: qty})}
                for item, qty in sorted(goods.items())]
        rows.append({"item": Phrase(N_("cash")), "name": Phrase(N_("cash in hand")),
                     "quantity": cash, "unit": "đồng", "value": cash})
        return Section(N_("received"), N_("Totals received"),
                       [("item", N_("item")), ("name", N_("name")), ("quantity", N_("quantity")),
                        ("unit", N_("unit")), ("value", N_("value (đồng)"))], rows,
                       {"name": TOTAL, "value": sum(row["value"] for row in rows)})

    def purchase_rows(self, purchases: Iterable[WardEvent]) -> Iterator[dict[str, Any]]:
        return ({"entry": e.entry, "on": e.data["on"], "supplier": e.data.get("supplier") or "",
                 "location": e.data.get("location", ""),
                 "cash": e.data["cash"].get("spent", 0),
                 "goods": self.goods({item: qty for _, item, qty in e.data["moves"]})}
                for e in purchases)

    def purchases(self, rows: Iterable[dict[str, Any]], bought: dict[str, Any]) -> Section:
        """The purchases one by one; `bought`: their sums (`_bought`), for the total."""
        return Section("purchases", N_("Purchases from the fund"),
                       [("entry", N_("entry number")), ("on", N_("on")),
                        ("supplier", N_("supplier")), ("location", N_("into")),
                        ("cash", N_("cash (đồng)")), ("goods", N_("goods"))], rows,
                       {"supplier": TOTAL, "cash": bought["cash"],
                        "goods": self.goods(bought["goods"])})

    def _handed(self, gifts: dict[str, dict[str, Any]], key: Any) -> dict[Any, dict[str, Any]]:
        """Per-recipient hand-outs (`_handed_out`) summed by `key(recipient)`, the units split
        into bundles and goods as the books define them now."""
        totals: dict[Any, dict[str, Any]] = {}
        for recipient, given in gifts.items():
            row = totals.setdefault(key(recipient), {"households": set(), "entries": 0,
                                                     "bundles": {}, "goods": {}, "cash": 0})
            row["households"].add(recipient)
            row["entries"] += given["entries"]
            row["cash"] += given["cash"]
            for item, units in given["units"].items():
                kind = "bundles" if item in self.state["bundles"] else "goods"
                row[kind][item] = row[kind].get(item, 0) + units
        return totals

    def group(self, recipient: str) -> str:
        return self.state["recipients"].get(recipient, {}).get("group") or "—"

    def by_group(self, gifts: dict[str, dict[str, Any]]) -> Section:
        totals = self._handed(gifts, self.group)
        rows = [{"group": group, "households": len(row["households"]),
                 "bundles": self.goods(row["bundles"]), "goods": self.goods(row["goods"]),
                 "cash": row["cash"]}
                for group, row in sorted(totals.items(), key=lambda kv: sort_key(kv[0]))]
        every = self._handed(gifts, lambda recipient: "").get("", None)
        total = every and {"group": TOTAL, "households": len(every["households"]),
                           "bundles": self.goods(every["bundles"]),
                           "goods": self.goods(every["goods"]), "cash": every["cash"]}
        return Section("by_group", N_("Handed out, by group (tổ)"),
                       [("group", N_("group")), ("households", N_("households")),
                        ("bundles", N_("bundles")), ("goods", N_("goods")),
                        ("cash", N_("cash incl. bundles (đồng)"))], rows, total)

    def by_household(self, gifts: dict[str, dict[str, Any]]) -> Section:
        totals = self._handed(gifts, lambda recipient: recipient)
        rows = [{"recipient": code, "group": self.group(code), "times": row["entries"],
                 "bundles": self.goods(row["bundles"]), "goods": self.goods(row["goods"]),
                 "cash": row["cash"]}
                for code, row in sorted(totals.items(), key=lambda kv: (
                    sort_key(self.group(kv[0])), sort_key(kv[0])))]
        every = self._handed(gifts, lambda recipient: "").get("", None)
        total = every and {"recipient": TOTAL, "times": every["entries"],
                           "bundles": self.goods(every["bundles"]),
                           "goods": self.goods(every["goods"]), "cash": every["cash"]}
        return Section("by_household", N_("Handed out, by household code (no names)"),
                       [("recipient", N_("household")), ("group", N_("group")), ("times", N_("times")),
                        ("bundles", N_("bundles")), ("goods", N_("goods")),
                        ("cash", N_("cash incl. bundles (đồng)"))], rows, total)

    def loss_rows(self, changes: Iterable[WardEvent]) -> Iterator[dict[str, Any]]:
        return ({"entry": e.entry, "on": e.data["on"], "location": location, "item": item,
                 "change": delta,
                 "reason": e.data.get("reason") or e.data.get("variance_reason") or ""}
                for e in changes for location, item, delta in e.data["moves"])

    def losses(self, rows: Iterable[dict[str, Any]]) -> Section:
        return Section("losses", N_("Spoiled, lost or found (adjustments and count differences)"),
                       [("entry", N_("entry number")), ("on", N_("on")),
                        ("location", N_("location")), ("item", N_("item")),
                        ("change", N_("change")), ("reason", N_("reason"))], rows)

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
                 (C_("cash table", "received"), after["received"] - before["received"]),
                 (N_("spent on purchases"), after["spent"] - before["spent"]),
                 *([(C_("cash table", "bank fees"), after["fees"] - before.get("fees", 0))]
                   if "fees" in after else []),  # only a ledger that recorded a fee
                 (N_("handed out (in cash and in bundles)"), after["given"] - before["given"]),
                 (N_("put into / taken from packed bundles"), after["packed"] - before["packed"]),
                 (N_("closing balance of the fund"), after["balance"]),
                 (N_("cash inside packed bundles still held"), in_bundles),
                 (N_("cash left in all"), after["balance"] + in_bundles)]
        return Section("cash", N_("Cash (đồng)"), [("line", N_("line")), ("amount", N_("đồng"))],
                       [{"line": Phrase(line), "amount": amount} for line, amount in lines])
