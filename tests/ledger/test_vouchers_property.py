"""Properties of vouchers: codes catch typos; no sequence of pick-ups breaks any limit.

The pick-up property drives the write API directly on a real SQLite file (the CLI per example
would be too slow) against a small independent model of the rules: every operation must be
accepted exactly when the model accepts it, a refusal must write nothing, and afterwards the
projection must show no voucher over its value, item count or visit frequency, and no stock
below zero on any day.
"""

from __future__ import annotations

import itertools
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.errors import BadInput, LedgerError
from ledger.store.access import Address, open_ledger, open_log
from ledger.values import voucher_codes as vouchercode
from ledger.ward import vouchers
from projections.households.shop import replay

# ---- codes ------------------------------------------------------------------------------------

bodies = st.text(alphabet=vouchercode.ALPHABET, min_size=8, max_size=8)


def _printed(body: str) -> str:
    return vouchercode.display(body + vouchercode.check_character(body))


@given(bodies)
def test_every_single_typo_and_neighbour_swap_is_caught(body):
    code = _printed(body).replace("-", "")
    if code[-1] not in vouchercode.ALPHABET:
        return  # never issued
    for i, wrong in itertools.product(range(9), vouchercode.ALPHABET):
        if wrong != code[i]:
            with pytest.raises(BadInput):
                vouchercode.parse(code[:i] + wrong + code[i + 1:])
    for i in range(8):
        if code[i] != code[i + 1]:
            with pytest.raises(BadInput):
                vouchercode.parse(code[:i] + code[i + 1] + code[i] + code[i + 2:])


def test_new_codes_are_printable_and_read_back_however_typed():
    for _ in range(500):
        code = vouchercode.new_code()
        assert len(code) == 11 and code.replace("-", "").isalnum()
        assert all(c in vouchercode.ALPHABET for c in code.replace("-", ""))
        assert vouchercode.parse(code) == code
        assert vouchercode.parse(" " + code.lower().replace("-", " ") + " ") == code
        assert vouchercode.parse(code.replace("0", "o").replace("1", "l")) == code
    assert len({vouchercode.new_code() for _ in range(1000)}) == 1000


# ---- pick-ups against an independent model -------------------------------------------------

START = date(2021, 11, 1)
DECLARED = {"RICE": 15_000, "NOODLE": 100_000, "OIL": None}
HOUSEHOLDS = ("H1", "H2", "H3")


def day(n: int) -> str:
    return (START + timedelta(days=n)).isoformat()


def lowest_from(book: dict[int, int], on: int) -> int:
    running = sum(delta for d, delta in book.items() if d <= on)
    lowest = running
    for d in sorted(d for d in book if d > on):
        running += book[d]
        lowest = min(lowest, running)
    return lowest


terms = st.fixed_dictionaries({
    "value": st.integers(20_000, 1_000_000),
    "max_items": st.none() | st.integers(1, 8),
    "every": st.none() | st.integers(1, 4),
    "valid_from": st.integers(0, 4),
    "length": st.none() | st.integers(0, 20),
})
goods = st.dictionaries(st.sampled_from(sorted(DECLARED)), st.integers(1, 3), min_size=1,
                        max_size=3)
days = st.integers(0, 20)
items = st.sampled_from(sorted(DECLARED))


@st.composite
def operation(draw) -> tuple:
    """Mostly pick-ups, with restocks, losses, reversals and cancellations in between."""
    kind = draw(st.sampled_from(("pickup",) * 5 + ("restock", "take", "reverse", "cancel")))
    if kind == "pickup":
        return kind, draw(st.integers(0, 2)), draw(goods), draw(days)
    if kind == "restock":
        return kind, draw(items), draw(st.integers(1, 8)), draw(days)
    if kind == "take":
        return kind, draw(items), draw(st.integers(1, 4)), draw(days)
    if kind == "reverse":
        return kind, draw(st.integers(0, 50))
    return kind, draw(st.integers(0, 2)), draw(days)


