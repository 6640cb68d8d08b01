"""`aid sync`: a ward's stored events, appended to the district's PostgreSQL store, link by link.

The district keeps each ward's copy in the tables a PostgreSQL ledger of that ward would have
(`aid_<code>_events` and `aid_<code>_chain`, named by the ward's code), at the ward's own
positions. So the district can recompute the ward's chain, and every report and audit that runs
on one ledger also runs on one ward's copy (`AID_DATABASE_URL=<district> AID_WARD=<code>`).

Each batch is one transaction holding that ward's lock in the district: read the last link the
district holds, check that the ward's stored link at that position is the same (else the ward
is a fork: an old backup with new entries, or another laptop using the same code), then COPY
the next rows and the ward's stored links. The district's trigger (`ledger/district/guard.py`)
recomputes every link from the one before and refuses the batch if one does not continue the
chain (the ward's own file was edited there); sync then names that position. A crash rolls the
batch back; the next run starts from what the district holds, so nothing is ever sent twice or
skipped.
Before anything is sent, the ward's whole ledger is verified up to the head it will send (every
link, and every seal with the keys the ward declared: `verify`, given by the command, since
the checks live on the read side); any finding past what the district holds refuses the sync,
naming its position, and nothing is copied. The district binds a ward code to the ledger's
identity (`ledger/trust/identity.py`) and its first declared key at the first sync: another
ledger claiming the code is refused until the district admits it (`aid district admit`). The
first batch creates the ward's tables and its registry row in the same transaction (PostgreSQL
DDL is transactional), and each batch folds the district's own read models (`fold`, also given
by the command) in the transaction that copies it: a sync killed anywhere leaves a prefix.
Rows are copied as stored, whatever their aggregate (ward entries, claims, and any other
aggregate that shares the stream), so sync never needs to know the events it carries.
Each batch is written by a thread of its own while the next is read, folded and made into COPY
text here (the district's work on one overlaps this program's on the next: a sync ~15%
sooner); the next is written only once the one before has committed, so a refusal still ends
the sync at the batch before it. A sync that finds the copy moved on (another sync of the
ward, between two of its batches) starts again from what the district holds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import islice
from typing import Any, Protocol
from uuid import UUID

from ledger.district import guard as sync_check
from ledger.district.models import DistrictModels
from ledger.errors import BadInput, Refused
from ledger.store.access import Address, EventLog, table_prefix
from ledger.store.decoding import loads
from ledger.trust.chain import GENESIS, StoredRow, links
from ledger.trust.identity import of_log
from ledger.ward import names

# (log, held, upto, each row's encoded bytes) -> the ledger's first key id
Verify = Callable[[EventLog, int, int, Callable[[bytes], None]], "str | None"]

REGISTRY = "aid_sync_wards"  # one row per ward the district holds a copy of
ADMITTED = "aid_sync_admitted"  # a ledger the district admits for a code already bound
HEX64 = re.compile(r"[0-9a-f]{64}")
BATCH = 5_000  # rows per transaction: bounded, as large PostgreSQL writes can stall
CODED = names.WARD + names.CODED
OPENED = names.WARD + names.OPENED


@dataclass(frozen=True)
class Sent:
    """One batch the district accepted: positions first..last, `count` rows."""

    first: int
    last: int
    count: int


@dataclass(frozen=True)
class Status:
    """How far the district's copy of a ward is behind the ward's ledger."""

    code: str
    ward_head: int  # the ledger's last position
    district_head: int  # the last position the district holds (0: nothing yet)
    behind: int  # events the district does not hold yet
    synced: datetime | None  # when the district last accepted a batch
    departs: int | None = None  # where the district's copy parts from this ledger (a fork)
    older: bool = False  # this ledger is a prefix of the district's copy: an older copy
    identity: str = ""  # this ledger's identity (ledger/trust/identity.py)
    other: str | None = None  # the identity the code is bound to, when it is another ledger


def identity(log: EventLog) -> tuple[str, str]:
    """(district code, ward name) from the ward's own events; a ledger without a code is
    refused, saying how to give it one."""
    found = {topic: json.loads(state) for _, topic, state in log.of_topics(OPENED, CODED)}
    if CODED not in found:
        raise BadInput("this ledger has no ward code yet: give it one with `aid ward code CODE` "
                       "(once; the district knows the ward by it)")
    return found[CODED]["code"], found.get(OPENED, {}).get("name", "")


def district_url(url: str | None) -> str:
    if not url:
        raise BadInput("say where the district's store is: postgresql://… after --to (aid "
                       "sync) or --url (aid district …), or in AID_DISTRICT_URL")
    if not url.startswith(("postgresql://", "postgres://")):
        raise BadInput("the district's store must be PostgreSQL (postgresql://…), not '{url}'",
                       url=url)
    from urllib.parse import parse_qs, urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - read for the ValueError a port that is no port raises
    except ValueError:
        raise BadInput("the district's address '{url}' is not one aid can use: write it as "
                       "postgresql://USER@HOST:PORT/DISTRICT (a port is a number up to 65535)",
                       url=url) from None
    if not parts.path.strip("/") and "dbname" not in parse_qs(parts.query):
        # libpq would pick a database named after the user: the district's tables would land
        # wherever that is, without a word
        raise BadInput("name the district's database in its address, e.g. "
                       "postgresql://HOST/DISTRICT, not '{url}'", url=url)
    return url


class District:
    """The district's PostgreSQL store: the registry of wards and each ward's copy."""

    def __init__(self, url: str) -> None:
        import psycopg
        from psycopg.types.json import set_json_loads

        self.url = district_url(url)
        self.connection = psycopg.connect(self.url, autocommit=True)
        # no JIT: the district's aggregates over millions of facts look costly enough for
        # PostgreSQL to compile them, which took longer than running them (0.27 of 0.54 s).
        # A SET, not a start-up option, which connection poolers such as PgBouncer refuse.
        self.connection.execute("SET jit = off")
        # each ward's books are one JSON document, read by every report: orjson, not json
        set_json_loads(_json, self.connection)
        self.refusal = psycopg.errors.RaiseException  # the district's own checks said no

    def close(self) -> None:
        self.connection.close()

    # ---- the registry -------------------------------------------------------------------

    def wards(self) -> list[tuple[str, str, str]]:
        """(code, name, table prefix) of every ward the district holds, by code."""
        if not self._has(REGISTRY):
            return []
        return self.connection.execute(
            f"SELECT code, name, prefix FROM {REGISTRY} ORDER BY code").fetchall()

    def registry(self) -> list[dict[str, Any]]:
        """Every ward the district holds: code, name, last position held, last sync."""
        if not self._has(REGISTRY):
            return []
        rows = self.connection.execute(
            f"SELECT code, name, head, synced FROM {REGISTRY} ORDER BY code").fetchall()
        return [{"ward": code, "name": name, "position": head,
                 "synced": synced.isoformat(timespec="seconds") if synced else None}
                for code, name, head, synced in rows]

    def address(self, prefix: str) -> Address:
        return Address(url=self.url, ward=prefix)

    def prepare(self) -> None:
        """The district's own tables (registry, admissions, witnessed checkpoints) and the
        guard's functions, made once; older registries get their identity and key columns, and
        a guard function that is not this release's is made again. Its own transaction, under
        `aid init`'s DDL lock, and only when something is missing or stale (ALTER TABLE would
        wait for every sync in progress)."""
        # not imported with this module: the district's reports need none of it
        from ledger.district import witness

        stale = self._stale_functions()
        if not stale and self._has(ADMITTED) and self._has(witness.TABLE) and \
                self.connection.execute(
                    "SELECT 1 FROM information_schema.columns WHERE table_name = %s AND "
                    "column_name = 'signing_key'", (REGISTRY,)).fetchone():
            return
        with self.connection.transaction():
            self.connection.execute("SELECT pg_advisory_xact_lock(hashtext('aid-ledger ddl'))")
            for name in self._stale_functions():  # again, under the lock: another sync may
                self._remake(name)                    # have made them
            self.connection.execute(
                f"CREATE TABLE IF NOT EXISTS {REGISTRY} (code TEXT PRIMARY KEY, name TEXT NOT "
                "NULL, prefix TEXT NOT NULL UNIQUE, head BIGINT NOT NULL DEFAULT 0, synced "
                "TIMESTAMPTZ)")
            self.connection.execute(f"ALTER TABLE {REGISTRY} ADD COLUMN IF NOT EXISTS identity "
                                    "TEXT, ADD COLUMN IF NOT EXISTS signing_key TEXT")
            self.connection.execute(
                f"CREATE TABLE IF NOT EXISTS {ADMITTED} (code TEXT PRIMARY KEY, identity TEXT "
                "NOT NULL, admitted TIMESTAMPTZ NOT NULL DEFAULT now())")
            witness.ensure_table(self.connection)

    def _remake(self, name: str) -> None:
        """Make one of the guard's functions again; only its owner may (a district whose wards
        sync as roles of their own waits for that role's next sync)."""
        import psycopg

        try:
            with self.connection.transaction():  # a savepoint: the refusal names the owner
                self.connection.execute(sync_check.FUNCTIONS[name])
        except psycopg.errors.InsufficientPrivilege:
            owner = self.connection.execute(
                "SELECT pg_catalog.pg_get_userbyid(proowner) FROM pg_catalog.pg_proc WHERE oid "
                "= to_regproc(%s)", (name,)).fetchone()[0]
            raise Refused("the district's check of every link ({name}) is not this release's, "
                          "and only its owner, role {owner}, may make it again: run `aid sync` "
                          "once as {owner} (or ask the district's administrator); nothing was "
                          "sent", name=name, owner=owner) from None

    def _stale_functions(self) -> list[str]:
        """The guard's functions that are missing or not this release's (an earlier release's
        guard is replaced, for every copy, at the next sync)."""
        stored = {name: (source, settings) for name, source, settings in self.connection.execute(
            "SELECT p.proname, p.prosrc, p.proconfig FROM pg_catalog.pg_proc p WHERE p.oid = "
            "ANY(ARRAY[to_regproc('aid_sync_check_links'), to_regproc('aid_sync_only')]::oid[])")}
        return [name for name, statement in sync_check.FUNCTIONS.items()
                if stored.get(name) != (sync_check.body(statement), sync_check.SETTINGS)]

    def bound(self, code: str) -> tuple[str | None, str | None] | None:
        """(identity, signing key) the code is bound to, or None if no ward holds it. A copy
        synced before identities were kept is bound to its first link (the same thing)."""
        if not self._has(REGISTRY):
            return None
        row = self.connection.execute(f"SELECT prefix, identity, signing_key FROM {REGISTRY} "
                                      "WHERE code = %s", (code,)).fetchone()
        if row is None:
            return None
        prefix, bound, key = row
        if bound is None:
            first = self.connection.execute(f"SELECT link FROM {prefix}_chain ORDER BY "
                                            "position LIMIT 1").fetchone()
            bound = first[0] if first else None
        return bound, key

    def admitted(self, code: str) -> str | None:
        """The identity the district admitted for `code`, if it did."""
        if not self._has(ADMITTED):
            return None
        row = self.connection.execute(f"SELECT identity FROM {ADMITTED} WHERE code = %s",
                                      (code,)).fetchone()
        return row[0] if row else None

    def admit(self, code: str, identity_hex: str) -> tuple[str | None, bool]:
        """Admit the ledger `identity_hex` as ward `code`: (the identity the code is bound to
        now, whether anything changed). Its next sync sets the other copy aside."""
        if not HEX64.fullmatch(identity_hex):
            raise BadInput("--identity must be a ledger's identity: 64 hexadecimal digits, as "
                           "`aid sync` prints it when the district refuses it, not '{text}'",
                           text=identity_hex[:80])
        self.prepare()
        bound = self.bound(code)
        if bound is not None and bound[0] == identity_hex:  # the ledger that holds it: an
            # admission of another one, pending, is withdrawn (a mistyped identity undone)
            withdrawn = self.connection.execute(f"DELETE FROM {ADMITTED} WHERE code = %s",
                                                (code,)).rowcount
            return bound[0], bool(withdrawn)
        self.connection.execute(
            f"INSERT INTO {ADMITTED} (code, identity) VALUES (%s, %s) ON CONFLICT (code) DO "
            "UPDATE SET identity = excluded.identity, admitted = now()", (code, identity_hex))
        return (bound[0] if bound else None), True

    def claim(self, code: str, name: str, me: str, key: str | None) -> str:
        """Within the ward's lock: the table prefix of ward `code` for the ledger `me` (its
        identity) whose first declared key is `key`. Makes the ward's tables and registry row
        the first time (in the caller's transaction: a kill leaves neither), replaces a copy
        the district admitted another ledger over, binds a key first seen now, and refuses a
        ledger the code is not bound to."""
        prefix = table_prefix(code)
        bound = self.bound(code)
        admitted = self.admitted(code)
        if admitted is not None and admitted != me:  # admitted over whoever holds it now
            raise self.replaced(code, admitted, me, bound)
        if bound is None or bound[0] != me:
            if bound is not None and admitted != me:
                raise self._squatter(code, bound[0], me)
            if bound is not None:
                self._set_aside(code, prefix, bound[0])
            self._create(code, name, prefix, me, key, admitted)
            return prefix
        bound_key = bound[1]
        if bound_key is not None and key != bound_key:
            raise Refused("ward {code} signs with key {bound} at the district, but this ledger's "
                          "first key is {key}; nothing was sent", code=code, bound=bound_key,
                          key=key or "-")
        self.connection.execute(f"UPDATE {REGISTRY} SET identity = %s, signing_key = "
                                "coalesce(signing_key, %s) WHERE code = %s", (me, key, code))
        return prefix

    def _one_code(self, code: str, me: str, admitted: str | None) -> None:
        """A ledger is one ward: the same ledger under a second code would be counted twice
        (its code is edited, or was changed by `aid ward code`). The district moves it only
        when it admitted the ledger under the new code; the old code's copy is set aside."""
        row = self.connection.execute(f"SELECT code, prefix FROM {REGISTRY} WHERE identity = "
                                      "%s AND code <> %s", (me, code)).fetchone()
        if row is None:
            return
        if admitted != me:
            raise Refused("this ledger (identity {me}) is already ward {other} at the district, "
                          "and one ledger is one ward (it would be counted twice); nothing was "
                          "sent. If its code really changed to {code}, the district moves it "
                          "with `aid district admit {code} --identity {me}`", code=code,
                          other=row[0], me=me)
        self._set_aside(row[0], row[1], me)

    @staticmethod
    def replaced(code: str, admitted: str, me: str,
                 bound: tuple[str | None, str | None] | None) -> Refused:
        """The refusal of a ledger the district no longer takes as `code`: it admitted another
        (`admitted`), whose next sync replaces the copy."""
        if bound is not None and bound[0] == me:
            return Refused("the district admitted another ledger (identity {admitted}) as ward "
                           "{code}, to replace this one's copy at its next sync; nothing was "
                           "sent. If that was a mistake, the district withdraws it with `aid "
                           "district admit {code} --identity {me}`", code=code,
                           admitted=admitted[:16] + "…", me=me)
        return Refused("the district admitted another ledger (identity {admitted}) as ward "
                       "{code}; nothing was sent. If this ledger is the genuine ward {code}, the "
                       "district admits it with `aid district admit {code} --identity {me}`",
                       code=code, admitted=admitted[:16] + "…", me=me)

    @staticmethod
    def _squatter(code: str, holder: str, me: str) -> Refused:
        return Refused("the district holds another history for ward {code} from position 1: "
                       "ward {code} is bound to another ledger (identity {holder}); nothing was "
                       "sent. If this ledger is the genuine ward {code}, the district admits it "
                       "with `aid district admit {code} --identity {me}`",
                       code=code, holder=holder[:16] + "…", me=me)

    def _create(self, code: str, name: str, prefix: str, me: str, key: str | None,
                admitted: str | None) -> None:
        self.connection.execute("SELECT pg_advisory_xact_lock(hashtext('aid-ledger ddl'))")
        self._one_code(code, me, admitted)  # under the lock every new ward's sync takes
        if self._has(f"{prefix}_events"):
            raise Refused("the district's database already has tables {prefix}_… that are "
                          "not a synced ward's copy; give the district a database of its "
                          "own", prefix=prefix)
        self._create_tables(prefix)
        self.connection.execute(f"INSERT INTO {REGISTRY} (code, name, prefix, identity, "
                                "signing_key) VALUES (%s, %s, %s, %s, %s)",
                                (code, name, prefix, me, key))
        self.connection.execute(f"DELETE FROM {ADMITTED} WHERE code = %s", (code,))

    def _set_aside(self, code: str, prefix: str, holder: str) -> None:
        """Move the copy of the ledger the code was bound to into a schema of its own (kept,
        never read by the reports), and forget its registry row and read models."""
        from ledger.district import witness

        schema = f"{prefix}_set_aside_{holder[:12]}"
        self.connection.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        for suffix in ("events", "chain", "snapshots"):
            if self._has(f"{prefix}_{suffix}"):
                self.connection.execute(f"ALTER TABLE {prefix}_{suffix} SET SCHEMA {schema}")
        self.connection.execute(f"DELETE FROM {REGISTRY} WHERE code = %s", (code,))
        witness.set_aside(self.connection, code, schema)
        DistrictModels(self.connection).forget(code)  # in the same transaction

    def registered(self, code: str) -> bool:
        return self._has(REGISTRY) and self.connection.execute(
            f"SELECT 1 FROM {REGISTRY} WHERE code = %s", (code,)).fetchone() is not None

    def _has(self, table: str) -> bool:
        return self.connection.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] \
            is not None

    def _create_tables(self, prefix: str) -> None:
        """The library's own tables for a ledger named `prefix` (and its chain table), and
        the district's own check of every link inserted (`ledger/district/guard.py`), all on
        this connection, in the caller's transaction."""
        import psycopg

        from ledger.service import Ledger
        from ledger.store.access import library_env

        ledger = Ledger(library_env(self.address(prefix), create=False), name=prefix)
        try:
            recorders = [ledger.recorder]
            if ledger.snapshots is not None:
                recorders.append(ledger.snapshots.recorder)
            statements = [statement.as_string() for recorder in recorders
                          for statement in recorder.sql_create_statements]
        finally:
            ledger.close()
        for statement in statements:
            if "CREATE TYPE" in statement:  # no IF NOT EXISTS for types: another ward's
                try:
                    with self.connection.transaction():  # a savepoint
                        self.connection.execute(statement)
                except psycopg.errors.DuplicateObject:
                    pass
            else:
                self.connection.execute(statement)
        for statement in sync_check.triggers(prefix):
            self.connection.execute(statement)

    # ---- one ward's copy ----------------------------------------------------------------

    def held(self, prefix: str) -> tuple[int, str]:
        """(last position, its link) the district holds for this ward; (0, GENESIS) if none."""
        row = self.connection.execute(f"SELECT position, link FROM {prefix}_chain "
                                      "ORDER BY position DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row else (0, GENESIS)

    def links(self, prefix: str) -> list[tuple[int, str]]:
        return self.connection.execute(
            f"SELECT position, link FROM {prefix}_chain ORDER BY position").fetchall()

    def synced(self, code: str) -> datetime | None:
        row = self.connection.execute(f"SELECT synced FROM {REGISTRY} WHERE code = %s",
                                      (code,)).fetchone()
        return row[0] if row else None

    def append(self, code: str, prefix: str, batch: Batch) -> None:
        """COPY a batch's rows (at their own positions) and links into the ward's copy."""
        with self.connection.cursor() as cursor:
            with cursor.copy(f"COPY {prefix}_events (notification_id, originator_id, "
                             "originator_version, topic, state) FROM STDIN") as copy:
                copy.write(batch.events_text)
            with cursor.copy(f"COPY {prefix}_chain (position, link) FROM STDIN") as copy:
                copy.write(batch.links_text)
            cursor.execute(f"UPDATE {REGISTRY} SET head = %s, synced = now() WHERE code = %s",
                           (batch.rows[-1][0], code))

    @contextmanager
    def ward_lock(self, prefix: str) -> Iterator[None]:
        """One transaction holding this ward's lock: one sync of a ward at a time."""
        with self.connection.transaction():
            self.connection.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                                    ("aid-sync " + prefix,))
            self.connection.execute("SET LOCAL aid.sync = 'on'")  # see ledger/district/guard.py
            yield


