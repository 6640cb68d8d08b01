"""Starting a ledger: `aid init`; and the ward's settings: `aid timezone`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from . import options as o
from .writing import record

Timezone = Annotated[Optional[str], typer.Option(
    "--timezone", help="The ward's time zone for printed times (default: Asia/Ho_Chi_Minh).",
    show_default=False)]


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("timezone")(timezone)


def init(ward: Annotated[str, typer.Option("--ward", help="The ward's name, e.g. 'Phường 3'.")],
         zone: Timezone = None, db: o.Db = None, actor: o.Actor = None,
         on: o.On = None) -> None:
    """Create a new ledger for one ward (phường)."""
    from ledger.zones import DEFAULT, set_timezone
    from ledger.zones import zone as checked

    chosen = checked(zone) if zone is not None else DEFAULT  # refused before anything is made

    def write(ledger):
        opened = ledger.init(ward, o.on(on), o.actor(actor))
        if chosen == DEFAULT:
            return opened
        return [opened, set_timezone(ledger, chosen, o.on(on), o.actor(actor))]

    record(db, write, create=True)


def timezone(zone: Annotated[str, typer.Argument(
                 metavar="ZONE", help="An IANA time zone name, e.g. Asia/Ho_Chi_Minh.")],
             db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Set the ward's time zone: printed pages show times on the ward's clock."""
    from ledger.zones import set_timezone

    record(db, lambda ledger: set_timezone(ledger, zone, o.on(on), o.actor(actor)))
