"""The ward's time zone, so printed times read as the ward's clock, not UTC.

Business dates (`on`) are typed by people and need no zone; what needs one is the moment a
page was printed or a digest taken, which the ledger keeps in UTC. Wards are in Vietnam, so
`Asia/Ho_Chi_Minh` unless the ward records another (`aid init --timezone`, or `aid timezone`
for a ledger made before): an event, like every other fact about the ward.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ledger.errors import BadInput, Refused
from ledger.values.dates import DEFAULT_ZONE
from ledger.values.text import clean
from ledger.ward.aggregate import Ward, stored_names

if TYPE_CHECKING:  # the application (ledger/service.py) imports this module
    from ledger.service import Ledger

DEFAULT = DEFAULT_ZONE  # ledger/values/dates.py: readers need it without the aggregate


class TimezoneSet(Ward.Event):
    """From now on the ward's printed times are in `timezone` (an IANA name)."""

    TOPIC = "ledger.zones:TimezoneSet"

    on: str
    actor: str
    timezone: str

    def apply(self, ward: Ward) -> None:
        ward.keep_timezone(self.timezone)


stored_names(TimezoneSet)


# the zone as people in Viet Nam name it (one zone for the whole country), marks optional
SAID = {"gio viet nam": DEFAULT, "viet nam": DEFAULT, "vietnam": DEFAULT, "gmt+7": DEFAULT,
        "utc+7": DEFAULT, "gio ha noi": DEFAULT, "ha noi": DEFAULT, "hanoi": DEFAULT,
        "sai gon": DEFAULT, "saigon": DEFAULT, "ho chi minh": DEFAULT}


def zone(name: str) -> str:
    """An IANA time zone name as the tz database spells it, or a refusal naming an example."""
    typed = clean(name or "")
    from ledger.values.text import words_of

    typed = SAID.get(words_of(typed), typed)
    try:
        if typed and "\\" not in typed and ".." not in typed and not typed.startswith("/"):
            ZoneInfo(typed)
            return typed
    except (ZoneInfoNotFoundError, ValueError):
        pass
    raise BadInput("'{name}' is not a time zone: use a name such as Asia/Ho_Chi_Minh",
                   name=typed[:40])


def set_timezone(ledger: Ledger, name: str, on: str, actor: str) -> int:
    """Record the ward's time zone; refused when it is already that one."""
    chosen = zone(name)

    def change(ward: Ward) -> int:
        if ward.timezone_name(DEFAULT) == chosen:
            raise Refused("the ward's time zone is already {zone}; nothing to change",
                          zone=chosen)
        return ward.emit(TimezoneSet, on=on, actor=clean(actor), timezone=chosen)

    return ledger.write(change)