def _json(data: Any) -> Any:
    """A JSON column as `json.loads` reads it, three times faster (ledger/store/decoding.py)."""
    return loads(bytes(data))


def copy_text(rows: list[StoredRow]) -> bytes:
    """Stored rows in COPY's text format, built in one pass (psycopg's row-by-row formatting,
    in pure Python, cost three times the rest of a sync). Positions and versions are integers,
    ids 32 hex digits and states hex (`\\x…`), so only a topic could need escaping: a topic
    with a tab, newline or backslash is refused rather than escaped by hand."""
    lines = []
    for position, originator, version, topic, state in rows:
        aggregate = (originator if type(originator) is str and _HEX32.fullmatch(originator)
                     else _uuid(originator).hex)  # as SQLite stores ids: no UUID() per row
        if _UNSAFE.search(topic):
            raise Refused("position {position} has a topic that cannot be copied as is: "
                          "'{topic}'", position=position, topic=topic)
        lines.append(f"{int(position)}\t{aggregate}\t{int(version)}\t{topic}"
                     f"\t\\\\x{bytes(state).hex()}\n")
    return "".join(lines).encode()


_UNSAFE = re.compile(r"[\t\n\r\\]")
_HEX32 = re.compile(r"[0-9a-f]{32}")


def _uuid(originator: Any) -> UUID:
    return originator if isinstance(originator, UUID) else UUID(str(originator))


