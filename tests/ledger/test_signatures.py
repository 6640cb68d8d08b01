"""Signed entries: every write sealed by its writer's key, every forgery named by verify.

Issue 17, finding 6: an event appended at the end with a correctly computed link passed
`aid audit verify` with or without a digest. Once a ledger has keys, only a holder of a declared
private key can seal an entry, so such an event is reported without any digest.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from uuid import UUID

import pytest

from ledger.store.access import locate, open_log
from ledger.trust.chain import GENESIS, link, originator_text
from ledger.trust.seal_bytes import KEYS_TOPIC_PREFIX, SEAL_TOPIC
from ledger.trust.seals import make
from ledger.trust.signing_key import SigningKey
from tests.commands.test_import import write_donations


@pytest.fixture
def signed(ward, tmp_path):
    """The ward of conftest (9 unsigned entries), then the treasurer's key declared, a
    volunteer's key declared, and signed entries by both."""
    ward.env["AID_SIGNING_KEY_FILE"] = str(tmp_path / "lan.pem")
    ward.env["AID_ACTOR"] = "Chị Lan"
    assert ward("actor", "key", "init").out.startswith("signing key ")
    ward("actor", "add", "Chị Lan")
    minh = tmp_path / "minh.pem"
    ward("actor", "key", "init", "--key-file", str(minh))
    public = ward("actor", "key", "show", "--key-file", str(minh)).out.strip()
    (tmp_path / "minh.pub").write_text(public + "\n")
    ward("actor", "add", "Anh Minh", "--public-key", str(tmp_path / "minh.pub"))
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=100", "--cash", "1000000",
         "--receipt", "PT-1")
    lan = dict(ward.env)
    ward.env.update(AID_SIGNING_KEY_FILE=str(minh), AID_ACTOR="Anh Minh")
    ward("give", "H1", "--from", "KHO", "--item", "RICE=10")
    ward.env.clear()
    ward.env.update(lan, MINH=str(minh))
    return ward


def rows(ledger) -> list[tuple]:
    return ledger.snapshot()


def append(ledger, originator, version: int, topic: str, state: bytes) -> int:
    """Append a row directly in the database, with the link a careful forger computes."""
    log = open_log(locate(environ=ledger.env), writable=True)
    try:
        p, conn = log.paramstyle, log.connection
        chain = log.table("chain")
        last = conn.execute(f"SELECT link FROM {chain} ORDER BY position DESC LIMIT 1")
        previous = last.fetchone()[0]
        conn.execute(f"INSERT INTO {log.events_table} (originator_id, originator_version, "
                     f"topic, state) VALUES ({p}, {p}, {p}, {p})",
                     (originator_text(originator) if p == "?" else originator, version, topic,
                      state))
        position = log.head()
        stored = [r for r in log.stored(position - 1, position)][0]
        conn.execute(f"INSERT INTO {chain} (position, link) VALUES ({p}, {p})",
                     (position, link(previous, stored)))
        return position
    finally:
        log.close()


def relink(ledger) -> None:
    """Recompute every stored link, as a forger who edited a row would."""
    log = open_log(locate(environ=ledger.env), writable=True)
    try:
        chain, p = log.table("chain"), log.paramstyle
        previous = GENESIS
        for row in list(log.stored()):
            previous = link(previous, row)
            log.connection.execute(f"UPDATE {chain} SET link = {p} WHERE position = {p}",
                                   (previous, row[0]))
    finally:
        log.close()


def last_handout(ledger) -> tuple:
    return [r for r in rows(ledger) if r[3].endswith("Ward.HandedOut")][-1]


