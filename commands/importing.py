"""`aid import donations|handouts FILE.csv`: validate everything, then write in batches."""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from ledger.errors import BadInput, Refused
from ledger.storage import open_ledger

from . import options as o
from .writing import refresh

File = Annotated[Path, typer.Argument(help="CSV file with a header row (UTF-8).")]
Batch = Annotated[int, typer.Option("--batch", min=1, help="Rows per transaction.")]
BATCH = 1000  # rows per transaction unless --batch says otherwise


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Bulk imports from CSV (nhập danh sách).", no_args_is_help=True)
    group.command("donations")(donations)
    group.command("handouts")(handouts)
    app.add_typer(group, name="import")


def donations(file: File, batch: Batch = BATCH, db: o.Db = None,
              actor: o.Actor = None) -> None:
    """Donations: receipt, date, donor, location, cash, items ("RICE=10; NOODLE=2"), note."""
    _import(file, db, batch, "donation_rows", "donations",
            actor)


def handouts(file: File, batch: Batch = BATCH, db: o.Db = None,
             actor: o.Actor = None) -> None:
    """Hand-outs: slip (optional), date, recipient, location, bundles, items, cash."""
    _import(file, db, batch, "handout_rows", "hand-outs",
            actor)


def _import(file: Path, db: Path | None, batch: int, parser: str, what: str,
            actor: str | None = None) -> None:
    from ledger import bulk  # the event store: only for commands that write

    parse = getattr(bulk, parser)
    table = read_csv(file)
    where = o.address(db)
    ledger = open_ledger(where)
    try:
        try:
            rows = parse(table, o.actor(actor))
            bulk.check(ledger, rows)
        except bulk.ImportErrors as errors:
            for problem in errors.problems[:50]:
                typer.echo(f"aid: {file.name} {problem}", err=True)
            more = len(errors.problems) - 50
            tail = f" ({more} more problems not shown)" if more > 0 else ""
            refusal = BadInput if errors.exit_code == 2 else Refused
            raise refusal(f"nothing was imported from {file.name}: fix the lines above{tail}")
        with _progress(len(rows), f"importing {what}") as advance:
            outcome = bulk.write(ledger, rows, batch, advance)
    finally:
        ledger.close()
    refresh(where)
    typer.echo(f"imported {outcome.written:,} {what} in {outcome.batches:,} batches; "
               f"{outcome.skipped:,} already recorded, skipped")


def read_csv(file: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) for every data row; header names are case-insensitive."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BadInput(f"no file {file}") from None
    except UnicodeDecodeError:
        raise BadInput(f"{file} is not UTF-8 text: save it as CSV UTF-8") from None
    reader = csv.DictReader(text.splitlines())
    if not reader.fieldnames:
        raise BadInput(f"{file} is empty: it needs a header row")
    reader.fieldnames = [name.strip().lower() for name in reader.fieldnames]
    return [(reader.line_num, row) for row in reader if any((v or "").strip() for v in row.values())]


class _progress:
    """A progress bar on a terminal; silent when stderr is not one (scripts, CI)."""

    def __init__(self, total: int, label: str) -> None:
        self.bar = typer.progressbar(length=total, label=label, file=sys.stderr) \
            if sys.stderr.isatty() and total > 2000 else None

    def __enter__(self) -> Callable[[int], None]:
        if self.bar is None:
            return lambda n: None
        self.bar.__enter__()
        return self.bar.update

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)
