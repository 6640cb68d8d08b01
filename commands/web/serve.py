"""`aid serve`: the stock board, read-only web pages over the ledger for volunteers' phones.

The pages are commands/web/board.py, the HTTP side commands/web/app.py; this module only starts the
server. waitress (a pure-Python, production-grade WSGI server, see docs/architecture.md) is
imported here and nowhere else, so no other command pays for it at start-up.
"""

from __future__ import annotations

from typing import Annotated

import typer

from commands.cli import options as o
from commands.language.words import say
from ledger.errors import BadInput
from ledger.phrases import N_, Phrase

LOOPBACK = "127.0.0.1"
THREADS = 8  # requests answered side by side; more wait in waitress's queue, none are dropped
# Phones on a weak network connect and then go quiet; an idle connection holds no thread, only
# a socket, but waitress stops accepting anyone once `connection_limit` sockets are open (100
# by default: 100 quiet phones took the board down). So: room for thousands of quiet phones,
# polled with poll() (select() cannot watch more than 1,024 sockets), and a quiet one dropped
# after CHANNEL_TIMEOUT seconds, checked every CLEANUP_INTERVAL.
CONNECTIONS = 4000
CHANNEL_TIMEOUT = 60
CLEANUP_INTERVAL = 10
SPARE_DESCRIPTORS = 64  # the ledger's files, the listening socket, the trigger pipe, logging

Host = Annotated[str, typer.Option(
    "--host", help="Address to listen on. Anything but 127.0.0.1 lets other machines on the "
                   "network read the board (no login; no household names are served).")]
Port = Annotated[int, typer.Option("--port", min=0, max=65535,
                                   help="Port to listen on (0: any free port).")]
Refresh = Annotated[int, typer.Option("--refresh", min=5, max=3600,
                                      help="Seconds between a page's automatic reloads.")]




def serve(host: Host = LOOPBACK, port: Port = 8000, refresh: Refresh = 30,
          db: o.Db = None) -> None:
    """Serve the stock board: stock, cash book, rounds, shops and the public statement as web
    pages for volunteers' phones (bảng tồn kho). Read-only; Ctrl+C stops it."""
    import logging
    import signal
    import sys

    from waitress.server import create_server

    from commands.web.app import Board
    from ledger.store.access import open_log

    address = o.address(db)
    open_log(address).close()  # no ledger here: say so now, not on every request
    try:
        server = create_server(Board(address, refresh), host=host, port=port,
                               ident="aid-ledger", **server_settings())
    except OSError as error:
        raise BadInput("cannot listen on {host}:{port}: {problem}; choose another --port or "
                       "--host", host=host, port=port, problem=_socket_problem(error)) from None
    except ValueError:  # waitress: "Invalid host/port specified" (no such name or address)
        raise BadInput("cannot listen on {host}:{port}: {problem}; choose another --port or "
                       "--host", host=host, port=port,
                       problem=Phrase(N_("this computer has no such address"))) from None
    if host != LOOPBACK:
        typer.echo(say("aid: warning: the stock board is open to the network at {host}: anyone "
                       "who can reach it may read stock, cash and codes (never names)",
                       host=host), err=True)
    typer.echo(say("serving the stock board of {ledger} at http://{host}:{port}/ (read-only; "
                   "Ctrl+C stops it)", ledger=address, host=server.effective_host,
                   port=server.effective_port))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop as on Ctrl+C: sockets closed
    # requests waiting for a free thread are expected when many phones refresh at once
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    server.run()


def server_settings() -> dict[str, object]:
    """waitress' settings for the board: as many open connections as the process may hold
    sockets for (its open-file limit raised to the hard limit first), up to CONNECTIONS."""
    descriptors = _raise_descriptor_limit(CONNECTIONS + SPARE_DESCRIPTORS)
    return {"threads": THREADS,
            "connection_limit": max(100, min(CONNECTIONS, descriptors - SPARE_DESCRIPTORS)),
            "channel_timeout": CHANNEL_TIMEOUT, "cleanup_interval": CLEANUP_INTERVAL,
            "asyncore_use_poll": True}


def _raise_descriptor_limit(wanted: int) -> int:
    """Raise the soft limit on open files towards `wanted` (never above the hard limit);
    returns the limit now in force. Windows has no such limit, but select() there watches
    at most 512 sockets (poll() does not exist)."""
    try:
        import resource
    except ImportError:
        return 512
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return wanted
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError):
        return soft
    return target


def _socket_problem(error: OSError) -> Phrase | str:
    """Why the board cannot listen, in the reader's language where the cause is a usual one
    (the operating system's own words are English whatever the treasurer reads)."""
    import errno

    known = {errno.EADDRINUSE: N_("another program already uses that port"),
             errno.EACCES: N_("this user may not open that port (ports below 1024 need an "
                              "administrator)"),
             errno.EADDRNOTAVAIL: N_("this computer has no such address")}
    return Phrase(known[error.errno]) if error.errno in known else error.strerror or str(error)
