"""Recomputing the chain of links, comparing it with the stored links and with saved digests.

Two independent checks, so every kind of tampering names a position:
- per row: each stored event must hash, with the link stored before it, to the link stored with
  it. An event edited, deleted, inserted or moved directly in the database file breaks this at its
  own position (one finding per bad row, not a cascade).
- per digest: a digest saved outside the ledger holds the head link (and checkpoints). Someone
  who rewrote events and recomputed every stored link passes the first check but not this one;
  the first checkpoint that differs, after the last that matches, names where history departs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Any

from ledger.errors import BadInput
from ledger.phrases import N_, Phrase, said
from ledger.trust.chain import (
    ALGORITHM,
    GENESIS,
    MAX_CHECKPOINTS,
    Encoded,
    StoredRow,
    encode,
    encode_rows,
)


@dataclass
class Digest:
    """What an auditor keeps outside the ledger: how many events, and the link of the last."""

    ward: str
    events: int
    head: str
    position: int | None = None
    taken: str = ""
    checkpoints: dict[int, str] = field(default_factory=dict)  # position -> link
    shown: str = field(default="", compare=False)  # `taken` as people read it (never stored)

    def to_json(self) -> dict[str, Any]:
        return {"ward": self.ward, "events": self.events, "position": self.position,
                "head": self.head, "taken": self.taken, "algorithm": ALGORITHM,
                "checkpoints": [[p, link] for p, link in sorted(self.checkpoints.items())]}

    def text(self, taken: str | None = None) -> Phrase:
        """The digest as `aid audit digest` prints it: a heading, then `key: value` lines, in
        the reader's language; `parse` reads them back in English or Vietnamese. `taken`: the
        moment as people read it on the ward's clock (else the stored UTC stamp)."""
        return Phrase.join("\n", [Phrase(N_("aid-ledger digest ({algorithm})"),
                                         algorithm=ALGORITHM),
                                  Phrase(N_("ward: {ward}"), ward=self.ward),
                                  Phrase(N_("events: {events}"), events=self.events),
                                  Phrase(N_("position: {position}"), position=self.position),
                                  Phrase(N_("head: {head}"), head=self.head),
                                  Phrase(N_("taken: {taken}"), taken=taken or self.taken)])

    def label(self) -> Phrase:
        if self.taken:
            return Phrase(N_("digest taken {taken} ({events} events, head {head}…)"),
                          taken=self.shown or self.taken, events=self.events,
                          head=self.head[:12])
        return Phrase(N_("digest ({events} events, head {head}…)"), events=self.events,
                      head=self.head[:12])

    @classmethod
    def parse(cls, text: str) -> Digest:
        """A digest from `aid audit digest` output: its JSON, or its text (even retyped)."""
        text = text.strip()
        if text.startswith("{"):
            try:
                data = json.loads(text)
                return cls(ward=str(data.get("ward", "")), events=int(data["events"]),
                           head=_hex(str(data["head"])), position=data.get("position"),
                           taken=str(data.get("taken", "")),
                           checkpoints={int(p): _hex(str(h)) for p, h in
                                        data.get("checkpoints", [])}).checked()
            except (ValueError, KeyError, TypeError) as error:
                raise BadInput("this digest's JSON is not one `aid audit digest` printed ({error})",
                               error=said(error)) from None
        fields = {key: found.group(1) for key, pattern in _TEXT_FIELDS.items()
                  if (found := re.search(pattern, text, re.IGNORECASE | re.MULTILINE))}
        if "events" not in fields or "head" not in fields:
            raise BadInput("a digest needs at least 'events N' and 'head HEX' (64 hex digits), "
                           "as `aid audit digest` prints them, or its --format json")
        position = fields.get("position")
        return cls(ward=fields.get("ward", ""), events=int(fields["events"]),
                   head=fields["head"].lower(), taken=_taken(fields.get("taken", "")),
                   position=int(position) if position else None).checked()

    def checked(self) -> Digest:
        """Refuse a digest no ledger could have given: a count below 0, or no events with a
        head other than the empty chain's (it would vouch for nothing, and pass anything)."""
        if self.events < 0 or (self.position is not None and self.position < 0):
            raise BadInput("this digest counts {events} events: a digest `aid audit digest` "
                           "printed counts 0 or more", events=self.events)
        if self.events == 0 and self.head != GENESIS:
            raise BadInput("this digest counts no events but names head {head}…: a digest of "
                           "an empty ledger has the empty chain's head", head=self.head[:12])
        return self


