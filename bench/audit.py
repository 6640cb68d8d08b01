"""How fast the audit commands read a ledger: prints events/s for each (no assertions).

    .venv/bin/python bench/audit.py [EVENTS]      # default 2000 hand-outs and donations

Builds a ledger through the write API (with its chain of links), then times verify, check,
reconcile, trace and the statement over it, reading the store as the commands do.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from ledger.privacy.details import Sealer
from ledger.privacy.ward_key import KeyFile
from ledger.store.access import Address, open_ledger, open_log
from projections.audit.check import check
from projections.audit.reconcile import reconcile
from projections.audit.statement import statement
from projections.audit.tamper import verify
from projections.audit.trace import donation, trace_donation
from projections.events import ward_events


def build(path: Path, events: int) -> float:
    ledger = open_ledger(Address(path=path), create=True)
    ledger.sealer = Sealer(KeyFile.create(path.with_suffix(".key")))  # names sealed
    day, actor = "2021-11-01", "bench"
    ledger.init("Bench", day, actor)
    ledger.add_item("RICE", "Gạo", "kg", 15_000, day, actor)
    ledger.add_location("KHO", "Kho", "store", day, actor)
    ledger.add_donor("D", "Donor", False, day, actor)
    for n in range(50):
        ledger.add_recipient(f"H{n}", f"Hộ {n}", f"Tổ {n % 12}", 3, 3, None, day, actor)
    start = time.perf_counter()
    for n in range(events // 2):
        ledger.donate("D", "KHO", 1000, {"RICE": 10}, None, None, day, actor)
        ledger.give(f"H{n % 50}", "KHO", {}, {"RICE": 5}, 500, day, actor)
    elapsed = time.perf_counter() - start
    ledger.close()
    return elapsed


def timed(label: str, count: int, work) -> None:
    start = time.perf_counter()
    work()
    elapsed = time.perf_counter() - start
    print(f"{label:<28} {elapsed:7.2f} s  {count / elapsed:10,.0f} events/s")


def main() -> None:
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        elapsed = build(path, events)
        print(f"{'write (one save per fact)':<28} {elapsed:7.2f} s  "
              f"{events / elapsed:10,.0f} events/s (chain links included)")
        log = open_log(Address(path=path))
        total = log.head()
        timed("verify (chain)", total, lambda: verify(log.stored(), log.links()))
        stored = list(ward_events(log.stored()))
        timed("check", total, lambda: check(stored))
        timed("reconcile", total, lambda: reconcile(stored))
        timed("trace (one donation)", total,
              lambda: donation(trace_donation(iter(stored), 56), 56))
        timed("statement", total, lambda: statement(stored))
        log.close()


if __name__ == "__main__":
    main()