def test_signed_writes_verify_and_the_unsigned_history_is_reported(signed, tmp_path):
    csv = write_donations(tmp_path / "donations.csv", 5)
    assert "in 3 batches" in signed("import", "donations", str(csv), "--batch", "2").out
    stored = rows(signed)
    seals = [r for r in stored if r[3] == SEAL_TOPIC]
    # key declarations 2 (first with the keyring), donation, hand-out, 3 import batches
    assert len(seals) == 7
    first_signed = next(r[0] for r in stored if r[3].startswith("ledger.keys:"))
    unsigned = sum(1 for r in stored if r[0] < first_signed)
    assert unsigned == 9
    result = signed("audit", "verify")
    assert result.code == 0, result.err
    assert "every event matches the link stored with it" in result.out
    assert (f"signatures: {len(stored) - len(seals) - unsigned} events signed from position "
            f"{first_signed}; 9 events before it unsigned (written before signing began)"
            ) in result.out
    assert "Chị Lan, declared at position" in result.out
    assert "Anh Minh, declared at position" in result.out
    # seals and keys are not entries: ids run on, reports and the rule check are as before
    history = signed("history", "--format", "json").json()
    assert [e["id"] for e in history] == list(range(1, 17))
    assert "no failures: 16 entries checked" in signed("audit", "check").out
    stock = signed("stock", "--format", "json").out
    signed("rebuild")
    assert signed("stock", "--format", "json").out == stock


def test_the_history_before_signing_began_is_bound_by_the_first_key(signed):
    """From a sweep: the 9 entries written before the first key was declared (a ledger's
    opening and its district code among them) are covered by no seal, so one edited and the
    chain linked again passed `aid audit verify`, and the district then counted the ledger
    under an edited code. The first key's declaration signs the chain's link just before it."""
    result = signed("audit", "verify")  # honest: the bound history is the one stored
    assert result.code == 0 and "signed the history" not in result.out
    declaration = next(r for r in rows(signed) if r[3] == "ledger.keys:Keyring.Declared")
    assert json.loads(declaration[4])["head_position"] == declaration[0] - 2  # before Started
    rice = next(r for r in rows(signed) if r[3].endswith("Ward.ItemDeclared"))
    assert b'"kg"' in bytes(rice[4])
    log = open_log(locate(environ=signed.env), writable=True)
    p = log.paramstyle
    column = "rowid" if p == "?" else "notification_id"
    log.connection.execute(f"UPDATE {log.events_table} SET state = {p} WHERE {column} = {p}",
                           (bytes(rice[4]).replace(b'"kg"', b'"g"'), rice[0]))  # 1000 times
    log.close()
    relink(signed)
    forged = signed.fails("audit", "verify")
    assert forged.code == 1, forged.out
    assert (f"position {declaration[0]}: the first key, declared here, signed the history up "
            f"to position {declaration[0] - 2}") in forged.out
    assert "an event written before signing began was changed after it" in forged.out


def test_finding_6_an_appended_forgery_is_caught_without_a_digest(signed):
    digest = signed("audit", "digest", "--format", "json").out
    original = last_handout(signed)
    forged = append(signed, original[1], original[2] + 1, original[3], original[4])
    for extra in ([], ["--digest", digest]):
        result = signed.fails("audit", "verify", *extra)
        assert result.code == 1
        assert "every event matches the link stored with it" in result.out  # the chain holds
        assert (f"position {forged}: the event is not signed by a declared actor's key (added "
                "outside aid?)") in result.out
        assert f"first bad position {forged} " in result.err
    assert "ok, the ledger extends it by 1 event\n" in signed.fails(
        "audit", "verify", "--digest", digest).out


def test_a_seal_with_a_wrong_signature_is_reported(signed):
    seal = [r for r in rows(signed) if r[3] == SEAL_TOPIC][-1]
    data = json.loads(seal[4])
    data["signature"] = base64.b64encode(b"\1" * 64).decode()
    log = open_log(locate(environ=signed.env), writable=True)
    p = log.paramstyle
    position = "rowid" if p == "?" else "notification_id"
    log.connection.execute(f"UPDATE {log.events_table} SET state = {p} WHERE {position} = {p}",
                           (json.dumps(data).encode(), seal[0]))
    log.close()
    relink(signed)  # the chain agrees: only the seal tells
    result = signed.fails("audit", "verify")
    assert result.code == 1
    assert "every event matches the link stored with it" in result.out
    assert (f"position {seal[0]}: the seal over positions {seal[0] - 1}–{seal[0] - 1} is not "
            "valid: its signature does not match the events it covers; those events are not "
            "signed") in result.out


