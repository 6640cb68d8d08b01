"""The drive's bank accounts on the write side: declared accounts, statement lines, acceptance.

Model (issue 25). Cash held in a bank account is a place of the cash book like the cash box:
the ward fund stays one total (the rules that keep it from going negative are unchanged), and a
fact whose cash went through a bank account names it (`account` on a donation, purchase or
cash hand-out, and on the reversal of one). Cash facts that name no account are the cash box.
The book side of an account is therefore the facts that name it; the bank side is its
statement lines. No rule bounds a withdrawal, purchase or fee by the account's book side (nor a
deposit by the cash box's): an account has no declared opening balance and often held the
drive's money before it was declared or named by any fact, so the book cannot know what it
holds; only the whole fund is bounded. A debit from an account that never held the money
shows against the bank instead: no statement line supports it (`unbanked`, docs/bank.md).

- `FeePaid` (a ward fact, "ledger.bank:FeePaid") records a bank fee an account paid: cash
  leaving the fund under the cash-book category `fees` (`pay_fee`).
- `AccountDeclared` (a ward entry, "ledger.bank:AccountDeclared") declares an account: code,
  bank (banks.py code and NAPAS BIN), number, holder's name.
- Each statement line is one immutable event of its own aggregate, `Line`
  ("ledger.banklines:Line.Stated"), whose id derives from the line's key (`statements.keyed`)
  exactly as a once-only claim's does (`ledger.store.claims.claim_id`): the line *is* its
  claim, so a statement imported twice, or two overlapping statements, add nothing twice, under
  concurrent importers too (the store's unique (id, version) key), and an import of N lines
  stores N rows, not 2N. Lines are not ward entries (the ward's snapshot and entry ids do not
  grow with them); readers skip them like claims (`ledger.store.access.NOT_WARD`).
- `StatementImported` (a ward entry) records each import that added lines: which account,
  the file's name, how many lines were new, the dates covered and the stated balances.
- A donation accepted from a line (`aid bank accept`) is an ordinary `Ward.Donated` naming
  the account and citing the line (`bank_line`); a once-only claim keeps a line from being
  accepted twice while its donation stands.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ledger.bank.banks import lookup
from ledger.bank.events import (
    LINE_PREFIX,
    LINE_TOPIC,
    AccountDeclared,
    CashMoved,
    FeePaid,
    Line,
    StatementImported,
)
from ledger.bank.statements import Statement, StatementLine, each_keyed
from ledger.errors import BadInput, Refused, Shortage
from ledger.phrases import N_, Phrase, Verbatim
from ledger.service import Ledger
from ledger.store.claims import claim, claim_id
from ledger.store.decoding import loads
from ledger.store.rows import timestamp
from ledger.values.inputs import MAX_NOTE, code, optional, text
from ledger.values.text import clean
from ledger.ward import daybook
from ledger.ward.aggregate import Ward
from ledger.ward.written import Written

BATCH = 5000  # lines per transaction (PostgreSQL hangs on very large saves; DESIGN.md)


# ---- declaring ---------------------------------------------------------------------------

def declare_account(ledger: Ledger, account: str, bank: str, number: str, name: str, on: str,
                    actor: str,
                    declared: Callable[[], dict[tuple[str, str], str]] = dict) -> int:
    """Record a bank account of the drive; refuses a code already used by an account, and an
    account already declared under another code (its statements would count twice).
    `declared()`: (bank, number) -> code of the accounts declared, read afresh for each try."""
    from ledger.ward.register import write_seen

    account = code(account, N_("bank account code"))
    found = lookup(bank)
    number = clean(number or "").replace(" ", "")
    if not number or not number.isascii() or not number.isalnum() or len(number) > 19:
        raise BadInput("'{number}' is not a bank account number: write 1 to 19 letters or "
                       "digits, without spaces or dashes", number=number)
    holder = text(name, "--name")

    def change(ward: Ward, accounts: dict[tuple[str, str], str]) -> int:
        ward.unused(account, ward.bank_accounts(), N_("bank account"))
        twin = accounts.get((found.code, number))
        if twin is not None:
            raise Refused("account {number} at {bank} is already declared as {twin}: import its "
                          "statements there (one account under two codes would count every "
                          "line twice)", number=number, bank=found.code, twin=twin)
        return ward.emit(AccountDeclared, on=on, actor=clean(actor), code=account,
                         bank=found.code, bin=found.bin, number=number, name=holder)

    return write_seen(ledger, declared, change)


# the bank whose export each recognised layout is (statements.LAYOUTS)
LAYOUT_BANKS = {"vietcombank": "VCB", "vietinbank": "ICB", "bidv": "BIDV", "agribank": "VBA"}


def _same_bank(account: str, bank: str, layout: str) -> None:
    """Refuse another bank's statement in an account: its lines would be counted as this
    account's money (and again in the right one). A file read by --columns says nothing of
    its bank."""
    from ledger.bank.banks import lookup

    theirs = LAYOUT_BANKS.get(layout)
    if theirs is not None and theirs != bank:
        raise Refused("{account} is an account at {bank}, but this file is a statement of "
                      "{theirs}: import it into the {theirs} account (declare one with `aid "
                      "bank account add`); nothing was imported", account=account,
                      bank=lookup(bank).short_name, theirs=lookup(theirs).short_name)


def move_cash(ledger: Ledger, account: str, amount: int, note: str | None, on: str,
               actor: str) -> int:
    """Record cash carried from the cash box into `account` (amount > 0) or out of it into
    the box (amount < 0); the fund's total stays as it was."""
    account = code(account, N_("bank account code"))
    if not amount:
        raise BadInput("--cash must be a whole number of đồng greater than 0")
    note = optional(note, "--note", limit=MAX_NOTE)

    def change(ward: Ward) -> int:
        ward.require(account, ward.bank_accounts(), N_("bank account"))
        held = daybook.balance(ward.fund, on)  # a move leaves the fund as it is: its own day
        if abs(amount) > held:  # the box and the accounts together hold no more than the fund
            raise Shortage(N_("cannot deposit {amount:,} đồng into {account}: the ward fund, "
                              "box and accounts together, holds {held:,} đồng at the end of "
                              "{on}") if amount > 0 else
                           N_("cannot withdraw {amount:,} đồng from {account}: the ward fund, "
                              "box and accounts together, holds {held:,} đồng at the end of "
                              "{on}"), N_("check the amount, or record the cash donation first"),
                           amount=abs(amount), account=account, held=max(held, 0), on=on)
        return ward.fact(CashMoved, on, clean(actor), [], {}, account=account, amount=amount,
                         note=note)

    return ledger.write(change)


