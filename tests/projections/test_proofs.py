"""Issue 26 through the CLI: the tree kept by writers, checkpoints, receipts, consistency, verify
--checkpoint and the district as witness, on a real SQLite file and a real PostgreSQL.

Each check has its adversarial test (what it must catch) and its honest test (what it must never
flag)."""

from __future__ import annotations

import base64
import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from conftest import Ledger, _env
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.store.access import locate, open_log
from ledger.store.tree import leaf_of
from ledger.trust import checkpoint as notes
from ledger.trust.chain import encode
from ledger.trust.merkle import root
from projections.audit.receipts import decode_leaf
from projections.audit.receipts import verify as verify_receipt

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "commands" / "output" / "verify-receipt.html"


def signed(ward: Ledger, tmp_path: Path) -> Ledger:
    """The ward's treasurer signs: a key made and declared (checkpoints are signed with it)."""
    ward.env["AID_SIGNING_KEY_FILE"] = str(tmp_path / "lan.pem")
    ward("actor", "key", "init")
    ward("actor", "add", "tester")
    return ward


def stored_root(ward: Ledger) -> tuple[int, bytes]:
    """The root recomputed here from every stored row, independently of the stored tree."""
    log = open_log(locate(environ=ward.env))
    try:
        leaves = [leaf_of(row) for row in log.stored()]
    finally:
        log.close()
    return len(leaves), root(leaves)


def donate(ward: Ledger, cash: int, receipt: str | None = None) -> int:
    extra = ["--receipt", receipt] if receipt else []
    return ward.entry("donate", "D1", "--into", "KHO", "--item", "RICE=10", "--cash", str(cash),
                      "--on", "2021-11-02", *extra)


