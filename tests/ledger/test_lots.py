"""Lots and expiry (issue 16): first-expiring-first out across donations, transfers and the
0 đồng shop; expired goods refused without --allow-expired --reason; write-offs; alerts; the
donor trace following lots; undated goods one lot, so old ledgers keep working."""

from __future__ import annotations

import pytest

from tests.projections.test_planning import lots, refused, stock


@pytest.fixture
def dated(ward):
    """Noodles at KHO in three lots: undated, expiring 31/12 and 30/11 (donated in that order)."""
    ward("donate", "D1", "--into", "KHO", "--item", "NOODLE=4", "--on", "2021-11-02")
    ward("donate", "D1", "--into", "KHO", "--item", "NOODLE=5", "--expires", "31/12/2021",
         "--receipt", "LATE", "--on", "2021-11-02")
    ward("donate", "D1", "--into", "KHO", "--item", "NOODLE=3", "--expires", "30/11/2021",
         "--receipt", "EARLY", "--on", "2021-11-03")
    return ward


def test_fefo_across_donations_transfers_and_the_shop(dated):
    assert lots(dated) == [("KHO", "NOODLE", "2021-11-30", 3), ("KHO", "NOODLE", "2021-12-31", 5),
                           ("KHO", "NOODLE", None, 4)]
    dated("transfer", "--from", "KHO", "--to", "SHOP", "--item", "NOODLE=4", "--on", "2021-11-04")
    assert lots(dated) == [("KHO", "NOODLE", "2021-12-31", 4), ("KHO", "NOODLE", None, 4),
                           ("SHOP", "NOODLE", "2021-11-30", 3), ("SHOP", "NOODLE", "2021-12-31", 1)]
    dated("shop", "price", "SHOP", "--item", "NOODLE=1000", "--on", "2021-11-04")
    voucher = dated("voucher", "issue", "H1", "--shop", "SHOP", "--value", "100000",
                    "--on", "2021-11-04").out.split()[-1]
    dated("pickup", voucher, "--item", "NOODLE=2", "--on", "2021-11-05")
    assert lots(dated, "--at", "SHOP") == [("SHOP", "NOODLE", "2021-11-30", 1),
                                           ("SHOP", "NOODLE", "2021-12-31", 1)]
    dated("give", "H2", "--from", "KHO", "--item", "NOODLE=6", "--on", "2021-11-05")
    assert lots(dated, "--at", "KHO") == [("KHO", "NOODLE", None, 2)]
    # a named lot is taken instead of the earliest
    dated("give", "H2", "--from", "SHOP", "--item", "NOODLE=1", "--lot", "31/12/2021",
          "--on", "2021-11-06")
    assert lots(dated, "--at", "SHOP") == [("SHOP", "NOODLE", "2021-11-30", 1)]
    assert stock(dated)[("SHOP", "NOODLE")]["quantity"] == 1


def test_expired_goods_need_the_override_and_a_reason(dated):
    dated("transfer", "--from", "KHO", "--to", "SHOP", "--item", "NOODLE=3", "--on", "2021-11-04")
    dated("shop", "price", "SHOP", "--item", "NOODLE=1000", "--on", "2021-11-04")
    voucher = dated("voucher", "issue", "H1", "--shop", "SHOP", "--value", "100000",
                    "--on", "2021-11-04").out.split()[-1]
    expired = "lot 2021-11-30 expired before 2021-12-02"
    refused(dated, "pickup", voucher, "--item", "NOODLE=1", "--on", "2021-12-02", says=expired)
    # at KHO the expired lot is passed over while fresher goods are there
    dated("give", "H1", "--from", "KHO", "--item", "NOODLE=2", "--on", "2021-12-02")
    assert lots(dated, "--at", "KHO") == [("KHO", "NOODLE", "2021-12-31", 3),
                                          ("KHO", "NOODLE", None, 4)]
    before = dated.snapshot()
    result = dated.fails("pickup", voucher, "--item", "NOODLE=1", "--on", "2021-12-02",
                         "--allow-expired")
    assert result.code == 2 and "--reason" in result.err and dated.snapshot() == before
    dated("pickup", voucher, "--item", "NOODLE=1", "--on", "2021-12-02", "--allow-expired",
          "--reason", "household asked, checked and sealed")
    assert lots(dated, "--at", "SHOP") == [("SHOP", "NOODLE", "2021-11-30", 2)]
    # writing off is an adjustment with the reason "expired": the expired lot goes first
    dated("adjust", "SHOP", "--item", "NOODLE=-2", "--reason", "expired", "--on", "2021-12-02")
    assert lots(dated, "--at", "SHOP") == []
    check = dated("audit", "check", "--format", "json").json()
    assert check["failures"] == []


