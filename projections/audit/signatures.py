"""Checking that every stored event is sealed by a declared actor's key (`aid audit verify`).

The chain of links proves nothing was changed *before* a digest; it cannot tell a forged event
appended at the end (with a correctly computed link) from the treasurer's own. Seals can
(`ledger/trust/seals.py`): only a holder of a declared private key can make one, and the keys live
outside the ledger. No private key is needed to check them.

Walking the stored rows in order, each seal must cover the `count` unsealed rows just before it
with a valid signature of a key declared, and not revoked, before it; the very first key is the
exception: it may seal its own declaration (the ward treasurer's, trusted on first use, which is
why verify lists every key with the position that declared it). Rows no valid seal covers are
reported in runs, except those before the first valid seal: a ledger written before signing
began keeps verifying, and says how much of it is unsigned. Memory stays small: only rows not yet
sealed are held (at most one write's worth, `MAX_SEALED`), plus the digest of each valid seal,
to catch a write stored twice (possible only with the store's unique keys dropped).
"""

from __future__ import annotations

import base64
import binascii
import json
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import repeat
from typing import Any, NamedTuple

from ledger.phrases import N_, Phrase
from ledger.trust.chain import StoredRow
from ledger.trust.identity import identity
from ledger.trust.seal_bytes import (
    KEYS_TOPIC_PREFIX,
    MAX_SEALED,
    SEAL_SCHEME_V2,
    SEAL_TOPIC,
    covered_digest,
    key_id,
    message,
    message_v2,
    row_hash,
    row_hashes_encoded,
    signature_ok,
)
from ledger.ward import names
from projections.audit.tamper import Problem

WARD_OPENED = names.WARD + names.OPENED  # names the ward its seals are bound to


@dataclass
class Key:
    key: str
    actor: str
    public: bytes
    declared: int  # position of its declaration
    revoked: int | None = None  # position of its revocation


@dataclass
class Signatures:
    """What the seals say: from where on events are signed, by which keys, and what is not."""

    began: int | None = None  # position of the first signed event
    unsigned_before: int = 0  # events written before signing began
    last_unsigned: int | None = None  # position of the last of them
    signed: int = 0
    seals: int = 0
    declarations: int = 0  # key declarations stored, sealed or not
    keys: list[Key] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # (position of a first key's declaration, the position it names, the link it signed there)
    heads: list[tuple[int, int, str]] = field(default_factory=list)


class _Row(NamedTuple):
    position: int
    hash: bytes
    key_event: tuple[str, dict[str, Any]] | None  # a keyring event: (name, fields)


_new_row = partial(tuple.__new__, _Row)  # _Row((position, hash, key_event)), a C call


class _Run:
    """Unsigned positions in a row: the first, the last and how many (a ledger written before
    signing began is one run of a million, kept in three numbers)."""

    def __init__(self) -> None:
        self.first = self.last = self.count = 0

    def append(self, position: int) -> None:
        if not self.count:
            self.first = position
        self.last = position
        self.count += 1

    def extend(self, positions: Iterable[int]) -> None:
        for position in positions:
            self.append(position)


