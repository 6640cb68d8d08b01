"""The bulk path builds stored rows itself: they must be exactly what the ordinary path stores.

Two ledgers record the same facts under the same clock, one through the library's event objects
(`Ledger.write`, as imports did before) and one through `bulk.write` (drafts and rows built
directly). Every stored event, chain link and snapshot must be equal byte for byte, the rows must
read back through the library's mapper, and `aid audit verify` must pass.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from itertools import count
from types import SimpleNamespace

import eventsourcing.domain
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ledger.privacy.details
from ledger import bulk
from ledger.store.access import locate, open_ledger, open_log
from ledger.store.claims import claim, claim_id
from ledger.ward.written import Written

DAY = "2021-11-01"


class Clock:
    """The library's clock, made to tick one microsecond per reading from a fixed moment; and
    the nonces of households' sealed details, counted the same way, so that two ledgers
    declaring the same households store the same ciphertext."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.ticks = count()
        self.nonces = count()

    def nonce(self, size: int) -> bytes:
        return next(self.nonces).to_bytes(size, "big")

    def __call__(self) -> datetime:
        start = datetime(2021, 11, 1, 1, 2, 3, tzinfo=timezone.utc)
        return start + timedelta(microseconds=next(self.ticks))


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo", clock)
    monkeypatch.setattr(ledger.privacy.details, "os", SimpleNamespace(urandom=clock.nonce))
    return clock


def _declare(writer) -> None:
    writer.init("Phường 3", DAY, "tester")
    writer.add_item("RICE", "Gạo", "kg", 15000, DAY, "tester")
    writer.add_item("OIL", "Dầu ăn", "bottle", None, DAY, "tester")
    writer.add_location("KHO", "Kho", "store", DAY, "tester")
    writer.add_donor("D1", "Nhà hảo tâm Việt", False, DAY, "tester")
    for n in range(3):
        writer.add_recipient(f"H{n}", f"Hộ {n}", "Tổ 1", 2, 3, None, DAY, "tester")


def _rows(actor: str = "tester") -> list[bulk.Row]:
    """Donations and hand-outs (with and without slips) that cross two snapshot intervals."""
    donations = [(2 * n + 2, {"receipt": f"PT-{n:03d}", "date": f"2021-11-{1 + n % 20:02d}",
                          "donor": "D1", "location": "KHO", "cash": str(1000 * (1 + n % 3)),
                          "items": "RICE=7; OIL=2", "note": "ủng hộ" if n % 2 else ""})
                 for n in range(110)]
    handouts = [(2 * n + 3, {"slip": f"S{n}" if n % 3 else "", "date": f"2021-11-{21 + n % 5}",
                           "recipient": f"H{n % 3}", "location": "KHO", "items": "RICE=2",
                           "cash": "500" if n % 4 == 0 else ""})
                for n in range(110)]
    parsed = bulk.donation_rows(donations, actor) + bulk.handout_rows(handouts, actor)
    return sorted(parsed, key=lambda row: row.line)


def _ordinary(writer, rows: list[bulk.Row], batch: int) -> None:
    """What imports did before: event objects, one `Ledger.write` per batch."""
    for start in range(0, len(rows), batch):
        chunk = rows[start:start + batch]

        def record(ward, chunk=chunk):
            entries, claims = [], []
            for row in chunk:
                entries.append(row.record(ward))
                claims.append(claim(row.key, entries[-1]))
            return Written(entries, claims)

        writer.write(record)


def _stored(env: dict[str, str]) -> tuple[list, list, list]:
    log = open_log(locate(environ=env))
    try:
        events = [(p, str(o), v, t, s) for p, o, v, t, s in log.stored()]
        links = list(log.links())
        snapshots = list(log.connection.execute(
            f"SELECT originator_id, originator_version, topic, state FROM "
            f"{'stored_snapshots' if log.paramstyle == '?' else log.prefix + '_snapshots'} "
            "ORDER BY originator_version"))
        return events, links, [(str(o), v, t, bytes(s)) for o, v, t, s in snapshots]
    finally:
        log.close()


