"""Distribution rounds through the CLI: open, plan, sheet, apply, status, close, refusals."""

from __future__ import annotations

import re

import pytest

from commands.language.words import day
from ledger.store.access import locate, open_log

HOUSEHOLDS = """code,name,group,size,tier,excluded
H3,Lê Thị Cúc,Tổ 2,1,0,
H4,Phạm Văn Dũng,Tổ 2,5,1,
H5,Võ Thị Em,Tổ 3,3,2,yes
"""


@pytest.fixture
def drive(ward, tmp_path):
    """The ward plus three imported households (one excluded), stock, 3 bundles and round R1.

    Eligible: H1 (4 people, tier 3), H2 (2, tier 1), H3 (1, tier 0), H4 (5, tier 1).
    """
    path = tmp_path / "households.csv"
    path.write_text(HOUSEHOLDS, encoding="utf-8")
    ward("recipient", "import", path, "--on", "2021-11-02")
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=100", "--item", "NOODLE=10",
         "--cash", "1000000", "--on", "2021-11-02")
    ward("pack", "B350", "--count", "3", "--at", "KHO", "--on", "2021-11-03")
    ward("round", "open", "R1", "--from", "KHO", "--bundle", "B350", "--item", "RICE",
         "--ration", "RICE=5", "--on", "2021-11-05")
    return ward


def plan(ledger, name="R1"):
    return ledger("round", "plan", name, "--format", "json").json()


def shares(result):
    return {(a["recipient"], a["item"]): a["quantity"] for a in result["allocations"]}


def stock(ledger):
    return {(r["location"], r["item"]): r["quantity"]
            for r in ledger("stock", "--format", "json").json()}


def round_handouts(ledger):
    log = open_log(locate(environ=ledger.env))
    try:
        return [(r.version, r.data["recipient"], r.data["round"], r.data["plan"], r.data["on"])
                for r in log.read() if r.name == "Ward.HandedOut" and r.data.get("round")]
    finally:
        log.close()


def test_tiered_plan_with_exact_figures(drive):
    result = plan(drive)
    assert shares(result) == {
        ("H1", "RICE"): 20, ("H2", "B350"): 1, ("H2", "RICE"): 10, ("H3", "B350"): 1,
        ("H3", "RICE"): 5, ("H4", "B350"): 1, ("H4", "RICE"): 25}
    assert result["allocations"][0] == {"recipient": "H1", "tier": 3, "size": 4, "item": "RICE",
                                        "target": 20, "quantity": 20, "handed": 0}
    f = result["figures"]
    assert (f["eligible"], f["served"], f["left"]) == (4, 4, {"B350": 0, "RICE": 10})
    assert f["items"]["B350"] == {"stock": 3, "handed": 0, "to_hand": 3, "left": 0,
                                  "targets": 5, "min_fill": "0.0000"}
    assert f["items"]["RICE"]["min_fill"] == "1.0000"
    # per-person value (đồng): 75,000; 250,000; 425,000; 145,000 -> Gini 0.3226
    assert f["gini"] == "0.3226"
    assert f["lower_tier_while_unmet"] == 0 and f["min_fill"] == "0.0000"
    assert f["tiers"]["0"] == {"label": "F0/F1 quarantined, elderly alone, disabled",
                               "eligible": 1, "full": 1, "partial": 0, "nothing": 0,
                               "excluded": 0}
    assert f["tiers"]["1"] | {"label": ""} == {"label": "", "eligible": 2, "full": 1,
                                               "partial": 1, "nothing": 0, "excluded": 0}
    assert f["tiers"]["2"]["excluded"] == 1 and f["tiers"]["3"]["partial"] == 1
    assert len(result["plan"]) == 64 and result["notes"] == []


def test_plan_table_and_csv_print_the_figures(drive):
    table = drive("round", "plan", "R1").out
    assert "Round R1 · from KHO on 2021-11-05 · policy tiered · open · plan " in table
    for text in ("households served: 4 of 4 eligible (100%)", "Gini of value per person: 0.3226",
                 "units to a lower tier while a higher tier was short: 0",
                 "left over: B350 0, RICE 10", "To record it: aid round apply R1 --plan "):
        assert text in table
    csv = drive("round", "plan", "R1", "--format", "csv")
    assert csv.out.splitlines()[0] == "recipient,tier,size,item,target,quantity,handed"
    assert "H4,1,5,B350,2,1,0" in csv.out
    assert "# Gini of value per person: 0.3226" in csv.err


