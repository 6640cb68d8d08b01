"""The district's own guard over each ward's copy: triggers on the copy's tables.

`aid sync` checks every batch before it sends it, but the district does not have to trust the
tool that writes to it: every link inserted into a ward's copy is recomputed by PostgreSQL from
the link stored before it and the event stored at that position, exactly as
`ledger/trust/chain.py` computes it (SHA-256 of the previous link and the length-prefixed
position, aggregate id as 32 hex digits, version, topic and state), and must come after the
last position held. Anything else is refused, naming the first position that fails, and the
whole batch rolls back. The check runs once per statement, at its end, over the rows it added,
as one query: each added link against the link stored before it (the district's last, for the
first), which by induction is the chain recomputed link by link, at half the cost of a
PL/pgSQL loop doing that. And only `aid sync` appends to a copy (it
says so for its transaction, `SET LOCAL aid.sync = 'on'`); nothing updates or deletes there,
so an ordinary command pointed at a copy by mistake is refused instead of forking it.
"""

from ledger.store.chain_sql import encode_sql

ONLY_SYNC = r"""
CREATE OR REPLACE FUNCTION aid_sync_only() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP <> 'INSERT' OR current_setting('aid.sync', true) IS DISTINCT FROM 'on' THEN
        RAISE EXCEPTION 'aid: % is a ward''s copy in the district: only `aid sync` appends to '
                        'it, and nothing changes it', TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END $$
"""

FUNCTION = r"""
CREATE OR REPLACE FUNCTION aid_sync_check_links() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    events text := regexp_replace(TG_TABLE_NAME, '_chain$', '_events');
    first_new bigint;
    added_count bigint;
    held_after bigint;
    previous text;
    missing bigint;
    broken bigint;
    malformed bigint;
BEGIN
    SELECT min(position), count(*) INTO first_new, added_count FROM added;
    IF first_new IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT count(*) FROM %I.%I WHERE position >= $1', TG_TABLE_SCHEMA,
                   TG_TABLE_NAME) INTO held_after USING first_new;
    IF held_after <> added_count THEN
        RAISE EXCEPTION 'aid: position % is not after the last position the district holds',
            first_new;
    END IF;
    EXECUTE format('SELECT link FROM %I.%I WHERE position < $1 ORDER BY position DESC '
                   'LIMIT 1', TG_TABLE_SCHEMA, TG_TABLE_NAME) INTO previous USING first_new;
    previous := coalesce(previous, repeat('0', 64));
    BEGIN
        EXECUTE format(CHECK, TG_TABLE_SCHEMA, events) INTO missing, broken
            USING previous, first_new, NULL::bigint;
    EXCEPTION WHEN invalid_parameter_value THEN  -- a stored link is not 64 hex digits: it is
        SELECT min(position) INTO malformed FROM added  -- broken, and so may be one before it
            WHERE link !~ '^[0-9a-f]{64}$';
        EXECUTE format(CHECK, TG_TABLE_SCHEMA, events) INTO missing, broken
            USING previous, first_new, malformed;
        broken := least(broken, malformed);
    END;
    IF missing IS NOT NULL AND (broken IS NULL OR missing < broken) THEN
        RAISE EXCEPTION 'aid: no event at position % for its link', missing;
    END IF;
    IF broken IS NOT NULL THEN
        RAISE EXCEPTION 'aid: the link at position % does not continue the chain the '
                        'district holds', broken;
    END IF;
    RETURN NULL;
END $$
"""


# the added rows (below $3, when given) against the events table: the first position without
# its event, and the first whose link is not SHA-256 of the link before it and its event
CHECK = """
    SELECT pg_catalog.min(a.position) FILTER (WHERE e.notification_id IS NULL),
           pg_catalog.min(a.position) FILTER (WHERE e.notification_id IS NOT NULL AND
               a.link IS DISTINCT FROM pg_catalog.encode(pg_catalog.sha256(
                   pg_catalog.decode(a.previous, 'hex') || ENCODED), 'hex'))
    FROM (SELECT position, link, pg_catalog.lag(link, 1, $1) OVER (ORDER BY position)
          AS previous FROM added) a
    LEFT JOIN (SELECT * FROM %I.%I WHERE notification_id >= $2) e
        ON e.notification_id = a.position
    WHERE $3 IS NULL OR a.position < $3
""".replace("ENCODED", encode_sql("e"))
FUNCTION = FUNCTION.replace("format(CHECK,", f"format($check${CHECK}$check$,")
# made once per district, and made again where they differ: an earlier release's, or one
# replaced in the database by someone who wanted the check gone (`District.prepare`). They run
# with PostgreSQL's own functions and operators only (a search path of pg_catalog): nothing of
# the same name put in another schema can stand in for them.
FUNCTIONS = {"aid_sync_check_links": FUNCTION, "aid_sync_only": ONLY_SYNC}
SETTINGS = ["search_path=pg_catalog, pg_temp"]  # `pg_proc.proconfig` of each


def body(statement: str) -> str:
    """A function's source as PostgreSQL keeps it (`pg_proc.prosrc`): what lies between $$."""
    return statement.split("$$")[1]


def triggers(prefix: str) -> list[str]:
    """The statements that make the checks guard one ward's copy. The link check runs once
    per INSERT or COPY, over all the rows it added (row by row cost ten times as much)."""
    return [
        f"CREATE TRIGGER {prefix}_{table}_by_sync_only BEFORE INSERT OR UPDATE OR DELETE OR "
        f"TRUNCATE ON {prefix}_{table} FOR EACH STATEMENT EXECUTE FUNCTION aid_sync_only()"
        for table in ("events", "chain")] + [
        f"CREATE TRIGGER {prefix}_chain_continues AFTER INSERT ON {prefix}_chain "
        "REFERENCING NEW TABLE AS added FOR EACH STATEMENT "
        "EXECUTE FUNCTION aid_sync_check_links()"]