def save(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the tree and checkpoints ----------------------------------------------------------------


def test_the_checkpoint_is_the_root_of_every_stored_event(ward, tmp_path):
    signed(ward, tmp_path)
    donate(ward, 500_000, "R-1")
    found = ward("audit", "checkpoint", "--format", "json").json()
    size, expected = stored_root(ward)
    assert (found["size"], found["root"]) == (size, expected.hex())
    parsed = notes.parse(found["note"])
    assert parsed.origin == found["origin"] and parsed.size == size
    assert parsed.signatures[0].name.startswith("tester.")
    assert ward("audit", "checkpoint").out == found["note"]


def test_a_checkpoint_needs_a_declared_key(ward, tmp_path):
    refused = ward.fails("audit", "checkpoint")
    assert refused.code == 2 and "aid actor key init" in refused.err
    assert "Traceback" not in refused.err


def test_the_statement_carries_the_checkpoint_in_every_form(ward, tmp_path):
    """The public statement prints its checkpoint in JSON and as a table too (not only on the
    printed page): whoever keeps it can later check the ledger still holds it."""
    signed(ward, tmp_path)
    donate(ward, 500_000, "R-1")
    note = ward("audit", "statement", "--format", "json").json()["checkpoint"]
    assert note == ward("audit", "checkpoint").out
    assert note.splitlines()[2] in ward("audit", "statement").out
    kept = save(tmp_path, "kept.txt", note)
    donate(ward, 7)
    assert "ok, the ledger extends it by" in ward("audit", "verify", "--checkpoint",
                                                  str(kept)).out


def test_the_printed_checkpoint_says_whether_it_is_signed(ward, tmp_path):
    """From a sweep: the page headed the checkpoint "signed" over a note with no signature
    (a ledger no declared key signs yet)."""
    donate(ward, 500_000, "R-1")
    page = ward("--lang", "vi", "audit", "statement", "--format", "html").out
    assert "có chữ ký)" not in page and "đỉnh cây Merkle, chưa có chữ ký" in page
    signed(ward, tmp_path)
    page = ward("--lang", "vi", "audit", "statement", "--format", "html").out
    assert "Điểm kiểm tra (đỉnh cây Merkle, có chữ ký)" in page
    assert "Checkpoint (Merkle tree head, signed)" in ward("audit", "statement", "--format",
                                                           "html").out


def test_what_a_donor_or_a_reader_kept_is_a_checkpoint_for_verify(sqlite_ledger, tmp_path):
    """Issue #22: what outsiders already hold must be enough to catch a rewrite. A donor's
    receipt (its JSON or its page) and the statement (its JSON or its printed page) each carry
    a signed checkpoint:
    `aid audit verify --checkpoint` takes them as they are, passes while the ledger only grew,
    and fails once whole writes were cut from the end with the Merkle tree emptied (which
    verify alone cannot see)."""
    ward = _ward(sqlite_ledger, tmp_path)
    with sqlite3.connect(ward.path) as conn:
        (before,), = conn.execute("SELECT MAX(rowid) FROM stored_events")
    entry = donate(ward, 500_000, "R-1")
    kept = [tmp_path / "receipt.json", tmp_path / "receipt.html",
            save(tmp_path, "statement.json", ward("audit", "statement", "--format", "json").out)]
    ward("receipt", str(entry), "-o", str(kept[0]))
    ward("receipt", str(entry), "-o", str(kept[1]))
    kept.append(tmp_path / "statement.html")  # the printed page: its checkpoint under the QR
    ward("audit", "statement", "-o", str(kept[-1]))
    donate(ward, 7)
    for each in kept:
        assert "ok, the ledger extends it by" in ward("audit", "verify", "--checkpoint",
                                                      str(each)).out
    with sqlite3.connect(ward.path) as conn:  # the donation's whole write cut, tree emptied
        conn.execute("DELETE FROM stored_events WHERE rowid > ?", (before,))
        conn.execute("DELETE FROM aid_chain WHERE position > ?", (before,))
        conn.execute("DELETE FROM aid_merkle")
    ward("rebuild")  # the read models too, as a careful forger would
    assert ward.fails("audit", "verify").code == 0  # a complete, shorter ledger
    for each in kept:
        refused = ward.fails("audit", "verify", "--checkpoint", str(each))
        assert refused.code == 1 and "Traceback" not in refused.err, refused.out


def test_a_checkpoint_not_signed_by_this_ledger_is_no_evidence(sqlite_ledger, tmp_path):
    """Anyone can write a note naming the ledger with any size and root: unless a key the
    ledger declares signed it, it proves nothing, and verify says so (exit 2) rather than
    calling an honest ledger cut short or rewritten (exit 1)."""
    ward = _ward(sqlite_ledger, tmp_path)
    donate(ward, 500_000)
    note = ward("audit", "checkpoint").out
    origin, size, *rest = note.split("\n")
    bigger = save(tmp_path, "bigger.txt", "\n".join([origin, str(int(size) + 100), *rest]))
    name, signature = rest[2].removeprefix("\u2014 ").split(" ")
    blank = save(tmp_path, "blank.txt", note.replace(signature, "A" * len(signature)))
    for forged in (bigger, blank):
        refused = ward.fails("audit", "verify", "--checkpoint", str(forged))
        assert refused.code == 2 and ("not validly signed by a live key" in refused.err or
                                      "does not verify: it was altered" in refused.err), \
            refused.err
        assert len(refused.err.strip().splitlines()) == 1
    # the genuine note as a shell passes it, `--checkpoint "$(cat note.txt)"`: no last newline
    assert "ok, the ledger extends it by 0 events" in ward(
        "audit", "verify", "--checkpoint", note.rstrip("\n")).out


def test_a_revoked_key_vouches_only_for_what_came_before_its_revocation(sqlite_ledger,
                                                                           tmp_path):
    """A volunteer's key, revoked when her phone was lost: a checkpoint it signed before the
    revocation still counts; one covering the revocation was signed after it, by whoever holds
    the phone now, and is no evidence (exit 2), whatever it claims."""
    from ledger.district.witness import load_key
    from ledger.trust.heads import key_name
    from ledger.trust.signing_key import SigningKey

    ward = _ward(sqlite_ledger, tmp_path)
    minh = SigningKey.create(tmp_path / "minh.pem")
    ward("actor", "add", "Anh Minh", "--public-key", minh.text)
    donate(ward, 1000)

    def signed_by_minh() -> Path:
        lan = notes.parse(ward("audit", "checkpoint").out)
        body = notes.make(lan.origin, lan.size, lan.root)
        note = notes.sign(body, key_name("Anh Minh", minh.key), load_key(tmp_path / "minh.pem"))
        return save(tmp_path, f"minh-{lan.size}.txt", note)

    before = signed_by_minh()
    ward("actor", "key", "revoke", minh.key, "--reason", "phone lost")
    after = signed_by_minh()
    assert "ok, the ledger extends it by" in ward("audit", "verify", "--checkpoint",
                                                  str(before)).out
    refused = ward.fails("audit", "verify", "--checkpoint", str(after))
    assert refused.code == 2 and "not validly signed by a live key" in refused.err
    # whoever found the phone signs a note of an early size with a root of their making: the
    # ledger does not hold it, and verify says it may be forged, not only that history changed
    lan = notes.parse(ward("audit", "checkpoint").out)
    early = notes.parse(before.read_text()).size  # after her declaration, before revocation
    made_up = notes.sign(notes.make(lan.origin, early, bytes(32)),
                         key_name("Anh Minh", minh.key), load_key(tmp_path / "minh.pem"))
    refused = ward.fails("audit", "verify", "--checkpoint", str(save(tmp_path, "old.txt",
                                                                      made_up)))
    assert refused.code == 1 and "revoked at position" in refused.err
    assert "either the ledger was rewritten or the note is forged" in refused.err


def test_a_key_vouches_only_for_trees_that_hold_its_declaration(sqlite_ledger, tmp_path):
    """aid signs the ledger's current size with a declared key, so a checkpoint smaller than
    the key's declaration was written by someone else: with a false root it must not call an
    honest ledger rewritten (exit 2, not 1); nor may another ledger's checkpoint signed with
    that key, kept by a treasurer who keeps two ledgers."""
    from ledger.district.witness import load_key
    from ledger.trust.heads import key_name
    from ledger.trust.signing_key import SigningKey

    ward = _ward(sqlite_ledger, tmp_path)
    for amount in (1000, 2000, 3000):
        donate(ward, amount)
    minh = SigningKey.create(tmp_path / "minh.pem")
    ward("actor", "add", "Anh Minh", "--public-key", minh.text)
    origin = notes.parse(ward("audit", "checkpoint").out).origin
    early = notes.sign(notes.make(origin, 3, bytes(32)), key_name("Anh Minh", minh.key),
                       load_key(tmp_path / "minh.pem"))
    refused = ward.fails("audit", "verify", "--checkpoint", str(save(tmp_path, "e.txt", early)))
    assert refused.code == 2 and "not validly signed by a live key" in refused.err
    other = Ledger(_env(AID_DB=str(tmp_path / "other.db"), AID_ACTOR="Anh Minh",
                        AID_SIGNING_KEY_FILE=str(tmp_path / "minh.pem")), "sqlite",
                   tmp_path / "other.db")
    other("init", "--ward", "Phường 9", "--on", "2021-11-01")
    other("actor", "add", "Anh Minh")
    theirs = save(tmp_path, "theirs.txt", other("audit", "checkpoint").out)
    refused = ward.fails("audit", "verify", "--checkpoint", str(theirs))
    assert refused.code == 2 and "another ledger" in refused.err


def test_a_note_altered_beside_a_good_signature_or_twice_on_a_page_is_refused(sqlite_ledger,
                                                                             tmp_path):
    ward = _ward(sqlite_ledger, tmp_path)
    donate(ward, 1000)
    note = ward("audit", "checkpoint").out
    body, _, signature_line = note.rstrip("\n").rpartition("\n")
    name, signature = signature_line.removeprefix("\u2014 ").split(" ")
    raw = base64.b64decode(signature)
    broken = "\u2014 " + name + " " + base64.b64encode(raw[:4] + bytes(64)).decode()
    from ledger.district.witness import load_key
    from ledger.trust.signing_key import SigningKey

    stranger = SigningKey.create(tmp_path / "stranger.pem")
    cosigned = notes.sign(note, "witness." + stranger.key, load_key(tmp_path / "stranger.pem"))
    altered = cosigned.replace(signature_line, broken)  # the ward's own line no longer verifies
    refused = ward.fails("audit", "verify", "--checkpoint", str(save(tmp_path, "a.txt", altered)))
    assert refused.code == 2 and "does not verify" in refused.err
    page = save(tmp_path, "two.html", "<html><p>" + note + "</p><p>" + cosigned + "</p></html>")
    refused = ward.fails("audit", "verify", "--checkpoint", str(page))
    assert refused.code == 2 and "2 different checkpoints" in refused.err
    # as Windows editors and shells hand a genuine note over
    for handed in ("\ufeff" + note.replace("\n", "\r\n") + "\r\n",
                   note.replace("\n", "\r\n").rstrip("\n")):
        assert "ok, the ledger extends it by" in ward(
            "audit", "verify", "--checkpoint", str(save(tmp_path, "w.txt", handed))).out
    assert "ok, the ledger extends it by" in ward(
        "audit", "verify", "--checkpoint", note.replace("\n", "\r\n").rstrip("\n")).out


def test_verify_checkpoint_honest_after_more_writes(ward, tmp_path):
    signed(ward, tmp_path)
    day1 = save(tmp_path, "day1.txt", ward("audit", "checkpoint").out)
    for n in range(5):
        donate(ward, 1000 + n)
    result = ward("audit", "verify", "--checkpoint", str(day1))
    assert "ok, the ledger extends it by" in result.out


def test_receipt_of_day_1_verifies_against_day_30_through_a_consistency_proof(ward, tmp_path):
    signed(ward, tmp_path)
    entry = donate(ward, 500_000, "R-001")
    receipt = tmp_path / "receipt.json"
    ward("receipt", str(entry), "-o", str(receipt))
    day1 = json.loads(receipt.read_text())["checkpoint"]
    assert ward("receipt", "verify", str(receipt)).code == 0
    # the donation's receipt number is "số phiếu thu" on the command line, on the page and on
    # paper (a sweep read "biên nhận R-001", "Số biên nhận" and "Số phiếu")
    said = ward("--lang", "vi", "receipt", "verify", str(receipt)).out
    assert f"bút toán {entry} ngày 02/11/2021, số phiếu thu R-001, của" in said, said
    # and in English as every other English line writes a date (a sweep read "on 2021-11-02")
    said = ward("receipt", "verify", str(receipt)).out
    assert f"donation entry {entry} on 2 Nov 2021, receipt R-001, from D1" in said, said
    assert "2021-11-02" not in said
    for n in range(40):  # a month of entries
        donate(ward, 1000 + n)
    day30 = save(tmp_path, "day30.txt", ward("audit", "checkpoint").out)
    old = save(tmp_path, "day1.txt", day1)
    proof = tmp_path / "proof.json"
    ward("audit", "consistency", str(old), str(day30), "--format", "json", "-o", str(proof))
    shape = json.loads(proof.read_text())
    assert set(shape) == {"first_size", "second_size", "first_root", "second_root", "proof"}
    checked = ward("receipt", "verify", str(receipt), "--checkpoint", str(day30),
                   "--consistency", str(proof))
    assert "still holds the donation" in checked.out
    missing = ward.fails("receipt", "verify", str(receipt), "--checkpoint", str(day30))
    assert missing.code == 2 and "consistency proof" in missing.err  # asked without its proof
    garbage = save(tmp_path, "garbage.txt", "not a note\n")
    assert ward.fails("receipt", "verify", str(receipt), "--checkpoint", str(garbage),
                      "--consistency", str(proof)).code == 2
    # from a sweep: a genuine proof cut short read as "the history was rewritten"
    short = save(tmp_path, "short.json", json.dumps({**shape, "proof": shape["proof"][:-1]}))
    damaged = ward.fails("receipt", "verify", str(receipt), "--checkpoint", str(day30),
                         "--consistency", str(short))
    assert damaged.code == 1 and "the consistency proof does not verify, so it was damaged " \
        "or the ledger's history was rewritten" in damaged.err


def test_a_consistency_proof_is_not_refused_as_a_rewrite_for_a_note_anyone_wrote(ward,
                                                                                 tmp_path):
    """Adversarial and honest: `aid audit consistency` with an OLD note no key of the ledger
    signed, naming a root the ledger does not hold, proves nothing: exit 2, not "history before
    it was changed" (exit 1); with the treasurer's own checkpoints it proves as before."""
    signed(ward, tmp_path)
    donate(ward, 1000)
    first = ward("audit", "checkpoint").out
    donate(ward, 2000)
    second = save(tmp_path, "second.txt", ward("audit", "checkpoint").out)
    parsed = notes.parse(first)
    fake = save(tmp_path, "fake.txt", notes.make(parsed.origin, 3, bytes(32)) + "\n\u2014 "
                "nobody.0000 " + base64.b64encode(bytes(68)).decode() + "\n")
    refused = ward.fails("audit", "consistency", str(fake), str(second))
    assert refused.code == 2 and "proves nothing" in refused.err, refused.err
    assert "history before it was changed" not in refused.err
    assert ward("audit", "consistency", str(save(tmp_path, "first.txt", first)),
                str(second)).code == 0


def test_a_later_checkpoint_counts_only_when_signed_by_the_receipts_keys(ward, tmp_path):
    """Adversarial: anyone can write a checkpoint note. One whose signature was altered, or
    that no key of the receipt signed, proves nothing about the ledger, however well its
    consistency proof fits; the honest one signed by the treasurer does."""
    signed(ward, tmp_path)
    receipt = tmp_path / "receipt.json"
    ward("receipt", str(donate(ward, 500_000, "R-001")), "-o", str(receipt))
    day1 = save(tmp_path, "day1.txt", json.loads(receipt.read_text())["checkpoint"])
    for n in range(5):
        donate(ward, 1000 + n)
    note = ward("audit", "checkpoint").out
    day30 = save(tmp_path, "day30.txt", note)
    proof = tmp_path / "proof.json"
    ward("audit", "consistency", str(day1), str(day30), "--format", "json", "-o", str(proof))
    assert ward("receipt", "verify", str(receipt), "--checkpoint", str(day30),
                "--consistency", str(proof)).code == 0
    head, _, signature = note.rpartition(" ")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    from ledger.district.witness import load_key

    paper = tmp_path / "paper.pem"
    ward("actor", "key", "init", "--key-file", str(paper))
    parsed = notes.parse(note)  # the same tree, signed by someone the receipt does not name
    stranger = notes.sign(notes.make(parsed.origin, parsed.size, parsed.root), "stranger",
                          load_key(paper))
    for forged in (head + " " + flipped, stranger):
        later = save(tmp_path, "later.txt", forged)
        refused = ward.fails("receipt", "verify", str(receipt), "--checkpoint", str(later),
                             "--consistency", str(proof))
        assert refused.code == 2 and "the later checkpoint is signed by no key the " \
            "receipt names" in refused.err and "proves nothing" in refused.err, forged
        assert "still holds the donation" not in refused.out  # nothing it says is relied on


def test_no_receipt_vouches_for_a_donation_the_ward_reversed(ward, tmp_path):
    """Adversarial (from a sweep): a receipt and a donor's receipt were handed over for a
    donation the ward had cancelled; both are refused, naming the reversal. The honest case:
    the entry recorded in its place gets its receipt."""
    signed(ward, tmp_path)
    wrong = donate(ward, 500_000, "R-001")
    ward("reverse", str(wrong), "--reason", "gõ nhầm số tiền")
    right = donate(ward, 50_000, "R-001b")
    for args in (["receipt", str(wrong)], ["donor", "receipt", str(wrong)]):
        refused = ward.fails(*args)
        assert refused.code == 1 and f"entry {wrong} was reversed by entry " in refused.err
        assert "(gõ nhầm số tiền)" in refused.err and refused.out == ""
    assert ward("receipt", str(right)).code == 0
    assert ward("donor", "receipt", str(right)).code == 0


def test_receipt_json_shape_and_bounds(ward, tmp_path):
    signed(ward, tmp_path)
    entry = donate(ward, 500_000, "R-7")
    found = ward("receipt", str(entry), "--format", "json").json()
    assert {"leaf_index", "leaf_hash", "tree_size", "audit_path", "root", "checkpoint",
            "leaf"} <= set(found)
    assert (found["receipt"], found["cash"], found["goods"]) == ("R-7", 500_000, {"RICE": 10})
    assert len(found["audit_path"]) <= (found["tree_size"] - 1).bit_length()


def test_no_receipt_is_issued_from_a_damaged_tree(sqlite_ledger, tmp_path):
    """From a sweep: a node on a receipt's path zeroed in the stored tree; the receipt was
    issued anyway and failed at the donor's (which reads as the ward forging), and verify,
    which its refusal advises, passed. Now the receipt is refused and verify names the node."""
    ward = _ward(sqlite_ledger, tmp_path)
    entry = donate(ward, 500_000, "R-8")
    for _ in range(6):
        donate(ward, 10_000)
    found = ward("receipt", str(entry), "--format", "json").json()
    sibling = found["leaf_index"] ^ 1  # the first hash of its audit path
    conn = sqlite3.connect(ward.path)
    with conn:
        conn.execute("UPDATE aid_merkle SET hash = zeroblob(32) WHERE level = 0 AND idx = ?",
                     (sibling,))
    conn.close()
    refused = ward.fails("receipt", str(entry), "--format", "json")
    assert refused.code != 0 and refused.out == ""
    assert "gives a proof that does not verify: it is damaged" in refused.err
    flagged = ward.fails("audit", "verify")
    assert f"node at level 0, index {sibling} is not what the events give" in flagged.out


def test_a_receipt_for_what_is_not_a_donation_is_refused(ward, tmp_path):
    """The refusal names the entry's kind as `aid history` shows it, whatever its kind (the
    ward's opening, a bank account), and what a donation is called there."""
    signed(ward, tmp_path)
    opening = ward.fails("receipt", "1")
    assert opening.code == 2 and "shows it as “ward opened”, and donations as “donation”" \
        in opening.err
    account = ward.entry("bank", "account", "add", "VCB1", "--bank", "VCB", "--number",
                         "0071000123456", "--name", "QUY TUONG TRO P3")
    said = ward.fails("receipt", str(account)).err
    history = ward("history", "--format", "json").json()
    assert "shows it as “bank account declared”" in said and history[-1]["kind"] == "account"
    assert "there is no entry 999" in ward.fails("receipt", "999").err


@pytest.mark.parametrize("edit", ["cash", "path", "leaf", "index", "checkpoint", "origin",
                                  "format"])
def test_a_doctored_receipt_does_not_verify(sqlite_ledger, tmp_path, edit):
    ward = _ward(sqlite_ledger, tmp_path)
    entry = donate(ward, 500_000, "R-1")
    donate(ward, 7)
    found = ward("receipt", str(entry), "--format", "json").json()
    if edit == "cash":
        found["cash"] = 5_000_000
    elif edit == "path":
        found["audit_path"][0] = "00" * 32
    elif edit == "leaf":
        found["leaf"] = found["leaf"][:-8] + "AAAAAAA="
    elif edit == "index":
        found["leaf_index"] += 1
    elif edit == "origin":
        found["origin"] = "aid-ledger/" + "0" * 32
    elif edit == "format":
        found["format"] = "aid-receipt-v9"
    else:
        found["checkpoint"] = found["checkpoint"].replace("\n\n— ", "\n\n— x")
    path = save(tmp_path, "bad.json", json.dumps(found))
    refused = ward.fails("receipt", "verify", str(path))
    assert refused.code == 1 and refused.err.startswith("aid: the receipt does not verify")
    assert "Traceback" not in refused.err
    if edit == "cash":  # the field by its Vietnamese name, not the JSON key
        said = ward.fails("--lang", "vi", "receipt", "verify", str(path)).err
        assert "biên nhận ghi tiền mặt là 5000000" in said, said


def forged_under_the_wards_name(good: dict, cash: int) -> dict:
    """From a sweep: a receipt of a gift never made (one leaf of its own, its cash changed to
    as many digits, so the leaf's framing holds), its
    checkpoint signed by a fresh key under the name of the ward's key, and that fresh key
    given as the receipt's verifier key."""
    import base64
    import hashlib

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    leaf = base64.b64decode(good["leaf"]).replace(str(good["cash"]).encode(),
                                                  str(cash).encode())
    digest = hashlib.sha256(b"\0" + leaf).digest()
    name = notes.parse(good["checkpoint"]).signatures[0].name  # the ward's: tester.<its id>
    note = notes.sign(notes.make(good["origin"], 1, digest), name, key)
    return {**good, "leaf": base64.b64encode(leaf).decode(), "leaf_hash": digest.hex(),
            "leaf_index": 0, "tree_size": 1, "audit_path": [], "root": digest.hex(),
            "checkpoint": note, "cash": cash, "vkeys": [notes.format_vkey(name, key.public_key())]}


def test_a_receipt_signed_under_the_wards_key_name_by_another_key_is_refused(sqlite_ledger,
                                                                             tmp_path):
    ward = _ward(sqlite_ledger, tmp_path)
    good = ward("receipt", str(donate(ward, 500_000, "R-1")), "--format", "json").json()
    fake = save(tmp_path, "fake.json", json.dumps(forged_under_the_wards_name(good, 900_000)))
    refused = ward.fails("receipt", "verify", str(fake))
    assert refused.code == 1 and "but that key's id is" in refused.out + refused.err
    assert "ok:" not in refused.out and "ok only" not in refused.out


def _root_up(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes:
    """The root an audit path leads to from `leaf` (RFC 9162 §2.1.3.2, steps 2-4)."""
    from ledger.trust.merkle import node_hash

    fn, sn, r = index, size - 1, leaf
    for p in path:
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r


def forged_with_its_own_key(good: dict, cash: int, *, in_place: bool = True,
                            **leaf: int) -> tuple[dict, str]:
    """From a sweep: a receipt of a gift never made, signed by a fresh key whose own name and
    id the receipt carries in its `vkeys` (so every signature in it checks). `in_place`: at
    the genuine receipt's index and size, its audit path leading to a root of the forger's;
    else alone in a tree of one (leaf_index 0, tree_size 1). `leaf`: the stored row's
    position or version (entry) rewritten. Returns the receipt and the forger's key id."""
    import hashlib

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from ledger.trust.heads import key_name
    from ledger.trust.seal_bytes import key_id

    key = Ed25519PrivateKey.generate()
    own = key_id(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
    name = key_name("Chị Lan", own)
    position, originator, version, topic, state = decode_leaf(base64.b64decode(good["leaf"]))
    state = state.replace(str(good["cash"]).encode(), str(cash).encode())
    data = encode(leaf.get("position", position), originator, leaf.get("version", version),
                  topic, state)
    digest = hashlib.sha256(b"\0" + data).digest()
    index, size, path = ((good["leaf_index"], good["tree_size"], good["audit_path"]) if in_place
                         else (0, 1, []))
    top = _root_up(index, size, digest, [bytes.fromhex(h) for h in path])
    note = notes.sign(notes.make(good["origin"], size, top), name, key)
    return {**good, "leaf": base64.b64encode(data).decode(), "leaf_hash": digest.hex(),
            "leaf_index": index, "tree_size": size, "audit_path": path, "root": top.hex(),
            "checkpoint": note, "cash": cash, "entry": leaf.get("version", version),
            "vkeys": [notes.format_vkey(name, key.public_key())]}, own


def test_a_receipt_placed_where_no_event_can_be_is_refused(sqlite_ledger, tmp_path):
    """Adversarial (from a sweep): a gift never made, alone in a tree of one and signed by the
    forger's own key, verified "ok". Event 1 of every ledger is the ward's opening; a
    donation's event number is at most its stored position and at least its entry; no tree
    holds an event past its end: a proof that places it otherwise cannot be genuine (exit 1).
    Honest: the genuine receipt's place is accepted."""
    ward = _ward(sqlite_ledger, tmp_path)
    for amount in (1000, 2000):
        donate(ward, amount)
    good = ward("receipt", str(donate(ward, 500_000, "R-1")), "--format", "json").json()
    position, _, entry, _, _ = decode_leaf(base64.b64decode(good["leaf"]))
    assert good["entry"] == entry and 2 <= entry <= good["leaf_index"] + 1 <= position
    alone, _ = forged_with_its_own_key(good, 900_000, in_place=False)
    late, _ = forged_with_its_own_key(good, 900_000, position=good["leaf_index"])
    early, _ = forged_with_its_own_key(good, 900_000, version=good["leaf_index"] + 2)
    first, _ = forged_with_its_own_key(good, 900_000, in_place=False, position=1, version=1)
    past = {**good, "leaf_index": good["tree_size"]}
    for forged, said in ((alone, "at event 1, which in every ledger is the ward's opening"),
                         (first, "at event 1, which in every ledger is the ward's opening"),
                         (late, f"but its stored position is {good['leaf_index']}"),
                         (early, f"the proof places entry {good['leaf_index'] + 2} at event "
                                 f"{good['leaf_index'] + 1}"),
                         (past, f"at event {good['tree_size'] + 1} of a tree of "
                                f"{good['tree_size']} events")):
        refused = ward.fails("receipt", "verify", str(save(tmp_path, "f.json",
                                                           json.dumps(forged))))
        assert refused.code == 1, refused
        assert refused.err.startswith("aid: the receipt does not verify: the proof places")
        assert said in refused.err and "the receipt cannot be genuine" in refused.err
        assert not any(line.startswith("ok") for line in refused.out.splitlines())
    assert ward("receipt", "verify", str(save(tmp_path, "g.json", json.dumps(good)))).code == 0


def test_a_receipt_signed_only_by_a_key_it_names_itself_is_never_a_bare_ok(sqlite_ledger,
                                                                          tmp_path):
    """Adversarial (from a sweep): a gift never made, at the genuine receipt's place, signed by
    a fresh key that the receipt names itself. Alone, verify cannot tell it from the ward's
    key: it says which key signed and that it must be compared with the ward's published one,
    never "ok: the receipt proves". With the ward's key held outside (--vkey) it is not signed
    by it (exit 2, naming both keys); with the ward's checkpoint of that size it is not of the
    ward's history (exit 1). Honest: the ward's own receipt says the same of the ward's key,
    exit 0, and "proves" once the ward's key or its later checkpoint vouches for it."""
    ward = _ward(sqlite_ledger, tmp_path)
    donate(ward, 1000)
    good = ward("receipt", str(donate(ward, 500_000, "R-1")), "--format", "json").json()
    held = ward("audit", "checkpoint", "--format", "json").json()  # the ward's, published
    vkey, wards = held["vkeys"][0], held["vkeys"][0].split("+")[0].rpartition(".")[2]
    note = save(tmp_path, "cp.txt", held["note"])
    forged, forger = forged_with_its_own_key(good, 900_000)
    fake = save(tmp_path, "fake.json", json.dumps(forged))
    alone = ward("receipt", "verify", str(fake))
    assert alone.code == 0 and "ok: the receipt proves" not in alone.out
    last = alone.out.strip().splitlines()[-1]
    assert last.startswith(f"ok only if key {forger} is the ward's") and \
        f"chi-lan.{forger} (key id {forger})" in last and "the ward's published key" in last
    refused = ward.fails("receipt", "verify", str(fake), "--vkey", vkey)
    assert refused.code == 2
    assert not any(line.startswith("ok") for line in refused.out.splitlines())
    assert refused.err.startswith("aid: the receipt's checkpoint is not signed by the key you "
                                  f"gave, tester.{wards} (key id {wards}), but by "
                                  f"chi-lan.{forger} (key id {forger})")
    refused = ward.fails("receipt", "verify", str(fake), "--checkpoint", str(note), "--vkey",
                         vkey)  # the ward's checkpoint, and its key held outside
    assert refused.code == 1 and "proves nothing" not in refused.err
    assert f"has the receipt's size ({good['tree_size']} events) but another root, and the " \
        f"receipt is signed by chi-lan.{forger} (key id {forger}), not by that key: the " \
        "receipt is not of the history that checkpoint holds" in refused.err
    # a checkpoint whose own file names its key is checked by nothing held outside: anyone
    # can write one, so it is no verdict against a receipt, but the two keys are named
    for later in (note, save(tmp_path, "cp.json", json.dumps(held))):
        unchecked = ward.fails("receipt", "verify", str(fake), "--checkpoint", str(later))
        assert unchecked.code == 2 and f"It is signed as tester.{wards}, the receipt by " \
            f"chi-lan.{forger} (key id {forger}); give the ward's key with --vkey" \
            in unchecked.err
    # honest: the ward's own receipt
    real = save(tmp_path, "real.json", json.dumps(good))
    said = ward("receipt", "verify", str(real))
    assert said.code == 0 and said.out.strip().splitlines()[-1].startswith(
        f"ok only if key {wards} is the ward's")
    for vouched in (["--vkey", vkey], ["--checkpoint", str(note)]):
        proven = ward("receipt", "verify", str(real), *vouched)
        assert proven.out.strip().splitlines()[-1].startswith("ok: the receipt proves"), vouched


def test_a_receipt_of_a_key_since_replaced_is_proven_by_the_wards_new_key(sqlite_ledger,
                                                                         tmp_path):
    """Honest: the treasurer changed keys after the receipt. Given the ward's new key
    (--vkey) and its new checkpoint with the consistency proof from the receipt's, the receipt
    is proven (exit 0); without the new key the new checkpoint proves nothing (exit 2)."""
    from ledger.trust.signing_key import SigningKey

    ward = _ward(sqlite_ledger, tmp_path)
    receipt = save(tmp_path, "r.json", ward("receipt", str(donate(ward, 500_000, "R-1")),
                                            "--format", "json").out)
    day1 = save(tmp_path, "day1.txt", json.loads(receipt.read_text())["checkpoint"])
    old = SigningKey.load(tmp_path / "lan.pem").key
    new = SigningKey.create(tmp_path / "new.pem")
    ward("actor", "add", "tester", "--public-key", new.text)
    ward.env["AID_SIGNING_KEY_FILE"] = str(tmp_path / "new.pem")
    ward("actor", "key", "revoke", old, "--reason", "máy mới")
    donate(ward, 1000)
    held = ward("audit", "checkpoint", "--format", "json").json()
    day30 = save(tmp_path, "day30.txt", held["note"])
    proof = tmp_path / "proof.json"
    ward("audit", "consistency", str(day1), str(day30), "--format", "json", "-o", str(proof))
    later = ["--checkpoint", str(day30), "--consistency", str(proof)]
    unvouched = ward.fails("receipt", "verify", str(receipt), *later)
    assert unvouched.code == 2 and "proves nothing" in unvouched.err
    proven = ward("receipt", "verify", str(receipt), *later, "--vkey", held["vkeys"][0])
    assert "a key held outside the receipt" in proven.out and \
        proven.out.strip().splitlines()[-1].startswith("ok: the receipt proves")


def _with_state(receipt: dict, state: str) -> dict:
    """`receipt` with its leaf replaced by the donation's stored row carrying `state` (its
    leaf_hash and proof then no longer match: the leaf must be read before they are judged)."""
    row = decode_leaf(base64.b64decode(receipt["leaf"]))
    leaf = encode(*row[:4], state.encode())
    return {**receipt, "leaf": base64.b64encode(leaf).decode("ascii")}


@pytest.fixture(scope="module")
def donated(tmp_path_factory) -> tuple[Ledger, dict]:
    """A signed ward and a genuine receipt of one of its donations (made once: read only)."""
    folder = tmp_path_factory.mktemp("donated")
    ward = _ward(Ledger(_env(AID_DB=str(folder / "aid.db")), "sqlite", folder / "aid.db"),
                 folder)
    entry = donate(ward, 500_000, "R-1")
    return ward, ward("receipt", str(entry), "--format", "json").json()


LEAVES_NOT_A_DONATIONS = ['[1]', '5', 'null', '"text"', '{"moves":[[1]]}', '{"moves":[1]}',
                          '{"moves":{}}', '{"cash":5}', '{"moves":[["K","R","x"],["K","R",1]]}',
                          '{"moves":[["K",["R"],1]]}', '{"cash":{"received":"x"}}',
                          '{"cash":{"received":true}}', '{"donor":{"name":"D1"}}']


@pytest.mark.parametrize("state", LEAVES_NOT_A_DONATIONS)
def test_a_receipt_whose_leaf_is_not_a_donations_fields_cannot_be_read(donated, tmp_path,
                                                                       state):
    """Adversarial: the leaf's stored state is JSON but not a donation's fields. That is a
    receipt that cannot be read, said in one line (exit 1), as any other malformed leaf."""
    ward, good = donated
    path = save(tmp_path, "bad.json", json.dumps(_with_state(good, state)))
    refused = ward.fails("receipt", "verify", str(path))
    assert refused.code == 1 and "Traceback" not in refused.err
    assert refused.err == ("aid: the receipt does not verify: the receipt's leaf (the "
                           "donation's stored bytes) cannot be read: its stored fields are not "
                           "those of a donation (moves, cash, on, receipt, donor, location)\n")


STATES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12)
DONATION_LIKE = st.fixed_dictionaries({}, optional={
    key: STATES for key in ("moves", "cash", "on", "receipt", "donor", "location")}) | \
    st.fixed_dictionaries({"moves": st.lists(st.lists(STATES, max_size=4), max_size=3),
                           "cash": st.dictionaries(st.sampled_from(["received", "spent"]),
                                                   STATES, max_size=2)})


@settings(max_examples=60)
@given(STATES | DONATION_LIKE)
def test_any_json_state_in_a_receipts_leaf_is_refused_without_a_crash(donated, state):
    """Whatever JSON the leaf's state holds, verify answers (exit 1, one line on stderr): the
    state is not the donation the proof is of."""
    ward, good = donated
    doctored = _with_state(good, json.dumps(state))
    checked = verify_receipt(doctored)
    assert not checked.ok
    path = ward.path.parent / "any.json"
    path.write_text(json.dumps(doctored), encoding="utf-8")
    refused = ward.fails("receipt", "verify", str(path))
    assert refused.code == 1 and "Traceback" not in refused.err
    assert refused.err.startswith("aid: the receipt does not verify: ")
    assert refused.err.count("\n") == 1


def _ward(ledger: Ledger, tmp_path: Path) -> Ledger:
    ledger("init", "--ward", "Phường 3", "--on", "2021-11-01")
    ledger("item", "add", "RICE", "--name", "Gạo", "--unit", "kg")
    ledger("location", "add", "KHO", "--name", "Kho phường")
    ledger("donor", "add", "D1", "--name", "Công ty Gạo Việt")
    return signed(ledger, tmp_path)


@pytest.mark.parametrize("tamper", ["edit", "delete", "reorder"])
def test_verify_checkpoint_catches_a_rewrite_before_it(sqlite_ledger, tmp_path, tamper):
    ward = _ward(sqlite_ledger, tmp_path)
    donate(ward, 500_000)
    donate(ward, 600_000)
    taken = save(tmp_path, "c.txt", ward("audit", "checkpoint").out)
    donate(ward, 700_000)
    with sqlite3.connect(ward.path) as conn:
        if tamper == "edit":
            conn.execute("UPDATE stored_events SET state = replace(state, '500000', '50000') "
                         "WHERE topic = 'ledger.ward:Ward.Donated'")
        elif tamper == "delete":
            conn.execute("DELETE FROM stored_events WHERE rowid = 3")
        else:
            a, b = conn.execute("SELECT rowid, state FROM stored_events WHERE topic = "
                                "'ledger.ward:Ward.Donated' ORDER BY rowid LIMIT 2").fetchall()
            conn.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (b[1], a[0]))
            conn.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (a[1], b[0]))
    refused = ward.fails("audit", "verify", "--checkpoint", str(taken))
    assert refused.code == 1
    assert "not held" in refused.out or "cut short" in refused.out


