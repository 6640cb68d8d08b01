"""Start-up stays near typer's own: help and version import neither the event store nor
tabulate, and reading reports never imports the event store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json, sys
sys.argv = ["aid", *json.loads(sys.argv[1])]
from commands.main import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})), file=sys.stderr)
"""


def modules(*args: str, env: dict | None = None) -> set[str]:
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], cwd=ROOT,
                            capture_output=True, text=True, env=env)
    return set(json.loads(result.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("stock", "--help")])
def test_help_and_version_import_no_event_store_nor_tabulate(args):
    loaded = modules(*args)
    assert "eventsourcing" not in loaded and "tabulate" not in loaded and "psycopg" not in loaded
    assert "cryptography" not in loaded  # signing keys are read only by commands that sign
    assert "waitress" not in loaded  # the stock board's server: `aid serve` only


def test_reading_reports_does_not_import_the_event_store(sqlite_ledger):
    sqlite_ledger("init", "--ward", "Phường 3")
    import os

    env = {**os.environ, **sqlite_ledger.env}
    for args in (("stock", "--format", "json"), ("cash", "--format", "json"),
                 ("history", "--format", "json")):
        assert "eventsourcing" not in modules(*args, env=env)
