"""Checkpoints as C2SP signed notes (ledger/trust/checkpoint.py): exact bytes, published vectors,
co-signing, and a clear refusal for every malformation."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.trust.checkpoint import (
    EM_DASH,
    Checkpoint,
    Signature,
    format_vkey,
    key_hash,
    make,
    parse,
    parse_vkey,
    sign,
    split_note,
    verify,
    verify_vkey,
)

WARD = "aid.example/phuong-7"
WARD_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))  # a fixed 32-byte seed
DISTRICT = "aid.example/quan-3"
DISTRICT_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32, 64)))
ROOT = hashlib.sha256(b"aid-ledger test root").digest()


def signed(size: int = 1000, root: bytes = ROOT) -> str:
    return sign(make(WARD, size, root), WARD, WARD_KEY)


def public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes_raw()


# -- exact bytes ---------------------------------------------------------------------------------


def test_known_answer_built_by_hand():
    """The note, key ID and signature line written out byte for byte, not through the module."""
    pub = public(WARD_KEY)
    assert pub.hex() == "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
    expected_id = hashlib.sha256(WARD.encode() + b"\x0a" + b"\x01" + pub).digest()[:4]
    assert expected_id.hex() == "438ae9ed"
    assert key_hash(WARD, pub) == expected_id == key_hash(WARD, WARD_KEY.public_key())
    body = WARD + "\n" + "1000\n" + base64.b64encode(ROOT).decode() + "\n"
    assert body == "aid.example/phuong-7\n1000\nmmcEAvC6Sk26xnx1RoXftzOcctDHcWb7Zu8zmLNxtBM=\n"
    assert make(WARD, 1000, ROOT) == body
    signature = WARD_KEY.sign(body.encode())  # Ed25519 is deterministic: fixed bytes
    line = "\u2014 " + WARD + " " + base64.b64encode(expected_id + signature).decode() + "\n"
    assert line == ("\u2014 aid.example/phuong-7 Q4rp7XBUcdL9HOjnPI0IBU7hoW/h1miHe7OFOCff65W1pzby"
                    "rvOu+Rt7Ua64EQPcFpkw9B6HnaFaLHvggxRfpmbGZQM=\n")
    note = sign(body, WARD, WARD_KEY)
    assert note == body + "\n" + line
    assert note.encode()[len(body) + 1:len(body) + 4] == b"\xe2\x80\x94"  # U+2014 in UTF-8
    assert format_vkey(WARD, pub) == ("aid.example/phuong-7+438ae9ed+"
                                      "AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4")


# The published vectors of golang.org/x/mod/sumdb/note (the reference implementation of signed
# notes) and the example of c2sp.org/signed-note: other implementations' exact bytes.
GO_TEXT = ("If you think cryptography is the answer to your problem,\n"
           "then you don't know what your problem is.\n")
PETER_SKEY_DATA = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"  # 0x01 ‖ seed
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SIG = (f"{EM_DASH} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2p"
             "ZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"  # all-zero seed
ENOCH_SIG = (f"{EM_DASH} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5o"
             "vTG01oOTGwnWLox33WWd1RvMc+QQ=\n")
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (f"This is an example message.\n\n{EM_DASH} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tna"
             "gv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n")


def test_published_signed_note_vectors():
    peter = Ed25519PrivateKey.from_private_bytes(base64.b64decode(PETER_SKEY_DATA)[1:])
    assert format_vkey("PeterNeumann", peter.public_key()) == PETER_VKEY
    assert sign(GO_TEXT, "PeterNeumann", peter) == GO_TEXT + "\n" + PETER_SIG
    enoch = Ed25519PrivateKey.from_private_bytes(bytes(32))
    assert format_vkey("EnochRoot", enoch.public_key()) == ENOCH_VKEY
    both = sign(sign(GO_TEXT, "PeterNeumann", peter), "EnochRoot", enoch)
    assert both == GO_TEXT + "\n" + PETER_SIG + ENOCH_SIG
    assert verify_vkey(both, PETER_VKEY) and verify_vkey(both, ENOCH_VKEY)
    assert verify_vkey(SPEC_NOTE, SPEC_VKEY)
    assert not verify_vkey(SPEC_NOTE.replace("example message", "example massage"), SPEC_VKEY)
    key = parse_vkey(SPEC_VKEY)
    assert (key.name, key.key_hash.hex()) == ("example.com/foo", "530d903a")


# -- round trip and co-signing ---------------------------------------------------------------------


def test_round_trip():
    note = signed()
    cp = parse(note)
    assert isinstance(cp, Checkpoint)
    assert (cp.origin, cp.size, cp.root, cp.extensions) == (WARD, 1000, ROOT, ())
    assert cp.text == make(WARD, 1000, ROOT)
    [(name, kid, sig)] = cp.signatures
    assert (name, kid, len(sig)) == (WARD, key_hash(WARD, public(WARD_KEY)), 64)
    assert verify(note, WARD, WARD_KEY.public_key())
    assert verify(note.encode(), WARD, public(WARD_KEY))
    vkey = format_vkey(WARD, WARD_KEY.public_key())
    assert parse_vkey(vkey) == (WARD, kid, public(WARD_KEY))
    assert parse_vkey(vkey + "\n") == parse_vkey(vkey)  # as read from a file
    assert verify_vkey(note, vkey) and verify_vkey(note, parse_vkey(vkey))
    assert parse(note.encode()) == cp


@pytest.mark.parametrize("size", [0, 1, 2**63, 2**64 - 1])
def test_sizes_at_the_edges(size):
    cp = parse(signed(size))
    assert cp.size == size


def test_empty_tree_checkpoint():
    note = signed(0, hashlib.sha256(b"").digest())
    assert note.startswith(f"{WARD}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n")
    assert parse(note).size == 0


def test_cosigning():
    note = signed()
    cosigned = sign(note, DISTRICT, DISTRICT_KEY)
    assert cosigned.startswith(note)  # the ward's signature line is kept as it was
    cp = parse(cosigned)
    assert [s.name for s in cp.signatures] == [WARD, DISTRICT]
    assert cp.text == parse(note).text
    assert verify(cosigned, WARD, public(WARD_KEY))
    assert verify(cosigned, DISTRICT, public(DISTRICT_KEY))
    assert not verify(note, DISTRICT, public(DISTRICT_KEY))
    with pytest.raises(ValueError, match="already signed by aid.example/quan-3"):
        sign(cosigned, DISTRICT, DISTRICT_KEY)
    # A third party (a newspaper) witnesses too; edits now break every signature.
    paper = Ed25519PrivateKey.from_private_bytes(bytes([7]) * 32)
    three = sign(cosigned, "news.example/bao", paper)
    assert len(parse(three).signatures) == 3
    edited = three.replace("\n1000\n", "\n1001\n")
    for name, key in ((WARD, WARD_KEY), (DISTRICT, DISTRICT_KEY), ("news.example/bao", paper)):
        assert verify(three, name, public(key))
        assert not verify(edited, name, public(key))


def test_unknown_signatures_are_ignored_and_a_bad_known_one_rejects():
    note = sign(signed(), DISTRICT, DISTRICT_KEY)
    # Same name, another key: not this verifier's key, so it is ignored, not failed.
    impostor = Ed25519PrivateKey.from_private_bytes(bytes([9]) * 32)
    assert not verify(note, DISTRICT, public(impostor))
    with_impostor = sign(note, DISTRICT, impostor)
    assert verify(with_impostor, DISTRICT, public(DISTRICT_KEY))
    assert verify(with_impostor, DISTRICT, public(impostor))
    # The key ID without the name is not the key: a line under another name is ignored.
    renamed = signed().replace(f"{EM_DASH} {WARD} ", f"{EM_DASH} {DISTRICT} ")
    assert parse(renamed).signatures[0].key_hash == key_hash(WARD, public(WARD_KEY))
    assert not verify(renamed, WARD, public(WARD_KEY))
    # A second line by the same known key that does not verify: the whole note is refused.
    text, signatures = split_note(note)
    ward = signatures[0]
    forged = Signature(ward.name, ward.key_hash, bytes(64))
    bad = text + "\n" + "".join(s.line() for s in (*signatures, forged))
    assert not verify(bad, WARD, public(WARD_KEY))
    assert verify(bad, DISTRICT, public(DISTRICT_KEY))


def test_extension_lines_are_kept_and_signed():
    body = make(WARD, 5, ROOT) + "note: first round\n"
    note = sign(body, WARD, WARD_KEY)
    assert parse(note).extensions == ("note: first round",)
    assert verify(note, WARD, public(WARD_KEY))
    assert not verify(note.replace("first", "second"), WARD, public(WARD_KEY))


# -- refusals -------------------------------------------------------------------------------------


def test_wrong_key_does_not_verify():
    note = signed()
    assert not verify(note, WARD, public(DISTRICT_KEY))
    assert not verify(note, DISTRICT, public(WARD_KEY))
    assert not verify(note, WARD + "x", public(WARD_KEY))
    assert not verify(note, WARD, b"short")


@pytest.mark.parametrize(("old", "new"), [
    ("\n1000\n", "\n1001\n"),  # size
    ("\n1000\n", "\n999\n"),
    ("mmcEAvC6", "mmcEAvC7"),  # root
    (f"{WARD}\n", "aid.example/phuong-8\n"),  # origin
    ("\n\n", "\nextra\n\n"),  # an extension line slipped in
])
def test_edited_checkpoints_do_not_verify(old, new):
    note = signed()
    edited = note.replace(old, new, 1)
    assert edited != note
    parse(edited)  # still well formed: only the signature tells
    assert not verify(edited, WARD, public(WARD_KEY))


def body_with(size: str = "1000", root: str | None = None, origin: str = WARD) -> str:
    root = base64.b64encode(ROOT).decode() if root is None else root
    return f"{origin}\n{size}\n{root}\n"


def signed_by_hand(body: str) -> str:
    """A correctly signed note around any text, so that parse's checks are what refuse it."""
    return body + "\n" + Signature(WARD, key_hash(WARD, public(WARD_KEY)),
                                   WARD_KEY.sign(body.encode())).line()


