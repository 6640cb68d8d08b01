"""`aid bank …`: the drive's bank accounts, VietQR codes, statements, matching (sao kê)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from commands.cli import options as o
from commands.language.words import N_, _, say
from commands.output.render import emit
from ledger.errors import BadInput, Refused
from ledger.phrases import Phrase, Verbatim

if TYPE_CHECKING:
    from projections.bank import Bank

bank_app = typer.Typer(help="The drive's bank accounts (tài khoản): VietQR codes for giving, "
                            "statements in (sao kê), matched against the cash book.",
                       no_args_is_help=True)
account_app = typer.Typer(help="Declare and list the drive's bank accounts.",
                          no_args_is_help=True)
bank_app.add_typer(account_app, name="account")




class QrFormat(str, Enum):
    text = "text"
    json = "json"


MATCH_COLUMNS = [("account", N_("account")), ("bank_ref", N_("bank reference")),
                 ("date", N_("date")), ("amount", N_("đồng")), ("status", N_("status")),
                 ("entry", N_("entry number")), ("book_amount", N_("in the book"))]
FIND_COLUMNS = [("account", N_("account")), ("bank_ref", N_("bank reference")),
                ("date", N_("date")), ("amount", N_("đồng")), ("sender", N_("sender")),
                ("sender_account", N_("from account")), ("status", N_("status")),
                ("entry", N_("entry number"))]
STATUS_WORDS = {"matched": N_("matched"), "differs": N_("differs"),
                "unrecorded": N_("unrecorded"), "unbanked": N_("unbanked")}


def _read(db: Path | None, as_of: str | None = None, account: str | None = None,
          statements: bool = True) -> Bank:
    """The bank as of `as_of`: close it (or use it in `with`) to throw away its spool."""
    from ledger.store.access import open_log
    from projections.bank import read

    log = open_log(o.address(db))
    try:
        with log.snapshot():
            return read(log, as_of, account, statements)
    finally:
        log.close()


def _known_account(bank: Bank, account: str) -> dict[str, Any]:
    from ledger.values.inputs import known

    return bank.accounts[known(account, bank.accounts, N_("bank account"))]


# ---- accounts ----------------------------------------------------------------------------

@account_app.command("add")
def account_add(code: Annotated[str, typer.Argument(help="The account's code, e.g. VCB1.")],
                bank: Annotated[str, typer.Option(
                    "--bank", help="The bank: VCB, ICB (VietinBank), BIDV, VBA (Agribank), … or "
                                   "its six-digit NAPAS BIN.")],
                number: Annotated[str, typer.Option("--number", help="The account number.")],
                name: Annotated[str, typer.Option(
                    "--name", help="The account holder's name, as the bank writes it.")],
                db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Declare a bank account of the drive (tài khoản nhận ủng hộ)."""
    from commands.recording.writing import record
    from ledger.bank.accounts import declare_account

    def declared() -> dict[tuple[str, str], str]:
        with _read(db, statements=False) as drive:
            return {(a["bank"], a["number"]): account for account, a in drive.accounts.items()}

    record(db, lambda ledger: declare_account(ledger, code, bank, number, name, o.on(on),
                                              o.actor(actor), declared))


@account_app.command("list")
def account_list(fmt: o.FormatOption = o.Format.table, db: o.Db = None) -> None:
    """The declared accounts, their banks and numbers."""
    with _read(db, statements=False) as bank:
        accounts = sorted(bank.accounts.items())
    rows = [{"account": code, "bank": a["bank"], "bin": a["bin"], "number": a["number"],
             "name": a["name"], "entry": a["entry"]} for code, a in accounts]
    emit(rows, fmt.value, [("account", N_("account")), ("bank", N_("bank")), ("bin", "BIN"),
                           ("number", N_("number")), ("name", N_("name")),
                           ("entry", N_("entry number"))],
         empty=N_("no bank account declared yet; see `aid bank account add`"))


# ---- cash between the box and an account -------------------------------------------------

Amount = Annotated[str, typer.Option("--cash", help="Amount in đồng.")]
Note = Annotated[Optional[str], typer.Option(
    "--note", help="A note, e.g. the deposit slip's number.", show_default=False)]


