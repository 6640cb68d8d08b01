"""The write API: the only way facts enter the ledger.

Each method loads the ward (from its latest snapshot), lets the aggregate check and record the
fact, and saves. When another writer saved first, the store's unique (id, version) constraint
rejects the save and the method simply tries again on the fresh ward, so rules such as "stock
never goes negative" hold across processes without locks.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import OriginatorVersionError
from eventsourcing.persistence import IntegrityError, OperationalError

from ledger.errors import BadInput, Refused
from ledger.phrases import N_, Phrase
from ledger.store.decoding import event_mapper
from ledger.store.errors import busy
from ledger.store.rows import RowBuilder
from ledger.trust import seal_bytes as sealing
from ledger.trust.signing_key import SigningKey, parse_public
from ledger.values.inputs import (
    MAX_NOTE,
    citizen_id,
    code,
    optional,
    phone_number,
    text,
    ward_code,
)
from ledger.values.text import clean
from ledger.ward import replay
from ledger.ward.aggregate import Ward
from ledger.ward.drafts import drafting
from ledger.ward.lots import expired_reason
from ledger.ward.names import KEYRING_ID, WARD_ID
from ledger.ward.written import Written

if TYPE_CHECKING:
    from ledger.trust.keyring import Keyring

ATTEMPTS = 200


class Ledger(Application):
    """One ward's ledger on the eventsourcing library."""

    name = "aid"
    snapshotting_intervals = {Ward: 100}  # noqa: RUF012 - the library reads a class attribute

    def __init__(self, env: dict[str, str] | None = None, *, name: str | None = None,
                 key_file: Path | None = None) -> None:
        if name:
            self.name = name  # PostgreSQL table prefix: one ward's tables per name
        self.key_file = key_file  # the writer's signing key (ledger/trust/signing_key.py), if any
        self._key: SigningKey | None = None
        self._snapshot_next = False  # the next save snapshots the ward, interval or not
        from ledger.ward import events  # noqa: F401 - every stored name resolves to its class

        super().__init__(env)

    def construct_mapper(self) -> Any:
        """The one mapper the readers use too (ledger/store/decoding.py: no cipher, no
        compression; the library's JSON transcoder and its default transcodings)."""
        return event_mapper()

    # ---- reading the write model --------------------------------------------------------

    def ward(self) -> Ward:
        try:
            ward = self.repository.get(WARD_ID)
        except AggregateNotFoundError:
            raise BadInput("this ledger has no ward yet: run `aid init --ward NAME` first") from None
        except OriginatorVersionError as gap:  # the library names (found, expected)
            raise Refused("the ward's stored entries skip from entry {before} to {found}: an "
                          "entry was deleted outside aid; nothing was recorded: run `aid audit "
                          "verify` and restore the ledger from a backup",
                          before=gap.args[1] - 1 if len(gap.args) > 1 else "?",
                          found=gap.args[0] if gap.args else "?") from None
        if not self.recorder.select_events(WARD_ID, gt=ward.version - 1, lte=ward.version,
                                           limit=1):  # one lookup by the primary key
            raise Refused("the ward's stored snapshot is at entry {entry}, past its last "
                          "event: it was written outside aid, and a write starting from it "
                          "would skip entries; run `aid audit verify`, then `aid rebuild`",
                          entry=ward.version)
        if "counted" not in ward.__dict__:  # snapshotted by a release that kept no counts:
            ward = self.ward_from_events() or ward  # folded from the events, and the next
            self._snapshot_next = True  # save snapshots it whole
        return ward

    def ward_from_events(self) -> Ward | None:
        """The ward folded from its first event, never from a snapshot (`aid rebuild`)."""
        ward = None
        try:
            while page := list(self.events.get(WARD_ID, gt=ward.version if ward else 0,
                                               limit=5_000)):  # flat memory
                ward = replay.fold(page, ward)
        except replay.Gap as gap:
            raise Refused("the ward's events skip from entry {last} to entry {entry}: its "
                          "history is broken (run `aid audit check`); the stored snapshots "
                          "are left as they were", last=gap.last, entry=gap.entry) from None
        return ward

    def snapshot(self, ward: Ward) -> None:
        """Store a snapshot of `ward` (one folded from the events: `aid rebuild`)."""
        try:
            self.snapshots.put([Ward.Snapshot.take(ward)])
        except IntegrityError:  # a writer took one there in the meantime, from this history
            pass

    def entry(self, entry: int) -> Ward.Event:
        """The event recorded as entry `entry`."""
        found = list(self.events.get(WARD_ID, gt=entry - 1, lte=entry)) if entry > 0 else []
        if not found:
            raise BadInput("there is no entry {entry}; see `aid history` for entry ids",
                           entry=entry)
        return found[0]

    # ---- declarations -------------------------------------------------------------------

    def init(self, ward: str, on: str, actor: str, code: str | None = None) -> int:
        if not clean(ward or ""):
            raise BadInput("--ward must name the ward, e.g. --ward 'Phường 3'")
        name = text(ward, "--ward")
        district_code = ward_code(code) if code is not None else None
        if WARD_ID in self.repository:
            raise Refused("this ledger already holds ward {name}; use another --db for another "
                          "ward", name=self.ward().name)
        opened = Ward(name=name, on=on, actor=_actor(actor))
        entry = opened.version  # "recorded entry 1", with or without a code
        if district_code:  # saved with the opening, as entry 2
            opened.fix_code(district_code, on, _actor(actor))
        pending = list(opened.pending_events)
        try:
            self.save(opened)
        except IntegrityError:
            if self._is_stored(self.mapper.to_stored_event(pending[0])):
                return entry
            raise Refused("this ledger already holds ward {name}; use another --db for another "
                          "ward", name=self.ward().name) from None
        return entry

    def set_code(self, code: str, on: str, actor: str) -> int:
        """Fix the district code of a ledger opened without one (`aid ward code`)."""
        return self.write(lambda w: w.fix_code(ward_code(code), on, _actor(actor)))

    def add_item(self, item: str, name: str, unit: str, value: int | None, on: str,
                 actor: str) -> int:
        return self.write(lambda w: w.declare_item(
            code(item, N_("item code")), text(name, "--name"), text(unit, "--unit"), value, on,
            _actor(actor)))

    def add_location(self, location: str, name: str, kind: str, on: str, actor: str) -> int:
        return self.write(lambda w: w.declare_location(
            code(location, N_("location code")), text(name, "--name"), clean(kind), on,
            _actor(actor)))

    def add_donor(self, donor: str, name: str, anonymous: bool, on: str, actor: str) -> int:
        return self.write(lambda w: w.declare_donor(
            code(donor, N_("donor code")), text(name, "--name"), anonymous, on, _actor(actor)))

    def add_recipient(self, recipient: str, name: str, group: str, size: int, tier: int,
                      phone: str | None, on: str, actor: str,
                      id_number: str | None = None) -> int:
        """Declare a household, its name, phone and ID number sealed under its own key."""
        phone, id_number = phone_number(phone, "--phone"), citizen_id(id_number, "--id-number")
        sealer = self.details_sealer()
        return self.write(lambda w: w.declare_recipient(
            code(recipient, N_("recipient code")), text(name, "--name"), _group(group), size, tier,
            phone, on, _actor(actor), sealer=sealer, id_number=id_number))

    sealer: Any = None  # set by whoever composes the ledger with a key (aid demo); else the env

    def details_sealer(self) -> Any:
        """The sealer for households' details (ledger/privacy/details.py): the one given, else the key
        file in AID_KEY_FILE; refuses when there is none."""
        if self.sealer is None:
            from ledger.privacy.details import from_environment

            self.sealer = from_environment(required=True)
        return self.sealer

    def define_bundle(self, bundle: str, name: str, recipe: dict[str, int], cash: int,
                      on: str, actor: str) -> int:
        return self.write(lambda w: w.define_bundle(
            code(bundle, N_("bundle code")), text(name, "--name"), _codes(recipe), cash, on,
            _actor(actor)))

    # ---- facts --------------------------------------------------------------------------

    def donate(self, donor: str, location: str, cash: int, goods: dict[str, int],
               receipt: str | None, note: str | None, on: str, actor: str,
               expires: str | dict[str, str] | None = None, account: str | None = None) -> int:
        from ledger.store.claims import receipt_key, twin_used

        receipt = optional(receipt, "--receipt")
        claims = [receipt_key(receipt)] if receipt else []
        twins = self.case_twins(claims)
        if twins:
            key, (twin, entry) = next(iter(twins.items()))
            raise twin_used(key, twin, entry)
        return self.write(lambda w: w.donate(
            code(donor), code(location), cash, _codes(goods), receipt,
            optional(note, "--note", limit=MAX_NOTE), on, _actor(actor), _lots(expires),
            account=_account(account)), claims)

    def buy(self, location: str, cash: int, goods: dict[str, int], supplier: str | None,
            on: str, actor: str, expires: str | dict[str, str] | None = None,
            account: str | None = None) -> int:
        return self.write(lambda w: w.buy(
            code(location), cash, _codes(goods), optional(supplier, "--supplier"), on,
            _actor(actor), _lots(expires), account=_account(account)))

    def pack(self, bundle: str, count: int, location: str, on: str, actor: str) -> int:
        return self.write(lambda w: w.pack(code(bundle), count, code(location), on, _actor(actor)))

    def unpack(self, bundle: str, count: int, location: str, on: str, actor: str) -> int:
        return self.write(lambda w: w.unpack(code(bundle), count, code(location), on,
                                               _actor(actor)))

    def give(self, recipient: str, location: str, bundles: dict[str, int],
             goods: dict[str, int], cash: int, on: str, actor: str, lot: str | None = None,
             why: str | None = None, account: str | None = None) -> int:
        return self.write(lambda w: w.give(
            code(recipient), code(location), _codes(bundles), _codes(goods), cash, on,
            _actor(actor), lot=lot, expired_reason=expired_reason(why),
            account=_account(account)))

    def transfer(self, source: str, target: str, goods: dict[str, int], on: str,
                 actor: str, lot: str | None = None, why: str | None = None) -> int:
        return self.write(lambda w: w.transfer(
            code(source), code(target), _codes(goods), on, _actor(actor), lot,
            expired_reason(why)))

    def adjust(self, location: str, changes: dict[str, int], reason: str, on: str,
               actor: str, lot: str | None = None) -> int:
        return self.write(lambda w: w.adjust(
            code(location), _codes(changes), text(reason, "--reason", limit=MAX_NOTE), on,
            _actor(actor), lot))

    def count(self, location: str, counted: dict[str, int], variance_reason: str | None,
              on: str, actor: str) -> int:
        return self.write(lambda w: w.count(
            code(location), _codes(counted),
            optional(variance_reason, "--variance-reason", limit=MAX_NOTE), on, _actor(actor)))

    def reverse(self, entry: int, reason: str, actor: str) -> int:
        original = self.entry(entry)
        return self.write(lambda w: w.reverse(original, text(reason, "--reason", limit=MAX_NOTE),
                                             _actor(actor)))

    # ---- signing keys -------------------------------------------------------------------

    def signing_key(self) -> SigningKey | None:
        """The writer's own key, read from its file the first time it is needed."""
        if self._key is None and self.key_file is not None:
            self._key = SigningKey.load(self.key_file)
        return self._key

    def keyring(self) -> Keyring | None:
        """The declared keys, or None while no key was ever declared (nothing is signed).
        Every write asks, so it is one indexed query first: ledgers that never sign need not
        load the keyring's module (`aid give` starts faster)."""
        if not self.recorder.select_events(KEYRING_ID, limit=1):
            return None
        from eventsourcing.application import project_aggregate

        from ledger.trust import keyring  # noqa: F401 - its stored names resolve once loaded

        # from its events alone: the ward alone takes snapshots, so a keyring snapshot is one
        # written by hand (an empty one would turn signing off), never read
        return project_aggregate(None, self.repository.event_store.get(KEYRING_ID))

    def declare_key(self, actor: str, public: str | None, on: str, by: str) -> str:
        """Record that `actor` signs with `public` (default: the writer's own key); returns
        the key id. The first key declared must be the writer's own: it seals itself."""
        holder = clean(actor)
        if not holder:
            raise BadInput("name the actor who holds the key, e.g. aid actor add 'Chị Lan'")
        raw = parse_public(public) if public is not None else self._own_key().public
        key = sealing.key_id(raw)

        def change(_: Ward) -> Written:
            from ledger.trust.keyring import Keyring

            keyring = self.keyring() or Keyring(on=on)
            first = not keyring.keys  # it binds the history written before it (keyring.py)
            keyring.declare(holder, key, sealing.public_text(raw), on, clean(by),
                            head=self.recorder.last_link() if first else None)
            return Written(key, [keyring])

        return self.write(change)

    def revoke_key(self, key: str, reason: str, on: str, by: str) -> str:
        """Record that `key` signs nothing from now on; what it sealed before stays valid."""
        if not clean(reason):
            raise BadInput("--reason must say why the key is revoked, e.g. --reason 'lost'")

        def change(_: Ward) -> Written:
            keyring = self.keyring()
            if keyring is None:
                raise Refused("this ledger has no signing keys yet; `aid actor add` declares one")
            keyring.revoke(clean(key).lower(), clean(reason), on, clean(by))
            return Written(clean(key).lower(), [keyring])

        return self.write(change)

    def _own_key(self) -> SigningKey:
        own = self.signing_key()
        if own is None:
            raise BadInput("there is no signing key in {path}: make one with `aid actor key "
                           "init`", path=self.key_file)
        return own

    def seal(self, stored: list[Any], ward: str, events: Sequence[Any] = (),
             actors: Sequence[str | None] = ()) -> list[Any]:
        """The seal to store after the rows `stored` of one write (made of `events`), or none
        while the ledger has no keys. Bulk writers build rows without event objects: they call
        it once per batch with `events` empty and the `actors` their rows name.

        Once a key is declared every write must be sealed by a live declared key, held by the
        actor the entries name; a writer without one is refused, nothing recorded. A write that
        records nothing (a file imported again, a batch that skips everyone) gets no seal: there
        is nothing to sign, and a seal over nothing is not a write (issue #22, finding 1)."""
        if not stored:
            return []
        keyring = self.keyring()
        if keyring is None or not keyring.keys:
            first = _declarations(events)
            if not first:
                return []  # signing has not begun: the ledger stays as it always was
            own = self._own_key()
            if own.key != first[0].key:
                raise Refused("the first key declared must be your own (key {key} in {path}), "
                              "so that it signs its own declaration", key=own.key,
                              path=own.path)
            holder = first[0].actor
        else:
            own = self.signing_key()
            if own is None:
                raise Refused("this ledger signs every entry and {path} holds no signing key: "
                              "make one with `aid actor key init` and ask a keyholder to "
                              "declare it; nothing was recorded", path=self.key_file)
            holder = keyring.holder(own.key)
            if holder is None and own.key in keyring.keys:  # declared once, since revoked
                raise Refused("your signing key {key} was revoked in this ledger and signs "
                              "nothing more: make a new one with `aid actor key init --key-file "
                              "NEW` and ask the treasurer to declare it; nothing was recorded",
                              key=own.key)
            if holder is None:
                raise Refused("your signing key {key} is not a live key of this ledger: ask "
                              "the treasurer to run `aid actor add NAME --public-key {public}`; "
                              "nothing was recorded", key=own.key, public=own.text)
        _same_actor(_actors(events) + [name for name in actors if name], holder, own.key)
        from ledger.trust import seals

        made = seals.make(stored, ward, holder, own.key, own.sign, identity=self.identity(),
                          number=self._next_seal())
        return [self.mapper.to_stored_event(made)]

    _identity: str | None = None

    def identity(self) -> str:
        """The ledger's identity (`ledger/trust/identity.py`), which its seals bind: the chain
        link of its first stored row, read once (no seal is made before the ward is opened)."""
        if self._identity is None:
            from ledger.trust.identity import identity

            first = self.recorder.select_notifications(None, 1)
            if not first:
                raise BadInput("this ledger has no ward yet: run `aid init --ward NAME` first")
            row = first[0]
            self._identity = identity((row.id, row.originator_id, row.originator_version,
                                       row.topic, bytes(row.state)))
        return self._identity

    def _next_seal(self) -> int:
        """The number of the next seal: one more than the last stored (version n of `SEALS_ID`
        is seal n, so a writer that raced another for it is refused by the store and retries)."""
        last = self.recorder.select_events(sealing.SEALS_ID, desc=True, limit=1)
        return last[0].originator_version + 1 if last else 1

    def claimed(self, keys: Sequence[str]) -> set[str]:
        """Which of these once-only keys (receipts, import rows) are already used: one query
        per thousand keys, for imports of a million rows."""
        from ledger.store.claims import claim_id

        by_id = {claim_id(key): key for key in keys}
        ids = list(by_id)
        found: set[str] = set()
        for start in range(0, len(ids), 1000):
            found.update(by_id[i] for i in self.recorder.created(ids[start:start + 1000]))
        return found

    def claimed_entries(self, keys: Sequence[str]) -> dict[str, int]:
        """The entry that used each of these once-only keys, for those already used."""
        from ledger.store.claims import claim_id

        ids = [claim_id(key) for key in keys]
        found: dict[str, int] = {}
        for start in range(0, len(ids), 1000):
            for stored in self.recorder.first_events(ids[start:start + 1000]):
                made = self.mapper.to_domain_event(stored)
                found[made.key] = made.entry
        return found

    def case_twins(self, keys: Sequence[str]) -> dict[str, tuple[str, int]]:
        """Each receipt key (of those not used themselves) whose number an entry already used
        in other capitals: key -> (that key, that entry)."""
        from ledger.store.claims import case_variants

        variants = {variant: key for key in keys for variant in case_variants(key)}
        used = self.claimed_entries(list(variants)) if variants else {}
        return {variants[variant]: (variant, entry) for variant, entry in used.items()}

    def entries(self, numbers: Iterable[int]) -> dict[int, Ward.Event]:
        """These entries by number, read a run of consecutive numbers at a time (the rows of
        one earlier import are consecutive)."""
        wanted = sorted(set(numbers))
        found: dict[int, Ward.Event] = {}
        start = 0
        while start < len(wanted):
            end = start
            while end + 1 < len(wanted) and wanted[end + 1] == wanted[end] + 1 \
                    and end - start < 999:
                end += 1
            for event in self.events.get(WARD_ID, gt=wanted[start] - 1, lte=wanted[end]):
                found[event.originator_version] = event
            start = end + 1
        return found

    # ---- saving -------------------------------------------------------------------------

    def write(self, change: Callable[[Ward], Any], claims: Sequence[str] = ()) -> Any:
        """Apply `change` to the current ward and save atomically, retrying if another writer won.

        `change` returns the new entry id (or a list of them), or `Written(result, aggregates)`
        when other aggregates (a voucher, say) must be saved in the same transaction. `claims`
        are keys used once (receipts, import rows), claimed by the first entry.
        """
        def attempt() -> Any:
            ward = self.ward()
            written = _written(change(ward))
            result = written.result
            first = (result[0] if result else None) if isinstance(result, list) else result
            pending = list(ward.pending_events)
            try:
                self._save(ward, [*written.aggregates, *_claims(claims, first)])
            except IntegrityError:
                if not pending or not self._is_stored(self.mapper.to_stored_event(pending[0])):
                    self._refuse_used_claims(claims)
                    raise
            return result

        return self._retrying(attempt)

    def write_rows(self, change: Callable[[Ward, RowBuilder], Written]) -> Any:
        """Like `write`, for bulk writers: `change` runs while drafting (`ledger/ward/drafts.py`), so
        the ward checks its rules and keeps its state but builds no event objects; its drafts
        become stored rows directly, saved in one transaction with the rows `change` returns in
        `Written.aggregates` (claims, say) and the batch's seal."""
        builder = RowBuilder(self.mapper)

        def attempt() -> Any:
            ward = self.ward()
            first = ward.version
            with drafting() as drafts:
                written = change(ward, builder)
            rows = [builder.row(ward.id, d.version, d.event_class, d.fields) for d in drafts]
            rows += written.aggregates
            rows += self.seal(rows, ward.name, actors=[d.fields.get("actor") for d in drafts])
            if not rows:
                return written.result
            try:
                self.recorder.insert_events(rows)
            except IntegrityError:
                if not self._is_stored(rows[0]):
                    raise
            self._snapshot(ward, first + 1, ward.version)
            return written.result

        return self._retrying(attempt)

    def _retrying(self, attempt: Callable[[], Any]) -> Any:
        """Run `attempt` until it saves: again on a fresh ward if another writer saved first
        (the store's unique key refused ours) or the database was busy."""
        refused = False  # by a unique key every time: a writer ahead of us, or a table edited
        for n in range(ATTEMPTS):
            try:
                return attempt()
            except IntegrityError:
                refused = True
            except OperationalError as error:
                if not busy(error):
                    raise
                refused = False
            time.sleep(random.uniform(0, 0.005 * min(n + 1, 20)))
        if refused:
            raise Refused("the ledger refused the write every time: other writers kept saving "
                          "first, or its stored tables were changed outside aid; nothing was "
                          "recorded: try again, and if it happens again run `aid audit verify`")
        raise Refused("the ledger is busy with other writers; nothing was recorded, try again")

    def _is_stored(self, mine: Any) -> bool:
        """Whether an insert that reported a conflict had in fact committed (the database
        driver retries an insert whose acknowledgement was lost): the row stored at our first
        event's version is then ours byte for byte — same timestamp, actor and content, which
        another writer's event never is."""
        stored = self.recorder.select_events(mine.originator_id,
                                             gt=mine.originator_version - 1,
                                             lte=mine.originator_version)
        return bool(stored) and (stored[0].topic, bytes(stored[0].state)) == (mine.topic,
                                                                               bytes(mine.state))

    def _refuse_used_claims(self, claims: Sequence[str]) -> None:
        from ledger.store.claims import claim_id

        for key in claims:
            if claim_id(key) in self.repository:
                used: Any = self.repository.get(claim_id(key))
                what = key.split(":", 1)
                kind = Phrase(N_("receipt") if what[0] == "receipt" else what[0])
                raise Refused("{kind} {number} is already used by entry {entry}; each receipt "
                              "number is recorded once",
                              kind=kind, number=what[1], entry=used.entry)

    def _save(self, ward: Ward, others: Sequence[Any]) -> None:
        """Store the ward's new events and the others' in one transaction.

        What `Application.save` does for our case, minus its per-object protocol checks and
        notifications, which cost more than the insert itself when an import saves thousands
        of claims at once."""
        events = list(ward.collect_events())
        first, last = (events[0].originator_version, events[-1].originator_version) \
            if events else (0, 0)
        for other in others:
            events.extend(other.collect_events() if hasattr(other, "collect_events") else [other])
        stored = [self.mapper.to_stored_event(e) for e in events]
        self.recorder.insert_events(stored + self.seal(stored, ward.name, events))
        self._snapshot(ward, first, last)

    def _snapshot(self, ward: Ward, first: int, last: int) -> None:
        """One snapshot per save, taken from memory, however many events a batch appended
        (versions `first` to `last`)."""
        interval = self.snapshotting_intervals[Ward]
        due = self._snapshot_next or last // interval > (first - 1) // interval
        if first and due and self.snapshots is not None:
            self.snapshots.put([Ward.Snapshot.take(ward)])
            self._snapshot_next = False


