"""The streamed public statement (one fold over the events, growing sections spooled to a
temporary file) has exactly the rows, and prints exactly the text, of the statement built in
memory: reversals, back-dated entries, vouchers and periods included."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from commands.output import publish
from commands.output.publish import statement_json
from commands.output.render import echo_json
from ledger.store.access import locate, open_log
from projections.audit.public import read_statement, stream_statement, taken_now
from projections.audit.statement import StatementFold, annulled_in, statement
from projections.events import ward_events

PERIODS = [(None, None), ("2021-11-13", None), (None, "2021-11-17"),
           ("2021-11-12", "2021-11-20"), ("2021-11-16", "2021-11-16")]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The whole demo (a 0 đồng shop, vouchers, round R1) with back-dated entries and
    reversals of a donation, a hand-out and a count."""
    from tests.conftest import Ledger, _env

    path = tmp_path_factory.mktemp("statement") / "aid.db"
    ledger = Ledger(_env(AID_DB=str(path)), "sqlite", path).drive(whole=True)
    cash = ledger.entry("donate", "NHT01", "--into", "KHO", "--cash", "3000000", "--receipt",
                        "PT-0099",
                        "--on", "2021-11-12")
    ledger.entry("donate", "MEKONG", "--into", "KHO", "--item", "NOODLE=200", "--on",
                 "2021-11-11")  # noodles: the rice at KHO was counted on 21/11
    given = ledger.entry("give", "TT02", "--from", "KHO", "--item", "NOODLE=5", "--on",
                         "2021-11-16")
    ledger("reverse", str(cash), "--reason", "typed twice")
    ledger("reverse", str(given), "--reason", "not handed out")
    return ledger


def _rows(sheet):
    return [(s.key, s.title, s.columns, list(s.rows)) for s in sheet["sections"]]


@pytest.mark.parametrize("start, end", PERIODS)
def test_the_fold_has_the_rows_of_the_statement_in_memory(demo, start, end):
    log = open_log(locate(environ=demo.env))
    try:
        events = [e for e in ward_events(log.stored()) if not isinstance(e, str)]
        fold = StatementFold(annulled_in(log.stored()), start, end)
        for event in events:
            fold.add(event)
        streamed = fold.statement()
        whole = statement(events, start, end)
        assert _rows(streamed) == _rows(whole)
        assert _rows(streamed) == _rows(streamed)  # the spooled rows can be read again
        assert {k: v for k, v in streamed.items() if k != "sections"} == {
            k: v for k, v in whole.items() if k != "sections"}
        fold.close()
    finally:
        log.close()


def _printed(write, *args) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        write(*args)
    return out.getvalue()


@pytest.mark.parametrize("start, end", PERIODS[:2] + PERIODS[3:4])
def test_the_streamed_statement_prints_the_same_table_csv_and_json(demo, start, end):
    log = open_log(locate(environ=demo.env))
    try:
        with log.snapshot():
            whole, _pictures, checked = read_statement(log, start, end)
            streamed, streamed_check, fold = stream_statement(log, start, end)
    finally:
        log.close()
    try:
        assert streamed_check.head == checked.head and not streamed_check.problems
        assert streamed_check.events == checked.events
        digest = checked.digest(whole["ward"], taken_now())
        for render in (publish.as_table, publish.as_csv):
            assert _printed(render, streamed, digest) == _printed(render, whole, digest)
        expected = json.dumps(statement_json(whole, digest), ensure_ascii=False, indent=2)
        assert _printed(echo_json, statement_json(streamed, digest)) == expected + "\n"
    finally:
        fold.close()