_TEXT_FIELDS = {  # the text form, also when retyped on one line from a printed statement;
    # each key in English or as the Vietnamese catalog names it (`aid audit digest --lang vi`)
    "ward": r"^\s*(?:ward|phường)\s*[:=]\s*(.+?)\s*$",
    "events": r"(?:\bevents|\bsố sự kiện|\bsố bút toán)\s*[:=]?\s*(\d+)",  # vi: both spellings
    "position": r"(?:\bposition|\bvị trí)\s*[:=]?\s*(\d+)",
    "head": r"(?:\bhead|\bmã đầu chuỗi)\s*[:=]?\s*([0-9a-f]{64})\b",
    "taken": r"(?:\btaken|\blấy lúc)\s*[:=]?\s*((?:\d{1,2}\s+[A-Za-z]{3,4}\s+\d{4}|\S+)"
             r"(?:\s+\d{1,2}:\d{2}\s+(?:UTC|\([^()\s]+\)|giờ\s+(?:Việt\s+Nam|[^()\s]+)))?)",
}
# a moment as people read it, on the ward's clock: "07/12/2026 19:23 giờ Việt Nam" or "… giờ
# Asia/Bangkok" (vi; "07/12/2026 19:23 (Asia/Ho_Chi_Minh)" before), "7 Dec 2026 19:23
# (Asia/Ho_Chi_Minh)" (en); or in UTC, "07/12/2026 12:23 UTC", "… giờ UTC"
_MOMENT = re.compile(r"(\d{1,2})(?:/(\d{1,2})/|\s+([A-Za-z]{3})[A-Za-z]?\s+)(\d{4})\s+"
                     r"(\d{1,2}):(\d{2})\s+(?:UTC|\(([^()\s]+)\)|giờ\s+(Việt\s+Nam|[^()\s]+))")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _taken(text: str) -> str:
    """A digest's moment as stored (ISO, UTC), also when read back as a page or `aid audit
    digest` shows it to people ("07/12/2026 19:23 giờ Việt Nam", "07/12/2026 12:23 UTC");
    as written if it is none of those."""
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    found = _MOMENT.fullmatch(text)
    if found is None:
        return text
    day, number, name, year, hour, minute, zone, named = found.groups()
    if named:  # "giờ Việt Nam" names the zone as Vietnamese readers do
        zone = "Asia/Ho_Chi_Minh" if named.startswith("Việt") else named
    month = int(number) if number else (_MONTHS.index(name.lower()) + 1
                                        if name.lower() in _MONTHS else 0)
    try:
        clock = ZoneInfo(zone) if zone else timezone.utc
        when = datetime(int(year), month, int(day), int(hour), int(minute), tzinfo=clock)
    except (ValueError, ZoneInfoNotFoundError):  # no such day or zone: kept as written
        return text
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:00Z")


def _hex(value: str) -> str:
    value = value.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", value):
        raise ValueError(Phrase(N_("'{value}' is not a 64-digit hex SHA-256 link"), value=value))
    return value


@dataclass
class Problem:
    position: int
    text: Phrase


@dataclass
class _DigestCheck:
    digest: Digest
    last_good: int = 0  # position of the last matching checkpoint
    first_bad: Problem | None = None
    seen: set[int] = field(default_factory=set)

    def bad(self, position: int, text: Phrase) -> None:
        if self.first_bad is None or position < self.first_bad.position:
            self.first_bad = Problem(position, Phrase("{digest}: {finding}",
                                                      digest=self.digest.label(), finding=text))