def sync(log: EventLog, url: str, batch: int = BATCH,
         told: Callable[[Sent], None] = lambda sent: None, verify: Verify | None = None,
         fold: Fold | None = None, witnessed: Callable[[Any], None] = lambda checkpoint: None,
         ) -> tuple[str, list[Sent], int]:
    """Append what the district lacks of this ward, batch by batch; `told(sent)` after each
    batch commits. `verify(log, held, upto, each)` checks the ledger before anything is sent
    (it raises to refuse, and returns the ledger's first declared key id), handing each row's
    encoded bytes to `each`: the witness's Merkle tree is built from them, in the same read;
    `fold` (a `Fold`) brings the district's read models up to each batch, in its transaction;
    `witnessed(checkpoint)` hears what the district co-signed once all is sent (issue 26).
    Returns (code, batches sent, the district's head for the ward)."""
    from ledger.district import witness  # issue 26: the district as witness

    code, name = identity(log)
    me = of_log(log)
    district_key = witness.district_key()
    district = District(url)
    try:
        district.prepare()
        bound = district.bound(code)
        admitted = district.admitted(code)
        if admitted is not None and admitted != me:  # before reading the whole ledger
            raise district.replaced(code, admitted, me, bound)
        if bound is not None and bound[0] != me and admitted != me:
            raise district._squatter(code, bound[0], me)
        mine = bound is not None and bound[0] == me  # else a first sync, or a replacement
        replacing = bound is not None and not mine
        held = district.held(table_prefix(code))[0] if mine else 0
        upto = log.head()
        roots = witness.roots_to_check(district.connection, code, replacing)
        key = verify(log, held, upto, roots.add) if verify is not None else None
        try:  # issue 26: a refusal is raised once sync's own checks (fork, chain) have passed
            checked: Any = witness.check(log, district.connection, code, replacing,
                                         roots if verify is not None else None)
        except Refused as refusal:
            checked = refusal
        sending = Sending(code, name, me, key, upto, batch, fold)
        sent: list[Sent] = []
        while not _send(log, district, sending, sent, told, mine):
            mine = True  # another sync of the ward moved the copy meanwhile: go on from there
        witnessed(witness.cosign(district.connection, checked, district_key))
        return code, sent, district.held(table_prefix(code))[0]
    finally:
        district.close()


