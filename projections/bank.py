"""Sao kê: the cash book proven against the bank (issue 25). Read side only: never writes.

The bank side of an account is its statement lines (`ledger.banklines:Line.Stated`); the book
side is the ward's cash facts that name the account (`account` on a donation, purchase or cash
hand-out, ledger/bank/accounts.py). `match` pairs them:

1. a donation citing a line (`bank_line`, recorded by `aid bank accept`) is that line's;
2. a credit whose transfer text carries a ward reference (`P3D0042`, statements.find_reference)
   names the donor declared at entry 42 (`aid bank qr --donor`): it pairs with that donor's
   donation into the account of the same amount nearest in date, else of another amount within
   the date window (`differs`);
3. any other credit pairs with a donation into the account of the same amount within
   `WINDOW` days (nearest date, then the earliest entry); each debit likewise with a purchase
   or cash hand-out paid from the account.

Lines left over are `unrecorded`; facts left over are `unbanked`. A reversed fact and its
reversal are left out together, as every other audit does.
"""

from __future__ import annotations

import bisect
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ledger.bank.statements import find_reference, mask_account, mask_name, parse_detail
from ledger.store.access import EventLog
from ledger.store.decoding import loads
from ledger.values.text import clean, fold
from ledger.ward import names
from ledger.ward.cashbook import fund_change
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
    kind: str  # donate, buy, give, cash moved
    account: str
    amount: int  # signed fund change: in positive, out negative
    donor: str | None = None
    bank_line: str | None = None


@dataclass
class Bank:
    """Everything the bank pages need, read from the events once."""

    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> declaration
    imports: list[dict[str, Any]] = field(default_factory=list)
    lines: list[BankLine] = field(default_factory=list)
    entries: list[BookEntry] = field(default_factory=list)  # live (not reversed) cash facts
    donors: dict[int, str] = field(default_factory=dict)  # declaring entry -> donor code
    donor_names: dict[str, str] = field(default_factory=dict)
    anonymous: set[str] = field(default_factory=set)
    ward: str = ""
    code: str | None = None
    accepted_reversed: dict[str, int] = field(default_factory=dict)  # line key -> reversals

    @property
    def reference_prefix(self) -> str:
        return ward_prefix(self.code, self.ward) + "D"


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


def read(log: EventLog, as_of: str | None = None, account: str | None = None) -> Bank:
    """The accounts, lines and cash facts as of `as_of` (every one when None)."""
    from projections.events import ward_events

    bank = Bank()
    # streamed: only the bank's facts are kept, never the ledger's events
    bank_facts((e for e in ward_events(log.stored(ward_only=True)) if not isinstance(e, str)),
               bank, as_of, account)
    for position, _, state in log.of_topics(LINE_TOPIC):
        data = loads(state)
        if (as_of is not None and data["on"] > as_of) or \
                (account is not None and data["account"] != account):
            continue
        bank.lines.append(BankLine(data["key"], data["account"], data["on"], data.get("time"),
                                   data["credit"], data["debit"], data["text"], data.get("ref"),
                                   data.get("party"), data.get("party_account"),
                                   data.get("balance"), position))
    bank.lines.sort(key=lambda line: (line.account, line.on, line.time or "", line.position))
    return bank


def bank_facts(events: Iterable[WardEvent], bank: Bank, as_of: str | None = None,
               account: str | None = None) -> Bank:
    """Fold the ward's events: accounts, imports, donors, and the live cash facts naming an
    account."""
    facts: dict[int, BookEntry] = {}
    annulled: set[int] = set()
    for event in events:
        data, name = event.data, event.name
        if name == "Ward.Opened":
            bank.ward = data.get("name", "")
        elif name == "Ward.Coded":
            bank.code = data.get("code")
        elif name == names.ACCOUNT_DECLARED:
            bank.accounts[data["code"]] = {**data, "entry": event.entry}
        elif name == names.STATEMENT_IMPORTED:
            bank.imports.append({**data, "entry": event.entry})
        elif name == "Ward.DonorDeclared":
            bank.donors[event.entry] = data["code"]
            bank.donor_names[data["code"]] = data.get("name", "")
            if data.get("anonymous"):
                bank.anonymous.add(data["code"])
        elif name == "Ward.Reversed":
            annulled.update((data["entry"], event.entry))
            original = facts.get(data["entry"])
            if original is not None and original.bank_line:
                bank.accepted_reversed[original.bank_line] = \
                    bank.accepted_reversed.get(original.bank_line, 0) + 1
        elif name == names.CASH_MOVED:  # cash box <-> account: only the account's side moves
            if (as_of is None or data["on"] <= as_of) and account in (None, data["account"]):
                facts[event.entry] = BookEntry(event.entry, data["on"], "cash moved",
                                               data["account"], data["amount"])
        elif data.get("account") and "cash" in data:
            if (as_of is not None and data["on"] > as_of) or \
                    (account is not None and data["account"] != account):
                continue
            kind = {"Ward.Donated": "donate", "Ward.Bought": "buy",
                    "Ward.HandedOut": "give"}.get(name)
            if kind is None:
                continue
            amount = fund_change(data["cash"])  # a hand-out's: its direct cash only
            facts[event.entry] = BookEntry(event.entry, data["on"], kind, data["account"],
                                           amount, data.get("donor"), data.get("bank_line"))
    bank.entries = [fact for entry, fact in sorted(facts.items()) if entry not in annulled]
    return bank


