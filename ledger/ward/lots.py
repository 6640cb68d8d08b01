"""Lots: goods of one item at one location that expire on the same day (FEFO).

A bin's dated lots each keep a day book, as the bin does; the undated lot is what the bin holds
beyond its dated lots, so ledgers recorded before lots existed are one undated lot and keep
working unchanged. Outgoing goods leave first-expiring-first (undated goods last, since they
never expire), unless a lot is named. A fact stores its lots as `[location, item, expires,
delta]` next to its moves, so projections, audits and reversals read them and never re-derive.
"""

from __future__ import annotations

from typing import Any

from ledger.errors import BadInput, Refused, Shortage
from ledger.phrases import N_
from ledger.values.text import clean
from ledger.ward import daybook

UNDATED = ""  # the key of the undated lot in reports and in a named --lot
Lots = dict[str, daybook.DayBook]  # expiry date -> day book, for one bin


def undated(bin_book: daybook.DayBook, lots: Lots) -> daybook.DayBook:
    """The undated lot's day book: the bin less its dated lots."""
    book = bin_book
    for dated in lots.values():
        book = daybook.difference(book, dated)
    return book


def take(location: str, item: str, quantity: int, on: str, bin_book: daybook.DayBook,
         lots: Lots, *, lot: str | None = None, expired_ok: bool = False) -> list[list[Any]]:
    """Which dated lots `quantity` units leaving on `on` come from, earliest expiry first.

    Returns `[location, item, expires, -qty]` for dated lots; what is not listed comes from the
    undated lot. Expired lots are passed over unless `expired_ok`; if they are what is left,
    the refusal says how to write them off or override.
    """
    available = {expires: max(daybook.lowest_from(book, on), 0)
                 for expires, book in lots.items()}
    available[UNDATED] = max(daybook.lowest_from(undated(bin_book, lots), on), 0)
    order = [lot] if lot is not None else sorted(
        (e for e in available if e != UNDATED), key=str) + [UNDATED]
    if lot is not None and lot not in available:
        raise Refused("{item} at {location} has no lot expiring {lot}; see `aid stock --lots`",
                      item=item, location=location, lot=lot or "-")
    taken, left, passed = [], quantity, []
    for expires in order:
        if left == 0:
            break
        if expires != UNDATED and expires < on and not expired_ok:
            if available[expires]:
                passed.append(expires)
            continue
        part = min(left, available[expires])
        if part:
            left -= part
            if expires != UNDATED:
                taken.append([location, item, expires, -part])
    if left and passed:
        raise Refused("{item} at {location}: lot {lot} expired before {on}; write it off with "
                      "`aid adjust {location} --item {item}=-N --reason expired`, or take it "
                      "with --allow-expired --reason TEXT",
                      item=item, location=location, lot=passed[0], on=on)
    if left and lot is not None:
        raise short_in_lot(item, location, lot, quantity - left, on, quantity)
    if left:  # the bin holds enough on the day, but later entries already took those lots
        raise Shortage("not enough {item} at {location} on {on} in lots that later entries "
                       "leave untouched: {held:,} available, {delta:,} needed",
                       N_("record it on a later date"), item=item, location=location,
                       held=quantity - left, on=on, delta=quantity)
    return taken



def expired_reason(text: str | None) -> str | None:
    """Why expired goods are knowingly handed out: None when they are not; never empty."""
    if text is None:
        return None
    if not clean(text):
        raise BadInput("--allow-expired needs --reason TEXT saying why expired goods are "
                       "handed out")
    return clean(text)


def short_in_lot(item: str, location: str, lot: str, held: int, on: str, delta: int) -> Shortage:
    """The refusal of taking more of one lot than it holds; the undated lot ("") by name."""
    if not lot:
        return Shortage("not enough undated {item} at {location}: {held:,} available on {on} "
                        "and after, {delta:,} needed", item=item, location=location, held=held,
                        on=on, delta=delta)
    return Shortage("not enough {item} at {location} in lot {lot}: {held:,} available on {on} "
                    "and after, {delta:,} needed", item=item, location=location, lot=lot,
                    held=held, on=on, delta=delta)