class Model:
    """The rules, restated plainly: what should be accepted, and what it changes."""

    def __init__(self, cards: list[dict], oil_price: tuple[int, int] | None) -> None:
        self.cards = cards
        self.oil_price = oil_price
        self.bins: dict[tuple[str, str], dict[int, int]] = {}
        self.pickups: dict[int, tuple[int, int, dict[str, int], int]] = {}  # entry -> card, ...

    def move(self, location: str, item: str, on: int, delta: int) -> None:
        book = self.bins.setdefault((location, item), {})
        book[on] = book.get(on, 0) + delta

    def has(self, location: str, item: str, on: int, qty: int) -> bool:
        return lowest_from(self.bins.get((location, item), {}), on) >= qty

    def price(self, item: str, on: int) -> int | None:
        if item == "OIL" and self.oil_price and self.oil_price[0] <= on:
            return self.oil_price[1]
        return DECLARED[item]

    def standing(self, index: int) -> list[tuple[int, int, int]]:
        return [(on, value, sum(items.values()))
                for card, on, items, value in self.pickups.values() if card == index]

    def pickup_allowed(self, index: int, items: dict[str, int], on: int) -> bool:
        card, visits = self.cards[index], self.standing(index)
        prices = [self.price(item, on) for item in items]
        return not (
            (card["cancelled"] is not None and card["cancelled"] <= on)
            or on < card["valid_from"]
            or (card["valid_to"] is not None and on > card["valid_to"])
            or (card["max_items"] is not None and sum(items.values()) > card["max_items"])
            or None in prices
            or sum(q * p for q, p in zip(items.values(), prices)) > card["value"] - sum(
                value for _, value, _ in visits)
            or (card["every"] and any(abs(on - d) < card["every"] for d, _, _ in visits))
            or not all(self.has("SHOP", item, on, qty) for item, qty in items.items()))

    def cancel_allowed(self, index: int, on: int) -> bool:
        return self.cards[index]["cancelled"] is None and all(
            d < on for d, _, _ in self.standing(index))


def _ward(ledger, cards: list[dict], oil_price: tuple[int, int] | None) -> list[str]:
    a = "prop"
    ledger.init("Phường 3", day(0), a)
    for item, value in DECLARED.items():
        ledger.add_item(item, item.title(), "unit", value, day(0), a)
    ledger.add_location("KHO", "Kho", "store", day(0), a)
    ledger.add_location("SHOP", "Siêu thị 0 đồng", "shop", day(0), a)
    ledger.add_donor("D1", "Nhà hảo tâm", False, day(0), a)
    for code in HOUSEHOLDS:
        ledger.add_recipient(code, f"Hộ {code}", "Tổ 1", 3, 1, None, day(0), a)
    ledger.donate("D1", "KHO", 0, {item: 30 for item in DECLARED}, None, None, day(0), a)
    ledger.transfer("KHO", "SHOP", {item: 10 for item in DECLARED}, day(0), a)
    if oil_price:
        vouchers.set_prices(ledger, "SHOP", {"OIL": oil_price[1]}, day(oil_price[0]), a)
    return [vouchers.issue(ledger, code, "SHOP", vouchers.Terms(
        value=c["value"], max_items=c["max_items"], every=c["every"],
        valid_from=day(c["valid_from"]),
        valid_to=day(c["valid_to"]) if c["valid_to"] is not None else None), day(0), a).code
        for code, c in zip(HOUSEHOLDS, cards)]


