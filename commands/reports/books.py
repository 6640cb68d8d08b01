"""Reports: stock, cash book, packable bundles, history — all by business date."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from commands.cli import options as o
from commands.language.words import N_, _, current, say
from commands.output.columns import CASH_LINES
from commands.output.progress import progress
from commands.output.render import emit, emit_stream
from ledger.store.access import open_log

if TYPE_CHECKING:
    from projections.books import Books

At = Annotated[Optional[str], typer.Option("--at", help="Only this location.", show_default=False)]




def load_books(db: Path | None) -> Books:
    """The books as of the latest event: stored read model plus anything recorded since."""
    from projections.store import ReadModels

    log = open_log(o.address(db))
    try:
        return ReadModels(log).books()
    finally:
        log.close()


def stock(at: At = None, as_of: o.AsOf = None, fmt: o.FormatOption = o.Format.table,
          output: o.Output = None, lots: Annotated[bool, typer.Option(
              "--lots", help="One line per lot, with its expiry date.")] = False,
          db: o.Db = None) -> None:
    """What is left, per location and item: on hand, reserved for open rounds, free, and
    below its minimum; bundles appear under their code (tồn kho)."""
    books = load_books(db)
    at = books.known_location(at)
    if lots:
        emit(books.lots(at=at, as_of=o.as_of(as_of)), fmt.value, LOT_COLUMNS,
             empty=N_("no stock"), output=output, sheet=N_("Stock by lot"))
        return
    rows = books.planned(at=at, as_of=o.as_of(as_of), today=o.on(None))
    emit(rows if fmt.value != "table" or output else _marked(rows), fmt.value,
         _stock_columns(rows, fmt.value, output), empty=N_("no stock"), output=output,
         sheet=N_("Stock"))


STOCK_COLUMNS = [("location", N_("location")), ("item", N_("item")), ("name", N_("name")),
                 ("quantity", N_("quantity")), ("unit", N_("unit"))]
PLANNING_COLUMNS = [("reserved", N_("reserved")), ("free", N_("free")),
                    ("minimum", N_("minimum")), ("low", N_("low"))]
LOT_COLUMNS = [("location", N_("location")), ("item", N_("item")), ("name", N_("name")),
               ("expires", N_("expires")), ("quantity", N_("quantity")), ("unit", N_("unit"))]


def _stock_columns(rows: list[dict], fmt: str, output: object) -> list[tuple[str, str]]:
    """CSV and workbooks carry every column; a table adds reserved and free only when some
    stock is reserved, and the low-stock mark only when some minimum is set."""
    if fmt != "table" or output:
        return STOCK_COLUMNS + PLANNING_COLUMNS
    columns = list(STOCK_COLUMNS)
    if any(row["reserved"] for row in rows):
        columns += PLANNING_COLUMNS[:2]
    if any(row["minimum"] is not None for row in rows):
        columns += PLANNING_COLUMNS[3:]
    return columns


def _marked(rows: list[dict]) -> list[dict]:
    """Rows for people: a low item says so, with its minimum."""
    return [{**row, "low": say("below {minimum:,}", minimum=row["minimum"]) if row["low"]
             else ""} for row in rows]


def cash(as_of: o.AsOf = None, fmt: o.FormatOption = o.Format.table, output: o.Output = None,
         db: o.Db = None) -> None:
    """The cash book: received = spent + fees + given + packed + balance (sổ quỹ; fees:
    bank fees, shown once one is recorded)."""
    book = load_books(db).cash(o.as_of(as_of))
    if fmt.value == "json" and output is None:
        emit(book, "json")
        return
    rows = [{"category": k, "đồng": v} for k, v in book.items()]
    if fmt.value != "csv":  # a table or a workbook is for people: their words
        rows = [{"category": _(CASH_LINES.get(k, k)), "đồng": v} for k, v in book.items()]
    emit(rows, fmt.value, [("category", N_("category")), ("đồng", N_("đồng"))], output=output,
         money=("đồng",), sheet=N_("Cash book"))


def packable(at: At = None, as_of: o.AsOf = None, fmt: o.FormatOption = o.Format.table,
             output: o.Output = None, db: o.Db = None) -> None:
    """How many more of each bundle current stock and cash could pack."""
    books = load_books(db)
    emit(books.packable(at=books.known_location(at), as_of=o.as_of(as_of), today=o.on(None)),
         fmt.value,
         [("bundle", N_("bundle")), ("location", N_("location")), ("packable", N_("packable")),
          ("limited_by", N_("limited by"))], empty=N_("no bundles defined"), output=output,
         sheet=N_("Packable bundles"))


def history(at: At = None, item: Annotated[Optional[str], typer.Option(
                "--item", help="Only this item; with --at, shows a running balance.")] = None,
            as_of: o.AsOf = None, fmt: o.FormatOption = o.Format.table,
            output: o.Output = None, db: o.Db = None) -> None:
    """Every entry with its id, date, kind, actor and effect (nhật ký)."""
    from projections.history import effect, kind_word
    from projections.history import history as history_lines
    from projections.store import ReadModels

    balance = at is not None and item is not None
    columns = [("id", N_("entry number")), ("on", N_("on")), ("kind", N_("kind")),
               ("actor", N_("actor")), ("detail", N_("detail")), ("effect", N_("effect"))]
    if balance:
        columns += [("change", N_("change")), ("balance", N_("balance"))]
    log = open_log(o.address(db))
    try:  # printed as read: a million lines never sit in memory together
        if at is not None or item is not None:
            books = ReadModels(log).books()
            at, item = books.known_location(at), books.known_goods(item)
        lines = history_lines(ReadModels(log).history(at, item, by_date=balance), at=at,
                              item=item, as_of=o.as_of(as_of))
        # people read it in Vietnamese: kinds in words (English keeps its codes, which are
        # English words, so reports of older releases stay byte for byte the same)
        words = current() != "en" and (fmt.value == "table" or output is not None)
        shown = ({**line, "effect": effect(line),
                  **({"kind": kind_word(line["kind"], line["detail"])} if words else {})}
                 for line in lines)
        if fmt.value == "json" and output is None:
            emit_stream(shown, "json")
        else:
            emit_stream(shown, fmt.value, columns, empty=N_("no entries"), output=output,
                        sheet=N_("History"))
    finally:
        log.close()


def rebuild(db: o.Db = None) -> None:
    """Recompute every stored read model, and the ward's snapshot that writes start from,
    from the first event (reports stay identical)."""
    from ledger.store.access import open_ledger
    from ledger.ward.names import WARD_ID
    from projections.store import ReadModels

    address = o.address(db)
    ledger = open_ledger(address)
    try:
        ward = ledger.ward_from_events()  # first: a history that cannot be folded changes nothing
        log = open_log(address, writable=True)
        try:
            with progress(log.head(), _("rebuilding read models")) as advance:
                position = ReadModels(log).rebuild(advance)
            log.discard_snapshots(WARD_ID)  # none is trusted: `aid audit verify` may name one
        finally:
            log.close()
        if ward is not None:
            ledger.snapshot(ward)
    finally:
        ledger.close()
    typer.echo(say("rebuilt read models from {position:,} events", position=position))
