"""An independent witness's memory (issue 26): the last checkpoint it co-signed for each
ledger, kept in a file beside its key, so that `aid witness cosign` signs a checkpoint only
when the ward signed it and it extends that one.

A witness holds no ledger: it checks the ward's signature with the ward's verifier keys
(given once, with `--vkey` or in the JSON of `aid audit checkpoint --format json`, then
remembered), and the growth of the history with the RFC 9162 consistency proof from the
checkpoint it co-signed last (`aid audit consistency OLD NEW --format json`, which anyone with
the ledger makes). Two checkpoints of the same size with different roots are a fork: refused.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ledger.errors import BadInput, Refused
from ledger.phrases import said
from ledger.trust import checkpoint
from ledger.trust.merkle import hash_from_hex, verify_consistency


def record_path(key: Path) -> Path:
    """Where the witness whose key is at `key` keeps what it co-signed."""
    return key.with_name(key.name + ".witnessed.json")


def load(path: Path) -> dict[str, dict[str, Any]]:
    """ledger identity -> {"size", "root" (hex), "vkeys"} of the last checkpoint co-signed."""
    if not path.exists():
        return {}
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BadInput("cannot read {path}, the record of what you co-signed: {error}",
                       path=path, error=said(error)) from None
    return found if isinstance(found, dict) else {}


def identity(note: checkpoint.Checkpoint) -> str:
    return note.origin.rsplit("/", 1)[-1]  # as heads.same_ledger compares origins


def check(text: str, note: checkpoint.Checkpoint, given: list[str],
          proof: dict[str, Any] | None, last: dict[str, Any] | None,
          offered: Sequence[str] = ()) -> dict[str, Any]:
    """Refuse unless the ward signed `text` (the note `note` was parsed from) with a key given
    now (--vkey) or remembered, and it extends `last`; returns what to remember once
    co-signed. The keys the note's own file `offered` are trusted on first use only: once a
    witness remembers the ward's key, a file naming another key is what a forger would hand
    over, and a ward's new key is given by the witness's own --vkey."""
    remembered = (last or {}).get("vkeys") or []
    vkeys = sorted(set(given) | set(remembered) | (set() if remembered else set(offered)))
    if not vkeys:
        raise BadInput("name the ward's key with --vkey NAME+ID+KEY (the `vkeys` of `aid audit "
                       "checkpoint --format json`, or of a donor's receipt), or give that "
                       "JSON as NOTE: a witness co-signs only what the ward signed")
    keys = []
    for vkey in vkeys:
        try:
            keys.append(checkpoint.parse_vkey(vkey))
        except ValueError as error:
            raise BadInput("--vkey {key} is not a verifier key: {error}", key=vkey[:60],
                           error=said(error)) from None
    if not any(checkpoint.verify_vkey(text, key) for key in keys):
        if remembered and set(offered) - set(vkeys):
            raise Refused("the checkpoint carries no valid signature by the ward's key you "
                          "co-signed with before ({names}); the file names another: if the ward "
                          "has a new key, check it with the ward and give it with --vkey",
                          names=", ".join(key.name for key in keys))
        raise Refused("the checkpoint carries no valid signature by the ward's key ({names}): "
                      "not co-signed", names=", ".join(key.name for key in keys))
    if last is not None:
        _extends(note, last, proof)
    return {"size": note.size, "root": note.root.hex(), "vkeys": vkeys}


def _extends(note: checkpoint.Checkpoint, last: dict[str, Any],
             proof: dict[str, Any] | None) -> None:
    size, root = last["size"], bytes.fromhex(last["root"])
    if note.size < size:
        raise Refused("this checkpoint ({size} events) is older than the one you co-signed "
                      "last ({last} events): not co-signed", size=note.size, last=size)
    if note.size == size:
        if note.root != root:
            raise Refused("this checkpoint has the size of the one you co-signed last ({size} "
                          "events) but another root: the ledger's history was forked; not "
                          "co-signed", size=size)
        return
    if proof is None:
        raise BadInput("you co-signed this ledger's checkpoint of {last} events: give "
                       "--consistency PROOF from it to this one (`aid audit consistency OLD "
                       "NEW --format json`, by anyone holding the ledger)", last=size)
    hashes = [hash_from_hex(p) for p in proof.get("proof") or []]
    claimed = (proof.get("first_size"), proof.get("second_size"),
               hash_from_hex(proof.get("first_root")), hash_from_hex(proof.get("second_root")))
    if claimed != (size, note.size, root, note.root) or None in hashes:
        raise BadInput("the consistency proof is not from the checkpoint you co-signed last "
                       "({last} events) to this one ({size} events)", last=size,
                       size=note.size)
    if not verify_consistency(size, note.size, root, note.root, hashes):
        raise Refused("this checkpoint ({size} events) is not shown to extend the one you "
                      "co-signed last ({last} events): the consistency proof does not verify, "
                      "so it was damaged or the ledger's history was rewritten; not co-signed "
                      "(ask the ward for the proof again: `aid audit consistency`)",
                      size=note.size, last=size)


def save(path: Path, record: dict[str, dict[str, Any]]) -> None:
    try:
        path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as error:
        raise BadInput("cannot write {path}, the record of what you co-signed: {error}",
                       path=path, error=said(error)) from None
