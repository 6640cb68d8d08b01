"""The district as witness of each ward's checkpoints (issue 26).

At every `aid sync` the ward's checkpoint now (its Merkle tree's size
and root, signed with the ward's key when the syncing user holds a declared one) is checked
against the last checkpoint the district witnessed for that ward:

- the ward's own events, hashed afresh (the stored tree is not trusted), must have the
  witnessed root at the witnessed size, and the RFC 9162 consistency proof from the stored tree
  must verify between the two: a ward whose history does not extend what the district
  witnessed is refused, naming both checkpoints, and not co-signed. (Sync's own checks come
  first: a relinked rewrite is a fork there and nothing is sent; a rewrite that kept the old
  links only lets the new events through, which the district's append-only copy keeps beside
  the true history, and then sync is refused here);
- a signature on the checkpoint must be a valid one by a live key the ward's ledger declares;
  a ward that declares keys must have signed it, or the district keeps it checked but not
  co-signed.

Once the batches are copied, the district co-signs the checkpoint with its own key
(`AID_WITNESS_KEY_FILE`, an Ed25519 key made like any signing key: `aid actor key init
--key-file FILE`) and stores it in `aid_witness_checkpoints`; without that key the checkpoint is
stored as checked but not co-signed. `aid district checkpoints` lists them. Any other party
co-signs a checkpoint with `aid witness cosign NOTE --key FILE`.

What this does not cover: the check runs in the syncing program, so a ward running a modified
program could skip it; its co-signature, though, needs the district's key, and a checkpoint
without the district's signature is not witnessed. The district's key belongs on the district's
machine, never a ward's: a ward syncs without it, and the district co-signs what it has
checked, on its own machine, with `aid district cosign` (`cosign_held`), which checks each
checkpoint again against the district's own copy of the ward's events.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.errors import BadInput, Refused
from ledger.phrases import N_, Phrase
from ledger.store.tree import LedgerTree, Roots, TreeMismatch, roots_at
from ledger.trust import checkpoint, heads
from ledger.trust.merkle import verify_consistency

TABLE = "aid_witness_checkpoints"  # in the district's database, beside aid_sync_wards
KEY_ENV = "AID_WITNESS_KEY_FILE"
MISMATCH = N_("ward {code}: this ledger's stored Merkle tree does not match its events (changed "
              "outside aid?); the district did not co-sign it: run `aid audit verify`")


@dataclass(frozen=True)
class Witnessed:
    """A ward checkpoint the district checked (and co-signed, when it had its key)."""

    code: str
    origin: str
    size: int
    root: bytes
    note: str  # the ward's note, with the district's signature line when co-signed
    cosigned: bool
    unsigned: bool = False  # the ward signs, but this checkpoint carries no signature of it

    def label(self) -> Phrase:
        return _label(self.size, self.root)


def _label(size: int, root: bytes) -> Phrase:
    return Phrase(N_("{size} events, root {root}…"), size=size, root=root.hex()[:16])


def key_name(private: Any, role: str = "district") -> str:
    from ledger.trust.seal_bytes import key_id

    return f"{role}.{key_id(private.public_key().public_bytes_raw())}"


def load_key(path: str | Path | None) -> Any:
    """An Ed25519 private key from a PEM file (`aid actor key init --key-file FILE`)."""
    from ledger.trust.signing_key import SigningKey

    if not path:
        return None
    found = SigningKey.load(Path(path).expanduser())
    if found is None:
        raise BadInput("there is no witness key in {path}: make one with `aid actor key init "
                       "--key-file {path}`", path=path)
    return found.private


def ensure_table(connection: Any) -> None:
    connection.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (code TEXT NOT NULL, origin TEXT "
                       "NOT NULL, size BIGINT NOT NULL, root BYTEA NOT NULL, note TEXT NOT "
                       "NULL, cosigned BOOLEAN NOT NULL, witnessed TIMESTAMPTZ NOT NULL "
                       "DEFAULT now(), PRIMARY KEY (code, size))")


def _has_table(connection: Any) -> bool:
    return connection.execute("SELECT to_regclass(%s)", (TABLE,)).fetchone()[0] is not None


def last_witnessed(connection: Any, code: str) -> Witnessed | None:
    return next(iter(_held(connection, code, newest=True)), None)


def set_aside(connection: Any, code: str, schema: str) -> None:
    """Move what the district witnessed of ward `code` into `schema`, beside the copy of the
    ledger the district admitted another over: kept as evidence, no longer what the genuine
    ledger must extend."""
    if not _has_table(connection):
        return
    connection.execute(f"CREATE TABLE IF NOT EXISTS {schema}.{TABLE} (LIKE {TABLE})")
    connection.execute(f"INSERT INTO {schema}.{TABLE} SELECT * FROM {TABLE} WHERE code = %s",
                       (code,))
    connection.execute(f"DELETE FROM {TABLE} WHERE code = %s", (code,))


def listing(connection: Any) -> list[dict[str, Any]]:
    """Every checkpoint the district witnessed, by ward then size."""
    if not _has_table(connection):
        return []
    rows = connection.execute(f"SELECT code, size, root, cosigned, witnessed, note FROM "
                              f"{TABLE} ORDER BY code, size").fetchall()
    return [{"ward": code, "size": int(size), "root": bytes(root).hex(),
             "cosigned": bool(cosigned), "witnessed": when.isoformat(timespec="seconds"),
             "note": note} for code, size, root, cosigned, when, note in rows]


def roots_to_check(connection: Any, code: str, replacing: bool = False) -> Roots:
    """The roots `check` needs, to be built from the events by sync's verify pass: at the size
    of the last checkpoint the district witnessed for `code`, and at the end."""
    last = None if replacing else last_witnessed(connection, code)
    return Roots([last.size] if last is not None else [])


def check(log: Any, connection: Any, code: str, replacing: bool = False,
          roots: Roots | None = None) -> Witnessed:
    """The ward's checkpoint now, checked against the last one the district witnessed for
    `code`; Refused (nothing sent) when the ward's history does not extend it. `replacing`:
    the district admitted this ledger over the one it holds for `code`, whose checkpoints this
    sync sets aside (`set_aside`), so there is nothing for it to extend. `roots`: the roots
    already recomputed from every stored event (`roots_to_check`, fed by the verify pass);
    when they do not cover exactly the events stored now (a write came in between), or are
    not given, the events are read again here."""
    from ledger.trust.signing_key import SigningKey, key_path

    last = None if replacing else last_witnessed(connection, code)
    with log.snapshot():
        try:
            tree = LedgerTree(log)
        except TreeMismatch:
            raise Refused(MISMATCH, code=code) from None
        try:
            origin = heads.origin_of(log)
            sizes = [tree.size] + ([last.size] if last is not None else [])
            if roots is not None and roots.size == tree.size and (
                    last is None or last.size in roots.wanted):  # built for this checkpoint
                found, events = roots.at_end(), roots.size
            else:  # from the events, not the tree
                found, events = roots_at(log.stored(), sizes)
            root, stored_root = found.get(events), tree.root()
            proof = (tree.consistency(last.size)
                     if last is not None and last.size <= tree.size else [])
            keys = heads.declared_keys(log)
        finally:
            tree.close()
    if last is not None:
        _extends(code, last, origin, events, root, found.get(last.size), proof)
    if events != tree.size or root != stored_root:
        raise Refused(MISMATCH, code=code)
    body = checkpoint.make(origin, events, root)
    own = SigningKey.load(key_path())
    mine = next((k for k in keys if own is not None and k.key == own.key and not k.revoked),
                None)
    note = checkpoint.sign(body, mine.name, own.private) if mine is not None else body
    if note is not body and not heads.signers(note, keys):  # the district's own check
        raise Refused("ward {code}: its checkpoint is not signed by a live key the ward "
                      "declares; the district did not co-sign it", code=code)
    # a ward that declares keys vouches for its checkpoints by signing them: without its
    # signature (synced by someone who holds none of its keys) the district checks the
    # checkpoint and keeps it, but does not vouch for it either
    unsigned = note is body and any(not k.revoked for k in keys)
    return Witnessed(code, origin, events, root, note, False, unsigned)


def _extends(code: str, last: Witnessed, origin: str, size: int, root: bytes,
             recomputed: bytes | None, proof: list[bytes]) -> None:
    now = _label(size, root)
    if not heads.same_ledger(last.origin, origin):
        raise Refused("ward {code}: the district witnessed the checkpoints of ledger {theirs}, "
                      "this is ledger {ours}; the district did not co-sign it", code=code,
                      theirs=last.origin, ours=origin)
    if size < last.size or recomputed != last.root or not verify_consistency(
            last.size, size, last.root, root, proof):
        raise Refused("ward {code}: this ledger's history does not extend the checkpoint the "
                      "district witnessed ({witnessed}); its checkpoint now is {now}: an event "
                      "before it was edited, deleted or moved, or the history was cut short; "
                      "the district did not co-sign it", code=code, witnessed=last.label(), now=now)


def cosign(connection: Any, found: Witnessed | Refused, key: Any) -> Witnessed | None:
    """Store the checked checkpoint, co-signed with the district's key when there is one;
    None when the district already holds a checkpoint of that size (nothing new)."""
    if isinstance(found, Refused):  # `check` refused; sync's own checks did not
        raise found
    note, cosigned = found.note, False
    if key is not None and not found.unsigned:
        note = checkpoint.sign(note, key_name(key), key)
        cosigned = True
    stored = connection.execute(
        f"INSERT INTO {TABLE} (code, origin, size, root, note, cosigned) VALUES (%s, %s, %s, "
        "%s, %s, %s) ON CONFLICT (code, size) DO NOTHING RETURNING size",
        (found.code, found.origin, found.size, found.root, note, cosigned)).fetchone()
    if stored is None:
        return None
    return Witnessed(found.code, found.origin, found.size, found.root, note, cosigned,
                     found.unsigned)


def district_key() -> Any:
    """The district's witness key, from AID_WITNESS_KEY_FILE (None when unset)."""
    return load_key(os.environ.get(KEY_ENV))


