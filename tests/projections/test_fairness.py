"""Fair across rounds (issue 24), through the CLI: rounds that see each other, every hand-out
counting as received before, a floor before priorities, cumulative figures, the public outflow
statement, expired stock never free, and the small refusals of finding 7."""

from __future__ import annotations

import io
import random
from contextlib import redirect_stdout

import pytest

from tests.projections.test_audit_statement import NAMES


def plan(ledger, name):
    return ledger("round", "plan", name, "--format", "json").json()


def got(result) -> dict[str, int]:
    """recipient -> units planned (all items)."""
    found: dict[str, int] = {}
    for a in result["allocations"]:
        found[a["recipient"]] = found.get(a["recipient"], 0) + a["quantity"]
    return found


def register(ledger, tmp_path, homes: list[tuple[str, str, int, int]]) -> None:
    path = tmp_path / "homes.csv"
    path.write_text("code,name,group,size,tier\n" + "".join(
        f"{code},Hộ {code},{group},{size},{tier}\n" for code, group, size, tier in homes),
        encoding="utf-8")
    ledger("recipient", "import", path, "--on", "2021-11-02")


@pytest.fixture
def ward6(ward, tmp_path):
    """Six households of size 2 in Tổ 1-2, two in each of tiers 0-1, one in tier 2 and 3, and
    40 kg of rice (targets 4 kg each)."""
    register(ward, tmp_path, [("A0", "Tổ 1", 2, 0), ("A1", "Tổ 1", 2, 0), ("B0", "Tổ 2", 2, 1),
                              ("B1", "Tổ 2", 2, 1), ("C0", "Tổ 1", 2, 2), ("D0", "Tổ 2", 2, 3)])
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=40", "--on", "2021-11-02")
    return ward


# ---- rounds that see each other -----------------------------------------------------------

def test_a_round_does_not_plan_households_another_round_holds(ward6):
    """Issue 24 finding 1: R1 (tiers 0-1) reserves; R2 (all tiers) plans the free stock to
    tiers 2-3, not to R1's households again, and says so."""
    ward6("round", "open", "R1", "--from", "KHO", "--item", "RICE", "--ration", "RICE=2",
          "--tier", "0", "--tier", "1", "--on", "2021-11-05")
    r1 = plan(ward6, "R1")
    assert got(r1) == {"A0": 4, "A1": 4, "B0": 4, "B1": 4, "H2": 4}
    ward6("round", "reserve", "R1", "--plan", r1["plan"])
    ward6("round", "open", "R2", "--from", "KHO", "--item", "RICE", "--ration", "RICE=2",
          "--on", "2021-11-05")
    r2 = plan(ward6, "R2")
    free = 40 - sum(got(r1).values())
    assert r2["figures"]["items"]["RICE"]["stock"] == free
    held = sorted(got(r1))
    assert got(r2) == {"C0": 4, "D0": 4, "H1": 8} and free == 20  # tiers 2-3 get R2's stock
    assert r2["overlaps"] == [{"round": "R1", "households": held, "top_up": False,
                               "goods": ["RICE"]}]
    assert any(n.startswith(f"{len(held)} households are held by round R1") for n in r2["notes"])
    table = ward6("round", "plan", "R2").out
    assert "held by round R1's reserved plan" in table


def test_a_top_up_round_plans_them_up_to_its_targets_less_what_the_other_gives(ward6):
    ward6("round", "open", "R1", "--from", "KHO", "--item", "RICE", "--ration", "RICE=1",
          "--tier", "0", "--on", "2021-11-05")
    ward6("round", "reserve", "R1", "--plan", plan(ward6, "R1")["plan"])  # A0, A1: 2 kg each
    ward6("round", "open", "R2", "--from", "KHO", "--item", "RICE", "--ration", "RICE=2",
          "--tier", "0", "--top-up", "--on", "2021-11-05")
    r2 = plan(ward6, "R2")
    assert got(r2) == {"A0": 2, "A1": 2} and r2["top_up"] is True
    assert r2["overlaps"] == [{"round": "R1", "households": ["A0", "A1"], "top_up": True,
                               "goods": ["RICE"]}]
    assert "tops them up" in " ".join(r2["notes"])
    # an honest round: no other round holds anything, so no overlap is ever noted
    ward6("round", "open", "R3", "--from", "KHO", "--item", "RICE", "--ration", "RICE=2",
          "--tier", "3", "--on", "2021-11-05")
    assert "overlaps" not in plan(ward6, "R3")