@bank_app.command("deposit")
def deposit(account: Annotated[str, typer.Argument(help="The account's code.")],
            cash: Amount, note: Note = None, db: o.Db = None, actor: o.Actor = None,
            on: o.On = None) -> None:
    """Cash carried from the cash box into the account (nộp tiền mặt vào tài khoản): the fund
    stays the same, the account's book side gains it, and its statement line matches it."""
    _move(account, cash, 1, note, db, actor, on)


@bank_app.command("withdraw")
def withdraw(account: Annotated[str, typer.Argument(help="The account's code.")],
             cash: Amount, note: Note = None, db: o.Db = None, actor: o.Actor = None,
             on: o.On = None) -> None:
    """Cash drawn from the account into the cash box (rút tiền mặt): the fund stays the same,
    the account's book side loses it, and its statement line matches it."""
    _move(account, cash, -1, note, db, actor, on)


FeeNote = Annotated[Optional[str], typer.Option(
    "--note", help="What the fee was, as the statement says it, e.g. \"THU PHI SMS\".",
    show_default=False)]


@bank_app.command("fee")
def fee(account: Annotated[str, typer.Argument(help="The account's code.")],
        cash: Amount, note: FeeNote = None, db: o.Db = None, actor: o.Actor = None,
        on: o.On = None) -> None:
    """A bank fee the account paid (phí ngân hàng: SMS banking, account keeping, a
    transfer's charge): cash leaving the fund as bank fees, matched by the statement's
    debit line for it."""
    from commands.recording.writing import record
    from ledger.bank.accounts import pay_fee
    from ledger.values.inputs import money_amount

    amount = money_amount(cash, "--cash")
    record(db, lambda ledger: pay_fee(ledger, account, amount, note, o.on(on), o.actor(actor)))


def _move(account: str, cash: str, sign: int, note: str | None, db: Path | None,
          actor: str | None, on: str | None) -> None:
    from commands.recording.writing import record
    from ledger.bank.accounts import move_cash
    from ledger.values.inputs import money_amount

    amount = sign * money_amount(cash, "--cash")
    record(db, lambda ledger: move_cash(ledger, account, amount, note, o.on(on), o.actor(actor)))


# ---- VietQR ------------------------------------------------------------------------------

def _qr_output(path: Path | None) -> Path | None:
    if path is not None and path.suffix.lower() not in (".png", ".svg"):
        raise typer.BadParameter(say("'{name}' must end in .png or .svg", name=path.name))
    return path


@bank_app.command("qr")
def qr(account: Annotated[str, typer.Argument(help="The account's code.")],
       donor: Annotated[Optional[str], typer.Option(
           "--donor", help="Put this donor's reference in the transfer's message, so the "
                           "transfer finds the donor by itself.", show_default=False)] = None,
       amount: Annotated[Optional[str], typer.Option(
           "--amount", help="Fix the amount in đồng.", show_default=False)] = None,
       ref: Annotated[Optional[str], typer.Option(
           "--ref", help="The reference to put in the message (ASCII letters and digits).",
           show_default=False)] = None,
       output: Annotated[Optional[Path], typer.Option(
           "--output", "-o", metavar="FILE.png|FILE.svg", callback=_qr_output,
           help="Also draw the QR code into this file.", show_default=False)] = None,
       fmt: Annotated[QrFormat, typer.Option("--format", help="Output format.")] = QrFormat.text,
       db: o.Db = None) -> None:
    """A NAPAS VietQR code for giving to an account: prints its payload."""
    from ledger.bank import vietqr
    from ledger.values.inputs import code, known, money_amount
    from projections.bank import donor_reference

    money = money_amount(amount, "--amount", minimum=1) if amount is not None else None
    if ref is not None and donor is not None:
        raise BadInput("give --donor or --ref, not both: --donor makes the donor's reference")
    with _read(db, statements=False) as bank:
        declared = _known_account(bank, code(account, N_("bank account code")))
        if donor is not None:
            wanted = code(donor, N_("donor code"))
            entries = {name: entry for entry, name in bank.donors.items()}
            known(wanted, entries, N_("donor"))  # the nearest declared donors, as everywhere
            ref = donor_reference(bank.reference_prefix, entries[wanted])
    payload = vietqr.payload(declared["bin"], declared["number"], money, ref)
    if output is not None:
        from commands.output.printing import writing

        with writing(output):
            (vietqr.qr_svg if output.suffix.lower() == ".svg" else vietqr.qr_png)(
                payload=payload, path=output)
    if fmt is QrFormat.json:
        typer.echo(json.dumps({"payload": payload, "ref": ref, "account": declared["code"],
                               "bank": declared["bank"], "number": declared["number"],
                               "amount": money}, ensure_ascii=False, indent=2))
        return
    typer.echo(payload)
    if output is not None:
        typer.echo(say("wrote {path}", path=output), err=True)