def test_goods_found_go_into_the_named_lot(dated):
    """From a sweep: --lot was ignored on a positive adjustment, the goods recorded undated."""
    dated("adjust", "KHO", "--item", "NOODLE=2", "--reason", "found", "--lot", "31/12/2021",
          "--on", "2021-11-04")
    dated("adjust", "KHO", "--item", "NOODLE=1", "--reason", "found", "--on", "2021-11-04")
    assert lots(dated) == [("KHO", "NOODLE", "2021-11-30", 3), ("KHO", "NOODLE", "2021-12-31", 7),
                           ("KHO", "NOODLE", None, 5)]
    assert dated("audit", "check", "--format", "json").json()["failures"] == []


def test_reversals_return_goods_to_their_lot(dated):
    entry = dated.entry("give", "H1", "--from", "KHO", "--item", "NOODLE=5", "--on", "2021-11-05")
    assert lots(dated)[0] == ("KHO", "NOODLE", "2021-12-31", 3)
    # the early lot was handed out, so its donation cannot be reversed
    early = [line["id"] for line in dated("history", "--format", "json").json()
             if "EARLY" in line["detail"]][0]
    refused(dated, "reverse", str(early), "--reason", "typo", says="cannot reverse entry")
    dated("reverse", str(entry), "--reason", "wrong household")
    assert lots(dated) == [("KHO", "NOODLE", "2021-11-30", 3), ("KHO", "NOODLE", "2021-12-31", 5),
                           ("KHO", "NOODLE", None, 4)]


def test_expiring_lists_lots_within_the_days_asked(dated):
    dated("transfer", "--from", "KHO", "--to", "SHOP", "--item", "NOODLE=1", "--on", "2021-11-04")
    rows = dated("expiring", "--within", "14", "--as-of", "2021-11-20", "--format", "json").json()
    assert [(r["location"], r["expires"], r["quantity"], r["days"]) for r in rows] == [
        ("KHO", "2021-11-30", 2, 10), ("SHOP", "2021-11-30", 1, 10)]
    assert dated("expiring", "--within", "5", "--as-of", "2021-11-20",
                 "--format", "json").json() == []


def test_an_expired_lot_reads_expired_to_a_person_and_negative_days_to_a_script(dated):
    late = ("expiring", "--as-of", "2021-12-03")
    [row] = dated(*late, "--format", "json").json()
    assert (row["expires"], row["days"], row["quantity"]) == ("2021-11-30", -3, 3)
    lines = dated(*late).out.splitlines()
    assert "2021-11-30  expired" in lines[2] and " -3 " not in lines[2]
    assert "30/11/2021  hết hạn" in dated(*late, "--lang", "vi").out.splitlines()[2]


def test_alerts_list_exactly_the_planted_cases(dated):
    dated("donate", "D1", "--into", "SHOP", "--item", "RICE=20", "--on", "2021-11-02")
    dated("count", "KHO", "--item", "NOODLE=12", "--on", "2021-11-20")
    dated("count", "SHOP", "--item", "RICE=20", "--on", "2021-11-05")
    dated("item", "threshold", "RICE", "--at", "SHOP", "--min", "25", "--on", "2021-11-20")
    dated("item", "threshold", "NOODLE", "--at", "KHO", "--min", "5", "--on", "2021-11-20")
    result = dated.fails("alerts", "--as-of", "2021-11-25", "--format", "json")
    assert result.code == 1
    assert [(a["kind"], a["location"], a["item"], a["problem"]) for a in result.json()] == [
        ("low", "SHOP", "RICE", "20 kg free, minimum 25"),
        ("expiring", "KHO", "NOODLE", "3 case expire on 2021-11-30"),
        ("stale", "SHOP", None, "last counted on 2021-11-05, 20 days ago"),
    ]
    table = dated("stock", "--as-of", "2021-11-25").out
    assert "below 25" in table and "below 5" not in table
    # fixed: enough rice, the old lot written off, the shop counted, a longer grace period
    dated("donate", "D1", "--into", "SHOP", "--item", "RICE=5", "--on", "2021-11-25")
    dated("adjust", "KHO", "--item", "NOODLE=-3", "--reason", "expired", "--on", "2021-11-25")
    assert dated("alerts", "--as-of", "2021-11-25", "--stale-count-days", "30").code == 0


