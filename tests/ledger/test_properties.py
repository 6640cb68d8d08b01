"""Invariants of DESIGN.md over random histories of accepted and refused commands.

- stock of every item at every location, and the fund, are never negative on any date;
- received = spent + given + packed + balance on every date;
- the stored (incrementally updated) read models give byte-identical reports to a rebuild.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands.recording.writing import refresh
from commands.reports.books import load_books
from ledger.errors import LedgerError
from ledger.store.access import Address, open_ledger
from tests.cli import invoke

DAYS = [(date(2021, 11, 10) + timedelta(days=n)).isoformat() for n in range(6)]
ITEMS, LOCATIONS, PEOPLE = ["RICE", "NOODLE"], ["KHO", "SHOP"], ["H1", "H2"]

qty = st.integers(min_value=1, max_value=60)
day = st.sampled_from(DAYS)
loc = st.sampled_from(LOCATIONS)
goods = st.dictionaries(st.sampled_from(ITEMS), qty, min_size=1, max_size=2)
operations = st.one_of(
    st.tuples(st.just("donate"), loc, st.integers(0, 3) .map(lambda n: n * 100_000), goods, day),
    st.tuples(st.just("buy"), loc, st.integers(1, 5).map(lambda n: n * 50_000), goods, day),
    st.tuples(st.just("pack"), st.integers(1, 4), loc, day),
    st.tuples(st.just("unpack"), st.integers(1, 3), loc, day),
    st.tuples(st.just("give"), st.sampled_from(PEOPLE), loc, st.integers(0, 2), goods,
              st.integers(0, 2).map(lambda n: n * 40_000), day),
    st.tuples(st.just("transfer"), loc, loc, goods, day),
    st.tuples(st.just("adjust"), loc, st.sampled_from(ITEMS), st.integers(-30, 30).filter(bool),
              day),
    st.tuples(st.just("count"), loc, st.sampled_from(ITEMS), st.integers(0, 80),
              st.booleans(), day),
    st.tuples(st.just("reverse"), st.integers(1, 40)),
)


def setup(ledger) -> None:
    a, d = "prop", DAYS[0]
    ledger.init("Phường P", d, a)
    for item in ITEMS:
        ledger.add_item(item, item.title(), "kg", 1000, d, a)
    for location in LOCATIONS:
        ledger.add_location(location, location.title(), "store", d, a)
    ledger.add_donor("D1", "Donor", False, d, a)
    for person in PEOPLE:
        ledger.add_recipient(person, "Người nhận", "Tổ 1", 3, 1, None, d, a)
    ledger.define_bundle("B", "Bundle", {"RICE": 5, "NOODLE": 1}, 30_000, d, a)


def apply(ledger, op) -> None:
    kind, a = op[0], "prop"
    if kind == "donate":
        _, location, cash, items, on = op
        ledger.donate("D1", location, cash, items, None, None, on, a)
    elif kind == "buy":
        _, location, cash, items, on = op
        ledger.buy(location, cash, items, None, on, a)
    elif kind in ("pack", "unpack"):
        _, count, location, on = op
        getattr(ledger, kind)("B", count, location, on, a)
    elif kind == "give":
        _, person, location, bundles, items, cash, on = op
        ledger.give(person, location, {"B": bundles} if bundles else {}, items, cash, on, a)
    elif kind == "transfer":
        _, source, target, items, on = op
        ledger.transfer(source, target, items, on, a)
    elif kind == "adjust":
        _, location, item, change, on = op
        ledger.adjust(location, {item: change}, "found or lost", on, a)
    elif kind == "count":
        _, location, item, counted, explain, on = op
        ledger.count(location, {item: counted}, "recount" if explain else None, on, a)
    else:
        ledger.reverse(op[1], "mistake", a)


def reports(path) -> list[str]:
    outputs = []
    for args in (["stock", "--format", "json"], ["stock"], ["cash", "--format", "json"],
                 ["history", "--format", "json"], ["history", "--at", "KHO", "--item", "RICE"],
                 ["bundle", "packable", "--format", "csv"]):
        result = invoke([*args, "--db", str(path)], catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        outputs.append(result.stdout)
    return outputs


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(operations, min_size=1, max_size=25))
def test_random_histories_keep_the_invariants(tmp_path_factory, ops):
    path = tmp_path_factory.mktemp("prop") / "aid.db"
    where = Address(path=path)
    ledger = open_ledger(where, create=True)
    setup(ledger)
    for n, op in enumerate(ops):
        try:
            apply(ledger, op)
        except LedgerError:
            pass  # a refusal: the rules said no, and nothing was written
        if n % 7 == 0:
            refresh(where)  # the stored models are caught up at irregular moments
    ledger.close()

    books = load_books(path)
    for as_of in DAYS:
        for location in LOCATIONS:
            for item in [*ITEMS, "B"]:
                assert books.quantity(location, item, as_of) >= 0
        cash = books.cash(as_of)
        assert cash["received"] == cash["spent"] + cash["given"] + cash["packed"] + cash["balance"]
        assert all(v >= 0 for v in cash.values())

    before = reports(path)
    refresh(where)
    assert reports(path) == before
    result = invoke(["rebuild", "--db", str(path)])
    assert result.exit_code == 0
    assert reports(path) == before


def test_refused_commands_write_nothing(tmp_path):
    """A refused write leaves every stored row as it was (checked for each kind of fact)."""
    path = tmp_path / "aid.db"
    ledger = open_ledger(Address(path=path), create=True)
    setup(ledger)
    refusals = [("give", "H1", "KHO", 1, {}, 0, DAYS[0]), ("transfer", "KHO", "SHOP", {"RICE": 1}, DAYS[0]),
                ("pack", 1, "KHO", DAYS[0]), ("unpack", 1, "KHO", DAYS[0]),
                ("buy", "KHO", 50_000, {"RICE": 1}, DAYS[0]), ("adjust", "KHO", "RICE", -1, DAYS[0]),
                ("count", "KHO", "RICE", 5, False, DAYS[0]), ("reverse", 3)]
    rows = list(itertools.chain(ledger.recorder.select_notifications(1, 10_000)))
    for op in refusals:
        try:
            apply(ledger, op)
        except LedgerError:
            pass
        else:
            raise AssertionError(f"{op} was accepted")
        assert list(ledger.recorder.select_notifications(1, 10_000)) == rows