def test_a_forgery_sealed_with_an_undeclared_key_is_reported(signed, tmp_path):
    from eventsourcing.persistence import StoredEvent

    forger = SigningKey.create(tmp_path / "forger.pem")
    original = last_handout(signed)
    stored = StoredEvent(original[1], original[2] + 1, original[3], original[4])
    seal = make([stored], "Phường 3", "Chị Lan", forger.key, forger.sign)
    from ledger.service import Ledger  # its mapper turns the seal into a stored row

    mapper = Ledger({"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    seal_row = mapper.to_stored_event(seal)
    forged = append(signed, original[1], original[2] + 1, original[3], original[4])
    at = append(signed, seal_row.originator_id, 1, seal_row.topic, seal_row.state)
    result = signed.fails("audit", "verify")
    assert (f"position {at}: the seal over positions {forged}–{forged} is not valid: its key "
            f"{forger.key} is not declared in this ledger before it") in result.out


def test_writers_without_a_declared_key_are_refused_and_nothing_is_written(signed, tmp_path):
    before = signed.snapshot()
    signed.env["AID_SIGNING_KEY_FILE"] = str(tmp_path / "nobody.pem")
    result = signed.fails("donate", "D1", "--into", "KHO", "--item", "RICE=1")
    assert result.code == 1 and "holds no signing key" in result.err
    signed("actor", "key", "init")  # a key, but nobody declared it
    result = signed.fails("donate", "D1", "--into", "KHO", "--item", "RICE=1")
    assert result.code == 1 and "is not a live key of this ledger" in result.err
    signed.env["AID_SIGNING_KEY_FILE"] = signed.env["MINH"]  # Minh's key, Lan's name
    result = signed.fails("donate", "D1", "--into", "KHO", "--item", "RICE=1")
    assert result.code == 1 and "recorded as Chị Lan, but signing key" in result.err
    assert signed.snapshot() == before


def test_a_revoked_key_signs_nothing_more(signed):
    key = signed("actor", "key", "show", "--key-file", signed.env["MINH"]).out
    from ledger.trust.seal_bytes import key_id
    from ledger.trust.signing_key import parse_public

    minh = key_id(parse_public(key))
    assert signed("actor", "key", "revoke", minh, "--reason", "left the team").code == 0
    before = signed.snapshot()
    lan_file = signed.env["AID_SIGNING_KEY_FILE"]
    signed.env.update(AID_SIGNING_KEY_FILE=signed.env["MINH"], AID_ACTOR="Anh Minh")
    result = signed.fails("give", "H1", "--from", "KHO", "--item", "RICE=1")
    assert result.code == 1 and f"your signing key {minh} was revoked" in result.err
    assert "aid actor add" not in result.err  # declaring it again is refused: not the way out
    assert signed.snapshot() == before
    out = signed("audit", "verify").out
    assert f"key {minh}: Anh Minh, declared at position" in out and ", revoked at position" in out
    # the last live key is never revoked: no one could record again, not even a new key
    signed.env.update(AID_SIGNING_KEY_FILE=lan_file, AID_ACTOR="Chị Lan")
    lan = key_id(parse_public(signed("actor", "key", "show").out))
    before = signed.snapshot()
    last = signed.fails("actor", "key", "revoke", lan, "--reason", "moved away")
    assert last.code == 1 and "is the last live key of this ledger" in last.err
    assert last.err.count("\n") == 1 and signed.snapshot() == before
    signed("give", "H1", "--from", "KHO", "--item", "RICE=1")


def test_a_keyring_snapshot_written_by_hand_never_turns_signing_off(signed):
    """From a sweep: a snapshot of the keyring with no keys, inserted in the database, made
    the next write go unsealed without a word, and verify blamed that honest entry. Only the
    ward takes snapshots: another is named, and writers read the keyring from its events."""
    from ledger.ward.names import KEYRING_ID

    log = open_log(locate(environ=signed.env), writable=True)
    try:
        p, at = log.paramstyle, '{"_type_": "datetime_iso", "_data_": "2026-01-01T00:00:00+00:00"}'
        state = ('{"timestamp": %s, "topic": "ledger.trust.keyring:Keyring", "state": {"_id": '
                 '"%s", "_version": 2, "_created_on": %s, "_modified_on": %s, "keys": {}}}'
                 % (at, KEYRING_ID, at, at)).encode()
        log.connection.execute(
            f"INSERT INTO {log.snapshots_table} (originator_id, originator_version, topic, "
            f"state) VALUES ({p}, {p}, {p}, {p})",
            (log._originator(KEYRING_ID), 2, "eventsourcing.domain:Snapshot", state))
    finally:
        log.close()
    named = signed.fails("audit", "verify")
    assert named.code == 1 and "a snapshot of aggregate" in named.out and \
        "written outside aid" in named.out
    signed("give", "H1", "--from", "KHO", "--item", "RICE=1")  # still sealed by Lan's key
    assert "not signed" not in signed.fails("audit", "verify").out


def test_the_first_key_must_be_the_writers_own(ward, tmp_path):
    ward.env["AID_SIGNING_KEY_FILE"] = str(tmp_path / "lan.pem")
    ward("actor", "key", "init")
    other = SigningKey.create(tmp_path / "other.pem")
    before = ward.snapshot()
    result = ward.fails("actor", "add", "Someone", "--public-key", other.text)
    assert result.code == 1 and "the first key declared must be your own" in result.err
    assert ward.snapshot() == before
    assert ward.fails("actor", "add", "X", "--public-key", "ed25519:nonsense").code == 2
    assert ward.fails("actor", "key", "init").code == 1  # never replaces a key
    assert "signatures: no event is signed" in ward("audit", "verify").out


def test_key_file_is_private_to_its_owner(ward, tmp_path):
    path = tmp_path / "keys" / "lan.pem"
    ward("actor", "key", "init", "--key-file", str(path))
    assert path.stat().st_mode & 0o777 == 0o600
    assert "BEGIN PRIVATE KEY" in path.read_text()


def test_the_seal_format_is_pinned():
    """What a seal signs is a published contract: seals made today must verify for years."""
    from eventsourcing.utils import get_topic

    from ledger.trust.keyring import Keyring
    from ledger.trust.seal_bytes import message, row_hash
    from ledger.trust.seals import Seal

    assert get_topic(Seal.Made) == SEAL_TOPIC
    assert get_topic(Keyring.Declared).startswith(KEYS_TOPIC_PREFIX)
    assert row_hash("ab", 12, "t", b"xyz").hex() == (
        "95f6daf900931b5489bb5f52cfc0b042a3ffcb227928788a186fcf0c1dd50e04")
    assert message("P3", "Lan", "k1", 2, "d") == (
        b"\0\0\0\0\0\0\0\x0baid-seal-v1" b"\0\0\0\0\0\0\0\x02P3" b"\0\0\0\0\0\0\0\x03Lan"
        b"\0\0\0\0\0\0\0\x02k1" b"\0\0\0\0\0\0\0\x012" b"\0\0\0\0\0\0\0\x01d")


@pytest.mark.parametrize("row", [
    (1, "ab" * 16, 1, "ledger.ward:Ward.Donated", b'{"cash": 1}'),
    (10**20, UUID(int=7), 12, "t", b"x" * 70_000), (3, "o" * 300, 2, "tópic", b""),
    (4, "é", 5, "t", "a text state"), (5, None, 1, "t", None), (-1, 42, 3, "t", 1.5),
])
def test_rows_framed_a_batch_at_a_time_are_framed_as_one_at_a_time(row):
    """The batch check's shortcuts are the same bytes: `encode_rows` is `encode`, and a
    seal's row hash taken from the chain's bytes is `row_hash` (rows edited by hand too)."""
    from ledger.trust.chain import encode, encode_rows, stored_bytes
    from ledger.trust.seal_bytes import row_hash, row_hashes_encoded

    assert encode_rows([row, row]) == [encode(*row)] * 2
    state = stored_bytes(row[4])
    assert row_hashes_encoded([encode(*row)]) == [row_hash(row[1], row[2], row[3], state)]


def test_rows_no_seal_can_cover_are_reported_with_flat_memory(monkeypatch, tmp_path):
    """A seal covers the rows just before it; older ones, or a seal claiming more rows than
    there are, are findings once signing began (checked on rows, no database needed)."""
    from eventsourcing.persistence import StoredEvent

    import projections.audit.signatures as signatures
    from ledger.trust.seal_bytes import key_id, public_text

    key = SigningKey.create(tmp_path / "k.pem")
    declared = {"key": key.key, "public": public_text(key.public), "actor": "Lan", "by": "Lan"}
    rows = [(1, "w", 1, "ledger.ward:Ward.Opened", b'{"name": "P3"}'),
            (2, "k", 1, "ledger.keys:Keyring.Declared", json.dumps(declared).encode())]

    def sealed(position: int, covered: list[tuple], count: int | None = None) -> tuple:
        made = make([StoredEvent(*row[1:]) for row in covered], "P3", "Lan", key.key, key.sign)
        data = {"actor": made.actor, "key": made.key, "count": count or made.count,
                "digest": made.digest, "signature": made.signature}
        return (position, "s", 1, SEAL_TOPIC, json.dumps(data).encode())

    rows.append(sealed(3, rows[1:]))  # the first key seals its own declaration
    loose = [(p, "w", p, "ledger.ward:Ward.Donated", b"{}") for p in range(4, 10)]
    rows += loose + [sealed(10, loose[-2:])]  # covers 8-9 only
    rows += [sealed(11, loose[:1], count=5)]  # claims more than there are
    copies = [(12 + n, *row[1:]) for n, row in enumerate(rows[7:10])]  # 8, 9 and their seal
    replayed = signatures.check(rows[:3] + rows[7:10] + copies)
    assert [str(p.text) for p in replayed.problems] == [
        "position 14: the seal over positions 12–13 is not valid: it and the events it covers "
        "are a copy of the seal at position 10; those events are not signed"]
    monkeypatch.setattr(signatures, "MAX_SEALED", 3)
    found = signatures.check(rows + [(p, "w", p, "t", b"{}") for p in range(12, 17)])
    assert key_id(key.public) == key.key and found.began == 2 and found.unsigned_before == 1
    assert [(p.position, str(p.text)) for p in found.problems] == [
        (4, "positions 4–7: 4 events are not signed by a declared actor's key (added outside "
            "aid?)"),
        (11, "position 11: a seal claims to cover 5 events, but only 0 unsealed events are "
             "stored before it"),
        (12, "positions 12–16: 5 events are not signed by a declared actor's key (added "
             "outside aid?)")]


SIGNED_WRITER = """
import sys, time
from ledger.store.access import locate, open_ledger
ledger = open_ledger(locate())
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))  # start together
for n in range(int(sys.argv[1])):
    ledger.donate("D1", "KHO", 1000, {"RICE": 1}, None, None, "2021-11-05", "Chị Lan")
ledger.close()
"""


def test_concurrent_signed_writers_keep_every_seal_next_to_its_rows(signed):
    """A seal covers the rows just before it: two processes writing at once must not
    interleave one write's rows with another's (the store's write lock keeps them together)."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, **signed.env, "PYTHONPATH": str(root)}
    start = str(time.time() + 1.5)
    writers = [subprocess.Popen([sys.executable, "-c", SIGNED_WRITER, "25", start], env=env,
                                cwd=root, stderr=subprocess.PIPE, text=True) for _ in (1, 2)]
    for writer in writers:
        _, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err
    result = signed("audit", "verify")
    assert "every event matches the link stored with it" in result.out
    assert "not signed" not in result.out and "not valid" not in result.out


@pytest.mark.parametrize("window", [3, 8, 100_000])
def test_rows_no_seal_can_reach_need_no_hash_and_change_nothing(signed, window, tmp_path):
    """`aid audit verify` skips hashing the rows more than MAX_SEALED rows before the first seal
    (none can cover them); what it finds is exactly what hashing every row finds, with a forged
    row appended and a short import in between."""
    import projections.audit.signatures as signatures

    csv = write_donations(tmp_path / "donations.csv", 4)
    signed("import", "donations", str(csv), "--batch", "2")
    original = last_handout(signed)
    version = max(r[2] for r in rows(signed) if r[1] == original[1])
    append(signed, original[1], version + 1, original[3], original[4])
    stored = rows(signed)
    log = open_log(locate(environ=signed.env))
    try:
        start = log.rows_before_first(SEAL_TOPIC, window)
    finally:
        log.close()
    first_seal = next(r[0] for r in stored if r[3] == SEAL_TOPIC)
    before = [r[0] for r in stored if r[0] < first_seal]
    assert start == (before[-window] if window <= len(before) else -(2**63))
    checker = signatures.SignatureCheck()
    assert list(checker.watch(iter(stored), start)) == stored
    assert checker.finish() == signatures.check(stored)
    unsealed = signatures.SignatureCheck()
    list(unsealed.watch(iter(stored[:first_seal - 1]), None))  # no seal stored at all
    assert unsealed.finish() == signatures.check(stored[:first_seal - 1])


def test_an_unsigned_event_slipped_in_before_the_first_key_is_caught(signed):
    """From a sweep: a donation of 10,000 kg inserted after the history the first key's
    declaration binds, just before the declaration, was counted among the "events before it
    unsigned" and passed verify, check and reconcile. Only the chain up to the bound link may be
    unsigned."""
    declaration = next(r for r in rows(signed) if r[3] == "ledger.keys:Keyring.Declared")
    at = json.loads(declaration[4])["head_position"]
    donated = next(r for r in rows(signed) if r[3].endswith("Ward.Donated"))
    ward_rows = [r for r in rows(signed) if r[1] == donated[1]]
    log = open_log(locate(environ=signed.env), writable=True)
    try:
        p, conn = log.paramstyle, log.connection
        column = "rowid" if p == "?" else "notification_id"
        for step in (f"+ 1000000 WHERE {column} > {at}", f"- 999999 WHERE {column} > 1000000"):
            conn.execute(f"UPDATE {log.events_table} SET {column} = {column} {step}")
        conn.execute(f"INSERT INTO {log.events_table} ({column}, originator_id, "
                     f"originator_version, topic, state) VALUES ({p}, {p}, {p}, {p}, {p})",
                     (at + 1, originator_text(donated[1]) if p == "?" else donated[1],
                      max(r[2] for r in ward_rows) + 1, donated[3],
                      bytes(donated[4]).replace(b'"receipt":"', b'"receipt":"X')))
        chain = log.table("chain")
        conn.execute(f"DELETE FROM {chain}")
        previous = GENESIS
        for row in list(log.stored()):
            previous = link(previous, row)
            conn.execute(f"INSERT INTO {chain} (position, link) VALUES ({p}, {p})",
                         (row[0], previous))
        for derived in ("merkle", "read_models", "history", "history_bins"):
            conn.execute(f"DELETE FROM {log.table(derived)}")
        conn.execute(f"DELETE FROM {log.snapshots_table}")
    finally:
        log.close()
    forged = signed.fails("audit", "verify")
    assert forged.code == 1, forged.out
    assert (f"position {at + 1}: the event is not signed, and lies after position {at}, up "
            "to which the first key signed the history") in forged.out


def test_a_write_between_reading_the_bound_history_and_declaring_is_tried_again(
        ward, tmp_path, monkeypatch):
    """The first key's declaration binds the last link it read; another writer's entry stored
    in between would lie unsigned after it (a false alarm): the declaration is written again."""
    from ledger.store.chained import ChainWriter

    real, calls = ChainWriter.last_link, []

    def stale(self):  # the first read sees the history as it was one entry earlier
        calls.append(1)
        found = real(self)
        if len(calls) > 1:
            return found
        return found[0] - 1, "0" * 64
    monkeypatch.setattr(ChainWriter, "last_link", stale)
    ward.env["AID_SIGNING_KEY_FILE"] = str(tmp_path / "lan.pem")
    ward("actor", "key", "init")
    ward("actor", "add", "tester")
    assert len(calls) == 2
    declaration = next(r for r in rows(ward) if r[3] == "ledger.keys:Keyring.Declared")
    at = json.loads(declaration[4])["head_position"]
    assert [r[3] for r in rows(ward) if at < r[0] < declaration[0]] == [
        "ledger.keys:Keyring.Started"]
    assert ward("audit", "verify").code == 0
