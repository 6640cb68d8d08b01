"""The district's reports: each ward's own projections over its synced copy, then summed.

Nothing here has rules of its own: a ward's stock and cash are that ward's `Books`, its
hand-outs are the statement's `facts_by_kind` (reversals left out, voucher pick-ups counted as
hand-outs), its households the `Register`. The district adds them up, so its figures are by
construction the sum of what each ward's own `aid stock` and `aid cash` say.

Households are named by code only. Two wards' households are matched only by the keyed
pseudonym of an ID number (never by code: each ward numbers its own households) (`id_pseudonym`, an HMAC the ward stores in clear when an ID number is
given), never by name.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ledger.phrases import N_, Phrase
from ledger.values.text import sort_key
from ledger.ward.cashbook import CATEGORIES
from projections.audit.statement import facts_by_kind
from projections.books import Books
from projections.events import WardEvent
from projections.register import Register

CASH_LINES = (*CATEGORIES, "balance")


@dataclass
class WardCopy:
    """One ward's synced events, decoded: its code in the district and its ward events."""

    code: str
    events: list[WardEvent]

    def books(self) -> Books:
        books = Books()
        for event in self.events:
            books.apply(event.name, event.data)
        return books


def stock(wards: Iterable[WardCopy], as_of: str | None = None) -> list[dict[str, Any]]:
    """Every ward's stock rows (as its own `aid stock` prints them), the ward code first."""
    return [{"ward": ward.code, **row} for ward in wards
            for row in ward.books().planned(as_of=as_of)]


