"""Business dates: typed as ISO (2021-11-17) or Vietnamese style (17/11/2021), stored as ISO text.

ISO text sorts in date order, so the ledger and projections compare dates as plain strings.
"""

from __future__ import annotations

from datetime import date, datetime

from .errors import BadInput

_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


def parse_date(text: str | date | None, *, default: date | None = None) -> str:
    """The ISO form of a typed date; today (or `default`) when none is given."""
    if text is None or text == "":
        return (default or date.today()).isoformat()
    if isinstance(text, date):
        return text.isoformat()
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date().isoformat()
        except ValueError:
            continue
    raise BadInput("'{text}' is not a date: write it as 2021-11-17 or 17/11/2021", text=text)
