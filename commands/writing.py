"""Running one write against the ledger, then bringing the stored read models up to date."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from ledger.storage import Address, open_ledger, open_log
from projections.store import ReadModels

from .options import address


def record(db: Path | None, write: Callable[[Any], Any], *, create: bool = False) -> Any:
    """Open the ledger, make one write, print "recorded entry N" (N is the id to reverse)."""
    where = address(db)
    ledger = open_ledger(where, create=create)
    try:
        entry = write(ledger)
    finally:
        ledger.close()
    refresh(where)
    typer.echo(f"recorded entry {entry}")
    return entry


def refresh(where: Address) -> None:
    """Fold new events into the stored read models (a crash here loses nothing: the next
    write or `aid rebuild` catches up from the last stored position)."""
    log = open_log(where, writable=True)
    try:
        ReadModels(log).refresh()
    finally:
        log.close()
