"""Stock, cash book and what can still be packed: one read model over the ordered events.

The state is plain JSON-ready data (catalogue plus day books), so it can be stored and brought
up to date from its last position, or rebuilt from zero with the same result.
"""

from __future__ import annotations

import copy
from typing import Any

from ledger.phrases import N_, Phrase
from ledger.values import inputs
from ledger.ward import daybook, names
from ledger.ward.cashbook import ALWAYS as CASH_CATEGORIES
from ledger.ward.cashbook import CATEGORIES, fund_change

# Stored event name -> the recording verb or declaring noun users see.
KINDS = {
    names.OPENED: "init",
    names.ITEM_DECLARED: "item",
    names.LOCATION_DECLARED: "location",
    names.DONOR_DECLARED: "donor",
    names.RECIPIENT_DECLARED: "recipient",
    names.BUNDLE_DEFINED: "bundle",
    names.DONATED: "donate",
    names.BOUGHT: "buy",
    names.PACKED: "pack",
    names.UNPACKED: "unpack",
    names.HANDED_OUT: "give",
    names.TRANSFERRED: "transfer",
    names.ADJUSTED: "adjust",
    names.COUNTED: "count",
    names.REVERSED: "reverse",
    names.CODED: "ward code",
    names.SHOP_PRICED: "price",  # ledger/ward/vouchers.py: the 0 đồng shops
    names.VOUCHER_ISSUED: "voucher",
    names.PICKED_UP: "pickup",
    names.VOUCHER_CANCELLED: "cancel",
    names.TIER_CHANGED: "tier",
    names.EXCLUDED: "exclude",
    names.INCLUDED: "include",
    names.RECIPIENT_CHANGED: "recipient change",
    names.TIER_LABELLED: "tier label",
    names.ROUND_OPENED: "round open",
    names.ROUND_CLOSED: "round close",
    names.TIMEZONE_SET: "timezone",  # ledger/ward/zones.py: the ward's clock for printed times
    names.SEALED: "seal",  # ledger/ward/personal.py: households' details
    names.DETAILS_ENCRYPTED: "encrypt",
    names.FORGOTTEN: "forget",
    names.ROUND_RESERVED: "round reserve",  # ledger/ward/rounds.py: stock held for a round
    names.THRESHOLD_SET: "threshold",  # ledger/ward/thresholds.py: low-stock minimum
    names.CASH_MOVED: "cash moved",  # ledger/bank/events.py: cash box <-> account, fund unchanged
    names.FEE_PAID: "fee",  # ledger/bank/events.py: a bank fee, cash leaving the fund
}
# Every ward entry the history lists: the books' kinds, and entries that move nothing the
# books count (the bank's, issue 25; projections/bank.py reads them).
ENTRIES = {**KINDS, names.ACCOUNT_DECLARED: "account", names.STATEMENT_IMPORTED: "statement"}
PLANNING = {"reserved": {}, "lots": {}, "thresholds": {}, "counted": {}}  # added by issue 16


