"""Rows printed as a stream (`emit_stream`) read exactly as `emit` prints the same rows held in
a list: a table, CSV and JSON, for any cells (Vietnamese, wide characters, empty, numbers,
money, line breaks, colour codes), with or without wcwidth's wide-character widths."""

from __future__ import annotations

import contextlib
import io
import types
import unicodedata

import tabulate
from hypothesis import given, settings
from hypothesis import strategies as st

from commands.language import words as language
from commands.output.render import Streamed, echo_json, emit, emit_stream

WORDS = ["Gạo (RICE) 500 kg", "Phường 3", "Nguyễn Văn Á", "Ẩn danh (anonymous)", "東京都",
         "한국어", "😀 quà", "", " ", "2021-11-17", "  padded  ", "a\nb", "x\r\ny",
         "\x1b[31mred\x1b[0m", "\x01", "True", "False", "1,000", "-5", "3.14", "—", "e\u0301"]
CELLS = st.one_of(st.text(max_size=12), st.sampled_from(WORDS), st.integers(-10**12, 10**12),
                  st.booleans(), st.none())
ROWS = st.lists(st.fixed_dictionaries({}, optional={
    "entry": st.integers(1, 10**7), "on": st.sampled_from(["2021-11-17", "2021-02-03", "", "x"]),
    "name": CELLS, "cash": st.one_of(st.integers(-10**9, 10**10), CELLS), "goods": CELLS,
    "note": CELLS}), max_size=12)
COLUMNS = [("entry", "entry"), ("on", "on"), ("name", "name"), ("cash", "cash (đồng)"),
           ("goods", "goods"), ("note", "ghi chú 東")]


def printed(write, *args, **kwargs) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        write(*args, **kwargs)
    return out.getvalue()


@contextlib.contextmanager
def speaking(lang: str):
    language.activate(lang)
    try:
        yield
    finally:
        language.activate("en")


@settings(max_examples=400)
@given(rows=ROWS, fmt=st.sampled_from(["table", "csv", "json"]),
       columns=st.sampled_from([COLUMNS, COLUMNS[2:5], None]), lang=st.sampled_from(["en", "vi"]))
def test_streamed_rows_print_as_emit_prints_them(rows, fmt, columns, lang):
    """Vietnamese writes dates 17/11/2021 and money "350.000 đồng": both languages agree."""
    with speaking(lang):
        expected = printed(emit, rows, fmt, columns, empty="none", money=["cash"])
        assert printed(emit_stream, iter(rows), fmt, columns, empty="none",
                       money=["cash"]) == expected


def _terminal_width(text: str) -> int:
    """A stand-in for wcwidth.wcswidth: wide East Asian characters take two columns,
    combining marks none, control characters make the whole string -1."""
    if any(unicodedata.category(c) == "Cc" for c in text):
        return -1
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


@given(rows=ROWS)
def test_streamed_table_matches_tabulate_with_wide_characters(rows):
    """tabulate measures with wcwidth when it is installed (it is not, here): the streamed
    table measures as tabulate does either way."""
    saved = tabulate.wcwidth, tabulate.WIDE_CHARS_MODE
    tabulate.wcwidth, tabulate.WIDE_CHARS_MODE = (
        types.SimpleNamespace(wcswidth=_terminal_width), True)
    try:
        expected = printed(emit, rows, "table", COLUMNS, money=["cash"])
        assert printed(emit_stream, iter(rows), "table", COLUMNS, money=["cash"]) == expected
    finally:
        tabulate.wcwidth, tabulate.WIDE_CHARS_MODE = saved


def test_a_long_stream_prints_in_chunks_with_the_same_text():
    """More rows than one printed chunk: the chunks join to emit's text exactly."""
    rows = [{"id": n, "on": f"2021-11-{n % 28 + 1:02d}", "detail": "Gạo " * (n % 7),
             "cash": n * 1000} for n in range(5003)]
    for fmt in ("table", "csv", "json"):
        expected = printed(emit, rows, fmt, [("id", "id"), ("on", "on"), ("detail", "detail"),
                                             ("cash", "cash")], money=["cash"])
        assert printed(emit_stream, iter(rows), fmt, [
            ("id", "id"), ("on", "on"), ("detail", "detail"), ("cash", "cash")],
            money=["cash"]) == expected


@given(value=st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8)),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner,
                                                                   max_size=4), max_leaves=12))
def test_json_streamed_lists_print_as_json_dumps(value):
    """A Streamed list inside any JSON value prints as the list it stands for."""
    import json

    whole = {"before": 1, "rows": value, "after": [value]}
    streamed = {"before": 1, "rows": Streamed(iter(value)) if isinstance(value, list) else value,
                "after": Streamed(iter([value]))}
    assert printed(echo_json, streamed) == json.dumps(whole, ensure_ascii=False, indent=2) + "\n"
