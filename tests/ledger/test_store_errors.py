"""Writers retry when another writer holds the lock, told by the database's code, not its words."""

from __future__ import annotations

import sqlite3

import pytest

from ledger.store.errors import busy


def wrapped(error: Exception) -> Exception:
    """As the event-sourcing library raises it: its own error, caused by the driver's."""
    try:
        raise RuntimeError(str(error)) from error
    except RuntimeError as outer:
        return outer


def sqlite_error(path, sql: str) -> sqlite3.OperationalError:
    holder = sqlite3.connect(path, isolation_level=None, timeout=0)
    holder.execute("CREATE TABLE IF NOT EXISTS t (x)")
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        with pytest.raises(sqlite3.OperationalError) as caught:
            other.execute(sql)
        return caught.value
    finally:
        holder.execute("ROLLBACK")


def test_another_writers_lock_is_busy(tmp_path):
    assert busy(wrapped(sqlite_error(tmp_path / "a.db", "BEGIN IMMEDIATE")))


def test_other_failures_are_not_busy_whatever_they_say(tmp_path):
    assert not busy(wrapped(sqlite_error(tmp_path / "a.db", "SELECT * FROM nothing")))
    assert not busy(RuntimeError("database is locked"))  # words alone decide nothing

    class Deadlock(Exception):
        sqlstate = "40P01"

    class Syntax(Exception):
        sqlstate = "42601"

    assert busy(wrapped(Deadlock("deadlock detected")))
    assert not busy(wrapped(Syntax("database busy near SELECT")))
