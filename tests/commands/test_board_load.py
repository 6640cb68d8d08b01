"""The stock board under load (issue #22, finding 7): phones on a bad network hold connections
open without asking for anything; the board must go on answering everyone else. 500 idle
connections are opened and held, then 50 clients ask for pages at once: each must get the
right page within a generous bound (no timing is asserted beyond "answered at all")."""

from __future__ import annotations

import json
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.commands.test_serve import demo, fetch, serving

IDLE, ACTIVE = 500, 50


def _enough_descriptors(needed: int) -> None:
    """Raise this process's descriptor limit (the server inherits it) or skip politely."""
    try:
        import resource
    except ImportError:  # Windows: no such limit to raise
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            pytest.skip(f"the OS allows {hard} open files per process; this test needs {needed}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def test_fifty_clients_are_served_while_five_hundred_idle_connections_are_held(sqlite_ledger):
    _enough_descriptors(IDLE + ACTIVE + 256)
    demo(sqlite_ledger)
    expected = sqlite_ledger("cash", "--format", "json").json()
    with serving(sqlite_ledger) as (url, proc):
        host, port = url.split("//")[1].rstrip("/").split(":")
        idle = []
        try:
            for _ in range(IDLE):  # phones that connected and then went quiet
                idle.append(socket.create_connection((host, int(port)), timeout=30))

            def client(number: int) -> tuple[int, object]:
                status, _headers, body = fetch(f"{url}cash?format=json")
                return status, json.loads(body) if status == 200 else body

            with ThreadPoolExecutor(ACTIVE) as pool:
                answers = list(pool.map(client, range(ACTIVE)))
        finally:
            for connection in idle:
                connection.close()
        assert proc.poll() is None, "the board stopped"
    assert [status for status, _ in answers] == [200] * ACTIVE
    assert all(page == expected for _, page in answers)


def test_an_idle_connection_does_not_keep_its_socket_for_ever(sqlite_ledger):
    """Honest side of the same setting: the board still drops a connection that never asks
    (its channel timeout), so held sockets cannot pile up without bound."""
    from commands.web.serve import server_settings

    settings = server_settings()
    assert settings["connection_limit"] >= IDLE + ACTIVE
    assert 0 < settings["channel_timeout"] <= 300
    assert settings["threads"] >= 4
