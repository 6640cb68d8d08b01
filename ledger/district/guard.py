"""The district's own guard over each ward's copy: triggers on the copy's tables.

`aid sync` checks every batch before it sends it, but the district does not have to trust the
tool that writes to it: every link inserted into a ward's copy is recomputed by PostgreSQL from
the link before it and the event stored at that position, exactly as `ledger/trust/chain.py` computes
it (SHA-256 of the previous link and the length-prefixed position, aggregate id as 32 hex
digits, version, topic and state), and must come after the last position held. Anything else
is refused, naming the position, and the whole batch rolls back (the check runs once per
statement, at its end, over the rows it added). And only `aid sync` appends to a copy (it
says so for its transaction, `SET LOCAL aid.sync = 'on'`); nothing updates or deletes there,
so an ordinary command pointed at a copy by mistake is refused instead of forking it.
"""

from ledger.trust.chain import encode_sql

ONLY_SYNC = r"""
CREATE OR REPLACE FUNCTION aid_sync_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' OR current_setting('aid.sync', true) IS DISTINCT FROM 'on' THEN
        RAISE EXCEPTION 'aid: % is a ward''s copy in the district: only `aid sync` appends to '
                        'it, and nothing changes it', TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END $$
"""

FUNCTION = r"""
CREATE OR REPLACE FUNCTION aid_sync_check_links() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    events text := regexp_replace(TG_TABLE_NAME, '_chain$', '_events');
    first_new bigint;
    added_count bigint;
    held_after bigint;
    previous text;
    row record;
BEGIN
    SELECT min(position), count(*) INTO first_new, added_count FROM added;
    IF first_new IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT count(*) FROM %I WHERE position >= $1', TG_TABLE_NAME)
        INTO held_after USING first_new;
    IF held_after <> added_count THEN
        RAISE EXCEPTION 'aid: position % is not after the last position the district holds',
            first_new;
    END IF;
    EXECUTE format('SELECT link FROM %I WHERE position < $1 ORDER BY position DESC LIMIT 1',
                   TG_TABLE_NAME) INTO previous USING first_new;
    previous := coalesce(previous, repeat('0', 64));
    FOR row IN EXECUTE format(
            'SELECT a.position, a.link, e.notification_id, e.originator_id, '
            'e.originator_version, e.topic, e.state FROM added a LEFT JOIN %I e '
            'ON e.notification_id = a.position ORDER BY a.position', events) LOOP
        IF row.notification_id IS NULL THEN
            RAISE EXCEPTION 'aid: no event at position % for its link', row.position;
        END IF;
        previous := pg_catalog.encode(pg_catalog.sha256(pg_catalog.decode(previous, 'hex')
                                                        || ENCODED), 'hex');
        IF row.link IS DISTINCT FROM previous THEN
            RAISE EXCEPTION 'aid: the link at position % does not continue the chain the '
                            'district holds', row.position;
        END IF;
    END LOOP;
    RETURN NULL;
END $$
"""


FUNCTION = FUNCTION.replace("ENCODED", encode_sql("row"))
# made once per district, and made again where they differ: an earlier release's, or one
# replaced in the database by someone who wanted the check gone (`District.prepare`)
FUNCTIONS = {"aid_sync_check_links": FUNCTION, "aid_sync_only": ONLY_SYNC}


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
