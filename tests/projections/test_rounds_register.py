"""An open round while the register changes under it, through the CLI: a household that
received stays in the round as it was when it received, marked; a reserved plan is what the
round hands out (changes are noted, not planned in or out) until it reserves again."""

from __future__ import annotations

import pytest

HOUSEHOLDS = """code,name,group,size,tier
H3,Lê Thị Cúc,Tổ 2,1,0
H4,Phạm Văn Dũng,Tổ 2,5,1
H5,Võ Thị Em,Tổ 2,3,0
"""


@pytest.fixture
def tổ2(ward, tmp_path):
    """The ward (H1: Tổ 1, 4 people, tier 3; H2: Tổ 2, 2 people, tier 1) plus H3 (Tổ 2, 1,
    tier 0), H4 (Tổ 2, 5, tier 1) and H5 (Tổ 2, 3, tier 0), and 100 kg of rice at KHO."""
    path = tmp_path / "households.csv"
    path.write_text(HOUSEHOLDS, encoding="utf-8")
    ward("recipient", "import", path, "--on", "2021-11-02")
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=100", "--on", "2021-11-02")
    return ward


def plan(ledger, name, *args):
    return ledger("round", "plan", name, "--format", "json", *args).json()


def shares(result):
    return {(a["recipient"], a["item"]): a["quantity"] for a in result["allocations"]}


def status(ledger, name):
    return ledger("round", "status", name, "--format", "json").json()


def test_households_that_received_and_left_stay_in_the_round_as_they_received(tổ2, tmp_path):
    """From a sweep: a household that received, then was re-tiered out of the round's tiers,
    moved to a tổ outside its groups or excluded, was shown (and counted in the tier figures)
    as it is now: tier 3 in a round of tiers 0-1, excluded and served at once, unmarked."""
    tổ2("round", "open", "R", "--from", "KHO", "--item", "RICE", "--ration", "RICE=2",
        "--group", "Tổ 2", "--tier", "0", "--tier", "1", "--on", "2021-11-05")
    tổ2("round", "apply", "R", "--only", "H2", "--only", "H3", "--only", "H4")
    tổ2("recipient", "tier", "H4", "3", "--reason", "có việc làm", "--on", "2021-11-06")
    tổ2("recipient", "exclude", "H3", "--reason", "chương trình khác", "--on", "2021-11-06")
    moved = tmp_path / "moved.csv"
    moved.write_text("code,name,group,size,tier\nH2,Trần Thị B,Tổ 5,2,1\n", encoding="utf-8")
    tổ2("recipient", "import", moved, "--on", "2021-11-06")

    result = status(tổ2, "R")
    assert result["households"] == [
        {"recipient": "H2", "tier": 1, "size": 2, "planned": {"RICE": 4}, "handed": {"RICE": 4},
         "status": "received", "change": "left", "now": {"group": "Tổ 5"}, "in_round": False},
        {"recipient": "H3", "tier": 0, "size": 1, "planned": {"RICE": 2}, "handed": {"RICE": 2},
         "status": "received", "change": "left", "now": {"excluded": True},
         "in_round": False},
        {"recipient": "H4", "tier": 1, "size": 5, "planned": {"RICE": 10},
         "handed": {"RICE": 10}, "status": "received", "change": "left", "now": {"tier": 3},
         "in_round": False},
        {"recipient": "H5", "tier": 0, "size": 3, "planned": {"RICE": 6}, "handed": {"RICE": 0},
         "status": "not yet"}]
    assert (result["received"], result["not_received"]) == (3, ["H5"])
    assert "not_in_plan" not in result
    note = ("3 households received in round R and have left its groups or tiers, or were "
            "excluded or forgotten, since (H2, H3, H4): shown as they were when they received, "
            "with what they received; planned nothing more")
    assert result["notes"] == [note]

    table = tổ2("round", "status", "R").out.splitlines()
    assert table[2].split()[-4:] == ["in", "the", "register", "now"]
    assert table[4].split() == ["H2", "1", "2", "RICE", "4", "RICE", "4", "received",
                                "Tổ", "5,", "outside", "the", "round"]
    assert table[5].endswith("received  excluded, outside the round")
    assert table[6].endswith("received  tier 3, outside the round")
    assert table[7].split() == ["H5", "0", "3", "RICE", "6", "RICE", "0", "not", "yet"]
    assert table[-1] == "note: " + note

    figures = plan(tổ2, "R")["figures"]
    assert (figures["eligible"], figures["served"]) == (4, 4)
    assert figures["tiers"]["0"] | {"label": ""} == {"label": "", "eligible": 2, "full": 2,
                                                     "partial": 0, "nothing": 0, "excluded": 0}
    assert figures["tiers"]["1"] | {"label": ""} == {"label": "", "eligible": 2, "full": 2,
                                                     "partial": 0, "nothing": 0, "excluded": 0}
    assert figures["tiers"]["3"]["eligible"] == 0
    # the public statement and the cumulative figures post each where it was when it received
    rows = tổ2("round", "outflow", "R", "--format", "json").json()["rows"]
    assert [(r["recipient"], r["group"], r["tier"]) for r in rows] == [
        ("H2", "Tổ 2", 1), ("H3", "Tổ 2", 0), ("H4", "Tổ 2", 1)]
    summed = tổ2("round", "summary", "--format", "json").json()["rows"]
    assert [(r["recipient"], r["group"], r["tier"], r["received"]) for r in summed] == [
        ("H2", "Tổ 2", 1, 60000), ("H3", "Tổ 2", 0, 30000), ("H4", "Tổ 2", 1, 150000),
        ("H5", "Tổ 2", 0, 0)]