# ---- statements --------------------------------------------------------------------------

@bank_app.command("import")
def import_(account: Annotated[str, typer.Argument(help="The account's code.")],
            file: Annotated[Path, typer.Argument(
                help="The bank's statement export, .xlsx or .csv (Vietcombank, VietinBank, "
                     "BIDV, Agribank are recognised from their header row).")],
            columns: Annotated[Optional[str], typer.Option(
                "--columns", help="For any other bank: date=…,credit=…,debit=…,text=…[,ref=…,"
                                  "time=…,balance=…,party=…] naming the file's own headers.",
                show_default=False)] = None,
            thousands: Annotated[Optional[str], typer.Option(
                "--thousands", help="The thousands separator of the amounts, . or , (default: "
                                    "the bank's own).", show_default=False)] = None,
            sheet: Annotated[Optional[str], typer.Option(
                "--sheet", help="The workbook's sheet (default: the first).",
                show_default=False)] = None,
            db: o.Db = None, actor: o.Actor = None) -> None:
    """Import a statement: each line once, however often it is imported; all or nothing."""
    from commands.output.progress import progress
    from commands.recording.writing import recorded, refresh
    from ledger.bank.accounts import import_statement
    from ledger.bank.statements import read_statement
    from ledger.store.access import open_ledger

    if thousands is not None and thousands not in (".", ","):
        raise BadInput("--thousands is . or , (the separator the amounts are written with), "
                       "not '{given}'", given=thousands)
    with _problems_listed(file.name):
        statement = read_statement(file, columns=columns, thousands=thousands, sheet=sheet)
    _same_number(db, account, statement, file.name)
    where = o.address(db)
    ledger = open_ledger(where)
    try:
        with progress(len(statement.lines), say("importing {what}", what=_("bank lines"))) \
                as advance, _problems_listed(file.name):
            outcome = import_statement(ledger, account, statement, file.name, o.actor(actor),
                                       progress=advance)
    finally:
        ledger.close()
    refresh(where)
    if outcome.entry:  # the usual one line: what was recorded, on which date, the entry id
        typer.echo(recorded(where, outcome.entry))
    typer.echo(say("imported {added:,} of {lines:,} lines of {name}; {skipped:,} already "
                   "imported, skipped", added=outcome.added, lines=outcome.lines,
                   name=file.name, skipped=outcome.skipped))


@contextmanager
def _problems_listed(name: str) -> Iterator[None]:
    """A refused statement's problems one per line, as `aid import` lists a file's (the first
    50), then one line saying nothing was imported."""
    from ledger.bank.statements import StatementRefused

    try:
        yield
    except StatementRefused as refused:
        for problem in refused.problems[:50]:
            typer.echo(say("aid: {name} {problem}", name=name, problem=problem), err=True)
        more = len(refused.problems) - 50
        tail = Phrase(N_(" ({more} more problems not shown)"), more=more) if more > 0 else ""
        raise BadInput(N_("nothing was imported from {name}: fix the lines above{tail}"),
                       name=name, tail=tail) from None


def _same_number(db: Path | None, account: str, statement: Any, name: str) -> None:
    """Refuse a statement whose title states another account's number: its lines would count
    as this account's money (and again in their own account's). Another bank's statement is
    said as such by the import (ledger/bank/accounts.py)."""
    from ledger.bank.accounts import LAYOUT_BANKS
    from ledger.bank.events import AccountDeclared
    from ledger.store.access import open_log
    from ledger.store.decoding import loads

    number = statement.number
    if number is None:
        return
    log = open_log(o.address(db))
    try:  # the declarations alone, not every event (`_read` folds them all)
        declared = next((data for data in (loads(state) for _, _, state
                                           in log.of_topics(AccountDeclared.TOPIC))
                         if data.get("code") == account), None)
    finally:
        log.close()
    if declared is None or LAYOUT_BANKS.get(statement.layout, declared["bank"]) != \
            declared["bank"]:
        return
    if declared["number"] != number:
        raise BadInput("{name} is the statement of account {number}, but {account} is account "
                       "{declared}: import it into the account it is of (declare it with `aid "
                       "bank account add`); nothing was imported", name=name, number=number,
                       account=account, declared=declared["number"])