def test_a_rewritten_first_event_is_an_altered_ledger_not_another_one(sqlite_ledger, tmp_path):
    """The ledger's identity is its first event, so rewriting that event renames the ledger:
    a checkpoint its own treasurer signed then names another identity. That is reported as the
    rewrite it is (exit 1), not as a checkpoint of another ledger (bad input, exit 2)."""
    ward = _ward(sqlite_ledger, tmp_path)
    donate(ward, 500_000)
    taken = save(tmp_path, "c.txt", ward("audit", "checkpoint").out)
    with sqlite3.connect(ward.path) as conn:
        conn.execute("UPDATE stored_events SET state = replace(state, 'Phường 3', 'Phường 9') "
                     "WHERE rowid = 1")
    refused = ward.fails("audit", "verify", "--checkpoint", str(taken))
    assert refused.code == 1 and "Traceback" not in refused.err
    assert "first event (its identity) was rewritten" in refused.out + refused.err


def test_verify_checkpoint_of_another_ledger_is_bad_input(sqlite_ledger, tmp_path):
    ward = _ward(sqlite_ledger, tmp_path)
    other = Ledger(_env(AID_DB=str(tmp_path / "other.db")), "sqlite", tmp_path / "other.db")
    _ward(other, tmp_path / "o")
    theirs = save(tmp_path, "theirs.txt", other("audit", "checkpoint").out)
    refused = ward.fails("audit", "verify", "--checkpoint", str(theirs))
    assert refused.code == 2 and "another ledger" in refused.err


