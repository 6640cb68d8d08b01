"""The 0 đồng shop (siêu thị 0 đồng): shop prices, vouchers, pick-ups and the shop report."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from commands.cli import options as o
from commands.households.paper import voucher_cards
from commands.language.words import N_, _, current, money, say
from commands.output.columns import PICKUP_COLUMNS, VOUCHER_STATUS, goods
from commands.output.render import emit, save
from commands.recording.writing import announce
from ledger.errors import BadInput
from ledger.phrases import Money, Phrase
from ledger.store.access import open_ledger, open_log
from ledger.values.dates import parse_date
from ledger.values.inputs import MAX_AMOUNT, MAX_QUANTITY, money_amount, pairs, whole
from ledger.values.text import fold

Shop = Annotated[str, typer.Option("--shop", help="The 0 đồng shop (location of kind shop).")]
Value = Annotated[str, typer.Option("--value", help="Goods the voucher is worth, in đồng.")]
MaxItems = Annotated[Optional[str], typer.Option(
    "--max-items", help="At most N items (units) a visit.", show_default=False)]
Every = Annotated[Optional[str], typer.Option(
    "--every", help="At most one visit every N days.", show_default=False)]
ValidFrom = Annotated[Optional[str], typer.Option(
    "--valid-from", help="First day it may be used (default: the day it is issued).",
    show_default=False)]
ValidTo = Annotated[Optional[str], typer.Option(
    "--valid-to", help="Last day it may be used (default: no end).", show_default=False)]
Slot = Annotated[Optional[str], typer.Option(
    "--slot", help="Assigned day and hour, printed on the voucher, e.g. 'Thứ Hai 8–10h'.",
    show_default=False)]
Voucher = Annotated[str, typer.Argument(help="Voucher code as printed, e.g. 7KQ-M2X-9TB.")]
Reason = Annotated[str, typer.Option("--reason", help="Why (lost, moved away, …).")]
EVERY_MAX = 3650  # days between visits: ten years is already no limit

VOUCHER_COLUMNS = [("code", N_("voucher")), ("recipient", N_("recipient")), ("shop", N_("shop")),
                   ("value", N_("value")), ("used", N_("used")), ("left", N_("left")),
                   ("visits", N_("visits")), ("last_visit", N_("last visit")),
                   ("valid_to", N_("valid to")), ("status", N_("status"))]


def _write(db: Path | None, write: Any) -> Any:
    ledger = open_ledger(o.address(db))
    try:
        return write(ledger)
    finally:
        ledger.close()


def _terms(value: str, max_items: str | None, every: str | None, valid_from: str | None,
           valid_to: str | None, slot: str | None) -> Any:
    from ledger.ward.vouchers import Terms

    return Terms(value=money_amount(value, "--value"),
                 max_items=whole(max_items, "--max-items", maximum=MAX_QUANTITY)
                 if max_items is not None else None,
                 every=whole(every, "--every", maximum=EVERY_MAX) if every is not None else None,
                 valid_from=parse_date(valid_from) if valid_from is not None else None,
                 valid_to=parse_date(valid_to) if valid_to is not None else None, slot=slot)


def _describe(terms: Any) -> str:
    parts = [say("{value:,} đồng of goods", value=terms.value)]
    if terms.max_items:
        parts.append(say("at most {count} items a visit", count=terms.max_items))
    if terms.every:
        parts.append(say("one visit every {days} days", days=terms.every))
    if terms.valid_from:
        parts.append(say("valid from {day}", day=terms.valid_from))
    if terms.valid_to:
        parts.append(say("valid until {day}", day=terms.valid_to))
    if terms.slot:
        parts.append(say("slot {slot}", slot=terms.slot))
    return "; ".join(parts)


def price(shop: str,
          item: Annotated[list[str], typer.Option(
              "--item", help="CODE=DONG: what one unit counts for at this shop, repeatable.")],
          db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Set what items count for against vouchers at a shop, from --on (default: item value)."""
    from ledger.ward.vouchers import set_prices

    prices = pairs(item, minimum=0, maximum=MAX_AMOUNT, prices=True)
    entry = _write(db, lambda ledger: set_prices(ledger, shop, prices, o.on(on), o.actor(actor)))
    announce(db, entry)


