"""Recording facts: donations, purchases, packing, hand-outs, transfers, adjustments, counts."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from commands.cli import options as o
from commands.language.words import N_, say
from commands.recording.writing import record
from ledger.values.expiry import dated_pairs
from ledger.values.inputs import MAX_QUANTITY, money_amount, pairs, whole

Location = Annotated[str, typer.Option(help="Location code.", show_default=False)]
DatedItems = Annotated[Optional[list[str]], typer.Option(
    "--item", help="CODE=QTY, or CODE=QTY@DATE to date that item's lot (SUA=24@15/12/2021); "
                   "repeatable.", show_default=False)]
Cash = Annotated[Optional[str], typer.Option("--cash", help="Amount in đồng.", show_default=False)]
Count = Annotated[str, typer.Option("--count", help="How many bundles.", show_default=False)]
Reason = Annotated[str, typer.Option("--reason", help="Why (spoiled, lost, found, typo…).")]
Account = Annotated[Optional[str], typer.Option(
    "--account", help="The bank account the cash went through (see `aid bank account add`); "
                      "default: the cash box.", show_default=False)]




def _cash(text: str | None) -> int:
    return money_amount(text, "--cash") if text is not None else 0


def donate(donor: str, into: Annotated[str, typer.Option("--into", help="Location code.")],
           cash: Cash = None, item: DatedItems = None,
           receipt: Annotated[Optional[str], typer.Option(
               "--receipt", help="Receipt number (used once).")] = None,
           note: Annotated[Optional[str], typer.Option("--note")] = None,
           expires: o.Expires = None, account: Account = None,
           db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Record a donation of cash and/or goods (nhận ủng hộ)."""
    money = _cash(cash)
    goods, until = dated_pairs(item or [], o.expires(expires))
    record(db, lambda ledger: ledger.donate(donor, into, money, goods, receipt, note,
                                            o.on(on), o.actor(actor), until, account))
    _expired_on_arrival(until, o.on(on))


def buy(into: Annotated[str, typer.Option("--into", help="Location code.")],
        cash: Annotated[str, typer.Option("--cash", help="Amount paid from the ward fund.")],
        item: Annotated[list[str], typer.Option(
            "--item", help="CODE=QTY, or CODE=QTY@DATE to date that item's lot; repeatable.")],
        supplier: Annotated[Optional[str], typer.Option("--supplier")] = None,
        expires: o.Expires = None, account: Account = None,
        db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Record a purchase paid from the ward fund (mua hàng)."""
    money = money_amount(cash, "--cash")
    goods, until = dated_pairs(item, o.expires(expires))
    record(db, lambda ledger: ledger.buy(into, money, goods, supplier, o.on(on), o.actor(actor),
                                         until, account))
    _expired_on_arrival(until, o.on(on))


def _expired_on_arrival(until: dict[str, str] | str | None, on: str) -> None:
    """Goods recorded as already expired on the day they came in are recorded (they are what
    arrived, to be written off), but said: most often the expiry's year was mistyped."""
    dates = until.values() if isinstance(until, dict) else [until] if until else []
    expired = sorted({day for day in dates if day < on})
    if expired:
        typer.echo(say("aid: warning: goods recorded as expired on {expires}, before the day "
                       "they came in ({on}): if the date is a slip, reverse the entry and record "
                       "it again", expires=expired[0], on=on), err=True)


def pack(bundle: str, count: Count, at: Annotated[str, typer.Option("--at", help="Location.")],
         db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Pack bundles: their items and cash leave stock, the bundles enter it (đóng gói)."""
    n = whole(count, "--count", maximum=MAX_QUANTITY)
    record(db, lambda ledger: ledger.pack(bundle, n, at, o.on(on), o.actor(actor)))


def unpack(bundle: str, count: Count, at: Annotated[str, typer.Option("--at", help="Location.")],
           db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Unpack bundles back into their items and cash."""
    n = whole(count, "--count", maximum=MAX_QUANTITY)
    record(db, lambda ledger: ledger.unpack(bundle, n, at, o.on(on), o.actor(actor)))


def give(recipient: str, source: Annotated[str, typer.Option("--from", help="Location code.")],
         bundle: Annotated[Optional[list[str]], typer.Option(
             "--bundle", help="CODE=N bundles, repeatable.")] = None,
         item: o.Items = None, cash: Cash = None, lot: o.Lot = None,
         allow_expired: o.AllowExpired = False, reason: o.ExpiredReason = None,
         account: Account = None,
         db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Hand bundles, items and/or cash to a recipient (trao quà)."""
    bundles, goods, money = pairs(bundle or [], "--bundle"), pairs(item or []), _cash(cash)
    named, why = o.lot(lot), o.expired_reason(allow_expired, reason)
    record(db, lambda ledger: ledger.give(recipient, source, bundles, goods, money,
                                          o.on(on), o.actor(actor), named, why, account))


def transfer(source: Annotated[str, typer.Option("--from", help="Location code.")],
             target: Annotated[str, typer.Option("--to", help="Location code.")],
             item: Annotated[list[str], typer.Option("--item", help="CODE=QTY, repeatable.")],
             lot: o.Lot = None, allow_expired: o.AllowExpired = False,
             reason: o.ExpiredReason = None,
             db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Move goods or bundles between locations, e.g. to the 0 đồng shop (điều chuyển); their
    lots and expiry dates go with them."""
    goods, named, why = pairs(item), o.lot(lot), o.expired_reason(allow_expired, reason)
    record(db, lambda ledger: ledger.transfer(source, target, goods, o.on(on), o.actor(actor),
                                              named, why))


def adjust(location: str,
           item: Annotated[list[str], typer.Option(
               "--item", help="CODE=QTY, negative to remove, repeatable.")],
           reason: Reason, lot: Annotated[Optional[str], typer.Option(
               "--lot", help="The lot expiring on this date ('undated', or in Vietnamese 'không "
                             "ghi hạn', for undated goods): removals come from it instead of "
                             "the earliest-expiring first, found goods go into it (undated "
                             "without --lot).", show_default=False)] = None,
           db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Adjust stock with a reason: spoiled, lost, found, expired (điều chỉnh); removals take
    the earliest-expiring lot first."""
    changes, named = pairs(item, signed=True), o.lot(lot)
    record(db, lambda ledger: ledger.adjust(location, changes, reason, o.on(on), o.actor(actor),
                                            named))


def count(location: str,
          item: Annotated[list[str], typer.Option("--item", help="CODE=QTY counted, repeatable.")],
          variance_reason: Annotated[Optional[str], typer.Option(
              "--variance-reason", help="Record a difference from the books, with why.")] = None,
          db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Record a stock count (kiểm kê); a difference needs --variance-reason."""
    counted = pairs(item, minimum=0)
    record(db, lambda ledger: ledger.count(location, counted, variance_reason, o.on(on),
                                           o.actor(actor)))


def reverse(entry: str, reason: Reason, db: o.Db = None, actor: o.Actor = None) -> None:
    """Reverse an earlier fact by its entry id, as of that fact's own date (hủy bút toán)."""
    number = whole(entry.lstrip("#"), N_("entry number"))
    record(db, lambda ledger: ledger.reverse(number, reason, o.actor(actor)))