@settings(max_examples=20)  # each example builds a signed ward: 20 keep CI within its budget
@given(st.lists(st.integers(1, 9), min_size=1, max_size=6))
def test_the_stored_tree_always_equals_the_events(tmp_path_factory, gifts):
    """Any sequence of writes (single facts and imports' batches alike): the kept tree's root
    is the root of the events, and each donation's receipt verifies."""
    folder = tmp_path_factory.mktemp("prop")
    ward = _ward(Ledger(_env(AID_DB=str(folder / "aid.db")), "sqlite", folder / "aid.db"),
                 folder)
    entries = [donate(ward, cash) for cash in gifts]
    found = ward("audit", "checkpoint", "--format", "json").json()
    assert (found["size"], found["root"]) == (lambda s, r: (s, r.hex()))(*stored_root(ward))
    receipt = save(folder, "r.json", ward("receipt", str(entries[0]), "--format", "json").out)
    assert ward("receipt", "verify", str(receipt)).code == 0


# -- ledgers older than the tree --------------------------------------------------------------


def test_an_old_ledger_gets_its_tree_and_reports_stay_identical(tmp_path):
    old = tmp_path / "old"
    fixture = ROOT / "tests" / "fixtures" / "ledger-0.1"
    if not (fixture / "ledger.db").exists():
        pytest.skip("the fixture ledger tests/fixtures/ledger-0.1/ledger.db is missing")
    shutil.copytree(fixture, old)
    for key in ("ward.key", "lan.pem"):
        (old / key).chmod(0o600)  # git keeps no file modes; a key file must be the owner's only
    aid = Ledger(_env(AID_DB=str(old / "ledger.db"), AID_KEY_FILE=str(old / "ward.key"),
                      AID_SIGNING_KEY_FILE=str(old / "lan.pem"), AID_ACTOR="Chị Lan"),
                 "sqlite", old / "ledger.db")
    before = aid("audit", "checkpoint", "--format", "json").json()  # read-only: computed
    with sqlite3.connect(old / "ledger.db") as conn:
        assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'aid_merkle'") \
            .fetchone() is None  # nothing written by a reader
    aid("location", "add", "KHO2", "--name", "Kho 2")  # the first write builds the tree
    after = aid("audit", "checkpoint", "--format", "json").json()
    assert after["size"] > before["size"]
    assert (after["size"], after["root"]) == (lambda s, r: (s, r.hex()))(*stored_root(aid))
    held = aid("audit", "verify", "--checkpoint", before["note"])
    assert "ok, the ledger extends it by" in held.out


