"""Starting a ledger: `aid init`; the ward's settings: `aid timezone`, and `aid ward code` for a
ledger started without a code."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from commands import options as o
from commands.writing import record

Timezone = Annotated[Optional[str], typer.Option(
    "--timezone", help="The ward's time zone for printed times (default: Asia/Ho_Chi_Minh).",
    show_default=False)]

ward_app = typer.Typer(help="The ward itself: its district code (mã phường) for `aid sync`.",
                       no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("timezone")(timezone)
    app.add_typer(ward_app, name="ward")
    ward_app.command("code")(code)


def init(ward: Annotated[str, typer.Option("--ward", help="The ward's name, e.g. 'Phường 3'.")],
         district_code: Annotated[Optional[str], typer.Option(
             "--code", help="The ward's code in the district, e.g. P3: fixed for good; needed "
                            "by `aid sync`.", show_default=False)] = None,
         zone: Timezone = None, db: o.Db = None, actor: o.Actor = None,
         on: o.On = None) -> None:
    """Create a new ledger for one ward (phường)."""
    from ledger.ward.zones import DEFAULT, set_timezone
    from ledger.ward.zones import zone as checked

    chosen = checked(zone) if zone is not None else DEFAULT  # refused before anything is made

    def write(ledger):
        opened = ledger.init(ward, o.on(on), o.actor(actor), district_code)
        if chosen == DEFAULT:
            return opened
        return [opened, set_timezone(ledger, chosen, o.on(on), o.actor(actor))]

    record(db, write, create=True)


def timezone(zone: Annotated[str, typer.Argument(
                 metavar="ZONE", help="An IANA time zone name, e.g. Asia/Ho_Chi_Minh.")],
             db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Set the ward's time zone: printed pages show times on the ward's clock."""
    from ledger.ward.zones import set_timezone

    record(db, lambda ledger: set_timezone(ledger, zone, o.on(on), o.actor(actor)))


def code(district_code: Annotated[str, typer.Argument(
             metavar="CODE", help="The ward's code in the district, e.g. P3.")],
         db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Fix the ward's district code once, for a ledger created without --code."""
    record(db, lambda ledger: ledger.set_code(district_code, o.on(on), o.actor(actor)))
