"""The chain's check in PostgreSQL's own SQL: the stored bytes a link covers (`encode` in
`ledger/trust/chain.py`) as a server expression, so the district's guard recomputes each link
as rows arrive and a whole copy is checked where it lies, the client hashing nothing or only
what the server encoded. A property test holds the server's bytes to `encode`'s
(tests/ledger/test_chain_sql.py)."""

from __future__ import annotations

from ledger.trust.chain import GENESIS


def encode_sql(row: str) -> str:
    """`encode` as a PostgreSQL expression over the columns of `row` (an alias or a record):
    the district's guard recomputes each link with it, and a whole copy is checked with the
    server encoding its rows while the client only hashes them (`Encoded`). Numbers and the
    aggregate id (a uuid column, as 32 hex digits) are ASCII, taken as bytes as they are
    (`decode(…, 'escape')`: no backslash can occur in them) and the id's length is a constant;
    a quarter cheaper than converting each to UTF-8, which the topic needs."""
    def text(value: str) -> str:
        return (f"{PG}int8send({PG}octet_length({PG}convert_to({value}, 'UTF8'))) || "
                f"{PG}convert_to({value}, 'UTF8')")

    def ascii(value: str) -> str:
        return f"{PG}int8send({PG}octet_length({value})) || {PG}decode({value}, 'escape')"

    hex_id = f"{PG}encode({PG}uuid_send({row}.originator_id), 'hex')"
    return " || ".join([ascii(f"{row}.notification_id::text"),
                        f"{PG}int8send(32) || {PG}decode({hex_id}, 'escape')",
                        ascii(f"{row}.originator_version::text"), text(f"{row}.topic"),
                        f"{PG}int8send({PG}octet_length({row}.state)) || {row}.state"])


# PostgreSQL's own functions and aggregates by their schema, so that none of the same name in a
# schema put first on the search path can stand in for them in a check
PG = "pg_catalog."


def rows_sql(events: str) -> str:
    """The rows of `events` for `encode_sql` to encode as `encode` does, a NULL state (set by
    hand) as no bytes (`stored_bytes`): a NULL must break its link, not make the whole encoding
    NULL, which `bool_and` would pass over and a client could not hash."""
    return (f"(SELECT notification_id, originator_id, originator_version, topic, "
            f"coalesce(state, ''::bytea) AS state FROM {events})")


def intact_sql(events: str, chain: str) -> str:
    """A PostgreSQL query whose one row says whether a ledger's chain holds up to a position
    (its parameter, given twice): how many events there are, the last one's position, and
    whether every event has its link, every link its event, and each link is the SHA-256 of
    the link before it and the event at its position. The server hashes and only the answer
    travels: a copy checked without sending it. Where the chain does not hold, `tamper.verify`
    walks it to name what is wrong."""
    return (
        f"SELECT {PG}count(e.notification_id), {PG}max(e.notification_id), coalesce("
        f"{PG}bool_and(e.notification_id IS NOT NULL AND c.link IS NOT NULL AND c.link = "
        f"{PG}encode({PG}sha256({PG}decode(c.previous, 'hex') || {encode_sql('e')}), 'hex')), "
        f"true) FROM (SELECT * FROM {rows_sql(events)} r WHERE notification_id <= %s) e "
        f"FULL JOIN (SELECT position, link, {PG}lag(link, 1, '{GENESIS}') OVER (ORDER BY "
        f"position) AS previous FROM {chain} WHERE position <= %s) c ON c.position = "
        f"e.notification_id")