class Fold(Protocol):
    """The district's read models of the ward, brought up to each batch it copies
    (projections/district.py's `Folder`; given by the command: folding is the read side's)."""

    def start(self, connection: Any, code: str, prefix: str, fresh: bool) -> None:
        """Read the models as stored, before the batches (nothing is being written); `fresh`:
        start from none (a first sync, or one replacing the copy of another ledger, whose
        models the first batch forgets)."""

    def fold(self, rows: list[StoredRow]) -> Any:
        """Fold the next batch in memory and return what changed, ready to write (no
        database: it runs while the batch before is being written)."""

    def save(self, connection: Any, code: str, changes: Any) -> None:
        """Write what `fold` returned, in the transaction that copies its batch."""


@dataclass(frozen=True)
class Sending:
    """What one sync sends: the ward, the ledger's identity and key, up to where, and how."""

    code: str
    name: str
    me: str
    key: str | None
    upto: int
    batch: int
    fold: Fold | None


@dataclass(frozen=True)
class Batch:
    """The next rows, read and made ready while the batch before them is being written (all
    the work in Python is done here, so that the writing thread only waits on the district)."""

    after: int  # the position they follow: what the district must hold when they are written
    after_link: str  # this ledger's stored link there (GENESIS at 0)
    rows: list[StoredRow]
    links: dict[int, str]  # this ledger's stored link of each row
    events_text: bytes  # the rows, and their links, as COPY reads them
    links_text: bytes
    changes: Any  # the fold's, for the district's read models