def _written(outcome: Any) -> Written:
    return outcome if isinstance(outcome, Written) else Written(outcome)


def _claims(keys: Sequence[str], entry: Any) -> list[Any]:
    """The events claiming `keys` for `entry`; the claims module (an aggregate of its own) is
    loaded only by writes that claim something, not by every hand-out."""
    if not keys:
        return []
    from ledger.store.claims import claim

    return [claim(key, entry) for key in keys]


def _declarations(events: Sequence[Any]) -> list[Any]:
    """The keyring's declarations among a write's events (its module is loaded by then if
    the write holds any: only the keyring's own methods make them)."""
    if not any(getattr(e, "originator_id", None) == KEYRING_ID for e in events):
        return []
    from ledger.trust.keyring import Keyring

    return [e for e in events if isinstance(e, Keyring.Declared)]


def _actors(events: Sequence[Any]) -> list[str]:
    """Who the entries of one write say recorded them."""
    named = (getattr(event, "by", None) or (
        getattr(event, "actor", None) if event.originator_id == WARD_ID else None)
        for event in events)
    return [name for name in named if name]


def _same_actor(actors: Sequence[str], holder: str, key: str) -> None:
    """A seal says who wrote: refuse entries recorded in another actor's name."""
    for named in actors:
        if named != holder:
            raise Refused("these entries are recorded as {actor}, but signing key {key} is "
                          "{holder}'s: give --actor '{holder}' (or set AID_ACTOR), or use "
                          "{actor}'s own key", actor=named, key=key, holder=holder)


def _codes(quantities: dict[str, int]) -> dict[str, int]:
    return {code(key, N_("item code")): qty for key, qty in quantities.items()}


def _lots(expires: str | dict[str, str] | None) -> str | dict[str, str] | None:
    """One expiry for every item, or one per item (its code compared as the goods' are)."""
    if isinstance(expires, dict):
        return {code(key, N_("item code")): day for key, day in expires.items()}
    return expires



def _account(account: str | None) -> str | None:
    """A bank account's code (`--account`), when given."""
    return code(account, N_("bank account code")) if account is not None else None


def _actor(actor: str) -> str:
    """Who records: an empty name is refused by the ward, with how to give one."""
    return text(actor, "--actor") if clean(actor or "") else ""


def _group(group: str) -> str:
    """A household's group (tổ) may be left out, but not be unreadable or overlong."""
    return text(group, "--group") if clean(group or "") else ""