def _held(connection: Any, code: str, where: str = "TRUE",
          newest: bool = False) -> list[Witnessed]:
    """The checkpoints of ward `code` the district holds that `where` says, by size (only
    the largest, `newest`)."""
    if not _has_table(connection):
        return []
    rows = connection.execute(f"SELECT code, origin, size, root, note, cosigned FROM {TABLE} "
                              f"WHERE code = %s AND {where} ORDER BY size"
                              + (" DESC LIMIT 1" if newest else ""), (code,)).fetchall()
    return [Witnessed(r[0], r[1], int(r[2]), bytes(r[3]), r[4], bool(r[5])) for r in rows]


def cosign_held(connection: Any, log: Any, code: str, key: Any
                ) -> tuple[list[Witnessed], list[Refused]]:
    """Co-sign the checkpoints of ward `code` that syncs checked without the district's key
    (a ward syncs without it), on the district's machine: each again against the district's
    own copy of the ward's events (`log`): its root at that size is the copy's, the last one
    co-signed still is, and a ward that declares keys signed it with a live one. One older than
    the last co-signed is left as it is: that one vouches for its events too."""
    last = next(iter(_held(connection, code, "cosigned", newest=True)), None)
    waiting = [held for held in _held(connection, code, "NOT cosigned")
               if last is None or held.size > last.size]  # a later one vouches for it
    if not waiting:
        return [], []
    with log.snapshot():
        found, _events = roots_at(log.stored(), [w.size for w in waiting] +
                                  ([last.size] if last is not None else []))
        keys = heads.declared_keys(log)
    if last is not None and found.get(last.size) != last.root:
        return [], [Refused("ward {code}: the district's copy no longer gives the checkpoint "
                            "it co-signed ({witnessed}): the copy was changed in the "
                            "district's database; nothing co-signed: run `aid district "
                            "statement`", code=code, witnessed=last.label())]
    live = any(not k.revoked for k in keys)
    done: list[Witnessed] = []
    refused: list[Refused] = []
    for held in waiting:
        if found.get(held.size) != held.root:
            refused.append(Refused("ward {code}: its checkpoint of {checkpoint} is not what the "
                                   "district's copy of its events gives; not co-signed",
                                   code=code, checkpoint=held.label()))
        elif live and not heads.signers(held.note, keys):
            refused.append(Refused("ward {code}: its checkpoint of {checkpoint} carries no "
                                   "signature of a live key the ward declares; not co-signed",
                                   code=code, checkpoint=held.label()))
        else:
            note = checkpoint.sign(held.note, key_name(key), key)
            connection.execute(f"UPDATE {TABLE} SET note = %s, cosigned = TRUE WHERE code = %s "
                               "AND size = %s AND NOT cosigned", (note, code, held.size))
            done.append(Witnessed(code, held.origin, held.size, held.root, note, True))
    return done, refused