class _Moved(Exception):
    """The district's copy is not where this sync left it: another sync of the ward ran."""


def _send(log: EventLog, district: District, sending: Sending, sent: list[Sent],
          told: Callable[[Sent], None], mine: bool) -> bool:
    """Send every batch, each written by a thread of its own while the next is read and
    folded here: the district's work on one overlaps this program's on the next. True when
    all is sent; False when the copy moved under it (start again from what it holds)."""
    from concurrent.futures import ThreadPoolExecutor

    prefix = table_prefix(sending.code)
    held, held_link = district.held(prefix) if mine else (0, GENESIS)
    if held:
        _continues(log, district, sending.code, prefix, held, held_link, sending.upto)
    if sending.fold is not None:
        sending.fold.start(district.connection, sending.code, prefix, fresh=not mine)
    claim = not mine  # the first batch claims the code (and makes the copy)
    with ThreadPoolExecutor(1, thread_name_prefix="aid-sync") as writer:
        pending = None
        try:
            for batch in _batches(log, held, held_link, sending):
                if pending is not None:
                    told(_done(pending.result(), sent))
                pending = writer.submit(_write, district, sending, prefix, batch, claim)
                claim = False
            if pending is not None:
                told(_done(pending.result(), sent))
        except _Moved:
            return False
        finally:
            if pending is not None and not pending.done():
                pending.exception()  # the write in flight ends before anything else
    return True