@bank_app.command("match")
def match(account: Annotated[Optional[str], typer.Option(
              "--account", help="Only this account.", show_default=False)] = None,
          status: Annotated[Optional[str], typer.Option(
              "--status", help="Only rows with this status: matched, differs, unrecorded, "
                               "unbanked.", show_default=False)] = None,
          as_of: o.AsOf = None, fmt: o.FormatOption = o.Format.table,
          output: o.Output = None, db: o.Db = None) -> None:
    """Each statement line beside the cash-book entry it proves: matched, differs (another
    amount), unrecorded (no entry), unbanked (an entry no line supports)."""
    from commands.output.render import emit_stream
    from ledger.values.text import words_of
    from projections.bank import STATUSES

    said = {words_of(_(STATUS_WORDS[code])): code for code in STATUSES}  # "chưa ghi sổ": unrecorded
    typed, status = status, o.spoken(status, said) if status is not None else None
    if status is not None and status not in STATUSES:  # the words the reader may type
        raise BadInput("--status is one of {statuses}, not '{given}'", given=typed,
                       statuses=Phrase.join(", ", [Phrase(STATUS_WORDS[code])
                                                   for code in STATUSES]))
    with _read(db, o.as_of(as_of)) as bank:
        if account is not None:
            _known_account(bank, account)
        rows = bank.rows(account, status)
        if fmt.value == "table":
            rows = ({**row, "status": _(STATUS_WORDS[row["status"]])} for row in rows)
        empty = (Phrase(N_("no row has the status “{status}”"), status=Phrase(STATUS_WORDS[status]))
                 if status is not None else N_("no statement lines and no entries in a bank "
                                               "account yet"))
        emit_stream(rows, fmt.value, MATCH_COLUMNS, empty=empty,
                    output=output, money=["amount", "book_amount"],
                    sheet=N_("Statement against the book"))


@bank_app.command("accept")
def accept(bank_ref: Annotated[Optional[str], typer.Argument(
               help="The line's bank reference (or the short id `aid bank match` shows).",
               show_default=False)] = None,
           donor: Annotated[Optional[str], typer.Option(
               "--donor", help="The donor to record the donation from.",
               show_default=False)] = None,
           every: Annotated[bool, typer.Option(
               "--all", help="Every unrecorded credit whose reference names a declared "
                             "donor.")] = False,
           into: Annotated[Optional[str], typer.Option(
               "--into", help="Location to record the donation at (default: the first store).",
               show_default=False)] = None,
           account: Annotated[Optional[str], typer.Option(
               "--account", help="The account whose statement has the line, when lines of "
                                 "two accounts share its reference.", show_default=False)]
           = None,
           db: o.Db = None, actor: o.Actor = None) -> None:
    """Record the cash donation a statement line shows, citing it (nothing typed twice)."""
    from commands.recording.writing import record
    from ledger.bank.accounts import accept as record_lines

    if every and bank_ref is not None:
        raise BadInput("name one line (BANK_REF --donor D) or give --all, not both")
    if not every and bank_ref is None:
        raise BadInput("name the line to accept (its bank reference, or the short id `aid bank "
                       "match` shows) with --donor D, or give --all")
    if every and donor is not None:
        raise BadInput("--all takes each line's donor from its reference: leave out --donor")
    if not every and donor is None:
        raise BadInput("say who gave it: --donor CODE (see `aid donor add`)")
    with _read(db) as bank:
        chosen = _named_credits(bank) if every else [_named_line(bank, str(bank_ref),
                                                                 str(donor), account)]
    if not chosen:
        typer.echo(_("nothing to accept: no unrecorded credit names a declared donor"))
        return
    entries = record(db, lambda ledger: record_lines(ledger, chosen, into, o.actor(actor)))
    if every:
        typer.echo(say("accepted {count:,} lines", count=len(entries)))


