"""Starting a ledger: `aid init`."""

from __future__ import annotations

from typing import Annotated

import typer

from . import options as o
from .writing import record


def register(app: typer.Typer) -> None:
    app.command("init")(init)


def init(ward: Annotated[str, typer.Option("--ward", help="The ward's name, e.g. 'Phường 3'.")],
         db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Create a new ledger for one ward (phường)."""
    record(db, lambda ledger: ledger.init(ward, o.on(on), o.actor(actor)), create=True)