def test_same_events_give_byte_identical_plans(drive):
    first = drive("round", "plan", "R1", "--format", "json").out
    assert drive("round", "plan", "R1", "--format", "json").out == first


def test_apply_except_then_the_rest_and_status(drive):
    digest = plan(drive)["plan"]
    out = drive("round", "apply", "R1", "--except", "H4", "--plan", digest[:12]).out
    assert out == f"recorded entries 17–19: 3 hand-outs of round R1 (plan {digest[:12]})\n"
    assert round_handouts(drive) == [(17, "H1", "R1", digest, "2021-11-05"),
                                     (18, "H2", "R1", digest, "2021-11-05"),
                                     (19, "H3", "R1", digest, "2021-11-05")]
    assert stock(drive)[("KHO", "B350")] == 1 and stock(drive)[("KHO", "RICE")] == 35
    status = drive("round", "status", "R1", "--format", "json").json()
    assert status["not_received"] == ["H4"] and status["received"] == 3
    assert status["households"][-1] == {"recipient": "H4", "tier": 1, "size": 5,
                                        "planned": {"B350": 1, "RICE": 25},
                                        "handed": {"B350": 0, "RICE": 0}, "status": "not yet"}
    table = drive("round", "status", "R1").out
    assert "3 of 4 households received; not yet: H4" in table
    assert plan(drive)["plan"] == digest  # the rest of the same plan
    out = drive("round", "apply", "R1", "--only", "H4", "--on", "2021-11-06").out
    assert out == f"recorded entry 20: 1 hand-out of round R1 (plan {digest[:12]})\n"
    assert round_handouts(drive)[-1] == (20, "H4", "R1", digest, "2021-11-06")
    assert "4 of 4 households received; none waiting" in drive("round", "status", "R1").out
    before = drive.snapshot()
    again = drive.fails("round", "apply", "R1")
    assert again.code == 1
    assert again.err == ("aid: nothing left to hand out in round R1 for the households chosen; "
                         "see `aid round status R1`\n")
    assert drive.snapshot() == before
    assert "to H4 (round R1)" in drive("history").out


def test_apply_refuses_a_plan_that_changed_since_it_was_shown(drive):
    shown = plan(drive)["plan"]
    drive("adjust", "KHO", "--item", "RICE=-40", "--reason", "ẩm mốc", "--on", "2021-11-04")
    before = drive.snapshot()
    result = drive.fails("round", "apply", "R1", "--plan", shown[:12])
    assert result.code == 1
    fresh = plan(drive)["plan"]
    assert result.err == (f"aid: the plan of round R1 is now {fresh[:12]}, not {shown[:12]}: the "
                          "ledger changed since that plan was shown, or its hash was mistyped; "
                          "run `aid round plan R1` again and give the hash it shows\n")
    assert drive.snapshot() == before
    short = drive.fails("round", "apply", "R1", "--plan", "abc")
    assert short.code == 2 and "at least the first 8 characters" in short.err
    assert drive.snapshot() == before


def test_apply_refusals_leave_the_ledger_unchanged(drive):
    before = drive.snapshot()
    for args, code, message in (
        (("R9",), 2, "unknown round 'R9'; did you mean R1? (open one with `aid round open`)"),
        (("R1", "--only", "H9"), 2, "unknown recipient 'H9'"),
        (("R1", "--on", "2021-11-01"), 2, "cannot be dated before it opened (2021-11-05)"),
        (("R1", "--only", "H5"), 1, "round R1's plan hands nothing to H5 (excluded"),
        # from a sweep: with one household the plan serves, the other was passed over unsaid
        (("R1", "--only", "H4", "--only", "H5"), 1, "round R1's plan hands nothing to H5"),
    ):
        result = drive.fails("round", "apply", *args)
        assert result.code == code and message in result.err, result.err
    assert drive.snapshot() == before


