"""0 đồng shops: shop prices, vouchers and pick-ups, recorded as ward entries.

Every voucher action is an event in the ward's one stream, so each has an entry id, a pick-up
is an ordinary fact (goods leave the shop's stock, which may never go negative), and concurrent
volunteers serialise on the ward: two tills cannot both spend the last 50,000 đồng of a voucher.
The ward keeps the shops' book (`ledger.ward.shopbook`) lazily, so ledgers without vouchers and old
snapshots load unchanged. Reversing a pick-up (`aid reverse N`) returns the goods to the shop and
the value to the voucher.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ledger.errors import BadInput, Refused
from ledger.phrases import N_, Phrase
from ledger.values import voucher_codes as vouchercode
from ledger.values.inputs import MAX_NOTE, code, optional, text
from ledger.values.text import clean
from ledger.ward import lots, shopbook
from ledger.ward.aggregate import KIND_NAMES, WARD_ID, Ward, stored_names

if TYPE_CHECKING:  # the application (ledger/service.py) imports this module
    from ledger.service import Ledger

# ---- events ---------------------------------------------------------------------------------

class ShopPriced(Ward.Event):
    """What each item counts for against a voucher at one shop, from `on`."""

    TOPIC = "ledger.vouchers:ShopPriced"

    on: str
    actor: str
    shop: str
    prices: dict[str, int]

    def apply(self, ward: Ward) -> None:
        shopbook.apply(book(ward), "price", self.__dict__, self.originator_version)


class VoucherIssued(Ward.Event):
    """A household may take goods worth `value` from `shop`, within the voucher's limits."""

    TOPIC = "ledger.vouchers:VoucherIssued"

    on: str
    actor: str
    code: str
    recipient: str
    shop: str
    value: int
    max_items: int | None  # units a visit
    every: int | None  # days between visits
    valid_from: str
    valid_to: str | None
    slot: str | None  # assigned day and hour, printed on the voucher

    def apply(self, ward: Ward) -> None:
        shopbook.apply(book(ward), "voucher", self.__dict__, self.originator_version)


class PickedUp(Ward.Fact):
    """Goods taken from a shop with a voucher; `value` is what they counted against it."""

    TOPIC = "ledger.vouchers:PickedUp"

    voucher: str
    recipient: str
    shop: str
    value: int

    def apply(self, ward: Ward) -> None:
        super().apply(ward)
        shopbook.apply(book(ward), "pickup", self.__dict__, self.originator_version)


class VoucherCancelled(Ward.Event):
    TOPIC = "ledger.vouchers:VoucherCancelled"

    on: str
    actor: str
    code: str
    reason: str

    def apply(self, ward: Ward) -> None:
        shopbook.apply(book(ward), "cancel", self.__dict__, self.originator_version)


stored_names(ShopPriced, VoucherIssued, PickedUp, VoucherCancelled)


def book(ward: Ward) -> shopbook.Book:
    """The ward's shops book, created on first use."""
    return ward.shop_book()


# ---- terms and results ----------------------------------------------------------------------

@dataclass(frozen=True)
class Terms:
    """A voucher's limits: value in đồng, units a visit, days between visits, validity, slot."""

    value: int
    max_items: int | None = None
    every: int | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    slot: str | None = None


@dataclass(frozen=True)
class Issued:
    recipient: str
    code: str | None
    entry: int | None
    skipped: str | None = None


@dataclass(frozen=True)
class Receipt:
    """What a pick-up recorded: its entry, value and what is left on the voucher."""

    entry: int
    code: str
    value: int
    left: int


# ---- write operations -----------------------------------------------------------------------

def set_prices(ledger: Ledger, shop: str, prices: dict[str, int], on: str, actor: str) -> int:
    return ledger.write(lambda ward: price_list(
        ward, code(shop, N_("shop code")), _codes(prices), on, clean(actor)))


def issue(ledger: Ledger, recipient: str, shop: str, terms: Terms, on: str, actor: str) -> Issued:
    """Issue one voucher; refused if the household still holds one for this shop."""
    who, where = code(recipient, N_("recipient code")), code(shop, N_("shop code"))
    return ledger.write(lambda ward: issue_voucher(ward, who, where, terms, on, clean(actor)))


def issue_batch(ledger: Ledger, recipients: list[str], shop: str, terms: Terms, on: str,
                actor: str) -> list[Issued]:
    """One voucher per household in one atomic write, skipping those that hold one already."""
    where = code(shop, N_("shop code"))
    codes = [code(r, N_("recipient code")) for r in recipients]
    if not codes:
        return []

    def change(ward: Ward) -> list[Issued]:
        results = []
        for who in codes:
            holding = _held(ward, who, where, on)
            if who in ward.forgotten_codes():  # left out by the read side, unless stale
                results.append(Issued(who, None, None, "forgotten"))
            elif holding:
                results.append(Issued(who, None, None, Phrase(N_("already holds live voucher {holding}"),
                                                          holding=holding)))
            else:
                results.append(issue_voucher(ward, who, where, terms, on, clean(actor)))
        return results

    return ledger.write(change)