class SignatureCheck:
    """Feed it the stored rows (through `watch`), then `finish()`."""

    def __init__(self, expected_keys: Iterable[str] = ()) -> None:
        self.result = Signatures()
        self.ward = ""
        self.identity: str | None = None  # of the ledger: the link of its first stored row
        self.first = 0  # the position of that row
        self.number = 0  # the highest number of a second-scheme seal so far
        self.bound_since: int | None = None  # position of the first valid second-scheme seal
        self.expected = [key.strip().lower() for key in expected_keys]
        self.keys: dict[str, Key] = {}
        self.pending: deque[_Row] = deque()
        self.run = _Run()  # consecutive unsigned positions not yet reported
        self.sealed: dict[str, int] = {}  # digest of each valid seal's rows -> its position
        self.hash_from = -(2**63)  # rows before it go unhashed (see `watch`)
        self.declared: list[int] = []  # positions of key declarations stored
        self.signed_declarations: set[int] = set()  # those a valid seal covers

    def state(self) -> dict[str, Any] | None:
        """What the check knows after the rows it has seen, as plain JSON, to go on later
        from the next row (`resumed`); None when it cannot: rows wait for a seal, or the
        ledger seals only the old way (a copy of an old seal is caught by remembering every
        seal, which this does not keep; numbered seals catch a copy by their numbers)."""
        if self.pending or self.run.count or self.bound_since is None or self.expected:
            return None
        r = self.result
        return {"identity": self.identity, "first": self.first, "ward": self.ward,
                "number": self.number, "bound_since": self.bound_since,
                "declared": self.declared, "signed_declarations": sorted(self.signed_declarations),
                "keys": [[k.key, k.actor, k.public.hex(), k.declared, k.revoked]
                         for k in self.keys.values()],
                "result": {"began": r.began, "unsigned_before": r.unsigned_before,
                           "last_unsigned": r.last_unsigned, "signed": r.signed,
                           "seals": r.seals, "heads": [list(h) for h in r.heads]}}

    @classmethod
    def resumed(cls, state: dict[str, Any]) -> SignatureCheck:
        """The check as `state` left it, to be fed the rows after those it had seen."""
        check = cls()
        check.identity, check.first, check.ward = state["identity"], state["first"], state["ward"]
        check.number, check.bound_since = state["number"], state["bound_since"]
        check.declared = list(state["declared"])
        check.signed_declarations = set(state["signed_declarations"])
        check.keys = {key: Key(key, actor, bytes.fromhex(public), declared, revoked)
                      for key, actor, public, declared, revoked in state["keys"]}
        r, saved = check.result, state["result"]
        r.began, r.unsigned_before = saved["began"], saved["unsigned_before"]
        r.last_unsigned, r.signed, r.seals = saved["last_unsigned"], saved["signed"], saved["seals"]
        r.heads = [(at, named, head) for at, named, head in saved["heads"]]
        check.hash_from = -(2**63)  # every row after those seen may be sealed
        return check

    def watch(self, rows: Iterable[StoredRow],
              hash_from: int | None = -(2**63)) -> Iterator[StoredRow]:
        """The same rows, checked on the way through (so the chain and the seals are checked
        in one read of the store). `hash_from` is the first position a seal may cover
        (`EventLog.rows_before_first`; None when no seal is stored): rows before it go straight
        to the unsigned run, unhashed, so a ledger signed only lately, or never, is checked
        without hashing each row twice."""
        self.hashing_from(hash_from)
        for row in rows:
            self.see(row)
            yield row

    def hashing_from(self, hash_from: int | None) -> None:
        """The first position a seal may cover (see `watch`); None: no seal is stored."""
        self.hash_from = 2**63 if hash_from is None else hash_from

    def see(self, row: StoredRow) -> None:
        position, originator, version, topic, state = row
        if self.identity is None:
            self.identity, self.first = identity(row), position
        if topic == SEAL_TOPIC:
            self._seal(position, state)
            return
        key_event = None
        if topic.startswith(KEYS_TOPIC_PREFIX):
            key_event = (topic.rpartition(".")[2], _decoded(state))
            if key_event[0] == "Declared":
                self.declared.append(position)
        elif topic == WARD_OPENED and not self.ward:
            self.ward = str(_decoded(state).get("name", ""))
        if position < self.hash_from:  # no seal can cover it
            self.run.append(position)
            return
        self.pending.append(_Row(position, row_hash(originator, version, topic, state),
                                 key_event))
        if len(self.pending) > MAX_SEALED:  # no seal can cover it any more
            self.run.append(self.pending.popleft().position)

    def see_encoded(self, rows: Sequence[StoredRow], encoded: Sequence[bytes]) -> None:
        """`see` for a batch of rows given the bytes their chain links cover (the same
        fields, framed the same way: `row_hashes_encoded`), so a row is not framed twice. Rows
        a seal, a key or the ward's opening names go through `see` one by one; the others,
        which only wait for their seal, join it a run at a time."""
        if not rows:
            return
        if self.identity is None:
            self.identity, self.first = identity(rows[0]), rows[0][0]
        special = {topic for topic in {row[3] for row in rows} if topic == SEAL_TOPIC or
                   topic.startswith(KEYS_TOPIC_PREFIX) or topic == WARD_OPENED}
        marks = ([i for i, row in enumerate(rows) if row[3] in special] if special else [])
        start = 0
        for mark in [*marks, len(rows)]:
            if start < mark:
                self._wait(rows, encoded, start, mark)
            if mark < len(rows):
                self.see(rows[mark])
            start = mark + 1

    def _wait(self, rows: Sequence[StoredRow], encoded: Sequence[bytes], start: int,
              end: int) -> None:
        """Rows start…end - 1 (none of them a seal, a key's or the ward's opening) waiting
        for their seal, as `see` adds them."""
        positions = [row[0] for row in rows[start:end]]
        unhashed = bisect_left(positions, self.hash_from)  # no seal can cover those
        if unhashed:
            self.run.extend(positions[:unhashed])
        pending = self.pending
        pending.extend(map(_new_row, zip(positions[unhashed:],
                                         row_hashes_encoded(encoded[start + unhashed:end]),
                                         repeat(None))))
        while len(pending) > MAX_SEALED:  # no seal can cover it any more
            self.run.append(pending.popleft().position)

    def finish(self) -> Signatures:
        self.run.extend(row.position for row in self.pending)
        self.pending.clear()
        self._report_run()
        self.result.keys = list(self.keys.values())
        self.result.declarations = len(self.declared)
        began = self.result.began
        for position in self.declared:  # after `began`, an unsigned row is already a finding
            if position not in self.signed_declarations and (began is None or position < began):
                self._finding(position, Phrase(N_(
                    "position {position}: a signing key is declared here, but no valid seal "
                    "signs its declaration: the ledger's seals were removed (a ledger that "
                    "began signing never reads back as unsigned)"), position=position))
        for key in self.expected:  # what the auditor holds outside: the treasurer's key id
            if key not in self.keys:
                self._finding(self.first, Phrase(N_(
                    "key {key} is not declared in this ledger: its seals and key declarations "
                    "were removed, or this is not the ledger that key signs"), key=key))
        return self.result

    # ---- seals ----------------------------------------------------------------------------

    def _seal(self, position: int, state: bytes) -> None:
        self.result.seals += 1
        data = _decoded(state)
        turn = self._turn(data)  # before anything else, so one bad seal is one finding
        count = data.get("count")
        if count == 0 and data.get("scheme") != SEAL_SCHEME_V2 \
                and self._invalid(data, []) is None:
            # release 0.1 sealed writes that recorded nothing (a file imported again): such a
            # seal signs nothing and covers nothing; rows before it stay unsigned
            self.run.extend(row.position for row in self.pending)
            self.pending.clear()
            self._report_run()
            return
        if not isinstance(count, int) or not 0 < count <= len(self.pending):
            found = len(self.pending)
            self.run.extend(row.position for row in self.pending)
            self.pending.clear()
            self._report_run()
            self._finding(position, Phrase(N_(
                "position {position}: a seal claims to cover {count} events, but only {found} "
                "unsealed events are stored before it"), position=position, count=count,
                found=found))
            return
        while len(self.pending) > count:
            self.run.append(self.pending.popleft().position)
        self._report_run()
        covered = list(self.pending)
        self.pending.clear()
        why = self._invalid(data, covered) or turn
        if why is None and data.get("digest") in self.sealed:  # rows stored twice
            why = Phrase(N_("it and the events it covers are a copy of the seal at position "
                            "{earlier}"), earlier=self.sealed[data["digest"]])
        if why is not None:
            self._finding(position, Phrase(N_(
                "position {position}: the seal over positions {first}–{last} is not valid: "
                "{why}; those events are not signed"), position=position,
                first=covered[0].position, last=covered[-1].position, why=why))
            return
        if data.get("scheme") == SEAL_SCHEME_V2 and self.bound_since is None:
            self.bound_since = position
        if self.result.began is None:
            self.result.began = covered[0].position
        self.result.signed += count
        self.sealed[data["digest"]] = position
        for row in covered:
            if row.key_event is not None:  # a key declared or revoked (rarely in a write)
                self._apply_key_event(row)

    def _invalid(self, data: dict[str, Any], covered: list[_Row]) -> Phrase | None:
        """Why a seal does not hold, or None when it does."""
        key, actor = str(data.get("key", "")), str(data.get("actor", ""))
        holder = self._holder(key, covered)
        if holder is None:
            known = self.keys.get(key)
            if known is not None and known.revoked is not None:
                return Phrase(N_("its key {key} was revoked at position {revoked}"), key=key,
                              revoked=known.revoked)
            return Phrase(N_("its key {key} is not declared in this ledger before it"), key=key)
        if actor != holder.actor:
            return Phrase(N_("it names {actor}, but key {key} is {holder}'s"), actor=actor,
                          key=key, holder=holder.actor)
        digest = covered_digest([row.hash for row in covered])
        if data.get("scheme") != SEAL_SCHEME_V2:
            if self.bound_since is not None:  # no way back to seals a copy can satisfy
                return Phrase(N_("it is of the old kind, bound to the ward's name only, but this "
                                 "ledger's seals are bound to its own identity since position "
                                 "{since} (copied from another ledger?)"),
                              since=self.bound_since)
            signed = message(self.ward, actor, key, len(covered), digest)
        else:
            number, bound = data.get("number"), str(data.get("ledger", ""))
            if bound != self.identity:
                return Phrase(N_("it is bound to another ledger ({other}…), not this one "
                                 "({ours}…): copied from there"),
                              other=bound[:16], ours=str(self.identity)[:16])
            if not isinstance(number, int) or number < 1:
                return Phrase(N_("it has no valid number ({number})"), number=repr(number))
            signed = message_v2(bound, actor, key, len(covered), digest, number)
        if digest != data.get("digest") or not signature_ok(holder.public,
                                                            str(data.get("signature", "")),
                                                            signed):
            return Phrase(N_("its signature does not match the events it covers"))
        return None

    def _turn(self, data: dict[str, Any]) -> Phrase | None:
        """Whether a second-scheme seal of this ledger comes in its turn (seal n right after
        seal n − 1): a whole signed write deleted or moved leaves every seal valid but one out
        of turn. Counted for every such seal, valid or not, so one bad seal is one finding."""
        number = data.get("number")
        if data.get("scheme") != SEAL_SCHEME_V2 or data.get("ledger") != self.identity \
                or not isinstance(number, int) or number < 1:
            return None
        expected, self.number = self.number + 1, max(self.number, number)
        if number == expected:
            return None
        if number > expected:
            return Phrase(N_("it is seal number {number}, but seal number {expected} is not "
                             "stored before it: whole signed writes were deleted (or moved)"),
                          number=number, expected=expected)
        return Phrase(N_("it is seal number {number}, stored after seal number {last}: a "
                         "signed write was moved or stored again"),
                      number=number, last=expected - 1)

    def _holder(self, key: str, covered: list[_Row]) -> Key | None:
        """The live declared key `key`; before any key exists, the first key may seal its own
        declaration."""
        found = self.keys.get(key)
        if found is not None:
            return found if found.revoked is None else None
        if self.keys:
            return None
        for row in covered:
            if row.key_event and row.key_event[0] == "Declared" \
                    and row.key_event[1].get("key") == key:
                return _key(row)
        return None

    def _apply_key_event(self, row: _Row) -> None:
        if row.key_event is None:
            return
        name, fields = row.key_event
        if name == "Declared":
            self.signed_declarations.add(row.position)
            at, head = fields.get("head_position"), fields.get("head")
            if type(at) is int and isinstance(head, str):
                self.result.heads.append((row.position, at, head))
            declared = _key(row)
            if declared is not None and declared.key not in self.keys:
                self.keys[declared.key] = declared
        elif name == "Revoked" and fields.get("key") in self.keys:
            self.keys[fields["key"]].revoked = row.position

    # ---- findings -------------------------------------------------------------------------

    def _report_run(self) -> None:
        """Report unsigned events seen since the last seal: a finding once signing has begun,
        otherwise part of the unsigned history before it."""
        run, self.run = self.run, _Run()
        if not run.count:
            return
        if self.result.began is None:
            self.result.unsigned_before += run.count
            self.result.last_unsigned = run.last
            return
        if run.count == 1:
            text = Phrase(N_("position {position}: the event is not signed by a declared "
                             "actor's key (added outside aid?)"), position=run.first)
        else:
            text = Phrase(N_("positions {first}–{last}: {count} events are not signed by a "
                             "declared actor's key (added outside aid?)"),
                          first=run.first, last=run.last, count=run.count)
        self._finding(run.first, text)

    def _finding(self, position: int, text: Phrase) -> None:
        self.result.problems.append(Problem(position, text))