# ---- matching ----------------------------------------------------------------------------

def _day(on: str) -> int:
    return date.fromisoformat(on).toordinal()


class _Pool:
    """Unpaired book entries of one account and amount (or one donor), by date: the nearest
    unused one is found by bisection, used ones skipped by path-compressed pointers, so a
    statement of 100,000 lines matches in near-linear time."""

    def __init__(self) -> None:
        self.items: list[tuple[int, int, BookEntry]] = []

    def add(self, fact: BookEntry) -> None:
        self.items.append((_day(fact.on), fact.entry, fact))

    def sort(self) -> None:
        self.items.sort(key=lambda item: (item[0], item[1]))
        self.days = [item[0] for item in self.items]
        n = len(self.items)
        self.after = list(range(n + 1))  # index -> the first unused index at or after it
        self.before = list(range(-1, n))  # index + 1 -> the last unused index at or before it

    def _next(self, i: int) -> int:
        root = i
        while self.after[root] != root:
            root = self.after[root]
        while self.after[i] != root:
            self.after[i], i = root, self.after[i]
        return root

    def _previous(self, i: int) -> int:  # i in -1..n-1, stored at i + 1
        root = i
        while self.before[root + 1] != root:
            root = self.before[root + 1]
        while self.before[i + 1] != root:
            self.before[i + 1], i = root, self.before[i + 1]
        return root

    def _use(self, i: int) -> None:
        self.after[i] = i + 1
        self.before[i + 1] = i - 1

    def take(self, day: int, window: int | None, taken: set[int],
             amount: int | None = None) -> BookEntry | None:
        """The unused entry nearest `day` (within `window` days; any date when None), of
        `amount` when given; ties go to the earlier entry."""
        n = len(self.items)
        at = bisect.bisect_left(self.days, day)
        while True:
            right = self._next(at) if at < n else n
            left = self._previous(at - 1) if at > 0 else -1
            choices = [i for i in (left, right) if 0 <= i < n]
            if not choices:
                return None
            i = min(choices, key=lambda c: (abs(self.days[c] - day), self.items[c][1]))
            if window is not None and abs(self.days[i] - day) > window:
                return None
            fact = self.items[i][2]
            if fact.entry in taken:
                self._use(i)
                continue
            if amount is not None and fact.amount != amount:
                return self._scan(day, window, taken, amount)
            self._use(i)
            taken.add(fact.entry)
            return fact

    def _scan(self, day: int, window: int | None, taken: set[int],
              amount: int) -> BookEntry | None:
        """One donor's entries are few: the nearest unused one of `amount`, by a plain scan."""
        found = [(abs(d - day), e, i) for i, (d, e, fact) in enumerate(self.items)
                 if fact.amount == amount and fact.entry not in taken
                 and self._next(i) == i and (window is None or abs(d - day) <= window)]
        if not found:
            return None
        _, _, i = min(found)
        self._use(i)
        taken.add(self.items[i][2].entry)
        return self.items[i][2]


