"""Every way one ledger's file can be altered (issue #22's tamper cases), each with the exact
finding `aid audit verify` must print, at its position, and the first bad position it exits 1
with. What verify cannot see without something held outside the ledger (a tail cut off, every
seal and key stripped) is pinned too, with the outside evidence that does catch it.

One signing ledger (and a practice ledger of the same ward name, signed with the same key) is
built once through the CLI; each case alters a copy of its file as someone holding the file
would, recomputing the chain of links wherever a careful forger would.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import Ledger, _env

from commands.language.words import moment
from ledger.trust.chain import GENESIS, link
from ledger.trust.identity import identity
from ledger.trust.seal_bytes import KEYS_TOPIC_PREFIX, SEAL_TOPIC
from ledger.trust.seals import make
from ledger.trust.signing_key import SigningKey


def setup_ward(aid: Ledger) -> None:
    aid("init", "--ward", "Phường 3", "--on", "2021-11-01")
    aid("item", "add", "RICE", "--name", "Gạo", "--unit", "kg")
    aid("item", "add", "NOODLE", "--name", "Mì gói", "--unit", "case")
    aid("location", "add", "KHO", "--name", "Kho phường")
    aid("donor", "add", "D1", "--name", "Công ty Gạo Việt")
    aid("recipient", "add", "H1", "--name", "Nguyễn Văn A", "--group", "Tổ 1")
    aid("recipient", "add", "H2", "--name", "Trần Thị B", "--group", "Tổ 2")


@dataclass
class Built:
    folder: Path
    lan: Path  # the treasurer's key file
    minh: Path  # a volunteer's, revoked at the end
    minh_key: str

    def aid(self, db: Path, **env: str) -> Ledger:
        return Ledger(_env(AID_DB=str(db), AID_SIGNING_KEY_FILE=str(self.lan),
                           AID_ACTOR="Chị Lan", **env), "sqlite", db)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    folder = tmp_path_factory.mktemp("matrix")
    lan, minh = folder / "lan.pem", folder / "minh.pem"
    lan_key, minh_key = SigningKey.create(lan), SigningKey.create(minh)
    made = Built(folder, lan, minh, minh_key.key)
    aid = made.aid(folder / "ward.db")
    setup_ward(aid)
    aid("actor", "add", "Chị Lan")
    aid("actor", "add", "Anh Minh", "--public-key", minh_key.text)
    aid("donate", "D1", "--into", "KHO", "--item", "RICE=280", "--receipt", "PT-1",
        "--cash", "1000000", "--on", "2021-11-02")
    aid("donate", "D1", "--into", "KHO", "--item", "NOODLE=5", "--on", "2021-11-02")
    aid("donate", "D1", "--into", "KHO", "--item", "NOODLE=6", "--on", "2021-11-02")
    aid.env.update(AID_SIGNING_KEY_FILE=str(minh), AID_ACTOR="Anh Minh")
    aid("give", "H1", "--from", "KHO", "--item", "RICE=10", "--on", "2021-11-03")
    aid.env.update(AID_SIGNING_KEY_FILE=str(lan), AID_ACTOR="Chị Lan")
    aid("actor", "key", "revoke", minh_key.key, "--reason", "phone lost")
    aid("give", "H2", "--from", "KHO", "--item", "RICE=5", "--on", "2021-11-03")
    aid("donate", "D1", "--into", "KHO", "--item", "RICE=1", "--on", "2021-11-04")
    assert aid("audit", "verify").code == 0
    # last year's practice ledger: the same ward name, the same treasurer's key, more writes
    practice = made.aid(folder / "practice.db")
    setup_ward(practice)
    practice("actor", "add", "Chị Lan")
    for n in range(12):
        practice("donate", "D1", "--into", "KHO", "--item", "RICE=1000", "--on", "2020-11-02")
    for n in range(3):
        practice("actor", "add", f"Người {n}", "--public-key",
                 SigningKey.create(folder / f"p{n}.pem").text)
    practice("actor", "add", "Kẻ gian", "--public-key",
             SigningKey.create(folder / "forger.pem").text)
    assert lan_key.key
    return made


# ---- the file, as someone holding it sees it ---------------------------------------------

Row = tuple[int, str, int, str, bytes]


def rows(db: Path) -> list[Row]:
    with sqlite3.connect(db) as conn:
        return [(p, o, v, t, bytes(s)) for p, o, v, t, s in conn.execute(
            "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
            "ORDER BY rowid")]


def execute(db: Path, sql: str, params: tuple = ()) -> None:
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(sql, params)
    conn.close()


def relink(db: Path) -> None:
    """Every stored link recomputed from the events, and the stored Merkle tree emptied
    (readers build it from the events, as for a ledger older than the tree), as a careful
    forger does; `test_a_tree_left_behind_by_a_forger_is_caught` is the careless one."""
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DELETE FROM aid_merkle")
        conn.execute("DELETE FROM aid_chain")
        previous = GENESIS
        for row in rows(db):
            previous = link(previous, row)
            conn.execute("INSERT INTO aid_chain (position, link) VALUES (?, ?)",
                         (row[0], previous))
    conn.close()


def compact(db: Path) -> None:
    """The positions closed up after rows were deleted (1, 2, 3… again), the read models that
    name positions dropped, and the chain relinked: a careful forger's last step, since
    SQLite leaves no gap between an honest ledger's events."""
    kept = rows(db)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DELETE FROM stored_events")
        conn.executemany("INSERT INTO stored_events (rowid, originator_id, originator_version, "
                         "topic, state) VALUES (?, ?, ?, ?, ?)",
                         [(n, *row[1:]) for n, row in enumerate(kept, 1)])
        for table in ("aid_read_models", "aid_history", "aid_history_bins"):
            conn.execute(f"DELETE FROM {table}")
    conn.close()
    relink(db)


