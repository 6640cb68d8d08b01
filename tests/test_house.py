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


DIALECT = {"is_postgres", "paramstyle"}  # a store's attributes that say which back end it is


def asked(path: Path) -> set[str]:
    """The attributes a file reads (`x.is_postgres`), at any depth."""
    return {node.attr for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Attribute)}


def test_only_the_stores_branch_on_a_back_end():
    """Outside the stores, no module asks which back end it reads (a dialect's placeholder, or
    whether it is PostgreSQL): the store decides, and says what it decided
    (`Address.opens_cheaply`, `NodeCheck.of`)."""
    found = {named(path): sorted(asked(path) & DIALECT)
             for package in ("ledger", "projections", "commands") for path in modules(package)
             if not named(path).startswith(STORES)}
    assert {path: names for path, names in found.items() if names} == {}


def test_the_check_would_see_a_branch_on_a_back_end(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f(log):\n    return '?' if not log.address.is_postgres else '%s'\n")
    assert asked(sample) & DIALECT == {"is_postgres"}


def test_the_check_would_see_a_back_end_named(tmp_path):
    """The honest counterpart: the reader of imports finds a lazy import inside a function."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from ledger.store.access import PostgresEventLog\n")
    assert "PostgresEventLog" in imported(sample) & BACK_ENDS


def module_graph(root: Path) -> dict[str, set[str]]:
    """Each module of `ledger`, `projections` and `commands` under `root` -> the modules of
    those packages it imports, at any depth (lazy imports too), leaving out imports only for
    type checkers (`if TYPE_CHECKING:`), which never run."""
    files = {".".join(p.relative_to(root).with_suffix("").parts).removesuffix(".__init__"): p
             for package in ("ledger", "projections", "commands")
             for p in (root / package).rglob("*.py")}

    def owner(name: str) -> str | None:
        while name and name not in files:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):  # drop what only type checkers read
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                node.body = []
        names = [f"{node.module}.{a.name}" for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module for a in node.names]
        names += [a.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                  for a in node.names]
        graph[module] = {found for name in names if (found := owner(name)) not in (None, module)}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import each other, directly or around a loop."""
    reach = {module: set() for module in graph}
    for start in graph:
        todo = list(graph[start])
        while todo:
            module = todo.pop()
            if module not in reach[start]:
                reach[start].add(module)
                todo.extend(graph.get(module, ()))
    groups = {frozenset(m for m in reach[start] if start in reach[m]) for start in graph}
    return sorted(sorted(group) for group in groups if len(group) > 1)


def test_no_modules_import_each_other():
    """Issue 21: a loop of imports (the ward's rounds importing the application that imports
    them, paper and shop importing each other) makes a module impossible to read, test or
    move alone."""
    assert cycles(module_graph(ROOT)) == []


def test_the_loop_check_would_see_a_lazy_loop(tmp_path):
    """The adversarial counterpart: a loop closed by an import inside a function is found;
    one closed only for type checkers is not."""
    (tmp_path / "ledger").mkdir()
    (tmp_path / "ledger" / "a.py").write_text("from ledger.b import x\n")
    (tmp_path / "ledger" / "b.py").write_text("def f():\n    from ledger.a import y\n")
    (tmp_path / "ledger" / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ledger.d import z\n")
    (tmp_path / "ledger" / "d.py").write_text("from ledger.c import w\n")
    for package in ("projections", "commands"):
        (tmp_path / package).mkdir()
    assert cycles(module_graph(tmp_path)) == [["ledger.a", "ledger.b"]]


@pytest.mark.parametrize("package", ["ledger", "projections", "commands"])
def test_each_floor_shows_about_a_dozen_rooms(package):
    """Issue 21: a newcomer reads a floor's top at a glance; a new module joins a room (a
    folder) rather than the floor."""
    entries = sorted(p.name for p in (ROOT / package).iterdir() if p.name != "__pycache__")
    assert len(entries) <= 12, entries
