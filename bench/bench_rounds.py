"""How long `aid round plan` takes for a big ward, and how it grows (issue 3's speed target).

Builds SQLite ledgers through the real write API: N households (imported in one atomic write),
5 loose items and one bundle, stock for about half of what the households need, and a tiered
round over all of it. Then times the whole process `aid round plan R1`, as JSON and as the
default table (what a volunteer waits for), plus an in-process split (read+replay vs. allocation).

    .venv/bin/python bench/bench_rounds.py            # 1x, 2x, 4x of 20,000 households
    .venv/bin/python bench/bench_rounds.py --scales 1 # just the target size

Target: under 2 s at 1x (20,000 households × 5 items + 5,000 bundles) on one core; the table
under 1 s (issue 24).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ledger.privacy.details import Sealer  # noqa: E402
from ledger.privacy.ward_key import KeyFile  # noqa: E402
from ledger.store.access import Address, open_ledger, open_log  # noqa: E402
from ledger.ward.register import Row, import_rows  # noqa: E402
from ledger.ward.rounds import open_round  # noqa: E402
from projections.households.rounds import Drive, plan  # noqa: E402

HOUSEHOLDS = 20_000
BUNDLES = 5_000
ITEMS = {"RICE": (15_000, 5), "NOODLE": (4_000, 2), "OIL": (40_000, 1), "SAUCE": (10_000, 1),
         "MILK": (8_000, 1)}  # code: (value, ration per person)
A = "bench"


def build(path: Path, scale: int) -> None:
    """A ward of `scale` × 20,000 households with scarce stock and an open round R1."""
    rng = random.Random(scale)
    ledger = open_ledger(Address(path=path), create=True)
    ledger.sealer = Sealer(KeyFile.create(path.with_suffix(".key")))  # names sealed
    try:
        ledger.init("Phường Bench", "2021-11-01", A)
        for code, (value, _) in ITEMS.items():
            ledger.add_item(code, code, "unit", value, "2021-11-01", A)
        ledger.add_location("KHO", "Kho", "store", "2021-11-01", A)
        ledger.add_donor("D1", "Donor", False, "2021-11-01", A)
        ledger.define_bundle("B350", "Quà", {"RICE": 10, "NOODLE": 1}, 100_000, "2021-11-01", A)
        count = HOUSEHOLDS * scale
        rows = [Row(i, f"H{i:06d}", f"Hộ {i}", f"Tổ {i % 60 + 1}", rng.choice(SIZES),
                    rng.choice(TIERS), rng.random() < 0.03) for i in range(count)]
        import_rows(ledger, rows, dict, "bench.csv", "2021-11-02", A)
        people = sum(r.size for r in rows)
        bundles = BUNDLES * scale
        stock = {code: ration * people // 2 for code, (_, ration) in ITEMS.items()}
        stock["RICE"] += 10 * bundles
        stock["NOODLE"] += bundles
        ledger.donate("D1", "KHO", 100_000 * bundles, stock, None, None, "2021-11-03", A)
        ledger.pack("B350", bundles, "KHO", "2021-11-04", A)
        open_round(ledger, "R1", "KHO", ["B350"], list(ITEMS), "tiered", None, 4,
                   {code: ration for code, (_, ration) in ITEMS.items()}, [], [],
                   "2021-11-05", A)
    finally:
        ledger.close()


SIZES = [1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 6, 7, 9]
TIERS = [0, 1, 1, 2, 2, 2, 3, 3, 3, 3]


def whole_process(path: Path, runs: int = 3, fmt: str = "json") -> float:
    """Median wall time of `aid round plan R1 --format FMT` as a fresh process."""
    aid = Path(sys.executable).parent / "aid"
    command = [str(aid)] if aid.exists() else [sys.executable, "-m", "commands.cli.main"]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([*command, "round", "plan", "R1", "--format", fmt, "--db", str(path)],
                       check=True, stdout=subprocess.DEVNULL, cwd=ROOT,
                       env={**os.environ, "AID_DATABASE_URL": ""})
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def split(path: Path) -> tuple[float, float, int]:
    """In-process: seconds to read and replay the events, seconds to plan, allocation rows."""
    start = time.perf_counter()
    log = open_log(Address(path=path))
    try:
        drive = Drive.replay(log.read())
    finally:
        log.close()
    read = time.perf_counter() - start
    start = time.perf_counter()
    result = plan(drive, "R1")
    return read, time.perf_counter() - start, len(result["allocations"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--quick", action="store_true",
                        help="one ward of 500 households: that it still runs, for CI")
    args = parser.parse_args()
    if args.quick:
        global HOUSEHOLDS, BUNDLES
        HOUSEHOLDS, BUNDLES, args.scales = 500, 125, [1]
    print(f"{'households':>10} {'bundles':>8} {'events':>7} {'build s':>8} {'read s':>7} "
          f"{'plan s':>7} {'rows':>7} {'json s':>7} {'table s':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for scale in args.scales:
            path = Path(tmp) / f"bench{scale}.db"
            start = time.perf_counter()
            build(path, scale)
            built = time.perf_counter() - start
            read, planned, rows = split(path)
            log = open_log(Address(path=path))
            events = log.head()
            log.close()
            total, table = whole_process(path), whole_process(path, fmt="table")
            print(f"{HOUSEHOLDS * scale:>10,} {BUNDLES * scale:>8,} {events:>7,} {built:>8.1f} "
                  f"{read:>7.2f} {planned:>7.2f} {rows:>7,} {total:>7.2f} {table:>8.2f}",
                  flush=True)


if __name__ == "__main__":
    main()
