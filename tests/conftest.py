"""Fixtures: a real ledger on a real SQLite file, and on the real PostgreSQL when configured.

Every test that uses `ledger` runs once per backend. PostgreSQL runs when AID_TEST_DATABASE_URL
is set (`.ci/run` sets it to the local server); otherwise those runs skip and say how to enable
them.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.cli import invoke

# Property tests run on two busy workers and on slow laptops: time is no failure (no deadline,
# no "too slow" health check), and a failure prints the blob that reproduces it.
settings.register_profile("aid", deadline=None, suppress_health_check=[HealthCheck.too_slow],
                          print_blob=True)
# CI (`.ci/run` sets HYPOTHESIS_PROFILE=ci): the same examples on every run, so a red build
# replays on any machine; a developer's runs keep exploring new ones.
settings.register_profile("ci", parent=settings.get_profile("aid"), derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "aid"))

PG_URL = os.environ.get("AID_TEST_DATABASE_URL")
PG_SKIP = ("PostgreSQL tests need a server: set AID_TEST_DATABASE_URL="
           "postgresql://postgres@127.0.0.1:5432/test (as .ci/run does) to run them")


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    """Tests read English unless they ask for another language: the machine's locale must not
    decide (tests of the language choice set AID_LANG, LANG or --lang themselves)."""
    monkeypatch.setenv("AID_LANG", "en")


@pytest.fixture(autouse=True)
def _own_folders(monkeypatch, tmp_path_factory):
    """Each test has its own settings file and user folders (`aid init` writes there), so no
    setting leaks between tests or from the machine; `aid init` declares no signing key
    unless a test asks (tests of signing declare theirs; tests/commands/test_first_day.py the default)."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("AID_CONFIG", str(home / "config" / "aid-ledger" / "config.toml"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("AID_INIT_SIGN", "0")


