"""What a back end's error means: whether to try again, read from its codes, never from the
words of its message; and, for a refusal a user can cause, what to say.

PostgreSQL, SQLite and their drivers speak English ("connection to server at … failed: FATAL:
database "x" does not exist", "file is not a database"). The mistakes a ward can make in an
address or a file name (a server that is not running, a mistyped host, database or role, a file
that is not a ledger) are said again as one sentence (`refused`, a phrase the command line says
in the reader's language), naming what was typed; anything else keeps the database's own first
line after the same lead. Only here is a driver's message read.
"""

from __future__ import annotations

import re

from ledger.phrases import N_, Phrase

SQLITE_BUSY, SQLITE_LOCKED = 5, 6  # primary result codes (the low byte of an extended code)
POSTGRES_RETRY = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not free


def busy(error: BaseException) -> bool:
    """Whether a failed write met another writer's lock, so trying again may succeed: the
    library wraps the driver's error, which carries the database's own code."""
    cause = error.__cause__ or error
    code = getattr(cause, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED)
    return getattr(cause, "sqlstate", None) in POSTGRES_RETRY


def from_database(error: BaseException) -> bool:
    """Whether an error is a database's (or the event library's wrapping one): a refusal to
    say in one line, not a bug to show whole."""
    return type(error).__module__.startswith(("eventsourcing", "sqlite3", "psycopg"))


_SERVER = re.compile(r'connection to server (?:at "(?P<host>[^"]*)"(?: \([^)]*\))?, port '
                     r'(?P<port>\d+)|on socket "(?P<socket>[^"]*)")')

# (what the driver's message holds, what the reader is told); the first that matches is said
_CAUSES = (
    (re.compile(r"Connection refused|No such file or directory"),
     N_("nothing answers at {server}: is PostgreSQL running there, on that port?")),
    (re.compile(r"failed to resolve host '(?P<name>[^']*)'|could not translate host name "
                r'"(?P<name2>[^"]*)"'),
     N_("there is no computer named '{name}': check the host in the address")),
    (re.compile(r'database "(?P<name>[^"]*)" does not exist'),
     N_("the server at {server} has no database '{name}': check its name in the address, or "
        "ask the administrator to create it")),
    (re.compile(r'role "(?P<name>[^"]*)" does not exist'),
     N_("the server at {server} knows no user '{name}': check the user in the address")),
    (re.compile(r'(?:password|Ident|peer) authentication failed for user "(?P<name>[^"]*)"'),
     N_("the server at {server} did not accept user '{name}' (password or permission): check "
        "the address")),
    (re.compile(r"timeout expired|timed out"),
     N_("{server} did not answer in time: check the network and the address")),
    # SQLite, on the file --db or AID_DB names
    (re.compile(r"^file is not a database"),
     N_("the file is not a ledger (not an SQLite database): check --db or AID_DB")),
    (re.compile(r"^(?:unable to open database file|disk I/O error)"),
     N_("the ledger file cannot be opened or read (a folder, a missing folder, no permission, "
        "or a failing disk): check --db or AID_DB")),
)


def refused(error: BaseException) -> Phrase:
    """One line for a database error, as a phrase."""
    text = str(error).strip()
    first = text.splitlines()[0] if text else repr(error)
    server = _server(text)
    for pattern, sentence in _CAUSES:
        found = pattern.search(text)
        if found is not None:
            name = next((value for value in found.groupdict().values() if value), "")
            return Phrase(N_("aid: cannot use the database: {cause}"),
                          cause=Phrase(sentence, server=server, name=name))
    return Phrase(N_("aid: the database refused: {first}"), first=first)


def _server(text: str) -> str:
    found = _SERVER.search(text)
    if found is None:
        return "PostgreSQL"
    if found.group("socket"):
        return found.group("socket")
    return f"{found.group('host')}:{found.group('port')}"
