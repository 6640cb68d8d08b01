"""PostgreSQL start-up (issue #27): a ward's commands against `aid --version`, interleaved.

    .venv/bin/python bench/bench_pg_startup.py [--repeat 7]
Prints psycopg's implementation (binary = the C build) and median wall times; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    import psycopg

    print(f"psycopg {psycopg.__version__}, implementation: {psycopg.pq.__impl__}")
    url = os.environ.get("AID_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    ward = f"bench_{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "AID_DATABASE_URL": url, "AID_WARD": ward, "AID_LANG": "en",
           "AID_ACTOR": "bench"}
    aid = str(Path(sys.executable).parent / "aid")
    run = lambda *a: subprocess.run([aid, *a], env=env, check=True,  # noqa: E731
                                    stdout=subprocess.DEVNULL)
    run("init", "--ward", "Bench")
    run("item", "add", "RICE", "--name", "Gạo", "--unit", "kg")
    run("location", "add", "KHO", "--name", "Kho")
    commands = [["--version"], ["stock"], ["cash"], ["history"]]
    times: list[list[float]] = [[] for _ in commands]
    try:
        for _ in range(args.repeat):
            for n, command in enumerate(commands):
                start = time.perf_counter()
                run(*command)
                times[n].append((time.perf_counter() - start) * 1000)
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            for (table,) in conn.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE "
                                         "%s", (f"aid_{ward}\\_%",)).fetchall():
                conn.execute(f'DROP TABLE "{table}" CASCADE')
    base = statistics.median(times[0])
    for command, measured in zip(commands, times):
        median = statistics.median(measured)
        print(f"aid {' '.join(command):<12} {median:7.0f} ms  ({median / base:.2f}× --version)")


if __name__ == "__main__":
    main()