def test_a_top_up_round_plans_around_what_the_other_round_reserved_not_its_live_plan(ward,
                                                                                     tmp_path):
    """From a sweep: R1 reserved all 40 kg (short of its targets); 5 kg more came in; R1's
    plan from today's stock grew to 45 with them, and the top-up round R3, counting that plan
    as R1's, planned the same 5 kg again: 50 kg promised against 45. What R1 holds for a
    household is what its reservation holds; the free 5 kg are R3's to plan, once."""
    register(ward, tmp_path, [("H3", "Tổ 9", 2, 1), ("H4", "Tổ 9", 3, 1)])
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=15", "--on", "2021-11-02")
    ward("round", "open", "R1", "--from", "KHO", "--item", "RICE", "--ration", "RICE=5",
         "--group", "Tổ 9", "--on", "2021-11-10")
    r1 = plan(ward, "R1")
    assert got(r1) == {"H3": 6, "H4": 9}  # 15 kg for targets of 10 and 15
    ward("round", "reserve", "R1", "--plan", r1["plan"])
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=5", "--on", "2021-11-02")
    ward("round", "open", "R3", "--from", "KHO", "--item", "RICE", "--ration", "RICE=5",
         "--group", "Tổ 9", "--top-up", "--on", "2021-11-10")
    r3 = plan(ward, "R3")
    targets = {a["recipient"]: a["target"] for a in r3["allocations"]}
    assert targets == {"H3": 4, "H4": 6}  # their targets less what R1's reservation holds
    assert sum(got(r3).values()) == 5 == r3["figures"]["items"]["RICE"]["stock"]
    ward("round", "reserve", "R3", "--plan", r3["plan"])
    assert plan(ward, "R3")["allocations"] == r3["allocations"]  # reserving changes nothing
    held = sum(sum(got(plan(ward, name)).values()) for name in ("R1", "R3"))
    assert held == 20  # every kilogram promised once


def test_a_household_held_for_rice_is_still_planned_noodles(ward6):
    """From a sweep: R1 reserved rice for tiers 0-2; R2, sharing noodles only, left those
    households out and gave tier 3 everything. A hold is on the goods it reserves."""
    ward6("donate", "D1", "--into", "KHO", "--item", "NOODLE=10", "--on", "2021-11-02")
    ward6("round", "open", "R1", "--from", "KHO", "--item", "RICE", "--ration", "RICE=2",
          "--tier", "0", "--tier", "1", "--on", "2021-11-05")
    ward6("round", "reserve", "R1", "--plan", plan(ward6, "R1")["plan"])
    ward6("round", "open", "R2", "--from", "KHO", "--item", "NOODLE", "--ration", "NOODLE=1",
          "--on", "2021-11-05")
    r2 = plan(ward6, "R2")
    assert got(r2) == {"A0": 2, "A1": 2, "B0": 2, "B1": 2, "H2": 2} and "overlaps" not in r2
    # a round sharing both: rice is not planned again for R1's households, noodles are
    ward6("round", "open", "R3", "--from", "KHO", "--item", "NOODLE", "--item", "RICE",
          "--ration", "NOODLE=1", "--ration", "RICE=2", "--on", "2021-11-05")
    r3 = plan(ward6, "R3")
    rice = {a["recipient"]: a["quantity"] for a in r3["allocations"] if a["item"] == "RICE"}
    assert rice == {"C0": 4, "D0": 4, "H1": 8}
    assert r3["overlaps"] == [{"round": "R1", "households": ["A0", "A1", "B0", "B1", "H2"],
                               "top_up": False, "goods": ["RICE"]}]
    assert any("reserved plan for RICE (A0, A1, B0, B1, H2)" in n for n in r3["notes"])
    assert r3["figures"]["tiers"]["0"]["full"] == 2  # noodles in full, rice owed elsewhere