def gap(first: int, last: int) -> str:
    """What verify says of positions first…last left empty on SQLite."""
    where = f"position {first}" if first == last else f"positions {first}–{last}"
    return (f"{where}: no event is stored there, and this database leaves no gap between "
            f"events: {'it was' if first == last else 'they were'} deleted, or every event "
            f"from there on was moved to a later position (the next is at {last + 1})")


def append(db: Path, new: list[tuple[str, int, str, bytes]]) -> list[int]:
    """Rows added at the end (originator, version, topic, state), then relinked."""
    conn = sqlite3.connect(db)
    with conn:
        for row in new:
            conn.execute("INSERT INTO stored_events (originator_id, originator_version, topic, "
                         "state) VALUES (?, ?, ?, ?)", row)
    conn.close()
    relink(db)
    return [r[0] for r in rows(db)][-len(new):]


def seals(db: Path) -> list[Row]:
    return [r for r in rows(db) if r[3] == SEAL_TOPIC]


def write_of(db: Path, seal: Row) -> list[Row]:
    """A whole signed write: the rows its seal covers, and the seal."""
    stored = rows(db)
    at = stored.index(seal)
    return stored[at - json.loads(seal[4])["count"]:at + 1]


def number(seal: Row) -> int:
    return json.loads(seal[4])["number"]