def pay_fee(ledger: Ledger, account: str, amount: int, note: str | None, on: str,
            actor: str) -> int:
    """Record a bank fee `account` paid (`amount` đồng > 0): cash leaving the ward fund under
    its own category, `fees`. Like every spending it may not make the fund negative on its
    day or any later one (`Ward.fact`): so never more than the fund holds at the end of its
    day, the bound `move_cash` applies, and never what later spending already took."""
    account = code(account, N_("bank account code"))
    if amount <= 0:
        raise BadInput("--cash must be a whole number of đồng greater than 0")
    note = optional(note, "--note", limit=MAX_NOTE)

    def change(ward: Ward) -> int:
        ward.require(account, ward.bank_accounts(), N_("bank account"))
        held = daybook.balance(ward.fund, on)
        if amount > held:
            raise Shortage("cannot pay a bank fee of {amount:,} đồng from {account}: the ward "
                           "fund holds {held:,} đồng at the end of {on}",
                           N_("check the amount, or record the cash donation first"),
                           amount=amount, account=account, held=max(held, 0), on=on)
        return ward.fact(FeePaid, on, clean(actor), [], {"fees": amount}, account=account,
                         note=note)

    return ledger.write(change)


# ---- importing ---------------------------------------------------------------------------

@dataclass
class Imported:
    lines: int = 0
    added: int = 0
    skipped: int = 0
    batches: int = 0
    entry: int | None = None  # the StatementImported entry, when anything was added


