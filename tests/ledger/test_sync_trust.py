"""The district trusts a ward's copy only as far as the ward's own signatures and identity go.

Issue #22, finding 4: a ward tail edited and re-linked (its seals no longer match) was accepted
by `aid sync`, and a ward code could be squatted by whoever synced first under it. The district
now verifies every link and seal before anything is copied, and binds a code to the ledger's
identity and first key at its first sync; another claimant waits for `aid district admit`.
"""

from __future__ import annotations

import shutil

import pytest
from conftest import Ledger, _env

from ledger.store.access import locate, open_log
from tests.ledger.test_signatures import relink, rows
from tests.ledger.test_sync import copy_of, make_ward


@pytest.fixture
def signed(ward, tmp_path):
    """The conftest ward with a district code, then the treasurer's key and signed entries."""
    ward.env["AID_SIGNING_KEY_FILE"] = str(tmp_path / "lan.pem")
    ward.env["AID_ACTOR"] = "Chị Lan"
    ward("ward", "code", "P1")
    ward("actor", "key", "init")
    ward("actor", "add", "Chị Lan")
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=100", "--cash", "1000000",
         "--receipt", "PT-1")
    ward("give", "H1", "--from", "KHO", "--item", "RICE=10", "--cash", "50000")
    return ward


def edit_last(ledger, topic_end: str, old: bytes, new: bytes) -> int:
    """Edit the last stored event of a kind by hand, then recompute every link (a careful
    forger who holds the database but no signing key)."""
    last = [r for r in rows(ledger) if r[3].endswith(topic_end)][-1]
    log = open_log(locate(environ=ledger.env), writable=True)
    p = log.paramstyle
    column = "rowid" if p == "?" else "notification_id"
    assert old in bytes(last[4])
    log.connection.execute(f"UPDATE {log.events_table} SET state = {p} WHERE {column} = {p}",
                           (bytes(last[4]).replace(old, new), last[0]))
    log.close()
    relink(ledger)
    return last[0]


def test_an_edited_and_relinked_tail_is_refused_and_nothing_copied(signed, district):
    signed("sync", "--to", district)
    held = copy_of(district, "P1")
    signed("give", "H2", "--from", "KHO", "--item", "RICE=5", "--cash", "50000")
    signed("give", "H1", "--from", "KHO", "--item", "RICE=5", "--cash", "50000")
    position = edit_last(signed, "Ward.HandedOut", b"50000", b"50000000")
    assert signed.fails("audit", "verify").code == 1  # the seal no longer matches
    refused = signed.fails("sync", "--to", district)
    assert refused.code == 1
    [line] = refused.err.strip().splitlines()
    assert line.startswith("aid: this ledger does not verify (position ")
    assert f"the seal over positions {position}–{position} is not valid" in line
    assert "nothing was sent" in line and "Traceback" not in refused.err
    assert refused.out == ""
    assert copy_of(district, "P1") == held  # not even the honest entry before it
    stock = signed("district", "cash", "--url", district, "--format", "json").json()
    assert stock["total"]["given"] == 50_000


def test_an_honest_signed_ward_syncs_every_time(signed, district):
    """What the check must never flag: a signing ward syncing after each of its writes."""
    signed("sync", "--to", district)
    for n in range(3):
        signed("donate", "D1", "--into", "KHO", "--cash", str(1000 + n))
        signed("give", "H2", "--from", "KHO", "--item", "RICE=1")
        assert "ward P1: sent" in signed("sync", "--to", district, "--batch", "2").out
    assert len(copy_of(district, "P1")) == len(rows(signed))
    assert signed("district", "cash", "--url", district, "--format", "json").json()["P1"] == \
        signed("cash", "--format", "json").json()


def test_a_squatter_is_refused_and_the_genuine_ward_keeps_syncing(district, tmp_path):
    genuine = make_ward(tmp_path / "p1.db", "P1")
    squatter = make_ward(tmp_path / "fake.db", "P1")  # same name, same code, its own ledger
    squatter("sync", "--to", district)  # it came first
    refused = genuine.fails("sync", "--to", district)
    assert refused.code == 1
    [line] = refused.err.strip().splitlines()
    assert "ward P1 is bound to another ledger" in line
    identity = line.rsplit("--identity ", 1)[1].rstrip("`")
    assert len(identity) == 64
    status = genuine.fails("sync", "--status", "--to", district)
    assert f"this ledger's identity is {identity}" in status.err

    bad = genuine.fails("district", "admit", "P1", "--identity", "xyz", "--url", district)
    assert bad.code == 2 and "64 hexadecimal digits" in bad.err
    admitted = genuine("district", "admit", "P1", "--identity", identity, "--url", district)
    assert "P1" in admitted.out
    again = squatter.fails("sync", "--to", district)  # the squatter, once admitted over, waits
    assert again.code == 1 and "the district admitted another ledger" in again.err
    assert "ward P1: sent" in genuine("sync", "--to", district).out
    assert copy_of(district, "P1") == copy_of_ward(genuine)
    squatter("donate", "MTTQ", "--into", "KHO", "--cash", "5000", "--on", "2021-11-25")
    assert squatter.fails("sync", "--to", district).code == 1
    genuine("donate", "MTTQ", "--into", "KHO", "--cash", "7000", "--on", "2021-11-25")
    assert "ward P1: sent 1 events" in genuine("sync", "--to", district).out
    cash = genuine("district", "cash", "--url", district, "--format", "json").json()
    assert cash["P1"] == genuine("cash", "--format", "json").json()


