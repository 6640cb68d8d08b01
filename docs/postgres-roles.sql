-- Least-privilege roles for one ward's ledger on PostgreSQL.
--
-- Run as the owner of the ward's tables (the role that ran `aid init`), after `aid init`:
--   psql "$AID_DATABASE_URL" -v ward=aid_phuong_3 -v writer=thuquy_p3 -v reader=thanhtra_p3 \
--        -f docs/postgres-roles.sql
-- `ward` is the table prefix: `aid_` followed by AID_WARD in lower case ("aid_phuong_3").
--
-- Writers (treasurers) may read and append events, and keep the derived read models. They may
-- never change or delete a stored event: a trigger refuses UPDATE (the library takes an EXCLUSIVE
-- table lock to keep positions in commit order, and PostgreSQL only grants that lock to roles
-- holding UPDATE, DELETE or TRUNCATE, so writers hold UPDATE and the trigger refuses its use),
-- and DELETE and TRUNCATE are not granted at all.
-- The chain of links (tamper evidence) is append-only for writers too: they may INSERT, never
-- UPDATE or DELETE it.
-- Readers (auditors, volunteers) may only SELECT.

\set events :ward '_events'
\set snapshots :ward '_snapshots'
\set models :ward '_read_models'
\set history :ward '_history'
\set bins :ward '_history_bins'
\set sequence :ward '_events_notification_id_seq'
\set guard :ward '_events_append_only'
\set chain :ward '_chain'
\set merkle :ward '_merkle'

CREATE OR REPLACE FUNCTION aid_refuse_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'stored events are immutable: record a reversal instead';
END $$;

DROP TRIGGER IF EXISTS :"guard" ON :"events";
CREATE TRIGGER :"guard" BEFORE UPDATE OR DELETE ON :"events"
    FOR EACH ROW EXECUTE FUNCTION aid_refuse_event_change();

SELECT set_config('aid.writer', :'writer', false), set_config('aid.reader', :'reader', false);

DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = current_setting('aid.writer')) THEN
        EXECUTE format('CREATE ROLE %I LOGIN', current_setting('aid.writer'));
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = current_setting('aid.reader')) THEN
        EXECUTE format('CREATE ROLE %I LOGIN', current_setting('aid.reader'));
    END IF;
END $$;

GRANT SELECT, INSERT, UPDATE ON :"events" TO :"writer";
GRANT USAGE ON SEQUENCE :"sequence" TO :"writer";
GRANT SELECT, INSERT ON :"snapshots", :"chain", :"merkle" TO :"writer";
GRANT SELECT, INSERT, UPDATE, DELETE ON :"models", :"history", :"bins" TO :"writer";

GRANT SELECT ON :"events", :"snapshots", :"chain", :"merkle", :"models", :"history", :"bins"
    TO :"reader";