def sealed_by(key_file: Path, actor: str, db: Path, new: list[tuple[str, int, str, bytes]],
              *, old_kind: bool = False, number: int | None = None) -> list[tuple]:
    """Rows and the seal a holder of `key_file` makes for them, as a forger holding a key would
    (`old_kind`: release 0.1's seal, bound to the ward's name only)."""
    from eventsourcing.persistence import StoredEvent

    from ledger.service import Ledger as Application

    key = SigningKey.load(key_file)
    stored = [StoredEvent(*row) for row in new]
    first = rows(db)[0]
    made = (make(stored, "Phường 3", actor, key.key, key.sign) if old_kind else
            make(stored, "Phường 3", actor, key.key, key.sign, identity=identity(first),
                 number=number or max(map(_number, seals(db))) + 1))
    seal = Application({"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper.to_stored_event(made)
    return [*new, (_text(seal.originator_id), seal.originator_version, seal.topic, seal.state)]


def _number(seal: Row) -> int:
    return json.loads(seal[4]).get("number", 0)


def _text(originator) -> str:
    return originator.hex if hasattr(originator, "hex") else str(originator)


def next_handout(db: Path, recipient: str = "H1", rice: int = 50) -> tuple[str, int, str, bytes]:
    """A hand-out the ward never recorded, with the ward's next entry number."""
    ward = [r for r in rows(db) if r[3] == "ledger.ward:Ward.HandedOut"][-1]
    last = max(r[2] for r in rows(db) if r[1] == ward[1])
    data = json.loads(ward[4])
    data.update(recipient=recipient, moves=[["KHO", "RICE", -rice]])
    return (ward[1], last + 1, ward[3], json.dumps(data).encode())


# ---- the cases -----------------------------------------------------------------------------

@dataclass
class Case:
    """`alter(db, built)` returns (verify's extra arguments, the exact findings it must print,
    the first bad position)."""

    alter: Callable[[Path, Built], tuple[list[str], list[str], int]]


def edited_row(db, built):
    target = [r for r in rows(db) if r[3] == "ledger.ward:Ward.Donated"][0]
    execute(db, "UPDATE stored_events SET state = ? WHERE rowid = ?",
            (target[4].replace(b"280", b"1280"), target[0]))
    seal = next(s for s in seals(db) if s[0] > target[0])
    covered = write_of(db, seal)
    return [], [f"position {target[0]}: the event does not match the link stored with it "
                "(edited, or moved here from another position)",
                f"position {seal[0]}: the seal over positions {covered[0][0]}–{covered[-2][0]} "
                "is not valid: its signature does not match the events it covers; those events "
                "are not signed"], target[0]


def edited_row_relinked(db, built):
    target = [r for r in rows(db) if r[3] == "ledger.ward:Ward.Donated"][0]
    execute(db, "UPDATE stored_events SET state = ? WHERE rowid = ?",
            (target[4].replace(b"280", b"1280"), target[0]))
    relink(db)
    seal = next(s for s in seals(db) if s[0] > target[0])
    covered = write_of(db, seal)
    return [], [f"position {seal[0]}: the seal over positions {covered[0][0]}–{covered[-2][0]} "
                "is not valid: its signature does not match the events it covers; those events "
                "are not signed"], seal[0]


def deleted_row(db, built):
    target = [r for r in rows(db) if r[3] == "ledger.ward:Ward.HandedOut"][0]
    execute(db, "DELETE FROM stored_events WHERE rowid = ?", (target[0],))
    return [], [f"position {target[0]}: the event stored here is missing (deleted from the "
                "database)",
                f"position {target[0] + 1}: a seal claims to cover 1 events, but only 0 "
                "unsealed events are stored before it"], target[0]


def inserted_row(db, built):
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("INSERT INTO stored_events (originator_id, originator_version, topic, "
                     "state) VALUES (?, ?, ?, ?)", next_handout(db))
        position = conn.execute("SELECT MAX(rowid) FROM stored_events").fetchone()[0]
    conn.close()
    return [], [f"position {position}: the event has no stored link (inserted directly into "
                "the database)",
                f"position {position}: the event is not signed by a declared actor's key (added "
                "outside aid?)"], position


def links_dropped(db, built):
    execute(db, "DROP TABLE aid_chain")
    return [], ["position 1: no event has a stored link (the links table was emptied or "
                "dropped, or the ledger was last written by a version of aid without links)"], 1


def appended_unsigned(db, built):
    position, = append(db, [next_handout(db)])
    return [], [f"position {position}: the event is not signed by a declared actor's key "
                "(added outside aid?)"], position


def forger_key(db, built):
    forger = built.folder / "forger.pem"
    positions = append(db, sealed_by(forger, "Chị Lan", db, [next_handout(db)]))
    key = SigningKey.load(forger).key
    return [], [f"position {positions[1]}: the seal over positions {positions[0]}–{positions[0]} "
                f"is not valid: its key {key} is not declared in this ledger before it; those "
                "events are not signed"], positions[1]


def revoked_key(db, built):
    revoked = next(r for r in rows(db) if r[3] == "ledger.keys:Keyring.Revoked")
    positions = append(db, sealed_by(built.minh, "Anh Minh", db, [next_handout(db)]))
    return [], [f"position {positions[1]}: the seal over positions {positions[0]}–{positions[0]} "
                f"is not valid: its key {built.minh_key} was revoked at position {revoked[0]}; "
                "those events are not signed"], positions[1]


def actor_renamed(db, built):
    seal = seals(db)[-1]
    covered = write_of(db, seal)
    data = json.loads(seal[4])
    data["actor"] = "Anh Minh"
    execute(db, "UPDATE stored_events SET state = ? WHERE rowid = ?",
            (json.dumps(data).encode(), seal[0]))
    relink(db)
    return [], [f"position {seal[0]}: the seal over positions {covered[0][0]}–{covered[-2][0]} "
                f"is not valid: it names Anh Minh, but key {data['key']} is Chị Lan's; those "
                "events are not signed"], seal[0]


def _copied(db, built, topic_prefix: str):
    """The practice ledger's last write of this kind, copied in whole (its entry and seal
    numbers are beyond this ledger's, so the store's unique keys let it in)."""
    practice = built.folder / "practice.db"
    seal = next(s for s in reversed(seals(practice))
                if write_of(practice, s)[0][3].startswith(topic_prefix))
    write = write_of(practice, seal)
    assert number(seal) > max(map(number, seals(db)))
    positions = append(db, [r[1:] for r in write])
    theirs, ours = identity(rows(practice)[0]), identity(rows(db)[0])
    return positions, (f"position {positions[-1]}: the seal over positions {positions[0]}–"
                       f"{positions[-2]} is not valid: it is bound to another ledger "
                       f"({theirs[:16]}…), not this one ({ours[:16]}…): copied from there; "
                       "those events are not signed")


def copied_write(db, built):
    positions, finding = _copied(db, built, "ledger.ward:Ward.Donated")
    return [], [finding], positions[-1]


def copied_key_declaration(db, built):
    positions, finding = _copied(db, built, KEYS_TOPIC_PREFIX)
    forger = built.folder / "forger.pem"
    later = append(db, sealed_by(forger, "Kẻ gian", db, [next_handout(db)]))
    key = SigningKey.load(forger).key
    return [], [finding,
                f"position {later[1]}: the seal over positions {later[0]}–{later[0]} is not "
                f"valid: its key {key} is not declared in this ledger before it; those events "
                "are not signed"], positions[-1]


def old_kind_seal(db, built):
    first_bound = seals(db)[0]
    positions = append(db, sealed_by(built.lan, "Chị Lan", db, [next_handout(db)],
                                     old_kind=True))
    return [], [f"position {positions[1]}: the seal over positions {positions[0]}–{positions[0]} "
                "is not valid: it is of the old kind, bound to the ward's name only, but this "
                f"ledger's seals are bound to its own identity since position {first_bound[0]} "
                "(copied from another ledger?); those events are not signed"], positions[1]


def delete_write(db, seal) -> None:
    """Delete a whole signed write (its entries and `seal`) and re-link the chain."""
    for row in write_of(db, seal):
        execute(db, "DELETE FROM stored_events WHERE rowid = ?", (row[0],))
    relink(db)


def seal_missing(db, seal) -> tuple[list, list[str], int]:
    """What verify must say once the write sealed by `seal` is gone: the next seal is out of
    turn, naming the missing seal number."""
    following = next(s for s in seals(db) if s[0] > seal[0])
    covered = write_of(db, following)
    return [], [f"position {following[0]}: the seal over positions {covered[0][0]}–"
                f"{covered[-2][0]} is not valid: it is seal number {number(seal) + 1}, but "
                f"seal number {number(seal)} is not stored before it: whole signed writes "
                "were deleted (or moved); those events are not signed"], following[0]


def whole_write_deleted(db, built):
    doomed = seals(db)[3]  # the second donation: its entry, its seal
    gone = write_of(db, doomed)
    delete_write(db, doomed)
    extra, findings, _ = seal_missing(db, doomed)  # and the gap it left
    return extra, [gap(gone[0][0], gone[-1][0]), *findings], gone[0][0]


def moved_on(db, built):
    """From a sweep: every event from the second donation on moved 1,000 positions on, the
    chain relinked. Links and seals (signed before positions are known) still held, so verify
    passed while every checkpoint and receipt since no longer matched the ledger."""
    first = write_of(db, seals(db)[3])[0][0]
    execute(db, "UPDATE stored_events SET rowid = rowid + 1000 WHERE rowid >= ?", (first,))
    relink(db)
    return [], [gap(first, first + 999)], first


def writes_swapped(db, built):
    first, second = seals(db)[3], seals(db)[4]  # two donations of one entry and a seal each
    a, b = write_of(db, first), write_of(db, second)
    assert [r[0] for r in a] == [b[0][0] - 2, b[0][0] - 1]
    for row in a + b:
        execute(db, "DELETE FROM stored_events WHERE rowid = ?", (row[0],))
    for mine, theirs in zip(a + b, b + a):
        execute(db, "INSERT INTO stored_events (rowid, originator_id, originator_version, "
                    "topic, state) VALUES (?, ?, ?, ?, ?)", (mine[0], *theirs[1:]))
    relink(db)
    return [], [f"position {a[1][0]}: the seal over positions {a[0][0]}–{a[0][0]} is not valid: "
                f"it is seal number {number(second)}, but seal number {number(first)} is not "
                "stored before it: whole signed writes were deleted (or moved); those events "
                "are not signed",
                f"position {b[1][0]}: the seal over positions {b[0][0]}–{b[0][0]} is not valid: "
                f"it is seal number {number(first)}, stored after seal number {number(second)}: "
                "a signed write was moved or stored again; those events are not signed"], a[1][0]


def revocation_deleted_then_revoked_key_signs(db, built):
    revocation = next(s for s in seals(db)
                      if write_of(db, s)[0][3] == "ledger.keys:Keyring.Revoked")
    gone = write_of(db, revocation)
    delete_write(db, revocation)
    append(db, sealed_by(built.minh, "Anh Minh", db, [next_handout(db)]))
    extra, findings, _ = seal_missing(db, revocation)
    return extra, [gap(gone[0][0], gone[-1][0]), *findings], gone[0][0]


def tail_cut_with_digest(db, built):
    digest = built.folder / "digest.json"
    if not digest.exists():
        digest.write_text(built.aid(built.folder / "ward.db")("audit", "digest", "--format",
                                                              "json").out)
    last = write_of(db, seals(db)[-1])
    for row in last:
        execute(db, "DELETE FROM stored_events WHERE rowid = ?", (row[0],))
    relink(db)
    events = len(rows(db))
    held = json.loads(digest.read_text())
    return ["--digest", str(digest)], [
        f"digest taken {moment(held['taken'], 'en', 'Asia/Ho_Chi_Minh')} ({held['events']} "
        f"events, head {held['head'][:12]}…): "
        f"the ledger holds {events} events, the digest covers {held['events']}: history after "
        f"position {last[0][0] - 1} was removed"], last[0][0]


def stripped_with_key(db, built):
    for row in rows(db):
        if row[3] == SEAL_TOPIC or row[3].startswith(KEYS_TOPIC_PREFIX):
            execute(db, "DELETE FROM stored_events WHERE rowid = ?", (row[0],))
    compact(db)
    lan = SigningKey.load(built.lan).key
    return ["--key", lan], [f"key {lan} is not declared in this ledger: its seals and key "
                            "declarations were removed, or this is not the ledger that key "
                            "signs"], 1


def edited_read_model(db, built):
    built.aid(db)("rebuild")  # the models stored as of the last event
    (position,), = sqlite3.connect(db).execute(
        "SELECT position FROM aid_read_models WHERE name = 'books/2'")
    execute(db, "UPDATE aid_read_models SET state = REPLACE(state, '\"2021-11-02\": 1000000', "
                "'\"2021-11-02\": 90000000') WHERE name = 'books/2'")
    return [], [f"read model books (as of position {position}): cash book › received › 2021-11-02: "
                "stored 90000000, recomputed from the events 1000000"], position


CASES = {name: Case(alter) for name, alter in [
    ("a row edited", edited_row),
    ("a row edited, the chain relinked", edited_row_relinked),
    ("a row deleted", deleted_row),
    ("a row inserted without a link", inserted_row),
    ("the links table dropped", links_dropped),
    ("an unsigned row appended with its link", appended_unsigned),
    ("a write sealed by an undeclared key", forger_key),
    ("a write sealed by a revoked key", revoked_key),
    ("a seal's actor renamed", actor_renamed),
    ("a signed write copied from a ledger of the same ward name", copied_write),
    ("a key declaration copied from a ledger of the same ward name", copied_key_declaration),
    ("a seal of the old kind after the new", old_kind_seal),
    ("a whole signed write deleted, relinked", whole_write_deleted),
    ("two whole signed writes swapped, relinked", writes_swapped),
    ("every event from one on moved to later positions, relinked", moved_on),
    ("a revocation deleted, then the revoked key signs", revocation_deleted_then_revoked_key_signs),
    ("the tail cut off, with a digest held outside", tail_cut_with_digest),
    ("every seal and key stripped, with the key id held outside", stripped_with_key),
    ("a stored read model edited", edited_read_model),
]}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_each_alteration_is_named_exactly(built, tmp_path, case):
    db = tmp_path / "ward.db"
    shutil.copy(built.folder / "ward.db", db)
    extra, findings, first_bad = CASES[case].alter(db, built)
    execute(db, "DELETE FROM aid_merkle")  # each alteration alone: the tree has its own test
    result = built.aid(db).fails("audit", "verify", *extra)
    assert result.code == 1, result.out
    printed = [line for line in result.out.splitlines()
               if line.startswith(("position", "positions", "read model", "key ", "digest"))
               and ("not" in line or "differ" in line or "missing" in line or "stored" in line
                    or "removed" in line or "no event" in line)]
    assert printed == findings, "\n".join(printed)
    assert f"first bad position {first_bad} " in result.err, result.err
    assert f"({len(findings)} finding" in result.err, result.err  # and no other finding


def test_a_tree_left_behind_by_a_forger_is_caught(built, tmp_path):
    """Adversarial: whole writes cut from the end and the chain relinked, but the stored Merkle
    tree (what checkpoints are signed from) left as it was: verify names the tree, exit 1. And
    a tree edited where its root is made, under events left alone."""
    db = tmp_path / "ward.db"
    shutil.copy(built.folder / "ward.db", db)
    for row in write_of(db, seals(db)[-1]):
        execute(db, "DELETE FROM stored_events WHERE rowid = ?", (row[0],))
    conn = sqlite3.connect(db)
    with conn:
        previous = GENESIS
        conn.execute("DELETE FROM aid_chain")
        for row in rows(db):
            previous = link(previous, row)
            conn.execute("INSERT INTO aid_chain (position, link) VALUES (?, ?)",
                         (row[0], previous))
    conn.close()
    refused = built.aid(db).fails("audit", "verify")
    assert refused.code == 1 and "the stored Merkle tree covers" in refused.out
    edited = tmp_path / "edited.db"
    shutil.copy(built.folder / "ward.db", edited)
    top = max(level for (level,) in sqlite3.connect(edited).execute(
        "SELECT level FROM aid_merkle"))
    execute(edited, "UPDATE aid_merkle SET hash = zeroblob(32) WHERE level = ?", (top,))
    refused = built.aid(edited).fails("audit", "verify")
    assert refused.code == 1 and f"the stored Merkle tree's node at level {top}, index 0 is " \
        "not what the events give (nodes that differ: 1)" in refused.out
    assert built.aid(built.folder / "ward.db")("audit", "verify").code == 0  # honest


@pytest.mark.parametrize("level, idx", [(0, 5), (1, 3), (2, 1)])
def test_an_inner_node_of_the_tree_edited_is_caught(built, tmp_path, level, idx):
    """From a sweep: a node inside the stored tree zeroed (the root untouched) passed verify,
    while a receipt whose proof used it failed at the donor's, and the advice was to run
    verify. Every node the events complete is compared with the stored one."""
    edited = tmp_path / "edited.db"
    shutil.copy(built.folder / "ward.db", edited)
    execute(edited, "UPDATE aid_merkle SET hash = zeroblob(32) WHERE level = ? AND idx = ?",
            (level, idx))
    refused = built.aid(edited).fails("audit", "verify")
    assert refused.code == 1
    assert (f"the stored Merkle tree's node at level {level}, index {idx} is not what the "
            "events give") in refused.out


def test_an_inner_node_deleted_is_named_as_missing(built, tmp_path):
    """From a sweep: verify called a deleted node "not what the events give", while every
    other command said the tree "lacks" it; both say what happened now."""
    edited = tmp_path / "edited.db"
    shutil.copy(built.folder / "ward.db", edited)
    execute(edited, "DELETE FROM aid_merkle WHERE level = 1 AND idx = 3")
    refused = built.aid(edited).fails("audit", "verify")
    assert refused.code == 1 and "the ledger's stored Merkle tree lacks its node at level 1, " \
        "index 3 (deleted outside aid?; nodes that differ: 1)" in refused.out


def test_seals_stripped_but_key_declarations_left_are_caught(built, tmp_path):
    """Adversarial (issue 22): every seal deleted and the chain relinked, the key declarations
    left: the ledger began signing, so it must not read back as one that never did."""
    db = tmp_path / "ward.db"
    shutil.copy(built.folder / "ward.db", db)
    for seal in seals(db):
        execute(db, "DELETE FROM stored_events WHERE rowid = ?", (seal[0],))
    relink(db)
    refused = built.aid(db).fails("audit", "verify")
    assert refused.code == 1
    assert "a signing key is declared here, but no valid seal signs its declaration" \
        in refused.out
    # from a sweep: the summary under those findings said "no actor's key is declared"
    assert "signatures: no event is signed by a valid seal, though 2 signing keys are " \
        "declared here" in refused.out and "no actor's key is declared" not in refused.out


def test_what_only_something_held_outside_catches(built, tmp_path):
    """Pinned limits (docs/auditing.md, "For auditors"): whole writes cut from the end, or every
    seal and key declaration stripped, leave a ledger that verifies on its own; the digest and the
    treasurer's key id catch them (the cases above)."""
    db = tmp_path / "ward.db"
    shutil.copy(built.folder / "ward.db", db)
    for row in write_of(db, seals(db)[-1]):
        execute(db, "DELETE FROM stored_events WHERE rowid = ?", (row[0],))
    relink(db)
    out = built.aid(db)("audit", "verify").out  # exits 0
    assert "every event matches the link stored with it" in out
    stripped_with_key(db, built)
    out = built.aid(db)("audit", "verify").out
    assert "signatures: no event is signed" in out


OUTSIDE = {"the tail cut off, with a digest held outside",  # verify alone passes (above)
           "every seal and key stripped, with the key id held outside",
           "a stored read model edited"}  # the models are not in the tree a checkpoint signs


@pytest.mark.parametrize("remembered", [False, True], ids=["first signing", "signed before"])
@pytest.mark.parametrize("case", sorted(set(CASES) - OUTSIDE), ids=str)
def test_nothing_verify_catches_is_signed_as_a_checkpoint_or_a_receipt(built, tmp_path, case,
                                                                       remembered):
    """From a sweep: on a ledger `aid audit verify` names as altered, `aid audit checkpoint`
    and `aid receipt` signed anyway, so a forger without any key got the treasurer's signature
    on a receipt for 5,000 kg that `aid receipt verify` called proven. Now the signer checks
    the history first: on a first signing, every alteration is refused (exit 1, nothing
    printed). A signer who signed this ledger before checks only what came after
    (commands/audit/remembered.py): it refuses, or signs exactly what it signed before — the
    root of the history it checked, never a forged one — and a receipt then proves the
    donation as it was, never as altered."""
    key_folder = tmp_path / "keys"  # the signer's machine: the key, and what it remembers
    key_folder.mkdir()
    lan = key_folder / "lan.pem"
    shutil.copy(built.lan, lan)
    lan.chmod(0o600)
    honest = tmp_path / "honest.db"
    shutil.copy(built.folder / "ward.db", honest)
    original = built.aid(honest)
    original.env["AID_SIGNING_KEY_FILE"] = str(lan)
    entry = next(line["id"] for line in original("history", "--format", "json").json()
                 if line["kind"] == "donate")
    signed = original("audit", "checkpoint", "--format", "json").json()  # honest: signed
    receipt = original("receipt", str(entry), "--format", "json").json()
    if not remembered:
        shutil.rmtree(key_folder / "checked")
    db = tmp_path / "ward.db"
    shutil.copy(built.folder / "ward.db", db)
    CASES[case].alter(db, built)
    if remembered:
        retree(db)  # as a careful forger would: the tree of the events as they now are
    aid = built.aid(db)
    aid.env["AID_SIGNING_KEY_FILE"] = str(lan)
    result = aid("audit", "checkpoint", "--format", "json", ok=False)
    if result.code == 0:
        assert remembered and result.json() == signed, result.out
    else:
        assert (result.code, result.out) == (1, ""), result.out
        assert "does not verify" in result.err and "not signed" in result.err, result.err
    result = aid("receipt", str(entry), "--format", "json", ok=False)
    if result.code == 0:
        assert remembered and result.json() == receipt, result.out
    else:
        assert (result.code, result.out) == (1, ""), result.out
        assert "run `aid audit verify`" in result.err, result.err  # its own words where the
        # donation's leaf itself was changed, else the checkpoint's


def retree(db: Path) -> None:
    """The stored Merkle tree built again from the events as stored (what the recorders would
    have written for them)."""
    from ledger.store.tree import leaf_of
    from ledger.trust.merkle import Frontier

    nodes = Frontier().extend([leaf_of(row) for row in rows(db)])
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DELETE FROM aid_merkle")
        conn.executemany("INSERT INTO aid_merkle (level, idx, hash) VALUES (?, ?, ?)", nodes)
    conn.close()


def test_a_node_put_beyond_the_tree_is_named_and_writes_say_where_to_look(built, tmp_path):
    """From a sweep: a node stored beyond the tree's end passed verify, and once the tree grew
    to it every write was refused as "busy with other writers". Verify names it; the refusal
    points to verify; nothing is written."""
    db = tmp_path / "ward.db"
    shutil.copy(built.folder / "ward.db", db)
    size = rows_count = len(rows(db))
    execute(db, "INSERT INTO aid_merkle VALUES (2, ?, zeroblob(32))", (size // 4 + 1,))
    refused = built.aid(db).fails("audit", "verify")
    assert refused.code == 1
    assert f"the stored Merkle tree holds 1 nodes beyond its {size} events" in refused.out
    aid = built.aid(db)
    for n in range(12):  # until the tree reaches the node put there
        result = aid("donate", "D1", "--into", "KHO", "--item", "RICE=1", "--on", "2021-11-05",
                     ok=False)
        if result.code:
            break
        rows_count = len(rows(db))
    assert result.code == 1 and "changed outside aid" in result.err
    assert "run `aid audit verify`" in result.err
    assert len(rows(db)) == rows_count  # the refused write left nothing


@pytest.mark.parametrize("ahead", [0, 1])
def test_a_leaf_put_at_the_trees_end_refuses_the_next_write_saying_why(built, tmp_path, ahead):
    """From a sweep: a stray leaf at the next free slot was built on (every later leaf one
    place off), or refused as a node "deleted outside aid". The write is refused, saying the
    tree holds leaves no event wrote; nothing is written; verify names it too."""
    db = tmp_path / "ward.db"
    shutil.copy(built.folder / "ward.db", db)
    size = len(rows(db))
    execute(db, "INSERT INTO aid_merkle VALUES (0, ?, zeroblob(32))", (size + ahead,))
    aid = built.aid(db)
    refused = aid.fails("donate", "D1", "--into", "KHO", "--item", "RICE=1", "--on",
                        "2021-11-05")
    assert refused.code == 1 and refused.err == (
        f"aid: the stored Merkle tree holds {size + ahead + 1} leaves but {size} events are "
        "stored before this write (changed outside aid?); nothing was recorded: run `aid audit "
        "verify`\n")
    assert len(rows(db)) == size
    assert aid.fails("audit", "verify").code == 1


def test_verify_names_a_bad_seal_in_vietnamese(built, tmp_path):
    """From a sweep: "position 31: the seal over positions 29–30 is not valid: chữ ký của nó
    không khớp …; those events are not signed" under --lang vi (the outer text never reached
    the catalog)."""
    db = tmp_path / "ward.db"
    shutil.copy(built.folder / "ward.db", db)
    CASES["a seal's actor renamed"].alter(db, built)
    said = built.aid(db).fails("--lang", "vi", "audit", "verify").out
    assert "dấu niêm phong của các vị trí" in said and "the seal over" not in said


def test_a_history_cut_back_to_before_a_key_rotation_is_named_with_the_wards_key(tmp_path):
    """From a sweep: the treasurer changed keys (a new key declared, the old one revoked), the
    ward published a checkpoint signed by the new key; then the file was cut back to before the
    new key's declaration and relinked. Verify alone sees a complete ledger, and the checkpoint
    signed by a key this ledger no longer declares proved "nothing". Without the key it still
    cannot prove anything (exit 2), but it names the key id, both sizes, and what it means if
    that is the ward's key; given the ward's key from outside (--vkey), it is a history cut
    short (exit 1). Honest: the whole ledger, with the same key and checkpoint, and an earlier
    checkpoint of the old key, verifies; a note of a stranger's key is still no evidence."""
    from ledger.district.witness import load_key
    from ledger.trust import checkpoint as notes
    from ledger.trust.heads import key_name

    old, new = SigningKey.create(tmp_path / "old.pem"), SigningKey.create(tmp_path / "new.pem")
    whole = tmp_path / "ward.db"
    aid = Ledger(_env(AID_DB=str(whole), AID_SIGNING_KEY_FILE=str(tmp_path / "old.pem"),
                      AID_ACTOR="Chị Lan"), "sqlite", whole)
    setup_ward(aid)
    aid("actor", "add", "Chị Lan")
    for n in range(3):
        aid("donate", "D1", "--into", "KHO", "--item", "RICE=10", "--on", "2021-11-02")
    before = tmp_path / "before.txt"
    before.write_text(aid("audit", "checkpoint").out, encoding="utf-8")
    aid("actor", "add", "Chị Lan", "--public-key", new.text)  # the rotation
    aid.env["AID_SIGNING_KEY_FILE"] = str(tmp_path / "new.pem")
    aid("actor", "key", "revoke", old.key, "--reason", "máy mới")
    for n in range(3):
        aid("donate", "D1", "--into", "KHO", "--item", "RICE=10", "--on", "2021-11-03")
    held = aid("audit", "checkpoint", "--format", "json").json()
    note, vkey = tmp_path / "cp.txt", held["vkeys"][0]
    note.write_text(held["note"], encoding="utf-8")
    cut = tmp_path / "cut.db"
    shutil.copy(whole, cut)
    declared = [row[0] for row in rows(cut) if row[3] == f"{KEYS_TOPIC_PREFIX}Keyring.Declared"]
    execute(cut, "DELETE FROM stored_events WHERE rowid >= ?", (declared[1],))
    relink(cut)
    events = len(rows(cut))
    assert events == declared[1] - 1 and held["size"] > events
    cut_aid = Ledger({**aid.env, "AID_DB": str(cut)}, "sqlite", cut)
    assert cut_aid("audit", "verify").code == 0  # alone: a complete ledger (docs/auditing.md)
    refused = cut_aid.fails("audit", "verify", "--checkpoint", str(note))
    assert refused.code == 2 and len(refused.err.strip().splitlines()) == 1
    assert f"the checkpoint of {held['size']} events is not validly signed by a live key of " \
        f"this ledger (it is signed as {key_name('Chị Lan', new.key)}, key id {new.key}, a key " \
        f"this ledger does not declare), so by itself it proves nothing about this ledger, " \
        f"which holds {events} events; but if {new.key} is the ward's published key, this " \
        f"ledger's history was cut short after event {events}" in refused.err
    caught = cut_aid.fails("audit", "verify", "--checkpoint", str(note), "--vkey", vkey)
    assert caught.code == 1 and caught.err.startswith(
        "aid: the ledger does not hold a checkpoint taken earlier: checkpoint of "
        f"{held['size']} events")
    assert f"the ledger holds only {events} events: history was cut short after it was taken " \
        f"(signed by {key_name('Chị Lan', new.key)}, key id {new.key}: the ward's key you gave, " \
        "which this ledger does not declare)" in caught.err
    # honest: the whole ledger, the ward's key given or not; the old key's earlier checkpoint
    for given in ([], ["--vkey", vkey]):
        said = aid("audit", "verify", "--checkpoint", str(note), "--checkpoint", str(before),
                   *given).out
        assert "ok, the ledger extends it by 0 events" in said
        assert said.count("ok, the ledger extends it by") == 2
    stranger = SigningKey.create(tmp_path / "stranger.pem")
    parsed = notes.parse(held["note"])
    forged = notes.sign(notes.make(parsed.origin, parsed.size + 50, parsed.root),
                        key_name("Chị Lan", stranger.key), load_key(tmp_path / "stranger.pem"))
    (tmp_path / "forged.txt").write_text(forged, encoding="utf-8")
    refused = aid.fails("audit", "verify", "--checkpoint", str(tmp_path / "forged.txt"),
                        "--vkey", vkey)
    assert refused.code == 2 and f"if {stranger.key} is the ward's published key" in refused.err
