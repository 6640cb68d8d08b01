"""The tables the district keeps its own read models of each ward in (issue #27).

What goes in them is the read side's business (`projections/district.py` folds each ward's
copied events into books, households, pseudonyms and facts); how they are stored, created,
migrated and queried is the district store's, so no SQL lives on the read side. Per ward:

- `aid_district_folded`: its books (stock and cash by business date, JSON) with the position
  they reach and a checksum of both (`checksum`: no secret, so it turns away figures edited by
  hand, as the ward's own read models do; `aid district rebuild` finds the rest);
- `aid_district_households`: each household's group and tier, and how many hand-outs it
  received (kept by every fold, so coverage over the whole drive reads households alone);
- `aid_district_pseudonyms`: the keyed pseudonym of a household's ID number, where recorded;
- `aid_district_facts`: its hand-outs and donations (entry, kind, party, business date),
  reversed entries removed;
- `aid_district_items`: the district's catalogue mapping a ward's item code to its own.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson

from ledger.errors import Refused
from ledger.phrases import N_
from ledger.store.access import EventLog

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS aid_district_folded (ward TEXT PRIMARY KEY, position BIGINT "
    "NOT NULL, books JSONB NOT NULL, checksum TEXT)",
    # + served. Room left on each page: every sync batch updates the count of the households
    # it served, and with room PostgreSQL updates in place (HOT) and prunes old versions. For
    # 200,000 households updated 20 times, full pages left the table 6 times as large (dead
    # versions until a vacuum), the updates 2.7 times and coverage's query 2.5 times as slow
    "CREATE TABLE IF NOT EXISTS aid_district_households (ward TEXT NOT NULL, code TEXT NOT "
    "NULL, grp TEXT NOT NULL, tier INT NOT NULL, PRIMARY KEY (ward, code)) WITH "
    "(fillfactor = 70)",
    "CREATE TABLE IF NOT EXISTS aid_district_pseudonyms (ward TEXT NOT NULL, household TEXT "
    "NOT NULL, pseudonym TEXT NOT NULL, PRIMARY KEY (ward, household))",
    "CREATE INDEX IF NOT EXISTS aid_district_pseudonyms_key ON aid_district_pseudonyms "
    "(pseudonym)",
    "CREATE TABLE IF NOT EXISTS aid_district_facts (ward TEXT NOT NULL, entry BIGINT NOT NULL, "
    "kind TEXT NOT NULL, party TEXT NOT NULL, on_date TEXT NOT NULL, PRIMARY KEY (ward, entry))",
    "CREATE INDEX IF NOT EXISTS aid_district_facts_dates ON aid_district_facts (kind, on_date)",
    "CREATE TABLE IF NOT EXISTS aid_district_items (ward TEXT NOT NULL, item TEXT NOT NULL, "
    "district_item TEXT NOT NULL, PRIMARY KEY (ward, item))",
)
PER_WARD = ("aid_district_folded", "aid_district_households", "aid_district_pseudonyms",
            "aid_district_facts")  # what a copy set aside or rebuilt forgets
DDL_LOCK = "SELECT pg_advisory_xact_lock(hashtext('aid-ledger ddl'))"
# whether the households table counts each household's hand-outs (an earlier release's did not)
SERVED = ("EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass("
          "'aid_district_households') AND attname = 'served' AND NOT attisdropped)")
EVER = ("", "9999-12-31")  # an open period, as business dates compare
# whether the folded books have their checksum (an earlier release's did not)
CHECKED = ("EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass("
           "'aid_district_folded') AND attname = 'checksum' AND NOT attisdropped)")

Fact = tuple[str, str, str]  # kind ("give" or "donate"), party, business date


@dataclass
class Stored:
    """One ward's stored models as a fold starts from them."""

    position: int = 0
    books: dict[str, Any] | None = None
    households: dict[str, tuple[str, int]] = field(default_factory=dict)  # code -> group, tier