def test_close_keeps_stock_and_refuses_later_hand_outs(drive):
    drive("round", "apply", "R1", "--only", "H3", "--on", "2021-11-06")
    drive("round", "open", "R2", "--from", "KHO", "--item", "RICE", "--ration", "RICE=1",
          "--on", "2021-11-05")
    before = drive.snapshot()
    for name, early, said in (
            ("R2", "2021-11-01", "round R2 opened on 2021-11-05: close it on that day"),
            ("R1", "2021-11-05", "round R1 handed out on 2021-11-06: close it on that day")):
        result = drive.fails("round", "close", name, "--on", early)  # a close dated too early
        assert result.code == 2 and said in result.err, result.err
    assert drive.snapshot() == before
    left = stock(drive)
    assert drive.entry("round", "close", "R1", "--on", "2021-11-07") == 19  # R2 opened: 18
    assert stock(drive) == left
    before = drive.snapshot()
    for args in (("apply", "R1"), ("close", "R1")):
        result = drive.fails("round", *args)
        assert (result.code, result.err) == (
            1, "aid: round R1 is closed; open a new round to hand out more\n")
    assert drive.snapshot() == before
    result = plan(drive)
    assert result["closed"] == "2021-11-07"
    drive("round", "close", "R2", "--on", "2021-11-05")  # the edge: closed the day it opened
    assert "round R1 was closed on 2021-11-07" in result["notes"][0]
    assert "closed 2021-11-07" in drive("round", "status", "R1").out


def test_open_refusals(drive):
    before = drive.snapshot()
    for args, code, message in (
        (("R1", "--from", "KHO", "--bundle", "B350"), 1, "round R1 is already open"),
        (("R2", "--from", "KHO", "--item", "RIC", "--ration", "RIC=1"), 2,
         "unknown item 'RIC'; did you mean RICE?"),
        (("R2", "--from", "KHO", "--item", "B350"), 2, "B350 is a bundle, not an item"),
        (("R2", "--from", "KHO", "--bundle", "RICE"), 2, "RICE is an item, not a bundle"),
        (("R2", "--from", "KHO", "--item", "RICE"), 2, "needs --ration RICE=QTY"),
        (("R2", "--from", "KHO", "--bundle", "B350", "--ration", "RICE=2"), 2,
         "--ration RICE names no --item"),
        (("R2", "--from", "KHOO", "--bundle", "B350"), 2, "unknown location 'KHOO'"),
        (("R2", "--from", "KHO"), 2, "at least one --bundle CODE or --item CODE"),
        (("R2", "--from", "KHO", "--bundle", "B350", "--cap", "-1"), 2, "--cap"),
        (("R2", "--from", "KHO", "--bundle", "B350", "--tier", "7"), 2, "--tier must be"),
        (("R2", "--from", "KHO", "--bundle", "B350", "--persons-per-bundle", "0"), 2,
         "--persons-per-bundle must be positive"),
        (("R2", "--from", "KHO", "--bundle", "B350", "--policy", "random"), 2, "--policy"),
        (("r1", "--from", "KHO", "--bundle", "B350"), 2,
         "round code 'r1' differs from round R1 only in case"),
    ):
        result = drive.fails("round", "open", *args)
        assert result.code == code and message in result.err, (args, result.err)
    assert drive.snapshot() == before


