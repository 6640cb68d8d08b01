"""The chain's encoding written twice, once in Python (`encode`) and once as PostgreSQL
(`encode_sql`: the district's guard and its statement's check of whole copies use it). The two
must give the same bytes for every row a ledger can store, or the district would refuse honest
wards and pass nothing it should not; and a copy checked through either finds the same."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ledger.store.chain_sql import encode_sql, rows_sql
from ledger.trust.chain import Encoded, encode, links
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


def test_a_state_set_to_null_by_hand_is_encoded_as_python_encodes_it(connection):
    """No bytes (`stored_bytes`), so its link breaks where the walk says, never a NULL
    encoding that a client cannot hash and `bool_and` passes over."""
    row = (7, uuid.UUID(int=7), 7, "ledger.ward:Ward.Donated", None)
    connection.execute("TRUNCATE e")
    connection.execute("INSERT INTO e VALUES (%s, %s, %s, %s, %s)", row)
    (made,) = connection.execute(f"SELECT {encode_sql('e')} FROM {rows_sql('e')} e").fetchone()
    assert bytes(made) == encode(7, row[1].hex, 7, row[3], None) == encode(7, row[1].hex, 7,
                                                                           row[3], b"")


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


TAMPERS = ("none", "edit a state", "delete an event", "delete a link", "change a link",
           "swap two states", "add an event without a link", "add a link without an event",
           "a state set to NULL")


@settings(max_examples=80, deadline=None)
@given(states=st.lists(st.binary(max_size=40), min_size=1, max_size=12),
       tamper=st.sampled_from(TAMPERS), at=st.integers(0, 11))
@example(states=[b"a"], tamper="none", at=0)  # one event
@example(states=[b"a", b"b"], tamper="delete a link", at=0)  # the first link gone
@example(states=[b"a", b"a"], tamper="swap two states", at=0)  # a swap that changes nothing
@example(states=[b"a", b"b"], tamper="a state set to NULL", at=1)  # not skipped as unknown
def test_the_server_says_the_chain_holds_exactly_when_the_walk_finds_nothing(
        connection, states, tamper, at):
    """`intact_sql` (the district statement's check, run by the server) against `verify` (the
    walk every other check uses): the same answer on honest and tampered copies, and the same
    count, position and head when the chain holds."""
    from ledger.store.chain_sql import intact_sql
    from ledger.trust.chain import GENESIS

    ward = uuid.uuid4()
    rows = [(n, ward, n, "ledger.ward:Ward.Donated", s) for n, s in enumerate(states, 1)]
    chain = links(GENESIS, [(p, o.hex, v, t, s) for p, o, v, t, s in rows])
    at %= len(rows)
    if tamper == "edit a state":
        rows[at] = (*rows[at][:4], rows[at][4] + b"!")
    elif tamper == "delete an event":
        del rows[at]
    elif tamper == "delete a link":
        del chain[at]
    elif tamper == "change a link":
        chain[at] = (chain[at][0], "f" * 64)
    elif tamper == "swap two states" and len(rows) > 1:
        other = (at + 1) % len(rows)
        rows[at], rows[other] = (*rows[at][:4], rows[other][4]), (*rows[other][:4], rows[at][4])
    elif tamper == "add an event without a link":
        rows.append((len(states) + 1, ward, len(states) + 1, "ledger.ward:Ward.Donated", b"x"))
    elif tamper == "add a link without an event":
        chain.append((len(states) + 1, "e" * 64))
    elif tamper == "a state set to NULL":
        rows[at] = (*rows[at][:4], None)
    connection.execute("DROP TABLE IF EXISTS c")
    connection.execute("CREATE TEMP TABLE c (position BIGINT, link TEXT)")
    connection.execute("TRUNCATE e")
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO e VALUES (%s, %s, %s, %s, %s)", rows)
        cursor.executemany("INSERT INTO c VALUES (%s, %s)", chain)
    upto = len(states) + 1
    events, position, intact = connection.execute(intact_sql("e", "c"), (upto, upto)).fetchone()
    walked = verify([(p, o.hex, v, t, s) for p, o, v, t, s in rows], chain)
    assert intact == (not walked.problems)
    if intact:
        assert (events, position, dict(chain)[position]) == \
            (walked.events, walked.position, walked.head)
