"""The 0 đồng shop through the CLI on both backends: vouchers, pick-ups, refusals, reports."""

from __future__ import annotations

import re

import pytest

from ledger.store.access import locate, open_ledger
from ledger.values import voucher_codes as vouchercode

CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{3}-[0-9A-HJKMNP-TV-Z]{3}-[0-9A-HJKMNP-TV-Z]{3}$")


def stocked(ward):
    """KHO gets 100 kg rice and 10 cases of noodles; the shop gets 40 kg and 5 cases."""
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=100", "--item", "NOODLE=10",
         "--on", "2021-11-02")
    ward("transfer", "--from", "KHO", "--to", "SHOP", "--item", "RICE=40", "--item", "NOODLE=5",
         "--on", "2021-11-02")
    return ward


def issue(ward, recipient, *args):
    return ward("voucher", "issue", recipient, "--shop", "SHOP", *args).out.splitlines()[-1]


def stock(ward, *args):
    return {(r["location"], r["item"]): r["quantity"]
            for r in ward("stock", "--format", "json", *args).json()}


def voucher(ward, code, *args):
    return ward("voucher", "show", code, "--format", "json", *args).json()


def test_issue_prints_the_code_alone_on_the_last_line(ward):
    result = ward("voucher", "issue", "H1", "--shop", "SHOP", "--value", "400.000",
                  "--max-items", "5", "--every", "3", "--valid-from", "03/11/2021",
                  "--valid-to", "2021-11-30", "--slot", "Thứ Hai 8–10h", "--on", "2021-11-02")
    lines = result.out.splitlines()
    assert lines[0].endswith(" — recorded entry 10") and lines[0].startswith("voucher issued: ")
    assert CODE.match(lines[-1]) and vouchercode.parse(lines[-1]) == lines[-1]
    card = voucher(ward, lines[-1], "--as-of", "2021-11-05")
    assert card == {
        "code": lines[-1], "recipient": "H1", "shop": "SHOP", "value": 400_000, "used": 0,
        "left": 400_000, "visits": 0, "last_visit": None, "max_items": 5, "every": 3,
        "valid_from": "2021-11-03", "valid_to": "2021-11-30", "slot": "Thứ Hai 8–10h",
        "issued": "2021-11-02", "entry": 10, "status": "live", "cancelled": None,
        "pickups": []}


def test_pickup_takes_shop_stock_and_voucher_value_not_cash(ward):
    stocked(ward)
    code = issue(ward, "H1", "--value", "400000", "--on", "2021-11-03")
    cash_before = ward("cash", "--format", "json").json()
    result = ward("pickup", code.lower().replace("-", ""), "--item", "RICE=10",
                  "--item", "NOODLE=1", "--on", "2021-11-04")
    said = result.out.splitlines()
    assert said[0] == f"voucher {code}: 250,000 đồng of goods, 150,000 đồng left"
    assert len(said) == 2 and said[1].startswith("voucher pick-up: voucher ")
    assert said[1].endswith(", on 4 Nov 2021 — recorded entry 13")
    assert stock(ward) == {("KHO", "RICE"): 60, ("KHO", "NOODLE"): 5, ("SHOP", "RICE"): 30,
                           ("SHOP", "NOODLE"): 4}
    assert ward("cash", "--format", "json").json() == cash_before
    card = voucher(ward, code, "--as-of", "2021-11-04")
    assert (card["used"], card["left"], card["visits"], card["last_visit"]) == (
        250_000, 150_000, 1, "2021-11-04")
    assert card["pickups"] == [{"entry": 13, "on": "2021-11-04", "voucher": code,
                                "recipient": "H1", "shop": "SHOP",
                                "items": {"RICE": 10, "NOODLE": 1}, "value": 250_000,
                                "goods": "RICE 10, NOODLE 1"}]
    kinds = [(line["id"], line["kind"]) for line in ward("history", "--format", "json").json()]
    assert kinds[-2:] == [(12, "voucher"), (13, "pickup")]


def test_shop_price_counts_from_its_date(ward):
    stocked(ward)
    assert ward.entry("shop", "price", "SHOP", "--item", "RICE=20000", "--item", "NOODLE=0",
                      "--on", "2021-11-05") == 12
    code = issue(ward, "H1", "--value", "400000", "--on", "2021-11-03")
    ward("pickup", code, "--item", "RICE=1", "--on", "2021-11-04")  # declared value 15,000
    ward("pickup", code, "--item", "RICE=1", "--item", "NOODLE=2", "--on", "2021-11-05")
    assert [p["value"] for p in voucher(ward, code)["pickups"]] == [15_000, 20_000]
    history = ward("history", "--format", "json").json()
    assert history[11]["kind"] == "price" and history[11]["detail"] == "SHOP RICE 20,000, NOODLE 0"


