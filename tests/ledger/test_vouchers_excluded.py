"""`aid voucher issue-batch` gives nothing to a household the register leaves out (issue #22,
finding 12): excluded by the import's `excluded` column or `aid recipient exclude`, or forgotten
(`aid recipient forget`: the case that still got a voucher). Households included again, and
everyone else, get theirs."""

from __future__ import annotations

import pytest

from tests.ledger.test_refusals import RULE, refused


@pytest.fixture
def register(ward_key, ward, tmp_path):
    path = tmp_path / "households.csv"
    path.write_text("code,name,group,size,tier,excluded\n"
                    "H3,Lê Văn C,Tổ 1,3,1,\nH4,Phạm Thị D,Tổ 1,2,1,yes\n"
                    "H5,Võ Văn E,Tổ 2,1,0,x\nH6,Đỗ Thị G,Tổ 2,2,2,\n", encoding="utf-8")
    ward("recipient", "import", path, "--on", "2021-11-02")
    ward("recipient", "exclude", "H3", "--reason", "đã chuyển đi", "--on", "2021-11-02")
    ward("recipient", "include", "H5", "--reason", "đã về", "--on", "2021-11-03")
    ward("recipient", "forget", "H6", "--reason", "yêu cầu của hộ", "--on", "2021-11-03")
    return ward


def test_issue_batch_skips_excluded_and_forgotten_households(register):
    rows = register("voucher", "issue-batch", "--shop", "SHOP", "--value", "100000",
                    "--on", "2021-11-04", "--format", "json").json()
    issued = {row["recipient"] for row in rows if row["code"]}
    skipped = {row["recipient"]: row["skipped"] for row in rows if not row["code"]}
    assert issued == {"H1", "H2", "H5"}
    assert skipped == {"H3": "excluded", "H4": "excluded", "H6": "excluded"}
    holders = {v["recipient"] for v in register("voucher", "list", "--format", "json").json()}
    assert holders == {"H1", "H2", "H5"}


def test_a_voucher_for_a_forgotten_household_is_refused(register):
    refused(register, RULE, "household H6 was forgotten in entry", "voucher", "issue", "H6",
            "--shop", "SHOP", "--value", "100000", "--on", "2021-11-04")


def test_the_ward_skips_a_forgotten_household_named_by_a_stale_batch(register):
    from ledger.store.access import locate, open_ledger
    from ledger.ward.vouchers import Terms, issue_batch

    writer = open_ledger(locate(environ=register.env))
    try:
        issued = issue_batch(writer, ["H6", "H1"], "SHOP",
                             Terms(100000), "2021-11-04", "tester")
    finally:
        writer.close()
    assert [(i.recipient, i.skipped) for i in issued][0] == ("H6", "forgotten")
    assert issued[1].code


def test_a_batch_by_tier_or_group_takes_households_where_they_stand_now(register, tmp_path):
    """From a sweep: after `aid recipient tier H2 3`, `issue-batch --tier 0` still gave H2 a
    voucher and `--tier 3` found no one: the batch read the tier each household was declared
    with. A household moved (tier, or group by a re-import) counts where it is now."""
    tiers = {h["code"]: h["tier"] for h in register("recipient", "list", "--format", "json")
             .json()}
    moved = next(code for code in ("H1", "H2") if tiers[code] != 3)
    register("recipient", "tier", moved, "3", "--reason", "đã có việc làm", "--on", "2021-11-03")
    path = tmp_path / "moved.csv"
    path.write_text("code,name,group,size,tier\nH3,Lê Văn C,Tổ 9,3,1\nH5,Võ Văn E,Tổ 9,1,0\n",
                    encoding="utf-8")
    register("recipient", "import", path, "--on", "2021-11-03")
    listed = {h["code"]: (h["tier"], h["group"]) for h in
              register("recipient", "list", "--format", "json").json()}
    was = tiers[moved]
    rows = register("voucher", "issue-batch", "--shop", "SHOP", "--value", "100000",
                    "--tier", str(was), "--on", "2021-11-04", "--format", "json").json()
    assert moved not in {row["recipient"] for row in rows}
    assert {row["recipient"] for row in rows} == {code for code, (tier, _) in listed.items()
                                                  if tier == was}
    rows = register("voucher", "issue-batch", "--shop", "SHOP", "--value", "100000",
                    "--group", "Tổ 9", "--on", "2021-11-04", "--format", "json").json()
    assert {row["recipient"]: row["skipped"] for row in rows} == {"H3": "excluded", "H5": None}
    rows = register("voucher", "issue-batch", "--shop", "SHOP", "--value", "100000",
                    "--tier", "3", "--on", "2021-11-04", "--format", "json").json()
    assert moved in {row["recipient"] for row in rows if row["code"]}
