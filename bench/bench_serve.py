"""50 volunteers' phones on the stock board for 30 s while a treasurer records (issue 15).

Builds the demo ledger (SQLite, and PostgreSQL when AID_TEST_DATABASE_URL is set), starts
`aid serve --port 0` as its own process, and runs CLIENTS threads that fetch the board's pages
in turn (stock, cash, round, shop, statement; HTML and JSON, both languages) for SECONDS, while a
treasurer records one transfer of 1 kg after another. Every answer must be 200, and every stock
JSON must agree with its own event count (see tests/commands/test_serve.py): a page that mixed two
moments of the ledger would not.

    .venv/bin/python bench/bench_serve.py                 # 50 clients, 30 s, SQLite (+ PG)
    .venv/bin/python bench/bench_serve.py --seconds 5     # a quick look
    .venv/bin/python bench/bench_serve.py --no-writes     # nobody records: pages are reused

Prints requests, errors, requests/s and latency percentiles per backend. Figures go in
bench/RESULTS.md; they are not asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.commands.test_serve import demo, serving  # noqa: E402
from tests.conftest import Ledger, _env, drop_ward_tables  # noqa: E402

PATHS = ["stock?format=json", "stock?lang=vi", "cash?lang=en", "round/R1?lang=vi",
         "shop/SHOP0D?format=json", "statement?lang=vi", "rounds", "cash?format=json"]


def run(ledger: Ledger, clients: int, seconds: float, writes: bool = True) -> dict[str, object]:
    from commands.recording.writing import refresh
    from ledger.store.access import locate, open_ledger

    demo(ledger)
    where = locate(environ=ledger.env)
    stocked = open_ledger(where)  # enough rice at KHO for a treasurer who never stops
    try:
        stocked.donate("MEKONG", "KHO", 0, {"RICE": 100_000}, "PT-BENCH", None, "2021-11-29", "b")
    finally:
        stocked.close()
    stop, written = threading.Event(), []

    def treasurer() -> None:
        writer = open_ledger(where)
        try:
            while writes and not stop.is_set():
                written.append(writer.transfer("KHO", "SHOP0D", {"RICE": 1}, "2021-11-30", "b"))
                refresh(where, lag=10)
                time.sleep(0.05)  # a brisk treasurer: about 15 entries a second
        finally:
            writer.close()

    with serving(ledger) as (url, _):
        first = json.loads(_get(url + "stock?format=json")[2])["stock"]
        base = {r["location"]: r["quantity"] for r in first if r["item"] == "RICE"}
        events0 = int(_get(url + "stock?format=json")[1]["X-Aid-Events"])

        def client(n: int) -> tuple[list[float], list[str]]:
            times, problems, until, turn = [], [], time.monotonic() + seconds, n
            while time.monotonic() < until:
                path = PATHS[turn % len(PATHS)]
                turn += 1
                began = time.perf_counter()
                try:
                    code, headers, body = _get(url + path)
                except OSError as error:
                    problems.append(f"{path}: {error}")
                    continue
                times.append(time.perf_counter() - began)
                if code != 200:
                    problems.append(f"{path}: {code}")
                elif path == "stock?format=json":
                    moved = int(headers["X-Aid-Events"]) - events0
                    rice = {r["location"]: r["quantity"] for r in json.loads(body)["stock"]
                            if r["item"] == "RICE"}
                    if rice != {"KHO": base["KHO"] - moved, "SHOP0D": base["SHOP0D"] + moved}:
                        problems.append(f"mixed state: {moved} moved, {rice}")
            return times, problems

        writer = threading.Thread(target=treasurer)
        writer.start()
        began = time.monotonic()
        with ThreadPoolExecutor(clients) as pool:
            results = list(pool.map(client, range(clients)))
        took = time.monotonic() - began
        stop.set()
        writer.join()
    times = sorted(t for found, _ in results for t in found)
    problems = [p for _, found in results for p in found]
    return {"requests": len(times), "errors": len(problems), "first_errors": problems[:5],
            "per_second": round(len(times) / took, 1), "entries_recorded": len(written),
            "p50_ms": round(statistics.median(times) * 1000, 1),
            "p95_ms": round(times[int(len(times) * 0.95)] * 1000, 1),
            "max_ms": round(times[-1] * 1000, 1)}


def _get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:
            return answer.status, dict(answer.headers), answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--no-writes", dest="writes", action="store_false",
                        help="no treasurer: every phone asks of the same events")
    args = parser.parse_args()
    os.environ.setdefault("AID_LANG", "en")
    with tempfile.TemporaryDirectory() as keys:
        if not os.environ.get("AID_KEY_FILE"):  # the demo seals households' names with it
            from ledger.privacy.ward_key import KeyFile

            KeyFile.create(Path(keys) / "ward.key")
            os.environ["AID_KEY_FILE"] = str(Path(keys) / "ward.key")
        measure(args)


def measure(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        sqlite = Ledger(_env(AID_DB=str(Path(folder) / "aid.db"), AID_ACTOR="bench"), "sqlite")
        found = run(sqlite, args.clients, args.seconds, args.writes)
        print("sqlite", json.dumps(found), flush=True)
    url = os.environ.get("AID_TEST_DATABASE_URL")
    if url:
        ward = f"b{uuid.uuid4().hex[:12]}"
        try:
            postgres = Ledger(_env(AID_DATABASE_URL=url, AID_WARD=ward, AID_ACTOR="bench"),
                              "postgres")
            found = run(postgres, args.clients, args.seconds, args.writes)
            print("postgres", json.dumps(found), flush=True)
        finally:
            drop_ward_tables(f"aid_{ward}")


if __name__ == "__main__":
    main()
