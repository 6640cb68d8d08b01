"""What the database said when it refused, in the reader's words.

PostgreSQL, SQLite and their drivers speak English ("connection to server at … failed: FATAL:
database "x" does not exist", "file is not a database"). The mistakes a ward can make in an
address or a file name (a server that is not running, a mistyped host, database or role, a file
that is not a ledger) are said again as one sentence in the reader's language, naming what was
typed; anything else keeps the database's own first line after the same lead.
"""

from __future__ import annotations

import re

from commands.language.words import N_, say

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


def refusal(error: BaseException) -> str:
    """One line for a database error, in the reader's language."""
    text = str(error).strip()
    first = text.splitlines()[0] if text else repr(error)
    server = _server(text)
    for pattern, sentence in _CAUSES:
        found = pattern.search(text)
        if found is not None:
            name = next((value for value in found.groupdict().values() if value), "")
            return say("aid: cannot use the database: {cause}",
                       cause=say(sentence, server=server, name=name))
    return say("aid: the database refused: {first}", first=first)


def _server(text: str) -> str:
    found = _SERVER.search(text)
    if found is None:
        return "PostgreSQL"
    if found.group("socket"):
        return found.group("socket")
    return f"{found.group('host')}:{found.group('port')}"
