"""A donor's receipt: what was given, and a proof anyone can check that it is in the ledger.

The proof is an RFC 9162 inclusion proof: the donation's stored bytes (the leaf, exactly what
its chain link covers), its place among the ledger's events, the audit path of at most
⌈log₂ n⌉ hashes up to the root, and the ward's checkpoint signing that root. `verify` checks it
all without the ledger, and reads what was given from the proven bytes themselves, never from
the receipt's own words; `commands/output/verify-receipt.html` does the same in a browser.

What it proves: this donation, as recorded, is event number `leaf_index` of the ledger whose
checkpoint the treasurer signed; a later checkpoint that a consistency proof links to this one
still holds it, unchanged. What it does not prove: that the goods reached households (the
signed receipt lists of each round prove that), or that the ledger is complete.
"""

from __future__ import annotations

import base64
import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ledger.phrases import C_, N_, Phrase, said
from ledger.trust import checkpoint
from ledger.trust.chain import StoredRow, encode
from ledger.trust.merkle import hash_from_hex, leaf_hash, verify_consistency, verify_inclusion
from ledger.trust.seal_bytes import key_id
from ledger.ward import names

DONATED = names.WARD + names.DONATED
RECEIPT_VERSION = "aid-receipt-v1"


NOT_A_DONATION = N_("its stored fields are not those of a donation (moves, cash, on, receipt, "
                    "donor, location)")


# what a receipt's readable fields are called, as the reader's language names them
FIELDS = {"entry": C_("receipt field", "entry"), "on": C_("receipt field", "on"),
          "receipt": C_("receipt field", "receipt"), "donor": C_("receipt field", "donor"),
          "location": C_("receipt field", "location"), "cash": C_("receipt field", "cash"),
          "goods": C_("receipt field", "goods")}


def given(data: Any, entry: int) -> dict[str, Any]:
    """What a donation's stored fields say was given (the receipt's readable part); a
    ValueError if they are not a donation's (a receipt's leaf can hold any bytes)."""
    if not isinstance(data, dict):
        raise ValueError(Phrase(NOT_A_DONATION))
    moves = [] if data.get("moves") is None else data["moves"]
    cash = {} if data.get("cash") is None else data["cash"]
    on, receipt, donor, location = (data.get(key) for key in ("on", "receipt", "donor",
                                                              "location"))
    if not (isinstance(moves, list)
            and all(isinstance(m, list) and len(m) == 3 and isinstance(m[0], str)
                    and isinstance(m[1], str) and _whole(m[2]) for m in moves)
            and isinstance(cash, dict) and all(_whole(v) for v in cash.values())
            and all(text is None or isinstance(text, str)
                    for text in (on, receipt, donor, location))):
        raise ValueError(Phrase(NOT_A_DONATION))
    goods: dict[str, int] = {}
    for _location, item, quantity in moves:
        goods[item] = goods.get(item, 0) + quantity
    return {"entry": entry, "on": on, "receipt": receipt, "donor": donor, "location": location,
            "cash": cash.get("received", 0), "goods": goods}


def _whole(value: Any) -> bool:
    return type(value) is int  # a stored amount, not a bool, a float or a text


def build(row: StoredRow, index: int, tree: Any, signed: dict[str, Any],
          vkeys: list[str]) -> dict[str, Any]:
    """The receipt of the donation stored as `row`, leaf `index` of `tree` (a LedgerTree),
    under the signed checkpoint `signed` (origin, size, root, note)."""
    data = encode(*row)
    leaf = leaf_hash(data)
    path = tree.inclusion(index)
    state = json.loads(row[4])
    return {"format": RECEIPT_VERSION, **given(state, row[2]), "origin": signed["origin"],
            "leaf_index": index, "leaf_hash": leaf.hex(), "tree_size": tree.size,
            "audit_path": [p.hex() for p in path], "root": signed["root"],
            "checkpoint": signed["note"], "leaf": base64.b64encode(data).decode("ascii"),
            "vkeys": vkeys}