def test_zero_stock_no_eligible_household_and_cap_zero(drive):
    drive("round", "open", "NOODLES", "--from", "SHOP", "--item", "NOODLE",
          "--ration", "NOODLE=1", "--on", "2021-11-05")
    empty = plan(drive, "NOODLES")
    assert empty["allocations"] == [] and empty["figures"]["gini"] is None
    assert empty["figures"]["served"] == 0 and empty["figures"]["left"] == {"NOODLE": 0}
    assert empty["notes"] == ["no NOODLE available at SHOP on 2021-11-05: nothing of it to "
                              "allocate"]
    assert "Gini of value per person: n/a" in drive("round", "plan", "NOODLES").out
    before = drive.snapshot()
    assert drive.fails("round", "apply", "NOODLES").code == 1
    assert drive.snapshot() == before

    before = drive.snapshot()  # a group no household is in is a typo, not an empty round
    refused = drive.fails("round", "open", "T9", "--from", "KHO", "--bundle", "B350",
                          "--group", "Tổ 9")
    assert refused.code == 2 and refused.err.count("\n") == 1
    assert "no household is in group 'Tổ 9'; did you mean" in refused.err
    assert drive.snapshot() == before
    drive("round", "open", "T9", "--from", "KHO", "--bundle", "B350", "--group", "Tổ 3")
    nobody = plan(drive, "T9")  # its only household is excluded
    assert nobody["allocations"] == [] and nobody["figures"]["eligible"] == 0
    assert nobody["notes"][0].startswith("no eligible household")

    drive("round", "open", "CAP0", "--from", "KHO", "--bundle", "B350", "--cap", "0")
    capped = plan(drive, "CAP0")
    assert capped["allocations"] == [] and capped["figures"]["left"] == {"B350": 3}
    assert "--cap is 0: every target is 0, so nothing is allocated" in capped["notes"]
    assert capped["figures"]["tiers"]["1"]["nothing"] == 2


def test_filters_and_the_excluded_household(drive):
    drive("round", "open", "G2", "--from", "KHO", "--item", "RICE", "--ration", "RICE=2",
          "--group", "to 2", "--tier", "1")
    assert shares(plan(drive, "G2")) == {("H2", "RICE"): 4, ("H4", "RICE"): 10}
    drive("recipient", "include", "H5", "--reason", "no longer covered")
    drive("round", "open", "G3", "--from", "KHO", "--item", "RICE", "--ration", "RICE=1",
          "--group", "Tổ 3")
    assert shares(plan(drive, "G3")) == {("H5", "RICE"): 3}


def test_more_households_than_units_and_earlier_rounds_break_ties(drive, tmp_path):
    path = tmp_path / "twins.csv"
    path.write_text("code,name,group,size,tier\nT1,Một,Tổ 5,2,0\nT2,Hai,Tổ 5,2,0\n",
                    encoding="utf-8")
    drive("recipient", "import", path)
    drive("round", "open", "R0", "--from", "KHO", "--item", "RICE", "--ration", "RICE=1",
          "--group", "Tổ 5", "--on", "2021-11-05")
    drive("round", "apply", "R0")
    drive("round", "open", "R2", "--from", "KHO", "--bundle", "B350", "--group", "Tổ 5",
          "--on", "2021-11-05")
    drive("adjust", "KHO", "--item", "RICE=20", "--reason", "found")
    # one bundle for two equal households: the sha256 order picks one...
    drive("unpack", "B350", "--count", "2", "--at", "KHO", "--on", "2021-11-04")
    result = plan(drive, "R2")
    assert sum(shares(result).values()) == 1 and result["figures"]["served"] == 1
    # ...unless one received less per person in earlier rounds
    drive("round", "open", "R3", "--from", "KHO", "--item", "RICE", "--ration", "RICE=1",
          "--group", "Tổ 5", "--on", "2021-11-05")
    drive("round", "apply", "R3", "--only", "T1")
    drive("round", "open", "R4", "--from", "KHO", "--bundle", "B350", "--group", "Tổ 5",
          "--on", "2021-11-05")
    assert shares(plan(drive, "R4")) == {("T2", "B350"): 1}


def test_equal_and_per_capita_policies(drive):
    drive("round", "open", "EQ", "--from", "KHO", "--item", "RICE", "--ration", "RICE=3",
          "--policy", "equal")
    assert shares(plan(drive, "EQ")) == {(h, "RICE"): 3 for h in ("H1", "H2", "H3", "H4")}
    drive("round", "open", "PC", "--from", "KHO", "--bundle", "B350", "--policy", "per-capita")
    result = plan(drive, "PC")
    drive("round", "open", "PC2", "--from", "KHO", "--bundle", "B350", "--policy",
          "theo nhân khẩu")  # as the Vietnamese help and plan name it
    drive("round", "open", "EQ2", "--from", "KHO", "--item", "RICE", "--ration", "RICE=3",
          "--policy", "Chia deu")
    assert plan(drive, "PC2")["policy"] == "per-capita" and plan(drive, "EQ2")["policy"] == "equal"
    assert sum(shares(result).values()) == 3
    assert result["figures"]["lower_tier_while_unmet"] == 1  # H1 (tier 3) shares with tier 1


