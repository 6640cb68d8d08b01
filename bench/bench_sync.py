"""Sync benchmark: a 100k-event ward sent to the district's PostgreSQL store (issue 14).

    .venv/bin/python bench/bench_sync.py                  # 100k events
    .venv/bin/python bench/bench_sync.py --events 20000   # quicker
    AID_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test   (the server to use)

Prints figures; asserts nothing. The district is a fresh database made for the run and dropped
after it. "raw" is the physical limit on the same machine: the same stored rows (read from the
ward's SQLite file beforehand) written into a table of the same schema in one transaction, by
COPY (formatted as sync formats them) and by psycopg's executemany, with no chain to check.
Sync reads the ward's rows and links, checks the district's last link, and COPYs rows and links
in batches of 5,000, one transaction each, while the district's trigger recomputes every link.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from uuid import UUID

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_scale import declare, rows_for  # noqa: E402

from ledger import bulk  # noqa: E402
from ledger.district.sync import copy_text, sync  # noqa: E402
from ledger.store.access import Address, open_ledger, open_log  # noqa: E402

COLUMNS = "notification_id, originator_id, originator_version, topic, state"


def build_ward(path: Path, events: int) -> None:
    ledger = open_ledger(Address(path=path), create=True)
    declare(ledger)
    ledger.set_code("BENCH", "2021-11-01", "bench")
    donations, handouts = rows_for(events)
    parsed = bulk.donation_rows(donations, "bench") + bulk.handout_rows(handouts, "bench")
    parsed.sort(key=lambda row: row.line)
    bulk.write(ledger, parsed, batch=2000)
    ledger.close()


def stored_rows(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return [(p, UUID(o), v, t, s) for p, o, v, t, s in conn.execute(
            "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
            "ORDER BY rowid")]


def raw_rate(url: str, rows: list[tuple], how: str) -> float:
    """Rows per second written into a fresh events table of the library's schema."""
    import psycopg

    table = f"raw_{uuid.uuid4().hex[:8]}_events"
    with psycopg.connect(url) as conn:
        conn.execute(f"CREATE TABLE {table} (originator_id uuid NOT NULL, originator_version "
                     "bigint NOT NULL, topic text, state bytea, notification_id bigserial, "
                     "PRIMARY KEY (originator_id, originator_version))")
        conn.execute(f"CREATE UNIQUE INDEX {table}_position ON {table} (notification_id)")
        conn.commit()
        start = time.perf_counter()
        with conn.cursor() as cursor:
            if how == "copy":  # the rows formatted the fast way sync formats them
                with cursor.copy(f"COPY {table} ({COLUMNS}) FROM STDIN") as copy:
                    copy.write(copy_text(rows))
            else:
                cursor.executemany(f"INSERT INTO {table} ({COLUMNS}) VALUES "
                                   "(%s, %s, %s, %s, %s)", rows)
        conn.commit()
        seconds = time.perf_counter() - start
        conn.execute(f"DROP TABLE {table}")
        conn.commit()
    return len(rows) / seconds


def fresh_database(server: str) -> tuple[str, str]:
    import psycopg

    name = f"aid_bench_district_{os.getpid()}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return name, server.rsplit("/", 1)[0] + "/" + name


def drop_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def sync_rate(server: str, path: Path) -> tuple[float, int, float, float]:
    """(seconds, rows sent, seconds of a sync with nothing to send, of the same as a process)
    into a fresh district database."""
    name, url = fresh_database(server)
    try:
        log = open_log(Address(path=path))
        start = time.perf_counter()
        _, sent, _ = sync(log, url)
        seconds = time.perf_counter() - start
        again = time.perf_counter()
        sync(log, url)  # nothing left to send: the cost of a routine check
        idle = time.perf_counter() - again
        log.close()
        process = time.perf_counter()
        subprocess.run([sys.executable, "-m", "commands", "sync", "--to", url], cwd=ROOT,
                       env={**os.environ, "AID_DB": str(path)}, check=True, capture_output=True)
        return seconds, sum(part.count for part in sent), idle, time.perf_counter() - process
    finally:
        drop_database(server, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2, help="best of this many runs")
    options = parser.parse_args()
    server = os.environ.get("AID_BENCH_DATABASE_URL",
                            "postgresql://postgres@127.0.0.1:5432/test")
    print(f"aid-ledger sync benchmark, {time.strftime('%Y-%m-%d %H:%M')}, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ward.db"
        build_ward(path, options.events)
        rows = stored_rows(path)
        runs = [sync_rate(server, path) for _ in range(options.repeat)]
        seconds, count, idle, whole = min(runs)
        name, url = fresh_database(server)
        try:  # the raw baselines alternate with nothing else, best of three each
            copy = max(raw_rate(url, rows, "copy") for _ in range(3))
            many = max(raw_rate(url, rows, "executemany") for _ in range(3))
        finally:
            drop_database(server, name)
    ours = count / seconds
    print(f"\nward of {len(rows):,} stored rows (ward entries and claims), "
          f"load average now {os.getloadavg()[0]:.1f}")
    print(f"  aid sync (in process)   {ours:10,.0f} events/s   ({seconds:.2f} s)")
    print(f"  raw COPY                {copy:10,.0f} events/s   ratio 1/{copy / ours:.1f}")
    print(f"  raw executemany         {many:10,.0f} events/s   ratio {ours / many:.1f}×")
    print(f"  sync with nothing to send: {idle * 1000:.0f} ms in process, "
          f"{whole * 1000:.0f} ms as `aid sync`")


if __name__ == "__main__":
    main()
