"""Expiry per item: `--item SUA=24@15/12/2021` (and "GAO=100; SUA=24@15/12/2021" in an
import's items cell) dates that item's lot alone; `--expires DATE` still dates every item that
names no date of its own.

    dated_pairs(["GAO=100", "SUA=24@15/12/2021"], None)
      -> ({"GAO": 100, "SUA": 24}, {"SUA": "2021-12-15"})
"""

from __future__ import annotations

from collections.abc import Iterable

from ledger.phrases import N_
from ledger.values.dates import parse_date
from ledger.values.inputs import code, pairs


def dated_pairs(texts: Iterable[str], default: str | None, what: str = "--item",
                ) -> tuple[dict[str, int], dict[str, str] | str | None]:
    """CODE=QTY[@DATE] options as ({code: qty}, expiry): the expiry is `default` (ISO, or None)
    when no item names its own date, so a plain `--expires` is stored exactly as before;
    otherwise {code: date} for every dated item (its own date, else `default`)."""
    plain: list[str] = []
    own: dict[str, str] = {}
    for typed in texts:
        text = str(typed)
        quantity, at, when = text.rpartition("@") if "@" in text else (text, "", "")
        plain.append(quantity)
        if at:
            name = quantity.partition("=")[0]
            own[code(name, N_("item code"))] = parse_date(when.strip())
    goods = pairs(plain, what)
    if not own:
        return goods, default
    dated = {item: own.get(item) or default for item in goods}
    return goods, {item: day for item, day in dated.items() if day}
