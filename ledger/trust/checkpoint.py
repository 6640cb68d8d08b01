"""Checkpoints: a ledger's tree head as C2SP tlog-checkpoint text inside a C2SP signed note.

Why this format: it is what transparency logs and their witnesses already read and co-sign, it
fits on paper and in a QR code, and anyone can check it with an Ed25519 verifier and a few lines
of code. Specifications followed (c2sp.org):

- tlog-checkpoint, "Note text": the body is the origin line (the log's unique identity), the
  tree size in ASCII decimal without leading zeros, the base64 root hash, then optional
  non-empty extension lines (we write none; we keep any we read).
- signed-note, "Format": text ending in a newline, a blank line, then one or more lines
  "— <key name> <base64(4-byte key ID ‖ signature)>"; valid UTF-8 with no control character but
  the newline; key names non-empty, without Unicode spaces or "+"; std base64 (RFC 4648 §4).
- signed-note, "Signatures" and "Ed25519 signatures": the key ID is
  SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte public key)[:4]; a signature is Ed25519 (RFC 8032)
  over the note text bytes; verifiers ignore signatures from keys they do not know and reject a
  note whose known key's signature fails.
- Verifier keys ("vkeys", as golang.org/x/mod/sumdb/note writes them):
  "<name>+<8 hex digits of the key ID>+<base64(0x01 ‖ public key)>".

A witness co-signs by adding its own signature line to the same text (`sign` on a signed note).
These are plain type-0x01 signatures; C2SP tlog-cosignature (type 0x04, with a timestamp) is the
richer witness format, and since verifiers skip unknown signatures, adding it later breaks no
note already printed.

Parsing is strict and each refusal is one ValueError sentence naming what is wrong, for the
command line to print as is. `verify` answers a plain False for anything malformed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from typing import NamedTuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ledger.phrases import N_, Phrase

EM_DASH = "\u2014"
SIGNATURE_PREFIX = EM_DASH + " "
ED25519 = 0x01  # the signed-note signature type byte for Ed25519
HASH_SIZE = 32
MAX_SIGNATURES = 64  # the spec asks verifiers to accept at least 16
MAX_SIZE = (1 << 64) - 1  # tree sizes are uint64 everywhere else (RFC 9162 §4.3)
_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")


class Signature(NamedTuple):
    """One signature line: the key's name, its 4-byte key ID and the signature bytes."""
    name: str
    key_hash: bytes
    sig: bytes

    def line(self) -> str:
        return f"{SIGNATURE_PREFIX}{self.name} {_b64(self.key_hash + self.sig)}\n"


class Checkpoint(NamedTuple):
    """A parsed checkpoint; `text` is the note text the signatures cover."""
    origin: str
    size: int
    root: bytes
    signatures: tuple[Signature, ...] = ()
    extensions: tuple[str, ...] = ()
    text: str = ""


class VerifierKey(NamedTuple):
    name: str
    key_hash: bytes
    public_key: bytes  # the 32 raw Ed25519 bytes


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    """Standard base64 with padding, and only its canonical form (what an encoder writes)."""
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(Phrase(N_("{what} is not base64: {text}"), what=Phrase(what),
                                text=_show(text))) from None
    if _b64(data) != text:
        raise ValueError(Phrase(N_("{what} is not canonical base64: {text}"), what=Phrase(what),
                                text=_show(text)))
    return data


def _show(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _check_name(name: object, what: str = N_("key name")) -> str:
    if not isinstance(name, str) or not name:
        raise ValueError(Phrase(N_("the {what} is empty"), what=Phrase(what)))
    if "+" in name or any(c.isspace() or c < " " for c in name):
        raise ValueError(Phrase(N_("the {what} {name} has a space, a control character or a '+'"),
                                what=Phrase(what), name=_show(name)))
    return name


def _raw_public(public_key: Ed25519PublicKey | bytes) -> bytes:
    if isinstance(public_key, Ed25519PublicKey):
        return public_key.public_bytes_raw()
    if isinstance(public_key, bytes) and len(public_key) == 32:
        return public_key
    raise ValueError("an Ed25519 public key is an Ed25519PublicKey or its 32 raw bytes")


def key_hash(name: str, public_key: Ed25519PublicKey | bytes) -> bytes:
    """The 4-byte key ID of an Ed25519 key (signed-note, "Ed25519 signatures")."""
    raw = _raw_public(public_key)
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + raw).digest()[:4]