def _done(batch_sent: Sent, sent: list[Sent]) -> Sent:
    sent.append(batch_sent)
    return batch_sent


def _batches(log: EventLog, held: int, held_link: str, sending: Sending) -> Iterator[Batch]:
    """The batches after `held`, each read, linked, folded and made into COPY text."""
    after, after_link = held, held_link
    while True:
        rows = list(islice(log.stored(after, sending.upto, sending.batch), sending.batch))
        if not rows:
            return
        stored = dict(log.links(after, rows[-1][0]))
        changes = sending.fold.fold(rows) if sending.fold is not None else None
        links_text = "".join(f"{row[0]}\t{stored.get(row[0], '')}\n" for row in rows)
        yield Batch(after, after_link, rows, stored, copy_text(rows), links_text.encode(),
                    changes)
        after, after_link = rows[-1][0], stored.get(rows[-1][0], "")


def _write(district: District, sending: Sending, prefix: str, batch: Batch,
           claim: bool) -> Sent:
    """Append one batch with the ward's stored links, and its folded models, in one
    transaction holding the ward's lock; the district's trigger recomputes every link. Only
    when it refuses are the links recomputed here, to name the first position that does not
    continue the chain."""
    rows = batch.rows
    with district.ward_lock(prefix):
        if claim:
            district.claim(sending.code, sending.name, sending.me, sending.key)
        if district.held(prefix) != (batch.after, batch.after_link):
            raise _Moved()
        try:
            district.append(sending.code, prefix, batch)
        except district.refusal:
            position = next((position for position, expected in links(batch.after_link, rows)
                             if batch.links.get(position) != expected), None)
            if position is None:  # refused for another reason: say the district's own words
                raise
            raise Refused("this ledger's chain does not continue at position {position} (its "
                          "stored link does not match its event); nothing from there was "
                          "sent: run `aid audit verify` and restore the ledger from a backup",
                          position=position) from None
        if sending.fold is not None:
            sending.fold.save(district.connection, sending.code, batch.changes)
    return Sent(rows[0][0], rows[-1][0], len(rows))


