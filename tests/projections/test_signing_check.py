"""The check a signer runs before signing a checkpoint or a receipt (issue 22/26): the whole
history the first time, then only what came after where the last check ended, remembered on the
signer's machine and signed with its key (`commands/audit/remembered.py`).

Honest: a check resumed where the last one ended reaches exactly what a whole check reaches,
after writes of every kind (keys declared and revoked among them), on both back ends.
Adversarial: what is appended or changed after that point is found by the resumed check; what
is changed before it makes the ledger no longer hold what was remembered, so the whole history
is read; a remembered point edited, signed by another key or of another ledger is not used.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import Ledger

from commands.audit import remembered
from ledger.store.access import locate, open_log
from ledger.trust.signing_key import SigningKey
from projections.audit.public import Checked, History, check_history
from tests.ledger.test_tamper_matrix import relink, retree

SEAL = "ledger.seals:Seal.Made"


def checked(ward: Ledger, since: Checked | None = None) -> History:
    log = open_log(locate(environ=ward.env))
    try:
        with log.snapshot():
            return check_history(log, since=since)
    finally:
        log.close()


def signing(ledger: Ledger, tmp_path: Path) -> Ledger:
    ledger("init", "--ward", "Phường 3", "--on", "2021-11-01")
    ledger("item", "add", "RICE", "--name", "Gạo", "--unit", "kg")
    ledger("location", "add", "KHO", "--name", "Kho phường")
    ledger("donor", "add", "D1", "--name", "Công ty Gạo Việt")
    ledger("recipient", "add", "H1", "--name", "Nguyễn Văn A", "--group", "Tổ 1")
    ledger.env.update(AID_SIGNING_KEY_FILE=str(tmp_path / "lan.pem"), AID_ACTOR="Chị Lan")
    ledger("actor", "key", "init")
    ledger("actor", "add", "Chị Lan")
    ledger("donate", "D1", "--into", "KHO", "--item", "RICE=100", "--cash", "500000",
           "--on", "2021-11-02")
    return ledger


def test_a_resumed_check_reaches_what_a_whole_check_reaches(ledger, tmp_path):
    ward = signing(ledger, tmp_path)
    minh = SigningKey.create(tmp_path / "minh.pem")
    (tmp_path / "d.csv").write_text("receipt,date,donor,location,cash,items\n"
                                    "PT-9,03/11/2021,D1,KHO,0,RICE=5\n", encoding="utf-8")
    writes = [
        ("give", "H1", "--from", "KHO", "--item", "RICE=3", "--on", "2021-11-03"),
        ("actor", "add", "Anh Minh", "--public-key", minh.text),
        ("import", "donations", str(tmp_path / "d.csv")),
        ("import", "donations", str(tmp_path / "d.csv")),  # records nothing, seals nothing
        ("actor", "key", "revoke", minh.key, "--reason", "mất điện thoại"),
        ("donate", "D1", "--into", "KHO", "--cash", "1000", "--on", "2021-11-04"),
    ]
    last = checked(ward).reached
    assert last is not None
    for write in writes:
        ward(*write)
        whole, resumed = checked(ward), checked(ward, since=last)
        assert (whole.resumed_at, resumed.resumed_at) == (None, last.size), write
        assert whole.sound and resumed.sound, write
        assert resumed.reached == whole.reached, write  # the seal check's state too
        last = resumed.reached
    assert checked(ward, since=last).resumed_at == last.size  # nothing new: still resumed


# ---- the ledger's file altered after the signer's last check --------------------------------

def forge(db: Path, alter) -> None:
    """`alter` the stored events, then relink the chain and rebuild the tree from them, as a
    careful forger holding the file would."""
    conn = sqlite3.connect(db)
    with conn:
        alter(conn)
    conn.close()
    relink(db)
    retree(db)


def _append_a_copy_of_the_last_hand_out(conn):
    o, v, t, s = conn.execute("SELECT originator_id, originator_version, topic, state FROM "
                              "stored_events WHERE topic LIKE '%HandedOut' ORDER BY rowid DESC "
                              "LIMIT 1").fetchone()
    last = conn.execute("SELECT MAX(originator_version) FROM stored_events WHERE "
                        "originator_id = ?", (o,)).fetchone()[0]
    conn.execute("INSERT INTO stored_events (originator_id, originator_version, topic, state) "
                 "VALUES (?, ?, ?, ?)", (o, last + 1, t, s))


def _delete_the_last_seal(conn):
    conn.execute("DELETE FROM stored_events WHERE rowid = (SELECT MAX(rowid) FROM "
                 "stored_events WHERE topic = ?)", (SEAL,))


def _edit_the_first_donation(conn):
    conn.execute("UPDATE stored_events SET state = CAST(replace(state, '500000', '900000') AS "
                 "BLOB) WHERE "
                 "rowid = (SELECT MIN(rowid) FROM stored_events WHERE topic LIKE '%Donated')")


@pytest.mark.parametrize("alter, resumed", [
    (_append_a_copy_of_the_last_hand_out, True),  # after the point: read, and found
    (_delete_the_last_seal, True),
    (_edit_the_first_donation, False),  # before it: the point no longer holds; all is read
], ids=["an unsigned event appended", "the last write's seal deleted",
        "a donation before the point edited"])
def test_what_is_forged_after_or_before_the_remembered_point_is_found(sqlite_ledger, tmp_path,
                                                                       alter, resumed):
    ward = signing(sqlite_ledger, tmp_path)
    ward("give", "H1", "--from", "KHO", "--item", "RICE=3", "--on", "2021-11-03")
    point = checked(ward).reached
    ward("give", "H1", "--from", "KHO", "--item", "RICE=2", "--on", "2021-11-03")
    forge(ward.path, alter)
    found = checked(ward, since=point)
    assert found.resumed_at == (point.size if resumed else None)
    assert not found.sound and found.reached is None
    refused = ward.fails("audit", "checkpoint")
    assert refused.code == 1 and "does not verify" in refused.err and refused.out == ""


def test_the_signer_remembers_only_what_its_own_key_signed(sqlite_ledger, tmp_path):
    """The remembered point is kept beside the key, signed with it: edited, or read with
    another key, or asked for another ledger, it is not used (the whole history is read)."""
    ward = signing(sqlite_ledger, tmp_path)
    ward("audit", "checkpoint")
    lan = SigningKey.load(tmp_path / "lan.pem")
    [kept] = (tmp_path / "checked").iterdir()
    origin = json.loads(kept.read_text())["origin"]
    point = remembered.recall(lan, origin)
    assert point is not None and point == checked(ward).reached  # honest: used
    other = SigningKey.create(tmp_path / "other" / "other.pem")
    (tmp_path / "other" / "checked").mkdir()
    shutil.copy(kept, tmp_path / "other" / "checked" / kept.name.replace(lan.key, other.key))
    assert remembered.recall(other, origin) is None  # signed by another key
    assert remembered.recall(lan, origin.replace(origin[-4:], "0000")) is None  # another ledger
    data = json.loads(kept.read_text())
    data["checked"]["size"] += 1  # a point further on, unsigned
    kept.write_text(json.dumps(data))
    assert remembered.recall(lan, origin) is None
    kept.write_text("not json")
    assert remembered.recall(lan, origin) is None
    ward("audit", "checkpoint")  # and signing goes on, reading the whole history
    assert remembered.recall(lan, origin) == checked(ward).reached


def test_a_statement_read_from_an_edited_event_carries_no_signature(sqlite_ledger, tmp_path):
    """From a sweep: after a signing, an early donation edited without relinking (so that
    the signer's check, going on from its last signing, does not read it) showed 5,000 kg on
    the statement under the treasurer's signature. The statement reads every event itself:
    its checkpoint is signed only when that read finds the chain whole. A checkpoint signed
    alone still signs only the history that was checked (its root), never the edit."""
    ward = signing(sqlite_ledger, tmp_path)
    before = ward("audit", "checkpoint", "--format", "json").json()
    assert "\n— " in ward("audit", "statement", "--format", "json").json()["checkpoint"]
    assert "DOES NOT VERIFY" not in ward("audit", "statement", "--format", "html").out
    with sqlite3.connect(ward.path) as conn:
        _edit_the_first_donation(conn)
    assert ward.fails("audit", "verify").code == 1
    statement = ward.fails("audit", "statement", "--format", "json")
    note = statement.json()["checkpoint"]
    assert note.startswith(before["origin"]) and "\n— " not in note  # unsigned
    signed = ward("audit", "checkpoint", "--format", "json", ok=False)
    assert signed.code == 1 or signed.json()["root"] == before["root"]
    # and the printed page says so where its readers see it, not only on the terminal
    page = ward.fails("audit", "statement", "--format", "html").out
    assert "THIS LEDGER DOES NOT VERIFY: its chain breaks at position" in page
    assert "KHÔNG" in ward.fails("--lang", "vi", "audit", "statement", "--format", "html").out


# ---- the batch read (`_intact`) against the row-by-row read it stands in for -----------------


def both_ways(ward: Ledger, monkeypatch, since: Checked | None = None
              ) -> tuple[History, History, bool]:
    """The history read a batch at a time (batches of 3 rows: every kind of row meets a batch's
    edge), and row by row; and whether the batch read went all the way (a ledger with
    findings is handed to the row-by-row read at its first broken link)."""
    from projections.audit import public

    took: list[bool] = []
    batch_read = public._intact

    def spied(*args):
        found = batch_read(*args)
        took.append(found is not None)
        return found

    with monkeypatch.context() as patch:
        patch.setattr(public, "BATCH", 3)
        patch.setattr(public, "_intact", spied)
        fast = checked(ward, since)
    with monkeypatch.context() as patch:
        patch.setattr(public, "_intact", lambda *args: None)
        slow = checked(ward, since)
    return fast, slow, took == [True]


def same(fast: History, slow: History) -> None:
    assert fast.checked == slow.checked  # events, head, checkpoints, findings
    assert fast.signed == slow.signed
    assert fast.tree == slow.tree
    assert (fast.reached, fast.resumed_at) == (slow.reached, slow.resumed_at)


def test_the_batch_read_reaches_what_the_row_by_row_read_reaches(ledger, tmp_path, monkeypatch):
    ward = signing(ledger, tmp_path)
    minh = SigningKey.create(tmp_path / "minh.pem")
    last = None
    for write in [
        ("give", "H1", "--from", "KHO", "--item", "RICE=3", "--on", "2021-11-03"),
        ("actor", "add", "Anh Minh", "--public-key", minh.text),
        ("actor", "key", "revoke", minh.key, "--reason", "mất điện thoại"),
        ("donate", "D1", "--into", "KHO", "--cash", "1000", "--on", "2021-11-04"),
    ]:
        ward(*write)
        for since in (None, last):
            fast, slow, batched = both_ways(ward, monkeypatch, since)
            assert batched and fast.sound, write
            same(fast, slow)
        last = fast.reached
    assert last is not None and last.size > 3


def _edit_a_tree_node(conn):
    conn.execute("UPDATE aid_merkle SET hash = zeroblob(32) WHERE level = 1 AND idx = 2")


def _delete_a_tree_node(conn):
    conn.execute("DELETE FROM aid_merkle WHERE level = 0 AND idx = 5")


def _store_a_tree_node_as_text(conn):
    conn.execute("UPDATE aid_merkle SET hash = 'edited' WHERE level = 2 AND idx = 0")


def _edit_a_link(conn):
    conn.execute("UPDATE aid_chain SET link = ? WHERE position = 4", ("0" * 64,))


def _delete_a_link(conn):
    conn.execute("DELETE FROM aid_chain WHERE position = (SELECT MAX(position) FROM aid_chain)")


def _store_a_link_beyond_the_events(conn):
    conn.execute("INSERT INTO aid_chain (position, link) VALUES (1000, ?)", ("1" * 64,))


@pytest.mark.parametrize("alter, relinked", [
    (_append_a_copy_of_the_last_hand_out, True), (_delete_the_last_seal, True),
    (_edit_the_first_donation, True), (_edit_a_tree_node, False), (_delete_a_tree_node, False),
    (_store_a_tree_node_as_text, False), (_edit_a_link, False), (_delete_a_link, False),
    (_store_a_link_beyond_the_events, False), (_edit_the_first_donation, False),
])
def test_a_forged_ledger_reads_the_same_either_way(sqlite_ledger, tmp_path, monkeypatch, alter,
                                                    relinked):
    """Whatever was forged, the batch read finds what the row-by-row read finds, in the same
    words: it either holds every link (seals and tree findings are its own) or hands over."""
    ward = signing(sqlite_ledger, tmp_path)
    ward("give", "H1", "--from", "KHO", "--item", "RICE=3", "--on", "2021-11-03")
    point = checked(ward).reached
    ward("give", "H1", "--from", "KHO", "--item", "RICE=2", "--on", "2021-11-03")
    if relinked:
        forge(ward.path, alter)
    else:
        conn = sqlite3.connect(ward.path)
        with conn:
            alter(conn)
        conn.close()
    for since in (None, point):  # resumed, what lies before the point may go unread
        fast, slow, _batched = both_ways(ward, monkeypatch, since)
        assert since is not None or not slow.sound
        same(fast, slow)