def test_an_unreserved_plan_follows_the_register(tổ2):
    tổ2("round", "open", "U", "--from", "KHO", "--item", "RICE", "--ration", "RICE=2",
        "--group", "Tổ 2", "--tier", "0", "--on", "2021-11-05")
    assert shares(plan(tổ2, "U")) == {("H3", "RICE"): 2, ("H5", "RICE"): 6}
    tổ2("recipient", "add", "H6", "--name", "Đỗ Văn Giang", "--group", "Tổ 2", "--size", "2",
        "--tier", "0", "--on", "2021-11-05")
    tổ2("recipient", "tier", "H5", "2", "--reason", "xét lại", "--on", "2021-11-05")
    result = plan(tổ2, "U")
    assert shares(result) == {("H3", "RICE"): 2, ("H6", "RICE"): 4}
    assert "register_changes" not in result and result["notes"] == []
    assert plan(tổ2, "U", "--fresh") == result


@pytest.fixture
def reserved(tổ2):
    """Round S (tiers 0-1 of Tổ 2, 2 kg a person, at most 4 kg) shares 10 kg: H3 and H5
    (tier 0) their 2 and 4 kg, H2 and H4 (tier 1, targets 4 and 4) 2 kg each; reserved."""
    tổ2("adjust", "KHO", "--item", "RICE=-90", "--reason", "chuyển kho khác",
        "--on", "2021-11-03")
    tổ2("round", "open", "S", "--from", "KHO", "--item", "RICE", "--ration", "RICE=2",
        "--cap", "4", "--group", "Tổ 2", "--tier", "0", "--tier", "1", "--on", "2021-11-05")
    result = plan(tổ2, "S")
    assert shares(result) == {("H2", "RICE"): 2, ("H3", "RICE"): 2, ("H4", "RICE"): 2,
                              ("H5", "RICE"): 4}
    assert "round S holds RICE 10" in tổ2("round", "reserve", "S", "--plan",
                                         result["plan"][:12]).out
    return tổ2