def _write_both(clock, first, second, batch: int = 40) -> None:
    for target, write in ((first, lambda w, rows: _ordinary(w, rows, batch)),
                          (second, lambda w, rows: bulk.write(w, rows, batch))):
        writer = open_ledger(locate(environ=target.env), create=True)
        try:
            clock.reset()  # the same moments for both ledgers
            _declare(writer)
            rows = _rows()
            bulk.check(writer, rows)
            write(writer, rows)
        finally:
            writer.close()


@pytest.fixture
def twin(ledger, tmp_path):
    """A second empty ledger on the same back end as `ledger`."""
    from conftest import Ledger, _env, drop_ward_tables

    if ledger.backend == "sqlite":
        yield Ledger(_env(AID_DB=str(tmp_path / "twin.db")), "sqlite", tmp_path / "twin.db")
        return
    ward = ledger.env["AID_WARD"] + "b"
    yield Ledger({**ledger.env, "AID_WARD": ward}, "postgres")
    drop_ward_tables(f"aid_{ward}")


def test_bulk_rows_equal_the_ordinary_path_byte_for_byte(ledger, twin, clock):
    _write_both(clock, ledger, twin)
    ordinary, built = _stored(ledger.env), _stored(twin.env)
    events, links, snapshots = built
    assert len(events) == 8 + 2 * 220  # declarations, then a fact and a claim per row
    assert [s[1] for s in snapshots] == [128, 208]  # at the end of each batch crossing 100s
    if ledger.backend == "postgres":  # positions are per table; the rows and links are not
        assert [e[1:] for e in built[0]] == [e[1:] for e in ordinary[0]]
        assert [link for _, link in built[1]] == [link for _, link in ordinary[1]]
        assert built[2] == ordinary[2]
    else:
        assert built == ordinary
    twin("audit", "verify")


def test_bulk_rows_read_back_through_the_library(sqlite_ledger, tmp_path, clock):
    from conftest import Ledger, _env

    twin = Ledger(_env(AID_DB=str(tmp_path / "twin.db")), "sqlite", tmp_path / "twin.db")
    _write_both(clock, sqlite_ledger, twin)
    apps = [open_ledger(locate(environ=side.env)) for side in (sqlite_ledger, twin)]
    try:
        events = [[app.mapper.to_domain_event(stored) for stored in
                   app.recorder.select_events(app.ward().id)] for app in apps]
        assert events[0] == events[1]
        assert events[1][-1].actor == "tester" and events[1][-1].moves == [["KHO", "RICE", -2]]
        made = apps[1].repository.get(claim_id("receipt:PT-007"))
        assert (made.key, made.entry) == ("receipt:PT-007", 8 + 2 * 7 + 1)
        assert apps[0].ward().__dict__ == apps[1].ward().__dict__
    finally:
        for app in apps:
            app.close()
    assert sqlite_ledger("stock", "--format", "json").out == twin("stock", "--format",
                                                                 "json").out


def test_a_refused_row_leaves_the_store_unchanged(ward, tmp_path):
    before = ward.snapshot()
    writer = open_ledger(locate(environ=ward.env))
    try:
        rows = bulk.handout_rows([(2, {"date": DAY, "recipient": "H1", "location": "KHO",
                                       "items": "RICE=1"})], "tester")
        with pytest.raises(bulk.ImportErrors):
            bulk.check(writer, rows)
        assert bulk.write(writer, [], 10).written == 0
    finally:
        writer.close()
    assert ward.snapshot() == before


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.text()
    | st.datetimes(timezones=st.just(timezone.utc)),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)


@given(st.dictionaries(st.text(max_size=10), json_values, max_size=6))
def test_the_fast_row_encoding_is_the_transcoders_byte_for_byte(state):
    """Bulk rows are encoded by orjson where it can: any text (control characters, accents,
    emoji), numbers beyond 64 bits, nested lists and timestamps give exactly the bytes the
    library's own JSON transcoder gives, or the same refusal."""
    from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder

    from ledger.store.rows import _fast_encoder

    transcoder = JSONTranscoder()
    transcoder.register(DatetimeAsISO())
    fast = _fast_encoder(transcoder)
    try:
        expected = transcoder.encode(state)
    except UnicodeEncodeError:  # a lone surrogate: neither can store it
        with pytest.raises(UnicodeEncodeError):
            fast(state)
        return
    assert fast(state) == expected