def test_an_admission_made_by_mistake_is_withdrawn_by_admitting_the_holder(district, tmp_path):
    """Adversarial slip: the district admits a mistyped identity over the genuine ward; the
    ward is told what happened (not that another history is held), and admitting its own
    identity withdraws the admission: it syncs again, nothing lost."""
    genuine = make_ward(tmp_path / "p1.db", "P1")
    genuine("sync", "--to", district)
    genuine("district", "admit", "P1", "--identity", "a" * 64, "--url", district)
    genuine("donate", "MTTQ", "--into", "KHO", "--cash", "5000", "--on", "2021-11-25")
    refused = genuine.fails("sync", "--to", district)
    assert refused.code == 1 and "the district admitted another ledger (identity aaaa" in \
        refused.err and "another history" not in refused.err, refused.err
    identity = refused.err.rsplit("--identity ", 1)[1].strip().rstrip("`")
    withdrawn = genuine("district", "admit", "P1", "--identity", identity, "--url", district)
    assert "the admission of another ledger is withdrawn" in withdrawn.out
    assert "ward P1: sent 1 events" in genuine("sync", "--to", district).out
    assert copy_of(district, "P1") == copy_of_ward(genuine)


def test_admitting_ahead_of_the_first_sync_keeps_others_out(district, tmp_path):
    genuine = make_ward(tmp_path / "p1.db", "P1")
    copy = tmp_path / "copy.db"
    shutil.copy(genuine.path, copy)
    from ledger.store.access import Address
    from ledger.trust.identity import of_log

    log = open_log(Address(path=genuine.path))
    identity = of_log(log)
    log.close()
    genuine("district", "admit", "P1", "--identity", identity, "--url", district)
    squatter = make_ward(tmp_path / "fake.db", "P1")
    assert squatter.fails("sync", "--to", district).code == 1
    assert "ward P1: sent" in genuine("sync", "--to", district).out
    same = Ledger(_env(AID_DB=str(copy)), "sqlite", copy)
    assert "up to date" in same("sync", "--to", district).out  # the same ledger, copied


def copy_of_ward(ledger) -> list[tuple]:
    from ledger.store.access import Address
    from tests.ledger.test_sync import rows_of
    return rows_of(Address(path=ledger.path))


def test_one_ledger_is_one_ward_at_the_district(district, tmp_path):
    """From a sweep: the ward code of a ledger whose code was recorded before its first seal
    was edited (and the chain re-linked); the same ledger then synced as a second ward and
    every district figure counted it twice. A ledger is one ward: a second code is refused
    until the district admits the move, which sets the old copy aside."""
    ward = make_ward(tmp_path / "p1.db", "P1")
    ward("sync", "--to", district)
    edit_last(ward, "Ward.Coded", b'"P1"', b'"P9"')
    import sqlite3
    with sqlite3.connect(ward.path) as db:  # and what is derived from it, as a forger would
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                   "name NOT IN ('stored_events', 'aid_chain')").fetchall():
            db.execute(f"DELETE FROM {table}")
    refused = ward.fails("sync", "--to", district)
    assert refused.code == 1
    [line] = refused.err.strip().splitlines()
    assert "is already ward P1 at the district" in line and "nothing was sent" in line
    wards = ward("district", "wards", "--url", district, "--format", "json").json()
    assert [w["ward"] for w in wards] == ["P1"]
    identity = line.rsplit("--identity ", 1)[1].rstrip("`")
    ward("district", "admit", "P9", "--identity", identity, "--url", district)
    assert "ward P9: sent" in ward("sync", "--to", district).out
    wards = ward("district", "wards", "--url", district, "--format", "json").json()
    assert [w["ward"] for w in wards] == ["P9"]
    cash = ward("district", "cash", "--url", district, "--format", "json").json()
    assert cash["total"] == ward("cash", "--format", "json").json()
