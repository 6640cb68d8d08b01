"""Reports by business date: stock, cash, packable bundles and history, each with --as-of."""

from __future__ import annotations

import csv
import io

import pytest


@pytest.fixture
def drive(ward):
    """Three days of a drive: donations on the 10th, packing on the 12th, hand-outs on the 15th."""
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=100", "--item", "NOODLE=10",
         "--cash", "1000000", "--on", "10/11/2021")
    ward("pack", "B350", "--count", "4", "--at", "KHO", "--on", "12/11/2021")
    ward("give", "H1", "--from", "KHO", "--bundle", "B350=1", "--on", "15/11/2021")
    ward("transfer", "--from", "KHO", "--to", "SHOP", "--item", "RICE=20", "--on", "15/11/2021")
    return ward


def quantities(ward, *args):
    return {(r["location"], r["item"]): r["quantity"]
            for r in ward("stock", "--format", "json", *args).json()}


def test_stock_as_of_each_day(drive):
    assert quantities(drive, "--as-of", "2021-11-09") == {}
    assert quantities(drive, "--as-of", "10/11/2021") == {("KHO", "RICE"): 100,
                                                          ("KHO", "NOODLE"): 10}
    assert quantities(drive, "--as-of", "2021-11-12") == {("KHO", "RICE"): 60,
                                                          ("KHO", "NOODLE"): 6,
                                                          ("KHO", "B350"): 4}
    assert quantities(drive) == {("KHO", "RICE"): 40, ("KHO", "NOODLE"): 6,
                                 ("KHO", "B350"): 3, ("SHOP", "RICE"): 20}


def test_cash_as_of_each_day(drive):
    def book(*args):
        return drive("cash", "--format", "json", *args).json()

    assert book("--as-of", "2021-11-09") == dict(received=0, spent=0, given=0, packed=0,
                                                 balance=0)
    assert book("--as-of", "2021-11-12") == dict(received=1_000_000, spent=0, given=0,
                                                 packed=400_000, balance=600_000)
    assert book() == dict(received=1_000_000, spent=0, given=100_000, packed=300_000,
                          balance=600_000)


def test_packable_counts_stock_and_cash(drive):
    rows = drive("bundle", "packable", "--format", "json").json()
    kho = next(r for r in rows if r["location"] == "KHO")
    assert kho == {"bundle": "B350", "location": "KHO", "packable": 4, "limited_by": "RICE"}
    shop = next(r for r in rows if r["location"] == "SHOP")
    assert shop["packable"] == 0 and shop["limited_by"] == "NOODLE"
    early = drive("bundle", "packable", "--at", "KHO", "--as-of", "2021-11-10",
                  "--format", "json").json()
    assert early[0]["packable"] == 10


def test_history_lists_every_entry_with_id_date_kind_actor(drive):
    lines = drive("history", "--format", "json").json()
    assert [line["id"] for line in lines] == list(range(1, 14))
    assert [line["kind"] for line in lines] == [
        "init", "item", "item", "location", "location", "donor", "recipient", "recipient",
        "bundle", "donate", "pack", "give", "transfer"]
    assert all(line["actor"] == "tester" for line in lines)
    assert lines[9]["on"] == "2021-11-10"
    assert "Nguyễn" not in drive("history").out and "Nguyễn" not in drive(
        "history", "--format", "json").out


def test_history_running_balance_for_one_bin_and_as_of(drive):
    lines = drive("history", "--at", "KHO", "--item", "RICE", "--format", "json").json()
    assert [(line["kind"], line["change"], line["balance"]) for line in lines] == [
        ("donate", 100, 100), ("pack", -40, 60), ("transfer", -20, 40)]
    early = drive("history", "--as-of", "2021-11-12", "--format", "json").json()
    assert [line["kind"] for line in early][-2:] == ["donate", "pack"]


def test_csv_and_table_formats(drive):
    rows = list(csv.DictReader(io.StringIO(drive("stock", "--format", "csv").out)))
    assert rows[0] == {"location": "KHO", "item": "B350", "name": "Phần quà 350.000 ₫",
                       "quantity": "3", "unit": "bundle",  # the columns scripts read first,
                       "reserved": "0", "free": "3", "minimum": "", "low": "False"}  # then #16's
    table = drive("cash").out
    assert "received" in table and "1,000,000" in table


def test_demo_builds_a_drive_and_never_overwrites_a_real_ledger(sqlite_ledger, tmp_path):
    demo = tmp_path / "demo.db"
    out = sqlite_ledger("demo", "--db", str(demo)).out
    assert "Stock" in out and "SHOP0D" in out and "22,400,000" in out
    again = sqlite_ledger("demo", "--db", str(demo))
    assert again.out == out
    sqlite_ledger("init", "--ward", "Phường 7")
    result = sqlite_ledger.fails("demo", "--db", str(sqlite_ledger.path))
    assert result.code == 1 and "not a demo" in result.err
