"""The write API: the only way facts enter the ledger.

Each method loads the ward (from its latest snapshot), lets the aggregate check and record the
fact, and saves. When another writer saved first, the store's unique (id, version) constraint
rejects the save and the method simply tries again on the fresh ward, so rules such as "stock
never goes negative" hold across processes without locks.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, OperationalError

from .claims import claim, claim_id, receipt_key
from .errors import BadInput, Refused
from .inputs import code, ward_code
from .phrases import N_, Phrase
from .text import clean
from .ward import WARD_ID, Ward

ATTEMPTS = 200


@dataclass
class Written:
    """What a change wrote: its result (entry ids) and other aggregates to save with the ward."""

    result: Any
    aggregates: list[Any] = field(default_factory=list)


class Ledger(Application):
    """One ward's ledger on the eventsourcing library."""

    name = "aid"
    snapshotting_intervals = {Ward: 100}  # noqa: RUF012 - the library reads a class attribute

    def __init__(self, env: dict[str, str] | None = None, *, name: str | None = None) -> None:
        if name:
            self.name = name  # PostgreSQL table prefix: one ward's tables per name
        super().__init__(env)

    # ---- reading the write model --------------------------------------------------------

    def ward(self) -> Ward:
        try:
            return self.repository.get(WARD_ID)
        except AggregateNotFoundError:
            raise BadInput("this ledger has no ward yet: run `aid init --ward NAME` first") from None

    def entry(self, entry: int) -> Ward.Event:
        """The event recorded as entry `entry`."""
        found = list(self.events.get(WARD_ID, gt=entry - 1, lte=entry)) if entry > 0 else []
        if not found:
            raise BadInput("there is no entry {entry}; see `aid history` for entry ids",
                           entry=entry)
        return found[0]

    # ---- declarations -------------------------------------------------------------------

    def init(self, ward: str, on: str, actor: str, code: str | None = None) -> int:
        name = clean(ward)
        if not name:
            raise BadInput("--ward must name the ward, e.g. --ward 'Phường 3'")
        district_code = ward_code(code) if code is not None else None
        if WARD_ID in self.repository:
            raise Refused("this ledger already holds ward {name}; use another --db for another "
                          "ward", name=self.ward().name)
        opened = Ward(name=name, on=on, actor=clean(actor))
        entry = opened.version  # "recorded entry 1", with or without a code
        if district_code:  # saved with the opening, as entry 2
            opened.fix_code(district_code, on, clean(actor))
        pending = list(opened.pending_events)
        try:
            self.save(opened)
        except IntegrityError:
            if self._already_saved(pending):
                return entry
            raise Refused("this ledger already holds ward {name}; use another --db for another "
                          "ward", name=self.ward().name) from None
        return entry

    def set_code(self, code: str, on: str, actor: str) -> int:
        """Fix the district code of a ledger opened without one (`aid ward code`)."""
        return self.write(lambda w: w.fix_code(ward_code(code), on, clean(actor)))

    def add_item(self, item: str, name: str, unit: str, value: int | None, on: str,
                 actor: str) -> int:
        return self.write(lambda w: w.declare_item(
            code(item, N_("item code")), clean(name), clean(unit), value, on, clean(actor)))

    def add_location(self, location: str, name: str, kind: str, on: str, actor: str) -> int:
        return self.write(lambda w: w.declare_location(
            code(location, N_("location code")), clean(name), clean(kind), on, clean(actor)))

    def add_donor(self, donor: str, name: str, anonymous: bool, on: str, actor: str) -> int:
        return self.write(lambda w: w.declare_donor(
            code(donor, N_("donor code")), clean(name), anonymous, on, clean(actor)))

    def add_recipient(self, recipient: str, name: str, group: str, size: int, tier: int,
                      phone: str | None, on: str, actor: str) -> int:
        return self.write(lambda w: w.declare_recipient(
            code(recipient, N_("recipient code")), clean(name), clean(group), size, tier,
            clean(phone) if phone else None, on, clean(actor)))

    def define_bundle(self, bundle: str, name: str, recipe: dict[str, int], cash: int,
                      on: str, actor: str) -> int:
        return self.write(lambda w: w.define_bundle(
            code(bundle, N_("bundle code")), clean(name), _codes(recipe), cash, on, clean(actor)))

    # ---- facts --------------------------------------------------------------------------

    def donate(self, donor: str, location: str, cash: int, goods: dict[str, int],
               receipt: str | None, note: str | None, on: str, actor: str) -> int:
        receipt = clean(receipt) if receipt else None
        claims = [receipt_key(receipt)] if receipt else []
        return self.write(lambda w: w.donate(
            code(donor), code(location), cash, _codes(goods), receipt,
            clean(note) if note else None, on, clean(actor)), claims)

    def buy(self, location: str, cash: int, goods: dict[str, int], supplier: str | None,
            on: str, actor: str) -> int:
        return self.write(lambda w: w.buy(
            code(location), cash, _codes(goods), clean(supplier) if supplier else None,
            on, clean(actor)))

    def pack(self, bundle: str, count: int, location: str, on: str, actor: str) -> int:
        return self.write(lambda w: w.pack(code(bundle), count, code(location), on, clean(actor)))

    def unpack(self, bundle: str, count: int, location: str, on: str, actor: str) -> int:
        return self.write(lambda w: w.unpack(code(bundle), count, code(location), on,
                                               clean(actor)))

    def give(self, recipient: str, location: str, bundles: dict[str, int],
             goods: dict[str, int], cash: int, on: str, actor: str) -> int:
        return self.write(lambda w: w.give(
            code(recipient), code(location), _codes(bundles), _codes(goods), cash, on,
            clean(actor)))

    def transfer(self, source: str, target: str, goods: dict[str, int], on: str,
                 actor: str) -> int:
        return self.write(lambda w: w.transfer(
            code(source), code(target), _codes(goods), on, clean(actor)))

    def adjust(self, location: str, changes: dict[str, int], reason: str, on: str,
               actor: str) -> int:
        return self.write(lambda w: w.adjust(
            code(location), _codes(changes), clean(reason), on, clean(actor)))

    def count(self, location: str, counted: dict[str, int], variance_reason: str | None,
              on: str, actor: str) -> int:
        return self.write(lambda w: w.count(
            code(location), _codes(counted), clean(variance_reason) if variance_reason else None,
            on, clean(actor)))

    def reverse(self, entry: int, reason: str, actor: str) -> int:
        original = self.entry(entry)
        return self.write(lambda w: w.reverse(original, clean(reason), clean(actor)))

    def claimed(self, keys: Sequence[str]) -> set[str]:
        """Which of these once-only keys (receipts, import rows) are already used: one query
        per thousand keys, for imports of a million rows."""
        by_id = {claim_id(key): key for key in keys}
        ids = list(by_id)
        found: set[str] = set()
        for start in range(0, len(ids), 1000):
            found.update(by_id[i] for i in _existing(self.recorder, ids[start:start + 1000]))
        return found

    # ---- saving -------------------------------------------------------------------------

    def write(self, change: Callable[[Ward], Any], claims: Sequence[str] = ()) -> Any:
        """Apply `change` to the current ward and save atomically, retrying if another writer won.

        `change` returns the new entry id (or a list of them), or `Written(result, aggregates)`
        when other aggregates (a voucher, say) must be saved in the same transaction. `claims`
        are keys used once (receipts, import rows), claimed by the first entry.
        """
        for attempt in range(ATTEMPTS):
            ward = self.ward()
            outcome = change(ward)
            written = outcome if isinstance(outcome, Written) else Written(outcome)
            result = written.result
            first = (result[0] if result else None) if isinstance(result, list) else result
            pending = list(ward.pending_events)
            try:
                self._save(ward, [*written.aggregates, *(claim(key, first) for key in claims)])
                return result
            except IntegrityError:
                if self._already_saved(pending):
                    return result
                self._refuse_used_claims(claims)
            except OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise
            time.sleep(random.uniform(0, 0.005 * min(attempt + 1, 20)))
        raise Refused("the ledger is busy with other writers; nothing was recorded, try again")

    def _already_saved(self, pending: list[Any]) -> bool:
        """Whether an insert that reported a conflict had in fact committed (the database
        driver retries an insert whose acknowledgement was lost): the row stored at our first
        event's version is then ours byte for byte — same timestamp, actor and content, which
        another writer's event never is."""
        if not pending:
            return False
        first = pending[0]
        stored = self.recorder.select_events(first.originator_id,
                                             gt=first.originator_version - 1,
                                             lte=first.originator_version)
        mine = self.mapper.to_stored_event(first)
        return bool(stored) and (stored[0].topic, bytes(stored[0].state)) == (mine.topic,
                                                                               mine.state)

    def _refuse_used_claims(self, claims: Sequence[str]) -> None:
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
        self.recorder.insert_events([self.mapper.to_stored_event(e) for e in events])
        interval = self.snapshotting_intervals[Ward]
        if first and last // interval > (first - 1) // interval and self.snapshots is not None:
            # One snapshot per save, taken from memory, however many events a batch appended.
            self.snapshots.put([Ward.Snapshot.take(ward)])


def _existing(recorder: Any, ids: list[UUID]) -> list[UUID]:
    """The given aggregate ids that have a first event stored."""
    table = recorder.events_table_name
    if not ids:
        return []
    with recorder.datastore.transaction(commit=False) as cursor:
        if hasattr(recorder.datastore, "schema"):  # PostgreSQL
            from psycopg.sql import SQL, Identifier

            cursor.execute(SQL("SELECT originator_id FROM {}.{} WHERE originator_version = 1 "
                               "AND originator_id = ANY(%s)").format(
                Identifier(recorder.datastore.schema), Identifier(table)), (ids,))
            return [row["originator_id"] for row in cursor.fetchall()]
        marks = ",".join("?" * len(ids))
        cursor.execute(f"SELECT originator_id FROM {table} WHERE originator_version = 1 "
                       f"AND originator_id IN ({marks})", [i.hex for i in ids])
        return [UUID(row[0]) for row in cursor.fetchall()]


def _codes(quantities: dict[str, int]) -> dict[str, int]:
    return {code(key, N_("item code")): qty for key, qty in quantities.items()}

