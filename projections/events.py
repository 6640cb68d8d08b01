"""The ward's stored events as the read side sees them: one typed reader, defined once.

Every projection reads stored rows through `ward_events` (in position order, only the ward's
own events, decoded) or asks for one entry again through `entry_reader`; none decodes rows or
strips a stored name itself. A `WardEvent.name` is the stored name after its colon
("Ward.HandedOut", "RoundOpened"; docs/format.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from ledger.phrases import C_, N_, Phrase
from ledger.store.access import EventLog
from ledger.store.decoding import loads
from ledger.trust.chain import originator_text
from ledger.ward import names
from ledger.ward.names import WARD_ID

WARD = WARD_ID.hex


class WardEvent(NamedTuple):
    position: int
    entry: int
    name: str
    data: dict[str, Any]


JSON_KINDS = {int: C_("JSON", "number"), float: C_("JSON", "number"),
              str: C_("JSON", "string"), list: C_("JSON", "array"),
              bool: C_("JSON", "boolean"), type(None): C_("JSON", "null")}  # what a state
# holds instead of an object, as JSON names it (in the reader's language)


def ward_events(rows: Iterable[tuple[int, Any, int, str, bytes]]) -> Iterator[WardEvent | str]:
    """The ward's own events from stored rows; an undecodable row yields a failure message (a
    Phrase, so a str)."""
    for position, originator, version, topic, state in rows:
        if originator_text(originator) != WARD:
            continue
        try:
            data = loads(state)
        except ValueError:
            yield Phrase(N_("position {position}: entry {entry} is not readable JSON"),
                         position=position, entry=version)
            continue
        if not isinstance(data, dict):  # JSON, but no event's fields (written outside aid)
            yield Phrase(N_("position {position}: entry {entry} holds no fields (a JSON {kind}, "
                            "not an object)"), position=position, entry=version,
                         kind=Phrase(JSON_KINDS.get(type(data), C_("JSON", "value"))))
            continue
        yield WardEvent(position, version, names.short(topic), data)


Lookup = Callable[[int], tuple[str, dict[str, Any]] | None]


def entry_reader(log: EventLog) -> Lookup:
    """`lookup` for `check` and `drive`: a ward entry's name ("Ward.Donated") and fields,
    read again from the store."""
    def lookup(entry: int) -> tuple[str, dict[str, Any]] | None:
        found = log.state_of(WARD_ID, entry)
        if found is None:
            return None
        try:
            data = loads(found[1])
        except ValueError:
            return None
        return (names.short(found[0]), data) if isinstance(data, dict) else None

    return lookup


def is_fact(data: dict[str, Any]) -> bool:
    return "moves" in data and "cash" in data