def test_a_reserved_plan_is_what_the_round_hands_out_when_the_register_changes(reserved):
    """From a sweep: after `aid round reserve`, adding a household, re-tiering one out of the
    round and excluding one re-planned the round silently (a new hash, a new receipt sheet):
    the household added took the others' rice."""
    first = plan(reserved, "S")
    reserved("recipient", "add", "H6", "--name", "Đỗ Văn Giang", "--group", "Tổ 2", "--size",
             "2", "--tier", "0", "--on", "2021-11-05")
    reserved("recipient", "tier", "H4", "3", "--reason", "có việc làm", "--on", "2021-11-05")
    reserved("recipient", "exclude", "H2", "--reason", "chương trình khác",
             "--on", "2021-11-05")
    result = plan(reserved, "S")
    # H4 keeps its reserved 2 kg; H2, excluded, gets nothing and no one gets its 2 kg; H6 is
    # not in the reserved plan
    assert shares(result) == {("H3", "RICE"): 2, ("H4", "RICE"): 2, ("H5", "RICE"): 4}
    assert [(a["recipient"], a["tier"], a["target"]) for a in result["allocations"]] == [
        ("H3", 0, 2), ("H4", 1, 4), ("H5", 0, 4)]
    rice = result["figures"]["items"]["RICE"]
    assert (rice["stock"], rice["to_hand"], rice["left"]) == (10, 8, 2)
    assert result["figures"]["tiers"]["1"]["excluded"] == 1
    assert result["register_changes"] == [
        {"recipient": "H2", "change": "withdrawn", "was": {"excluded": False},
         "now": {"excluded": True}, "in_round": False},
        {"recipient": "H4", "change": "kept", "was": {"tier": 1}, "now": {"tier": 3},
         "in_round": False},
        {"recipient": "H6", "change": "joined", "was": None,
         "now": {"group": "Tổ 2", "tier": 0, "size": 2}, "in_round": True}]
    fresh = plan(reserved, "S", "--fresh")
    assert shares(fresh) == {("H3", "RICE"): 2, ("H5", "RICE"): 4, ("H6", "RICE"): 4}
    assert result["fresh_plan"] == fresh["plan"] != result["plan"] != first["plan"]
    assert result["notes"] == [
        "1 households changed in the register after round S reserved its plan (H4): the "
        "reserved plan still gives them what it planned",
        "1 households were excluded or forgotten after round S reserved its plan (H2): they "
        "get nothing more in it; what it planned them stays reserved, for no one else, until "
        "the round reserves again or closes",
        "1 households joined round S's groups and tiers after it reserved its plan (H6): not "
        "in the reserved plan",
        f"the plan from the register as it is now is {fresh['plan'][:12]} (`aid round plan S "
        f"--fresh` shows it); `aid round reserve S --plan {fresh['plan'][:12]}` holds it "
        "instead of the reserved plan"]
    told = status(reserved, "S")
    assert told["not_in_plan"] == ["H6"] and told["not_received"] == ["H3", "H4", "H5"]
    assert told["households"][1] == {
        "recipient": "H4", "tier": 1, "size": 5, "planned": {"RICE": 2}, "handed": {"RICE": 0},
        "status": "not yet", "change": "kept", "now": {"tier": 3}, "in_round": False}
    sheet = reserved("round", "sheet", "S", "--format", "csv").out.splitlines()
    assert [line.split(",")[1] for line in sheet[1:]] == ["H3", "H4", "H5"]

    # the reserved plan's hash is not reserved again: that would re-plan nothing
    before = reserved.snapshot()
    again = reserved.fails("round", "reserve", "S", "--plan", result["plan"][:12])
    assert again.code == 1
    assert again.err == (
        f"aid: plan {result['plan'][:12]} is round S's reserved plan, from the register as it "
        "was when the round reserved it; to reserve again from the register as it is now, "
        f"give the plan `aid round plan S --fresh` shows ({fresh['plan'][:12]}); nothing was "
        "recorded\n")
    assert reserved.snapshot() == before
    # applying hands out the reserved plan
    out = reserved("round", "apply", "S", "--only", "H4", "--plan", result["plan"][:12]).out
    assert out.startswith("recorded entry ") and "1 hand-out of round S" in out
    # reserving the fresh plan re-plans from the register as it is now
    fresh = plan(reserved, "S", "--fresh")
    assert shares(fresh) == {("H3", "RICE"): 2, ("H4", "RICE"): 2, ("H5", "RICE"): 3,
                             ("H6", "RICE"): 3}  # tier 0 shares the 8 kg left
    assert "round S holds RICE 8" in reserved("round", "reserve", "S", "--plan",
                                              fresh["plan"][:12]).out
    now = plan(reserved, "S")
    assert now["plan"] == fresh["plan"] and "fresh_plan" not in now
    assert [c["change"] for c in now["register_changes"]] == ["left"]  # H4, handed before
    assert status(reserved, "S")["not_received"] == ["H3", "H5", "H6"]
