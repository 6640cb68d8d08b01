"""The district's own check of each ward's chain: a trigger on the copy's chain table.

`aid sync` checks every batch before it sends it, but the district does not have to trust the
tool that writes to it: every link inserted into a ward's copy is recomputed by PostgreSQL from
the link before it and the event stored at that position, exactly as `ledger/chain.py` computes
it (SHA-256 of the previous link and the length-prefixed position, aggregate id as 32 hex
digits, version, topic and state), and must come after the last position held. Anything else
is refused, naming the position, and the whole batch rolls back.
"""

FUNCTION = r"""
CREATE OR REPLACE FUNCTION aid_sync_check_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    events text := regexp_replace(TG_TABLE_NAME, '_chain$', '_events');
    last_position bigint;
    previous text;
    event record;
    body bytea;
BEGIN
    EXECUTE format('SELECT position, link FROM %I ORDER BY position DESC LIMIT 1',
                   TG_TABLE_NAME) INTO last_position, previous;
    IF last_position IS NOT NULL AND NEW.position <= last_position THEN
        RAISE EXCEPTION 'aid: position % is not after position %, the last the district holds',
            NEW.position, last_position;
    END IF;
    EXECUTE format('SELECT notification_id, originator_id, originator_version, topic, state '
                   'FROM %I WHERE notification_id = $1', events) INTO event USING NEW.position;
    IF event.notification_id IS NULL THEN
        RAISE EXCEPTION 'aid: no event at position % for its link', NEW.position;
    END IF;
    body := int8send(octet_length(convert_to(event.notification_id::text, 'UTF8')))
            || convert_to(event.notification_id::text, 'UTF8')
            || int8send(32) || convert_to(replace(event.originator_id::text, '-', ''), 'UTF8')
            || int8send(octet_length(convert_to(event.originator_version::text, 'UTF8')))
            || convert_to(event.originator_version::text, 'UTF8')
            || int8send(octet_length(convert_to(event.topic, 'UTF8')))
            || convert_to(event.topic, 'UTF8')
            || int8send(octet_length(event.state)) || event.state;
    IF NEW.link IS DISTINCT FROM encode(sha256(decode(coalesce(previous, repeat('0', 64)), 'hex')
                                               || body), 'hex') THEN
        RAISE EXCEPTION 'aid: the link at position % does not continue the chain the district '
                        'holds', NEW.position;
    END IF;
    RETURN NEW;
END $$
"""


def trigger(prefix: str) -> str:
    """The statement that makes the check guard one ward's copy."""
    return (f"CREATE TRIGGER {prefix}_chain_continues BEFORE INSERT ON {prefix}_chain "
            "FOR EACH ROW EXECUTE FUNCTION aid_sync_check_link()")