@pytest.mark.parametrize("size", [
    "+5", "05", "00", "5.0", "-1", " 5", "5 ", "0x10", "1e3", "\u0663", "", "1_000",
    "18446744073709551616",
    "123456789012345678901",
])
def test_non_decimal_sizes_are_refused(size):
    with pytest.raises(ValueError, match="tree size|line 2 of the checkpoint is empty"):
        parse(signed_by_hand(body_with(size=size)))


@pytest.mark.parametrize(("root", "message"), [
    ("not base64!", "root hash is not base64"),
    (base64.b64encode(ROOT).decode().rstrip("="), "root hash is not base64"),  # no padding
    (base64.urlsafe_b64encode(b"\xfb" * 32).decode(), "root hash is not base64"),
    ("mmcEAvC6Sk26xnx1RoXftzOcctDHcWb7Zu8zmLNxtBN=", "not canonical base64"),
    (base64.b64encode(ROOT[:31]).decode(), "31 bytes, not 32"),
    (base64.b64encode(ROOT + b"!").decode(), "33 bytes, not 32"),
])
def test_bad_root_hashes_are_refused(root, message):
    with pytest.raises(ValueError, match=message):
        parse(signed_by_hand(body_with(root=root)))


def test_missing_blank_line_is_refused():
    note = signed()
    with pytest.raises(ValueError, match="no blank line between the note text and its signature"):
        parse(note.replace("\n\n", "\n"))
    with pytest.raises(ValueError, match="not signed"):
        parse(make(WARD, 1000, ROOT))


