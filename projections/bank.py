"""Sao kê: the cash book proven against the bank (issue 25). Read side only: never writes.

The bank side of an account is its statement lines (`ledger.banklines:Line.Stated`); the book
side is the ward's cash facts that name the account (`account` on a donation, purchase or cash
hand-out, ledger/bank/accounts.py). `Bank.match` pairs them:

1. a donation citing a line (`bank_line`, recorded by `aid bank accept`) is that line's;
2. a credit whose transfer text carries a ward reference (`P3D0042`, statements.find_reference)
   names the donor declared at entry 42 (`aid bank qr --donor`), and pairs with that donor's
   donations into the account only, never another's of the same amount: first with those of
   its amount within `WINDOW` days;
3. any other line pairs with a fact of the account and the same signed amount within `WINDOW`
   days: a credit with a donation, a debit with a purchase, cash hand-out or bank fee paid
   from the account; either with cash carried to or from the box;
4. a credit naming a donor still unpaired then takes a donation of that donor of another
   amount within the window (`differs`): the pair nearest in amount first, then fewest days
   apart, then the line first in order, then the earliest entry;
5. and at last one of its own amount at any date, the nearest in date (then the earliest
   entry): an exact pairing in the window (step 3) is never taken by a line dated far off.

Steps 2 and 3 pair within each group of one account (and donor) and amount as many lines as
the window allows, not each line with its nearest in turn (entries of 07/09 and 11/09 pair
with lines of 10/09 and 13/09, though 11/09 is nearer 10/09): of the pairings with the most
pairs, the one with the fewest days apart in total, then with the earliest days
(`closest_pairing`); a day's lines pair in order (time, position), a day's facts earliest entry
first, and the chosen lines and facts pair with each other in date order.
Lines are shown in the order account, date, time, position. Lines left over are `unrecorded`;
facts left over are `unbanked`. A reversed fact and its reversal are left out together, as
every other audit does.

A statement can hold a million lines, so neither side is held in memory: both are spooled to a
temporary SQLite database on disk (as the public statement's sections are) and paired there:
only the count of each day's lines and facts is held in memory while pairing. Rows are read
back from the spool, one at a time.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from bisect import bisect_left
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ledger.bank.statements import find_reference, mask_account, mask_name, parse_detail
from ledger.phrases import N_, Phrase, Verbatim
from ledger.store.access import EventLog
from ledger.store.decoding import loads
from ledger.values.text import clean, fold
from ledger.ward import names
from ledger.ward.cashbook import fund_change
from projections.audit.statement import ANONYMOUS
from projections.events import WardEvent

LINE_TOPIC = "ledger.banklines:Line.Stated"
WINDOW = 3  # days between the bank's date and the book's for a match by amount
STATUSES = ("matched", "differs", "unrecorded", "unbanked")


@dataclass(slots=True)
class BankLine:
    key: str
    account: str
    on: str
    time: str | None
    credit: int
    debit: int
    text: str
    ref: str | None
    party: str | None
    party_account: str | None
    balance: int | None
    position: int

    @property
    def amount(self) -> int:
        """Signed: money in is positive, money out negative."""
        return self.credit - self.debit

    @property
    def bank_ref(self) -> str:
        """The bank's reference, or for statements without one (VietinBank's) a short id of
        the line's key, which `aid bank accept` and `aid bank find` take as well."""
        return self.ref or "L" + hashlib.sha256(self.key.encode()).hexdigest()[:10].upper()


@dataclass(slots=True)
class BookEntry:
    entry: int
    on: str
    kind: str  # donate, buy, give, fee, cash moved
    account: str
    amount: int  # signed fund change: in positive, out negative
    donor: str | None = None
    bank_line: str | None = None


LINE_FIELDS = ("key", "account", "on_date", "time", "credit", "debit", "text", "ref", "party",
               "party_account", "balance", "position")