@dataclass
class Verification:
    """The recomputed chain and everything found wrong, first bad position first."""

    events: int = 0
    position: int = 0
    head: str = GENESIS
    checkpoints: dict[int, str] = field(default_factory=dict)
    ordinals: dict[int, int] = field(default_factory=dict)  # checkpoint position -> event number
    problems: list[Problem] = field(default_factory=list)
    digests: list[tuple[Digest, Problem | None]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and all(problem is None for _, problem in self.digests)

    def first_bad(self) -> int | None:
        positions = [p.position for p in self.problems]
        positions += [p.position for _, p in self.digests if p is not None]
        return min(positions) if positions else None

    def digest(self, ward: str, taken: str) -> Digest:
        return Digest(ward=ward, events=self.events, head=self.head, position=self.position,
                      taken=taken, checkpoints=dict(self.checkpoints))


def verify(rows: Iterable[StoredRow | Encoded], stored_links: Iterable[tuple[int, str]],
           digests: Iterable[Digest] = (),
           each: Callable[[bytes], None] | None = None,
           start: tuple[str, int] = (GENESIS, 0), gapless: bool = False) -> Verification:
    """Walk the stored events and stored links together, in position order; `each(bytes)`
    hears every row's encoded bytes (sync's witness builds the Merkle tree from them).
    `start`: the link before the first row and how many events precede it, when the rows
    are a ledger's tail (a signer's check resumed where it last ended). `gapless`: the store
    numbers its rows 1, 2, 3… with no gap in an honest ledger (SQLite), so a gap is rows
    deleted, or moved to later positions and relinked, which neither the links nor the seals
    (signed before positions are known) would show.

    One sha256 per row while all is well: this loop is verify's whole cost, so it keeps its
    state in local variables and reuses each computed link's bytes as the next row's input."""
    result = Verification()
    problems = result.problems
    checks = [_DigestCheck(d) for d in digests]
    links_iter = iter(stored_links)
    pending = next(links_iter, None)
    trusted = start[0]  # the stored link before the current row: keeps each finding local
    trusted_bytes: bytes | None = bytes.fromhex(trusted)  # the same, as bytes (None: not yet)
    head, events, position, spacing = trusted, start[1], 0, 1
    last = start[1]  # in a gapless store, the position of the row before the first
    for row in rows:
        here = row[0]
        while pending is not None and pending[0] < here:
            problems.append(_deleted(pending[0]))
            trusted, trusted_bytes, pending = _link(pending[1]), None, next(links_iter, None)
        if gapless and here != last + 1:
            if not problems or problems[-1].position <= last:  # not named as deleted already
                problems.append(_gap(last + 1, here))
        last = here
        data = row.data if type(row) is Encoded else encode(*row)
        if each is not None:
            each(data)
        digest = sha256((bytes.fromhex(trusted) if trusted_bytes is None else trusted_bytes)
                        + data).digest()  # link(trusted, row)
        expected = digest.hex()
        head = expected if head == trusted else sha256(bytes.fromhex(head) + data).hexdigest()
        if pending is not None and pending[0] == here:
            if pending[1] == expected:
                trusted_bytes = digest
            else:
                problems.append(Problem(here, Phrase(N_(
                    "position {position}: the event does not match the link stored with it "
                    "(edited, or moved here from another position)"), position=here)))
                trusted_bytes = None
            trusted, pending = _link(pending[1], expected), next(links_iter, None)
        else:
            problems.append(Problem(here, Phrase(N_(
                "position {position}: the event has no stored link (inserted directly into the "
                "database)"), position=here)))
            trusted, trusted_bytes = expected, digest
        previous_position, position = position, here
        events += 1
        if checks or events % spacing == 0:
            result.events, result.position, result.head = events, position, head
            if events % spacing == 0:
                spacing = _keep_checkpoint(result, spacing)
            for check in checks:
                _check_digest(check, result, previous_position)
    result.events, result.position, result.head = events, position, head
    while pending is not None:
        result.problems.append(_deleted(pending[0]))
        pending = next(links_iter, None)
    if result.events and len(result.problems) == result.events and all(
            "no stored link" in p.text for p in result.problems):
        first = result.problems[0].position
        result.problems = [Problem(first, Phrase(N_(
            "position {position}: no event has a stored link (the links table was emptied or "
            "dropped, or the ledger was last written by a version of aid without links)"),
            position=first))]
    for check in checks:
        _finish_digest(check, result)
        result.digests.append((check.digest, check.first_bad))
    return result


def verify_intact(batches: Iterable[Sequence[StoredRow]],
                  links_between: Callable[[int, int | None], Sequence[tuple[int, str]]],
                  each: Callable[[Sequence[StoredRow], list[bytes]], None] | None = None,
                  start: tuple[str, int, int] = (GENESIS, 0, -(2**63)),
                  gapless: bool = False) -> Verification | None:
    """`verify` for a chain that holds, a batch of rows at a time, or None as soon as it does
    not (then `verify` says what is wrong, row by row). Every row's link is recomputed from its
    stored bytes as `verify` recomputes it, and the batch's stored links must be exactly those
    links at exactly those positions (`links_between(after, upto)`: the stored links of
    positions (after, upto], or of every position after `after` when `upto` is None); no link
    may be stored past the last row. `each(rows, encoded)` hears each batch, with the bytes
    each row's link covers. `start`: the link before the first row, how many events precede
    it and the position of the last of them. `gapless`: positions must run on from it with no
    gap, as `verify` requires of them. The result is the `Verification` `verify` gives for the
    same rows, which then has nothing to report."""
    result = Verification()
    previous, events, after = start
    digest = bytes.fromhex(previous)
    spacing, head, position = 1, previous, 0
    for rows in batches:
        encoded = encode_rows(rows)
        made = []
        for data in encoded:
            digest = sha256(digest + data).digest()
            made.append(digest)
        positions = [row[0] for row in rows]
        if gapless and (positions[0] != max(after, 0) + 1
                        or positions[-1] - positions[0] != len(rows) - 1):
            return None
        hexes = [link.hex() for link in made]
        if links_between(after, positions[-1]) != list(zip(positions, hexes)):
            return None
        if each is not None:
            each(rows, encoded)
        # the checkpoints `verify` keeps: every `spacing`-th event's link, spacing doubling
        done, count = events, len(rows)
        wanted = events - events % spacing + spacing
        while wanted <= done + count:
            at = wanted - done - 1
            result.events, result.position, result.head = wanted, positions[at], hexes[at]
            spacing = _keep_checkpoint(result, spacing)
            wanted = wanted - wanted % spacing + spacing
        events, after = done + count, positions[-1]
        position, head = after, hexes[-1]
    if links_between(after, None):  # links of events no longer stored
        return None
    result.events, result.position, result.head = events, position, head
    return result


def _link(stored: Any, instead: str = GENESIS) -> str:
    """A stored link to chain the next row from; one edited into something that is no link
    (named already, as the row's own finding) is replaced by `instead`, so the finding stays
    at its position and verify goes on."""
    if isinstance(stored, str) and len(stored) == 64:
        try:
            bytes.fromhex(stored)
            return stored
        except ValueError:
            pass
    return instead


def _deleted(position: int) -> Problem:
    return Problem(position, Phrase(N_("position {position}: the event stored here is missing "
                                       "(deleted from the database)"), position=position))


def _gap(first: int, found: int) -> Problem:
    if found - 1 == first:
        return Problem(first, Phrase(N_(
            "position {position}: no event is stored there, and this database leaves no gap "
            "between events: it was deleted, or every event from there on was moved to a later "
            "position (the next is at {next})"), position=first, next=found))
    return Problem(first, Phrase(N_(
        "positions {position}–{last}: no event is stored there, and this database leaves no "
        "gap between events: they were deleted, or every event from there on was moved to a "
        "later position (the next is at {next})"), position=first, last=found - 1, next=found))


def _keep_checkpoint(result: Verification, spacing: int) -> int:
    """Keep the link of every `spacing`-th event, doubling the spacing to keep at most
    MAX_CHECKPOINTS (so digests taken at different times share checkpoints)."""
    if result.events % spacing == 0:
        result.checkpoints[result.position] = result.head
        result.ordinals[result.position] = result.events
    if len(result.checkpoints) > MAX_CHECKPOINTS:
        spacing *= 2
        result.checkpoints = {p: h for p, h in result.checkpoints.items()
                              if result.ordinals[p] % spacing == 0}
        result.ordinals = {p: result.ordinals[p] for p in result.checkpoints}
    return spacing


def _check_digest(check: _DigestCheck, result: Verification, previous_position: int) -> None:
    """Compare the link just computed with the digest's checkpoint or head at this event."""
    digest, position = check.digest, result.position
    expected = digest.checkpoints.get(position)
    if result.events == digest.events:
        if digest.position is not None and digest.position != position:
            check.bad(position, Phrase(N_(
                "its last event is at position {last}, but the ledger's event number {events} "
                "is at position {position}: events were inserted or deleted"),
                last=digest.position, events=digest.events, position=position))
            return
        expected = digest.head
    if expected is None:
        return
    check.seen.add(position)
    if result.head == expected:
        check.last_good = max(check.last_good, position)
    elif check.last_good == previous_position:
        check.bad(position, Phrase(N_("position {position} differs from the digest: history "
                                      "was rewritten from there on"), position=position))
    else:
        check.bad(position, Phrase(N_("history differs from the digest after position "
                                      "{last_good}, at or before position {position}: "
                                      "rewritten there"),
                                   last_good=check.last_good, position=position))


def _finish_digest(check: _DigestCheck, result: Verification) -> None:
    """Checkpoints never reached: events deleted, or the tail cut off."""
    digest = check.digest
    missing = sorted(set(digest.checkpoints) - check.seen)
    gone = [p for p in missing if p <= result.position]
    if gone:
        check.bad(gone[0], Phrase(N_("position {position} is covered by the digest but missing "
                                     "from the ledger"), position=gone[0]))
    if result.events < digest.events:
        first = next((p for p in missing if p > result.position), result.position + 1)
        check.bad(first, Phrase(N_("the ledger holds {events} events, the digest covers "
                                   "{covered}: history after position {position} was removed"),
                                events=result.events, covered=digest.events,
                                position=result.position))