def format_vkey(name: str, public_key: Ed25519PublicKey | bytes) -> str:
    """The verifier key text a verifier is configured with: name+keyid+base64(0x01 ‖ key)."""
    _check_name(name)
    raw = _raw_public(public_key)
    return f"{name}+{key_hash(name, raw).hex()}+{_b64(bytes([ED25519]) + raw)}"


def parse_vkey(vkey: str) -> VerifierKey:
    """The inverse of `format_vkey`, strict: the key ID must be that of the name and key."""
    if not isinstance(vkey, str):
        raise ValueError(Phrase(N_("a verifier key is text")))
    parts = vkey.strip().split("+", 2)  # names hold no '+'; base64 may
    if len(parts) != 3:
        raise ValueError(Phrase(N_("a verifier key is <name>+<key ID in hex>+<base64 key>")))
    name, hash_hex, data = parts
    _check_name(name)
    if not re.fullmatch(r"[0-9a-fA-F]{8}", hash_hex):
        raise ValueError(Phrase(N_("the key ID {id} of {name} is not 8 hex digits"),
                                id=_show(hash_hex), name=name))
    key = _unb64(data, Phrase(N_("the key of {name}"), name=name))
    if len(key) != 33 or key[0] != ED25519:
        raise ValueError(Phrase(N_("the key of {name} is not an Ed25519 key (type 0x01 and 32 "
                                   "bytes)"), name=name))
    if key_hash(name, key[1:]).hex() != hash_hex.lower():
        raise ValueError(Phrase(N_("the key ID {id} does not match the name {name} and its key"),
                                id=hash_hex, name=name))
    return VerifierKey(name, bytes.fromhex(hash_hex), key[1:])


# -- the checkpoint body ---------------------------------------------------------------------


def make(origin: str, size: int, root: bytes) -> str:
    """The checkpoint body (the note text to sign): origin, size, base64 root, one per line.

    The origin is held to what a key name must be too (no spaces, no '+'), since the log's key
    is named after it."""
    _check_name(origin, N_("origin"))
    if type(size) is not int or not 0 <= size <= MAX_SIZE:
        raise ValueError(f"tree size {size!r} is not a whole number from 0 to 2^64 - 1")
    if type(root) is not bytes or len(root) != HASH_SIZE:
        raise ValueError("the root hash is 32 bytes")
    return f"{origin}\n{size}\n{_b64(root)}\n"


def _check_text(text: str) -> None:
    """What signed-note asks of any note text (and so of any note)."""
    for c in text:
        if c < " " and c != "\n":
            if c == "\r":
                raise ValueError(Phrase(N_("the note has a carriage return (U+000D): saved with "
                                        "Windows line endings?")))
            raise ValueError(Phrase(N_("the note has a control character (U+{code})"),
                                    code=f"{ord(c):04X}"))
    if not text.endswith("\n"):
        raise ValueError(Phrase(N_("the note does not end with a newline")))


def _decode(note: str | bytes) -> str:
    if isinstance(note, bytes):
        try:
            return note.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(Phrase(N_("the note is not UTF-8 text"))) from None
    if not isinstance(note, str):
        raise ValueError(Phrase(N_("a note is text")))
    return note


def split_note(note: str | bytes) -> tuple[str, tuple[Signature, ...]]:
    """The note text and its signatures (signed-note, "Format"), strictly."""
    note = _decode(note)
    _check_text(note)
    cut = note.rfind("\n\n")
    if cut < 0:
        if note.startswith(SIGNATURE_PREFIX) or "\n" + SIGNATURE_PREFIX in note:
            raise ValueError(Phrase(N_("no blank line between the note text and its signature "
                                        "lines")))
        raise ValueError(Phrase(N_("the note is not signed: no blank line and signature lines "
                                    "after its text")))
    text, lines = note[:cut + 1], note[cut + 2:].split("\n")[:-1]
    if not lines:
        raise ValueError(Phrase(N_("the note has no signature lines after its last blank line")))
    if len(lines) > MAX_SIGNATURES:
        raise ValueError(Phrase(N_("the note has {count} signatures; at most {most} are read"),
                                count=len(lines), most=MAX_SIGNATURES))
    signatures = []
    for number, line in enumerate(lines, 1):
        if not line.startswith(SIGNATURE_PREFIX):
            raise ValueError(Phrase(N_("signature line {number} does not start with an em dash "
                                        "(U+2014) and a space: {line}"), number=number,
                                     line=_show(line)))
        fields = line[len(SIGNATURE_PREFIX):].split(" ")
        if len(fields) != 2:
            raise ValueError(Phrase(N_("signature line {number} is not '— <key name> <base64>': "
                                        "{line}"), number=number, line=_show(line)))
        name, data = fields
        _check_name(name, Phrase(N_("key name on signature line {number}"), number=number))
        raw = _unb64(data, Phrase(N_("the signature of {name}"), name=name))
        if len(raw) < 5:
            raise ValueError(Phrase(N_("the signature of {name} is too short ({count} bytes)"),
                                    name=name, count=len(raw)))
        signatures.append(Signature(name, raw[:4], raw[4:]))
    return text, tuple(signatures)


