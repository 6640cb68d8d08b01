"""Drafting: the ward's rules and state changes, recorded as plain fields instead of events.

An import checks every row against the ward's rules (stock and fund never negative, codes
declared …) and then writes it. The rules live in the aggregate's methods, which end by
triggering an event object; for a million rows building those objects costs more than writing
the rows. Inside `drafting()`, `Ward.emit` hands its fields here instead: the ward's state
changes exactly as the event would change it, its version and modified time advance, and the
draft (version, event class, fields) is kept for `ledger.store.rows` to store.

A context variable rather than an attribute of the ward, so nothing of it can reach a snapshot.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, NamedTuple

from ledger.store.rows import timestamp


class Draft(NamedTuple):
    version: int
    event_class: type
    fields: dict[str, Any]  # the event's fields, timestamp included


_DRAFTS: ContextVar[list[Draft] | None] = ContextVar("drafts", default=None)


@contextmanager
def drafting() -> Iterator[list[Draft]]:
    """Within the block, ward events are drafted into the list yielded, not triggered."""
    drafts: list[Draft] = []
    token = _DRAFTS.set(drafts)
    try:
        yield drafts
    finally:
        _DRAFTS.reset(token)


def active() -> list[Draft] | None:
    return _DRAFTS.get()


def draft(drafts: list[Draft], aggregate: Any, event_class: type, fields: dict[str, Any],
          direct: Any) -> int:
    """Change `aggregate` as an `event_class` event with `fields` would, and keep the draft.

    `direct(aggregate, fields)` applies the event's effect without an event object, or is None
    for kinds whose `apply` needs one (rare: declarations, reversals): those are built as the
    library builds them, applied, and drafted all the same."""
    version = aggregate.version + 1
    fields = {**fields, "timestamp": fields.get("timestamp") or timestamp(event_class)}
    if direct is not None:
        direct(aggregate, fields)
    else:
        event_class(originator_id=aggregate.id, originator_version=version,
                    **fields).apply(aggregate)
    aggregate.version = version
    aggregate.modified_on = fields["timestamp"]
    drafts.append(Draft(version, event_class, fields))
    return version