def pickup(ledger: Ledger, voucher: str, goods: dict[str, int], on: str, actor: str,
           expired_reason: str | None = None) -> Receipt:
    """Record a pick-up against the shop's stock and the voucher, or refuse and write nothing.
    Goods leave the shop's earliest-expiring lot first; expired lots only with a reason."""
    typed, wanted, why = vouchercode.parse(voucher), _codes(goods), lots.expired_reason(
        expired_reason)

    def change(ward: Ward) -> Receipt:
        values = ward.shop_prices()
        if any(item in ward.items and item not in values for item in wanted):
            values = _declared_values(ledger)  # a snapshot older than the values map
        return pick_up(ward, typed, wanted, on, clean(actor), values, why)

    return ledger.write(change)


def cancel(ledger: Ledger, voucher: str, reason: str, on: str, actor: str) -> int:
    typed = vouchercode.parse(voucher)
    why = text(reason, "--reason", limit=MAX_NOTE) if clean(reason or "") else ""
    return ledger.write(lambda ward: cancel_voucher(ward, typed, why, on, clean(actor)))


# ---- rules ----------------------------------------------------------------------------------

def price_list(ward: Ward, shop: str, prices: dict[str, int], on: str, actor: str) -> int:
    _require_shop(ward, shop)
    if not prices:
        raise BadInput("a price list needs at least one --item CODE=DONG")
    for item in prices:
        ward.require(item, ward.items, N_("item"))
    return ward.emit(ShopPriced, on=on, actor=actor, shop=shop, prices=prices)


def issue_voucher(ward: Ward, recipient: str, shop: str, terms: Terms, on: str,
                  actor: str) -> Issued:
    ward.require(recipient, ward.recipients, N_("recipient"))
    _require_shop(ward, shop)
    gone = ward.forgotten_codes().get(recipient)
    if gone is not None:
        raise Refused("household {recipient} was forgotten in entry {entry} and receives "
                      "nothing more; no voucher was issued", recipient=recipient, entry=gone)
    valid_from = terms.valid_from or on
    _check_terms(terms, valid_from)
    # held from the first day the new one is usable: a voucher back-dated with --valid-from
    # must not overlap one it replaced (every voucher usable on or after a day is live or not
    # yet valid on it)
    holding = _held(ward, recipient, shop, min(valid_from, on))
    if holding:
        raise Refused("{recipient} already holds live voucher {holding} for {shop}; a household "
                      "holds one at a time: cancel it first (`aid voucher cancel {holding} "
                      "--reason TEXT`)", recipient=recipient, holding=holding, shop=shop)
    known = book(ward)["vouchers"]
    fresh = vouchercode.new_code()
    while fresh in known:
        fresh = vouchercode.new_code()
    entry = ward.emit(VoucherIssued, on=on, actor=actor, code=fresh, recipient=recipient,
                      shop=shop, value=terms.value, max_items=terms.max_items, every=terms.every,
                      valid_from=valid_from, valid_to=terms.valid_to,
                      slot=optional(terms.slot, "--slot"))
    return Issued(recipient, fresh, entry)


def pick_up(ward: Ward, voucher: str, goods: dict[str, int], on: str, actor: str,
            values: dict[str, int | None], expired_reason: str | None = None) -> Receipt:
    """Check every limit of the voucher, then record the goods leaving the shop."""
    card = _known(ward, voucher)
    _usable(card, on)
    gone = ward.forgotten_codes().get(card["recipient"])
    if gone is not None:  # issue 22: forgotten on request, it receives nothing more
        raise Refused("household {recipient} was forgotten in entry {entry} and receives "
                      "nothing more; nothing was recorded", recipient=card["recipient"],
                      entry=gone)
    if not goods:
        raise BadInput("a pick-up needs at least one --item CODE=QTY")
    ward.items_only(goods, hint=N_("the shop hands out items; unpack the bundle first (`aid "
                                    "unpack`)"))
    units = sum(goods.values())
    if card["max_items"] is not None and units > card["max_items"]:
        raise Refused("voucher {voucher} allows {max_items} items a visit; this pick-up has "
                      "{units}: take fewer",
                      voucher=voucher, max_items=card['max_items'], units=units)
    value = sum(qty * _price(ward, card["shop"], item, on, values) for item, qty in goods.items())
    left = card["value"] - shopbook.used(card, ward.reversed)
    if value > left:
        raise Refused("voucher {voucher} has {left:,} đồng left; this pick-up is worth {value:,} "
                      "đồng: take less", voucher=voucher, left=left, value=value)
    _spaced(voucher, card, on, ward.reversed)
    moves = [[card["shop"], item, -qty] for item, qty in goods.items()]
    taken = ward.lots_out(card["shop"], goods, on, moves, expired_reason=expired_reason)
    entry = ward.fact(PickedUp, on, actor, moves, {}, lots=taken, expired_reason=expired_reason,
                      voucher=voucher, recipient=card["recipient"], shop=card["shop"],
                      value=value)
    return Receipt(entry, voucher, value, left - value)


