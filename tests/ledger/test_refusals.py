"""Every refusal: the exit code, one clear line on stderr, and a store exactly as before."""

from __future__ import annotations

import pytest

RULE, BAD = 1, 2


def refused(ledger, code, fragment, *args):
    before = ledger.snapshot()
    result = ledger.fails(*args)
    assert result.code == code, result.err
    assert fragment in result.err, result.err
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert "Traceback" not in result.err
    assert ledger.snapshot() == before
    return result


@pytest.fixture
def stocked(ward):
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=100", "--item", "NOODLE=5",
         "--cash", "1000000", "--receipt", "R1", "--on", "2021-11-10")
    return ward


def test_giving_more_than_the_stock(stocked):
    refused(stocked, RULE, "not enough RICE at KHO: 100 kg", "give", "H1", "--from", "KHO",
            "--item", "RICE=101")


def test_back_dated_hand_out_cannot_overdraw_an_earlier_day(stocked):
    refused(stocked, RULE, "not enough RICE at KHO: 0 kg available on 2021-11-09",
            "give", "H1", "--from", "KHO", "--item", "RICE=1", "--on", "2021-11-09")


def test_hand_out_that_would_overdraw_a_later_day(stocked):
    stocked("give", "H1", "--from", "KHO", "--item", "RICE=80", "--on", "2021-11-20")
    refused(stocked, RULE, "20 kg available on 2021-11-15 and after", "give", "H2",
            "--from", "KHO", "--item", "RICE=30", "--on", "2021-11-15")


def test_spending_more_cash_than_the_fund_holds(stocked):
    refused(stocked, RULE, "not enough cash in the ward fund", "buy", "--into", "KHO",
            "--cash", "1000001", "--item", "RICE=1")
    refused(stocked, RULE, "not enough cash", "give", "H1", "--from", "KHO", "--cash", "2000000")


def test_packing_without_components_or_cash(stocked):
    refused(stocked, RULE, "not enough NOODLE at KHO", "pack", "B350", "--count", "6",
            "--at", "KHO")
    stocked("buy", "--into", "KHO", "--cash", "900000", "--item", "RICE=10")
    refused(stocked, RULE, "not enough cash in the ward fund: 100,000 đồng", "pack", "B350",
            "--count", "5", "--at", "KHO")


def test_unpacking_bundles_that_do_not_exist(stocked):
    refused(stocked, RULE, "not enough B350 at KHO", "unpack", "B350", "--count", "1",
            "--at", "KHO")


def test_transfer_beyond_stock_and_to_itself(stocked):
    refused(stocked, RULE, "not enough RICE at KHO", "transfer", "--from", "KHO", "--to",
            "SHOP", "--item", "RICE=500")
    refused(stocked, BAD, "a transfer needs two locations", "transfer", "--from", "KHO",
            "--to", "KHO", "--item", "RICE=1")


def test_adjusting_below_zero(stocked):
    refused(stocked, RULE, "not enough RICE", "adjust", "KHO", "--item", "RICE=-101",
            "--reason", "lost")
    refused(stocked, BAD, "--reason must not be empty", "adjust", "KHO", "--item", "RICE=-1",
            "--reason", " ")
    refused(stocked, BAD, "must not be 0", "adjust", "KHO", "--item", "RICE=0", "--reason", "x")


def test_count_mismatch_without_variance_reason(stocked):
    refused(stocked, RULE, "RICE at KHO counted 90, books say 100", "count", "KHO",
            "--item", "RICE=90")


def test_receipt_used_twice(stocked):
    refused(stocked, RULE, "receipt R1 is already used by entry 10", "donate", "D1",
            "--into", "KHO", "--cash", "5", "--receipt", "R1")
    # from a sweep: the same paper receipt typed in small letters was recorded a second time
    refused(stocked, RULE, "receipt r1 is receipt R1 of entry 10, written in other letters",
            "donate", "D1", "--into", "KHO", "--cash", "5", "--receipt", "r1")
    stocked("donate", "D1", "--into", "KHO", "--cash", "5", "--receipt", "R1-b")  # honest


