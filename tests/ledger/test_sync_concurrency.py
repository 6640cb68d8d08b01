"""Sync under stress: wards syncing at once, and a sync killed (SIGKILL) mid-way, 20 times.

Whatever happens, the district's copy of a ward is always a prefix of the ward's ledger, row
for row and link for link (nothing lost in between, nothing doubled), and a later sync
completes it.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import PG_SKIP, PG_URL, Ledger, _env

from ledger.store.access import Address, open_ledger, open_log
from tests.ledger.test_sync import copy_of, make_ward, rows_of

pytestmark = pytest.mark.skipif(not PG_URL, reason=PG_SKIP)
ROOT = Path(__file__).resolve().parents[2]
EXTRA = 100  # donations on top of the demo core: about 160 rows per ward


def donations(ledger) -> None:
    for n in range(EXTRA):
        ledger.donate("MTTQ", "KHO", 1_000 + n, {}, None, None, "2021-11-23", "t")


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A ward ledger without a code yet; each test copies it and gives each copy its code."""
    return make_ward(tmp_path_factory.mktemp("base") / "base.db", None, donations).path


def coded_copy(base: Path, path: Path, code: str, district: str) -> Ledger:
    """A copy of `base` as ward `code`. Copies are one ledger (one identity) and a ledger is
    one ward at the district, so the district first admits this copy under its new code: its
    sync then sets the copy synced under the previous code aside (the same transaction as
    everything a sync's kill may cut)."""
    from ledger.trust.identity import of_log

    shutil.copy(base, path)
    writer = open_ledger(Address(path=path))
    try:
        writer.set_code(code, "2021-11-24", "tester")
    finally:
        writer.close()
    ward = Ledger(_env(AID_DB=str(path)), "sqlite", path)
    log = open_log(Address(path=path))
    try:
        ward("district", "admit", code, "--identity", of_log(log), "--url", district)
    finally:
        log.close()
    return ward


def start_sync(ward: Ledger, url: str, batch: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "commands", "sync", "--to", url, "--batch",
                             str(batch)], cwd=ROOT, env={**os.environ, **ward.env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_four_wards_sync_at_once(district, tmp_path):
    wards = [make_ward(tmp_path / f"w{n}.db", f"W{n}", donations) for n in range(4)]
    # four wards, and ward W0 from two processes at once (one waits for the other's batches)
    procs = [start_sync(ward, district, 20) for ward in [*wards, wards[0]]]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert "Traceback" not in err
    for n, ward in enumerate(wards):
        assert copy_of(district, f"W{n}") == rows_of(Address(path=ward.path))


def test_a_killed_sync_resumes_to_the_same_result(district, base, tmp_path):
    rng = random.Random(14)
    cut_short = 0
    for trial in range(20):
        code = f"K{trial}"
        ward = coded_copy(base, tmp_path / f"k{trial}.db", code, district)
        whole = rows_of(Address(path=ward.path))
        proc = start_sync(ward, district, 8)
        watchdog = threading.Timer(120, proc.kill)  # bounded even if a sync hung
        watchdog.start()
        for _ in range(rng.randint(1, 20)):  # let some batches commit, then kill
            if not proc.stdout.readline():
                break
        time.sleep(rng.uniform(0, 0.02))
        proc.kill()
        proc.communicate(timeout=60)
        watchdog.cancel()
        held = copy_of(district, code)
        assert held == whole[:len(held)]  # a prefix: nothing lost in between, nothing doubled
        cut_short += len(held) < len(whole)
        ward("sync", "--to", district)
        assert copy_of(district, code) == whole
    assert cut_short >= 10  # the kills did land mid-sync


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> Path:
    """A ward of about 1,000 rows without a code: large enough that a kill lands mid-copy."""
    def more(ledger) -> None:
        for n in range(450):
            ledger.donate("MTTQ", "KHO", 1_000 + n, {"RICE": 1}, None, None, "2021-11-23", "t")
            if n % 3 == 0:
                ledger.give(f"H{n % 6 + 1:02d}", "KHO", {}, {"RICE": 1}, 0, "2021-11-24", "t")
    return make_ward(tmp_path_factory.mktemp("large") / "large.db", None, more).path


def _wait_for_first_batch(district: str, code: str, proc) -> None:
    """Until the district registers the ward (its first batch committed) or the sync ends."""
    import psycopg

    with psycopg.connect(district, autocommit=True) as conn:
        while proc.poll() is None:
            if conn.execute("SELECT to_regclass('aid_sync_wards')").fetchone()[0] and \
                    conn.execute("SELECT count(*) FROM aid_sync_wards WHERE code = %s",
                                 (code,)).fetchone()[0]:
                return
            time.sleep(0.002)


def test_a_sync_killed_at_any_moment_leaves_nothing_or_a_prefix(district, large, tmp_path):
    """Issue #22, finding 6: killed at a random moment from its very start (creating the
    ward's tables and registry row included), a sync leaves either nothing at all of the ward
    or a prefix of it, and the next sync completes with the ward's own figures."""
    import psycopg

    rng = random.Random(22)
    timed = coded_copy(large, tmp_path / "timed.db", "T0", district)
    began = time.monotonic()
    proc = start_sync(timed, district, 50)
    proc.communicate(timeout=300)
    whole_sync = time.monotonic() - began  # the kills fall within one whole sync's time
    outcomes = {"nothing": 0, "prefix": 0, "whole": 0}
    for trial in range(20):
        code = f"F{trial}"
        ward = coded_copy(large, tmp_path / f"f{trial}.db", code, district)
        whole = rows_of(Address(path=ward.path))
        proc = start_sync(ward, district, 50)
        if trial % 4 == 3:  # kill right after its first batch commits: a prefix, surely
            _wait_for_first_batch(district, code, proc)
        else:
            time.sleep(rng.uniform(0, whole_sync))
        proc.kill()
        proc.communicate(timeout=60)
        with psycopg.connect(district) as conn:
            registered = conn.execute("SELECT count(*) FROM aid_sync_wards WHERE code = %s",
                                      (code,)).fetchone()[0]
            tables = conn.execute("SELECT to_regclass(%s)", (f"aid_{code.lower()}_events",)
                                  ).fetchone()[0]
        if not registered:
            assert tables is None  # no tables without their registry row: nothing at all
            outcomes["nothing"] += 1
        else:
            held = copy_of(district, code)
            assert held == whole[:len(held)]  # nothing lost in between, nothing doubled
            outcomes["whole" if len(held) == len(whole) else "prefix"] += 1
        ward("sync", "--to", district)
        assert copy_of(district, code) == whole
        cash = ward("district", "cash", "--url", district, "--format", "json").json()
        assert cash[code] == ward("cash", "--format", "json").json()
        stock = ward("district", "stock", "--url", district, "--format", "json").json()
        assert [row for row in stock if row["ward"] == code] == [
            {"ward": code, **row} for row in ward("stock", "--format", "json").json()]
    assert outcomes["nothing"] >= 1 and outcomes["prefix"] >= 1, outcomes
