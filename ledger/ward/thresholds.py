"""Low-stock thresholds: the least of an item a location should hold before someone is told.

A threshold refuses nothing; it is a ward event so that `aid stock` and `aid alerts` (the read
side) can mark what is low as of any date, and the history shows who set it and when.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ledger.errors import BadInput
from ledger.phrases import N_
from ledger.values.inputs import code
from ledger.values.text import clean
from ledger.ward.aggregate import Ward, stored_names

if TYPE_CHECKING:  # the application (ledger/service.py) imports this module
    from ledger.service import Ledger


class ThresholdSet(Ward.Event):
    """`item` at `location` is low when its free stock is below `minimum` (0 clears it)."""

    TOPIC = "ledger.thresholds:ThresholdSet"

    on: str
    actor: str
    item: str
    location: str
    minimum: int


stored_names(ThresholdSet)


def set_threshold(ledger: Ledger, item: str, location: str, minimum: int, on: str,
                  actor: str) -> int:
    item, location = code(item, N_("item code")), code(location, N_("location code"))
    if minimum < 0:
        raise BadInput("--min must be 0 or more, not {minimum}", minimum=minimum)

    def change(ward: Ward) -> int:
        ward._known_goods(item)
        ward.require(location, ward.locations, N_("location"))
        return ward.emit(ThresholdSet, on=on, actor=clean(actor), item=item, location=location,
                         minimum=minimum)

    return ledger.write(change)