@pytest.fixture
def shop(ward):
    """A shop with stock, an item without value, a used voucher V and a cancelled voucher C."""
    stocked(ward)
    ward("item", "add", "SOAP", "--name", "Xà phòng", "--unit", "bar")
    ward("adjust", "SHOP", "--item", "SOAP=5", "--reason", "found", "--on", "2021-11-02")
    v = issue(ward, "H1", "--value", "200000", "--max-items", "5", "--every", "3",
              "--valid-from", "2021-11-05", "--valid-to", "2021-11-30", "--on", "2021-11-03")
    ward("pickup", v, "--item", "RICE=2", "--on", "2021-11-10")
    c = issue(ward, "H2", "--value", "100000", "--on", "2021-11-03")
    ward("voucher", "cancel", c, "--reason", "lost", "--on", "2021-11-06")
    ward.v, ward.c = v, c
    return ward


def _mistyped(code):
    wrong = "1" if code[0] != "1" else "2"
    return wrong + code[1:]


REFUSALS = [
    # (name, arguments with {v} and {c} for the vouchers, exit code, message)
    ("unknown voucher", ["pickup", "000-000-000", "--item", "RICE=1", "--on", "2021-11-20"],
     2, "unknown voucher 000-000-000"),
    ("wrong check character", ["pickup", "{mistyped}", "--item", "RICE=1", "--on", "2021-11-20"],
     2, "does not add up"),
    ("not a code", ["pickup", "ABC", "--item", "RICE=1"], 2, "'ABC' is not a voucher code"),
    ("cancelled", ["pickup", "{c}", "--item", "RICE=1", "--on", "2021-11-20"],
     1, "was cancelled on 2021-11-06 (lost)"),
    ("expired", ["pickup", "{v}", "--item", "RICE=1", "--on", "2021-12-01"],
     1, "expired on 2021-11-30"),
    ("not yet valid", ["pickup", "{v}", "--item", "RICE=1", "--on", "2021-11-04"],
     1, "is not valid yet: valid from 2021-11-05"),
    ("value left too small", ["pickup", "{v}", "--item", "RICE=1", "--item", "NOODLE=2",
                              "--on", "2021-11-20"],
     1, "has 170,000 đồng left; this pick-up is worth 215,000 đồng"),
    ("too many items", ["pickup", "{v}", "--item", "RICE=6", "--on", "2021-11-20"],
     1, "allows 5 items a visit; this pick-up has 6"),
    ("too soon after the last visit", ["pickup", "{v}", "--item", "RICE=1", "--on", "2021-11-12"],
     1, "was last used on 2021-11-10: one visit every 3 days, so the next visit is on 2021-11-13"),
    ("too soon before a later visit", ["pickup", "{v}", "--item", "RICE=1", "--on", "2021-11-08"],
     1, "is used on 2021-11-10, fewer than 3 days after 2021-11-08"),
    ("shop lacks stock", ["pickup", "{v}", "--item", "NOODLE=1", "--on", "2021-11-20"],
     1, "not enough NOODLE at SHOP: 0 case available on 2021-11-20 and after, 1 needed; "
        "record the donation or transfer first"),
    ("item without value", ["pickup", "{v}", "--item", "SOAP=1", "--on", "2021-11-20"],
     1, "SOAP has no value at SHOP: set one with `aid shop price SHOP --item SOAP=DONG`"),
    ("unknown item", ["pickup", "{v}", "--item", "RIC=1", "--on", "2021-11-20"],
     2, "unknown item 'RIC'; did you mean RICE"),
    ("a bundle", ["pickup", "{v}", "--item", "B350=1", "--on", "2021-11-20"],
     2, "B350 is a bundle, not an item: the shop hands out items; unpack the bundle first"),
    ("second live voucher", ["voucher", "issue", "H1", "--shop", "SHOP", "--value", "1000",
                             "--on", "2021-11-20"],
     1, "H1 already holds live voucher {v} for SHOP"),
    ("a back-dated voucher overlapping one held then", ["voucher", "issue", "H2", "--shop",
                                                       "SHOP", "--value", "1000", "--on",
                                                       "2021-11-20", "--valid-from", "2021-11-04"],
     1, "H2 already holds live voucher {c} for SHOP"),
    ("vouchers of an unknown shop", ["voucher", "list", "--shop", "NOPE"], 2,
     "'NOPE' is not a 0 đồng shop; shops: SHOP"),  # from a sweep: it said "no vouchers issued"
    ("voucher at a store", ["voucher", "issue", "H2", "--shop", "KHO", "--value", "1000"],
     2, "KHO is a store, not a 0 đồng shop"),
    ("valid-to before valid-from", ["voucher", "issue", "H2", "--shop", "SHOP", "--value", "1000",
                                    "--valid-from", "2021-11-20", "--valid-to", "2021-11-19"],
     2, "--valid-to 2021-11-19 is before the voucher becomes valid (2021-11-20)"),
    ("cancelled twice", ["voucher", "cancel", "{c}", "--reason", "again"],
     1, "was already cancelled on 2021-11-06"),
    ("cancel before a later pick-up", ["voucher", "cancel", "{v}", "--reason", "lost",
                                      "--on", "2021-11-09"],
     1, "was used on 2021-11-10, on or after 2021-11-09: cancel it from a later date"),
    ("price at a store", ["shop", "price", "KHO", "--item", "RICE=1"], 2, "not a 0 đồng shop"),
]