# -- the district as witness ------------------------------------------------------------------


def _coded(path: Path, tmp_path: Path) -> Ledger:
    ward = Ledger(_env(AID_DB=str(path)), "sqlite", path)
    ward("init", "--ward", "Phường 1", "--on", "2021-11-01", "--code", "P1")
    ward("item", "add", "RICE", "--name", "Gạo", "--unit", "kg")
    ward("location", "add", "KHO", "--name", "Kho phường")
    ward("donor", "add", "D1", "--name", "Công ty Gạo Việt")
    return signed(ward, tmp_path)


def test_the_district_witnesses_and_cosigns_each_sync(district, tmp_path):
    ward = _coded(tmp_path / "p1.db", tmp_path)
    district_key = tmp_path / "district.pem"
    ward("actor", "key", "init", "--key-file", str(district_key))
    ward.env["AID_WITNESS_KEY_FILE"] = str(district_key)
    first = ward("sync", "--to", district)
    assert "witnessed and co-signed its checkpoint" in first.out
    for n in range(3):
        donate(ward, 1000 + n)
        ward("sync", "--to", district)
    listed = ward("district", "checkpoints", "--url", district, "--format", "json").json()
    assert [row["size"] for row in listed] == sorted(row["size"] for row in listed)
    assert len(listed) == 4 and all(row["cosigned"] for row in listed)
    last = notes.parse(listed[-1]["note"])
    assert [s.name.split(".")[0] for s in last.signatures] == ["tester", "district"]
    again = ward("sync", "--to", district)  # nothing new: nothing said about it
    assert "witnessed" not in again.out


def test_the_district_vouches_only_for_a_checkpoint_the_signing_ward_signed(district,
                                                                           tmp_path):
    """Adversarial: a ward that declares keys signs its checkpoints. Synced by someone holding
    none of its keys, its checkpoint carries no signature: the district copies the events and
    keeps the checkpoint as checked, but does not co-sign it and says why; the treasurer's
    next sync is co-signed."""
    ward = _coded(tmp_path / "p1.db", tmp_path)
    district_key = tmp_path / "district.pem"
    ward("actor", "key", "init", "--key-file", str(district_key))
    ward.env["AID_WITNESS_KEY_FILE"] = str(district_key)
    treasurer = ward.env.pop("AID_SIGNING_KEY_FILE")
    said = ward("sync", "--to", district).out
    assert "not co-signed: the ward signs its entries" in said
    [kept] = ward("district", "checkpoints", "--url", district, "--format", "json").json()
    assert not kept["cosigned"] and "district." not in kept["note"]
    ward.env["AID_SIGNING_KEY_FILE"] = treasurer
    donate(ward, 1000)
    assert "witnessed and co-signed" in ward("sync", "--to", district).out


def test_the_district_cosigns_on_its_own_machine_what_wards_synced_without_its_key(
        district, tmp_path):
    """From a sweep: co-signing happened only inside `aid sync` with the district's key, which
    runs on the ward's machine: the ward would hold the key that vouches for it. A ward syncs
    without it; the district co-signs later with `aid district cosign`, each checkpoint checked
    again against its own copy of the ward's events (a stored checkpoint edited, or one the
    ward did not sign, is not co-signed)."""
    import psycopg

    ward = _coded(tmp_path / "p1.db", tmp_path)
    key = tmp_path / "district.pem"
    ward("actor", "key", "init", "--key-file", str(key))
    ward.env.pop("AID_WITNESS_KEY_FILE", None)
    for n in range(3):
        donate(ward, 1000 + n)
        assert "not co-signed: no district key" in ward("sync", "--to", district).out
    listed = ward("district", "checkpoints", "--url", district, "--format", "json").json()
    assert len(listed) == 3 and not any(row["cosigned"] for row in listed)
    with psycopg.connect(district, autocommit=True) as conn:  # a stored note's root edited
        conn.execute("UPDATE aid_witness_checkpoints SET root = %s WHERE size = %s",
                     (b"\0" * 32, listed[1]["size"]))
    refused = ward.fails("district", "cosign", "--url", district, "--key", str(key))
    assert refused.code == 1
    assert (f"ward P1: its checkpoint of {listed[1]['size']} events, root 0000000000000000… "
            "is not what the district's copy of its events gives; not co-signed") in refused.err
    assert refused.out.count("witnessed and co-signed its checkpoint") == 2
    after = ward("district", "checkpoints", "--url", district, "--format", "json").json()
    assert [row["cosigned"] for row in after] == [True, False, True]
    for row in (after[0], after[2]):
        names = [s.name.split(".")[0] for s in notes.parse(row["note"]).signatures]
        assert names == ["tester", "district"]
    # a checkpoint synced by someone holding none of the ward's keys carries no signature of it
    donate(ward, 2000)
    ward.env.pop("AID_SIGNING_KEY_FILE")
    ward("sync", "--to", district)
    unsigned = ward.fails("district", "cosign", "--url", district, "--key", str(key))
    assert "carries no signature of a live key the ward declares" in unsigned.err
    ward.env["AID_SIGNING_KEY_FILE"] = str(tmp_path / "lan.pem")  # the treasurer syncs again
    donate(ward, 3000)
    ward("sync", "--to", district)
    again = ward.fails("district", "cosign", "--url", district, "--key", str(key))
    assert again.out.count("witnessed and co-signed") == 1 and "carries no signature" in again.err
    # named once: a checkpoint older than one co-signed is vouched for by it, and left alone
    quiet = ward("district", "cosign", "--url", district, "--key", str(key))
    assert (quiet.out, quiet.err) == ("nothing to co-sign: every checkpoint the wards' syncs "
                                      "checked is co-signed already\n", "")  # said, not silent
    assert ward.fails("district", "cosign", "--url", district).code == 2  # no key: bad input