def test_reversals_once_and_only_of_facts(stocked):
    given = stocked.entry("give", "H1", "--from", "KHO", "--item", "RICE=60")
    undo = stocked.entry("reverse", str(given), "--reason", "wrong household")
    refused(stocked, RULE, f"already reversed by entry {undo}", "reverse", str(given),
            "--reason", "again")
    refused(stocked, RULE, "is itself a reversal", "reverse", str(undo), "--reason", "x")
    refused(stocked, RULE, "is a declaration", "reverse", "2", "--reason", "x")
    opened = stocked.entry("round", "open", "R1", "--from", "KHO", "--item", "RICE", "--ration",
                           "RICE=1")
    refused(stocked, RULE, "only facts can be reversed; close the round instead: `aid round "
            "close CODE`", "reverse", str(opened), "--reason", "x")  # says what undoes it
    refused(stocked, BAD, "there is no entry 999", "reverse", "999", "--reason", "x")


def test_reversal_that_would_make_stock_negative(stocked):
    stocked("give", "H1", "--from", "KHO", "--item", "RICE=60")
    refused(stocked, RULE, "cannot reverse entry 10: not enough RICE at KHO: 40 kg", "reverse",
            "10", "--reason", "bad donation")


def test_unknown_codes_suggest_the_nearest(stocked):
    result = refused(stocked, BAD, "unknown item 'RICEE'; did you mean RICE", "give", "H1",
                     "--from", "KHO", "--item", "RICEE=1")
    assert "aid item add" in result.err
    refused(stocked, BAD, "unknown location 'KH0'; did you mean KHO", "give", "H1",
            "--from", "KH0", "--item", "RICE=1")
    for report in (("stock",), ("bundle", "packable"), ("expiring",)):  # not an empty report
        refused(stocked, BAD, "unknown location 'KH0'; did you mean KHO", *report, "--at", "KH0")
    refused(stocked, BAD, "unknown recipient 'H3'", "give", "H3", "--from", "KHO",
            "--item", "RICE=1")
    refused(stocked, BAD, "unknown donor 'D2'; did you mean D1", "donate", "D2",
            "--into", "KHO", "--cash", "1")
    refused(stocked, BAD, "unknown bundle 'B35'; did you mean B350", "pack", "B35",
            "--count", "1", "--at", "KHO")


@pytest.mark.parametrize("args, fragment", [
    (("give", "H1", "--from", "KHO", "--item", "RICE=-3"), "must be positive"),
    (("give", "H1", "--from", "KHO", "--item", "RICE=1.5"), "must be a whole number"),
    (("give", "H1", "--from", "KHO", "--item", "RICE"), "must look like CODE=QTY"),
    (("give", "H1", "--from", "KHO", "--item", "RICE=1", "--item", "RICE=2"), "names RICE twice"),
    (("give", "H1", "--from", "KHO"), "a hand-out needs"),
    (("donate", "D1", "--into", "KHO"), "a donation needs"),
    (("donate", "D1", "--into", "KHO", "--cash", "abc"), "--cash must be a whole number"),
    (("donate", "D1", "--into", "KHO", "--cash", "5", "--on", "31/02/2021"), "is not a date"),
    (("give", "H1", "--from", "KHO", "--bundle", "RICE=1"), "unknown bundle 'RICE'"),
    (("give", "H1", "--from", "KHO", "--item", "B350=1"), "is a bundle, not an item"),
    (("pack", "B350", "--count", "0", "--at", "KHO"), "--count must be positive"),
    (("give", "H1", "--item", "RICE=1"), "Missing option '--from'"),
    (("item", "add", "A B", "--name", "x", "--unit", "kg"), "is not a valid item code"),
    (("recipient", "add", "H9", "--name", "x", "--tier", "4"), "tier must be one of"),
    (("location", "add", "L9", "--name", "x", "--kind", "warehouse"), "location kind must be"),
    (("reverse", "abc", "--reason", "x"), "entry number must be a whole number"),
])
def test_bad_input_exits_2(stocked, args, fragment):
    refused(stocked, BAD, fragment, *args)


def test_declaring_a_code_twice(stocked):
    refused(stocked, RULE, "item RICE is already declared", "item", "add", "RICE",
            "--name", "x", "--unit", "kg")
    refused(stocked, RULE, "bundle B350 is already declared", "item", "add", "B350",
            "--name", "x", "--unit", "kg")
    refused(stocked, RULE, "this ledger already holds ward Phường 3", "init", "--ward", "Other")


def test_no_ledger_yet(ledger):
    result = ledger.fails("stock")
    assert result.code == BAD and "aid init" in result.err
    result = ledger.fails("donate", "D1", "--into", "KHO", "--cash", "1")
    assert result.code == BAD and "aid init" in result.err
