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
from commands.cli.main import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def modules(*args: str, env: dict | None = None, packages: bool = True) -> set[str]:
    """The packages (or, with packages=False, every module) one `aid ARGS` run imports."""
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], cwd=ROOT,
                            capture_output=True, text=True, env=env)
    loaded = json.loads(result.stderr.strip().splitlines()[-1])
    return {m.split(".")[0] for m in loaded} if packages else set(loaded)


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("stock", "--help")])
def test_help_and_version_import_no_event_store_nor_tabulate(args):
    loaded = modules(*args)
    assert "eventsourcing" not in loaded and "tabulate" not in loaded and "psycopg" not in loaded
    assert "cryptography" not in loaded  # signing keys are read only by commands that sign
    assert "waitress" not in loaded  # the stock board's server: `aid serve` only
    assert not modules(*args, packages=False) & {"projections.store", "projections.books"}


def test_reading_reports_does_not_import_the_event_store(sqlite_ledger):
    sqlite_ledger("init", "--ward", "Phường 3")
    import os

    env = {**os.environ, **sqlite_ledger.env}
    for args in (("stock", "--format", "json"), ("cash", "--format", "json"),
                 ("history", "--format", "json")):
        assert "eventsourcing" not in modules(*args, env=env)


def test_a_hand_out_on_an_unsigned_ledger_loads_no_signing_nor_claims(sqlite_ledger):
    """Every write asks whether the ledger signs; one that does not need not load the keyring,
    the seals, the receipt claims or the cryptography library."""
    import os

    sqlite_ledger.drive()
    env = {**os.environ, **sqlite_ledger.env}
    before = len(sqlite_ledger("history", "--format", "json").json())
    loaded = modules("give", "TT01", "--from", "KHO", "--item", "RICE=1", env=env,
                     packages=False)
    assert len(sqlite_ledger("history", "--format", "json").json()) == before + 1
    assert not loaded & {"ledger.trust.keyring", "ledger.trust.seals", "ledger.store.claims", "cryptography"}


def test_a_command_builds_only_itself_and_help_still_lists_every_command(capsys):
    """typer would make all ~95 commands into click commands at every start (about 80 ms);
    `aid` builds the one it runs (commands/cli/command_tree.py). Help lists every command, in
    the order they were registered, each with its help in the reader's language."""
    import typer.main

    from commands.cli.main import app

    group = typer.main.get_command(app)  # a fresh tree, as a new process has
    assert group.commands.built == {}
    assert group.main(["--version"], standalone_mode=False) == 0
    assert group.commands.built == {}
    assert group.main(["stock", "--help"], standalone_mode=False) == 0
    assert set(group.commands.built) == {"stock"}
    assert group.main(["--lang", "vi", "--help"], standalone_mode=False) == 0
    listed = capsys.readouterr().out
    assert set(group.commands.built) == set(group.commands) >= {"init", "give", "round", "bank"}
    assert "Tồn kho theo từng kho" in listed  # stock's help, built before Vietnamese was chosen
    assert list(group.commands)[:3] == ["init", "timezone", "donate"]


def test_a_command_imports_only_the_modules_it_needs(sqlite_ledger):
    """Each command's module is imported when that command runs (commands/cli/main.py's TREE):
    `aid stock` loads its own module, not the bank's, the rounds' or the auditor's."""
    import os

    sqlite_ledger("init", "--ward", "Phường 3")
    env = {**os.environ, **sqlite_ledger.env}
    others = {"commands.bank", "commands.households.rounds", "commands.audit.auditor",
              "commands.district", "commands.recording.importing", "commands.households.shop"}
    stock = modules("stock", "--format", "json", env=env, packages=False)
    assert "commands.reports.books" in stock and not stock & others
    assert not modules("--version", packages=False) & {*others, "commands.reports.books"}
    assert {"commands.households.recipients", "commands.recording.declare",
            "commands.households.privacy"} <= modules("recipient", "--help", packages=False)


def test_a_district_report_loads_neither_the_witness_nor_the_writers(sqlite_ledger, district):
    """The district's reports read its stored models: none of sync's witness (Merkle trees,
    checkpoints, keys), and no event store."""
    import os

    sqlite_ledger.drive()
    sqlite_ledger("ward", "code", "P1")
    sqlite_ledger("sync", "--to", district)
    env = {**os.environ, **sqlite_ledger.env}
    loaded = modules("district", "stock", "--url", district, "--format", "json", env=env,
                     packages=False)
    assert "ledger.district.models" in loaded
    assert not loaded & {"ledger.district.witness", "ledger.store.tree", "eventsourcing",
                         "projections.audit.statement", "cryptography"}


CONNECTIONS = """
import json, sys
import psycopg
opened = []
connect = psycopg.Connection.connect
def counting(cls, *args, **kwargs):
    opened.append(1)
    return connect.__func__(cls, *args, **kwargs)
psycopg.Connection.connect = classmethod(counting)
psycopg.connect = psycopg.Connection.connect
sys.argv = ["aid", *json.loads(sys.argv[1])]
from commands.cli.main import main
try:
    main()
except SystemExit as done:
    code = done.code
print(json.dumps([code, len(opened)]), file=sys.stderr)
"""


@pytest.fixture(scope="module")
def postgres_ward():
    """One PostgreSQL ward with rice in its store, for the connection counts."""
    import uuid

    from conftest import PG_SKIP, PG_URL, Ledger, _env, drop_ward_tables

    if not PG_URL:
        pytest.skip(PG_SKIP)
    code = f"t{uuid.uuid4().hex[:12]}"
    ward = Ledger(_env(AID_DATABASE_URL=PG_URL, AID_WARD=code), "postgres")
    ward("init", "--ward", "Phường 3", "--on", "2021-11-01")
    ward("item", "add", "RICE", "--name", "Gạo", "--unit", "kg")
    ward("location", "add", "KHO", "--name", "Kho phường")
    ward("donor", "add", "D1", "--name", "Công ty Gạo Việt")
    ward("recipient", "add", "H1", "--name", "Nguyễn Văn A", "--group", "Tổ 1")
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=10")
    yield ward
    drop_ward_tables(f"aid_{code}")


@pytest.mark.parametrize("args", [("stock",), ("history", "--format", "json"),
                                  ("give", "H1", "--from", "KHO", "--item", "RICE=1"),
                                  ("donate", "D1", "--into", "KHO", "--cash", "5000")])
def test_a_postgresql_command_connects_once(postgres_ward, args):
    """Issue 27: one connection per command. The library's pool opened a second one when the
    first request came before its first connection was ready, and a write's summary line
    opened a third to read back what was written."""
    import os

    ward = postgres_ward
    result = subprocess.run([sys.executable, "-c", CONNECTIONS, json.dumps(args)], cwd=ROOT,
                            capture_output=True, text=True, env={**os.environ, **ward.env})
    code, connections = json.loads(result.stderr.strip().splitlines()[-1])
    assert (code, connections) == (0, 1), result.stderr