def test_trace_follows_the_lot_not_first_in_first_out(dated):
    dated("give", "H1", "--from", "KHO", "--item", "NOODLE=3", "--on", "2021-11-05")
    early = [line["id"] for line in dated("history", "--format", "json").json()
             if "EARLY" in line["detail"]][0]
    flows = dated("audit", "trace", str(early), "--format", "json").json()["flows"]
    given = [f for f in flows if f.get("to") == "given"]
    assert sum(f["quantity"] for f in given) == 3  # the first donation (undated) stays held
    undated = dated("audit", "trace", str(early - 2), "--format", "json").json()
    assert all(f.get("to") != "given" for f in undated["flows"])  # FIFO would have given it


def test_donation_import_carries_expiry(dated, tmp_path):
    sheet = tmp_path / "gifts.csv"
    sheet.write_text("receipt,date,donor,location,items,hạn sử dụng\n"
                     "PT-9,2021-11-06,D1,KHO,RICE=10,15/11/2021\n", encoding="utf-8")
    dated("import", "donations", str(sheet))
    assert ("KHO", "RICE", "2021-11-15", 10) in lots(dated)


def test_a_lot_that_expired_since_the_last_entry_is_not_free_now(ward, today):
    """Adversarial: nothing has moved since a lot expired, so the books' last date is before
    its expiry; asked for now, stock, bundles and the board still count it as nothing free,
    as alerts do (today is 30/11/2021 here). Honest: as of a day before it expired, it is."""
    ward("donate", "D1", "--into", "KHO", "--item", "NOODLE=20", "--expires", "05/11/2021",
         "--on", "2021-11-01")
    ward("item", "threshold", "NOODLE", "--at", "KHO", "--min", "10", "--on", "2021-11-01")
    ward("bundle", "define", "BM", "--name", "Túi mì", "--item", "NOODLE=2")
    [row] = ward("stock", "--format", "json").json()
    assert (row["quantity"], row["free"], row["low"]) == (20, 0, True)
    assert "below 10" in ward("stock").out
    packable = {r["bundle"]: r["packable"] for r in ward("bundle", "packable", "--at", "KHO",
                                                         "--format", "json").json()}
    assert packable["BM"] == 0
    assert "low" in ward.fails("alerts", "--format", "json").out
    [before] = ward("stock", "--as-of", "2021-11-04", "--format", "json").json()
    assert (before["free"], before["low"]) == (20, False)
    assert {r["bundle"]: r["packable"] for r in ward(
        "bundle", "packable", "--at", "KHO", "--as-of", "2021-11-04", "--format", "json"
    ).json()}["BM"] == 10


@pytest.mark.parametrize("named", ["undated", "-", "không ghi hạn", "Khong ghi han"])
def test_the_undated_lot_is_named_in_english_or_vietnamese(dated, named):
    dated("give", "H2", "--from", "KHO", "--item", "NOODLE=1", "--lot", named, "--on",
          "2021-11-05")
    assert lots(dated, "--at", "KHO") == [("KHO", "NOODLE", "2021-11-30", 3),
                                          ("KHO", "NOODLE", "2021-12-31", 5),
                                          ("KHO", "NOODLE", None, 3)]


def test_taking_more_of_the_undated_lot_than_it_holds_names_it_in_words(dated):
    refused(dated, "--lang", "vi", "give", "H2", "--from", "KHO", "--item", "NOODLE=5", "--lot",
            "không ghi hạn", "--on", "2021-11-05",
            says="aid: không đủ NOODLE không ghi hạn tại KHO: chỉ có 4 ")