def match(bank: Bank, window: int = WINDOW) -> list[dict[str, Any]]:
    """One row per line and per unbanked fact: account, bank_ref, date, amount (signed),
    status, entry (when paired), book_amount (when it differs), reference, key."""
    lines_by_key = {line.key: line for line in bank.lines}
    paired: dict[str, BookEntry] = {}
    taken: set[int] = set()
    for fact in bank.entries:  # 1. citations
        if fact.bank_line and fact.bank_line in lines_by_key and fact.bank_line not in paired:
            paired[fact.bank_line] = fact
            taken.add(fact.entry)
    pools: dict[tuple[str, int], _Pool] = defaultdict(_Pool)
    by_donor: dict[tuple[str, str], _Pool] = defaultdict(_Pool)
    for fact in bank.entries:
        if fact.entry in taken:
            continue
        pools[(fact.account, fact.amount)].add(fact)
        if fact.donor and fact.amount > 0:
            by_donor[(fact.account, fact.donor)].add(fact)
    for pool in (*pools.values(), *by_donor.values()):
        pool.sort()
    prefix = bank.reference_prefix
    references: dict[str, str | None] = {}
    differs: dict[str, BookEntry] = {}
    named: list[tuple[BankLine, _Pool]] = []
    for line in bank.lines:  # 2. references naming a declared donor
        if line.key in paired:
            continue
        ref = find_reference(line.text, prefix) if line.credit else None
        references[line.key] = ref
        donor = donor_of(bank, ref)
        pool = by_donor.get((line.account, donor)) if donor else None
        if pool is not None:
            named.append((line, pool))
    # the donor's entry of the same amount near the line's date, then at any date, then one
    # of another amount near it (`differs`): each pass over every named line before the next
    for near, same in ((window, True), (None, True), (window, False)):
        for line, pool in named:
            if line.key in paired:
                continue
            fact = pool.take(_day(line.on), near, taken, line.amount if same else None)
            if fact is not None:
                paired[line.key] = fact
                if not same:
                    differs[line.key] = fact
    for line in bank.lines:  # 3. amount and date
        if line.key in paired:
            continue
        pool = pools.get((line.account, line.amount))
        fact = pool.take(_day(line.on), window, taken) if pool else None
        if fact is not None:
            paired[line.key] = fact
    rows: list[dict[str, Any]] = []
    for line in bank.lines:
        fact = paired.get(line.key)
        status = "unrecorded" if fact is None else \
            "differs" if (line.key in differs or fact.amount != line.amount) else "matched"
        row = {"account": line.account, "bank_ref": line.bank_ref, "date": line.on,
               "amount": line.amount, "status": status,
               "entry": fact.entry if fact is not None else None,
               "reference": references.get(line.key) or (
                   find_reference(line.text, prefix) if line.credit else None),
               "key": line.key}
        if status == "differs":
            row["book_amount"] = fact.amount
        rows.append(row)
    for fact in bank.entries:
        if fact.entry not in taken:
            rows.append({"account": fact.account, "bank_ref": None, "date": fact.on,
                         "amount": fact.amount, "status": "unbanked", "entry": fact.entry,
                         "reference": None, "key": None})
    rows.sort(key=lambda r: (r["account"], r["date"], r["entry"] or 0, r["bank_ref"] or ""))
    return rows


def donor_of(bank: Bank, ref: str | None) -> str | None:
    """The donor a reference names (the donor declared at its serial's entry), if any."""
    if not ref:
        return None
    digits = ref[len(bank.reference_prefix):]
    return bank.donors.get(int(digits)) if digits.isdigit() else None


def find_lines(bank: Bank, ref: str | None = None, amount: int | None = None,
               on: str | None = None) -> list[BankLine]:
    """Lines whose bank reference or short id is `ref`, or whose transfer text carries the
    ward reference `ref`; or credits of `amount` on `on`."""
    if ref:
        wanted = "".join(clean(ref).upper().split())
        return [line for line in bank.lines
                if line.bank_ref.upper() == wanted or
                (line.credit and (find_reference(line.text, bank.reference_prefix) or "")
                 == wanted)]
    return [line for line in bank.lines if line.credit == amount and line.on == on]


# ---- reconciling -------------------------------------------------------------------------

def reconcile(bank: Bank, rows: list[dict[str, Any]], account: str) -> dict[str, Any]:
    """Book and bank side by side per day for `account`, and every difference: each line or
    fact left unpaired or paired with another amount."""
    days: dict[str, dict[str, int]] = defaultdict(lambda: {"book_in": 0, "book_out": 0,
                                                           "bank_in": 0, "bank_out": 0})
    for line in bank.lines:
        if line.account == account:
            days[line.on]["bank_in"] += line.credit
            days[line.on]["bank_out"] += line.debit
    for fact in bank.entries:
        if fact.account == account:
            side = "book_in" if fact.amount > 0 else "book_out"
            days[fact.on][side] += abs(fact.amount)
    table, book, banked = [], 0, 0
    for on in sorted(days):
        day = days[on]
        book += day["book_in"] - day["book_out"]
        banked += day["bank_in"] - day["bank_out"]
        table.append({"date": on, **day, "book": book, "bank": banked,
                      "difference": book - banked})
    differences = [row for row in rows if row["account"] == account
                   and row["status"] != "matched"]
    return {"account": account, "days": table, "book": book, "bank": banked,
            "differences": differences}