def stock_total(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The district's stock per item and unit (wards may count one item in different units)."""
    totals: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        total = totals.setdefault((row["item"], row["unit"]), {
            "item": row["item"], "name": row["name"], "quantity": 0, "unit": row["unit"],
            "reserved": 0, "free": 0, "wards": set()})
        for figure in ("quantity", "reserved", "free"):
            total[figure] += row[figure]
        total["wards"].add(row["ward"])
    return [{**total, "wards": len(total["wards"])} for _, total in sorted(totals.items())]


def cash(wards: Iterable[WardCopy], as_of: str | None = None) -> dict[str, dict[str, int]]:
    """Each ward's cash book, by code, and the district's (their sum) under "total"."""
    books = {ward.code: ward.books().cash(as_of) for ward in wards}
    books["total"] = {line: sum(book[line] for book in books.values()) for line in CASH_LINES}
    return books


def served(ward: WardCopy, start: str | None, end: str | None) -> dict[str, list[str]]:
    """Households that received in the period (hand-outs and voucher pick-ups, reversed
    entries left out): code -> the business dates they received on."""
    _, by_kind = facts_by_kind(ward.events, start, end)
    dates: dict[str, list[str]] = defaultdict(list)
    for event in by_kind["give"]:
        dates[event.data["recipient"]].append(event.data["on"])
    return dates


def register(ward: WardCopy) -> Register:
    households = Register()
    for event in ward.events:
        households.apply(event.name, event.data)
    return households


def coverage(wards: Iterable[WardCopy], start: str | None = None,
             end: str | None = None) -> list[dict[str, Any]]:
    """Per ward, group and tier: households registered and households served in the period."""
    rows = []
    for ward in wards:
        got = served(ward, start, end)
        cells: dict[tuple[str, int], dict[str, int]] = {}
        for household in register(ward).households.values():
            cell = cells.setdefault((household["group"], household["tier"]),
                                    {"households": 0, "served": 0})
            cell["households"] += 1
            cell["served"] += household["code"] in got
        rows += [{"ward": ward.code, "group": group, "tier": tier, **cell}
                 for (group, tier), cell in sorted(cells.items(), key=_group_order)]
    return rows


def _group_order(item: tuple[tuple[str, int], Any]) -> tuple[Any, ...]:
    (group, tier), _ = item
    return sort_key(group), tier


def pseudonyms(ward: WardCopy) -> dict[str, str]:
    """Household code -> the keyed pseudonym of its ID number, where the ward recorded one
    (on whichever event carries `id_pseudonym` for a household); the latest wins."""
    found = {}
    for event in ward.events:
        pseudonym = event.data.get("id_pseudonym")
        household = event.data.get("recipient") or event.data.get("code")  # not a voucher's
        if pseudonym and household:
            found[household] = pseudonym
    return found


def duplicates(wards: Iterable[WardCopy], start: str | None = None,
               end: str | None = None) -> list[dict[str, Any]]:
    """Households served by two or more wards in the period, matched by the pseudonym of their
    ID number only (P1's TT01 and P3's TT01 are two households); one row per match."""
    by_key: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(dict)
    for ward in wards:
        ids = pseudonyms(ward)
        for household, dates in served(ward, start, end).items():
            where = f"{ward.code}:{household}"
            if household in ids:  # never by household code: each ward numbers its own
                by_key[("id", ids[household])][where] = dates
    rows = []
    for (match, key), where in sorted(by_key.items()):
        wards_of = sorted({place.partition(":")[0] for place in where})
        if len(wards_of) < 2:
            continue
        dates = sorted(day for days in where.values() for day in days)
        rows.append({"match": match, "key": key, "wards": ", ".join(wards_of),
                     "households": ", ".join(sorted(where)), "first": dates[0],
                     "last": dates[-1]})
    return rows


def statement_row(ward: WardCopy, name: str, start: str | None, end: str | None
                  ) -> dict[str, Any]:
    """One ward's line of the district's statement: donations, households served and the
    cash book's movements in the period (as its own statement counts them), the fund at the
    end."""
    books, by_kind = facts_by_kind(ward.events, start, end)
    after = books.cash(end)
    before = (books.cash((date.fromisoformat(start) - timedelta(days=1)).isoformat())
              if start else dict.fromkeys(CASH_LINES, 0))
    return {"ward": ward.code, "name": name, "donations": len(by_kind["donate"]),
            "handouts": len(by_kind["give"]),
            "households": len({e.data["recipient"] for e in by_kind["give"]}),
            **{line: after[line] - before[line] for line in CATEGORIES},
            "balance": after["balance"]}


# ---- the district's own read models, folded at each sync (issue #27) -----------------------
#
# Per ward: its books (stock and cash by business date: `Books.state`, JSON) with the position
# they reach, its households' group and tier, the keyed pseudonyms of their ID numbers, and its
# hand-outs and donations (reversed entries removed). Folded by `aid sync` in the transaction
# that copies the rows, from the copied events themselves (never from the ward's stored read
# models); reports read them and fold only what is newer; `aid district rebuild` recomputes
# them from the copies. Memory holds one ward's models at a time, never a ward's events.

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS aid_district_folded (ward TEXT PRIMARY KEY, position BIGINT "
    "NOT NULL, books JSONB NOT NULL)",
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
DDL_LOCK = "SELECT pg_advisory_xact_lock(hashtext('aid-ledger ddl'))"


def ensure_schema(connection: Any) -> None:
    """The model tables, made once (in the caller's transaction when there is one); a
    district made by an earlier release gets its households' served counts, from its facts."""
    if connection.execute(f"SELECT to_regclass('aid_district_items') IS NOT NULL AND {SERVED}"
                          ).fetchone()[0]:
        return
    with connection.transaction():
        connection.execute(DDL_LOCK)
        for statement in SCHEMA:
            connection.execute(statement)
        if not connection.execute(f"SELECT {SERVED}").fetchone()[0]:
            connection.execute("ALTER TABLE aid_district_households ADD COLUMN served INT NOT "
                               "NULL DEFAULT 0, SET (fillfactor = 70)")
            connection.execute(
                "UPDATE aid_district_households h SET served = f.n FROM (SELECT ward, party, "
                "count(*) AS n FROM aid_district_facts WHERE kind = 'give' GROUP BY ward, "
                "party) f WHERE f.ward = h.ward AND f.party = h.code")


# whether the households table counts each household's hand-outs (an earlier release's did not)
SERVED = ("EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass("
          "'aid_district_households') AND attname = 'served' AND NOT attisdropped)")


def handouts_per_household(facts: dict[int, tuple[str, str, str]]) -> Counter[str]:
    """How many hand-outs each household received among `facts` (entry -> kind, party, on)."""
    return Counter(party for kind, party, _on in facts.values() if kind == "give")


def has_schema(connection: Any) -> bool:
    return connection.execute("SELECT to_regclass('aid_district_items')").fetchone()[0] \
        is not None


class WardModel:
    """One ward's district read models, in memory while they are folded."""

    def __init__(self, code: str, position: int = 0, books: dict[str, Any] | None = None,
                 households: dict[str, tuple[str, int]] | None = None) -> None:
        self.code, self.position = code, position
        self.books = Books(books)
        self.books.state.setdefault("recipients", {})  # stored without them (`document`)
        self.register = Register()
        for household, (group, tier) in (households or {}).items():
            self.register.households[household] = {
                "code": household, "name": None, "group": group, "size": 0, "tier": tier,
                "excluded": False}
        self.changed: set[str] = set()
        self.pseudonyms: dict[str, str] = {}
        self.facts: dict[int, tuple[str, str, str]] = {}  # entry -> (kind, party, date)
        self.deleted: set[int] = set()

    def fold(self, rows: Iterable[tuple[int, Any, int, str, bytes]]) -> None:
        """Fold stored rows (a list, or a stream read once)."""
        from projections.events import ward_events

        def tracked() -> Iterator[tuple[int, Any, int, str, bytes]]:
            for row in rows:
                self.position = max(self.position, row[0])
                yield row

        for event in ward_events(tracked()):
            if not isinstance(event, str):
                self.see(event)

    def see(self, event: WardEvent) -> None:
        from projections.audit.statement import STANDARD
        from projections.books import KINDS
        from projections.events import is_fact

        name, data = event.name, event.data
        self.books.apply(name, data)
        if name in REGISTER_EVENTS and data.get("code") in self.register.households \
                or name == "Ward.RecipientDeclared":
            self.register.apply(name, data, event.entry)
            self.changed.add(data["code"])
        pseudonym = data.get("id_pseudonym")
        household = data.get("recipient") or data.get("code")
        if pseudonym and household:
            self.pseudonyms[household] = pseudonym
        kind = KINDS.get(name)
        if not kind or not is_fact(data):
            return
        if kind == "reverse":
            self.facts.pop(data.get("entry"), None)
            self.deleted.add(data.get("entry"))
            return
        if kind not in STANDARD and data.get("recipient"):
            kind = "give"
        if kind == "give":
            self.facts[event.entry] = ("give", data["recipient"], data["on"])
        elif kind == "donate":
            self.facts[event.entry] = ("donate", data.get("donor", ""), data["on"])

    def document(self) -> dict[str, Any]:
        """The books as the district stores them: without their register of households, which
        `aid_district_households` holds (it was five sixths of each ward's document, read by
        every report)."""
        return {key: value for key, value in self.books.state.items() if key != "recipients"}

    def households(self) -> dict[str, tuple[str, int]]:
        return {code: (h["group"], h["tier"]) for code, h in self.register.households.items()}

    # ---- stored -----------------------------------------------------------------------

    @classmethod
    def load(cls, connection: Any, code: str, households: bool = True) -> WardModel:
        """The ward's stored models (empty before its first sync folded anything); without
        its households when only its books are read (a report, not a fold)."""
        row = connection.execute("SELECT position, books FROM aid_district_folded WHERE "
                                 "ward = %s", (code,)).fetchone()
        homes = {household: (group, tier) for household, group, tier in connection.execute(
            "SELECT code, grp, tier FROM aid_district_households WHERE ward = %s", (code,))
            } if households else {}
        if row is None:
            return cls(code, 0, None, homes)
        return cls(code, row[0], row[1], homes)

    def save(self, connection: Any) -> None:
        """Write what this fold changed (in the caller's transaction)."""
        import json

        connection.execute(
            "INSERT INTO aid_district_folded (ward, position, books) VALUES (%s, %s, %s) "
            "ON CONFLICT (ward) DO UPDATE SET position = excluded.position, books = "
            "excluded.books", (self.code, self.position, json.dumps(self.document())))
        with connection.cursor() as cursor:
            if self.changed:
                homes = self.households()  # once: per code it was quadratic in the register
                cursor.executemany(
                    "INSERT INTO aid_district_households (ward, code, grp, tier) VALUES "
                    "(%s, %s, %s, %s) ON CONFLICT (ward, code) DO UPDATE SET grp = excluded.grp, "
                    "tier = excluded.tier",
                    [(self.code, c, *homes[c]) for c in sorted(self.changed)])
            if self.pseudonyms:
                cursor.executemany(
                    "INSERT INTO aid_district_pseudonyms (ward, household, pseudonym) VALUES "
                    "(%s, %s, %s) ON CONFLICT (ward, household) DO UPDATE SET pseudonym = "
                    "excluded.pseudonym", [(self.code, h, p) for h, p in self.pseudonyms.items()])
            served: Counter[str] = Counter()  # hand-outs per household, net of this fold
            if self.deleted:
                served.subtract(party for kind, party in cursor.execute(
                    "DELETE FROM aid_district_facts WHERE ward = %s AND entry = ANY(%s) "
                    "RETURNING kind, party", (self.code, [e for e in self.deleted
                                                          if e is not None])) if kind == "give")
            if self.facts:
                with cursor.copy("COPY aid_district_facts (ward, entry, kind, party, on_date) "
                                 "FROM STDIN") as copy:
                    for entry, fact in self.facts.items():
                        copy.write_row((self.code, entry, *fact))
                served.update(handouts_per_household(self.facts))
            if any(served.values()):
                cursor.execute(
                    "UPDATE aid_district_households h SET served = h.served + d.n FROM unnest("
                    "%s::text[], %s::int[]) AS d (code, n) WHERE h.ward = %s AND h.code = d.code",
                    (list(served), list(served.values()), self.code))
        self.changed, self.pseudonyms, self.facts, self.deleted = set(), {}, {}, set()


REGISTER_EVENTS = {"RecipientSealed", "RecipientForgotten", "RecipientTierChanged",
                   "RecipientExcluded", "RecipientIncluded", "RecipientChanged"}


class Folder:
    """`aid sync`'s fold: the ward's models brought up to each copied batch, in the batch's
    transaction (so the models always reach exactly what the copy holds). The models stay in
    memory from one batch to the next, and are read again only when what is stored is not
    where they left it (a batch rolled back, another ward): loading and parsing a ward's
    books for every batch of 5,000 events cost as much as folding them."""

    def __init__(self) -> None:
        self.model: WardModel | None = None

    def __call__(self, connection: Any, code: str,
                 rows: list[tuple[int, Any, int, str, bytes]]) -> None:
        ensure_schema(connection)
        stored = connection.execute("SELECT position FROM aid_district_folded WHERE ward = %s",
                                    (code,)).fetchone()
        model = self.model
        if model is None or model.code != code or model.position != (stored[0] if stored
                                                                     else 0):
            model = WardModel.load(connection, code)
        if rows and rows[0][0] <= model.position:  # already folded (cannot happen: the copy
            return                                  # and the models commit together)
        model.fold(rows)
        model.save(connection)
        self.model = model


EVER = ("", "9999-12-31")  # an open period, as business dates compare


def caught_up(connection: Any, code: str, prefix: str) -> WardModel:
    """The ward's stored models, with whatever the copy holds beyond them folded first (a copy
    synced before the district kept models; a sync always folds what it copies)."""
    return catch_up(connection, code, prefix) or WardModel.load(connection, code,
                                                                households=False)


def catch_up(connection: Any, code: str, prefix: str) -> WardModel | None:
    """Fold what the copy holds beyond the ward's stored models, if anything, and return the
    models then; None when they were up to date, found without loading them (reports that
    read only the SQL tables, coverage and duplicates, need not load every ward's books)."""
    from ledger.store.access import Address, PostgresEventLog

    ensure_schema(connection)
    head = connection.execute(f"SELECT max(position) FROM {prefix}_chain").fetchone()[0] or 0
    folded = connection.execute("SELECT position FROM aid_district_folded WHERE ward = %s",
                                (code,)).fetchone()
    if (folded[0] if folded else 0) >= head:
        return None
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ("aid-sync " + prefix,))
        model = WardModel.load(connection, code)
        if model.position < head:
            log = PostgresEventLog(Address(url="postgresql://", ward=prefix), writable=True,
                                   connection=connection)
            model.fold(log.stored(model.position, head))
            model.save(connection)
    return model


def catch_up_all(connection: Any, wards: list[tuple[str, str, str]]) -> dict[str, str]:
    """Fold what any ward's copy holds beyond its stored models (found in one query, by the
    head the registry keeps for each copy); returns {code: table prefix}."""
    ensure_schema(connection)
    prefixes = {code: prefix for code, _name, prefix in wards}
    for (code,) in connection.execute(
            "SELECT r.code FROM aid_sync_wards r LEFT JOIN aid_district_folded f ON f.ward = "
            "r.code WHERE coalesce(f.position, 0) < r.head AND r.code = ANY(%s)",
            (list(prefixes),)).fetchall():
        catch_up(connection, code, prefixes[code])
    return prefixes


def stored_models(connection: Any, wards: list[tuple[str, str, str]]) -> Iterator[WardModel]:
    """Every ward's stored books, in the order of `wards` ((code, name, table prefix)): the
    wards whose models do not reach their copy are caught up first (`catch_up_all`: a copy
    synced before the district kept models), then all come from one query read a few
    documents at a time (flat memory), where a query or two per ward cost a round trip each:
    a third of the report's time at 100 wards."""
    prefixes = catch_up_all(connection, wards)
    with connection.transaction(), connection.cursor(name="aid_district_models") as cursor:
        cursor.itersize = 16
        cursor.execute("SELECT c.code, f.position, f.books FROM unnest(%s::text[]) WITH "
                       "ORDINALITY AS c (code, n) LEFT JOIN aid_district_folded f ON f.ward = "
                       "c.code ORDER BY c.n", (list(prefixes),))
        for code, position, books in cursor:
            yield WardModel(code, position or 0, books)


def coverage_rows(connection: Any, codes: list[str], start: str | None,
                  end: str | None) -> list[dict[str, Any]]:
    """`coverage` from the stored models: over the whole drive, from the households alone
    (each keeps its count of hand-outs); over a period, one pass over households and that
    period's hand-outs (a semi-join: a DISTINCT over every hand-out cost 2.5 times)."""
    cells: dict[str, list[dict[str, Any]]] = defaultdict(list)
    whole = "h.served > 0"  # the whole drive: each household's count, kept by the fold
    within = ("EXISTS (SELECT 1 FROM aid_district_facts f WHERE f.ward = h.ward AND f.kind = "
              "'give' AND f.party = h.code AND f.on_date >= %s AND f.on_date <= %s)")
    dated = start is not None or end is not None
    for ward, group, tier, households, got in connection.execute(
            f"SELECT h.ward, h.grp, h.tier, count(*), count(*) FILTER (WHERE "
            f"{within if dated else whole}) FROM aid_district_households h WHERE h.ward = "
            "ANY(%s) GROUP BY h.ward, h.grp, h.tier",
            (start or EVER[0], end or EVER[1], codes) if dated else (codes,)):
        cells[ward].append({"ward": ward, "group": group, "tier": tier,
                            "households": households, "served": got})
    return [row for code in codes for row in sorted(
        cells[code], key=lambda row: (sort_key(row["group"]), row["tier"]))]


def duplicate_rows(connection: Any, codes: list[str], start: str | None,
                   end: str | None) -> Iterator[dict[str, Any]]:
    """`duplicates` from the stored models, streamed: households served by two or more wards
    in the period with the same keyed pseudonym of their ID number. Never by household code:
    P1's TT01 and P3's TT01 are two households (issue #24)."""
    with connection.transaction(), connection.cursor(name="aid_duplicates") as cursor:
        cursor.itersize = 2000
        cursor.execute(
            "SELECT p.pseudonym, array_agg(DISTINCT f.ward), array_agg(DISTINCT f.ward || ':' "
            "|| f.party), min(f.on_date), max(f.on_date) FROM aid_district_facts f JOIN "
            "aid_district_pseudonyms p ON p.ward = f.ward AND p.household = f.party "
            "WHERE f.kind = 'give' AND f.on_date >= %s AND f.on_date <= %s AND "
            "f.ward = ANY(%s) GROUP BY p.pseudonym HAVING count(DISTINCT f.ward) > 1 "
            'ORDER BY p.pseudonym COLLATE "C"', (start or EVER[0], end or EVER[1], codes))
        for key, wards, households, first, last in cursor:
            yield {"match": "id", "key": key, "wards": ", ".join(sorted(wards)),
                   "households": ", ".join(sorted(households)), "first": first, "last": last}


def statement_counts(connection: Any, code: str, start: str | None,
                     end: str | None) -> tuple[int, int, int]:
    """(donations, hand-outs, households served) of one ward in the period."""
    return connection.execute(
        "SELECT count(*) FILTER (WHERE kind = 'donate'), count(*) FILTER (WHERE kind = "
        "'give'), count(DISTINCT party) FILTER (WHERE kind = 'give') FROM aid_district_facts "
        "WHERE ward = %s AND on_date >= %s AND on_date <= %s",
        (code, start or EVER[0], end or EVER[1])).fetchone()


def statement_line(model: WardModel, counts: tuple[int, int, int], name: str,
                   start: str | None, end: str | None) -> dict[str, Any]:
    """`statement_row` from the stored models."""
    books = model.books
    after = books.cash(end)
    before = (books.cash((date.fromisoformat(start) - timedelta(days=1)).isoformat())
              if start else dict.fromkeys(CASH_LINES, 0))
    donations, handouts, households = counts
    return {"ward": model.code, "name": name, "donations": donations, "handouts": handouts,
            "households": households,
            **{line: after[line] - before[line] for line in CATEGORIES},
            "balance": after["balance"]}


def rebuild(connection: Any, code: str, prefix: str) -> list[Phrase]:
    """Recompute the ward's models from its copy, replace the stored ones, and return what
    differed (empty: the stored models were right)."""
    from ledger.store.access import Address, PostgresEventLog

    ensure_schema(connection)
    differences = []
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ("aid-sync " + prefix,))
        stored = WardModel.load(connection, code)
        log = PostgresEventLog(Address(url="postgresql://", ward=prefix), writable=True,
                               connection=connection)
        fresh = WardModel(code)
        fresh.fold(log.stored())
        if stored.position != fresh.position:
            differences.append(Phrase(N_("position {stored}, where the copy reaches {fresh}"),
                                      stored=stored.position, fresh=fresh.position))
        if stored.document() != fresh.document():
            differences.append(Phrase(N_("books (stock and cash)")))
        if stored.households() != fresh.households():
            differences.append(Phrase(N_("households (group and tier)")))
        served = handouts_per_household(fresh.facts)
        if dict(connection.execute("SELECT code, served FROM aid_district_households WHERE "
                                   "ward = %s AND served <> 0", (code,))) != served:
            differences.append(Phrase(N_("hand-outs per household")))
        pseudonyms = dict(connection.execute("SELECT household, pseudonym FROM "
                                             "aid_district_pseudonyms WHERE ward = %s", (code,)))
        if pseudonyms != fresh.pseudonyms:
            differences.append(Phrase(N_("ID pseudonyms")))
        facts = {entry: (kind, party, on) for entry, kind, party, on in connection.execute(
            "SELECT entry, kind, party, on_date FROM aid_district_facts WHERE ward = %s",
            (code,))}
        if facts != fresh.facts:
            differences.append(Phrase(N_("hand-outs and donations")))
        for table in ("aid_district_folded", "aid_district_households",
                      "aid_district_pseudonyms", "aid_district_facts"):
            connection.execute(f"DELETE FROM {table} WHERE ward = %s", (code,))
        fresh.changed = set(fresh.register.households)
        fresh.save(connection)
    return differences