def import_statement(ledger: Ledger, account: str, statement: Statement, file: str,
                     actor: str, batch: int = BATCH,
                     progress: Callable[[int], None] = lambda n: None) -> Imported:
    """Store every line of `statement` not stored yet, `batch` lines per transaction, and a
    `StatementImported` entry with the first batch. The statement was checked whole when it
    was read (statements.read_statement), so nothing here can refuse a line halfway.

    Two passes over the lines, `batch` at a time, so memory does not grow with the statement:
    one counts the new lines (the entry says how many), the other stores them."""
    account = code(account, N_("bank account code"))
    ward = ledger.ward()
    ward.require(account, ward.bank_accounts(), N_("bank account"))
    _same_bank(account, ward.bank_accounts()[account], statement.layout)
    actor = clean(actor)
    if not actor:
        raise BadInput("who is recording this? give --actor NAME or set AID_ACTOR")
    lines = statement.lines
    outcome = Imported(lines=len(lines))
    # a reference stored for another transaction first: it is the cause when a re-imported
    # line changed, and the balances it no longer gives only follow from it
    new = sum(len(fresh) for fresh, _ in _unclaimed(ledger, account, lines, batch, file))
    _follows_stored(ledger, account, statement, file)
    outcome.skipped = outcome.lines - new
    if not new:
        return outcome
    summary = {"account": account, "file": file, "layout": statement.layout,
               "lines": len(lines), "added": new, "first": lines[0].date,
               "last": lines[-1].date, "opening": statement.opening,
               "closing": statement.closing}
    for chunk, read in _unclaimed(ledger, account, lines, batch):
        if not chunk:
            progress(read)
            continue
        first = outcome.entry is None and outcome.added == 0

        def change(ward: Ward, builder: Any, chunk: Sequence[Any] = chunk,
                   first: bool = first) -> Written:
            fresh = ledger.claimed([LINE_PREFIX + key for key, _ in chunk])
            rows, entry = [], None
            stamp = timestamp(Line.Stated)
            for key, line in chunk:
                if LINE_PREFIX + key in fresh:
                    continue
                rows.append(builder.row(claim_id(LINE_PREFIX + key), Line.INITIAL_VERSION,
                                        Line.Stated, {
                                            "timestamp": stamp, "originator_topic": LINE_TOPIC,
                                            "key": key, "account": account, "on": line.date,
                                            "time": line.time, "credit": line.credit,
                                            "debit": line.debit, "text": line.text,
                                            "ref": line.ref, "party": line.party,
                                            "party_account": line.party_account,
                                            "balance": line.balance, "actor": actor}))
            if first and rows:
                entry = ward.emit(StatementImported, on=summary["last"], actor=actor,
                                  **summary)
            return Written((len(rows), entry), rows)

        added, entry = ledger.write_rows(change)
        outcome.added += added
        outcome.skipped += len(chunk) - added
        outcome.batches += 1
        outcome.entry = outcome.entry or entry
        progress(read)
    return outcome


def _stored_lines(ledger: Ledger, account: str, first: str, last: str) -> dict[str, Any]:
    """The lines of `account` already stored, dated `first` to `last`, by key."""
    found: dict[str, Any] = {}
    start: int | None = None
    while True:
        page = ledger.recorder.select_notifications(start, 10_000, topics=(Line.Stated.TOPIC,),
                                                    inclusive_of_start=start is None)
        for notification in page:
            data = loads(notification.state)
            if data["account"] == account and first <= data["on"] <= last:
                found[data["key"]] = {**data, "position": notification.id}
        if len(page) < 10_000:
            return found
        start = page[-1].id


SPLITS_TRIED = 200  # stored lines of a day beyond which only the two usual splits are tried