def test_a_top_up_round_owes_nothing_to_households_the_other_round_fills(ward6):
    """From a sweep: households R1 gives their whole target were "got nothing" in the top-up
    round, and the summary added both rounds' targets, so topped-up households looked short."""
    ward6("round", "open", "R1", "--from", "KHO", "--item", "RICE", "--ration", "RICE=2",
          "--tier", "0", "--tier", "1", "--on", "2021-11-05")
    ward6("round", "reserve", "R1", "--plan", plan(ward6, "R1")["plan"])  # 4 kg each of 5
    ward6("adjust", "KHO", "--item", "RICE=-20", "--reason", "mọt", "--on", "2021-11-05")
    ward6("round", "open", "R2", "--from", "KHO", "--item", "RICE", "--ration", "RICE=2",
          "--top-up", "--on", "2021-11-06")
    ward6("donate", "D1", "--into", "KHO", "--item", "RICE=40", "--on", "2021-11-06")
    r1, r2 = plan(ward6, "R1"), plan(ward6, "R2")
    assert got(r1) == {"A0": 4, "A1": 4, "B0": 4, "B1": 4, "H2": 4}
    assert got(r2) == {"C0": 4, "D0": 4, "H1": 8}
    assert r2["figures"]["eligible"] == 3 and r2["figures"]["tiers"]["0"]["nothing"] == 0
    rows = {row["recipient"]: row
            for row in ward6("round", "summary", "--format", "json").json()["rows"]}
    assert {code: row["fill"] for code, row in rows.items()} == dict.fromkeys(rows, "1.0000")
    assert rows["A0"]["target"] == 4 * 15000 and rows["A0"]["rounds"] == 1


def test_a_top_up_round_still_sees_the_round_it_tops_up_once_that_round_closes(ward6):
    """From a sweep: once R1 handed out and closed, its top-up round R2 planned R1's
    households their whole target again (its reserved plan refused), and the summary of both
    closed rounds counted their targets twice (fill 0.5 where it was 1)."""
    ward6("round", "open", "R1", "--from", "KHO", "--item", "RICE", "--ration", "RICE=1",
          "--tier", "0", "--on", "2021-11-05")
    r1 = plan(ward6, "R1")
    ward6("round", "reserve", "R1", "--plan", r1["plan"])  # A0, A1: 2 kg each
    ward6("round", "open", "R2", "--from", "KHO", "--item", "RICE", "--ration", "RICE=2",
          "--tier", "0", "--top-up", "--on", "2021-11-05")
    before = plan(ward6, "R2")
    ward6("round", "reserve", "R2", "--plan", before["plan"])
    ward6("round", "apply", "R1", "--plan", r1["plan"], "--on", "2021-11-05")
    ward6("round", "close", "R1", "--on", "2021-11-05")
    after = plan(ward6, "R2")
    assert after["plan"] == before["plan"] and got(after) == {"A0": 2, "A1": 2}
    assert after["overlaps"] == before["overlaps"]
    ward6("round", "apply", "R2", "--plan", before["plan"], "--on", "2021-11-06")
    ward6("round", "close", "R2", "--on", "2021-11-06")
    rows = {row["recipient"]: row
            for row in ward6("round", "summary", "--format", "json").json()["rows"]}
    assert rows["A0"]["target"] == 4 * 15000 and rows["A0"]["fill"] == "1.0000"
    closed = plan(ward6, "R2")
    assert closed["figures"]["eligible"] == 2 and got(closed) == {"A0": 2, "A1": 2}
    # a round opened after both closed is a round of its own: it plans them again
    ward6("round", "open", "R3", "--from", "KHO", "--item", "RICE", "--ration", "RICE=1",
          "--tier", "0", "--on", "2021-11-20")
    assert got(plan(ward6, "R3")) == {"A0": 2, "A1": 2} and "overlaps" not in plan(ward6, "R3")