def test_refusals_write_nothing_and_say_which_limit(shop):
    """Every refusal, on one shop (a ward per case would triple the PostgreSQL run time)."""
    shop("give", "H2", "--from", "SHOP", "--item", "NOODLE=5", "--on", "2021-11-02")
    for name, args, code, message in REFUSALS:
        before = shop.snapshot()
        filled = [a.format(v=shop.v, c=shop.c, mistyped=_mistyped(shop.v)) for a in args]
        result = shop.fails(*filled)
        assert (result.code, name) == (code, name), result.err
        assert message.format(v=shop.v, c=shop.c) in result.err, name
        assert len(result.err.strip().splitlines()) == 1, name
        assert shop.snapshot() == before, name


def test_a_reversed_pickup_returns_goods_and_value(shop):
    entry = shop.entry("pickup", shop.v, "--item", "RICE=5", "--on", "2021-11-13")
    assert voucher(shop, shop.v)["left"] == 95_000
    shop("reverse", str(entry), "--reason", "wrong household")
    card = voucher(shop, shop.v)
    assert (card["left"], card["visits"], card["last_visit"]) == (170_000, 1, "2021-11-10")
    assert stock(shop, "--at", "SHOP")[("SHOP", "RICE")] == 38
    shop("pickup", shop.v, "--item", "RICE=5", "--on", "2021-11-14")  # the visit is free again


def test_used_up_voucher_frees_the_household_for_a_new_one(ward):
    stocked(ward)
    code = issue(ward, "H1", "--value", "30000", "--on", "2021-11-03")
    ward("pickup", code, "--item", "RICE=2", "--on", "2021-11-03")
    assert voucher(ward, code, "--as-of", "2021-11-03")["status"] == "used up"
    fresh = issue(ward, "H1", "--value", "30000", "--on", "2021-11-04")
    assert fresh != code
    failed = ward.fails("pickup", code, "--item", "RICE=1", "--on", "2021-11-05")
    assert failed.code == 1 and "has 0 đồng left" in failed.err


def test_a_back_dated_voucher_starts_after_the_one_it_replaces(shop):
    """From a sweep: --valid-from before --on let a household hold two usable vouchers on the
    same days (the live-voucher check looked at the issue day only)."""
    fresh = issue(shop, "H2", "--value", "1000", "--on", "2021-11-20", "--valid-from",
                  "2021-11-07")
    assert voucher(shop, fresh, "--as-of", "2021-11-07")["status"] == "live"
    failed = shop.fails("pickup", shop.c, "--item", "RICE=1", "--on", "2021-11-07")
    assert failed.code == 1 and "was cancelled on 2021-11-06" in failed.err


def test_a_forgotten_household_picks_nothing_up(shop):
    """From a sweep: a pick-up back-dated to before its voucher's cancellation was recorded for
    a household forgotten since; `aid give` already refused it."""
    shop("recipient", "forget", "H2", "--reason", "asked", "--on", "2021-11-20")
    before = shop.snapshot()
    failed = shop.fails("pickup", shop.c, "--item", "RICE=1", "--on", "2021-11-05")
    assert failed.code == 1 and "household H2 was forgotten in entry" in failed.err
    assert shop.snapshot() == before