def _named_credits(bank: Bank) -> list[Any]:
    """`aid bank accept --all`: every unrecorded credit whose reference names a donor."""
    from ledger.bank.accounts import Acceptance
    from projections.bank import donor_of

    chosen = []
    for row in bank.rows(status="unrecorded"):
        found = donor_of(bank, row["reference"])
        line = bank.line(row["key"]) if found and row["key"] else None
        if line is not None and line.credit:
            chosen.append(Acceptance(line.key, line.account, line.on, line.credit, found,
                                     bank.accepted_reversed.get(line.key, 0)))
    return chosen


def _named_line(bank: Bank, bank_ref: str, donor: str, account: str | None = None) -> Any:
    """The one line `aid bank accept BANK_REF --donor D [--account A]` names, refused unless
    it is an unrecorded credit."""
    from ledger.bank.accounts import Acceptance
    from ledger.values.inputs import code

    bank_ref = Verbatim(bank_ref)  # a code, however much it looks like a number
    hits = list(bank.rows(bank_ref="".join(bank_ref.split())))
    if account is not None:
        from ledger.values.inputs import known

        chosen = known(code(account, N_("bank account code")), bank.accounts,
                       N_("bank account"))
        hits = [row for row in hits if row["account"] == chosen]
    if not hits:
        raise BadInput("no statement line has the bank reference {ref}; see `aid bank "
                       "match`", ref=bank_ref)
    if len({row["account"] for row in hits}) > 1:
        raise BadInput("statement lines of {accounts} have the bank reference {ref}: say which "
                       "account's with --account", ref=bank_ref,
                       accounts=", ".join(sorted({row["account"] for row in hits})))
    if len(hits) > 1:
        raise BadInput("{count} statement lines have the bank reference {ref}: accept "
                       "them by their short ids in `aid bank match`", count=len(hits),
                       ref=bank_ref)
    row = hits[0]
    [line] = bank.lines("key = ?", (row["key"],))
    if not line.credit:
        raise BadInput("line {ref} is a debit (money out): record the purchase or hand-out "
                       "it paid with --account {account}, or the bank fee with `aid bank fee "
                       "{account}`", ref=bank_ref, account=line.account)
    if row["status"] == "matched":
        raise Refused("line {ref} is already recorded as entry {entry}", ref=bank_ref,
                      entry=row["entry"])
    if row["status"] == "differs":
        raise Refused("line {ref} is recorded as entry {entry} with {book:,} đồng, the bank "
                      "says {amount:,}: reverse entry {entry} first (aid reverse {entry} "
                      "--reason …), then accept the line", ref=bank_ref,
                      entry=row["entry"], book=row["book_amount"], amount=row["amount"])
    return Acceptance(line.key, line.account, line.on, line.credit,
                      code(donor, N_("donor code")), bank.accepted_reversed.get(line.key, 0))


@bank_app.command("find")
def find(ref: Annotated[Optional[str], typer.Option(
             "--ref", help="The bank's reference of your transfer, or the reference you wrote "
                           "in its message (P3D0042).", show_default=False)] = None,
         amount: Annotated[Optional[str], typer.Option(
             "--amount", help="The amount you sent, in đồng (with --on).",
             show_default=False)] = None,
         on: Annotated[Optional[str], typer.Option(
             "--on", help="The day you sent it (with --amount).", show_default=False)] = None,
         fmt: o.FormatOption = o.Format.table, db: o.Db = None) -> None:
    """Find your transfer: was it counted, and where did the cash go? Names and accounts are
    masked; messages are not shown."""
    from ledger.store.access import open_log
    from projections.bank import find_transfers

    if (ref is None) == (amount is None):
        raise BadInput("give --ref R, or --amount N with --on DATE")
    if amount is not None and on is None:
        raise BadInput("--amount goes with --on DATE: the day you sent it")
    from ledger.values.inputs import money_amount

    money = money_amount(amount, "--amount", minimum=1) if amount is not None else None
    day = o.on(on) if on is not None else None
    log = open_log(o.address(db))
    try:
        with log.snapshot():
            found = find_transfers(log, ref, money, day)
    finally:
        log.close()
    if fmt.value == "json":
        emit(found, "json")
        return
    rows = [{**row, "status": _(STATUS_WORDS[row["status"]])} for row in found]
    emit(rows, fmt.value, FIND_COLUMNS, empty=N_("no transfer found: check the reference, or "
                                                 "the amount and the day"),
         money=["amount"])
    for row in found:
        counted = row.get("counted")
        if counted:
            template, fields = counted_sentence(row)
            typer.echo("  " + say(template, **fields))


