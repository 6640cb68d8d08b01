"""Papers to print and hand out: `aid voucher card` (the 0 đồng shop's voucher cards, with a
QR of each code) and `aid donor receipt ENTRY` (giấy biên nhận for a recorded donation).
Read-only; the page goes to stdout as HTML, or to `-o FILE.html|FILE.pdf`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from commands.cli import options as o
from commands.language.words import N_, current
from ledger.errors import BadInput
from ledger.store.access import open_log
from ledger.ward import names

Page = Annotated[Optional[Path], typer.Option(
    "--output", "-o", metavar="FILE.html|FILE.pdf",
    help="Write the page to a file (.pdf needs Chromium) instead of printing its HTML.",
    show_default=False)]


def _out(html: str, output: Path | None) -> None:
    if output is None:
        typer.echo(html, nl=False)
        return
    from commands.output.printing import save

    typer.echo(save(html, output))


def voucher_cards(codes: Annotated[Optional[list[str]], typer.Argument(
                      help="Voucher codes as printed (default: every live voucher of --shop).",
                      show_default=False)] = None,
                  shop: Annotated[Optional[str], typer.Option(
                      "--shop", help="Every live voucher of this 0 đồng shop.",
                      show_default=False)] = None,
                  output: Page = None, db: o.Db = None) -> None:
    """Printable voucher cards for the 0 đồng shop: code, QR, value, limits, validity."""
    from commands.output.paper import voucher_cards as cards_page
    from ledger.values.inputs import code as clean_code
    from ledger.values.voucher_codes import parse
    from projections.households.shop import replay, shop_codes

    if not codes and not shop:
        raise BadInput("name the vouchers to print, or --shop SHOP for all its live vouchers")
    log = open_log(o.address(db))
    try:
        books, shops = replay(log.read())
    finally:
        log.close()
    if codes:
        wanted = [parse(text) for text in codes]
        for wanted_code in wanted:
            if shops.find(wanted_code) is None:
                raise BadInput("unknown voucher {code}: check the code printed on the voucher, "
                               "or see `aid voucher list`", code=wanted_code)
        cards = [shops.row(c) for c in wanted]
        dead = next((card for card in cards
                     if card["status"] in ("expired", "cancelled", "used up")), None)
        if dead is not None:  # a card no shop would honour
            from commands.output.columns import VOUCHER_STATUS
            from ledger.errors import Refused
            from ledger.phrases import Phrase

            raise Refused("voucher {code} is {status}: a card for it would be honoured by no "
                          "shop; nothing was printed", code=dead["code"],
                          status=Phrase(VOUCHER_STATUS[dead["status"]]))
        shops_of = {card["shop"] for card in cards}
        if shop and shops_of != {clean_code(shop)}:
            raise BadInput("the vouchers named are not all of shop {shop}", shop=shop)
    else:
        chosen = clean_code(shop or "")
        if chosen not in shop_codes(books):
            known = ", ".join(shop_codes(books)) or "-"
            raise BadInput("{shop} is not a 0 đồng shop: the shops are {known}", shop=chosen,
                           known=known)
        cards = [card for card in shops.rows(chosen) if card["status"] == "live"]
        if not cards:  # a page saying so would be printed, and handed out, for nothing
            raise BadInput("{shop} holds no live voucher to print: issue them first (`aid "
                           "voucher issue`, `aid voucher issue-batch`); nothing was written",
                           shop=chosen)
        shops_of = {chosen}
    if len(shops_of) > 1:
        raise BadInput("print one shop's vouchers at a time: these are of {shops}",
                       shops=", ".join(sorted(shops_of)))
    where = next(iter(shops_of))
    place = {"code": where, "name": books.state["locations"].get(where, {}).get("name", where)}
    _out(cards_page(place, cards, books.state["ward"], current()), output)


def donor_receipt(entry: Annotated[int, typer.Argument(
                      help="The donation's entry number (aid history).")],
                  output: Page = None, db: o.Db = None) -> None:
    """A donor's receipt (giấy biên nhận) for a recorded donation, to print and hand over."""
    from commands.output.paper import donor_receipt as receipt_page
    from projections.history import refuse_if_reversed
    from projections.store import ReadModels

    log = open_log(o.address(db))
    try:
        gift = _donation(log, entry)
        if gift is not None:
            refuse_if_reversed(log, entry, N_("donor's receipt"))
        books = ReadModels(log).books()
    finally:
        log.close()
    if gift is None:
        raise BadInput("entry {entry} is not a donation: see `aid history` for the entry "
                       "numbers of donations (kind donate)", entry=entry)
    state = books.state
    donor = {"code": gift["donor"], **state["donors"].get(gift["donor"], {"name": gift["donor"]})}
    place = state["locations"].get(gift["location"], {})
    dated = {item: expires for _loc, item, expires, _qty in gift.get("lots") or ()}
    goods = []
    for _loc, item, qty in gift["moves"]:
        name, unit = books.describe(item)
        price = state["items"].get(item, {}).get("value") or 0  # declared, as the statement
        goods.append({"item": item, "name": name, "unit": unit, "quantity": qty,
                      "expires": dated.get(item), "value": qty * price if price else None})
    _out(receipt_page({
        "ward": state["ward"], "entry": entry, "on": gift["on"], "donor": donor,
        "location": {"code": gift["location"], "name": place.get("name", gift["location"])},
        "receipt": gift.get("receipt"), "note": gift.get("note"),
        "cash": gift["cash"].get("received", 0), "goods": goods}, current()), output)


def _donation(log: Any, entry: int) -> dict[str, Any] | None:
    for record in log.read(ward_only=True):
        if record.version == entry:
            return record.data if record.name == names.DONATED else None
    return None