def test_issue_batch_skips_holders_and_excluded_households(ward):
    ward("recipient", "add", "H3", "--name", "Lê Văn C", "--group", "Tổ 2", "--tier", "1")
    ward("recipient", "add", "H4", "--name", "Phạm Thị D", "--group", "Tổ 2", "--tier", "1")
    held = issue(ward, "H2", "--value", "100000")
    exclude(ward, "H4")
    rows = ward("voucher", "issue-batch", "--shop", "SHOP", "--value", "200000",
                "--tier", "1", "--format", "json").json()
    assert [(r["recipient"], r["skipped"]) for r in rows] == [
        ("H2", f"already holds live voucher {held}"), ("H3", None), ("H4", "excluded")]
    assert CODE.match(rows[1]["code"])
    listed = ward("voucher", "list", "--shop", "SHOP", "--format", "json").json()
    assert sorted((v["recipient"], v["value"]) for v in listed) == [("H2", 100_000),
                                                                   ("H3", 200_000)]
    # a workbook into a missing folder is refused before any voucher is issued
    before = ward.snapshot()
    nowhere = ward.fails("voucher", "issue-batch", "--shop", "SHOP", "--value", "1000",
                         "-o", "/no/such/folder/v.xlsx")
    assert nowhere.code == 2 and "there is no folder /no/such/folder" in nowhere.err
    assert ward.snapshot() == before
    table = ward("voucher", "issue-batch", "--shop", "SHOP", "--value", "1000",
                 "--group", "tổ 1").out
    assert "issued 1 voucher(s) at SHOP" in table and "skipped 0" in table
    assert ward.fails("voucher", "issue-batch", "--shop", "SHOP", "--value", "1",
                      "--group", "Tổ 9").code == 2
    exclude(ward, "H1")
    before = ward.snapshot()
    rows = ward("voucher", "issue-batch", "--shop", "SHOP", "--value", "1000", "--group", "Tổ 1",
                "--format", "json").json()
    assert rows == [{"recipient": "H1", "code": None, "entry": None, "skipped": "excluded"}]
    assert ward.snapshot() == before


def exclude(ward, recipient):
    """Through the command a treasurer uses (the real event, not a stand-in)."""
    ward("recipient", "exclude", recipient, "--reason", "another programme covers it",
         "--on", "2021-11-02")


def test_shop_report_as_of_a_date(shop):
    shop("pickup", shop.v, "--item", "NOODLE=1", "--on", "2021-11-13")
    report = shop("shop", "report", "SHOP", "--as-of", "2021-11-12", "--format", "json").json()
    assert report["stock"] == [
        {"location": "SHOP", "item": "NOODLE", "name": "Mì gói", "unit": "case", "quantity": 5},
        {"location": "SHOP", "item": "RICE", "name": "Gạo", "unit": "kg", "quantity": 38},
        {"location": "SHOP", "item": "SOAP", "name": "Xà phòng", "unit": "bar", "quantity": 5}]
    assert [p["entry"] for p in report["pickups"]] == [15]
    assert report["given"] == [{"item": "RICE", "name": "Gạo", "unit": "kg", "quantity": 2}]
    assert report["value_given"] == 30_000
    assert report["vouchers"] == {"issued": 2, "used": 1, "unused": 1, "live": 1,
                                  "not_yet_valid": 0, "used_up": 0, "expired": 0,
                                  "cancelled": 1, "value_issued": 300_000,
                                  "value_left": 170_000}
    now = shop("shop", "report", "SHOP", "--format", "json").json()
    assert now["value_given"] == 130_000 and now["vouchers"]["expired"] == 1
    table = shop("shop", "report", "SHOP").out
    # two breakdowns, each adding up to the issued vouchers (a sweep read the status one
    # bracketed after "1 unused", as if it broke the unused vouchers down)
    assert ("Vouchers: 2 issued; by status: 0 live, 0 not yet valid, 0 used up, 1 expired, "
            "1 cancelled; by use: 1 used at least once, 1 never used") in table
    assert ("Phiếu mua hàng: đã cấp 2; theo tình trạng: còn hiệu lực 0, chưa đến ngày dùng 0, "
            "đã dùng hết 0, hết hạn 1, đã hủy 1; theo lượt dùng: đã dùng ít nhất một lần 1, chưa "
            "dùng lần nào 1") in shop("--lang", "vi", "shop", "report", "SHOP").out
    assert shop("shop", "report", "SHOP", "--format", "csv").out.splitlines()[0] == (
        "entry,on,voucher,recipient,goods,value")
    assert shop.fails("shop", "report", "KHO").code == 2