def test_a_rewrite_before_a_witnessed_checkpoint_is_refused_at_the_next_sync(district,
                                                                             tmp_path):
    ward = _coded(tmp_path / "p1.db", tmp_path)
    donate(ward, 500_000)
    ward("sync", "--to", district)
    witnessed = ward("district", "checkpoints", "--url", district, "--format", "json").json()
    with sqlite3.connect(ward.path) as conn:  # edited by hand, old links kept
        conn.execute("UPDATE stored_events SET state = replace(state, '500000', '50000') "
                     "WHERE topic = 'ledger.ward:Ward.Donated'")
    refused = ward.fails("sync", "--to", district)
    assert refused.code == 1
    assert f"witnessed ({witnessed[-1]['size']} events, root {witnessed[-1]['root'][:16]}" \
        in refused.err
    assert "its checkpoint now is" in refused.err and "Traceback" not in refused.err
    taken = save(tmp_path, "w.txt", witnessed[-1]["note"])
    assert ward.fails("audit", "verify", "--checkpoint", str(taken)).code == 1


def test_an_event_deleted_before_a_witnessed_checkpoint_is_refused_not_a_crash(district,
                                                                              tmp_path):
    """From a sweep: a row the ward's history does not fold (a receipt's claim) deleted
    before the witnessed checkpoint, the links and the tree left as they were, then one more
    entry: the next sync crashed with a traceback instead of naming both checkpoints."""
    path = tmp_path / "p1.db"
    ward = Ledger(_env(AID_DB=str(path)), "sqlite", path)
    ward("init", "--ward", "Phường 1", "--on", "2021-11-01", "--code", "P1")
    for declared in (("item", "add", "RICE", "--name", "Gạo", "--unit", "kg"),
                     ("location", "add", "KHO", "--name", "Kho"),
                     ("donor", "add", "D1", "--name", "Công ty Gạo Việt")):
        ward(*declared)
    donate(ward, 500_000, "PT-1")
    donate(ward, 7)
    ward("sync", "--to", district)
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM stored_events WHERE topic LIKE 'ledger.claims:%'")
    donate(ward, 1000)
    donate(ward, 2000)
    refused = ward.fails("sync", "--to", district)
    assert refused.code == 1 and "Traceback" not in refused.err
    assert "does not extend the checkpoint the district witnessed" in refused.err
    # a ward entry deleted: the ward cannot be read back, and a write says why
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM stored_events WHERE rowid = (SELECT rowid FROM stored_events "
                     "WHERE topic = 'ledger.ward:Ward.ItemDeclared' LIMIT 1)")
        conn.execute("DELETE FROM stored_snapshots")
    gap = ward.fails("donate", "D1", "--into", "KHO", "--cash", "5", "--on", "2021-11-02")
    assert gap.code == 1 and "an entry was deleted outside aid; nothing was recorded" in gap.err


def test_witness_cosign_by_any_party(sqlite_ledger, tmp_path):
    ward = _ward(sqlite_ledger, tmp_path)
    taken = save(tmp_path, "c.json", ward("audit", "checkpoint", "--format", "json").out)
    assert json.loads(taken.read_text())["vkeys"]  # who signed it: the witness checks with it
    paper = tmp_path / "paper.pem"
    ward("actor", "key", "init", "--key-file", str(paper))
    # an --output into a missing folder is refused before anything is remembered as co-signed
    nowhere = ward.fails("witness", "cosign", str(taken), "--key", str(paper), "-o",
                         str(tmp_path / "no" / "c.txt"))
    assert nowhere.code == 2 and "there is no folder" in nowhere.err
    assert not (tmp_path / "paper.pem.witnessed.json").exists()
    cosigned = ward("witness", "cosign", str(taken), "--key", str(paper), "--name",
                    "bao-tuoi-tre").out
    parsed = notes.parse(cosigned)
    assert [s.name for s in parsed.signatures][-1] == "bao-tuoi-tre"
    twice = ward.fails("witness", "cosign", cosigned, "--key", str(paper), "--name",
                       "bao-tuoi-tre")
    assert twice.code == 2 and "already signed" in twice.err
    spaced = ward.fails("--lang", "vi", "witness", "cosign", str(taken), "--key", str(paper),
                        "--name", "Ban thanh tra phường 3")
    assert spaced.code == 2 and spaced.err.count("\n") == 1
    assert "--name là tên của bạn trong ghi chú" in spaced.err and "has a space" not in spaced.err


def test_a_witness_cosigns_only_what_the_ward_signed_and_what_extends_its_last(sqlite_ledger,
                                                                            tmp_path):
    """A newspaper co-signs the ward's checkpoints over a month. Adversarial: a note without
    the ward's signature, one with a forged signature, an older one, one of another history of
    the same size, and a newer one without (or with a wrong) consistency proof are refused,
    nothing written; honest: each checkpoint that extends the last, with its proof."""
    ward = _ward(sqlite_ledger, tmp_path)
    paper = tmp_path / "paper.pem"
    ward("actor", "key", "init", "--key-file", str(paper))
    day1 = save(tmp_path, "day1.json", ward("audit", "checkpoint", "--format", "json").out)
    note1 = json.loads(day1.read_text())["note"]
    unsigned = note1[:note1.index("\n\n") + 2]  # the body, no signature line
    vkey = json.loads(day1.read_text())["vkeys"][0]
    bare = ward.fails("witness", "cosign", unsigned, "--key", str(paper), "--vkey", vkey)
    assert bare.code == 2 and "not signed" in bare.err
    from ledger.district.witness import load_key

    stranger = tmp_path / "stranger.pem"  # a valid signature, by a key the ward never had
    ward("actor", "key", "init", "--key-file", str(stranger))
    ours = notes.parse(note1)
    theirs = notes.sign(notes.make(ours.origin, ours.size, ours.root), "stranger",
                        load_key(stranger))
    assert "no valid signature by the ward's key" in ward.fails(
        "witness", "cosign", theirs, "--key", str(paper), "--vkey", vkey).err
    none = ward.fails("witness", "cosign", note1, "--key", str(paper))  # no key named
    assert none.code == 2 and "--vkey" in none.err
    head, _, signature = note1.rstrip("\n").rpartition(" ")
    forged = head + " " + signature[:10] + ("A" if signature[10] != "A" else "B") + \
        signature[11:] + "\n"
    assert "no valid signature by the ward's key" in ward.fails(
        "witness", "cosign", forged, "--key", str(paper), "--vkey", vkey).err
    record = paper.with_name("paper.pem.witnessed.json")
    assert not record.exists()
    ward("witness", "cosign", str(day1), "--key", str(paper), "--name", "bao")
    assert json.loads(record.read_text())  # remembered: size, root and the ward's key
    donate(ward, 1000)
    donate(ward, 2000)
    day30 = save(tmp_path, "day30.txt", ward("audit", "checkpoint").out)
    missing = ward.fails("witness", "cosign", str(day30), "--key", str(paper), "--name", "bao")
    assert missing.code == 2 and "--consistency" in missing.err
    wrong = save(tmp_path, "wrong.json", json.dumps({
        "first_size": 1, "second_size": 2, "first_root": "00" * 32, "second_root": "00" * 32,
        "proof": []}))
    assert ward.fails("witness", "cosign", str(day30), "--key", str(paper), "--name", "bao",
                      "--consistency", str(wrong)).code == 2
    proof = tmp_path / "proof.json"
    ward("audit", "consistency", str(day1), str(day30), "--format", "json", "-o", str(proof))
    # from a sweep: once the ward's key is remembered, a file naming another key is a forger's
    genuine = notes.parse(day30.read_text())
    impostor = save(tmp_path, "impostor.json", json.dumps({
        "note": notes.sign(notes.make(genuine.origin, genuine.size, genuine.root), "chi-lan",
                           load_key(stranger)),
        "vkeys": [notes.format_vkey("chi-lan", load_key(stranger).public_key())]}))
    kept = record.read_text()
    refused = ward.fails("witness", "cosign", str(impostor), "--key", str(paper), "--name",
                         "bao", "--consistency", str(proof))
    assert refused.code == 1 and "the ward's key you co-signed with before" in refused.err
    assert record.read_text() == kept
    ward("witness", "cosign", str(day30), "--key", str(paper), "--name", "bao",
         "--consistency", str(proof))  # honest: the ward's key was remembered
    older = ward.fails("witness", "cosign", str(day1), "--key", str(paper), "--name", "bao")
    assert older.code == 1 and "older than the one you co-signed" in older.err
    signed30 = notes.parse(day30.read_text())  # another history of that size, the ward's key
    body = notes.make(signed30.origin, signed30.size, bytes(32))
    fork = notes.sign(body, signed30.signatures[0].name, load_key(tmp_path / "lan.pem"))
    forked = ward.fails("witness", "cosign", fork, "--key", str(paper), "--name", "bao")
    assert forked.code == 1 and "forked" in forked.err
    assert json.loads(record.read_text())[signed30.origin.rsplit("/", 1)[-1]]["size"] == \
        signed30.size


# -- the offline page --------------------------------------------------------------------------


def _page_script() -> str:
    page = PAGE.read_text(encoding="utf-8")
    start = page.index("// --- pure verification")
    return page[start:page.index("// --- end of pure verification")]


