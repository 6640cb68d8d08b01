"""The least-privilege setup of docs/postgres-roles.sql, applied for real with psql."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
from conftest import PG_URL

ROOT = Path(__file__).resolve().parents[2]


def as_role(role: str) -> str:
    parsed = urlparse(PG_URL)
    return parsed._replace(netloc=f"{role}@{parsed.hostname}:{parsed.port or 5432}").geturl()


@pytest.fixture
def roles(ward):
    if ward.backend != "postgres":
        pytest.skip("PostgreSQL roles only")
    if shutil.which("psql") is None:
        pytest.skip("psql is needed to apply docs/postgres-roles.sql")
    suffix = uuid.uuid4().hex[:8]
    writer, reader = f"aid_writer_{suffix}", f"aid_reader_{suffix}"
    prefix = f"aid_{ward.env['AID_WARD']}"
    # The script replaces one shared function: two pytest-xdist workers running it at once
    # would fail with "tuple concurrently updated". A session-level lock held here serialises them.
    with psycopg.connect(PG_URL, autocommit=True) as lock:
        lock.execute("SELECT pg_advisory_lock(hashtext('aid-ledger roles test'))")
        subprocess.run(["psql", PG_URL, "-q", "-v", "ON_ERROR_STOP=1", "-v", f"ward={prefix}",
                        "-v", f"writer={writer}", "-v", f"reader={reader}",
                        "-f", str(ROOT / "docs" / "postgres-roles.sql")],
                       check=True, capture_output=True, text=True)
    yield writer, reader, prefix
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        for role in (writer, reader):
            conn.execute(f'DROP OWNED BY "{role}"')
            conn.execute(f'DROP ROLE "{role}"')


def test_writer_appends_but_cannot_change_or_delete_events(ward, roles):
    writer, reader, prefix = roles
    ward.env["AID_DATABASE_URL"] = as_role(writer)
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=10")
    ward("give", "H1", "--from", "KHO", "--item", "RICE=4")
    assert ward("stock", "--format", "json").json()[0]["quantity"] == 6
    with psycopg.connect(as_role(writer), autocommit=True) as conn:
        with pytest.raises(psycopg.Error, match="immutable"):
            conn.execute(f'UPDATE "{prefix}_events" SET topic = topic')
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f'DELETE FROM "{prefix}_events"')
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f'TRUNCATE "{prefix}_events"')


def test_reader_can_report_but_not_record(ward, roles):
    writer, reader, prefix = roles
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=10")
    ward.env["AID_DATABASE_URL"] = as_role(reader)
    assert ward("stock", "--format", "json").json()[0]["quantity"] == 10
    before = ward.snapshot()
    result = ward.fails("give", "H1", "--from", "KHO", "--item", "RICE=1")
    assert result.code == 1
    assert "permission denied" in result.err and len(result.err.splitlines()) == 1
    assert ward.snapshot() == before
    with psycopg.connect(as_role(reader), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f'INSERT INTO "{prefix}_events" (originator_id, originator_version) '
                         "VALUES (gen_random_uuid(), 1)")