def proves(receipt: dict[str, Any]) -> bool:
    """Whether a receipt `build` made has an audit path leading from its leaf to its root
    (`aid receipt` checks before handing a donor a proof that would fail at home)."""
    return verify_inclusion(receipt["leaf_index"], receipt["tree_size"],
                            bytes.fromhex(receipt["leaf_hash"]),
                            [bytes.fromhex(h) for h in receipt["audit_path"]],
                            bytes.fromhex(receipt["root"]))


def decode_leaf(data: bytes) -> StoredRow:
    """The stored row a leaf's bytes encode (`ledger.trust.chain.encode`), strictly."""
    fields, at = [], 0
    for _ in range(5):
        if at + 8 > len(data):
            raise ValueError(Phrase(N_("the leaf is cut short")))
        (size,) = struct.unpack(">Q", data[at:at + 8])
        at += 8
        if at + size > len(data):
            raise ValueError(Phrase(N_("the leaf is cut short")))
        fields.append(data[at:at + size])
        at += size
    if at != len(data):
        raise ValueError(Phrase(N_("the leaf has bytes after its last field")))
    position, originator, version, topic, state = fields
    return (int(position), originator.decode(), int(version), topic.decode(), state)


@dataclass
class Checked:
    """What `verify` found: failures (each one sentence), and what it could establish."""

    failures: list[Phrase] = field(default_factory=list)
    facts: list[Phrase] = field(default_factory=list)
    gift: dict[str, Any] | None = None
    unproven: Phrase | None = None  # why a later checkpoint given proves nothing either way
    anchored: bool = False  # signed by a key held outside it, or extended by such a checkpoint
    only_its_own: Any = None  # else the key the receipt alone names that signed it

    @property
    def ok(self) -> bool:
        return not self.failures