def test_a_round_beside_another_does_not_plan_its_households_after_it_closes(ward6):
    """The same for a round without --top-up: R1's households, held while R2 was open beside
    it, are not planned again by R2 because R1 handed out and closed."""
    ward6("round", "open", "R1", "--from", "KHO", "--item", "RICE", "--ration", "RICE=2",
          "--tier", "0", "--on", "2021-11-05")
    r1 = plan(ward6, "R1")
    ward6("round", "reserve", "R1", "--plan", r1["plan"])
    ward6("round", "open", "R2", "--from", "KHO", "--item", "RICE", "--ration", "RICE=2",
          "--on", "2021-11-05")
    before = plan(ward6, "R2")
    ward6("round", "apply", "R1", "--plan", r1["plan"], "--on", "2021-11-05")
    ward6("round", "close", "R1", "--on", "2021-11-05")
    after = plan(ward6, "R2")
    assert "A0" not in got(after) and after["plan"] == before["plan"]


# ---- every hand-out counts as received before ---------------------------------------------

def test_aid_give_and_shop_pickups_count_as_received_before(ward, tmp_path):
    """Finding 2: households given goods by `aid give` the day before are not served again
    ahead of equal households that got nothing; the figures say what counted."""
    homes = [(f"G{i}", "Tổ 5", 2, 2) for i in range(6)]
    register(ward, tmp_path, homes)
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=200", "--item", "NOODLE=10",
         "--on", "2021-11-02")
    given = ["G0", "G2", "G4"]
    for code in given:
        ward("give", code, "--from", "KHO", "--item", "NOODLE=2", "--on", "2021-11-04")
    ward("round", "open", "R", "--from", "KHO", "--item", "RICE", "--ration", "RICE=1",
         "--cap", "1", "--group", "Tổ 5", "--on", "2021-11-05")
    # three units for six equal households: those given nothing before come first
    ward("adjust", "KHO", "--item", "RICE=-197", "--reason", "moved", "--on", "2021-11-03")
    result = plan(ward, "R")
    assert sorted(got(result)) == ["G1", "G3", "G5"]
    counted = result["figures"]["received_before"]
    assert counted["given"] == {"count": 3, "value": 600_000} and counted["households"] == 3
    assert counted["pickups"] == {"count": 0, "value": 0} and counted["rounds"] == {}
    assert "received before: 3 households" in ward("round", "plan", "R").out
    assert "3 hand-outs by aid give (600,000 đồng)" in ward("round", "plan", "R").out
    assert "3 lượt phát bằng aid give (600.000 ₫)" in ward("--lang", "vi", "round", "plan",
                                                              "R").out  # grouped, issue 23
    # a hand-out dated after the round's day does not count for it (adversarial: it would
    # reorder a plan already shown); a reversed one never counts
    ward("give", "G1", "--from", "KHO", "--item", "NOODLE=1", "--on", "2021-11-06")
    assert sorted(got(plan(ward, "R"))) == ["G1", "G3", "G5"]
    entry = ward.entry("give", "G3", "--from", "KHO", "--item", "NOODLE=3", "--on",
                       "2021-11-04")
    assert "G3" not in got(plan(ward, "R"))
    ward("reverse", str(entry), "--reason", "mistake")
    assert sorted(got(plan(ward, "R"))) == ["G1", "G3", "G5"]


