"""Properties of planned stock, checked on a ward in memory (no store: hundreds of facts a
second): whatever sequence of donations, hand-outs, transfers, reservations, closes, counts,
losses and reversals is tried, at the end of every date free stock is never negative, on hand = free +
reserved, every lot is non-negative and the lots add up to what is on hand."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.errors import LedgerError
from ledger.ward.aggregate import Ward
from ledger.ward.plans import Handout, Plan
from ledger.ward.rounds import RoundOpened, close, reserve
from projections.books import Books

DAYS = [(date(2021, 11, 1) + timedelta(days=n)).isoformat() for n in range(12)]
ROUNDS = ("R1", "R2")
EXPIRY = [None, DAYS[4], DAYS[8], DAYS[11]]


def new_ward() -> Ward:
    ward = Ward(name="P3", on=DAYS[0], actor="t")
    ward.declare_item("MI", "Mì", "case", 1, DAYS[0], "t")
    for place, kind in (("KHO", "store"), ("SHOP", "shop")):
        ward.declare_location(place, place, kind, DAYS[0], "t")
    ward.declare_donor("D", "D", False, DAYS[0], "t")
    ward.declare_recipient("H", "H", "", 1, 0, None, DAYS[0], "t")
    for name in ROUNDS:
        ward.emit(RoundOpened, on=DAYS[1], actor="t", round=name, location="KHO", bundles=[],
                  items=["MI"], policy="equal", cap=None, persons_per_bundle=4,
                  rations={"MI": 1}, groups=[], tiers=[])
    return ward


day = st.sampled_from(DAYS[1:])
qty = st.integers(1, 6)
operations = st.lists(st.one_of(
    st.tuples(st.just("donate"), day, qty, st.sampled_from(EXPIRY)),
    st.tuples(st.just("give"), day, qty, st.sampled_from([None, *ROUNDS])),
    st.tuples(st.just("transfer"), day, qty, st.booleans()),
    st.tuples(st.just("reserve"), day, qty, st.sampled_from(ROUNDS)),
    st.tuples(st.just("close"), day, qty, st.sampled_from(ROUNDS)),
    st.tuples(st.just("reverse"), day, st.integers(0, 30), st.none()),
    st.tuples(st.just("count"), day, st.integers(0, 8), st.none()),  # may release a round's
    st.tuples(st.just("loss"), day, qty, st.none()),  # reservation: gone is not promised
), min_size=5, max_size=25)


def run(ward: Ward, operation: tuple, facts: list[Ward.Event]) -> None:
    kind, on, n, extra = operation
    if kind == "donate":
        ward.donate("D", "KHO", 0, {"MI": n}, None, None, on, "t", extra)
    elif kind == "give":
        location = "KHO" if extra else ("SHOP" if n % 2 else "KHO")
        ward.give("H", location, {}, {"MI": n}, 0, on, "t", round=extra,
                  expired_reason="test" if n > 4 else None)
    elif kind == "transfer":
        ward.transfer("KHO", "SHOP", {"MI": n}, on, "t", expired_reason="test" if extra else None)
    elif kind == "reserve":
        plan = Plan(extra, f"{n:064x}", [Handout("H", {}, {"MI": n})])
        reserve(ward, extra, plan, plan.digest[:8], "t")  # dated on the round's day
    elif kind == "close":
        close(ward, extra, on, "t")
    elif kind == "count":
        ward.count("KHO", {"MI": n}, "counted", on, "t")
    elif kind == "loss":
        ward.adjust("KHO", {"MI": -n}, "lost", on, "t")
    elif facts:
        ward.reverse(facts[n % len(facts)], "test", "t")


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
def test_free_stock_is_never_negative_and_on_hand_is_free_reserved_or_expired(ops):
    ward = new_ward()
    books = Books()
    for event in ward.collect_events():
        books.apply(type(event).__qualname__, dict(event.__dict__))
    facts: list[Ward.Event] = []
    for operation in ops:
        try:
            run(ward, operation, facts)
        except LedgerError:
            assert not ward.pending_events  # a refusal records nothing
            continue
        for event in ward.collect_events():
            books.apply(type(event).__qualname__, dict(event.__dict__))
            if isinstance(event, Ward.Fact):
                facts.append(event)
    for on in DAYS:
        lots: dict[tuple[str, str], int] = {}
        for row in books.lots(as_of=on):
            assert row["quantity"] >= 0, (on, row)
            key = (row["location"], row["item"])
            lots[key] = lots.get(key, 0) + row["quantity"]
        for row in books.planned(as_of=on):
            assert row["free"] >= 0, (on, row)
            assert row["reserved"] >= 0, (on, row)
            expired = books.expired(row["location"], row["item"], on)  # never free (#24)
            assert row["free"] == max(row["quantity"] - row["reserved"] - expired, 0), (on, row)
            if not expired:
                assert row["quantity"] == row["free"] + row["reserved"], (on, row)
            assert lots.get((row["location"], row["item"]), 0) == row["quantity"], (on, row)