def _apply(ledger, model: Model, codes: list[str], operation: tuple) -> tuple[bool, int | None]:
    """Run one operation; returns (model says yes, entry or None if the ledger refused)."""
    kind, a = operation[0], "prop"
    try:
        if kind == "pickup":
            _, index, items, on = operation
            expected = model.pickup_allowed(index, items, on)
            receipt = vouchers.pickup(ledger, codes[index], items, day(on), a)
            value = sum(q * model.price(i, on) for i, q in items.items())
            assert receipt.value == value
            model.pickups[receipt.entry] = (index, on, items, value)
            for item, qty in items.items():
                model.move("SHOP", item, on, -qty)
            return expected, receipt.entry
        if kind in ("restock", "take"):
            _, item, qty, on = operation
            source = "KHO" if kind == "restock" else "SHOP"
            expected = model.has(source, item, on, qty)
            if kind == "restock":
                entry = ledger.transfer("KHO", "SHOP", {item: qty}, day(on), a)
                model.move("SHOP", item, on, qty)
            else:
                entry = ledger.adjust("SHOP", {item: -qty}, "lost", day(on), a)
            model.move(source, item, on, -qty)
            return expected, entry
        if kind == "reverse":
            expected = bool(model.pickups)  # reversing a pick-up only gives back
            if not expected:
                return False, None
            entry = sorted(model.pickups)[operation[1] % len(model.pickups)]
            _, on, items, _ = model.pickups.pop(entry)
            for item, qty in items.items():
                model.move("SHOP", item, on, qty)
            return True, ledger.reverse(entry, "typed the wrong voucher", a)
        _, index, on = operation
        expected = model.cancel_allowed(index, on)
        entry = vouchers.cancel(ledger, codes[index], "lost", day(on), a)
        model.cards[index]["cancelled"] = on
        return expected, entry
    except LedgerError:
        return expected, None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cards=st.lists(terms, min_size=3, max_size=3),
       oil_price=st.tuples(st.integers(0, 6), st.integers(0, 60_000)),
       ops=st.lists(operation(), min_size=10, max_size=30))
def test_no_pickups_exceed_a_voucher_or_the_shop_stock(cards, oil_price, ops):
    for card in cards:
        card["valid_to"] = (card["valid_from"] + card["length"]
                            if card["length"] is not None else None)
        card["cancelled"] = None
    with tempfile.TemporaryDirectory() as folder:
        address = Address(path=Path(folder) / "aid.db")
        ledger = open_ledger(address, create=True)
        try:
            codes = _ward(ledger, cards, oil_price)
            model = Model(cards, oil_price)
            for item in DECLARED:
                model.move("KHO", item, 0, 20)
                model.move("SHOP", item, 0, 10)
            for operation in ops:
                head = ledger.recorder.max_notification_id()
                expected, entry = _apply(ledger, model, codes, operation)
                assert (entry is not None) == expected, operation
                if entry is None:
                    assert ledger.recorder.max_notification_id() == head
        finally:
            ledger.close()
        log = open_log(address)
        try:
            books, shops = replay(log.read())
        finally:
            log.close()
    _check_limits(shops)
    for location, items in books.state["bins"].items():
        for item, book in items.items():
            by_day = {date.fromisoformat(d).toordinal(): delta for d, delta in book.items()}
            assert lowest_from(by_day, 0) >= 0, (location, item)  # every day's end balance


def _check_limits(shops) -> None:
    """No standing pick-up breaks its voucher's value, items a visit, spacing or validity."""
    standing = [p for p in shops.pickups if str(p["entry"]) not in shops.reversed]
    for code, card in shops.book["vouchers"].items():
        mine = [p for p in standing if p["voucher"] == code]
        assert sum(p["value"] for p in mine) <= card["value"]
        for p in mine:
            assert card["max_items"] is None or sum(p["items"].values()) <= card["max_items"]
            assert card["valid_from"] <= p["on"]
            assert card["valid_to"] is None or p["on"] <= card["valid_to"]
            assert card["cancelled"] is None or p["on"] < card["cancelled"]["on"]
        for first, second in itertools.combinations(mine, 2):
            gap = abs((date.fromisoformat(first["on"]) - date.fromisoformat(second["on"])).days)
            assert not card["every"] or gap >= card["every"]
