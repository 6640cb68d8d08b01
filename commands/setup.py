"""Starting a ledger: `aid init`, and `aid ward code` for a ledger started without a code."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from . import options as o
from .writing import record

ward_app = typer.Typer(help="The ward itself: its district code (mã phường) for `aid sync`.",
                       no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(ward_app, name="ward")
    ward_app.command("code")(code)


def init(ward: Annotated[str, typer.Option("--ward", help="The ward's name, e.g. 'Phường 3'.")],
         district_code: Annotated[Optional[str], typer.Option(
             "--code", help="The ward's code in the district, e.g. P3: fixed for good; needed "
                            "by `aid sync`.", show_default=False)] = None,
         db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Create a new ledger for one ward (phường)."""
    record(db, lambda ledger: ledger.init(ward, o.on(on), o.actor(actor), district_code),
           create=True)


def code(district_code: Annotated[str, typer.Argument(
             metavar="CODE", help="The ward's code in the district, e.g. P3.")],
         db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Fix the ward's district code once, for a ledger created without --code."""
    record(db, lambda ledger: ledger.set_code(district_code, o.on(on), o.actor(actor)))