def test_receipt_sheet_csv_and_self_contained_html(drive):
    csv = drive("round", "sheet", "R1", "--format", "csv").out.splitlines()
    assert csv[0] == "no,code,name,group,size,B350,RICE,handed,signature"
    assert csv[1:] == ["1,H1,Nguyễn Văn A,Tổ 1,4,,20,,", "2,H3,Lê Thị Cúc,Tổ 2,1,1,5,,",
                       "3,H4,Phạm Văn Dũng,Tổ 2,5,1,25,,", "4,H2,Trần Thị B,Tổ 2,2,1,10,,"]
    html = drive("round", "sheet", "R1", "--lang", "vi").out
    assert html.startswith("<!doctype html>") and "size: A4" in html
    assert "Phạm Văn Dũng" in html and "Danh sách ký nhận" in html and "Phường 3" in html
    assert "http" not in html and "<script" not in html and "src=" not in html
    drive("round", "apply", "R1", "--only", "H2")
    assert "1,H1,Nguyễn Văn A,Tổ 1,4,,20,," in drive("round", "sheet", "R1", "--format", "csv").out
    assert "4,H2,Trần Thị B,Tổ 2,2,1,10,yes," in drive("round", "sheet", "R1", "--format",
                                                      "csv").out


def test_sheet_to_a_file(drive, tmp_path):
    target = tmp_path / "ky-nhan.html"
    assert drive("round", "sheet", "R1", "-o", target).out == f"wrote {target} (4 households)\n"
    assert "Lê Thị Cúc" in target.read_text(encoding="utf-8")
    listed = tmp_path / "ky-nhan.csv"
    assert drive("round", "sheet", "R1", "-o", listed).out == f"wrote {listed} (4 households)\n"
    assert listed.read_text(encoding="utf-8") == drive("round", "sheet", "R1", "--format",
                                                       "csv").out


def rows_of(html):
    """The receipt list's households (one body per tổ, its heading and subtotal left out),
    as the text of their cells."""
    body = "".join(re.findall(r"<tbody[^>]*>(.*?)</tbody>", html, re.S))
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body)]


def test_receipt_list_is_the_shared_a4_page_with_a_column_to_sign(drive):
    drive("round", "apply", "R1", "--only", "H2")
    html = drive("round", "sheet", "R1", "--lang", "vi").out
    plan_id = plan(drive)["plan"][:12]
    assert "counter(page)" in html and "counter(pages)" in html and "size: A4" in html
    assert "@media print" in html
    assert "http" not in html and "<script" not in html and "<link" not in html
    assert '<th class="sign">Ký nhận</th>' in html
    for fact in ("Phường 3", "R1", "KHO — Kho phường", "05/11/2021", plan_id):
        assert f"<td>{fact}</td>" in html
    head = html.split("<thead>")[1].split("</thead>")[0]
    assert [re.sub(r"<br>", " ", h) for h in re.findall(r"<th[^>]*>(.*?)</th>", head)] == [
        "STT", "Mã hộ", "Họ và tên", "Số người", "Phần quà 350.000 ₫", "Gạo (kg)", "Tiền mặt",
        "Ghi chú", "Ký nhận"]  # the tổ: a heading each
    money = "100.000\xa0₫"
    assert rows_of(html) == [  # by group, then name; one empty cell to sign on each row
        ["1", "H1", "Nguyễn Văn A", "4", "", "20", "", "", ""],
        ["2", "H3", "Lê Thị Cúc", "1", "1", "5", money, "", ""],
        ["3", "H4", "Phạm Văn Dũng", "5", "1", "25", money, "", ""],
        ["4", "H2", "Trần Thị B", "2", "1", "10", money, "đã nhận", ""]]
    assert '<tr class="group"><th colspan="9">Tổ 2</th></tr>' in html
    assert re.search(r'<tr class="total">.*?>Tổng cộng \(4 hộ\)</td>.*?>12</td>'
                     r'.*?>3</td>.*?>60</td>.*?>300.000\xa0₫</td>', html)
    for signer in ("Người lập danh sách", "Trưởng ban"):
        assert f"<strong>{signer}</strong>" in html
    assert "Thủ quỹ" not in html and "Phường 3, ngày 05 tháng 11 năm 2021" in html