def checksum(code: str, position: int, books: dict[str, Any] | None) -> str:
    """What a ward's folded books are stored with: SHA-256 of the ward, the position and the
    books in one canonical JSON (keys sorted: the database keeps JSONB in an order of its own)."""
    try:
        canonical = orjson.dumps(books, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # integers beyond 64 bits, which old ledgers may hold
        canonical = json.dumps(books, sort_keys=True).encode()
    return hashlib.sha256(f"{code}\n{position}\n".encode() + canonical).hexdigest()


class Tampered(Refused):
    """A ward's folded books no longer match their checksum: edited outside aid."""

    def __init__(self, code: str) -> None:
        super().__init__(N_("the district's stored figures of ward {code} do not match "
                            "their checksum (changed outside aid?): run `aid district "
                            "rebuild`, which names what differs and recomputes them from the "
                            "ward's copy"), code=code)


def _checked(code: str, position: int, books: Any, kept: str | None) -> Any:
    if books is not None and kept != checksum(code, position, books):
        raise Tampered(code)
    return books


@dataclass
class Changes:
    """What one fold changed: written by `save` in the caller's transaction."""

    position: int
    books: str  # JSON, made when the fold ends (its books go on changing with the next batch)
    checksum: str  # of the position and the books (`checksum`)
    households: dict[str, tuple[str, int]]  # those changed: code -> (group, tier)
    pseudonyms: dict[str, str]  # household -> pseudonym of its ID number
    facts: dict[int, Fact]  # entry -> fact, new since the last save
    deleted: set[int]  # entries reversed since the last save


def handouts_per_household(facts: dict[int, Fact]) -> Counter[str]:
    """How many hand-outs each household received among `facts`."""
    return Counter(party for kind, party, _on in facts.values() if kind == "give")


def copy_log(connection: Any, prefix: str) -> EventLog:
    """A ward's copy in the district as an event log, on the district's own connection (one
    connection per ward cost 10–15 ms each)."""
    from ledger.store.access import Address, PostgresEventLog

    return PostgresEventLog(Address(url="postgresql://", ward=prefix), writable=True,
                            connection=connection)


class DistrictModels:
    """The district's read-model tables, through the district's connection."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def _rows(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql, params).fetchall()

    def _one(self, sql: str, params: Any = ()) -> Any:
        row = self.connection.execute(sql, params).fetchone()
        return None if row is None else row[0]

    # ---- shape --------------------------------------------------------------------------

    def exists(self) -> bool:
        return self._one("SELECT to_regclass('aid_district_items')") is not None

    def ensure(self) -> None:
        """The tables, made once (in the caller's transaction when there is one); a district
        made by an earlier release gets its households' served counts, from its facts."""
        if self._one(f"SELECT to_regclass('aid_district_items') IS NOT NULL AND {SERVED} "
                     f"AND {CHECKED}"):
            return
        with self.connection.transaction():
            self.connection.execute(DDL_LOCK)
            for statement in SCHEMA:
                self.connection.execute(statement)
            if not self._one(f"SELECT {SERVED}"):
                self.connection.execute(
                    "ALTER TABLE aid_district_households ADD COLUMN served INT NOT NULL "
                    "DEFAULT 0, SET (fillfactor = 70)")
                self.connection.execute(
                    "UPDATE aid_district_households h SET served = f.n FROM (SELECT ward, "
                    "party, count(*) AS n FROM aid_district_facts WHERE kind = 'give' GROUP BY "
                    "ward, party) f WHERE f.ward = h.ward AND f.party = h.code")
            if not self._one(f"SELECT {CHECKED}"):  # books folded by an earlier release
                self.connection.execute("ALTER TABLE aid_district_folded ADD COLUMN checksum "
                                        "TEXT")
                for ward, position, books in self._rows(
                        "SELECT ward, position, books FROM aid_district_folded"):
                    self.connection.execute(
                        "UPDATE aid_district_folded SET checksum = %s WHERE ward = %s",
                        (checksum(ward, position, books), ward))

    @contextmanager
    def locked(self, prefix: str) -> Iterator[None]:
        """One transaction holding the ward's sync lock (the one `aid sync` takes)."""
        with self.connection.transaction():
            self.connection.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                                    ("aid-sync " + prefix,))
            yield

    def zones(self) -> dict[str, str]:
        """Each folded ward's clock by code (`aid timezone`, else the default one): the
        district's tables show when a ward synced on the ward's own clock, as `aid sync
        --status` says it in that ward."""
        from ledger.values.dates import DEFAULT_ZONE

        if self._one("SELECT to_regclass('aid_district_folded')") is None:
            return {}
        return {ward: zone or DEFAULT_ZONE for ward, zone in self._rows(
            "SELECT ward, books->>'timezone' FROM aid_district_folded")}

    # ---- one ward -----------------------------------------------------------------------

    def position(self, code: str) -> int:
        """The position the ward's stored models reach (0 before its first fold)."""
        return self._one("SELECT position FROM aid_district_folded WHERE ward = %s",
                         (code,)) or 0

    def copy_head(self, prefix: str) -> int:
        """The last position the ward's copy holds (0 before its first sync)."""
        if self._one("SELECT to_regclass(%s)", (f"{prefix}_chain",)) is None:
            return 0
        return self._one(f"SELECT max(position) FROM {prefix}_chain") or 0

    def load(self, code: str, households: bool = True, checked: bool = True) -> Stored:
        """The ward's stored models; without its households when only its books are read.
        `Tampered` if the books do not match their checksum (unless not `checked`)."""
        homes = {household: (group, tier) for household, group, tier in self._rows(
            "SELECT code, grp, tier FROM aid_district_households WHERE ward = %s", (code,))
            } if households else {}
        row = self.connection.execute("SELECT position, books, checksum FROM "
                                      "aid_district_folded WHERE ward = %s", (code,)).fetchone()
        if row is None:
            return Stored(households=homes)
        return Stored(row[0], _checked(code, *row) if checked else row[1], homes)

    def save(self, code: str, changes: Changes) -> None:
        """Write one fold's changes (in the caller's transaction)."""
        self.connection.execute(
            "INSERT INTO aid_district_folded (ward, position, books, checksum) VALUES (%s, "
            "%s, %s, %s) ON CONFLICT (ward) DO UPDATE SET position = excluded.position, books = "
            "excluded.books, checksum = excluded.checksum",
            (code, changes.position, changes.books, changes.checksum))
        with self.connection.cursor() as cursor:
            if changes.households:
                cursor.executemany(
                    "INSERT INTO aid_district_households (ward, code, grp, tier) VALUES "
                    "(%s, %s, %s, %s) ON CONFLICT (ward, code) DO UPDATE SET grp = excluded.grp, "
                    "tier = excluded.tier",
                    [(code, c, *changes.households[c]) for c in sorted(changes.households)])
            if changes.pseudonyms:
                cursor.executemany(
                    "INSERT INTO aid_district_pseudonyms (ward, household, pseudonym) VALUES "
                    "(%s, %s, %s) ON CONFLICT (ward, household) DO UPDATE SET pseudonym = "
                    "excluded.pseudonym", [(code, h, p) for h, p in changes.pseudonyms.items()])
            served: Counter[str] = Counter()  # hand-outs per household, net of this fold
            deleted = [entry for entry in changes.deleted if entry is not None]
            if deleted:
                served.subtract(party for kind, party in cursor.execute(
                    "DELETE FROM aid_district_facts WHERE ward = %s AND entry = ANY(%s) "
                    "RETURNING kind, party", (code, deleted)) if kind == "give")
            if changes.facts:
                with cursor.copy("COPY aid_district_facts (ward, entry, kind, party, on_date) "
                                 "FROM STDIN") as copy:
                    for entry, fact in changes.facts.items():
                        copy.write_row((code, entry, *fact))
                served.update(handouts_per_household(changes.facts))
            if any(served.values()):
                cursor.execute(
                    "UPDATE aid_district_households h SET served = h.served + d.n FROM unnest("
                    "%s::text[], %s::int[]) AS d (code, n) WHERE h.ward = %s AND h.code = d.code",
                    (list(served), list(served.values()), code))

    def forget(self, code: str) -> None:
        """Delete the ward's models (a copy set aside, or one rebuilt from its copy)."""
        for table in PER_WARD:
            if self._one("SELECT to_regclass(%s)", (table,)) is not None:
                self.connection.execute(f"DELETE FROM {table} WHERE ward = %s", (code,))

    def served(self, code: str) -> dict[str, int]:
        """Household -> how many hand-outs the stored models count (those with any)."""
        return dict(self._rows("SELECT code, served FROM aid_district_households WHERE "
                               "ward = %s AND served <> 0", (code,)))

    def pseudonyms(self, code: str) -> dict[str, str]:
        return dict(self._rows("SELECT household, pseudonym FROM aid_district_pseudonyms "
                               "WHERE ward = %s", (code,)))

    def facts(self, code: str) -> dict[int, Fact]:
        return {entry: (kind, party, on) for entry, kind, party, on in self._rows(
            "SELECT entry, kind, party, on_date FROM aid_district_facts WHERE ward = %s",
            (code,))}

    # ---- every ward ---------------------------------------------------------------------

    def behind(self, codes: list[str]) -> list[str]:
        """The wards whose stored models do not reach their copy's head (by the head the
        registry keeps for each copy: one query)."""
        return [code for (code,) in self._rows(
            "SELECT r.code FROM aid_sync_wards r LEFT JOIN aid_district_folded f ON f.ward = "
            "r.code WHERE coalesce(f.position, 0) < r.head AND r.code = ANY(%s)", (codes,))]

    def books(self, codes: list[str]) -> Iterator[tuple[str, int, dict[str, Any] | None]]:
        """(code, position, books) of every ward in the order of `codes`, from one query read
        a few documents at a time (flat memory; a query per ward cost a round trip each)."""
        with self.connection.transaction(), \
                self.connection.cursor(name="aid_district_models") as cursor:
            cursor.itersize = 16
            cursor.execute("SELECT c.code, coalesce(f.position, 0), f.books, f.checksum FROM "
                           "unnest(%s::text[]) WITH ORDINALITY AS c (code, n) LEFT JOIN "
                           "aid_district_folded f ON f.ward = c.code ORDER BY c.n", (codes,))
            for code, position, books, kept in cursor:
                yield code, position, _checked(code, position, books, kept)

    def coverage(self, codes: list[str], start: str | None, end: str | None
                 ) -> list[tuple[str, str, int, int, int]]:
        """(ward, group, tier, households, served) per cell. Over the whole drive, from the
        households alone (each keeps its count of hand-outs); over a period, one pass over
        households and that period's hand-outs (a semi-join: a DISTINCT over every hand-out
        cost 2.5 times)."""
        if start is None and end is None:
            served, params = "h.served > 0", (codes,)
        else:
            served = ("EXISTS (SELECT 1 FROM aid_district_facts f WHERE f.ward = h.ward AND "
                      "f.kind = 'give' AND f.party = h.code AND f.on_date >= %s AND "
                      "f.on_date <= %s)")
            params = (start or EVER[0], end or EVER[1], codes)
        return self._rows(f"SELECT h.ward, h.grp, h.tier, count(*), count(*) FILTER (WHERE "
                          f"{served}) FROM aid_district_households h WHERE h.ward = ANY(%s) "
                          "GROUP BY h.ward, h.grp, h.tier", params)

    def duplicates(self, codes: list[str], start: str | None, end: str | None
                   ) -> Iterator[tuple[str, list[str], list[str], str, str]]:
        """(pseudonym, wards, ward:household list, first, last) of each ID number served by
        two or more wards in the period, streamed in pseudonym order."""
        with self.connection.transaction(), \
                self.connection.cursor(name="aid_duplicates") as cursor:
            cursor.itersize = 2000
            cursor.execute(
                "SELECT p.pseudonym, array_agg(DISTINCT f.ward), array_agg(DISTINCT f.ward || "
                "':' || f.party), min(f.on_date), max(f.on_date) FROM aid_district_facts f JOIN "
                "aid_district_pseudonyms p ON p.ward = f.ward AND p.household = f.party "
                "WHERE f.kind = 'give' AND f.on_date >= %s AND f.on_date <= %s AND "
                "f.ward = ANY(%s) GROUP BY p.pseudonym HAVING count(DISTINCT f.ward) > 1 "
                'ORDER BY p.pseudonym COLLATE "C"', (start or EVER[0], end or EVER[1], codes))
            yield from cursor

    def statement_counts(self, code: str, start: str | None, end: str | None
                         ) -> tuple[int, int, int]:
        """(donations, hand-outs, households served) of one ward in the period."""
        return self.connection.execute(
            "SELECT count(*) FILTER (WHERE kind = 'donate'), count(*) FILTER (WHERE kind = "
            "'give'), count(DISTINCT party) FILTER (WHERE kind = 'give') FROM "
            "aid_district_facts WHERE ward = %s AND on_date >= %s AND on_date <= %s",
            (code, start or EVER[0], end or EVER[1])).fetchone()

    # ---- the district's item catalogue --------------------------------------------------

    def item_map(self) -> dict[tuple[str, str], str]:
        """(ward, item code) -> the district's item code."""
        if not self.exists():
            return {}
        return {(ward, item): target for ward, item, target in self._rows(
            "SELECT ward, item, district_item FROM aid_district_items")}

    def map_item(self, ward: str, item: str, target: str) -> None:
        self.ensure()
        self.connection.execute(
            "INSERT INTO aid_district_items (ward, item, district_item) VALUES (%s, %s, %s) ON "
            "CONFLICT (ward, item) DO UPDATE SET district_item = excluded.district_item",
            (ward, item, target))

