"""Writes decided from a read model: a concurrent writer makes apply read again, never act stale.

Also the figures' arithmetic (Gini) on known values.
"""

from __future__ import annotations

from fractions import Fraction

from ledger.store.access import locate, open_ledger, open_log
from ledger.ward.register import write_seen
from ledger.ward.rounds import apply_plan
from projections.households.allocation import gini
from projections.households.rounds import Drive, handouts, plan


def drive_of(ledger_fixture) -> Drive:
    log = open_log(locate(environ=ledger_fixture.env))
    try:
        return Drive.replay(log.read())
    finally:
        log.close()


def test_apply_reads_again_when_another_writer_saves_first(ward):
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=10", "--on", "2021-11-02")
    ward("round", "open", "R1", "--from", "KHO", "--item", "RICE", "--ration", "RICE=5",
         "--on", "2021-11-05")
    address = locate(environ=ward.env)
    writer, other = open_ledger(address), open_ledger(address)
    calls = []

    def planner():
        result = plan(drive_of(ward), "R1")
        calls.append(result["plan"])
        if len(calls) == 1:  # someone records a donation while we were planning
            other.donate("D1", "KHO", 0, {"RICE": 20}, None, None, "2021-11-02", "other")
        return handouts(result, [])

    try:
        applied, entries = apply_plan(writer, "R1", planner, [], [], None, "tester")
    finally:
        writer.close()
        other.close()
    assert len(calls) == 2 and calls[0] != calls[1]
    assert applied.digest == calls[1] and len(entries) == 2
    final = plan(drive_of(ward), "R1")
    assert final["plan"] == calls[1]
    assert {(a["recipient"], a["quantity"], a["handed"]) for a in final["allocations"]} == {
        ("H1", 20, 20), ("H2", 10, 10)}


def test_a_stale_view_is_never_written(ward):
    address = locate(environ=ward.env)
    writer, other = open_ledger(address), open_ledger(address)
    seen = []

    def view():
        seen.append(len(seen))
        if len(seen) < 3:
            other.add_item(f"X{len(seen)}", "x", "kg", None, "2021-11-02", "other")
        return len(seen)

    try:
        entry = write_seen(writer, view, lambda ward_, n: ward_.emit(
            type(ward_).ItemDeclared, on="2021-11-02", actor="t", code=f"SEEN{n}", name="x",
            unit="kg", value=None))
    finally:
        writer.close()
        other.close()
    assert seen == [0, 1, 2] and entry == 12
    codes = [line["detail"] for line in ward("history", "--format", "json").json()[-3:]]
    assert codes == ["X1 x", "X2 x", "SEEN3 x"]


def test_gini_of_known_values():
    assert gini([0, 0, 0]) is None and gini([]) is None
    assert gini([5, 5, 5, 5]) == 0
    assert gini([0, 0, 0, 12]) == Fraction(3, 4)  # one of four holds everything: (n-1)/n
    assert gini([1, 2, 3, 4]) == Fraction(1, 4)
    assert gini([4, 3, 2, 1]) == gini([1, 2, 3, 4])