def test_receipt_list_in_english(drive):
    drive("round", "apply", "R1", "--only", "H2")
    html = drive("round", "sheet", "R1", "--lang", "en").out
    assert '<html lang="en">' in html and "Signed receipt list — round R1" in html
    assert '<th class="sign">Signature (ký nhận)</th>' in html
    assert '"Page " counter(page)' in html and f"<td>{day('2021-11-05', 'en')}</td>" in html
    assert rows_of(html)[3] == ["4", "H2", "Trần Thị B", "2", "1", "10",
                                "100,000 VND", "received", ""]
    assert "Head of the board (trưởng ban)" in html and "đã nhận" not in html
    assert html == drive("round", "sheet", "R1", "--format", "html", "--lang", "en").out


def test_receipt_list_with_an_unknown_suffix_is_refused_in_one_line(drive, tmp_path):
    for name in ("ky-nhan.txt", "ky-nhan.docx", "ky-nhan"):
        refused = drive.fails("round", "sheet", "R1", "--output", tmp_path / name)
        assert refused.code == 2 and refused.out == ""
        assert len(refused.err.strip().splitlines()) == 1
        assert f"'{name}' must end in .html, .pdf, .csv or .xlsx" in refused.err
    refused = drive.fails("round", "sheet", "R1", "--lang", "fr")
    assert refused.code == 2 and "--lang 'fr' is not a language" in refused.err
    assert list(tmp_path.glob("ky-nhan*")) == []


def test_history_names_round_entries(drive):
    lines = drive("history", "--format", "json").json()
    assert lines[-1]["kind"] == "round open" and lines[-1]["detail"] == "R1 from KHO, tiered"


def test_reading_plans_and_the_register_does_not_import_the_event_store(drive):
    import os

    from tests.test_startup import modules

    env = {**os.environ, **drive.env}
    for args in (("round", "plan", "R1", "--format", "json"), ("round", "status", "R1"),
                 ("round", "sheet", "R1"), ("recipient", "list"), ("tier", "list")):
        assert "eventsourcing" not in modules(*args, env=env), args


def test_demo_includes_a_round(sqlite_ledger, tmp_path):
    path = tmp_path / "demo.db"
    sqlite_ledger("demo", "--db", path)
    status = sqlite_ledger("round", "status", "R1", "--db", path, "--format", "json").json()
    assert status["not_received"] == ["H04"] and status["received"] == 13
    result = sqlite_ledger("round", "plan", "R1", "--db", path, "--format", "json").json()
    assert result["figures"]["lower_tier_while_unmet"] == 0
    assert result["figures"]["tiers"]["1"]["label"] == "Hộ nghèo, cận nghèo"


def test_the_summary_counts_goods_of_no_declared_value_and_says_what_was_received(drive):
    """From a sweep: an item declared without value made its households "nothing"; figures of
    the plans were labelled as served and received."""
    drive("item", "add", "SOAP", "--name", "Xà phòng", "--unit", "bánh", "--value", "0")
    drive("donate", "D1", "--into", "KHO", "--item", "SOAP=20", "--on", "2021-11-05")
    drive("round", "open", "S1", "--from", "KHO", "--item", "SOAP", "--ration", "SOAP=1",
          "--on", "2021-11-06")
    drive("round", "apply", "S1", "--only", "H3")
    result = drive("round", "summary", "--round", "S1", "--format", "json").json()
    assert result["served"] == result["households"] == 4  # planned soap, worth 0 đồng
    assert result["households_received"] == 1 and result["priority_with_nothing"] == []
    said = drive("round", "summary", "--round", "S1").out
    assert "households the plans serve: 4 of 4 eligible; received so far: 1" in said