def verify(receipt: Any, later: str | None = None,
           consistency: dict[str, Any] | None = None,
           keys: Sequence[checkpoint.VerifierKey] = ()) -> Checked:
    """Check a receipt without the ledger; with `later` (a newer checkpoint) and its
    `consistency` proof (as `aid audit consistency --format json` prints it), also that the
    newer checkpoint still holds the donation.

    The receipt names its signer's key itself (`vkeys`), so its signature alone shows only
    that whoever holds that key signed it: anyone can sign a receipt of their making with a
    key of their own. It is anchored (`Checked.anchored`) when a key held outside it signed
    its checkpoint (`keys`: the ward's key as the donor was given it, `--vkey`), or when a
    later checkpoint held outside (signed by one of `keys` or by the receipt's key) extends
    it; otherwise `Checked.only_its_own` is the key the reader must compare with the ward's
    published one. A later checkpoint's file naming its own keys vouches for nothing: anyone
    can write one."""
    found = Checked()
    fail = found.failures.append
    if not isinstance(receipt, dict):
        fail(Phrase(N_("the receipt is not a JSON object")))
        return found
    if receipt.get("format") != RECEIPT_VERSION:
        fail(Phrase(N_("this is not a receipt aid-ledger can read: its format is {given}, "
                       "not {format}"), given=json.dumps(receipt.get("format")),
                    format=RECEIPT_VERSION))
        return found
    try:
        note = checkpoint.parse(receipt.get("checkpoint", ""))
    except ValueError as error:
        fail(Phrase(N_("the receipt's checkpoint is not a signed checkpoint: {error}"),
                    error=said(error)))
        return found
    if receipt.get("origin") != note.origin:
        fail(Phrase(N_("the receipt says it is of ledger {said}, its checkpoint of {origin}"),
                    said=json.dumps(receipt.get("origin")), origin=note.origin))
    size, index = receipt.get("tree_size"), receipt.get("leaf_index")
    root, leaf = hash_from_hex(receipt.get("root")), hash_from_hex(receipt.get("leaf_hash"))
    path = _hashes(receipt.get("audit_path"))
    if root is None or leaf is None or path is None or type(size) is not int \
            or type(index) is not int:
        fail(Phrase(N_("the receipt's proof is malformed (leaf_index, leaf_hash, tree_size, "
                       "audit_path, root)")))
        return found
    if note.size != size or note.root != root:
        fail(Phrase(N_("the receipt's checkpoint is of {size} events with root {root}…, not "
                       "the proof's {tree_size} events with root {proof_root}…"),
                    size=note.size, root=note.root.hex()[:16], tree_size=size,
                    proof_root=root.hex()[:16]))
    try:
        data = base64.b64decode(receipt.get("leaf", ""), validate=True)
        row = decode_leaf(data)
        state = json.loads(row[4])
        gift = given(state, row[2]) if row[3] == DONATED else None  # another event gives none
    except (ValueError, TypeError) as error:
        fail(Phrase(N_("the receipt's leaf (the donation's stored bytes) cannot be read: "
                       "{error}"), error=said(error)))
        return found
    if leaf_hash(data) != leaf:
        fail(Phrase(N_("the donation's bytes do not hash to the receipt's leaf_hash")))
    if row[3] != DONATED:
        fail(Phrase(N_("the proven event is not a donation ({topic})"), topic=row[3]))
    placed = _misplaced(index, size, row)
    if placed is not None:
        fail(placed)
    elif not verify_inclusion(index, size, leaf, path, root):
        fail(Phrase(N_("the audit path does not lead from the donation (event {index}) to the "
                       "root of the {size}-event tree: the proof is false"),
                    index=index + 1, size=size))
    found.gift = gift
    for key, value in (gift or {}).items():
        if key in receipt and receipt[key] != value:
            fail(Phrase(N_("the receipt says {key} is {said}, the proven donation says "
                           "{value}"), key=Phrase(FIELDS.get(key, key)),
                        said=json.dumps(receipt[key], ensure_ascii=False),
                        value=json.dumps(value, ensure_ascii=False)))
    signers, held_out = _receipt_signers(receipt, found, keys)
    if later is not None:
        _later(receipt, note, later, consistency, found, keys, signers)
    if found.ok and found.unproven is None and not held_out and not found.anchored:
        if keys:  # the ward's key, as the donor holds it, signed neither it nor what it extends
            found.unproven = Phrase(N_(
                "the receipt's checkpoint is not signed by the key you gave, {given}, but by "
                "{name} (key id {id}), a key only the receipt itself names: either "
                "the receipt is not the ward's, or the ward signed it with another of its keys "
                "(`aid audit verify` on its ledger lists them: give that one with --vkey too, "
                "or the ward's later checkpoint with --checkpoint and --consistency)"),
                given=_named(keys), name=signers[0].name, id=key_id(signers[0].public_key))
        else:
            found.only_its_own = signers[0]
    elif held_out:
        found.anchored = True
    if found.ok:
        found.facts.insert(0, Phrase(N_("the donation (entry {entry}) is event {index} of the "
                                        "{size} events of ledger {origin}"),
                                     entry=row[2], index=index + 1, size=size,  # from 1
                                     origin=note.origin))
    return found


def _hashes(value: Any) -> list[bytes] | None:
    """A JSON list of hex hashes (a proof's path), or None if it is anything else."""
    if value is None:
        return []
    if not isinstance(value, list):
        return None
    hashes = [hash_from_hex(item) for item in value]
    return None if None in hashes else hashes  # type: ignore[return-value]


def _misplaced(index: int, size: int, row: StoredRow) -> Phrase | None:
    """Why the proof's place for the donation is one no genuine receipt gives, or None. Every
    ledger's events are counted from 1, the ward's opening (entry 1, position 1), in position
    order, and every entry of the ward before the donation is an event before it: so the
    donation's event number is at least 2 and its entry, and at most its stored position."""
    position, entry = row[0], row[2]
    if not 0 <= index < size:
        return Phrase(N_("the proof places the donation at event {index} of a tree of {size} "
                         "events, which has no such event: the receipt cannot be genuine"),
                      index=index + 1, size=size)
    if index == 0:
        return Phrase(N_("the proof places the donation at event 1, which in every ledger is "
                         "the ward's opening, never a donation: the receipt cannot be genuine"))
    if index + 1 > position:
        return Phrase(N_("the proof places the donation at event {index}, but its stored "
                         "position is {position}: events are counted from 1 in position order, "
                         "so it is event {position} at most; the receipt cannot be genuine"),
                      index=index + 1, position=position)
    if entry < 2 or index + 1 < entry:
        return Phrase(N_("the proof places entry {entry} at event {index}, but entry 1 is the "
                         "ward's opening and each of its entries before {entry} is an event "
                         "before it, so entry {entry} is event {entry} or later; the receipt "
                         "cannot be genuine"), entry=entry, index=index + 1)
    return None