def _follows_stored(ledger: Ledger, account: str, statement: Statement, file: str) -> None:
    """Refuse a statement whose balances contradict the lines of the account already stored
    over the days it covers (two overlapping statements that cannot both be the bank's).

    The statement's lines and the stored lines of its dates are walked together, by date
    (and by time where every line of the day has one): on the statement's first day the
    stored lines it does not have come first, on its last day after its own, and on a day
    between, first; a statement of one day may start and end inside it, so the splits of
    those lines into some before and the rest after its own are tried (all before, all
    after, then, for a day of up to `SPLITS_TRIED` such lines, each). Each stated balance,
    the statement's (its opening before its first line, its closing after its last) and the
    stored lines', must equal the balance before it plus the lines since; the first that does not refuses the statement. Only the days
    the statement covers are walked: a gap between it and what is stored is no
    contradiction."""
    lines = statement.lines
    if not len(lines):
        return
    first, last = lines[0].date, lines[-1].date
    stored = _stored_lines(ledger, account, first, last)
    if not stored:
        return
    keyed = list(each_keyed(account, lines))
    own = {key for key, _line in keyed}
    missing = [key for key in stored if key not in own]
    splits = [len(missing)]  # a statement of one day may start and end inside it: the
    if first == last:  # stored lines it lacks may lie before its own, after, or both
        splits = [0, len(missing)]  # an export up to now, or from the day's start on
        if len(missing) <= SPLITS_TRIED:  # then each split (each try walks the whole day)
            splits += range(1, len(missing))
    refused: Refused | None = None
    for split in splits:
        try:
            return _walk(statement, stored, keyed, missing[:split], file, account)
        except Refused as error:
            refused = refused or error
    assert refused is not None
    raise refused


def _walk(statement: Statement, stored: dict[str, Any], keyed: list[tuple[str, Any]],
          before: list[str], file: str, account: str) -> None:
    """One walk of `_follows_stored`: stored lines the statement lacks go before its own on
    its first day (those in `before`, on a statement of one day) and after on its last."""
    lines = statement.lines
    first, last = lines[0].date, lines[-1].date
    early = set(before)
    walked: list[tuple[Any, ...]] = []
    timed: dict[str, bool] = {}
    for index, (key, line) in enumerate(keyed):
        timed[line.date] = timed.get(line.date, True) and line.time is not None
        rank = 0 if line.date == last and line.date != first else 1
        walked.append((line.date, line.time, rank, index, key, line))
    own = {key for key, _line in keyed}
    for key, data in stored.items():
        if key in own:
            continue
        timed[data["on"]] = timed.get(data["on"], True) and data.get("time") is not None
        if data["on"] == first == last:
            rank = 0 if key in early else 2
        else:
            rank = 1 if data["on"] == last and data["on"] != first else 0
        walked.append((data["on"], data.get("time"), rank, data["position"], key, None))
    walked.sort(key=lambda w: (w[0], (w[1] or "") if timed[w[0]] else "", w[2], w[3]))
    running: int | None = None
    last_index = len(lines) - 1

    def check(stated: int, what: Phrase, line: Any, key: str) -> None:
        nonlocal running
        if running is not None and running != stated:
            if line is not None:
                raise Refused("{file} line {line}: {what} {stated:,} đồng does not follow from "
                              "the lines of {account} already imported, which give {expected:,} "
                              "đồng; nothing was imported", file=file, line=line.line,
                              what=what, stated=stated, account=account, expected=running)
            kept = stored[key]
            raise Refused("{file} contradicts line {ref} of {on} already imported in {account}: "
                          "the bank stated the balance {stored:,} đồng there, this statement's "
                          "lines give {expected:,} đồng; nothing was imported", file=file,
                          ref=Verbatim(kept.get("ref") or short_id(key)), on=kept["on"],
                          account=account, stored=stated, expected=running)
        running = stated

    balance = Phrase(N_("the balance"))
    for _on, _time, _rank, index, key, line in walked:
        if line is not None and index == 0 and statement.opening is not None:
            check(statement.opening, Phrase(N_("the opening balance")), line, key)
        if line is not None:
            moved = line.credit - line.debit
        else:
            moved = stored[key]["credit"] - stored[key]["debit"]
        if running is not None:
            running += moved
        if line is not None and line.balance is not None:
            check(line.balance, balance, line, key)
        if key in stored and stored[key].get("balance") is not None:
            check(stored[key]["balance"], balance, None, key)
        if line is not None and index == last_index and statement.closing is not None:
            check(statement.closing, Phrase(N_("the closing balance")), line, key)