def _continues(log: EventLog, district: District, code: str, prefix: str, held: int,
               held_link: str, upto: int) -> None:
    """Refuse unless the district's copy is a prefix of this ledger, naming where they part."""
    mine = dict(log.links(held - 1, held)).get(held)
    if mine == held_link:
        return
    position = departure(log, district.links(prefix))
    if position is None:  # every link the two share agrees: this ledger is an older copy
        raise Refused("the district already holds ward {code} up to position {held}, this "
                      "ledger only up to {upto}: it is an older copy; sync from the ledger with "
                      "the latest entries", code=code, held=held, upto=upto)
    if position == 1:
        raise Refused("the district holds another history for ward {code} from position 1: "
                      "another ledger already syncs as ward {code}; nothing was sent",
                      code=code)
    raise Refused("this ledger departs from the district's copy of ward {code} at position "
                  "{position}: it is a fork (an old backup with new entries, or a copy used on "
                  "two laptops); nothing was sent, see docs/district.md",
                  code=code, position=position)


def departure(log: EventLog, theirs: list[tuple[int, str]]) -> int | None:
    """The first position where this ledger's links and the district's differ (a position
    one holds and the other lacks counts), or None if one is a prefix of the other."""
    district = iter(theirs)
    for (position, link), (other, other_link) in zip(log.links(), district):
        if position != other or link != other_link:
            return min(position, other)
    return None


def status(log: EventLog, url: str) -> Status:
    """How far the district's copy of this ward is behind, without writing anything."""
    code, _ = identity(log)
    me = of_log(log) or ""
    district = District(url)
    try:
        head = log.head()
        bound = district.bound(code)
        if bound is None:
            return Status(code, head, 0, log.count(after=0), None, identity=me)
        if bound[0] != me:
            return Status(code, head, 0, log.count(after=0), None, identity=me, other=bound[0])
        prefix = table_prefix(code)
        held, held_link = district.held(prefix)
        found = Status(code, head, held, log.count(after=held), district.synced(code),
                       identity=me)
        mine = dict(log.links(held - 1, held)).get(held) if held else GENESIS
        if mine == held_link:
            return found
        position = departure(log, district.links(prefix))
        return replace(found, departs=position, older=position is None)
    finally:
        district.close()