def balances(bank: Bank, rows: list[dict[str, Any]], start: str | None = None,
             end: str | None = None) -> list[dict[str, Any]]:
    """Per account: opening and closing balance (as the bank states them, where it does),
    money in and out over start..end, and how many lines are not matched."""
    out = []
    for account, declared in sorted(bank.accounts.items()):
        lines = [line for line in bank.lines if line.account == account]
        base = _base(lines, bank.imports, account)
        before = sum(line.amount for line in lines if start is not None and line.on < start)
        within = [line for line in lines if (start is None or line.on >= start)
                  and (end is None or line.on <= end)]
        opening = None if base is None else base + before
        moved = sum(line.amount for line in within)
        unmatched = sum(1 for row in rows if row["account"] == account
                        and row["status"] != "matched" and (start is None or row["date"] >= start)
                        and (end is None or row["date"] <= end))
        out.append({"account": account, "bank": declared["bank"],
                    "number": mask_account(declared["number"]),
                    "opening_balance": opening,
                    "money_in": sum(line.credit for line in within),
                    "money_out": sum(line.debit for line in within),
                    "closing_balance": None if opening is None else opening + moved,
                    "unmatched": unmatched})
    return out


def _base(lines: list[BankLine], imports: list[dict[str, Any]], account: str) -> int | None:
    """The account's balance before its first line: from the first stated balance, less the
    lines up to it; else the earliest statement's stated opening balance."""
    moved = 0
    for line in lines:
        moved += line.amount
        if line.balance is not None:
            return line.balance - moved
    openings = [i for i in imports if i["account"] == account and i.get("opening") is not None]
    if openings:
        return min(openings, key=lambda i: i["first"])["opening"]
    return None


# ---- what donors may see -----------------------------------------------------------------

def public_line(bank: Bank, line: BankLine, row: dict[str, Any] | None) -> dict[str, Any]:
    """A line as a public page shows it: the sender's name and account masked, the transfer
    text never (a message can name someone else), the ward reference it carries, its status
    and the entry it was counted as."""
    message, name, sender = parse_detail(line.text)
    name = name or line.party
    sender = sender or line.party_account
    return {"account": line.account, "bank_ref": line.bank_ref, "date": line.on,
            "amount": line.amount, "sender": mask_name(name) if name else None,
            "sender_account": mask_account(sender) if sender else None,
            "reference": row.get("reference") if row else None,
            "status": row["status"] if row else "unrecorded",
            "entry": row.get("entry") if row else None}


def unmatched_public(bank: Bank, rows: list[dict[str, Any]], start: str | None = None,
                     end: str | None = None) -> Iterator[dict[str, Any]]:
    """Rows not matched, for the public statement: no texts, no names."""
    for row in rows:
        if row["status"] == "matched":
            continue
        if (start is not None and row["date"] < start) or (end is not None and row["date"] > end):
            continue
        yield {"account": row["account"], "bank_ref": row["bank_ref"] or "",
               "on": row["date"], "amount": row["amount"], "status": row["status"],
               "entry": row["entry"] or ""}


MAX_FOUND = 20  # a donor's search shows at most this many lines


def find_transfers(log: EventLog, ref: str | None = None, amount: int | None = None,
                   on: str | None = None) -> list[dict[str, Any]]:
    """A donor's search (`aid bank find`, the board's /saoke): each line found, masked, with
    its status and, once counted, where its cash went (the donor trace, by group)."""
    from projections.audit.trace import donation, trace_donation
    from projections.events import ward_events

    bank = read(log)
    rows = {row["key"]: row for row in match(bank) if row["key"]}
    found = [(line, public_line(bank, line, rows.get(line.key)))
             for line in find_lines(bank, ref, amount, on)[:MAX_FOUND]]
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
    from ledger.phrases import N_
    from projections.audit.statement import Section

    bank = read(log)
    if not bank.accounts:
        return []
    rows = match(bank)
    return [
        Section("bank", N_("Bank accounts (sao kê)"),
                [("account", N_("account")), ("bank", N_("bank")), ("number", N_("number")),
                 ("opening_balance", N_("opening balance")), ("money_in", N_("in")),
                 ("money_out", N_("out")), ("closing_balance", N_("closing balance")),
                 ("unmatched", N_("not matched"))],
                balances(bank, rows, start, end)),
        Section("bank_unmatched", N_("Bank lines and entries not matched"),
                [("account", N_("account")), ("bank_ref", N_("bank reference")),
                 ("on", N_("date")), ("amount", N_("amount")), ("status", N_("status")),
                 ("entry", N_("entry"))],
                list(unmatched_public(bank, rows, start, end))),
    ]
