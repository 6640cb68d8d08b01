"""Stored rows built directly from (originator id, version, topic, state), for bulk writers.

The library turns each domain event object into a stored event (`Mapper.to_stored_event`): its
topic, and its attributes without the id and version, encoded by the transcoder. An import of a
million rows pays more for building those objects than for inserting them, so bulk writers build
the same stored rows from plain fields here, with the application's own transcoder (and its
compressor and cipher, if any): the bytes are exactly what the ordinary path stores (tested).

Rows are generic: a ward fact, its once-only claim, or any other aggregate's event (a per-batch
seal, say) join one batch and one transaction alike.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from functools import lru_cache
from json.encoder import (  # type: ignore[attr-defined]
    c_make_encoder,
    encode_basestring,
    encode_basestring_ascii,
)
from typing import Any, NamedTuple
from uuid import UUID

import orjson
from eventsourcing.utils import get_topic

from ledger.store.decoding import trimmed

_NOT_STATE = ("originator_id", "originator_version")


class EventRow(NamedTuple):
    """One stored event, with the attribute names the library's recorders read."""

    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes


@lru_cache(maxsize=None)
def layout(event_class: type) -> tuple[str, tuple[str, ...], frozenset[str], int]:
    """An event class's topic, its stored fields in the order its objects hold them (the
    dataclass fields, less id and version), those with a default (which an event may leave
    unstored, as the ward's optional lot fields), and its class version."""
    fields = [f for f in dataclasses.fields(event_class) if f.name not in _NOT_STATE]
    optional = frozenset(f.name for f in fields if f.default is not dataclasses.MISSING)
    return (get_topic(event_class), tuple(f.name for f in fields), optional,
            getattr(event_class, "class_version", 1))


class RowBuilder:
    """Encodes event fields as the application's mapper would, without event objects."""

    def __init__(self, mapper: Any) -> None:
        self.encode = _fast_encoder(mapper.transcoder) or mapper.transcoder.encode
        self.compressor = mapper.compressor
        self.cipher = mapper.cipher

    def state(self, event_class: type, fields: dict[str, Any]) -> tuple[str, bytes]:
        """The topic and stored state of an event of `event_class` with these fields
        (`timestamp` included), as `Mapper.to_stored_event` would store it."""
        topic, names, optional, class_version = layout(event_class)
        state = {name: fields[name] for name in names if name in fields or name not in optional}
        if class_version > 1:
            state["class_version"] = class_version
        stored = self.encode(state)
        if self.compressor:
            stored = self.compressor.compress(stored)
        if self.cipher:
            stored = self.cipher.encrypt(stored)
        return topic, stored

    def row(self, originator_id: UUID, version: int, event_class: type,
            fields: dict[str, Any]) -> EventRow:
        topic, state = self.state(event_class, fields)
        return EventRow(originator_id, version, topic, state)


def _fast_encoder(transcoder: Any) -> Any:
    """The JSON transcoder's own encoding, done by orjson where it gives the same bytes, else
    by the standard library's C encoder made once rather than once per call (as
    `JSONEncoder.encode` does). None for a transcoder that is not the library's compact JSON.

    orjson writes compact JSON with non-ASCII text as is, escaping exactly as `json` does
    (tested); datetimes are passed to the transcoder's `default`, as `json` passes them. What
    orjson refuses (integers beyond 64 bits, keys that are not strings, lone surrogates …)
    goes to the standard library. Bulk rows hold only text, whole numbers, lists, dicts and
    timestamps: orjson's own forms of UUIDs, enums or floats never arise (they would differ)."""
    encoder = getattr(transcoder, "encoder", None)
    if not isinstance(encoder, json.JSONEncoder) or c_make_encoder is None or encoder.indent:
        return None
    strings = encode_basestring_ascii if encoder.ensure_ascii else encode_basestring
    make = c_make_encoder(None, encoder.default, strings, None, encoder.key_separator,
                          encoder.item_separator, encoder.sort_keys, encoder.skipkeys,
                          encoder.allow_nan)

    def standard(obj: Any) -> bytes:
        return "".join(make(obj, 0)).encode("utf8")

    if (encoder.ensure_ascii or encoder.sort_keys or encoder.key_separator != ":"
            or encoder.item_separator != ","):
        return standard
    default, options = encoder.default, orjson.OPT_PASSTHROUGH_DATETIME

    def encode(obj: Any) -> bytes:
        try:
            return trimmed(orjson.dumps(obj, default=default, option=options))
        except orjson.JSONEncodeError:
            return standard(obj)

    return encode


def timestamp(event_class: type) -> datetime:
    """When an event happens, from the library's clock (so tests that fix it fix ours)."""
    return event_class.create_timestamp()
