"""Four processes hand out from the same store and item at once.

Every acknowledged entry is stored exactly once, the refusals are exactly the hand-outs that
would have overdrawn the stock, and stock never goes negative.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORKERS, EACH, STOCK = 4, 500, 1500


def test_four_writers_never_overdraw(ward, tmp_path):
    ward("donate", "D1", "--into", "KHO", "--item", f"RICE={STOCK}", "--on", "2021-11-10")
    for n in range(WORKERS):
        ward("recipient", "add", f"W{n}", "--name", f"Worker household {n}")
    env = {**os.environ, **ward.env}
    procs = [subprocess.Popen([sys.executable, "-m", "tests.workers.handouts",
                               str(tmp_path / f"w{n}.json"), str(EACH), f"W{n}"],
                              cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
             for n in range(WORKERS)]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        assert "Traceback" not in err

    results = [json.loads((tmp_path / f"w{n}.json").read_text()) for n in range(WORKERS)]
    acknowledged = [entry for r in results for entry in r["acknowledged"]]
    refused = [message for r in results for message in r["refused"]]
    assert len(acknowledged) == STOCK
    assert len(set(acknowledged)) == len(acknowledged)
    assert len(refused) == WORKERS * EACH - STOCK
    assert all(m.startswith("not enough RICE at KHO: 0 kg") for m in refused)

    gives = [line["id"] for line in ward("history", "--format", "json").json()
             if line["kind"] == "give"]
    assert sorted(gives) == sorted(acknowledged)
    running = ward("history", "--at", "KHO", "--item", "RICE", "--format", "json").json()
    assert min(line["balance"] for line in running) == 0
    assert ward("stock", "--format", "json").json() == []
