"""`aid audit reconcile`: goods and cash, in = out + on hand, per item and location.

Every movement is sorted by what it was (donated, bought, moved in, packed or unpacked, found;
given, moved out, packed or unpacked, lost) and the columns must add up to the stock the books
report. A reversal takes its amount back out of the column its original entry went to. Then the
ward-wide identities an auditor checks by hand: transfers leave as much as arrives, the cash
packed into bundles equals the bundles on hand times their cash, nothing is negative.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from ledger.phrases import N_, Phrase
from ledger.ward.cashbook import CATEGORIES
from projections.books import KINDS, Books
from projections.events import WardEvent, is_fact
from projections.history import cash_word

IN = ("donated", "bought", "transferred_in", "packing_in", "found", "other_in")
OUT = ("given", "transferred_out", "packing_out", "lost", "other_out")
COLUMNS = {  # kind -> (column of an increase, column of a decrease)
    "donate": ("donated", "donated"),
    "buy": ("bought", "bought"),
    "transfer": ("transferred_in", "transferred_out"),
    "pack": ("packing_in", "packing_out"),
    "unpack": ("packing_in", "packing_out"),
    "give": ("given", "given"),
    "adjust": ("found", "lost"),
    "count": ("found", "lost"),
}
OTHER = ("other_in", "other_out")
COLUMN_WORDS = {"donated": N_("donated"), "bought": N_("bought"),
                "transferred_in": N_("transferred in"), "packing_in": N_("packing in"),
                "found": N_("found"), "other_in": N_("other in"), "given": N_("given"),
                "transferred_out": N_("transferred out"), "packing_out": N_("packing out"),
                "lost": N_("lost"), "other_out": N_("other out")}


def contribution(kind: str | None, delta: int) -> tuple[str, int]:
    """The column a stock change goes to and what it adds there (outflows count positive)."""
    plus, minus = COLUMNS.get(kind or "", OTHER)
    column = plus if delta > 0 else minus
    return column, (delta if column in IN else -delta)


def reconcile(events: Iterable[WardEvent], as_of: str | None = None) -> dict[str, Any]:
    """Goods rows, the cash book and every failure, as of the end of `as_of` (or now)."""
    books = Books()
    kinds = bytearray()  # entry -> its kind's code: one byte per entry, so memory stays flat
    columns: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(IN + OUT, 0))
    cash = dict.fromkeys(CATEGORIES, 0)
    for event in events:
        data = event.data
        if not is_fact(data):
            books.apply(event.name, data)
            continue
        kind = KINDS.get(event.name)
        _note(kinds, event.entry, kind)
        if as_of is not None and data["on"] > as_of:
            books.apply(event.name, data)
            continue
        original = _kind(kinds, data.get("entry")) if kind == "reverse" else None
        for location, item, delta in data["moves"]:
            if kind == "reverse":
                column, amount = contribution(original, -delta)
                columns[(location, item)][column] -= amount
            else:
                column, amount = contribution(kind, delta)
                columns[(location, item)][column] += amount
        for category, delta in data["cash"].items():
            cash[category] += delta
        books.apply(event.name, data)
    return _summary(books, columns, cash, as_of)


_CODES = {kind: n for n, kind in enumerate(sorted(set(KINDS.values())), start=1)}
_NAMES = {n: kind for kind, n in _CODES.items()}


def _note(kinds: bytearray, entry: int, kind: str | None) -> None:
    if entry >= len(kinds):
        kinds.extend(bytes(entry + 1 - len(kinds)))
    kinds[entry] = _CODES.get(kind, 0) if kind else 0


def _kind(kinds: bytearray, entry: object) -> str | None:
    """The kind of fact `entry` was, if it is one seen so far."""
    if type(entry) is not int or not 0 <= entry < len(kinds):
        return None
    return _NAMES.get(kinds[entry])


def _summary(books: Books, columns: dict[tuple[str, str], dict[str, int]],
             cash: dict[str, int], as_of: str | None) -> dict[str, Any]:
    rows, failures = [], []
    for (location, item), row in sorted(columns.items()):
        on_hand = books.quantity(location, item, as_of)
        total_in, total_out = sum(row[c] for c in IN), sum(row[c] for c in OUT)
        rows.append({"location": location, "item": item, **row, "in": total_in,
                     "out": total_out, "on_hand": on_hand})
        goods = Phrase(N_("{item} at {location}"), item=item, location=location)
        if total_in != total_out + on_hand:
            failures.append(Phrase(N_("{goods}: in {total_in:,} ≠ out {total_out:,} + on hand "
                                      "{on_hand:,} (the stock report disagrees with the "
                                      "entries)"),
                                   goods=goods, total_in=total_in, total_out=total_out,
                                   on_hand=on_hand))
        if on_hand < 0:
            failures.append(Phrase(N_("{goods}: on hand is {on_hand:,}"), goods=goods,
                                   on_hand=on_hand))
        failures += [Phrase(N_("{goods}: {column} is {amount:,}, below zero"), goods=goods,
                            column=Phrase(COLUMN_WORDS[column]), amount=row[column])
                     for column in IN + OUT if row[column] < 0]
    failures += _transfers(rows)
    book = books.cash(as_of)
    failures += _cash(book, cash, books, as_of)
    return {"as_of": as_of, "goods": rows, "cash": book, "failures": failures}


def _transfers(rows: list[dict[str, Any]]) -> list[Phrase]:
    moved: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        moved[row["item"]][0] += row["transferred_out"]
        moved[row["item"]][1] += row["transferred_in"]
    return [Phrase(N_("transfers of {item}: {out:,} left their locations, {arrived:,} arrived"),
                   item=item, out=out, arrived=arrived)
            for item, (out, arrived) in sorted(moved.items()) if out != arrived]


def _cash(book: dict[str, int], cash: dict[str, int], books: Books,
          as_of: str | None) -> list[Phrase]:
    failures = []
    if any(book.get(c, 0) != cash[c] for c in CATEGORIES):
        failures.append(Phrase(N_("cash book {book} disagrees with the entries {entries}"),
                               book=str(dict((c, book.get(c, 0)) for c in CATEGORIES)),
                               entries=str(cash)))
    if book["balance"] < 0:
        failures.append(Phrase(N_("cash: the fund balance is {balance:,} đồng"),
                               balance=book["balance"]))
    failures += [Phrase(N_("cash: {category} is {amount:,} đồng, below zero"),
                        category=cash_word(c), amount=book[c])
                 for c in CATEGORIES if book.get(c, 0) < 0]
    bundles = books.state["bundles"]
    in_bundles = sum(books.quantity(location, code, as_of) * bundles[code]["cash"]
                     for location in books.state["bins"] for code in bundles)
    if in_bundles != book["packed"]:
        failures.append(Phrase(N_("cash: {packed:,} đồng is booked as packed, but the bundles "
                                  "on hand hold {in_bundles:,} đồng"),
                               packed=book["packed"], in_bundles=in_bundles))
    return failures