def test_the_page_verifies_a_receipt_in_node(sqlite_ledger, tmp_path):
    """The page's own verification code, run by Node's WebCrypto (the same API as a browser's)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed: the page's code is checked in Chromium below")
    ward = _ward(sqlite_ledger, tmp_path)
    entry = donate(ward, 500_000, "R-1")
    donate(ward, 9)
    good = ward("receipt", str(entry), "--format", "json").json()
    bad = [{**good, "cash": 1}, {**good, "format": "aid-receipt-v9"},
           {**good, "origin": "aid-ledger/" + "0" * 32},
           *(_with_state(good, state) for state in LEAVES_NOT_A_DONATIONS),
           forged_under_the_wards_name(good, 900_000)]
    runner = save(tmp_path, "run.js", _page_script() + """
const fs = require("fs");
(async () => {
  for (const name of process.argv.slice(2)) {
    const r = await AidReceipt.verify(JSON.parse(fs.readFileSync(name, "utf8")));
    console.log(JSON.stringify({ ok: r.ok, signed: r.signatureChecked, gift: r.gift,
                                 failures: r.failures }));
  }
})();
""")
    paths = [save(tmp_path, "good.json", json.dumps(good))] + [
        save(tmp_path, f"bad{n}.json", json.dumps(each)) for n, each in enumerate(bad)]
    out = subprocess.run([node, str(runner), *map(str, paths)], capture_output=True, text=True,
                         timeout=60, check=True).stdout.splitlines()
    ok, *doctored = (json.loads(line) for line in out)
    assert ok["ok"] and ok["signed"] and ok["gift"]["cash"] == 500_000
    assert len(doctored) == len(bad) and not any(each["ok"] for each in doctored)
    assert any("but that key's id is" in each["en"] for each in doctored[-1]["failures"])
    assert doctored[0]["failures"][0]["vi"] == (  # the field by its name, as the CLI says it
        "biên nhận ghi tiền mặt là 1, khoản ủng hộ được chứng minh ghi 500000")
    for each in doctored[3:-1]:  # the leaf's state is read, and refused, as the CLI refuses it
        assert each["failures"] == [{
            "vi": "không đọc được dữ liệu đã lưu của khoản ủng hộ: các trường đã lưu của nó "
                  "không phải của một khoản ủng hộ (hàng, tiền, ngày, phiếu thu, nhà hảo tâm, nơi "
                  "nhận)",
            "en": "the donation's stored bytes cannot be read: its stored fields are not those "
                  "of a donation (moves, cash, on, receipt, donor, location)"}]


def test_the_page_verifies_a_receipt_in_headless_chromium(sqlite_ledger, tmp_path):
    from commands.output.printing import find_chromium

    browser = find_chromium()
    if browser is None:
        pytest.skip("no Chromium (/usr/bin/chromium or on PATH): the page is tested in Node")
    ward = _ward(sqlite_ledger, tmp_path)
    entry = donate(ward, 500_000, "R-1")
    page = tmp_path / "receipt.html"
    ward("--lang", "vi", "receipt", str(entry), "-o", str(page))
    dom = _dom(browser, tmp_path, page)
    # only the key the receipt names vouches for it: which key, never a bare VERIFIED
    assert 'data-result="own-key"' in dom or 'data-result="partial"' in dom
    assert "khoản ủng hộ (bút toán" in dom  # what it proved, in Vietnamese
    assert "<dd>02/11/2021</dd>" in dom  # its date as Vietnamese write it
    english = tmp_path / "receipt-en.html"
    ward("receipt", str(entry), "-o", str(english))  # the reader's language: English here
    dom = _dom(browser, tmp_path, english)
    assert 'data-result="own-key"' in dom or 'data-result="partial"' in dom
    assert "the donation (entry" in dom and "<dd>2 Nov 2021</dd>" in dom
    assert "khoản ủng hộ" not in dom.partition("<body")[2].partition("<script")[0]


def test_the_page_says_what_is_wrong_in_vietnamese_first(sqlite_ledger, tmp_path):
    """A doctored receipt fails in the browser, each finding in the page's language: Vietnamese
    by default, English after #en (the page's link to the other language)."""
    from commands.audit.receipt import receipt_page
    from commands.output.printing import find_chromium

    browser = find_chromium()
    if browser is None:
        pytest.skip("no Chromium (/usr/bin/chromium or on PATH): install it to run this test")
    ward = _ward(sqlite_ledger, tmp_path)
    good = ward("receipt", str(donate(ward, 500_000, "R-1")), "--format", "json").json()
    page = save(tmp_path, "doctored.html", receipt_page({**good, "cash": 5_000_000})
                .replace('<html lang="en">', '<html lang="vi">'))
    dom = _dom(browser, tmp_path, page)
    assert 'data-result="fail"' in dom
    assert ("<p>biên nhận ghi tiền mặt là 5000000, khoản ủng hộ được chứng minh ghi 500000</p>"
            in dom)
    assert "the proven donation says" not in dom.partition("<script")[0]
    dom = _dom(browser, tmp_path, page, "#en")
    assert 'data-result="fail"' in dom and '<html lang="en">' in dom
    assert "<p>the receipt says cash is 5000000, the proven donation says 500000</p>" in dom
    assert "<p>DOES NOT VERIFY</p>" in dom


def test_the_page_speaks_vietnamese_and_names_the_donor_and_the_goods(sqlite_ledger, tmp_path):
    """Issue 23: the page was always bilingual ("ĐÚNG · VERIFIED", "Số biên nhận · Receipt")
    and showed codes only. Written with --lang vi it is Vietnamese only, every text from the
    catalog, a link to English; the donor, the place and the goods by name with their code."""
    from commands.audit.receipt import embedded_words, page_texts
    from commands.output.printing import find_chromium

    browser = find_chromium()
    if browser is None:
        pytest.skip("no Chromium (/usr/bin/chromium or on PATH): install it to run this test")
    ward = _ward(sqlite_ledger, tmp_path)
    ward("item", "add", "EGG", "--name", "Trứng", "--unit", "vỉ", "--value", "30000")
    ward("donor", "add", "ABC", "--name", "Cô Ba")
    entry = ward.entry("donate", "ABC", "--into", "KHO", "--item", "EGG=20", "--cash", "500000",
                       "--receipt", "R-9", "--on", "2021-11-02")
    receipt = ward("receipt", str(entry), "--format", "json").json()
    assert receipt["donor_name"] == "Cô Ba" and receipt["anonymous"] is False
    assert receipt["goods_names"] == {"EGG": {"name": "Trứng", "unit": "vỉ"}}
    page = tmp_path / "r.html"
    ward("--lang", "vi", "receipt", str(entry), "-o", str(page))
    assert '<html lang="vi">' in page.read_text(encoding="utf-8")
    dom = _dom(browser, tmp_path, page)
    shown = re.sub(r"<!--.*?-->", "", dom.partition("<body")[2].partition("<script")[0], flags=re.S)
    assert "<p>CHỈ ĐÚNG NẾU KHÓA " in shown or "<p>Cây Merkle đúng;" in shown  # partial: no Ed25519
    for text in ('<h1 id="heading">Kiểm tra biên nhận ủng hộ</h1>',
                 "<dt>Nhà hảo tâm</dt><dd>Cô Ba (ABC)</dd>",
                 "<dt>Hàng</dt><dd>Trứng (EGG) 20 vỉ</dd>", "<dt>Tiền</dt><dd>500.000&nbsp;₫</dd>",
                 "<dt>Nơi nhận</dt><dd>Kho phường (KHO)</dd>", ">English</a>",
                 # from a sweep: the names are the receipt's word, not the proof's, and say so
                 "<dt>Tên gọi</dt><dd>tên ghi cạnh các mã là tên do phường ghi kèm biên nhận"):
        assert text in shown, text
    assert not re.search(r"\b(VERIFIED|Receipt|Donor|Goods|the donation|checks)\b", shown), shown
    # every text of the page is the catalog's, and the page in the repository carries them
    assert set(embedded_words()["vi"]) == set(page_texts())
    assert embedded_words()["vi"]["Receipt number"] == "Số phiếu thu"
    ward("donor", "add", "NHT", "--name", "Ông X", "--anonymous")
    anonymous = ward.entry("donate", "NHT", "--into", "KHO", "--cash", "1", "--on", "2021-11-02")
    hidden = ward("receipt", str(anonymous), "--format", "json").json()  # its name stays out
    assert hidden["donor_name"] is None and hidden["anonymous"] is True


def _chromium() -> str:
    from commands.output.printing import find_chromium

    browser = find_chromium()
    if browser is None:
        pytest.skip("no Chromium (/usr/bin/chromium or on PATH): install it to run this test")
    return browser


def _page_of(tmp_path: Path, name: str, receipt: dict, lang: str = "en", **given: str) -> Path:
    """The receipt's page as `aid receipt -o` writes it, in `lang`, with what the donor pasted
    beside it (`vkey`: the ward's key, `later`: a later checkpoint, `consistency`: its proof)
    already in the page's fields when it checks itself on opening."""
    from commands.audit.receipt import receipt_page

    page = re.sub(r'<html lang="\w+">', f'<html lang="{lang}">', receipt_page(receipt), count=1)
    fill = "".join(f"(document.getElementById({json.dumps(field)}) || {{}}).value = "
                   f"{json.dumps(text)};" for field, text in given.items())
    page = page.replace('<script>\n"use strict";', f"<script>{fill}</script>\n"
                        '<script>\n"use strict";', 1)
    return save(tmp_path, name, page)


def _shown(dom: str) -> str:
    """What the page shows: its body before the script."""
    return re.sub(r"<!--.*?-->", "", dom.partition("<body")[2].partition("<script")[0],
                  flags=re.S)