def test_a_round_opened_later_but_handing_out_first_counts_as_received_before(ward6):
    """Two open rounds, neither reserving: R2, opened after R1, hands out first (the same
    day). R1's plan then counts R2's hand-outs as received before, so the households R2
    served do not come first again; a hand-out R2 records after R1's day would not count
    (adversarial: it would reorder a plan already shown)."""
    ward6("round", "open", "R1", "--from", "KHO", "--item", "RICE", "--ration", "RICE=1",
          "--cap", "1", "--policy", "equal", "--on", "2021-11-05")
    ward6("round", "open", "R2", "--from", "KHO", "--item", "RICE", "--ration", "RICE=1",
          "--cap", "1", "--tier", "0", "--on", "2021-11-05")
    ward6("round", "apply", "R2", "--plan", plan(ward6, "R2")["plan"])  # A0, A1 (tier 0)
    ward6("adjust", "KHO", "--item", "RICE=-34", "--reason", "moved", "--on", "2021-11-05")
    r1 = plan(ward6, "R1")  # 4 kg left for 8 households: those R2 served come last
    assert "A0" not in got(r1) and "A1" not in got(r1) and len(got(r1)) == 4
    counted = r1["figures"]["received_before"]
    assert counted["rounds"] == {"R2": 30_000} and counted["households"] == 2  # 2 kg, 15,000 ₫
    # one round is "đợt R2", not "các đợt R2" (issue 23)
    assert "counted from round R2" in ward6("round", "plan", "R1").out
    assert "tính từ đợt R2" in ward6("--lang", "vi", "round", "plan", "R1").out


def test_a_later_rounds_hand_outs_after_this_rounds_day_do_not_count(ward6):
    """Adversarial edge of the rule above: R2, opened after R1, hands out the day after R1's
    day; those hand-outs do not reorder R1's plan (it would change a plan already shown)."""
    ward6("round", "open", "R1", "--from", "KHO", "--item", "RICE", "--ration", "RICE=1",
          "--cap", "1", "--policy", "equal", "--on", "2021-11-05")
    ward6("round", "open", "R2", "--from", "KHO", "--item", "RICE", "--ration", "RICE=1",
          "--cap", "1", "--tier", "0", "--on", "2021-11-06")
    ward6("round", "apply", "R2", "--plan", plan(ward6, "R2")["plan"])  # A0, A1, on 06/11
    counted = plan(ward6, "R1")["figures"]["received_before"]
    assert counted["rounds"] == {} and counted["households"] == 0


# ---- a floor before priorities, over three rounds -----------------------------------------

def reference_ward(ledger, tmp_path, count=600, seed=24):
    rng = random.Random(seed)
    homes = [(f"H{i:03d}", f"Tổ {i % 12 + 1}", rng.choice([1, 2, 3, 3, 4, 4, 5, 6]),
              rng.choice([0, 1, 1, 2, 2, 2, 3, 3, 3, 3])) for i in range(count)]
    register(ledger, tmp_path, homes)
    return homes


def test_a_closed_rounds_figures_stay_as_they_were_when_households_move_later(ward6,
                                                                             tmp_path):
    """From a sweep: after the round closed, a household moved into its group and another
    out, and the closed round's plan, summary and posted outflow statement changed with them
    (eligible 5, Gini 0.2, a household "given nothing" that was never in the round)."""
    ward6("round", "open", "R1", "--from", "KHO", "--item", "RICE", "--ration", "RICE=2",
          "--group", "Tổ 1", "--on", "2021-11-05")
    ward6("round", "apply", "R1", "--plan", plan(ward6, "R1")["plan"])
    ward6("round", "close", "R1", "--on", "2021-11-05")
    reports = [("round", "plan", "R1"), ("round", "summary"), ("round", "outflow", "R1")]
    before = [ward6(*args, "--format", "json").out for args in reports]
    register(ward6, tmp_path, [("B0", "Tổ 1", 2, 1), ("C0", "Tổ 2", 2, 2), ("A1", "Tổ 1", 2, 3)])
    assert [ward6(*args, "--format", "json").out for args in reports] == before
    # a round opened now sees the register as it is
    ward6("round", "open", "R2", "--from", "KHO", "--item", "RICE", "--ration", "RICE=1",
          "--group", "Tổ 1", "--on", "2021-11-12")
    assert sorted(got(plan(ward6, "R2"))) == ["A0", "A1", "B0", "H1"]


