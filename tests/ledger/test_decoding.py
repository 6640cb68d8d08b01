"""Replays decode stored states with orjson; the result must always be what json.loads gives."""

from __future__ import annotations

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.store.decoding import dumps, loads

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-10**40, max_value=10**40) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=50, deadline=None)
@given(VALUES)
def test_decoded_exactly_as_json_loads(value):
    state = json.dumps({"v": value}, ensure_ascii=False, separators=(",", ":")).encode()
    decoded = loads(state)
    assert decoded == json.loads(state)
    assert repr(decoded) == repr(json.loads(state))  # ints stay ints, however large


def test_integers_beyond_64_bits_stay_integers():
    state = b'{"moves":[["KHO","RICE",1000000000000000000000000000000]],"cash":{}}'
    assert loads(state)["moves"][0][2] == 10**30
    assert math.isnan(loads(b'{"a":NaN}')["a"])  # what orjson refuses, json reads


@given(st.recursive(st.none() | st.booleans() | st.integers(min_value=-(2**90), max_value=2**90)
                    | st.text(), lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=10))
def test_what_dumps_spools_loads_reads_back_equal(data):
    """Spooled data (sorted facts, statement rows, table cells) comes back exactly: numbers
    beyond 64 bits and lone surrogates included."""
    assert loads(dumps(data)) == data


def test_encoded_rows_hold_about_their_own_length():
    """A batch of 5,000 spooled or stored rows is held in memory at once: each encoding must
    cost about its length, not the 4 KiB buffer orjson (from 3.12) writes it into and keeps."""
    import tracemalloc

    from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder

    from ledger.store.rows import _fast_encoder

    transcoder = JSONTranscoder()
    transcoder.register(DatetimeAsISO())
    encode = _fast_encoder(transcoder)
    state = {"key": "VCB1:ref:5243.00042", "text": "ủng hộ P3D0042 " * 12, "credit": 500_000}
    for make in (dumps, encode):
        tracemalloc.start()
        kept = [make({**state, "n": n}) for n in range(1000)]
        held, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert held < 1000 * (len(kept[0]) + 200), (make, held)