def test_the_page_refuses_a_receipt_placed_where_no_event_can_be(sqlite_ledger, tmp_path):
    """Adversarial (the CLI's sweep, in the browser): the same forged receipts that `aid receipt
    verify` refuses for their place (alone in a tree of one and signed by the forger's own key;
    event 1; after the stored position; before the entry number; past the tree's end) showed
    VERIFIED on the page. Each now DOES NOT VERIFY, saying why, in English and Vietnamese.
    Honest: the genuine receipt's place is accepted."""
    browser = _chromium()
    ward = _ward(sqlite_ledger, tmp_path)
    for amount in (1000, 2000):
        donate(ward, amount)
    good = ward("receipt", str(donate(ward, 500_000, "R-1")), "--format", "json").json()
    alone, _ = forged_with_its_own_key(good, 900_000, in_place=False)
    late, _ = forged_with_its_own_key(good, 900_000, position=good["leaf_index"])
    early, _ = forged_with_its_own_key(good, 900_000, version=good["leaf_index"] + 2)
    first, _ = forged_with_its_own_key(good, 900_000, in_place=False, position=1, version=1)
    past = {**good, "leaf_index": good["tree_size"]}
    at = good["leaf_index"] + 1
    for n, (forged, said) in enumerate((
            (alone, "<p>the proof places the donation at event 1, which in every ledger is the "
                    "ward's opening, never a donation: the receipt cannot be genuine</p>"),
            (first, "<p>the proof places the donation at event 1, which in every ledger is the "
                    "ward's opening"),
            (late, f"<p>the proof places the donation at event {at}, but its stored position is "
                   f"{at - 1}: events are counted from 1 in position order, so it is event "
                   f"{at - 1} at most; the receipt cannot be genuine</p>"),
            (early, f"<p>the proof places entry {at + 1} at event {at}, but entry 1 is the ward's "
                    f"opening"),
            (past, f"<p>the proof places the donation at event {good['tree_size'] + 1} of a tree "
                   f"of {good['tree_size']} events, which has no such event: the receipt cannot "
                   "be genuine</p>"))):
        shown = _shown(_dom(browser, tmp_path, _page_of(tmp_path, f"f{n}.html", forged)))
        assert 'data-result="fail"' in shown and "<p>DOES NOT VERIFY</p>" in shown, n
        assert said in shown, shown
        assert "VERIFIED</p>" not in shown.replace("DOES NOT VERIFY", "")
    shown = _shown(_dom(browser, tmp_path, _page_of(tmp_path, "vi.html", alone, "vi")))
    assert 'data-result="fail"' in shown and "<p>SAI</p>" in shown
    assert ("<p>bằng chứng đặt khoản ủng hộ ở sự kiện 1, mà trong mọi sổ đó là bút toán mở sổ "
            "của phường, không bao giờ là một khoản ủng hộ: biên nhận không thể là thật</p>"
            in shown), shown
    shown = _shown(_dom(browser, tmp_path, _page_of(tmp_path, "good.html", good)))
    assert 'data-result="fail"' not in shown and "the proof places" not in shown


def test_the_page_says_whose_key_alone_vouches_for_a_receipt(sqlite_ledger, tmp_path):
    """Adversarial (the CLI's sweep, in the browser): a gift never made, at the genuine
    receipt's place, signed by a fresh key the receipt names itself, showed VERIFIED. Alone it
    now shows no bare VERIFIED but which key signed (name and key id) and that the donor must
    compare it with the ward's published key; with the ward's key pasted it is not signed by it
    (not proven, both keys named); with the ward's checkpoint of that size and its key, it is
    not of the ward's history (DOES NOT VERIFY). Honest: the ward's own receipt says the same
    of the ward's key alone, and VERIFIED once the ward's key, its checkpoint of the same size
    or a later one with the consistency proof vouches for it."""
    browser = _chromium()
    ward = _ward(sqlite_ledger, tmp_path)
    donate(ward, 1000)
    good = ward("receipt", str(donate(ward, 500_000, "R-1")), "--format", "json").json()
    held = ward("audit", "checkpoint", "--format", "json").json()  # the ward's, published
    vkey, wards = held["vkeys"][0], held["vkeys"][0].split("+")[0].rpartition(".")[2]
    forged, forger = forged_with_its_own_key(good, 900_000)

    def shown(name: str, receipt: dict, lang: str = "en", **given: str) -> str:
        return _shown(_dom(browser, tmp_path, _page_of(tmp_path, name, receipt, lang, **given)))

    alone = shown("alone.html", forged)
    assert 'data-result="own-key"' in alone and "<p>VERIFIED</p>" not in alone, alone
    assert f"<p>VERIFIED ONLY IF KEY {forger} IS THE WARD'S</p>" in alone
    assert (f"its checkpoint is signed by chi-lan.{forger} (key id {forger}), but that key is "
            "named by the receipt itself" in alone)
    assert f"Compare key id {forger} with the ward's published key" in alone
    vi = shown("alone-vi.html", forged, "vi")
    assert 'data-result="own-key"' in vi and "<p>ĐÚNG</p>" not in vi
    assert f"<p>CHỈ ĐÚNG NẾU KHÓA {forger} LÀ CỦA PHƯỜNG</p>" in vi, vi
    assert f"được ký bởi chi-lan.{forger} (mã khóa {forger})" in vi
    assert f"Hãy so mã khóa {forger} với khóa phường đã công bố" in vi
    other = shown("vkey.html", forged, vkey=vkey)
    assert 'data-result="unproven"' in other and "VERIFIED" not in other, other
    assert (f"<p>the receipt's checkpoint is not signed by the key you gave, tester.{wards} "
            f"(key id {wards}), but by chi-lan.{forger} (key id {forger}), a key only the "
            "receipt itself names" in other)
    contradicted = shown("later.html", forged, vkey=vkey, later=held["note"])
    assert 'data-result="fail"' in contradicted and "<p>DOES NOT VERIFY</p>" in contradicted
    assert (f"has the receipt's size ({good['tree_size']} events) but another root, and the "
            f"receipt is signed by chi-lan.{forger} (key id {forger}), not by that key: the "
            "receipt is not of the history that checkpoint holds" in contradicted), contradicted
    unchecked = shown("note.html", forged, later=held["note"])  # no key of it held outside
    assert 'data-result="unproven"' in unchecked and "VERIFIED" not in unchecked
    assert (f"It is signed as tester.{wards}, the receipt by chi-lan.{forger} (key id "
            f"{forger})" in unchecked), unchecked
    # honest: the ward's own receipt
    own = shown("good.html", good)
    assert 'data-result="own-key"' in own and f"VERIFIED ONLY IF KEY {wards} IS" in own
    assert f"signed by tester.{wards} (key id {wards})" in own
    for n, given in enumerate(({"vkey": vkey}, {"later": held["note"]},
                               {"later": json.dumps(held)})):
        proven = shown(f"proven{n}.html", good, **given)
        assert 'data-result="ok"' in proven and "<p>VERIFIED</p>" in proven, (given, proven)
        assert "ONLY IF" not in proven
    assert "the key you gave" in shown("vkey-good.html", good, vkey=vkey)
    day1 = save(tmp_path, "day1.txt", good["checkpoint"])
    for n in range(3):
        donate(ward, 3000 + n)
    day30 = save(tmp_path, "day30.txt", ward("audit", "checkpoint").out)
    proof = tmp_path / "proof.json"
    ward("audit", "consistency", str(day1), str(day30), "--format", "json", "-o", str(proof))
    later = shown("day30.html", good, later=day30.read_text(), consistency=proof.read_text())
    assert 'data-result="ok"' in later and "<p>VERIFIED</p>" in later, later
    assert "extends the receipt's" in later and "it still holds the donation" in later
    missing = shown("no-proof.html", good, later=day30.read_text())
    assert 'data-result="unproven"' in missing and "needs the consistency proof" in missing
    vi = shown("day30-vi.html", good, "vi", later=day30.read_text(),
               consistency=proof.read_text())
    assert 'data-result="ok"' in vi and "<p>ĐÚNG</p>" in vi and "vẫn còn khoản ủng hộ" in vi


def _dom(browser: str, tmp_path: Path, page: Path, after: str = "") -> str:
    from commands.output.printing import chromium_command

    return subprocess.run(chromium_command(browser, tmp_path / "profile",
                                           "--virtual-time-budget=5000", "--dump-dom",
                                           page.as_uri() + after),
                          capture_output=True, text=True, timeout=120).stdout


stored_rows = st.lists(st.tuples(st.uuids().map(lambda u: u.hex), st.integers(1, 9),
                                 st.sampled_from(["ledger.ward:Ward.Donated", "t"]),
                                 st.binary(max_size=40)), max_size=40)


@settings(max_examples=40, deadline=None)
@given(rows=stored_rows, cut=st.integers(0, 45))
def test_the_roots_sync_builds_in_its_verify_pass_are_those_of_the_events(rows, cut):
    """Sync's witness takes its Merkle roots from the bytes the verify pass hashes for the
    chain (one read of the ledger); they must be exactly the roots recomputed from the rows
    alone, at the witnessed size and at the end."""
    from ledger.store.tree import Roots, roots_at
    from ledger.trust.chain import GENESIS, links
    from projections.audit.tamper import verify

    stored = [(n + 1, *row) for n, row in enumerate(rows)]
    passed = Roots([cut])
    assert verify(stored, links(GENESIS, stored), each=passed.add).problems == []
    found, size = roots_at(stored, [cut, len(stored)])
    assert passed.size == size == len(stored)
    assert passed.at_end() == {**found, size: root([leaf_of(row) for row in stored])}


def test_a_write_between_the_verify_pass_and_the_witness_check_is_read_again(district,
                                                                             tmp_path):
    """Honest: the treasurer records while a sync runs. The roots built in the verify pass
    then cover fewer events than the ledger holds, and the witness reads the events again
    instead of refusing or vouching for the shorter tree."""
    import psycopg

    from commands.district import verified
    from ledger.district import witness

    ward = _coded(tmp_path / "p1.db", tmp_path)
    ward("sync", "--to", district)
    log = open_log(locate(environ=ward.env))
    try:
        with psycopg.connect(district, autocommit=True) as conn:
            roots = witness.roots_to_check(conn, "P1")
            verified(log, 0, log.head(), roots.add)
            donate(ward, 7)  # after the verify pass, before the check
            found = witness.check(log, conn, "P1", False, roots)
    finally:
        log.close()
    assert (found.size, found.root) == stored_root(ward) and found.size > roots.size