COUNTED = N_("{bank_ref}: counted as entry {entry}; {given:,} đồng handed out to {households} "
             "households in {groups} groups, {held:,} đồng still held, {spent:,} đồng spent on "
             "purchases")  # where a donor's transfer went: `aid bank find` and the board's /saoke
COUNTED_FEES = N_("{bank_ref}: counted as entry {entry}; {given:,} đồng handed out to "
                  "{households} households in {groups} groups, {held:,} đồng still held, "
                  "{spent:,} đồng spent on purchases, {fees:,} đồng paid in bank fees")


def counted_sentence(row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Where a transfer `find_transfers` found and traced went: the sentence and its fields
    (bank fees named only when some of it paid them)."""
    counted = row["counted"]
    fields = {"bank_ref": row["bank_ref"], "entry": row["entry"],
              **{k: counted[k] for k in ("given", "households", "groups", "held", "spent")}}
    if counted.get("fees"):
        return COUNTED_FEES, {**fields, "fees": counted["fees"]}
    return COUNTED, fields


DAY_COLUMNS = [("date", N_("date")), ("book_in", N_("book in")), ("book_out", N_("book out")),
               ("bank_in", N_("bank in")), ("bank_out", N_("bank out")),
               ("book", N_("book")), ("bank", N_("bank")), ("difference", N_("difference"))]
DAY_MONEY = [key for key, _title in DAY_COLUMNS if key != "date"]  # every figure is in đồng


def reconcile_bank(account: str, as_of: str | None, fmt: str, output: Path | None,
                   db: Path | None) -> None:
    """`aid audit reconcile --bank CODE`: book and bank per day; exit 1 listing every
    difference (each line or entry not matched, or matched with another amount)."""
    from ledger.values.inputs import code
    from projections.bank import reconcile

    account = code(account, N_("bank account code"))
    with _read(db, as_of) as bank:
        _known_account(bank, account)
        result = reconcile(bank, account)
    money = [key for key, _title in DAY_COLUMNS if key != "date"]
    if output is not None:
        from commands.output.render import save

        differences = [{**row, "status": Phrase(row["status"])}  # in the reader's words
                       for row in result["differences"]]
        save(output, [(N_("days"), result["days"], DAY_COLUMNS, DAY_MONEY),
                      (N_("differences"), differences, MATCH_COLUMNS, ("amount", "book_amount"))])
    elif fmt == "json":
        emit(result, "json")
    else:
        emit(result["days"], fmt, DAY_COLUMNS, empty=N_("no lines and no entries in this "
                                                        "account yet"), money=money)
        if fmt == "table":
            typer.echo("")
            typer.echo(say("book {book:,} đồng, bank {bank:,} đồng", book=result["book"],
                           bank=result["bank"]))
    for row in result["differences"]:
        unrecorded_debit = row["status"] == "unrecorded" and row["amount"] < 0
        told = UNRECORDED_DEBIT if unrecorded_debit else DIFFERENCES[row["status"]]
        typer.echo(say("aid: reconcile: {failure}", failure=say(
            told, date=row["date"], ref=row["bank_ref"], entry=row["entry"],
            amount=-row["amount"] if unrecorded_debit else row["amount"],  # "pays out 11,000"
            book=row.get("book_amount"))), err=True)
    if result["differences"] or result["book"] != result["bank"]:
        raise typer.Exit(1)


UNRECORDED_DEBIT = N_("{date}: line {ref} pays out {amount:,} đồng and no purchase, hand-out or "
                      "bank fee names it (record it with --account, or a fee with `aid bank "
                      "fee`)")
DIFFERENCES = {  # a difference between the book and the bank, by its status
    "differs": N_("{date}: line {ref} of {amount:,} đồng is entry {entry} with {book:,} đồng"),
    "unrecorded": N_("{date}: line {ref} of {amount:,} đồng has no entry in the book (aid bank "
                     "accept)"),
    "unbanked": N_("{date}: entry {entry} of {amount:,} đồng has no line in the statement")}