def _named(keys: Sequence[checkpoint.VerifierKey]) -> Phrase | str:
    """Keys as the reader compares them with the ward's published one: name and key id."""
    said = {f"k{n}": Phrase(N_("{name} (key id {id})"), name=key.name,
                            id=key_id(key.public_key)) for n, key in enumerate(keys)}
    return Phrase(", ".join("{%s}" % name for name in said), **said) if said else "-"


def _receipt_signers(receipt: dict[str, Any], found: Checked,
                     keys: Sequence[checkpoint.VerifierKey]
                     ) -> tuple[list[checkpoint.VerifierKey], list[checkpoint.VerifierKey]]:
    """The keys that signed the receipt's checkpoint: those the receipt names itself, and those
    of `keys` (given from outside it). Neither is a failure."""
    note = receipt["checkpoint"]
    given = [key for key in keys if checkpoint.verify_vkey(note, key)]
    own = _signatures(receipt, note, found, Phrase(N_("the receipt's checkpoint")),
                      required=not given)
    for key in given:
        found.facts.append(Phrase(N_("the receipt's checkpoint is signed by {name} (key id "
                                     "{id}), the key you gave"), name=key.name,
                                  id=key_id(key.public_key)))
    return own, given


def _signatures(receipt: dict[str, Any], note: str, found: Checked, what: Phrase,
                required: bool = True) -> list[checkpoint.VerifierKey]:
    """Which of the receipt's keys signed `note` (a checkpoint's text); none is a failure
    when `required`."""
    signers = []
    vkeys = receipt.get("vkeys") or []
    for text in vkeys if isinstance(vkeys, list) else [vkeys]:
        try:
            key = checkpoint.parse_vkey(text)
        except ValueError:
            found.failures.append(Phrase(N_("the receipt names a key that is not a verifier "
                                            "key: {key}"), key=str(text)[:60]))
            continue
        own = key_id(key.public_key)
        if key.name.rpartition(".")[2] != own:  # a name vouches only for its own key
            found.failures.append(Phrase(N_("the receipt names key {name}, but that key's id is "
                                            "{own}: a signature under another key's name proves "
                                            "nothing"), name=key.name, own=own))
            continue
        if checkpoint.verify_vkey(note, key):
            signers.append(key)
    if not signers and required:
        found.failures.append(Phrase(N_("{what} carries no valid signature by a key the "
                                        "receipt names"), what=what))
    for key in signers:
        found.facts.append(Phrase(N_("{what} is signed by {name}"), what=what, name=key.name))
    return signers


