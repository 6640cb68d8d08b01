"""`aid import donations|handouts FILE` (.xlsx or .csv): check it all, then write in batches."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Optional

import typer

from commands.cli import options as o
from commands.language.words import N_, _, say
from commands.output.progress import progress
from commands.recording.spreadsheets import VIETNAMESE, read_rows
from commands.recording.spreadsheets import Sheet as Table
from commands.recording.writing import refresh
from ledger.errors import BadInput, Refused
from ledger.phrases import Phrase, either
from ledger.store.access import open_ledger

File = Annotated[Path, typer.Argument(
    help="An .xlsx or .ods workbook or a CSV file (UTF-8, UTF-16 or Windows-1258) with a header row; "
         "column names in English or Vietnamese.")]
Sheet = Annotated[Optional[str], typer.Option(
    "--sheet", help="The workbook's sheet to read (default: the first).", show_default=False)]
Batch = Annotated[int, typer.Option("--batch", min=1, help="Rows per transaction.")]
BATCH = 1000  # rows per transaction unless --batch says otherwise




# The columns each import reads, in the order its documentation lists them.
DONATION_COLUMNS = ("receipt", "date", "donor", "location", "cash", "items", "note", "expires")
HANDOUT_COLUMNS = ("slip", "date", "recipient", "location", "bundles", "items", "cash")
# Columns that identify a fact of the other kind of file: a hand-out list's "Số phiếu" is read
# as a donation's receipt number; dropping it would lose the slip numbers without a word.
FOREIGN = {"handout_rows": ("receipt", "donor"),
           "donation_rows": ("slip", "recipient", "bundles")}


def donations(file: File, sheet: Sheet = None, batch: Batch = BATCH, db: o.Db = None,
              actor: o.Actor = None) -> None:
    """Donations: receipt, date, donor, location, cash, items ("RICE=10; NOODLE=2"), note."""
    _import(file, sheet, db, batch, "donation_rows", N_("donations"),
            ("receipt", "date", "donor", "location"), actor)


def handouts(file: File, sheet: Sheet = None, batch: Batch = BATCH, db: o.Db = None,
             actor: o.Actor = None) -> None:
    """Hand-outs: slip (optional), date, recipient, location, bundles, items, cash."""
    _import(file, sheet, db, batch, "handout_rows", N_("hand-outs"),
            ("date", "recipient", "location"), actor)


def named(column: str) -> Phrase:
    """A column as the reader's language heads it: "'số phiếu thu' (receipt)"."""
    return Phrase(N_("'{name}' ({vietnamese})"), vietnamese=VIETNAMESE[column], name=column)


def _columns(file: Path, table: Table, parser: str, what: str) -> Phrase | None:
    """Refuse a column that belongs to the other kind of list; what says which columns the
    file has that this import does not read, and which it does (never drop data unsaid), or
    None when it reads them all."""
    reads = DONATION_COLUMNS if parser == "donation_rows" else HANDOUT_COLUMNS
    accepted = Phrase.join(", ", [named(column) for column in reads])
    for column, header in table.headers.items():
        if column == "receipt" and parser == "handout_rows":
            raise BadInput("{name}: column '{header}' is a donation's receipt number, which a "
                           "hand-out list has not; if it holds the hand-outs' slip numbers, head "
                           "it {slip}; else delete the column", name=file.name, header=header,
                           slip=named("slip"))
        if column in FOREIGN[parser]:
            raise BadInput("{name}: column '{header}' is the column {column} of another kind of "
                           "list, not of a list of {what}: delete it, or import the file with the "
                           "other `aid import` command; a list of {what} reads {accepted}",
                           name=file.name, header=header, column=named(column),
                           what=Phrase(what), accepted=accepted)
    return unread_note(file, table, reads, what)


def unread_note(file: Path, table: Table, reads: Sequence[str], what: str) -> Phrase | None:
    """"don.csv: columns not read: 'remarks'; a list of donations reads …": the columns of
    `table` an import reading `reads` leaves aside (never drop data unsaid), or None."""
    unread = [header for column, header in table.headers.items()
              if column not in reads and column != "number"]  # STT: a row number
    if not unread:
        return None
    return Phrase(N_("{name}: columns not read: {unread}; a list of {what} reads {accepted}"),
                  name=file.name, what=Phrase(what),
                  accepted=Phrase.join(", ", [named(column) for column in reads]),
                  unread=", ".join(f"'{header}'" for header in unread))


def _import(file: Path, sheet: str | None, db: Path | None, batch: int, parser: str, what: str,
            required: tuple[str, ...], actor: str | None = None) -> None:
    from ledger import bulk  # the event store: only for commands that write

    parse = getattr(bulk, parser)
    table = read_rows(file, sheet, example=[named(column) for column in required])
    unread = _columns(file, table, parser, what)
    missing = [named(name) for name in required if table and name not in table[0][1]]
    if missing and unread:  # one line: the column it lacks may be one it could not read
        raise BadInput("{name} has no {missing} column: name it in the header row ({unread})",
                       name=file.name, missing=either(missing), unread=unread)
    if missing:
        raise BadInput("{name} has no {missing} column: name it in the header row",
                       name=file.name, missing=either(missing))
    if unread:
        typer.echo(say("aid: warning: {note}", note=unread), err=True)
    if not table:
        raise BadInput("{name} has a header row but no rows to import", name=file.name)
    where = o.address(db)
    ledger = open_ledger(where)
    try:
        try:
            rows = bulk.validate(ledger, parse, table, o.actor(actor))
        except bulk.ImportErrors as errors:
            for problem in errors.problems[:50]:
                typer.echo(say("aid: {name} {problem}", name=file.name, problem=problem), err=True)
            more = len(errors.problems) - 50
            tail = Phrase(N_(" ({more} more problems not shown)"), more=more) if more > 0 else ""
            refusal = BadInput if errors.exit_code == 2 else Refused
            raise refusal(N_("nothing was imported from {name}: fix the lines above{tail}"),
                          name=file.name, tail=tail)
        with progress(len(rows), say("importing {what}", what=_(what))) as advance:
            outcome = bulk.write(ledger, rows, batch, advance)
    finally:
        ledger.close()
    refresh(where)
    typer.echo(say("imported {written:,} {what} in {batches:,} batches; {skipped:,} already "
                   "recorded, skipped", written=outcome.written, what=_(what),
                   batches=outcome.batches, skipped=outcome.skipped))
    expired = [str(row.line) for row in rows if row.expired]
    if expired:  # recorded (it is what came in), but most often a mistyped year
        typer.echo(say("aid: warning: {name}: lines {lines} record goods as expired before the "
                       "day they came in: if a date is a slip, reverse those entries and record "
                       "them again", name=file.name, lines=", ".join(expired[:20])
                       + (", …" if len(expired) > 20 else "")), err=True)


# ---- the groups of `aid` this module holds ------------------------------------------------------

import_app = typer.Typer(help="Bulk imports from .xlsx or CSV (nhập danh sách).",
                         no_args_is_help=True)
import_app.command("donations")(donations)
import_app.command("handouts")(handouts)