@pytest.fixture(autouse=True, scope="session")
def _session_key(tmp_path_factory) -> Iterator[Path]:
    """Households are sealed with a ward key (AID_KEY_FILE), as a treasurer's are: one for the
    session, set before any fixture builds a ledger (module-scoped demos too)."""
    from ledger.privacy.ward_key import KeyFile

    path = tmp_path_factory.mktemp("session-key") / "ward.key"
    KeyFile.create(path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AID_KEY_FILE", str(path))
        patch.delenv("AID_DISTRICT_KEY_FILE", raising=False)
        home = tmp_path_factory.mktemp("session-home")  # module-scoped ledgers: not the user's
        patch.setenv("AID_CONFIG", str(home / "config.toml"))
        patch.setenv("XDG_CONFIG_HOME", str(home / "config"))
        patch.setenv("XDG_DATA_HOME", str(home / "data"))
        patch.setenv("AID_INIT_SIGN", "0")
        yield path


@pytest.fixture
def ward_key(monkeypatch, tmp_path_factory) -> Path:
    """A fresh ward key of this test's own (tests that forget households or compare keys)."""
    from ledger.privacy.ward_key import KeyFile

    path = tmp_path_factory.mktemp("key") / "ward.key"
    KeyFile.create(path)
    monkeypatch.setenv("AID_KEY_FILE", str(path))
    return path


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@dataclass
class Ledger:
    """A ledger under test, driven through the CLI exactly as a user would."""

    env: dict[str, str]
    backend: str
    path: Path | None = None

    def __call__(self, *args: str, ok: bool = True) -> Result:
        result = invoke(args, env=self.env, catch_exceptions=False)
        outcome = Result(result.exit_code, result.stdout, result.stderr)
        if ok and result.exit_code != 0:
            raise AssertionError(f"aid {' '.join(map(str, args))} failed "
                                 f"({result.exit_code}): {result.stderr}")
        return outcome

    def fails(self, *args: str) -> Result:
        return self(*args, ok=False)

    def entry(self, *args: str) -> int:
        """Run a recording command and return the entry id it printed."""
        return int(self(*args).out.split()[-1])

    def drive(self, whole: bool = False) -> "Ledger":
        """Record the demo drive's fixed core (commands.recording.demo.build_drive) in this ledger;
        `whole`: the whole demo, with its 0 đồng shop and round R1 (commands.recording.demo.build)."""
        from commands.recording.demo import build, build_drive
        from ledger.store.access import locate, open_ledger

        writer = open_ledger(locate(environ=self.env), create=True)
        try:
            (build if whole else build_drive)(writer)
        finally:
            writer.close()
        return self

    def snapshot(self) -> list:
        """Every stored event row, to prove that a refusal wrote nothing."""
        from ledger.store.access import locate, open_log

        log = open_log(locate(environ=self.env))
        try:
            return list(log.stored())
        finally:
            log.close()


def _env(**extra: str) -> dict[str, str]:
    env = {"AID_ACTOR": "tester", "AID_DB": "", "AID_DATABASE_URL": "", "AID_WARD": ""}
    env.update(extra)
    return env


@pytest.fixture(params=["sqlite", "postgres"])
def ledger(request, tmp_path) -> Iterator[Ledger]:
    """An empty ledger location (not yet initialised) on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "aid.db"
        yield Ledger(_env(AID_DB=str(path)), "sqlite", path)
        return
    if not PG_URL:
        pytest.skip(PG_SKIP)
    ward = f"t{uuid.uuid4().hex[:12]}"
    yield Ledger(_env(AID_DATABASE_URL=PG_URL, AID_WARD=ward), "postgres")
    drop_ward_tables(f"aid_{ward}")


@pytest.fixture
def sqlite_ledger(tmp_path) -> Ledger:
    path = tmp_path / "aid.db"
    return Ledger(_env(AID_DB=str(path)), "sqlite", path)


def drop_ward_tables(prefix: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE %s",
                              (prefix + "\\_%",)).fetchall()
        for (table,) in tables:
            conn.execute(f'DROP TABLE IF EXISTS "{table}" CASCADE')


@pytest.fixture
def ward(ledger: Ledger) -> Ledger:
    """A ward with rice, noodles, a store, a 0 đồng shop, a donor, two households, a bundle."""
    ledger("init", "--ward", "Phường 3", "--on", "2021-11-01")
    ledger("item", "add", "RICE", "--name", "Gạo", "--unit", "kg", "--value", "15000")
    ledger("item", "add", "NOODLE", "--name", "Mì gói", "--unit", "case", "--value", "100000")
    ledger("location", "add", "KHO", "--name", "Kho phường")
    ledger("location", "add", "SHOP", "--name", "Siêu thị 0 đồng", "--kind", "shop")
    ledger("donor", "add", "D1", "--name", "Công ty Gạo Việt")
    ledger("recipient", "add", "H1", "--name", "Nguyễn Văn A", "--group", "Tổ 1", "--size", "4")
    ledger("recipient", "add", "H2", "--name", "Trần Thị B", "--group", "Tổ 2", "--size", "2",
           "--tier", "1")
    ledger("bundle", "define", "B350", "--name", "Phần quà 350.000 ₫", "--item", "RICE=10",
           "--item", "NOODLE=1", "--cash", "100000")
    return ledger


@pytest.fixture
def today(monkeypatch) -> date:
    """Freeze the day that commands default to when --on or --as-of is left out (30/11/2021,
    the seed drive's own month), so a test of that default passes on any day it runs."""
    import ledger.values.dates as dates

    frozen = date(2021, 11, 30)
    monkeypatch.setattr(dates, "today", lambda zone=None: frozen)
    return frozen


@pytest.fixture
def district() -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL database: a district's store for `aid sync`."""
    if not PG_URL:
        pytest.skip(PG_SKIP)
    import psycopg

    name = f"aid_district_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield PG_URL.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def wsgi_server(app) -> Iterator[str]:
    """A WSGI app on a waitress server in a thread of this process, at the URL yielded; closed
    afterwards (waitress has no stop: closing its socket ends the loop's select() with EBADF,
    which is the expected end here, not a failure)."""
    import threading

    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=2)
    closing = threading.Event()

    def run() -> None:
        try:
            server.run()
        except OSError:
            if not closing.is_set():
                raise

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        closing.set()
        server.close()
        thread.join(timeout=5)
