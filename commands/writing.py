"""Running one write against the ledger and reporting the new entry id."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from ledger.storage import open_ledger

from .options import address


def record(db: Path | None, write: Callable[[Any], int], *, create: bool = False) -> int:
    """Open the ledger, make one write, print "recorded entry N" (N is the id to reverse)."""
    ledger = open_ledger(address(db), create=create)
    try:
        entry = write(ledger)
    finally:
        ledger.close()
    typer.echo(f"recorded entry {entry}")
    return entry