def parse(note: str | bytes) -> Checkpoint:
    """A signed checkpoint note, strictly: ValueError with one sentence for any malformation."""
    text, signatures = split_note(note)
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise ValueError(Phrase(N_("a checkpoint has an origin, a tree size and a root hash "
                                    "line; this one has {count} of them"), count=len(lines)))
    for number, line in enumerate(lines, 1):
        if not line:
            raise ValueError(Phrase(N_("line {number} of the checkpoint is empty"), number=number))
    origin, size_text, root_text, *extensions = lines
    if not _SIZE.fullmatch(size_text) or int(size_text) > MAX_SIZE:
        raise ValueError(Phrase(N_("the tree size {size} is not a decimal number (no sign, no "
                                    "leading zeros, below 2^64)"), size=_show(size_text)))
    root = _unb64(root_text, Phrase(N_("the root hash")))
    if len(root) != HASH_SIZE:
        raise ValueError(Phrase(N_("the root hash is {count} bytes, not {size}"), count=len(root),
                                size=HASH_SIZE))
    return Checkpoint(origin, int(size_text), root, signatures, tuple(extensions), text)


# -- signing and verifying ------------------------------------------------------------------------


def sign(body_or_note: str, name: str, private_key: Ed25519PrivateKey) -> str:
    """Sign a note text (a body from `make`), or add one more signature to a signed note (a
    witness co-signing it). Refuses to sign twice with the same key."""
    text = _decode(body_or_note)
    _check_name(name)
    if not isinstance(private_key, Ed25519PrivateKey):
        raise ValueError("signing takes an Ed25519 private key")
    if _is_signed(text):
        text, signatures = split_note(text)
    else:
        _check_text(text)
        signatures = ()
    public = private_key.public_key().public_bytes_raw()
    mine = key_hash(name, public)
    if any(s.name == name and s.key_hash == mine for s in signatures):
        raise ValueError(f"the note is already signed by {name}")
    signatures += (Signature(name, mine, private_key.sign(text.encode())),)
    return text + "\n" + "".join(s.line() for s in signatures)


def _is_signed(note: str) -> bool:
    """A note, not a bare text: after its last blank line come only signature lines. (Texts
    we sign, checkpoint bodies, have no blank line, so there is no ambiguity for them.)"""
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        return False
    lines = note[cut + 2:].split("\n")[:-1]
    return bool(lines) and all(line.startswith(SIGNATURE_PREFIX) for line in lines)


def verify(note: str | bytes, name: str, public_key: Ed25519PublicKey | bytes) -> bool:
    """True if the note carries a valid signature by this key (name and key ID both match) and
    no invalid one by it. False for a malformed note or a key that did not sign: call `parse`
    first to say what is wrong with a note."""
    try:
        text, signatures = split_note(note)
        raw = _raw_public(public_key)
    except ValueError:
        return False
    mine = key_hash(name, raw)
    ours = [s for s in signatures if s.name == name and s.key_hash == mine]
    if not ours:
        return False
    key = Ed25519PublicKey.from_public_bytes(raw)
    for s in ours:
        try:
            key.verify(s.sig, text.encode())
        except InvalidSignature:
            return False
    return True


def verify_vkey(note: str | bytes, vkey: str | VerifierKey) -> bool:
    """`verify` with a verifier key, as text or parsed (a malformed vkey raises ValueError)."""
    key = parse_vkey(vkey) if isinstance(vkey, str) else vkey
    return verify(note, key.name, key.public_key)