def short_id(key: str) -> str:
    """A line's short id, for statements without references (projections.bank.BankLine)."""
    import hashlib

    return "L" + hashlib.sha256(key.encode()).hexdigest()[:10].upper()


def _unclaimed(ledger: Ledger, account: str, lines: Iterable[StatementLine],
               batch: int, file: str = "") -> Iterator[tuple[list[tuple[str, StatementLine]],
                                                             int]]:
    """(the keyed lines not stored yet, how many lines were read) for each `batch` lines;
    with `file`, a line whose bank reference is stored for another transaction refuses the
    statement (the first pass, before anything is written)."""
    chunk: list[tuple[str, StatementLine]] = []
    for pair in each_keyed(account, lines):
        chunk.append(pair)
        if len(chunk) == batch:
            yield _fresh(ledger, chunk, file), len(chunk)
            chunk = []
    if chunk:
        yield _fresh(ledger, chunk, file), len(chunk)


def _fresh(ledger: Ledger, chunk: list[tuple[str, StatementLine]], file: str = ""
           ) -> list[tuple[str, StatementLine]]:
    claimed = ledger.claimed([LINE_PREFIX + key for key, _ in chunk])
    if file and claimed:
        _same_transactions(ledger, [(key, line) for key, line in chunk
                                    if line.ref and LINE_PREFIX + key in claimed], file)
    return [(key, line) for key, line in chunk if LINE_PREFIX + key not in claimed]


def _same_transactions(ledger: Ledger, stored: list[tuple[str, StatementLine]],
                       file: str) -> None:
    """Refuse lines whose bank reference is stored for another transaction (another day or
    amount): skipped as "already imported", they would be lost without a word."""
    from ledger.bank.statements import StatementRefused

    by_id = {claim_id(LINE_PREFIX + key): line for key, line in stored}
    problems = []
    for event in ledger.recorder.first_events(list(by_id)):
        kept, line = loads(event.state), by_id[event.originator_id]
        if (kept.get("on"), kept.get("credit"), kept.get("debit")) != \
                (line.date, line.credit, line.debit):
            problems.append(Phrase(N_("line {line}: the bank reference {ref} is already "
                                      "stored for another transaction ({on}, in {credit:,}, "
                                      "out {debit:,} đồng): a reference names one transaction"),
                                   line=line.line, ref=line.ref, on=kept.get("on"),
                                   credit=kept.get("credit") or 0,
                                   debit=kept.get("debit") or 0))
    if problems:
        raise StatementRefused(file, sorted(problems, key=lambda p: p.fields["line"]))


# ---- accepting ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Acceptance:
    """A credit line to record as a donation: the line's key, account, date and amount, the
    donor, and how many earlier donations from this line were reversed (a fresh claim each)."""

    key: str
    account: str
    on: str
    amount: int
    donor: str
    reversed: int = 0


def acceptance_key(key: str, reversed: int) -> str:
    return f"bank-accepted:{key}#{reversed}"


def accept(ledger: Ledger, lines: Sequence[Acceptance], location: str | None,
           actor: str) -> list[int]:
    """Record one cash donation per line, into its account, citing it; all in one write."""
    actor = clean(actor)

    def change(ward: Ward) -> Written:
        place = code(location, N_("location code")) if location else _cash_location(ward)
        entries, claims = [], []
        for line in lines:
            entry = ward.donate(code(line.donor), place, line.amount, {}, None, None,
                                line.on, actor, account=line.account, bank_line=line.key)
            entries.append(entry)
            claims.append(claim(acceptance_key(line.key, line.reversed), entry))
        return Written(entries, claims)

    return ledger.write(change)


def _cash_location(ward: Ward) -> str:
    """Where a cash-only donation is recorded when no --into is given: the first store."""
    stores = [name for name, kind in ward.locations.items() if kind == "store"]
    if not stores:
        raise BadInput("a donation needs a location: declare one with `aid location add` or "
                       "give --into")
    return stores[0]