def _later(receipt: dict[str, Any], note: Any, later: str,
           consistency: dict[str, Any] | None, found: Checked,
           keys: Sequence[checkpoint.VerifierKey] = (),
           signers: Sequence[checkpoint.VerifierKey] = ()) -> None:
    """That the newer checkpoint `later`, signed by a key given from outside (`keys`) or by
    one the receipt names (anyone can write an unsigned one), extends the receipt's, whose
    checkpoint `signers` signed."""
    fail = found.failures.append
    try:
        newer = checkpoint.parse(later)
    except ValueError as error:  # proves nothing either way, as an unsigned one
        found.unproven = Phrase(N_("the later checkpoint is not a signed checkpoint: {error}"),
                                error=said(error))
        return
    held = Checked()
    theirs = _signatures(receipt, later, held, Phrase(N_("the later checkpoint")),
                         required=False)
    named = {key.public_key for key in theirs}
    outside = [key for key in dict.fromkeys(keys)
               if key.public_key not in named and checkpoint.verify_vkey(later, key)]
    if not theirs and not outside:
        found.unproven = Phrase(N_(
            "the later checkpoint is signed by no key the receipt names, so nothing it says "
            "can be relied on (anyone can write one): it proves nothing about this receipt, "
            "for or against. It may be signed by a key the ward declared after the receipt: "
            "check it with `aid audit verify --checkpoint` on the ward's ledger, or ask the "
            "ward for a receipt taken with its current key"))
        lines = sorted({signature.name for signature in newer.signatures})
        if lines:  # what the reader can compare, though no key given here checks it
            found.unproven = Phrase(N_("{unproven}. It is signed as {names}, the receipt by "
                                       "{receipt}; give the ward's key with --vkey to check it"),
                                    unproven=found.unproven, names=", ".join(lines),
                                    receipt=_named(signers))
        return
    found.facts.extend(held.facts)
    for key in outside:
        found.facts.append(Phrase(N_("the later checkpoint is signed by {name} (key id {id}), "
                                     "a key held outside the receipt"), name=key.name,
                                  id=key_id(key.public_key)))
    ours = {key.public_key for key in signers}
    foreign = not any(key.public_key in ours for key in [*theirs, *outside])
    by, receipts = _named([*theirs, *outside]), _named(signers)
    if newer.origin.rsplit("/", 1)[-1] != note.origin.rsplit("/", 1)[-1]:
        fail(Phrase(N_("the later checkpoint is of another ledger ({theirs}), the receipt of "
                       "{ours}"), theirs=newer.origin, ours=note.origin))
        return
    if newer.size == note.size:
        if newer.root == note.root:
            found.anchored = True
        elif foreign:  # the receipt's signer is not the one of the checkpoint held
            fail(Phrase(N_("the later checkpoint, signed by {by}, has the receipt's size "
                           "({size} events) but another root, and the receipt is signed by "
                           "{receipt}, not by that key: the receipt is not of the history that "
                           "checkpoint holds"), by=by, size=note.size, receipt=receipts))
        else:
            fail(Phrase(N_("the later checkpoint has the receipt's size but another root: the "
                           "ledger was rewritten")))
        return
    if newer.size < note.size:
        fail(Phrase(N_("the later checkpoint ({size} events) is older than the receipt's "
                       "({receipt} events)"), size=newer.size, receipt=note.size))
        return
    if consistency is None:
        found.unproven = Phrase(N_("a later checkpoint needs the consistency proof from the "
                                   "receipt's checkpoint to it: `aid audit consistency`"))
        if foreign:
            found.unproven = Phrase(N_(
                "the receipt is signed by {receipt}, the later checkpoint by {by}, another key: "
                "only the consistency proof from the receipt's checkpoint to it can show the "
                "donation is there (`aid audit consistency`, which the ward's ledger gives only "
                "for a checkpoint it holds: if it refuses the receipt's, the receipt is not of "
                "that ledger)"), receipt=receipts, by=by)
        return
    proof = _hashes(consistency.get("proof")) if isinstance(consistency, dict) else None
    claimed = (consistency.get("first_size"), consistency.get("second_size"),
               hash_from_hex(consistency.get("first_root")),
               hash_from_hex(consistency.get("second_root"))) if proof is not None else None
    if proof is None or claimed != (note.size, newer.size, note.root, newer.root):
        found.unproven = Phrase(N_("the consistency proof is not from the receipt's checkpoint "
                                   "({first} events) to the later one ({second} events), or "
                                   "not a proof at all"), first=note.size, second=newer.size)
        return
    if not verify_consistency(note.size, newer.size, note.root, newer.root, proof):
        if foreign:
            fail(Phrase(N_("the later checkpoint ({second} events), signed by {by}, is not "
                           "shown to extend the receipt's ({first} events), signed by "
                           "{receipt}: the consistency proof does not verify, so the receipt is "
                           "not of the history that checkpoint holds, or the proof was damaged"),
                        first=note.size, second=newer.size, by=by, receipt=receipts))
            return
        fail(Phrase(N_("the later checkpoint ({second} events) is not shown to extend the "
                       "receipt's ({first} events): the consistency proof does not verify, so "
                       "it was damaged or the ledger's history was rewritten (ask the ward for "
                       "the proof again: `aid audit consistency`)"),
                    first=note.size, second=newer.size))
        return
    found.anchored = True
    found.facts.append(Phrase(N_("the later checkpoint of {second} events extends the "
                                 "receipt's ({first} events): it still holds the donation"),
                              first=note.size, second=newer.size))
