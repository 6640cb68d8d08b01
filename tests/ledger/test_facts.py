"""Every fact through the CLI, with exact stock and cash figures afterwards."""

from __future__ import annotations


def stock(ledger, *args):
    return {(r["location"], r["item"]): r["quantity"]
            for r in ledger("stock", "--format", "json", *args).json()}


def cash(ledger, *args):
    return ledger("cash", "--format", "json", *args).json()


def test_donation_of_goods_and_cash(ward):
    entry = ward.entry("donate", "D1", "--into", "KHO", "--item", "RICE=500",
                       "--item", "NOODLE=30", "--cash", "10.000.000", "--receipt", "R1",
                       "--on", "17/11/2021")
    assert entry == 10
    assert stock(ward) == {("KHO", "RICE"): 500, ("KHO", "NOODLE"): 30}
    assert cash(ward) == {"received": 10_000_000, "spent": 0, "given": 0, "packed": 0,
                          "balance": 10_000_000}


def test_stock_json_shape_is_sorted_and_names_units(ward):
    ward("donate", "D1", "--into", "SHOP", "--item", "RICE=5")
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=7", "--item", "NOODLE=2")
    rows = ward("stock", "--format", "json").json()
    planning = {"reserved": 0, "minimum": None, "low": False}  # issue 16 added these fields
    assert rows == [
        {"location": "KHO", "item": "NOODLE", "name": "Mì gói", "unit": "case", "quantity": 2,
         "free": 2, **planning},
        {"location": "KHO", "item": "RICE", "name": "Gạo", "unit": "kg", "quantity": 7,
         "free": 7, **planning},
        {"location": "SHOP", "item": "RICE", "name": "Gạo", "unit": "kg", "quantity": 5,
         "free": 5, **planning},
    ]


def test_purchase_spends_the_fund(ward):
    ward("donate", "D1", "--into", "KHO", "--cash", "2000000")
    ward("buy", "--into", "KHO", "--cash", "1500000", "--item", "RICE=100", "--supplier", "Chợ")
    assert stock(ward) == {("KHO", "RICE"): 100}
    assert cash(ward) == {"received": 2_000_000, "spent": 1_500_000, "given": 0, "packed": 0,
                          "balance": 500_000}


def test_pack_and_give_bundles_move_items_and_cash(ward):
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=130", "--item", "NOODLE=12",
         "--cash", "1500000")
    ward("pack", "B350", "--count", "12", "--at", "KHO")
    assert stock(ward) == {("KHO", "RICE"): 10, ("KHO", "B350"): 12}
    assert cash(ward)["packed"] == 1_200_000
    ward("give", "H1", "--from", "KHO", "--bundle", "B350=2", "--cash", "50000")
    assert stock(ward)[("KHO", "B350")] == 10
    assert cash(ward) == {"received": 1_500_000, "spent": 0, "given": 250_000,
                          "packed": 1_000_000, "balance": 250_000}
    ward("unpack", "B350", "--count", "3", "--at", "KHO")
    assert stock(ward) == {("KHO", "RICE"): 40, ("KHO", "NOODLE"): 3, ("KHO", "B350"): 7}
    assert cash(ward)["packed"] == 700_000 and cash(ward)["balance"] == 550_000


def test_give_loose_items(ward):
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=50")
    ward("give", "H2", "--from", "KHO", "--item", "RICE=20")
    assert stock(ward) == {("KHO", "RICE"): 30}


def test_transfer_to_the_zero_dong_shop(ward):
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=50")
    ward("transfer", "--from", "KHO", "--to", "SHOP", "--item", "RICE=20")
    assert stock(ward) == {("KHO", "RICE"): 30, ("SHOP", "RICE"): 20}
    assert stock(ward, "--at", "SHOP") == {("SHOP", "RICE"): 20}


def test_adjust_with_reason_both_ways(ward):
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=50")
    ward("adjust", "KHO", "--item", "RICE=-5", "--reason", "spoiled")
    ward("adjust", "KHO", "--item", "NOODLE=2", "--reason", "found")
    assert stock(ward) == {("KHO", "RICE"): 45, ("KHO", "NOODLE"): 2}


def test_count_that_matches_is_recorded_without_change(ward):
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=50")
    entry = ward.entry("count", "KHO", "--item", "RICE=50")
    assert stock(ward) == {("KHO", "RICE"): 50}
    kinds = {e["id"]: e["kind"] for e in ward("history", "--format", "json").json()}
    assert kinds[entry] == "count"


def test_count_with_variance_reason_records_the_variance(ward):
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=50")
    ward("count", "KHO", "--item", "RICE=47", "--variance-reason", "rats")
    assert stock(ward) == {("KHO", "RICE"): 47}


def test_reversal_then_corrected_fact(ward):
    wrong = ward.entry("donate", "D1", "--into", "KHO", "--item", "RICE=500", "--cash", "900000",
                       "--on", "2021-11-17")
    undo = ward.entry("reverse", str(wrong), "--reason", "typed 500 instead of 50")
    right = ward.entry("donate", "D1", "--into", "KHO", "--item", "RICE=50", "--cash", "90000",
                       "--on", "2021-11-17")
    assert stock(ward) == {("KHO", "RICE"): 50}
    assert cash(ward)["received"] == 90_000 and cash(ward)["balance"] == 90_000
    lines = {e["id"]: e for e in ward("history", "--format", "json").json()}
    assert [lines[i]["kind"] for i in (wrong, undo, right)] == ["donate", "reverse", "donate"]
    assert stock(ward, "--as-of", "2021-11-17") == {("KHO", "RICE"): 50}


def test_actor_comes_from_option_env_or_os_user(ward):
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=1", "--actor", "Chị Lan")
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=1")
    actors = [e["actor"] for e in ward("history", "--format", "json").json()][-2:]
    assert actors == ["Chị Lan", "tester"]


def test_decomposed_vietnamese_codes_match_composed(ward):
    ward("location", "add", "KHÔ", "--name", "Kho khô")
    decomposed = "KHO\u0302"
    ward("donate", "D1", "--into", decomposed, "--item", "RICE=3")
    assert stock(ward) == {("KHÔ", "RICE"): 3}
