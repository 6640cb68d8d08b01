"""Running one write against the ledger, then bringing the stored read models up to date."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import typer

from commands.language.words import entry_span, say
from commands.options import address
from ledger.store.access import Address, open_ledger, open_log, writer_log
from projections.store import ReadModels


def record(db: Path | None, write: Callable[[Any], Any], *, create: bool = False) -> Any:
    """Open the ledger, make one write, print "recorded entry N" (N is the id to reverse)."""
    where = address(db)
    ledger = open_ledger(where, create=create)
    try:
        entry = write(ledger)
        refresh(where, lag=LAG, ledger=ledger)
    finally:
        ledger.close()
    if isinstance(entry, list):  # one command, several entries (init with a time zone)
        typer.echo(say("recorded {span}", span=entry_span(entry)))
    else:
        typer.echo(say("recorded entry {entry}", entry=entry))
    return entry


LAG = 100  # events readers may fold in memory before a writer stores the models again


def refresh(where: Address, lag: int = 0, ledger: Any = None) -> None:
    """Fold new events into the stored read models once they lag `lag` events or more behind
    (readers fold the rest in memory, so a single write stays cheap). A crash here loses
    nothing: the next refresh, or `aid rebuild`, catches up from the last stored position.
    Given the `ledger` just written, reuse its connection (PostgreSQL: one per command)."""
    with (writer_log(ledger, where) if ledger is not None
          else closing(open_log(where, writable=True))) as log:
        models = ReadModels(log)
        behind = models.behind()
        if behind is None or behind > lag:
            models.refresh()