def test_goods_of_no_declared_value_are_published_as_0_dong_not_1(ward6):
    """From a sweep: the public outflow statement and the summary printed "value 8 VND" for 8
    cases of noodles that have no declared value (while the drive report said 0): published
    đồng are never invented. The fairness figures still weigh a case as a unit."""
    ward6("item", "add", "MI", "--name", "Mì gói", "--unit", "thùng")
    ward6("donate", "D1", "--into", "KHO", "--item", "MI=8", "--on", "2021-11-02")
    ward6("round", "open", "R1", "--from", "KHO", "--item", "MI", "--ration", "MI=1",
          "--tier", "0", "--on", "2021-11-05")
    ward6("round", "apply", "R1", "--plan", plan(ward6, "R1")["plan"])
    shown = ward6("round", "outflow", "R1", "--format", "json").json()
    assert shown["handed"] == {"MI": 4} and shown["value"] == 0
    rows = ward6("round", "summary", "--format", "json").json()["rows"]
    assert [(r["recipient"], r["planned"], r["target"], r["fill"]) for r in rows] == [
        ("A0", 0, 0, "1.0000"), ("A1", 0, 0, "1.0000")]


@pytest.mark.parametrize("floor", [None, "1"])
def test_three_rounds_with_a_floor_leave_no_household_with_nothing(sqlite_ledger, tmp_path,
                                                                   floor):
    ward = sqlite_ledger
    ward("init", "--ward", "Phường Mẫu", "--on", "2021-11-01")
    ward("item", "add", "RICE", "--name", "Gạo", "--unit", "kg", "--value", "15000")
    ward("location", "add", "KHO", "--name", "Kho")
    ward("donor", "add", "D1", "--name", "Nhà hảo tâm")
    homes = reference_ward(ward, tmp_path)
    targets = sum(2 * size for _, _, size, _ in homes)
    for n, day in enumerate(("2021-11-05", "2021-11-12", "2021-11-19"), start=1):
        ward("donate", "D1", "--into", "KHO", "--item", f"RICE={targets * 2 // 5}",
             "--on", day)
        extra = ["--floor", floor] if floor else []
        ward("round", "open", f"R{n}", "--from", "KHO", "--item", "RICE", "--ration",
             "RICE=2", *extra, "--on", day)
        result = plan(ward, f"R{n}")
        assert result.get("floor") == (int(floor) if floor else None)
        ward("round", "apply", f"R{n}", "--plan", result["plan"])
        ward("round", "close", f"R{n}", "--on", day)
    summary = ward("round", "summary", "--format", "json").json()
    assert summary["rounds"] == ["R1", "R2", "R3"] and summary["households"] == 600
    assert sum(r["received"] for r in summary["rows"]) == 3 * (targets * 2 // 5) * 15000
    tier3 = summary["tiers"]["3"]
    if floor:  # every eligible household got something, priority ones most
        assert summary["priority_with_nothing"] == []
        assert all(t["nothing"] == 0 for t in summary["tiers"].values())
        assert summary["served"] == 600
    else:  # the adversarial case: tier 3 gets nothing in every round
        assert tier3["nothing"] == tier3["households"] > 0 and tier3["min_fill"] == "0.0000"
    assert summary["priority_with_nothing"] == []
    assert summary["gini"] is not None
    table = ward("round", "summary").out
    assert "cumulative Gini of value per person, as planned" in table
    assert "priority households (tiers 0-1) the plans give nothing: 0" in table
    assert "received so far: " in table
    one = ward("round", "summary", "--round", "R2", "--format", "json").json()
    assert one["rounds"] == ["R2"]
    assert ward.fails("round", "summary", "--round", "R9").code == 2


# ---- the public outflow statement ---------------------------------------------------------

def test_outflow_statement_lists_what_each_household_received_without_names(ledger,
                                                                            tmp_path):
    ledger.drive(whole=True)
    result = ledger("round", "outflow", "R1", "--format", "json").json()
    assert result["households"] == 13 and "H04" not in {r["recipient"] for r in result["rows"]}
    assert set(result["handed"]) == {"NOODLE", "FISHSAUCE"}
    assert result["value"] == sum(r["value"] for r in result["rows"])
    assert {tuple(r) for r in result["rows"]} == {
        ("recipient", "group", "tier", "goods", "cash", "value")}
    texts = [ledger("round", "outflow", "R1").out,
             ledger("round", "outflow", "R1", "--format", "csv").out,
             ledger("round", "outflow", "R1", "--format", "html").out,
             ledger("round", "outflow", "R1", "--format", "json").out]
    page = tmp_path / "r1.html"
    ledger("round", "outflow", "R1", "-o", page)
    texts.append(page.read_text(encoding="utf-8"))
    for text in texts:
        assert not [name for name in NAMES if name in text]
    assert "Public outflow statement" in texts[0] and "13 households received" in texts[0]
    value = f"{result['value']:,}".replace(",", ".")  # the Vietnamese way, in the total line
    said = ledger("--lang", "vi", "round", "outflow", "R1").out.splitlines()[-1]
    assert said.startswith("13 hộ đã nhận ") and said.endswith(f"giá trị {value}\u00a0₫"), said
    assert "<table" in texts[4] and "H01" in texts[4]
    bad = ledger.fails("round", "outflow", "R1", "-o", tmp_path / "r1.txt")
    assert bad.code == 2 and bad.err.count("\n") == 1
    for fmt in ("pdf", "xlsx"):  # a file's format without a file: said, not HTML on screen
        bad = ledger.fails("round", "outflow", "R1", "--format", fmt)
        assert bad.code == 2 and "-o FILE.pdf" in bad.err and not bad.out


def test_the_outflow_pages_facts_are_capitalised_alike(ledger, tmp_path):
    """The facts above the outflow statement read as one block in both languages: "Đơn vị",
    "Đợt phát", "Nơi phát", "Ngày phát", "Mã kế hoạch" (the receipt list's own words), never
    "kho", "ngày", "kế hoạch" among them."""
    import re

    ledger.drive(whole=True)
    for lang, expected in (("vi", ["Đơn vị", "Đợt phát", "Nơi phát", "Ngày phát",
                                   "Mã kế hoạch"]),
                           ("en", ["Ward", "Round", "Handed out at", "Date", "Plan"])):
        page = tmp_path / f"outflow-{lang}.html"
        ledger("--lang", lang, "round", "outflow", "R1", "-o", page)
        facts = re.findall(r"<th>([^<]*)</th><td>", page.read_text(encoding="utf-8"))
        assert facts == expected


def test_outflow_on_the_stock_board(sqlite_ledger):
    from tests.commands.test_serve import fetch, serving

    sqlite_ledger.drive(whole=True)
    cli = sqlite_ledger("round", "outflow", "R1", "--format", "json").out
    with serving(sqlite_ledger) as (url, _):
        code, _headers, body = fetch(f"{url}round/R1/outflow")
        assert code == 200 and "H01" in body and "NOODLE" in body
        assert not [name for name in NAMES if name in body]
        code, _headers, served = fetch(f"{url}round/R1/outflow?format=json")
        assert code == 200 and served == cli
        page = fetch(f"{url}round/R1?lang=vi")[2]  # the round's page links to it
        assert 'href="R1/outflow?lang=vi"' in page and "Công khai" in page
        assert "<th>Mã kế hoạch</th>" in page  # capitalised as "Đợt phát" beside it
        assert "<th>Mã kế hoạch</th>" in fetch(f"{url}round/R1/outflow?lang=vi")[2]


# ---- expired stock is never free ----------------------------------------------------------

def test_expired_units_are_not_free_for_the_low_stock_minimum(ward):
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=20", "--expires", "2021-11-10",
         "--on", "2021-11-02")
    ward("item", "threshold", "RICE", "--at", "KHO", "--min", "10", "--on", "2021-11-02")
    # honest: before the lot expires, 20 free, no alert about the minimum
    before = ward("stock", "--as-of", "2021-11-09", "--format", "json").json()
    assert [(r["free"], r["low"]) for r in before] == [(20, False)]
    edge = ward("stock", "--as-of", "2021-11-10", "--format", "json").json()  # its last day
    assert [(r["free"], r["low"]) for r in edge] == [(20, False)]
    # adversarial (finding 4): after it expired, none of it is free, and the minimum says so
    after = ward("stock", "--as-of", "2021-11-11", "--format", "json").json()
    assert [(r["quantity"], r["free"], r["low"]) for r in after] == [(20, 0, True)]
    alerts = ward.fails("alerts", "--as-of", "2021-11-11", "--format", "json").json()
    assert ("low", "RICE", "0 kg free, minimum 10") in {
        (a["kind"], a["item"], a["problem"]) for a in alerts}
    packable = ward("bundle", "packable", "--as-of", "2021-11-11", "--format", "json").json()
    assert packable[0]["packable"] == 0