def cancel_voucher(ward: Ward, voucher: str, reason: str, on: str, actor: str) -> int:
    card = _known(ward, voucher)
    if card["cancelled"]:
        done = card["cancelled"]
        raise Refused("voucher {voucher} was already cancelled on {on} (entry {entry})",
                      voucher=voucher, on=done['on'], entry=done['entry'])
    if not reason:
        raise BadInput("--reason must say why the voucher is cancelled (lost, moved away, …)")
    later = [day for _, day, _, _ in shopbook.visits(card, ward.reversed) if day >= on]
    if later:
        raise Refused("voucher {voucher} was used on {day}, on or after {on}: cancel it "
                      "from a later date, or reverse that pick-up first",
                      voucher=voucher, day=max(later), on=on)
    return ward.emit(VoucherCancelled, on=on, actor=actor, code=voucher, reason=reason)


def _require_shop(ward: Ward, shop: str) -> None:
    ward.require(shop, ward.locations, N_("location"))
    if ward.locations[shop] != "shop":
        raise BadInput("{shop} is a {kind}, not a 0 đồng shop: vouchers and shop "
                       "prices are for locations declared with --kind shop",
                       shop=shop, kind=Phrase(KIND_NAMES.get(ward.locations[shop],
                                                             ward.locations[shop])))


def _check_terms(terms: Terms, valid_from: str) -> None:
    if terms.value < 1:
        raise BadInput("--value must be a positive number of đồng, not {value}", value=terms.value)
    for option, number in (("--max-items", terms.max_items), ("--every", terms.every)):
        if number is not None and number < 1:
            raise BadInput("{option} must be positive, not {number}", option=option, number=number)
    if terms.valid_to is not None and terms.valid_to < valid_from:
        raise BadInput("--valid-to {valid_to} is before the voucher becomes valid ({valid_from})",
                       valid_to=terms.valid_to, valid_from=valid_from)


def _held(ward: Ward, recipient: str, shop: str, on: str) -> str | None:
    return shopbook.held(book(ward), shop, recipient, on, ward.reversed)


def _known(ward: Ward, voucher: str) -> dict[str, Any]:
    card = book(ward)["vouchers"].get(voucher)
    if card is None:
        raise BadInput("unknown voucher {voucher}: check the code printed on the voucher, or see "
                       "`aid voucher list`", voucher=voucher)
    return card


def _usable(card: dict[str, Any], on: str) -> None:
    """Refuse a cancelled, expired or not yet valid voucher, as of the pick-up's date."""
    voucher = card["code"]
    if shopbook.cancelled(card, on):
        raise Refused("voucher {voucher} was cancelled on {on} ({reason}); it cannot be used",
                      voucher=voucher, on=card['cancelled']['on'],
                      reason=card['cancelled']['reason'])
    if card["valid_to"] is not None and on > card["valid_to"]:
        raise Refused("voucher {voucher} expired on {valid_to}; a pick-up on {on} needs a new "
                      "voucher", voucher=voucher, valid_to=card['valid_to'], on=on)
    if on < card["valid_from"]:
        raise Refused("voucher {voucher} is not valid yet: valid from {valid_from}, not {on}",
                      voucher=voucher, valid_from=card['valid_from'], on=on)


def _price(ward: Ward, shop: str, item: str, on: str, values: dict[str, int | None]) -> int:
    found = shopbook.price(book(ward), shop, item, on, values.get(item))
    if found is None:
        raise Refused("{item} has no value at {shop}: set one with `aid shop price {shop} --item "
                      "{item}=DONG`", item=item, shop=shop)
    return found


def _spaced(voucher: str, card: dict[str, Any], on: str, reversed: Any) -> None:
    """Refuse a visit fewer than `every` days from another visit with the same voucher."""
    every = card["every"]
    if not every:
        return
    close = [day for _, day, _, _ in shopbook.visits(card, reversed)
             if shopbook.days_between(day, on) < every]
    before = [day for day in close if day <= on]
    after = [day for day in close if day > on]
    if before and after:  # a back-dated visit squeezed between two: "next visit on …" is taken
        raise Refused("voucher {voucher} was used on {last} and on {next}: with one visit every "
                      "{every} days there is no room for a visit on {on} between them",
                      voucher=voucher, last=max(before), next=min(after), every=every, on=on)
    if before:
        last = max(before)
        following = date.fromisoformat(last) + timedelta(days=every)
        raise Refused("voucher {voucher} was last used on {last}: one visit every {every} days, "
                      "so the next visit is on {following} or later",
                      voucher=voucher, last=last, every=every, following=following.isoformat())
    if close:
        raise Refused("voucher {voucher} is used on {day}, fewer than {every} days after "
                      "{on}: visits must be {every} days apart",
                      voucher=voucher, day=min(close), every=every, on=on)


def _declared_values(ledger: Ledger) -> dict[str, int | None]:
    """Item values read from their declarations (for wards snapshotted before values were kept)."""
    return {event.code: event.value for event in ledger.events.get(WARD_ID)
            if isinstance(event, Ward.ItemDeclared)}


def _codes(quantities: dict[str, int]) -> dict[str, int]:
    return {code(key, N_("item code")): qty for key, qty in quantities.items()}