def head_findings(signed: Signatures, link_at: Callable[[int], str | None]) -> list[Problem]:
    """The history written before signing began, against the chain's link its first key's
    declaration signed (`ledger/trust/keyring.py`): an event changed there and the chain
    linked again would otherwise pass, since no seal covers it. `link_at`: the stored link at a
    position (the chain's own check says whether the stored links are the events')."""
    found = []
    for position, at, head in signed.heads:
        now = link_at(at) if 0 < at < position else "-"
        if now is not None and now != head:  # no stored link there: the chain's check says so
            found.append(Problem(position, Phrase(N_(
                "position {position}: the first key, declared here, signed the history up to "
                "position {at} (link {head}…), and the chain there reads {now}…: an event "
                "written before signing began was changed after it"), position=position, at=at,
                head=head[:12], now=(now or "-")[:12])))
    if signed.heads and signed.last_unsigned is not None and signed.last_unsigned > (
            at := signed.heads[0][1]):
        found.append(Problem(signed.last_unsigned, Phrase(N_(
            "position {position}: the event is not signed, and lies after position {at}, up "
            "to which the first key signed the history written before signing began: it was "
            "added outside aid"), position=signed.last_unsigned, at=at)))
    return found


def check(rows: Iterable[StoredRow]) -> Signatures:
    """Check the seals of stored rows in one pass."""
    checker = SignatureCheck()
    for row in rows:
        checker.see(row)
    return checker.finish()


def _decoded(state: bytes) -> dict[str, Any]:
    try:
        data = json.loads(state)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _key(row: _Row) -> Key | None:
    """The key a keyring declaration names, if it is well formed."""
    fields = row.key_event[1] if row.key_event else {}
    try:
        public = base64.b64decode(str(fields.get("public", "")).removeprefix("ed25519:"),
                                  validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(public) != 32 or key_id(public) != fields.get("key"):
        return None
    return Key(str(fields.get("key", "")), str(fields.get("actor", "")), public, row.position)
