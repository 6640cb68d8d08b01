"""The chain's encoding written twice, once in Python (`encode`) and once as PostgreSQL
(`encode_sql`: the district's guard and its statement's check of whole copies use it). The two
must give the same bytes for every row a ledger can store, or the district would refuse honest
wards and pass nothing it should not; and a copy checked through either finds the same."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ledger.trust.chain import Encoded, encode, encode_sql, links
from projections.audit.tamper import verify
from tests.conftest import PG_SKIP, PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason=PG_SKIP)

rows = st.tuples(st.integers(1, 2**62), st.uuids(), st.integers(1, 2**31 - 1),
                 st.text(st.characters(blacklist_characters="\x00",
                                       blacklist_categories=["Cs"]), max_size=80),
                 st.binary(max_size=600))


@pytest.fixture(scope="module")
def connection():
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute("CREATE TEMP TABLE e (notification_id BIGINT, originator_id UUID, "
                     "originator_version BIGINT, topic TEXT, state BYTEA)")
        yield conn


@settings(max_examples=60, deadline=None)
@given(row=rows)
@example(row=(2**62, uuid.UUID(int=0), 1, "ledger.ward:Ward.Đã phát ₫", b""))  # the edges:
@example(row=(1, uuid.UUID(int=2**128 - 1), 2**31 - 1, "", b"\x00" * 600))  # sizes, marks
def test_postgresql_encodes_every_row_as_python_does(connection, row):
    connection.execute("TRUNCATE e")
    connection.execute("INSERT INTO e VALUES (%s, %s, %s, %s, %s)", row)
    (made,) = connection.execute(f"SELECT {encode_sql('e')} FROM e").fetchone()
    position, originator, version, topic, state = row
    assert bytes(made) == encode(position, originator.hex, version, topic, state)


def test_a_copy_checked_from_encoded_rows_finds_what_a_check_of_its_rows_finds():
    stored = [(n, uuid.uuid4().hex, n, "ledger.ward:Ward.HandedOut", b'{"n":%d}' % n)
              for n in range(1, 6)]
    chain = links("0" * 64, stored)
    edited = [*stored[:2], (*stored[2][:4], b'{"n":300}'), *stored[3:]]
    for rows in (stored, edited):
        by_rows = verify(rows, chain)
        by_bytes = verify([Encoded(row[0], encode(*row)) for row in rows], chain)
        assert (by_bytes.head, by_bytes.events, [p.position for p in by_bytes.problems]) \
            == (by_rows.head, by_rows.events, [p.position for p in by_rows.problems])
    assert [p.position for p in verify(edited, chain).problems] == [3]
    assert verify(stored, chain).problems == []