# ---- finding 7 and the plan table ---------------------------------------------------------

def test_small_things_of_finding_7(ward6, tmp_path):
    ward6("round", "open", "R1", "--from", "KHO", "--item", "RICE", "--ration", "RICE=1",
          "--tier", "0", "--on", "2021-11-05")
    r1 = plan(ward6, "R1")
    ward6("round", "apply", "R1", "--only", "A0", "--plan", r1["plan"])
    # a household that received, then moved group, still counts as served
    ward6("round", "open", "G1", "--from", "KHO", "--item", "RICE", "--ration", "RICE=1",
          "--group", "Tổ 1", "--on", "2021-11-05")
    ward6("round", "apply", "G1", "--only", "C0")
    register(ward6, tmp_path, [("C0", "Tổ 2", 2, 2)])  # moved to Tổ 2 (re-imported)
    moved = plan(ward6, "G1")
    # Tổ 1 is now A0, A1 and H1; C0 left it after receiving and still counts (4, not 3)
    assert got(moved)["C0"] == 2 and moved["figures"]["served"] == 4
    # a closed round's plan is what it handed out: nothing "to hand"
    ward6("round", "close", "R1", "--on", "2021-11-06")
    closed = plan(ward6, "R1")
    assert closed["figures"]["items"]["RICE"]["to_hand"] == 0
    assert got(closed) == {"A0": 2}
    # reopening a closed round says it is closed, not "already open"
    before = ward6.snapshot()
    again = ward6.fails("round", "open", "R1", "--from", "KHO", "--item", "RICE", "--ration",
                        "RICE=1")
    assert again.code == 1 and "was closed and cannot be reopened" in again.err
    # reserving an empty plan says there is nothing to reserve
    ward6("round", "open", "E", "--from", "KHO", "--item", "RICE", "--ration", "RICE=1",
          "--cap", "0", "--on", "2021-11-05")
    empty = ward6.fails("round", "reserve", "E", "--plan", plan(ward6, "E")["plan"])
    assert empty.code == 1 and "nothing to reserve" in empty.err and "holds" not in empty.err
    assert ward6.fails("round", "open", "F", "--from", "KHO", "--item", "RICE", "--ration",
                       "RICE=1", "--floor", "-1").code == 2
    assert len(ward6.snapshot()) == len(before) + 1  # only round E was recorded
    # `aid expiring` states its default
    assert "default: 14" in ward6("expiring", "--help").out
    assert "within 14 days" in ward6("expiring", "--as-of", "2021-11-05").out


def test_the_fast_plan_table_prints_what_the_generic_table_prints():
    from commands.households.rounds import PLAN_COLUMNS, _plan_table
    from commands.output.render import emit

    rng = random.Random(7)
    for _ in range(20):
        rows = [{"recipient": rng.choice(["H1", "Hộ9", "TT01", "X" * rng.randint(1, 14)]),
                 "tier": rng.randint(0, 3), "size": rng.randint(1, 12),
                 "item": rng.choice(["RICE", "B350", "GẠO"]),
                 "target": rng.randint(0, 10**7), "quantity": rng.randint(0, 3000),
                 "handed": rng.randint(0, 3)} for _ in range(rng.randint(1, 60))]
        generic, fast = io.StringIO(), io.StringIO()
        with redirect_stdout(generic):
            emit(rows, "table", PLAN_COLUMNS)
        with redirect_stdout(fast):
            _plan_table(rows, PLAN_COLUMNS)
        assert fast.getvalue() == generic.getvalue()
