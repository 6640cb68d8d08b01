"""District benchmark (issue #27): N wards × M events built through the bulk path, synced to a
fresh district database, then every district report timed with its peak memory.

    .venv/bin/python bench/bench_district.py --quick                   # tiny: seconds
    .venv/bin/python bench/bench_district.py --wards 20 --events 50000  # 1M events
    AID_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test   (the server to use)

Prints figures; asserts nothing. Each report is one `aid district …` process (wall time, peak
RSS of the process). Baselines on the same machine: `aid --version` (start-up), `psql`-free raw
reads through psycopg of the rows each streaming report needs (every copy's events for the
statement's chain check; the hand-out facts for duplicates), and raw COPY of the same ward's
rows for sync. The district database is made for the run and dropped after it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_scale import declare, rows_for, timed_once  # noqa: E402

from ledger import bulk  # noqa: E402
from ledger.store.access import Address, open_ledger  # noqa: E402


def build_ward(path: Path, code: str, events: int) -> None:
    ledger = open_ledger(Address(path=path), create=True)
    declare(ledger)
    donations, handouts = rows_for(events)
    parsed = bulk.donation_rows(donations, "bench") + bulk.handout_rows(handouts, "bench")
    parsed.sort(key=lambda row: row.line)
    bulk.check(ledger, parsed)
    bulk.write(ledger, parsed, batch=2000)
    ledger.set_code(code, "2021-11-30", "bench")
    ledger.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--wards", type=int, default=20)
    parser.add_argument("--events", type=int, default=50_000, help="events per ward (about)")
    parser.add_argument("--quick", action="store_true", help="3 wards × 2,000 events")
    parser.add_argument("--keep", action="store_true",
                        help="keep the district database afterwards (its URL is printed)")
    args = parser.parse_args()
    if args.quick:
        args.wards, args.events = 3, 2_000
    import psycopg

    server = os.environ.get("AID_BENCH_DATABASE_URL",
                            "postgresql://postgres@127.0.0.1:5432/test")
    name = f"aid_bench_district_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    url = server.rsplit("/", 1)[0] + "/" + name
    env = {**os.environ, "AID_LANG": "en", "AID_DISTRICT_URL": url}
    aid = str(Path(sys.executable).parent / "aid")
    try:
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            paths = []
            for n in range(args.wards):
                path = Path(folder) / f"w{n}.db"
                build_ward(path, f"W{n:03d}", args.events)
                paths.append(path)
            print(f"built {args.wards} wards × ~{args.events:,} events (bulk path) in "
                  f"{time.perf_counter() - start:.1f} s")
            total, start = 0, time.perf_counter()
            for path in paths:
                subprocess.run([aid, "sync"], env={**env, "AID_DB": str(path)}, check=True,
                               stdout=subprocess.DEVNULL)
            sync_seconds = time.perf_counter() - start
            with psycopg.connect(url) as conn:
                for (table,) in conn.execute("SELECT prefix FROM aid_sync_wards"):
                    total += conn.execute(f"SELECT count(*) FROM {table}_events").fetchone()[0]
            print(f"sync (verify + copy + fold), all wards: {sync_seconds:.1f} s for "
                  f"{total:,} events ({total / sync_seconds:,.0f} events/s)")
            with psycopg.connect(url) as conn:
                size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
            wards_size = sum(path.stat().st_size for path in paths)
            print(f"disk: the district's database {size / 2**30:.2f} GiB ({size / total:,.0f} "
                  f"bytes per event); the wards' SQLite files {wards_size / 2**30:.2f} GiB")
            for like in (True, False):
                raw = raw_copy(url, paths[0], like)
                print(f"raw COPY of one ward's rows into {LIKE[like]}: {raw:,.0f} events/s "
                      f"(sync: 1/{raw * sync_seconds / total:.1f})")
            version, _ = timed_once(["--version"], env)
            print(f"aid --version: {version:.0f} ms")
            print(f"{'command':<44} {'time':>9} {'peak':>8}")
            for command in (["district", "wards"], ["district", "stock", "--total"],
                            ["district", "stock"], ["district", "cash"],
                            ["district", "coverage"], ["district", "statement"],
                            ["district", "duplicates", "--from", "2021-11-01", "--to",
                             "2021-11-30"]):
                seconds, peak = timed(command, env)
                print(f"aid {' '.join(command):<40} {seconds:>7.0f} ms {peak:>6.0f} MB")
            for label, sql in (
                    ("raw read of every copy's events", "events"),
                    ("raw read of the hand-out facts", "SELECT ward, party, on_date FROM "
                     "aid_district_facts WHERE kind = 'give'")):
                print(f"{label:<48} {raw_read(url, sql):>7.0f} ms")
    finally:
        if args.keep:
            print(f"kept: AID_DISTRICT_URL={url}")
        else:
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """`timed_once`, accepting exit 1 (duplicates found is exit 1)."""
    try:
        return timed_once(command, env)
    except subprocess.CalledProcessError:
        return float("nan"), float("nan")


def raw_read(url: str, what: str) -> float:
    import psycopg

    start = time.perf_counter()
    with psycopg.connect(url) as conn:
        if what == "events":
            prefixes = [p for (p,) in conn.execute("SELECT prefix FROM aid_sync_wards")]
            for prefix in prefixes:
                with conn.cursor(name=f"raw_{prefix}") as cursor:
                    cursor.itersize = 5000
                    cursor.execute(f"SELECT notification_id, originator_id, originator_version, "
                                   f"topic, state FROM {prefix}_events ORDER BY notification_id")
                    for _ in cursor:
                        pass
        else:
            with conn.cursor(name="raw_facts") as cursor:
                cursor.itersize = 5000
                cursor.execute(what)
                for _ in cursor:
                    pass
    return (time.perf_counter() - start) * 1000


LIKE = {True: "a table like the copy's (logged, its keys and indexes)",
        False: "a bare temporary table (no WAL, no index)"}


def raw_copy(url: str, path: Path, like: bool = True) -> float:
    """Events per second for a plain COPY of one ward's stored rows, in one transaction, into a
    table like a ward's copy in the district (the issue's bound), or into a bare temporary
    table (what earlier runs measured: no WAL, no index, so about twice as fast)."""
    import sqlite3

    import psycopg

    from ledger.district.sync import copy_text

    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT rowid, originator_id, originator_version, topic, state FROM "
                          "stored_events ORDER BY rowid").fetchall()
    text = copy_text(rows)
    with psycopg.connect(url) as conn:
        if like:
            prefix = conn.execute("SELECT prefix FROM aid_sync_wards LIMIT 1").fetchone()[0]
            conn.execute(f"CREATE TABLE raw (LIKE {prefix}_events INCLUDING ALL)")
        else:
            conn.execute("CREATE TEMP TABLE raw (notification_id BIGINT, originator_id UUID, "
                         "originator_version BIGINT, topic TEXT, state BYTEA)")
        start = time.perf_counter()
        with conn.cursor().copy("COPY raw (notification_id, originator_id, originator_version, "
                                "topic, state) FROM STDIN") as copy:
            copy.write(text)
        conn.commit()
        seconds = time.perf_counter() - start
        conn.execute("DROP TABLE raw")
        conn.commit()
    return len(rows) / seconds


if __name__ == "__main__":
    main()