class Books:
    """The ward's catalogue and balances by business date."""

    def __init__(self, state: dict[str, Any] | None = None) -> None:
        self.state: dict[str, Any] = state or {
            "ward": "", "items": {}, "locations": {}, "donors": {}, "bundles": {},
            "recipients": {}, "bins": {}, "cash": {c: {} for c in CASH_CATEGORIES},
        }
        for key, empty in PLANNING.items():  # books stored before planning existed
            self.state.setdefault(key, copy.deepcopy(empty))

    def apply(self, name: str, data: dict[str, Any]) -> None:
        """Fold one stored ward event into the books."""
        kind = KINDS.get(name)
        if kind is None:
            return
        for round_code, location, item, delta in data.get("reserved") or ():
            held = self.state["reserved"].setdefault(location, {}).setdefault(item, {})
            daybook.post(held.setdefault(round_code, {}), data["on"], delta)
        if "moves" in data:
            self._post(data)
        else:
            self._declare(kind, data)

    def _post(self, data: dict[str, Any]) -> None:
        on, bins = data["on"], self.state["bins"]
        for location, item, delta in data["moves"]:
            daybook.post(bins.setdefault(location, {}).setdefault(item, {}), on, delta)
        for category, delta in data["cash"].items():  # "fees" is kept from the first fee on
            daybook.post(self.state["cash"].setdefault(category, {}), on, delta)
        for location, item, expires, delta in data.get("lots") or ():
            lots = self.state["lots"].setdefault(location, {}).setdefault(item, {})
            daybook.post(lots.setdefault(expires, {}), on, delta)
        if "counted" in data:  # a stock count: the days each location was counted
            days = self.state["counted"].setdefault(data["location"], [])
            if on not in days:
                days.append(on)
                days.sort()

    def _declare(self, kind: str, data: dict[str, Any]) -> None:
        s = self.state
        if kind == "init":
            s["ward"] = data["name"]
        elif kind == "timezone":
            s["timezone"] = data["timezone"]
        elif kind == "ward code":
            s["code"] = data["code"]
        elif kind == "item":
            s["items"][data["code"]] = {"name": data["name"], "unit": data["unit"],
                                        "value": data["value"]}
        elif kind == "location":
            s["locations"][data["code"]] = {"name": data["name"], "kind": data["kind"]}
        elif kind == "donor":
            s["donors"][data["code"]] = {"name": data["name"], "anonymous": data["anonymous"]}
        elif kind == "recipient":
            s["recipients"][data["code"]] = {"group": data["group"], "size": data["size"],
                                             "tier": data["tier"]}
        elif kind in ("tier", "recipient change"):
            self._moved(data)
        elif kind == "bundle":
            s["bundles"][data["code"]] = {"name": data["name"], "recipe": data["recipe"],
                                          "cash": data["cash"]}
        elif kind == "threshold":
            s["thresholds"].setdefault(data["location"], {})[data["item"]] = {
                "min": data["minimum"], "on": data["on"]}

    def _moved(self, data: dict[str, Any]) -> None:
        """A household re-tiered, or moved group or size: the books count it where it is now,
        as the register and the district do (coverage, the statement by group and a trace
        would otherwise keep it where it was first declared). The district keeps its
        households apart, so it may hold none here."""
        household = self.state["recipients"].get(data["code"])
        if household is not None:
            household.update({key: data[key] for key in ("tier", "group", "size") if key in data})

    def copy(self) -> Books:
        return Books(copy.deepcopy(self.state))

    # ---- answers ------------------------------------------------------------------------

    def describe(self, code: str) -> tuple[str, str]:
        """Name and unit of an item or bundle code."""
        if code in self.state["items"]:
            item = self.state["items"][code]
            return item["name"], item["unit"]
        bundle = self.state["bundles"].get(code, {})
        return bundle.get("name", code), Phrase(N_("bundle"))

    def known_location(self, at: str | None) -> str | None:
        """`--at` as a declared location's code; an unknown one is refused, naming the nearest
        (an empty report would say "nothing here" of a place that does not exist)."""
        if at is None:
            return None
        return inputs.known(inputs.code(at, N_("location code")), self.state["locations"],
                            N_("location"))

    def known_goods(self, item: str | None) -> str | None:
        """`--item` as a declared item's or bundle's code; an unknown one is refused, naming
        the nearest (an empty history would say "no entries" of goods that do not exist)."""
        if item is None:
            return None
        goods = {**self.state["items"], **self.state["bundles"]}
        return inputs.known(inputs.code(item, N_("item code")), goods, N_("item"))

    def quantity(self, location: str, item: str, as_of: str | None = None) -> int:
        return daybook.balance(self.state["bins"].get(location, {}).get(item, {}), as_of)

    def reserved(self, location: str, item: str, as_of: str | None = None) -> dict[str, int]:
        """Units reserved per round (those with any), as of a date."""
        held = self.state["reserved"].get(location, {}).get(item, {})
        found = {name: daybook.balance(book, as_of) for name, book in sorted(held.items())}
        return {name: qty for name, qty in found.items() if qty}

    def minimum(self, location: str, item: str, as_of: str | None = None) -> int | None:
        """The low-stock threshold of an item at a location, if one was set by `as_of`."""
        found = self.state["thresholds"].get(location, {}).get(item)
        if found is None or not found["min"] or (as_of is not None and found["on"] > as_of):
            return None  # none set by then, or cleared with 0
        return found["min"]

    def stock(self, at: str | None = None, as_of: str | None = None) -> list[dict[str, Any]]:
        """Non-zero stock per location and item (bundles under their code), sorted by both."""
        return [{key: row[key] for key in ("location", "item", "name", "unit", "quantity")}
                for row in self.planned(at, as_of) if row["quantity"]]

    def planned(self, at: str | None = None, as_of: str | None = None,
                today: str | None = None) -> list[dict[str, Any]]:
        """Stock per location and item as `stock` has it, plus what is reserved for open
        rounds, what is free, and the low-stock minimum if any (`low` when free stock is below
        it). Units of lots expired by `as_of` (or, asked for now, by `today` or the last
        business date, whichever is later) are never free. Items with nothing on hand show
        only if a minimum asks for them."""
        rows = []
        day = self.expiry_day(as_of, today)
        places = set(self.state["bins"]) | set(self.state["thresholds"])
        for location in sorted(places):
            if at is not None and location != at:
                continue
            items = set(self.state["bins"].get(location, {}))
            items |= set(self.state["thresholds"].get(location, {}))
            for item in sorted(items):
                quantity = self.quantity(location, item, as_of)
                minimum = self.minimum(location, item, as_of)
                if not quantity and minimum is None:
                    continue
                name, unit = self.describe(item)
                free = self.free(location, item, day, as_of)
                rows.append({"location": location, "item": item, "name": name,
                             "unit": unit, "quantity": quantity,
                             "reserved": sum(self.reserved(location, item, as_of).values()),
                             "free": free, "minimum": minimum,
                             "low": minimum is not None and free < minimum})
        return rows

    def free(self, location: str, item: str, day: str | None, as_of: str | None) -> int:
        """Units neither reserved for an open round nor of a lot expired before `day`. A round
        holding units of a lot that expired since may hand out fresh ones instead (a hand-out
        never takes an expired lot), so both are left out: free is never overstated."""
        return max(self.quantity(location, item, as_of) -
                   sum(self.reserved(location, item, as_of).values()) -
                   self.expired(location, item, day), 0)

    def expired(self, location: str, item: str, day: str | None) -> int:
        """Units of dated lots that expired before `day` and are still held: never free."""
        if day is None:
            return 0
        return sum(daybook.balance(book, day) for expires, book in
                   self.state["lots"].get(location, {}).get(item, {}).items() if expires < day)

    def expiry_day(self, as_of: str | None, today: str | None) -> str | None:
        """The day whose expired lots are not free: `as_of`, else `today` (the command's
        clock: the books never read it) or the last business date, whichever is later, so a
        lot that expired since the last entry is not free either."""
        if as_of is not None:
            return as_of
        return max((day for day in (self.last_day(), today) if day), default=None)

    def last_day(self) -> str | None:
        """The latest business date in the books (they never read the clock: a command
        asking for now passes its day to `expiry_day`)."""
        days = [day for bins in self.state["bins"].values() for book in bins.values()
                for day in book]
        return max(days, default=None)

    def lots(self, at: str | None = None, as_of: str | None = None) -> list[dict[str, Any]]:
        """Every lot with stock, earliest expiry first per bin; undated goods are one lot
        (`expires` None): what the bin holds beyond its dated lots."""
        rows = []
        for location in sorted(self.state["bins"]):
            if at is not None and location != at:
                continue
            dated_items = self.state["lots"].get(location, {})
            for item in sorted(self.state["bins"][location]):
                total = self.quantity(location, item, as_of)
                name, unit = self.describe(item)
                rest = total
                for expires in sorted(dated_items.get(item, {})):
                    quantity = daybook.balance(dated_items[item][expires], as_of)
                    rest -= quantity
                    if quantity:
                        rows.append({"location": location, "item": item, "name": name,
                                     "unit": unit, "expires": expires, "quantity": quantity})
                if rest:
                    rows.append({"location": location, "item": item, "name": name,
                                 "unit": unit, "expires": None, "quantity": rest})
        return rows

    def cash(self, as_of: str | None = None) -> dict[str, int]:
        """The cash book; received = spent + fees + given + packed + balance by construction.
        Bank fees ("fees", after "spent") only in a ledger that ever recorded one: a book
        without them reads as it always did."""
        held = self.state["cash"]
        book = {c: daybook.balance(held[c], as_of) for c in CATEGORIES if c in held}
        book["balance"] = fund_change(book)
        return book

    def packable(self, at: str | None = None, as_of: str | None = None,
                 today: str | None = None) -> list[dict[str, Any]]:
        """How many more of each bundle the free stock at each location, and the fund, could
        make (stock reserved for a round or of an expired lot counts for nothing, as in
        `planned`)."""
        fund = self.cash(as_of)["balance"]
        day = self.expiry_day(as_of, today)
        rows = []
        for code in sorted(self.state["bundles"]):
            bundle = self.state["bundles"][code]
            for location in sorted(self.state["locations"]):
                if at is not None and location != at:
                    continue
                limits = {item: self.free(location, item, day, as_of) // qty
                          for item, qty in bundle["recipe"].items()}
                if bundle["cash"]:
                    limits["cash"] = fund // bundle["cash"]
                count = min(limits.values())
                short = sorted(k for k, v in limits.items() if v == count)
                rows.append({"bundle": code, "location": location, "packable": count,
                             "limited_by": ", ".join(short)})
        return rows
