"""Business dates: typed as ISO (2021-11-17) or Vietnamese style (17/11/2021), stored as ISO text.

ISO text sorts in date order, so the ledger and projections compare dates as plain strings.
A business date lies between 2000 and 2099: that catches a mistyped year (202, 2201) and keeps
every report's date arithmetic (weeks, charts) far from the calendar's ends. The date of an
entry is also no later than tomorrow (`happened`): it records what happened, and a year typed
2029 for 2021 would otherwise count as stock on hand today and lock reserved stock for years.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ledger.errors import BadInput
from ledger.phrases import Phrase

_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")
_SHAPE = re.compile(r"[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}")  # ASCII digits only
FIRST, LAST = date(2000, 1, 1), date(2099, 12, 31)
DEFAULT_ZONE = "Asia/Ho_Chi_Minh"  # the ward's clock until `aid timezone` records another


def today(zone: str | None = None) -> date:
    """Today on the ward's clock (`zone`, else Vietnam's), not the machine's: a server kept on
    UTC is still on yesterday from midnight to 7 a.m. in Vietnam, and would date a hand-out
    recorded then, or a page's "today", a day early."""
    return datetime.now(ZoneInfo(zone or DEFAULT_ZONE)).date()


def parse_date(text: str | date | None, *, default: date | None = None) -> str:
    """The ISO form of a typed date; today in Vietnam (or `default`) when none is
    given. Given but empty (`--on ''`) is refused: it is a slip, not a request for today."""
    if text is None:
        return (default or today()).isoformat()
    if isinstance(text, date):
        return _bounded(text, str(text)).isoformat()
    typed = text.strip()
    if _SHAPE.fullmatch(typed):
        for fmt in _FORMATS:
            try:
                return _bounded(datetime.strptime(typed, fmt).date(), text).isoformat()
            except ValueError:
                continue
    raise BadInput("'{text}' is not a date: write it as 2021-11-17 or 17/11/2021",
                   text=text[:40])


def _bounded(day: date, typed: str) -> date:
    if not FIRST <= day <= LAST:
        raise BadInput("'{text}' is outside 2000–2099: check the year", text=typed[:40])
    return day


def latest_day() -> str:
    """The last business date anything may have happened on: tomorrow on Vietnam's clock (a
    day's slack for a ward whose clock, recorded with `aid timezone`, is ahead of it)."""
    return (today() + timedelta(days=1)).isoformat()


def happened(text: str | None, what: str = "--on") -> str:
    """The business date of an entry: what `parse_date` reads, no later than tomorrow (see
    `latest_day`)."""
    day = parse_date(text)
    if day > latest_day():
        raise BadInput("{what} {day} is after today ({today}): an entry records what has "
                       "happened; give the day it happened", what=Phrase(what), day=day,
                       today=today().isoformat())
    return day