SPOOL = f"""
CREATE TABLE arrived ({", ".join(LINE_FIELDS)}, bank_ref, reference, day INTEGER);
CREATE TABLE line (seq INTEGER PRIMARY KEY, {", ".join(LINE_FIELDS)}, bank_ref, reference,
                   day INTEGER);
CREATE TABLE book (entry INTEGER PRIMARY KEY, on_date TEXT, day INTEGER, kind TEXT,
                   account TEXT, amount INTEGER, donor TEXT, bank_line TEXT,
                   free INTEGER NOT NULL DEFAULT 1);
CREATE TABLE annulled (entry INTEGER PRIMARY KEY);
CREATE TABLE pair (seq INTEGER PRIMARY KEY, entry INTEGER NOT NULL, differs INTEGER NOT NULL);
CREATE TABLE named (seq INTEGER PRIMARY KEY, donor TEXT NOT NULL);
"""
SETTLED = """
DELETE FROM book WHERE entry IN (SELECT entry FROM annulled);
INSERT INTO line SELECT NULL, * FROM arrived
    ORDER BY account, on_date, coalesce(time, ''), position;
DELETE FROM arrived;
CREATE INDEX line_key ON line (key);
CREATE INDEX line_bank_ref ON line (upper(bank_ref));
CREATE INDEX line_reference ON line (reference) WHERE reference IS NOT NULL;
CREATE INDEX line_credit ON line (credit, on_date);
CREATE INDEX book_cited ON book (bank_line) WHERE bank_line IS NOT NULL;
CREATE INDEX book_donor ON book (account, donor, amount, day, entry) WHERE free = 1;
CREATE INDEX book_free ON book (account, amount, day, entry) WHERE free = 1;
CREATE VIEW shown AS
    SELECT l.seq, l.account, l.bank_ref, l.on_date AS date, l.credit - l.debit AS amount,
           CASE WHEN p.entry IS NULL THEN 'unrecorded'
                WHEN p.differs OR b.amount != l.credit - l.debit THEN 'differs'
                ELSE 'matched' END AS status,
           p.entry, b.amount AS book_amount, l.reference, l.key
      FROM line l LEFT JOIN pair p ON p.seq = l.seq LEFT JOIN book b ON b.entry = p.entry
    UNION ALL
    SELECT NULL, account, NULL, on_date, amount, 'unbanked', entry, NULL, NULL, NULL
      FROM book WHERE free = 1;
"""


def _day(on: str) -> int:
    return date.fromisoformat(on).toordinal()  # a line's and an entry's, compared in days


