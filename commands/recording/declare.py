"""Declaring what the ward handles: items, locations, donors, recipients, bundles."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from commands.cli import options as o
from commands.households.paper import donor_receipt
from commands.language.words import say
from commands.recording.writing import record
from commands.reports import planning
from commands.reports.books import packable
from ledger.values.inputs import MAX_PEOPLE, money_amount, pairs, whole

Name = Annotated[str, typer.Option("--name", help="Full name, in Vietnamese if you like.")]




def add_item(code: str, name: Name,
             unit: Annotated[str, typer.Option("--unit", help="kg, case, litre, …")],
             value: Annotated[Optional[str], typer.Option(
                 "--value", help="Value in đồng per unit, for reports.")] = None,
             db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Declare an item (mặt hàng)."""
    worth = money_amount(value, "--value", minimum=0) if value is not None else None
    record(db, lambda ledger: ledger.add_item(code, name, unit, worth, o.on(on), o.actor(actor)))


def add_location(code: str, name: Name,
                 kind: Annotated[str, typer.Option("--kind", help="store or shop (0 đồng shop).")]
                 = "store",
                 db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Declare a store (kho) or a 0 đồng shop."""
    chosen = location_kind(kind)
    record(db, lambda ledger: ledger.add_location(code, name, chosen, o.on(on), o.actor(actor)))


# the kinds in Vietnamese, as a treasurer would type them (with or without the marks)
KIND_NAMES = {"kho": "store", "kho hang": "store", "cua hang": "shop", "sieu thi": "shop",
              "sieu thi 0 dong": "shop", "cua hang 0 dong": "shop"}


def location_kind(given: str) -> str:
    """--kind: store or shop, in English or Vietnamese ("kho", "cửa hàng", "siêu thị 0 đồng")."""
    return o.spoken(given, KIND_NAMES)


def add_donor(code: str, name: Name,
              anonymous: Annotated[bool, typer.Option(
                  "--anonymous", help="Show as anonymous in public statements.")] = False,
              db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Declare a donor (mạnh thường quân)."""
    record(db, lambda ledger: ledger.add_donor(code, name, anonymous, o.on(on), o.actor(actor)))


def add_recipient(code: str, name: Name,
                  group: Annotated[str, typer.Option("--group", help="Residential group (tổ).")]
                  = "",
                  size: Annotated[str, typer.Option("--size", help="People in the household.")]
                  = "1",
                  tier: Annotated[str, typer.Option(
                      "--tier", help="Priority 0 (most urgent) to 3.")] = "3",
                  phone: Annotated[Optional[str], typer.Option("--phone")] = None,
                  id_number: Annotated[Optional[str], typer.Option(
                      "--id-number", help="Citizen ID (CCCD); stored encrypted like the name.",
                      show_default=False)] = None,
                  db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Declare a household or group leader who may receive (hộ nhận); name, phone and ID
    number are stored encrypted with the ward's key (AID_KEY_FILE)."""
    people = whole(size, "--size", maximum=MAX_PEOPLE)
    rank = whole(tier, "--tier", minimum=0)
    record(db, lambda ledger: ledger.add_recipient(code, name, group, people, rank, phone,
                                                   o.on(on), o.actor(actor), id_number))
    unmatched_ids(1 if id_number else 0)


def unmatched_ids(count: int) -> None:
    """Say so when ID numbers were recorded without the district key: sealed in the ledger,
    but with no pseudonym the district cannot find these households in another ward's list
    (`aid district duplicates` would say "none" of them)."""
    from ledger.privacy.pseudonym import district_key

    if count and district_key() is None:
        typer.echo(say("aid: warning: {count} ID numbers recorded without the district key "
                       "(AID_DISTRICT_KEY_FILE): they are sealed in the ledger, but `aid district "
                       "duplicates` cannot match these households with another ward's; ask the "
                       "district for its key before importing", count=count), err=True)


def define_bundle(code: str, name: Name, item: o.Items = None,
                  cash: Annotated[Optional[str], typer.Option(
                      "--cash", help="Cash in đồng inside each bundle.")] = None,
                  db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Define a gift bundle's recipe, e.g. noodles, rice and 100,000 VND in cash (phần quà)."""
    recipe = pairs(item or [])
    money = money_amount(cash, "--cash", minimum=0) if cash is not None else 0
    record(db, lambda ledger: ledger.define_bundle(code, name, recipe, money, o.on(on),
                                                   o.actor(actor)))


# ---- the groups of `aid` this module holds (`recipient` is commands/households/recipients.py's)

item_app = typer.Typer(help="Goods the ward handles (mặt hàng).", no_args_is_help=True)
item_app.command("add")(add_item)
item_app.command("threshold")(planning.threshold)
location_app = typer.Typer(help="Stores and 0 đồng shops (kho, siêu thị 0 đồng).",
                           no_args_is_help=True)
location_app.command("add")(add_location)
donor_app = typer.Typer(help="Benefactors (mạnh thường quân, nhà hảo tâm).", no_args_is_help=True)
donor_app.command("add")(add_donor)
donor_app.command("receipt")(donor_receipt)  # commands/households/paper.py
bundle_app = typer.Typer(help="Gift bundles (phần quà, túi an sinh).", no_args_is_help=True)
bundle_app.command("define")(define_bundle)
bundle_app.command("packable")(packable)  # commands/reports/books.py
