"""Net change per business date, for one bin (an item at a location) or the cash fund.

Keeping deltas by day rather than one running total lets the ledger refuse a back-dated fact that
would make any later day negative, and lets projections answer "as of" any date cheaply.
"""

from __future__ import annotations

DayBook = dict[str, int]  # ISO date -> net change that day


def post(book: DayBook, on: str, delta: int) -> None:
    """Add a change on a date; days that net to zero are dropped to keep snapshots small."""
    total = book.get(on, 0) + delta
    if total:
        book[on] = total
    else:
        book.pop(on, None)


def balance(book: DayBook, as_of: str | None = None) -> int:
    """Balance at the end of `as_of` (inclusive); the latest balance when `as_of` is None."""
    if as_of is None:
        return sum(book.values())
    return sum(delta for day, delta in book.items() if day <= as_of)


def lowest_from(book: DayBook, on: str) -> int:
    """The lowest end-of-day balance on `on` or any later day: what a removal dated `on` may take."""
    running = balance(book, on)
    lowest = running
    for day in sorted(d for d in book if d > on):
        running += book[day]
        lowest = min(lowest, running)
    return lowest


def difference(book: DayBook, less: DayBook) -> DayBook:
    """`book` minus `less`, day by day: free stock is what is on hand minus what is reserved,
    and an undated lot is the bin minus its dated lots, so one rule checks both."""
    result = dict(book)
    for day, delta in less.items():
        post(result, day, -delta)
    return result