@pytest.mark.parametrize(("garbage", "message"), [
    ("garbage\n", "signature line 2 does not start with an em dash"),
    ("garbage", "does not end with a newline"),
    ("\n", "no signature lines after its last blank line"),
    (" ", "does not end with a newline"),
    ("\u2014 x\n", "signature line 2 is not"),
])
def test_trailing_garbage_is_refused(garbage, message):
    with pytest.raises(ValueError, match=message):
        parse(signed() + garbage)


@pytest.mark.parametrize(("mangle", "message"), [
    (lambda n: n.replace(EM_DASH + " ", "-- "), "does not start with an em dash"),
    (lambda n: n.replace(EM_DASH + " ", EM_DASH), "does not start with an em dash"),
    (lambda n: n.replace(f"{WARD} Q4rp", f"{WARD}  Q4rp"), "is not '— <key name> <base64>'"),
    (lambda n: n.replace("Q4rp", "Q4r!"), "signature of aid.example/phuong-7 is not base64"),
    (lambda n: n.replace("ZQM=\n", "ZQM\n"), "signature of aid.example/phuong-7 is not base64"),
    (lambda n: n[:n.index(EM_DASH)] + f"{EM_DASH} {WARD} AAAA\n", "too short"),
    (lambda n: n.replace(f"{EM_DASH} {WARD}", f"{EM_DASH} a+b"), r"has a space, a control .* '\+'"),
    (lambda n: n.replace("\n", "\r\n"), "carriage return"),
    (lambda n: n.replace("1000", "10\t00"), r"control character \(U\+0009\)"),
    (lambda n: n.replace(f"{WARD}\n1000\n", "1000\n"), "this one has 2 of them"),
    (lambda n: n.replace("\n1000\n", "\n\n1000\n"), "line 2 of the checkpoint is empty"),
    (lambda n: "\n" + n, "line 1 of the checkpoint is empty"),
    (lambda n: n + (n[n.index(EM_DASH):]) * 64, "at most 64"),
])
def test_malformed_notes_are_refused_with_a_reason(mangle, message):
    note = mangle(signed())
    with pytest.raises(ValueError, match=message):
        parse(note)
    assert not verify(note, WARD, public(WARD_KEY))