def issue(recipient: str, shop: Shop, value: Value, max_items: MaxItems = None,
          every: Every = None, valid_from: ValidFrom = None, valid_to: ValidTo = None,
          slot: Slot = None, db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Issue a voucher to a household; prints its code alone on the last line."""
    from ledger.ward import vouchers

    terms = _terms(value, max_items, every, valid_from, valid_to, slot)
    issued = _write(db, lambda ledger: vouchers.issue(ledger, recipient, shop, terms, o.on(on),
                                                      o.actor(actor)))
    announce(db, issued.entry)
    typer.echo(say("voucher for {recipient} at {shop}: {terms}",
                   recipient=issued.recipient, shop=shop, terms=_describe(terms)))
    typer.echo(issued.code)


def issue_batch(shop: Shop, value: Value,
                tier: Annotated[Optional[list[str]], typer.Option(
                    "--tier", help="Only households of this tier, repeatable.")] = None,
                group: Annotated[Optional[list[str]], typer.Option(
                    "--group", help="Only households of this group (tổ), repeatable.")] = None,
                max_items: MaxItems = None, every: Every = None, valid_from: ValidFrom = None,
                valid_to: ValidTo = None, slot: Slot = None, fmt: o.FormatOption = o.Format.table,
                output: o.Output = None, db: o.Db = None, actor: o.Actor = None,
                on: o.On = None) -> None:
    """Issue one voucher to each eligible household, skipping those that hold one or are excluded."""
    from commands.households.recipients import chosen_tiers
    from ledger.ward import vouchers
    from projections.households.register import Register
    from projections.households.shop import eligible

    terms = _terms(value, max_items, every, valid_from, valid_to, slot)
    tiers = chosen_tiers(tier)
    register = Register()
    log = open_log(o.address(db))
    try:
        for record in log.read():
            register.apply(record.name, record.data, record.version)
    finally:
        log.close()
    chosen, excluded = eligible(register, tiers, group or [])
    if not chosen and not excluded:
        raise BadInput("no declared household matches the given --tier and --group")
    issued = _write(db, lambda ledger: vouchers.issue_batch(ledger, chosen, shop, terms,
                                                            o.on(on), o.actor(actor)))
    rows = [{"recipient": i.recipient, "code": i.code, "entry": i.entry, "skipped": i.skipped}
            for i in issued]
    rows += [{"recipient": code, "code": None, "entry": None, "skipped": Phrase(N_("excluded"))}
             for code in excluded]
    emit(rows, fmt.value, [("recipient", N_("recipient")), ("code", N_("voucher")),
                           ("entry", N_("entry number")), ("skipped", N_("skipped"))],
         output=output, sheet=N_("Vouchers issued"))
    if fmt.value == "table":
        made = sum(1 for row in rows if row["code"])
        typer.echo(say("issued {made} voucher(s) at {shop} ({terms}); skipped "
                       "{skipped}",
                       made=made, shop=shop, terms=_describe(terms), skipped=len(rows) - made))


def pickup(voucher: Voucher,
           item: Annotated[list[str], typer.Option("--item", help="CODE=QTY taken, repeatable.")],
           allow_expired: o.AllowExpired = False, reason: o.ExpiredReason = None,
           db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Record goods taken from the shop with a voucher (nhận hàng); refused past any limit.
    The earliest-expiring lot leaves first; expired lots only with --allow-expired."""
    from ledger.ward import vouchers

    goods, why = pairs(item), o.expired_reason(allow_expired, reason)
    receipt = _write(db, lambda ledger: vouchers.pickup(ledger, voucher, goods, o.on(on),
                                                        o.actor(actor), why))
    typer.echo(say("voucher {code}: {value:,} đồng of goods, {left:,} đồng left",
                   code=receipt.code, value=receipt.value, left=receipt.left))
    announce(db, receipt.entry)


def cancel(voucher: Voucher, reason: Reason, db: o.Db = None, actor: o.Actor = None,
           on: o.On = None) -> None:
    """Cancel a voucher (lost, household moved): it cannot be used from --on."""
    from ledger.ward import vouchers

    entry = _write(db, lambda ledger: vouchers.cancel(ledger, voucher, reason, o.on(on),
                                                      o.actor(actor)))
    announce(db, entry)


def _shops(db: Path | None) -> Any:
    from projections.households.shop import replay

    log = open_log(o.address(db))
    try:
        return replay(log.read())
    finally:
        log.close()


def show(voucher: Voucher, as_of: o.AsOf = None, fmt: o.FormatOption = o.Format.table,
         output: o.Output = None, db: o.Db = None) -> None:
    """One voucher: its limits, what is used and left, and each pick-up."""
    from ledger.values.voucher_codes import parse

    code = parse(voucher)
    _books, shops = _shops(db)
    if shops.find(code) is None:
        raise BadInput("unknown voucher {code}: check the code printed on the voucher, or see "
                       "`aid voucher list`", code=code)
    card = shops.detail(code, o.as_of(as_of))
    for pick in card["pickups"]:
        pick["goods"] = goods(pick["items"])
    fields = [{"field": k, "value": v} for k, v in card.items() if k != "pickups"]
    if output is not None or fmt.value == "table":  # people read it; CSV keeps the keys
        fields = [{"field": Phrase(VOUCHER_FIELDS.get(k, k)), "value": _shown(k, v, output)}
                  for k, v in card.items()  # "cancelled" with no reason would read as cancelled
                  if k != "pickups" and not (k == "cancelled" and v is None)]
    if output is not None:
        save(output, [(N_("voucher"), fields, FIELD_COLUMNS),
                      (N_("pick-ups"), card["pickups"], PICKUP_COLUMNS)])
        return
    if fmt.value == "json":
        emit(card, "json")
        return
    emit(fields, fmt.value)
    if fmt.value == "table":
        typer.echo("")
    emit(card["pickups"], fmt.value, PICKUP_COLUMNS, empty=N_("no pick-ups yet"),
         money=("value",))


def list_vouchers(shop: Annotated[Optional[str], typer.Option(
                      "--shop", help="Only this shop.", show_default=False)] = None,
                  as_of: o.AsOf = None, fmt: o.FormatOption = o.Format.table,
                  output: o.Output = None, db: o.Db = None) -> None:
    """Every voucher by code, with its recipient's code, use and status."""
    from projections.households.shop import require_shop

    books, shops = _shops(db)
    if shop is not None:  # an unknown shop is refused, not "no vouchers issued"
        require_shop(books, shop)
    rows = shops.rows(shop, o.as_of(as_of))
    if fmt.value == "table" or output is not None:  # people read it; JSON and CSV keep codes
        rows = [{**row, "status": Phrase(VOUCHER_STATUS.get(row["status"], row["status"]))}
                if row.get("status") else row for row in rows]
    emit(rows, fmt.value, None if fmt.value == "json" and not output else VOUCHER_COLUMNS,
         empty=N_("no vouchers issued"), output=output, money=("value", "used", "left"),
         sheet=N_("Vouchers"))


def _shown(key: str, value: Any, output: Path | None) -> Any:
    """A voucher's field as people read it: its status in words, money as money on screen (a
    workbook keeps the figure, in a cell formatted as money)."""
    if key == "status" and value:
        return Phrase(VOUCHER_STATUS.get(value, value))
    if key in ("value", "used", "left") and type(value) is int:  # a cell formatted as money
        return money(value, current()) if output is None else Money(value)
    return value


FIELD_COLUMNS = [("field", N_("field")), ("value", N_("value"))]
VOUCHER_FIELDS = {"code": N_("voucher"), "recipient": N_("recipient"), "shop": N_("shop"),
                  "value": N_("value"), "used": N_("used"), "left": N_("left"),
                  "visits": N_("visits"), "last_visit": N_("last visit"),
                  "max_items": N_("items a visit, at most"),
                  "every": N_("days between visits, at least"), "valid_from": N_("valid from"),
                  "valid_to": N_("valid to"), "slot": N_("time slot"),
                  "issued": N_("issued on"), "entry": N_("entry number"),
                  "status": N_("status"), "cancelled": N_("cancelled, because")}
SHOP_FIGURES = {"issued": N_("vouchers issued"), "used": N_("vouchers used"),
                "unused": N_("vouchers unused"), "live": N_("live"),
                "not_yet_valid": N_("not yet valid"), "used_up": N_("used up"),
                "expired": N_("expired"), "cancelled": N_("cancelled"),
                "value_issued": N_("value issued (đồng)"),
                "value_left": N_("value left on vouchers still held (đồng)"),
                "value_given": N_("value given (đồng)")}
def report(shop: str, as_of: o.AsOf = None, fmt: o.FormatOption = o.Format.table,
           output: o.Output = None, db: o.Db = None) -> None:
    """A shop's stock, pick-ups, vouchers used and unused, and value given (csv: pick-ups)."""
    from projections.households.shop import shop_report

    books, shops = _shops(db)
    found = shop_report(books, shops, shop, o.as_of(as_of))
    goods = [("item", N_("item")), ("name", N_("name")), ("quantity", N_("quantity")),
             ("unit", N_("unit"))]
    if output is not None:
        totals = {**found["vouchers"], "value_given": found["value_given"]}
        figures = [{"figure": Phrase(SHOP_FIGURES.get(k, k)), "value": v}
                   for k, v in totals.items()]
        save(output, [(N_("stock"), found["stock"], goods),
                      (N_("pick-ups"), found["pickups"], PICKUP_COLUMNS, ("value",)),
                      (N_("given"), found["given"], goods),
                      (N_("vouchers"), figures, [("figure", N_("figure")),
                                                 ("value", N_("value"))])])
        return
    if fmt.value == "json":
        emit(found, "json")
        return
    if fmt.value == "csv":
        emit(found["pickups"], "csv", PICKUP_COLUMNS)
        return
    when = say(" as of {day}", day=found["as_of"]) if found["as_of"] else ""
    heading = (N_("{shop}: {name}{when}") if names_its_kind(found["name"])
               else N_("0 đồng shop {shop}: {name}{when}"))
    typer.echo(say(heading, shop=shop, name=found["name"], when=when))
    typer.echo("\n" + _("Stock:"))
    emit(found["stock"], "table", goods, empty=N_("no stock"))
    typer.echo("\n" + _("Pick-ups:"))
    emit(found["pickups"], "table", PICKUP_COLUMNS, empty=N_("no pick-ups"), money=("value",))
    typer.echo("\n" + _("Given out with vouchers:"))
    emit(found["given"], "table", goods, empty=N_("nothing"))
    v = found["vouchers"]
    # two breakdowns of the issued vouchers, each adding up to them: by status, and by use
    typer.echo("\n" + say("Vouchers: {issued:,} issued; by status: {live:,} live, "
                          "{not_yet_valid:,} not yet valid, {used_up:,} used up, {expired:,} "
                          "expired, {cancelled:,} cancelled; by use: {used:,} used at least "
                          "once, {unused:,} never used", **{key: v[key] for key in (
                              "issued", "used", "unused", "live", "not_yet_valid", "used_up",
                              "expired", "cancelled")}))
    typer.echo(say("Value: {value_issued:,} đồng issued, {value_given:,} đồng given, "
                   "{value_left:,} đồng left on vouchers still held", value_issued=v["value_issued"],
                   value_given=found["value_given"], value_left=v["value_left"]))


ZERO_DONG = re.compile(r"(?<![\w])(0|khong|zero)[\s-]*(dong|d)(?![\w])")


def names_its_kind(name: str) -> bool:
    """Whether a shop's name already says it is a 0 đồng shop ("Siêu thị 0 đồng khu phố 2",
    "Cửa hàng 0đ", "Zero-dong shop"): a heading then gives the name alone, not the kind word
    before it again ("Siêu thị 0 đồng SHOP0D: Siêu thị 0 đồng khu phố 2")."""
    return ZERO_DONG.search(fold(name)) is not None


# ---- the groups of `aid` this module holds ------------------------------------------------------

shop_app = typer.Typer(help="0 đồng shops: prices and reports (siêu thị 0 đồng).",
                       no_args_is_help=True)
shop_app.command("price")(price)
shop_app.command("report")(report)
voucher_app = typer.Typer(help="Vouchers for the 0 đồng shop (phiếu mua hàng 0 đồng).",
                          no_args_is_help=True)
voucher_app.command("issue")(issue)
voucher_app.command("issue-batch")(issue_batch)
voucher_app.command("cancel")(cancel)
voucher_app.command("show")(show)
voucher_app.command("list")(list_vouchers)
voucher_app.command("card")(voucher_cards)  # printable cards: commands/households/paper.py
