"""Key files readable by their owner only (issue #22, finding 9): a ward key, signing key or
district key that the group or the world may read is refused, as ssh refuses such a key, with
one line saying how to fix it; a write never leaves the ward key open to others, not even when
a stopped write left its temporary file behind with a loose mode."""

from __future__ import annotations

import os
import stat

import pytest

from tests.ledger.test_refusals import BAD, refused

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("loose", [0o644, 0o640, 0o604, 0o660], ids=oct)
def test_a_ward_key_others_may_read_is_refused(ward_key, ward, loose):
    ward("recipient", "add", "H9", "--name", "Lê Văn C", "--group", "Tổ 1")
    ward_key.chmod(loose)
    result = refused(ward, BAD, f"run `chmod 600 {ward_key}`", "recipient", "add", "H10",
                     "--name", "Phạm Thị D", "--group", "Tổ 1")
    assert f"mode {loose:04o}" in result.err
    refused(ward, BAD, "chmod 600", "recipient", "list")
    ward_key.chmod(0o600)
    assert "Lê Văn C" in ward("recipient", "list").out


def test_a_key_file_readable_by_its_owner_only_is_used(ward_key, ward):
    for kept in (0o600, 0o400):
        ward_key.chmod(kept)
        assert "Nguyễn Văn A" in ward("recipient", "list").out
    ward_key.chmod(0o600)
    ward("recipient", "add", "H9", "--name", "Lê Văn C", "--group", "Tổ 1")
    assert mode(ward_key) == 0o600


def test_a_leftover_temporary_file_does_not_open_the_key(ward_key, ward):
    """A write stopped after making `KEY.tmp` (mode 0644, say by a copy) must not hand its
    mode to the key file at the next write."""
    leftover = ward_key.with_name(ward_key.name + ".tmp")
    leftover.write_text("half a key")
    leftover.chmod(0o644)
    ward("recipient", "add", "H9", "--name", "Lê Văn C", "--group", "Tổ 1")
    assert mode(ward_key) == 0o600
    assert not leftover.exists()
    assert "Lê Văn C" in ward("recipient", "list").out


def test_a_signing_key_others_may_read_is_refused(ward, tmp_path):
    key = tmp_path / "lan.pem"
    ward.env["AID_SIGNING_KEY_FILE"] = str(key)
    ward("actor", "key", "init")
    assert mode(key) == 0o600
    ward("actor", "add", "tester")
    key.chmod(0o644)
    refused(ward, BAD, f"run `chmod 600 {key}`", "donate", "D1", "--into", "KHO",
            "--item", "RICE=1")
    refused(ward, BAD, "chmod 600", "actor", "key", "show")
    key.chmod(0o600)
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=1")


def test_a_district_key_others_may_read_is_refused(ward, tmp_path):
    key = tmp_path / "district.key"
    ward.env["AID_DISTRICT_KEY_FILE"] = str(key)
    ward("key", "init", "--district")
    key.chmod(0o644)
    refused(ward, BAD, "chmod 600", "recipient", "add", "H9", "--name", "Lê Văn C",
            "--id-number", "079123456789")
    key.chmod(0o600)
    ward("recipient", "add", "H9", "--name", "Lê Văn C", "--id-number", "079123456789")