def test_note_that_is_not_utf8_or_not_text():
    with pytest.raises(ValueError, match="not UTF-8"):
        parse(signed().encode() + b"\xff\n")
    with pytest.raises(ValueError, match="a note is text"):
        parse(None)
    assert not verify(b"\xff", WARD, public(WARD_KEY))


@pytest.mark.parametrize(("origin", "size", "root"), [
    ("", 1, ROOT), ("a b", 1, ROOT), ("a+b", 1, ROOT), ("a\tb", 1, ROOT), ("a\u00a0b", 1, ROOT),
    (WARD, -1, ROOT), (WARD, True, ROOT), (WARD, 2**64, ROOT), (WARD, 1.0, ROOT),
    (WARD, 1, ROOT[:31]), (WARD, 1, ROOT.hex()),
])
def test_make_refuses_what_it_cannot_write(origin, size, root):
    with pytest.raises(ValueError):
        make(origin, size, root)


def test_sign_refuses_bad_texts_names_and_keys():
    with pytest.raises(ValueError, match="does not end with a newline"):
        sign("no newline", WARD, WARD_KEY)
    with pytest.raises(ValueError, match="key name"):
        sign(make(WARD, 1, ROOT), "two words", WARD_KEY)
    with pytest.raises(ValueError, match="Ed25519 private key"):
        sign(make(WARD, 1, ROOT), WARD, bytes(32))


@pytest.mark.parametrize(("vkey", "message"), [
    ("aid.example", "a verifier key is"),
    ("aid.example+438ae9ed", "a verifier key is"),
    ("+438ae9ed+AQOh", "key name is empty"),
    (f"{WARD}+438ae9e+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4", "not 8 hex digits"),
    (f"{WARD}+438ae9ee+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4", "does not match"),
    (f"{WARD}+438ae9ed+AgOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4", "not an Ed25519 key"),
    (f"{WARD}+438ae9ed+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVT", "not base64"),
    (f"{WARD}+438ae9ed+AQOh", "not an Ed25519 key"),
])
def test_bad_vkeys_are_refused(vkey, message):
    with pytest.raises(ValueError, match=message):
        parse_vkey(vkey)
