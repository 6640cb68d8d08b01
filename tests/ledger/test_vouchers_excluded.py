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