def test_shop_stock_is_counted_like_any_location(shop):
    shop("count", "SHOP", "--item", "RICE=38", "--on", "2021-11-20")
    failed = shop.fails("count", "SHOP", "--item", "RICE=40", "--on", "2021-11-20")
    assert failed.code == 1 and "books say 38" in failed.err


def test_concurrent_pickups_never_overspend_a_voucher(ward):
    """Four tills spend one voucher at once: exactly what the value allows goes through."""
    from concurrent.futures import ThreadPoolExecutor

    from ledger.errors import Refused
    from ledger.ward import vouchers

    stocked(ward)
    code = issue(ward, "H1", "--value", "90000", "--on", "2021-11-03")

    tills = [open_ledger(locate(environ=ward.env)) for _ in range(4)]  # opened one by one

    def till(ledger):
        taken = 0
        try:
            for _ in range(3):
                try:
                    vouchers.pickup(ledger, code, {"RICE": 1}, "2021-11-04", "till")
                    taken += 1
                except Refused:
                    pass
        finally:
            ledger.close()
        return taken

    with ThreadPoolExecutor(4) as pool:
        assert sum(pool.map(till, tills)) == 6
    assert voucher(ward, code)["left"] == 0
    assert stock(ward, "--at", "SHOP")[("SHOP", "RICE")] == 34


def test_a_ward_snapshotted_before_item_values_were_kept_still_prices(ward):
    from ledger.ward import vouchers

    stocked(ward)
    code = issue(ward, "H1", "--value", "90000", "--on", "2021-11-03")
    ledger = open_ledger(locate(environ=ward.env))
    fresh = ledger.ward

    def stale():
        old = fresh()
        old.__dict__.pop("values", None)
        return old

    ledger.ward = stale
    try:
        assert vouchers.pickup(ledger, code, {"RICE": 2}, "2021-11-04", "t").value == 30_000
    finally:
        ledger.close()


def test_demo_has_a_shop_with_vouchers_and_pickups(tmp_path, sqlite_ledger):
    path = tmp_path / "demo.db"
    sqlite_ledger("demo", "--db", path)
    report = sqlite_ledger("shop", "report", "SHOP0D", "--db", path, "--as-of", "2021-11-30",
                           "--format", "json").json()
    assert report["vouchers"]["issued"] == 3 and report["vouchers"]["used"] == 2
    assert report["value_given"] == 400_000
    assert [(p["recipient"], p["value"]) for p in report["pickups"]] == [
        ("H01", 120_000), ("H02", 150_000), ("H01", 130_000)]


def test_vouchers_survive_the_ward_snapshot(ward):
    """Past 100 entries the ward loads from a snapshot; voucher use must come back exact."""
    from ledger.ward import vouchers

    stocked(ward)
    code = issue(ward, "H1", "--value", "1000000", "--on", "2021-11-03")
    ledger = open_ledger(locate(environ=ward.env))
    try:
        vouchers.pickup(ledger, code, {"RICE": 2}, "2021-11-03", "t")
        for _ in range(95):
            ledger.adjust("KHO", {"RICE": 1}, "found", "2021-11-03", "t")
        assert ledger.snapshots is not None
        assert list(ledger.snapshots.get(ledger.ward().id))  # taken at entry 100
        receipt = vouchers.pickup(ledger, code, {"NOODLE": 1}, "2021-11-03", "t")
    finally:
        ledger.close()
    assert (receipt.entry, receipt.left) == (109, 870_000)
    assert voucher(ward, code)["left"] == 870_000


def test_a_back_dated_visit_between_two_visits_names_both(shop):
    """From a sweep: a visit squeezed between two was told 'the next visit is on' a day
    already used."""
    shop("pickup", shop.v, "--item", "RICE=1", "--on", "2021-11-14")
    before = shop.snapshot()
    said = shop.fails("pickup", shop.v, "--item", "RICE=1", "--on", "2021-11-12")
    assert said.code == 1 and ("was used on 2021-11-10 and on 2021-11-14: with one visit every "
                               "3 days there is no room for a visit on 2021-11-12") in said.err
    assert shop.snapshot() == before


def test_the_shop_report_lists_pick_ups_as_the_days_went(shop):
    """From a sweep: a back-dated pick-up was listed after later ones (by entry, not day)."""
    shop("pickup", shop.v, "--item", "RICE=1", "--on", "2021-11-20")
    shop("pickup", shop.v, "--item", "RICE=1", "--on", "2021-11-15")  # recorded late
    days = [p["on"] for p in shop("shop", "report", "SHOP", "--format", "json").json()["pickups"]]
    assert days == ["2021-11-10", "2021-11-15", "2021-11-20"]
