"""Issue #22, finding 1: a write that records nothing (a file imported again, a batch that skips
everyone) used to store a seal over nothing, and `aid audit verify` then called the honest ledger
altered. A write that records nothing now writes nothing at all; seals over nothing that release
0.1 wrote still verify."""

from __future__ import annotations

import json

import pytest

from ledger.trust.seal_bytes import SEAL_TOPIC
from tests.commands.test_import import write_donations


def begin_signing(ward, folder) -> None:
    """The treasurer's key made and declared: every write from now on is sealed."""
    ward.env["AID_SIGNING_KEY_FILE"] = str(folder / "lan.pem")
    ward.env["AID_ACTOR"] = "Chị Lan"
    ward("actor", "key", "init")
    ward("actor", "add", "Chị Lan")


@pytest.fixture
def signing(ward, tmp_path):
    begin_signing(ward, tmp_path)
    return ward


def verifies(ledger) -> str:
    result = ledger.fails("audit", "verify")
    assert result.code == 0, result.out + result.err
    return result.out


def test_importing_donations_again_writes_nothing_and_verifies(signing, tmp_path):
    csv = write_donations(tmp_path / "d.csv", 5)
    signing("import", "donations", str(csv), "--batch", "2")
    before = signing.snapshot()
    assert "0 already recorded" not in signing("import", "donations", str(csv)).out
    assert signing.snapshot() == before  # not even a seal
    verifies(signing)


def test_importing_handouts_again_writes_nothing_and_verifies(signing, tmp_path):
    signing("donate", "D1", "--into", "KHO", "--item", "RICE=50", "--on", "2021-11-01")
    csv = tmp_path / "h.csv"
    csv.write_text("date,recipient,location,items\n05/11/2021,H1,KHO,RICE=5\n"
                   "05/11/2021,H2,KHO,RICE=5\n", encoding="utf-8")
    assert "imported 2 hand-outs" in signing("import", "handouts", str(csv)).out
    before = signing.snapshot()
    assert "imported 0 hand-outs" in signing("import", "handouts", str(csv)).out
    assert signing.snapshot() == before
    verifies(signing)


def test_a_voucher_batch_that_skips_everyone_writes_nothing_and_verifies(signing):
    signing("voucher", "issue-batch", "--shop", "SHOP", "--value", "1000")
    before = signing.snapshot()
    rows = signing("voucher", "issue-batch", "--shop", "SHOP", "--value", "1000",
                   "--format", "json").json()
    assert rows and all(row["skipped"] for row in rows)  # everyone holds one already
    assert signing.snapshot() == before
    verifies(signing)


def test_a_seal_over_nothing_written_by_release_0_1_still_verifies(tmp_path):
    """Release 0.1 sealed an empty write with a valid signature over no rows: honest, and
    harmless (it signs nothing). It must not be a finding; rows before it stay unsigned."""
    from eventsourcing.persistence import StoredEvent

    from ledger.trust.seal_bytes import public_text
    from ledger.trust.seals import make
    from ledger.trust.signing_key import SigningKey
    from projections.audit.signatures import check

    key = SigningKey.create(tmp_path / "k.pem")
    declared = {"key": key.key, "public": public_text(key.public), "actor": "Lan", "by": "Lan"}
    rows = [(1, "w", 1, "ledger.ward:Ward.Opened", b'{"name": "P3"}'),
            (2, "k", 1, "ledger.keys:Keyring.Declared", json.dumps(declared).encode())]

    def sealed(position: int, covered: list[tuple]) -> tuple:
        made = make([StoredEvent(*row[1:]) for row in covered], "P3", "Lan", key.key, key.sign)
        data = {name: getattr(made, name) for name in ("actor", "key", "count", "digest",
                                                       "signature")}
        return (position, f"s{position}", 1, SEAL_TOPIC, json.dumps(data).encode())

    rows += [sealed(3, rows[1:]), sealed(4, [])]
    assert check(rows).problems == []
    loose = (5, "w", 2, "ledger.ward:Ward.Donated", b"{}")
    found = check([*rows, loose, sealed(6, [])])
    assert [(p.position, str(p.text)) for p in found.problems] == [
        (5, "position 5: the event is not signed by a declared actor's key (added outside "
            "aid?)")]