def item_map(connection: Any) -> dict[tuple[str, str], str]:
    """The district's item catalogue: (ward, item code) -> the district's item code."""
    if not has_schema(connection):
        return {}
    return {(ward, item): target for ward, item, target in connection.execute(
        "SELECT ward, item, district_item FROM aid_district_items")}


def map_item(connection: Any, ward: str, item: str, target: str) -> None:
    ensure_schema(connection)
    connection.execute(
        "INSERT INTO aid_district_items (ward, item, district_item) VALUES (%s, %s, %s) ON "
        "CONFLICT (ward, item) DO UPDATE SET district_item = excluded.district_item",
        (ward, item, target))


def mapped_total(rows: list[dict[str, Any]], mapping: dict[tuple[str, str], str]
                 ) -> tuple[list[dict[str, Any]], list[str]]:
    """`stock_total` with each ward's item code read through the district's catalogue (the
    same goods add up across wards), and the ward:item codes the catalogue does not map,
    when it maps anything (codes equal to a district item count as mapped)."""
    targets = set(mapping.values())
    unmapped = sorted({f"{row['ward']}:{row['item']}" for row in rows
                       if mapping and (row["ward"], row["item"]) not in mapping
                       and row["item"] not in targets})
    renamed = [{**row, "item": mapping.get((row["ward"], row["item"]), row["item"])}
               for row in rows]
    return stock_total(renamed), unmapped
