"""Every benchmark still runs: each in a quick mode (tiny sizes, seconds), its figures unread.

Benchmarks rot unseen when only a person runs them; here CI runs each one end to end, so a
benchmark that ends in a traceback fails the build. The figures themselves are measured on a
quiet machine at full size and kept in bench/RESULTS.md; nothing here asserts a speed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PG_SKIP, PG_URL

ROOT = Path(__file__).resolve().parent.parent
QUICK = {  # script -> arguments that make it a matter of seconds
    "audit.py": ["300"],
    "bench_bank.py": ["--quick"],
    "bench_merkle.py": ["--quick"],
    "bench_district.py": ["--quick"],
    "bench_pg_startup.py": ["--repeat", "1"],
    "bench_receipt.py": ["--quick"],
    "bench_rounds.py": ["--quick"],
    "bench_scale.py": ["--quick"],
    "bench_serve.py": ["--clients", "2", "--seconds", "1"],
    "bench_signing.py": ["--events", "200"],
    "bench_sync.py": ["--events", "300", "--repeat", "1"],
}
NEEDS_POSTGRES = {"bench_sync.py", "bench_district.py", "bench_pg_startup.py"}


def test_every_benchmark_has_a_quick_mode():
    scripts = {path.name for path in (ROOT / "bench").glob("*.py")}
    assert scripts == set(QUICK), "give a new benchmark its quick arguments in QUICK"


@pytest.mark.parametrize("script", sorted(QUICK))
def test_benchmark_runs_to_the_end(script, tmp_path):
    if script in NEEDS_POSTGRES and not PG_URL:
        pytest.skip(PG_SKIP)
    env = {**os.environ, "AID_LANG": "en", "TMPDIR": str(tmp_path)}
    env.pop("AID_KEY_FILE", None)  # each benchmark makes what it needs, as on a clean machine
    done = subprocess.run([sys.executable, str(ROOT / "bench" / script), *QUICK[script]],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip(), "a benchmark prints its figures"