@dataclass
class Bank:
    """Everything the bank pages need, read from the events once: the declarations in memory
    (few), the lines and cash facts in a spool on disk (as many as the statements hold)."""

    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> declaration
    imports: list[dict[str, Any]] = field(default_factory=list)
    donors: dict[int, str] = field(default_factory=dict)  # declaring entry -> donor code
    donor_names: dict[str, str] = field(default_factory=dict)
    anonymous: set[str] = field(default_factory=set)
    ward: str = ""
    code: str | None = None
    accepted_reversed: dict[str, int] = field(default_factory=dict)  # line key -> reversals
    window: int = WINDOW

    def __post_init__(self) -> None:
        # "": a temporary database on disk, not in memory; shared by a board's threads, which
        # take `lock` to use it
        self.db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
        self.lock = threading.RLock()
        self.db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + SPOOL)
        self.db.execute("BEGIN")  # one transaction, never committed: the spool is thrown away
        self.stage = "filling"  # then "settled" (lines in order), then "matched"
        self.arriving: list[tuple[Any, ...]] = []  # book entries not yet in the spool

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Bank:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def reference_prefix(self) -> str:
        """The start of the references the ward hands out now ("P3D")."""
        return ward_prefix(self.code, self.ward) + "D"

    @property
    def reference_prefixes(self) -> tuple[str, ...]:
        """Every start the ward's references have had: its district code's, and its name's
        from before it had a code (posters and QR codes printed then still name donors)."""
        now, before = self.reference_prefix, ward_prefix(None, self.ward) + "D"
        return (now,) if before == now else (now, before)

    def find_reference(self, text: str) -> str | None:
        """The first of the ward's references in a transfer's message, by any of its starts."""
        for prefix in self.reference_prefixes:
            found = find_reference(text, prefix)
            if found is not None:
                return found
        return None

    # ---- filling ---------------------------------------------------------------------------

    def add_lines(self, lines: Iterable[BankLine]) -> None:
        """Spool statement lines (in any order); the ward's name and code come first, so that
        each credit's ward reference is found as it arrives."""
        assert self.stage == "filling", "lines come before the bank is read"
        self.db.executemany(
            f"INSERT INTO arrived VALUES ({', '.join('?' * (len(LINE_FIELDS) + 3))})",
            ((line.key, line.account, line.on, line.time, line.credit, line.debit, line.text,
              line.ref, line.party, line.party_account, line.balance, line.position,
              line.bank_ref, self.find_reference(line.text) if line.credit else None,
              _day(line.on))
             for line in lines))

    def add_entry(self, fact: BookEntry) -> None:
        self.arriving.append((fact.entry, fact.on, _day(fact.on), fact.kind, fact.account,
                              fact.amount, fact.donor, fact.bank_line))
        if len(self.arriving) >= 5000:
            self._spool_entries()

    def _spool_entries(self) -> None:
        self.db.executemany("INSERT OR REPLACE INTO book (entry, on_date, day, kind, account, "
                            "amount, donor, bank_line) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            self.arriving)
        self.arriving.clear()

    def annul(self, original: int, reversal: int) -> None:
        """A reversal: the fact and the reversal both leave the book; a reversed acceptance is
        counted, so that the line can be accepted again under a new key."""
        self._spool_entries()
        self.db.executemany("INSERT OR IGNORE INTO annulled VALUES (?)",
                            ((original,), (reversal,)))
        cited = self.db.execute("SELECT bank_line FROM book WHERE entry = ?",
                                (original,)).fetchone()
        if cited and cited[0]:
            self.accepted_reversed[cited[0]] = self.accepted_reversed.get(cited[0], 0) + 1

    def _settled(self) -> sqlite3.Connection:
        if self.stage == "filling":
            self._spool_entries()
            for statement in SETTLED.split(";\n"):  # not executescript: it would commit
                if statement.strip():
                    self.db.execute(statement)
            self.stage = "settled"
        return self.db

    # ---- pairing ---------------------------------------------------------------------------

    def match(self) -> Bank:
        """Pair lines and facts (once), by the rules in the module's docstring."""
        db = self._settled()
        if self.stage == "matched":
            return self
        db.execute("INSERT INTO pair SELECT l.seq, min(b.entry), 0 FROM line l "  # 1. citations
                   "JOIN book b ON b.bank_line = l.key GROUP BY l.seq")
        db.execute("UPDATE book SET free = 0 WHERE entry IN (SELECT entry FROM pair)")
        self._name_donors()
        self._closest(  # 2. a line naming a donor: that donor's donations of its amount, near
            "SELECT l.account, n.donor, l.credit - l.debit, l.day, l.seq FROM named n "
            "JOIN line l ON l.seq = n.seq WHERE n.seq NOT IN (SELECT seq FROM pair)",
            "SELECT account, donor, amount, day, entry FROM book WHERE free = 1 "
            "AND donor IS NOT NULL AND amount > 0")
        self._closest(  # 3. lines naming no donor: any fact of the account and amount, near
            "SELECT account, '', credit - debit, day, seq FROM line WHERE seq NOT IN "
            "(SELECT seq FROM pair) AND seq NOT IN (SELECT seq FROM named)",
            "SELECT account, '', amount, day, entry FROM book WHERE free = 1")
        self._differing()  # 4. a line naming a donor: another amount of theirs, near
        self._by_donor()  # 5. a line naming a donor: its own amount at any date
        self.stage = "matched"
        return self

    def _by_donor(self) -> None:
        """The credits naming a donor still unpaired, in order, each with the free donation
        of that donor and of its amount nearest in date, at any date (fewest days apart, then
        the earliest entry)."""
        named = self.db.execute(
            "SELECT n.seq, l.account, l.day, l.credit - l.debit, n.donor FROM named n "
            "JOIN line l ON l.seq = n.seq WHERE n.seq NOT IN (SELECT seq FROM pair) "
            "ORDER BY n.seq")
        query = ("SELECT entry FROM book WHERE free = 1 AND account = :account AND "
                 "donor = :donor AND amount = :amount ORDER BY abs(day - :day), entry LIMIT 1")
        for seq, account, day, amount, donor in named:
            found = self.db.execute(query, {"account": account, "donor": donor, "day": day,
                                            "amount": amount}).fetchone()
            if found is not None:
                self.db.execute("UPDATE book SET free = 0 WHERE entry = ?", found)
                self.db.execute("INSERT INTO pair VALUES (?, ?, 0)", (seq, found[0]))

    def _differing(self) -> None:
        """The credits naming a donor still unpaired and that donor's free donations of
        another amount within the window: the pair nearest in amount first, then fewest days
        apart, then the line first in order, then the earliest entry; each line and each
        donation once (`differs`: the line of 150,000 takes the entry typed 160,000 the same
        day, not the line of 500,000 beside it)."""
        candidates = self.db.execute(
            "SELECT n.seq, b.entry FROM named n JOIN line l ON l.seq = n.seq "
            "JOIN book b ON b.free = 1 AND b.account = l.account AND b.donor = n.donor "
            "AND b.amount > 0 AND b.day BETWEEN l.day - ?1 AND l.day + ?1 "
            "WHERE n.seq NOT IN (SELECT seq FROM pair) "
            "ORDER BY abs(b.amount - l.credit), abs(b.day - l.day), n.seq, b.entry",
            (self.window,)).fetchall()
        lines: set[int] = set()
        entries: set[int] = set()
        for seq, entry in candidates:
            if seq not in lines and entry not in entries:
                lines.add(seq)
                entries.add(entry)
                self.db.execute("UPDATE book SET free = 0 WHERE entry = ?", (entry,))
                self.db.execute("INSERT INTO pair VALUES (?, ?, 1)", (seq, entry))

    def _name_donors(self) -> None:
        """Note each credit whose ward reference names a declared donor, and the donor."""
        self.db.executemany("INSERT INTO named VALUES (?, ?)", (
            (seq, donor) for seq, reference in self.db.execute(
                "SELECT seq, reference FROM line WHERE credit > 0 AND reference IS NOT NULL")
            if (donor := donor_of(self, reference)) is not None))

    def _closest(self, lines: str, facts: str) -> None:
        """Pair the lines and the facts two queries give, each as (account, donor, amount,
        day, id), within each group of one account, donor and amount: as many pairs as the
        window allows (an entry of 07/09 and one of 11/09 both pair with lines of 10/09 and
        13/09, though 11/09 is nearer 10/09), then the fewest days apart in total, then the
        earliest days. Which days pair how often is found on the days alone
        (`closest_pairing`); of a day's lines the first in order pair, of its facts the
        earliest entries, and the lines so chosen pair with the facts in date order. Only the
        day counts are held in memory, never the lines or the facts."""
        db = self.db
        for table in ("cl", "cf", "ml", "mf"):
            db.execute(f"DROP TABLE IF EXISTS {table}")
        for table, query in (("cl", lines), ("cf", facts)):
            db.execute(f"CREATE TABLE {table} (account, donor, amount, day, id)")
            db.execute(f"INSERT INTO {table} {query}")
        db.execute("CREATE TABLE ml (account, donor, amount, day, n)")
        db.execute("CREATE TABLE mf (account, donor, amount, day, n)")
        counts = db.execute(
            "SELECT account, donor, amount, day, side, count(*) FROM (SELECT *, 0 AS side "
            "FROM cl UNION ALL SELECT *, 1 FROM cf) GROUP BY account, donor, amount, day, side "
            "ORDER BY account, donor, amount, day, side")
        chosen: tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]] = ([], [])
        group: tuple[Any, ...] | None = None
        days: tuple[dict[int, int], dict[int, int]] = ({}, {})

        def pair_group() -> None:
            if group is not None and days[0] and days[1]:
                for side, taken in enumerate(closest_pairing(days[0], days[1], self.window)):
                    chosen[side].extend((*group, day, n) for day, n in taken.items() if n)

        for account, donor, amount, day, side, count in counts:
            if (account, donor, amount) != group:
                pair_group()
                group, days = (account, donor, amount), ({}, {})
            days[side][day] = count
        pair_group()
        db.executemany("INSERT INTO ml VALUES (?, ?, ?, ?, ?)", chosen[0])
        db.executemany("INSERT INTO mf VALUES (?, ?, ?, ?, ?)", chosen[1])
        taken = (
            f"SELECT c.id FROM (SELECT *, row_number() OVER (PARTITION BY account, donor, "
            f"amount, day ORDER BY id) AS r FROM {table}) c JOIN {counted} m ON m.account = "
            "c.account AND m.donor = c.donor AND m.amount = c.amount AND m.day = c.day "
            "WHERE c.r <= m.n ORDER BY c.account, c.donor, c.amount, c.day, c.id"
            for table, counted in (("cl", "ml"), ("cf", "mf")))
        pairs = ((seq, entry) for (seq,), (entry,) in zip(  # as many of each: the same counts
            db.execute(next(taken)), db.execute(next(taken)), strict=True))
        batch: list[tuple[int, int]] = []
        for pair in pairs:
            batch.append(pair)
            if len(batch) >= 10_000:
                self._pair(batch)
        self._pair(batch)

    def _pair(self, batch: list[tuple[int, int]]) -> None:
        self.db.executemany("UPDATE book SET free = 0 WHERE entry = ?",
                            ((entry,) for _, entry in batch))
        self.db.executemany("INSERT INTO pair VALUES (?, ?, 0)", batch)
        batch.clear()

    # ---- reading back ----------------------------------------------------------------------

    def rows(self, account: str | None = None, status: str | None = None,
             bank_ref: str | None = None, key: str | None = None) -> Iterator[dict[str, Any]]:
        """One row per line and per unbanked fact, by account, date, entry and bank reference:
        account, bank_ref, date, amount (signed), status, entry (when paired), book_amount
        (when it differs), reference (the ward reference a credit carries), key."""
        self.match()
        where, params = ["1"], []
        for column, value in (("account", account), ("status", status),
                              ("upper(bank_ref)", bank_ref and bank_ref.upper()),
                              ("key", key)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        found = self.db.execute(
            "SELECT account, bank_ref, date, amount, status, entry, book_amount, reference, key "
            f"FROM shown WHERE {' AND '.join(where)} "
            "ORDER BY account, date, coalesce(entry, 0), coalesce(bank_ref, ''), seq", params)
        for account_, ref, on, amount, state, entry, book_amount, reference, key_ in found:
            row = {"account": account_, "bank_ref": ref and Verbatim(ref), "date": on,
                   "amount": amount, "status": state, "entry": entry, "reference": reference,
                   "key": key_}
            if state == "differs":
                row["book_amount"] = book_amount
            yield row

    def anonymous_entry(self, row: dict[str, Any] | None) -> bool:
        """Whether a line's row is counted as (matched with, or accepted as) a donation of
        an anonymous donor: a public page then names no sender."""
        if not row or not row.get("entry") or row["status"] not in ("matched", "differs"):
            return False
        found = self.db.execute("SELECT donor FROM book WHERE entry = ?",
                                (row["entry"],)).fetchone()
        return bool(found and found[0] in self.anonymous)

    def lines(self, where: str = "1", params: tuple[Any, ...] = (),
              limit: int = -1) -> list[BankLine]:
        """The lines `where` says, in order."""
        return [BankLine(*found) for found in self._settled().execute(
            f"SELECT {', '.join(LINE_FIELDS)} FROM line WHERE {where} ORDER BY seq LIMIT ?",
            (*params, limit))]

    def line(self, key: str) -> BankLine | None:
        found = self.lines("key = ?", (key,), 1)
        return found[0] if found else None

    def totals(self, account: str, start: str | None = None, end: str | None = None,
               before: str | None = None) -> tuple[int, int]:
        """Money in and out of `account` by its lines dated start..end (either open), or
        before `before`."""
        where, params = ["account = ?"], [account]
        for condition, value in (("on_date >= ?", start), ("on_date <= ?", end),
                                 ("on_date < ?", before)):
            if value is not None:
                where.append(condition)
                params.append(value)
        found = self._settled().execute("SELECT coalesce(sum(credit), 0), coalesce(sum(debit), "
                                        f"0) FROM line WHERE {' AND '.join(where)}",
                                        params).fetchone()
        return found[0], found[1]


def closest_pairing(lines: dict[int, int], facts: dict[int, int],
                    window: int) -> tuple[dict[int, int], dict[int, int]]:
    """How many of each day's lines and of each day's facts pair, given how many of each
    there are by day (`lines`, `facts`: day -> count), when a line and a fact pair only if
    at most `window` days apart: the most pairs there can be; of those, the fewest days
    apart in total; of those, the earliest days (the smallest sum of the paired days).

    A minimum-cost maximum flow over the days (source -> a line day -> a fact day within the
    window -> sink; successive shortest paths), so its size grows with the days a drive
    spans, never with the lines. Lines and facts of the counts found pair with each other
    in date order, which keeps every pair within the window and the total as found."""
    line_days, fact_days = sorted(lines), sorted(facts)
    if len(line_days) == 1 and len(fact_days) == 1:  # most groups: one day each
        d, e = line_days[0], fact_days[0]
        if abs(d - e) > window:
            return {}, {}
        n = min(lines[d], facts[e])
        return {d: n}, {e: n}
    base = min(line_days[0], fact_days[0])
    span = max(line_days[-1], fact_days[-1]) - base
    most = min(sum(lines.values()), sum(facts.values()))
    scale = 2 * span * most + 1  # a day apart outweighs any difference in the sum of days
    first_fact = 2 + len(line_days)
    graph: list[list[list[int]]] = [[] for _ in range(first_fact + len(fact_days))]

    def edge(u: int, v: int, capacity: int, cost: int) -> None:
        graph[u].append([v, capacity, cost, len(graph[v])])
        graph[v].append([u, 0, -cost, len(graph[u]) - 1])

    for i, d in enumerate(line_days):
        edge(0, 2 + i, lines[d], 0)
        for j in range(bisect_left(fact_days, d - window), len(fact_days)):
            e = fact_days[j]
            if e > d + window:
                break
            edge(2 + i, first_fact + j, most, abs(d - e) * scale + (d - base) + (e - base))
    for j, e in enumerate(fact_days):
        edge(first_fact + j, 1, facts[e], 0)
    while True:  # Bellman-Ford (queue-based) from the source on the residual graph
        cost: list[int | None] = [None] * len(graph)
        back: list[tuple[int, int] | None] = [None] * len(graph)
        cost[0], queue, queued = 0, deque([0]), {0}
        while queue:
            u = queue.popleft()
            queued.discard(u)
            here = cost[u]
            assert here is not None
            for index, (v, capacity, step, _rev) in enumerate(graph[u]):
                there = cost[v]
                if capacity > 0 and (there is None or here + step < there):
                    cost[v], back[v] = here + step, (u, index)
                    if v not in queued:
                        queued.add(v)
                        queue.append(v)
        if cost[1] is None:
            break
        path, v = [], 1
        while v != 0:
            came = back[v]
            assert came is not None
            path.append(came)
            v = came[0]
        flow = min(graph[u][index][1] for u, index in path)
        for u, index in path:
            arc = graph[u][index]
            arc[1] -= flow
            graph[arc[0]][arc[3]][1] += flow
    paired_lines = {d: lines[d] - graph[0][i][1] for i, d in enumerate(line_days)}
    sinks = {arc[0]: arc for arc in graph[1]}  # the reverse arcs: their capacity is the flow
    paired_facts = {e: sinks[first_fact + j][1] for j, e in enumerate(fact_days)}
    return ({d: n for d, n in paired_lines.items() if n},
            {e: n for e, n in paired_facts.items() if n})


def ward_prefix(code: str | None, name: str) -> str:
    """The start of the ward's references: its district code folded to ASCII capitals, else
    its name's initials and numbers ("Phường 3" -> "P3")."""
    if code:
        folded = "".join(ch for ch in fold(clean(code)).upper() if ch.isascii() and ch.isalnum())
        if folded:
            return folded
    words = fold(clean(name)).upper().split()
    letters = "".join(w if w.isdigit() else w[0] for w in words if w and w[0].isalnum())
    return "".join(ch for ch in letters if ch.isascii() and ch.isalnum()) or "AID"


def donor_reference(prefix: str, entry: int) -> str:
    """The reference that names the donor declared at `entry`: "P3D0042"."""
    return f"{prefix}{entry:04d}"


def donor_of(bank: Bank, ref: str | None) -> str | None:
    """The donor a reference names (the donor declared at its serial's entry), if any, by
    any start the ward's references have had."""
    for prefix in bank.reference_prefixes:
        digits = ref[len(prefix):] if ref and ref.upper().startswith(prefix) else ""
        if digits.isdigit():
            return bank.donors.get(int(digits))
    return None


def read(log: EventLog, as_of: str | None = None, account: str | None = None,
         statements: bool = True) -> Bank:
    """The accounts, lines and cash facts as of `as_of` (every one when None); without
    `statements`, no line is read (listing accounts or making a QR code needs none)."""
    from projections.events import ward_events

    bank = Bank()
    # streamed: only the bank's facts are kept (spooled), never the ledger's events
    bank_facts((e for e in ward_events(log.stored(ward_only=True)) if not isinstance(e, str)),
               bank, as_of, account)
    if statements:
        bank.add_lines(_stated(log, as_of, account))
    return bank


def _stated(log: EventLog, as_of: str | None, account: str | None) -> Iterator[BankLine]:
    for position, _, state in log.of_topics(LINE_TOPIC):
        data = loads(state)
        if (as_of is not None and data["on"] > as_of) or \
                (account is not None and data["account"] != account):
            continue
        yield BankLine(data["key"], data["account"], data["on"], data.get("time"),
                       data["credit"], data["debit"], data["text"], data.get("ref"),
                       data.get("party"), data.get("party_account"), data.get("balance"),
                       position)


BOOK_KINDS = {names.DONATED: "donate", names.BOUGHT: "buy", names.HANDED_OUT: "give",
              names.FEE_PAID: "fee"}  # a bank fee: a debit of its account


def bank_facts(events: Iterable[WardEvent], bank: Bank, as_of: str | None = None,
               account: str | None = None) -> Bank:
    """Fold the ward's events: accounts, imports, donors, and the live cash facts naming an
    account."""
    for event in events:
        data, name = event.data, event.name
        if name == names.OPENED:
            bank.ward = data.get("name", "")
        elif name == names.CODED:
            bank.code = data.get("code")
        elif name == names.ACCOUNT_DECLARED:
            bank.accounts[data["code"]] = {**data, "entry": event.entry}
        elif name == names.STATEMENT_IMPORTED:
            bank.imports.append({**data, "entry": event.entry})
        elif name == names.DONOR_DECLARED:
            bank.donors[event.entry] = data["code"]
            bank.donor_names[data["code"]] = data.get("name", "")
            if data.get("anonymous"):
                bank.anonymous.add(data["code"])
        elif name == names.REVERSED:
            bank.annul(data["entry"], event.entry)
        elif (as_of is not None and data.get("on", "") > as_of) or \
                account not in (None, data.get("account")):
            continue
        elif name == names.CASH_MOVED:  # cash box <-> account: only the account's side moves
            bank.add_entry(BookEntry(event.entry, data["on"], "cash moved", data["account"],
                                     data["amount"]))
        elif data.get("account") and "cash" in data and name in BOOK_KINDS:
            bank.add_entry(BookEntry(event.entry, data["on"], BOOK_KINDS[name],
                                     data["account"], fund_change(data["cash"]),
                                     data.get("donor"), data.get("bank_line")))
    return bank


def find_lines(bank: Bank, ref: str | None = None, amount: int | None = None,
               on: str | None = None, limit: int = -1) -> list[BankLine]:
    """Lines whose bank reference or short id is `ref`, or whose transfer text carries the
    ward reference `ref`; or credits of `amount` on `on`."""
    if ref:
        wanted = "".join(clean(ref).upper().split())
        return bank.lines("upper(bank_ref) = ? OR (credit > 0 AND reference = ?)",
                          (wanted, wanted), limit)
    return bank.lines("credit = ? AND on_date = ?", (amount, on), limit)


# ---- reconciling -------------------------------------------------------------------------

def reconcile(bank: Bank, account: str) -> dict[str, Any]:
    """Book and bank side by side per day for `account`, and every difference: each line or
    fact left unpaired or paired with another amount."""
    db = bank.match().db
    days: dict[str, dict[str, int]] = {}
    for side, query in (
            ("bank", "SELECT on_date, sum(credit), sum(debit) FROM line WHERE account = ? "
                     "GROUP BY on_date"),
            ("book", "SELECT on_date, sum(max(amount, 0)), sum(max(-amount, 0)) FROM book "
                     "WHERE account = ? GROUP BY on_date")):
        for on, money_in, money_out in db.execute(query, (account,)):
            day = days.setdefault(on, {"book_in": 0, "book_out": 0, "bank_in": 0,
                                       "bank_out": 0})
            day[f"{side}_in"], day[f"{side}_out"] = money_in, money_out
    table, book, banked = [], 0, 0
    for on in sorted(days):
        day = days[on]
        book += day["book_in"] - day["book_out"]
        banked += day["bank_in"] - day["bank_out"]
        table.append({"date": on, **day, "book": book, "bank": banked,
                      "difference": book - banked})
    differences = [row for row in bank.rows(account) if row["status"] != "matched"]
    return {"account": account, "days": table, "book": book, "bank": banked,
            "differences": differences}


def balances(bank: Bank, start: str | None = None,
             end: str | None = None) -> list[dict[str, Any]]:
    """Per account: opening and closing balance (as the bank states them, where it does),
    money in and out over start..end, and how many lines are not matched."""
    db = bank.match().db
    out = []
    for account, declared in sorted(bank.accounts.items()):
        base = _base(bank, account)
        money_in, money_out = bank.totals(account, before=start) if start else (0, 0)
        before = money_in - money_out
        money_in, money_out = bank.totals(account, start, end)
        opening = None if base is None else base + before
        unmatched = db.execute(
            "SELECT count(*) FROM shown WHERE account = ? AND status != 'matched' "
            "AND date >= coalesce(?, date) AND date <= coalesce(?, date)",
            (account, start, end)).fetchone()[0]
        out.append({"account": account, "bank": declared["bank"],
                    "number": mask_account(declared["number"]),
                    "opening_balance": opening, "money_in": money_in, "money_out": money_out,
                    "closing_balance": None if opening is None else
                    opening + money_in - money_out,
                    "unmatched": unmatched})
    return out


def _base(bank: Bank, account: str) -> int | None:
    """The account's balance before its first line: from the first stated balance, less the
    lines up to it; else the earliest statement's stated opening balance."""
    stated = bank.db.execute("SELECT seq, balance FROM line WHERE account = ? AND balance IS "
                             "NOT NULL ORDER BY seq LIMIT 1", (account,)).fetchone()
    if stated is not None:
        moved = bank.db.execute("SELECT sum(credit - debit) FROM line WHERE account = ? AND "
                                "seq <= ?", (account, stated[0])).fetchone()[0]
        return stated[1] - moved
    openings = [i for i in bank.imports if i["account"] == account
                and i.get("opening") is not None]
    if openings:
        return min(openings, key=lambda i: i["first"])["opening"]
    return None


# ---- what donors may see -----------------------------------------------------------------

def public_line(line: BankLine, row: dict[str, Any] | None,
                anonymous: bool = False) -> dict[str, Any]:
    """A line as a public page shows it: the sender's name and account masked (an anonymous
    donor's not at all: "Ẩn danh"), the transfer text never (a message can name someone
    else), the ward reference it carries, its status and the entry it was counted as."""
    message, name, sender = parse_detail(line.text)
    name = name or line.party
    sender = sender or line.party_account
    shown_name: Any = mask_name(name) if name else None
    if anonymous:
        shown_name, sender = ANONYMOUS, None
    return {"account": line.account, "bank_ref": Verbatim(line.bank_ref), "date": line.on,
            "amount": line.amount, "sender": shown_name,
            "sender_account": mask_account(sender) if sender else None,
            "reference": row.get("reference") if row else None,
            "status": row["status"] if row else "unrecorded",
            "entry": row.get("entry") if row else None}


def unmatched_public(bank: Bank, start: str | None = None,
                     end: str | None = None) -> Iterator[dict[str, Any]]:
    """Rows not matched, for the public statement: no texts, no names."""
    for row in bank.rows():
        if row["status"] == "matched":
            continue
        if (start is not None and row["date"] < start) or (end is not None and row["date"] > end):
            continue
        yield {"account": row["account"], "bank_ref": row["bank_ref"] or Verbatim(""),
               "on": row["date"], "amount": row["amount"],
               "status": Phrase(row["status"]),  # "unrecorded", in the reader's words
               "entry": row["entry"] or ""}


MAX_FOUND = 20  # a donor's search shows at most this many lines


def find_transfers(log: EventLog, ref: str | None = None, amount: int | None = None,
                   on: str | None = None, bank: Bank | None = None) -> list[dict[str, Any]]:
    """A donor's search (`aid bank find`, the board's /saoke): each line found, masked, with
    its status and, once counted, where its cash went (the donor trace, by group). `bank` is
    the ledger's bank already read and matched (the board shares one between searches);
    without it the bank is read here."""
    from projections.audit.trace import donation, trace_donation
    from projections.events import ward_events

    if bank is None:
        with read(log) as own:
            return find_transfers(log, ref, amount, on, own)
    with bank.lock:
        found = []
        for line in find_lines(bank.match(), ref, amount, on, MAX_FOUND):
            row = next(bank.rows(key=line.key), None)
            found.append((line, public_line(line, row, bank.anonymous_entry(row))))
    counted = [shown["entry"] for line, shown in found if line.credit and shown["entry"]
               and shown["status"] in ("matched", "differs")]
    if counted:  # every transfer found traced in one replay of the ledger, not one each
        events = (e for e in ward_events(log.stored(ward_only=True)) if not isinstance(e, str))
        tracer = trace_donation(events, *counted)
        for line, shown in found:
            story = donation(tracer, shown["entry"]) if shown["entry"] in counted else None
            if story:
                cash = next((row for row in story["summary"] if row["item"] == "cash"), None)
                shown["counted"] = cash
                shown["groups"] = [g for g in story["groups"] if g["item"] == "cash"]
    return [shown for _line, shown in found]


def statement_sections(log: EventLog, start: str | None = None,
                       end: str | None = None) -> list[Any]:
    """The public statement's bank sections (none when no account is declared): per account
    its opening and closing balance, money in and out; then the lines and entries not
    matched, without names or messages."""
    from projections.audit.statement import Section

    with read(log) as bank:
        if not bank.accounts:
            return []
        return [
            Section("bank", N_("Bank accounts (sao kê)"),
                    [("account", N_("account")), ("bank", N_("bank")), ("number", N_("number")),
                     ("opening_balance", N_("opening balance")), ("money_in", N_("in")),
                     ("money_out", N_("out")), ("closing_balance", N_("closing balance")),
                     ("unmatched", N_("not matched"))],
                    balances(bank, start, end)),
            Section("bank_unmatched", N_("Bank lines and entries not matched"),
                    [("account", N_("account")), ("bank_ref", N_("bank reference")),
                     ("on", N_("date")), ("amount", N_("amount")), ("status", N_("status")),
                     ("entry", N_("entry number"))],
                    list(unmatched_public(bank, start, end))),
        ]
