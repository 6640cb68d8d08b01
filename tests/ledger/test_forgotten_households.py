"""A forgotten household is never eligible again (issue #22, finding 11): the next round does
not plan it, `round apply` hands it nothing, the receipt sheet has no nameless row, and the
ward itself refuses a round's hand-out to it (a plan computed elsewhere, or a stale one)."""

from __future__ import annotations

import pytest


@pytest.fixture
def forgotten(ward_key, ward):
    """H1 and H2 declared, H1 forgotten; stock for three bundles; round R1 open for all."""
    ward("recipient", "add", "H3", "--name", "Lê Văn C", "--group", "Tổ 1", "--size", "3",
         "--on", "2021-11-01")
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=100", "--item", "NOODLE=10",
         "--cash", "1000000", "--on", "2021-11-02")
    ward("pack", "B350", "--count", "3", "--at", "KHO", "--on", "2021-11-03")
    ward("recipient", "forget", "H1", "--reason", "yêu cầu của hộ", "--on", "2021-11-04")
    ward("round", "open", "R1", "--from", "KHO", "--bundle", "B350", "--on", "2021-11-05")
    return ward


def test_a_forgotten_household_is_not_planned_handed_out_to_or_listed(forgotten):
    plan = forgotten("round", "plan", "R1", "--format", "json").json()
    planned = {row["recipient"] for row in plan["allocations"]}
    assert "H1" not in planned and {"H2", "H3"} <= planned
    forgotten("round", "apply", "R1")
    status = forgotten("round", "status", "R1", "--format", "json").json()
    received = {row["recipient"] for row in status["households"] if row["status"] == "received"}
    assert received == {"H2", "H3"} and "H1" not in status["not_received"]
    sheet = forgotten("round", "sheet", "R1", "--format", "csv").out.splitlines()
    assert not [line for line in sheet[1:] if line.split(",")[1] == "H1"]
    assert all(line.split(",")[2] for line in sheet[1:]), sheet  # no blank name
    assert forgotten("audit", "check").code == 0


def test_the_ward_refuses_a_rounds_hand_out_to_a_forgotten_household(forgotten):
    from ledger.errors import Refused
    from ledger.store.access import locate, open_ledger
    from ledger.ward.plans import Handout, Plan
    from ledger.ward.rounds import apply_plan

    before = forgotten.snapshot()
    writer = open_ledger(locate(environ=forgotten.env))
    try:
        stale = Plan("R1", "0" * 64, [Handout("H2", {"B350": 1}, {}),
                                      Handout("H1", {"B350": 1}, {})])
        with pytest.raises(Refused, match="household H1 was forgotten in entry"):
            apply_plan(writer, "R1", lambda: stale, [], [], None, "tester")
    finally:
        writer.close()
    assert forgotten.snapshot() == before


def test_a_hand_out_outside_rounds_to_a_forgotten_household_is_refused(forgotten):
    """From a sweep: `aid give` to a forgotten household was recorded, its row nameless."""
    before = forgotten.snapshot()
    refused = forgotten.fails("give", "H1", "--from", "KHO", "--bundle", "B350=1")
    assert refused.code == 1 and "household H1 was forgotten in entry" in refused.err
    assert forgotten.snapshot() == before
    forgotten("give", "H2", "--from", "KHO", "--bundle", "B350=1")  # the others, as before


def test_households_not_forgotten_are_planned_as_before(ward_key, ward):
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=100", "--item", "NOODLE=10",
         "--cash", "1000000", "--on", "2021-11-02")
    ward("pack", "B350", "--count", "2", "--at", "KHO", "--on", "2021-11-03")
    ward("round", "open", "R1", "--from", "KHO", "--bundle", "B350", "--on", "2021-11-05")
    plan = ward("round", "plan", "R1", "--format", "json").json()
    assert {row["recipient"] for row in plan["allocations"]} == {"H1", "H2"}
