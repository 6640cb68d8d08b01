"""The house rules of docs/architecture.md, read off the code itself (issue #21): one-way flow
(`commands` → `ledger`, `commands` → `projections` → `ledger`), and the back ends named only by
the stores (`ledger/store/` for a ward's ledger, `ledger/district/` for the district's
PostgreSQL database)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BACK_ENDS = {"psycopg", "psycopg_pool", "PostgresEventLog", "SqliteEventLog",
             "ledger.store.chained_postgres", "ledger.store.chained_sqlite"}
STORES = ("ledger/store/", "ledger/district/")


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imported(path: Path) -> set[str]:
    """Every module and name a file imports (at any depth: lazy imports count too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(alias.name for alias in node.names)
    return names


def named(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize(("package", "forbidden"), [
    ("ledger", ("projections", "commands")), ("projections", ("commands",))])
def test_the_flow_runs_one_way(package, forbidden):
    upward = {named(path): sorted(name for name in imported(path)
                                  if name.split(".")[0] in forbidden)
              for path in modules(package)}
    assert {path: names for path, names in upward.items() if names} == {}


def test_only_the_stores_name_a_back_end():
    """Commands and projections reach either back end through the stores' readers; a module
    that imported psycopg or a back end's event log would tie the read side to one of them."""
    found = {named(path): sorted(imported(path) & BACK_ENDS)
             for package in ("ledger", "projections", "commands") for path in modules(package)
             if not named(path).startswith(STORES)}
    assert {path: names for path, names in found.items() if names} == {}


def test_the_check_would_see_a_back_end_named(tmp_path):
    """The honest counterpart: the reader of imports finds a lazy import inside a function."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from ledger.store.access import PostgresEventLog\n")
    assert "PostgresEventLog" in imported(sample) & BACK_ENDS
