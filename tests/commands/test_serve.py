"""`aid serve`: the stock board, on a real server (waitress, a free loopback port) over the demo
ledger on SQLite and PostgreSQL. Every page in both languages and as JSON; the JSON is the
command line's `--format json`, byte for byte where nothing else differs; nothing is written, no
household name is served, and readers never see half of a write."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from commands.web.board import hide
from tests.conftest import wsgi_server
from tests.projections.test_audit_statement import NAMES

ROOT = Path(__file__).resolve().parents[2]


def demo(ledger):
    """The whole demo (drive, 0 đồng shop, round R1) recorded in `ledger`."""
    return ledger.drive(whole=True)


@contextmanager
def serving(ledger, *args: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """`aid serve --port 0` in its own process; yields its URL once it listens, and the
    process; once stopped, `proc.said` is what it wrote on stderr (a file, not a pipe: a pipe
    nobody reads could fill and stall the server)."""
    import tempfile

    with tempfile.TemporaryFile("w+") as errors:
        proc = subprocess.Popen([sys.executable, "-m", "commands", "serve", "--port", "0", *args],
                                cwd=ROOT, env={**os.environ, **ledger.env}, text=True,
                                stdout=subprocess.PIPE, stderr=errors)
        try:
            line = proc.stdout.readline()
            found = re.search(r"http://[\d.]+:\d+/", line)
            errors.seek(0)
            assert found, f"no URL in {line!r}; stderr: {errors.read()}"
            yield found.group(0), proc
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            errors.seek(0)
            proc.said = errors.read()


def fetch(url: str, **headers: str) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


# (path, English text, Vietnamese text) that each page must show: figures as the CLI has them
PAGES = [
    ("stock", ["Stock", "Gạo (RICE)", ">278<", "Bundles that can still be packed"],
     ["Tồn kho", "Gạo (RICE)", ">278<", "Số phần quà còn đóng được"]),
    ("cash", ["Cash book", "22,400,000 VND", "25,000,000 VND"],
     ["Sổ quỹ", "22.400.000\xa0₫", "25.000.000\xa0₫"]),
    ("rounds", ["Round R1", "from KHO on 22 Nov 2021"], ["Đợt phát R1", "từ KHO ngày 22/11/2021"]),
    ("round/R1", ["13 of 14 households received", "<td>H04</td>", "not yet"],
     ["13 trên 14 hộ đã nhận", "<td>H04</td>", "chưa nhận"]),
    ("shops", ["Siêu thị 0 đồng khu phố 2 (SHOP0D)"], ["Siêu thị 0 đồng khu phố 2 (SHOP0D)"]),
    ("shop/SHOP0D?on=2021-11-22", ["Pick-ups on 22 Nov 2021", "120,000 VND", ">48<"],
     ["Lượt nhận hàng ngày 22/11/2021", "120.000\xa0₫", ">48<"]),
    ("statement", ["Public statement (công khai) — Phường 3", "22,400,000 VND"],
     ["Công khai", "22.400.000\xa0₫"]),
]


def test_every_page_in_both_languages_and_as_the_commands_json(ledger):
    demo(ledger)
    cli = {name: ledger(*args, "--format", "json").out for name, args in (
        ("stock", ("stock",)), ("packable", ("bundle", "packable")), ("cash", ("cash",)),
        ("round", ("round", "status", "R1")), ("shop", ("shop", "report", "SHOP0D", "--as-of", "22/11/2021")),
        ("statement", ("audit", "statement")), ("digest", ("audit", "digest")))}
    events = json.loads(cli["digest"])["events"]  # every page says how many it was made from
    with serving(ledger) as (url, _):
        served = {path.split("?")[0]: _json(url, path, events) for path, *_ in PAGES}
        for path, english, vietnamese in PAGES:
            _shows(url, path, english, vietnamese, events)
        assert json.loads(cli["digest"])["head"] in fetch(f"{url}statement")[2]
        _negotiates(url)
        back_then = json.loads(fetch(f"{url}stock?as_of=17/11/2021&at=KHO&format=json")[2])
    assert back_then == {
        "stock": ledger("stock", "--as-of", "17/11/2021", "--at", "KHO", "--format", "json").json(),
        "packable": ledger("bundle", "packable", "--as-of", "17/11/2021", "--at", "KHO",
                           "--format", "json").json()}
    assert back_then["stock"] and back_then["stock"] != json.loads(served["stock"])["stock"]
    assert served["cash"] == cli["cash"] and served["round/R1"] == cli["round"]  # byte for byte
    assert json.loads(served["stock"]) == {"stock": json.loads(cli["stock"]),
                                           "packable": json.loads(cli["packable"])}
    shop = json.loads(cli["shop"])
    for pick in shop["pickups"]:
        pick["voucher"] = hide(pick["voucher"])
    assert json.loads(served["shop/SHOP0D"]) == shop and "***-***-" in served["shop/SHOP0D"]
    board, printed = json.loads(served["statement"]), json.loads(cli["statement"])
    board["digest"].pop("taken"), printed["digest"].pop("taken")
    assert board == printed
    assert json.loads(served["rounds"]) == [
        {"round": "R1", "location": "KHO", "on": "2021-11-22", "closed": None}]
    assert json.loads(served["shops"]) == [{"shop": "SHOP0D", "name": "Siêu thị 0 đồng khu phố 2"}]


def _json(url: str, path: str, events: int) -> str:
    """A page's JSON, asked for both ways; it carries the ledger's event count."""
    joiner = "&" if "?" in path else "?"
    code, headers, body = fetch(f"{url}{path}{joiner}format=json")
    assert code == 200 and headers["Content-Type"] == "application/json", path
    untimed = re.compile(r'"taken": "[^"]*"')  # the statement's digest says when it was taken
    again = fetch(f"{url}{path}", Accept="application/json")[2]
    assert untimed.sub("", again) == untimed.sub("", body)
    assert headers["X-Aid-Events"] == str(events)
    assert not [name for name in NAMES if name in body], path
    return body


def _shows(url: str, path: str, english: list[str], vietnamese: list[str], events: int) -> None:
    """The page in each language: its figures, the event count, the refresh, nothing fetched
    from elsewhere, no household's name."""
    joiner = "&" if "?" in path else "?"
    for lang, texts in (("en", english), ("vi", vietnamese)):
        code, headers, page = fetch(f"{url}{path}{joiner}lang={lang}")
        assert code == 200 and headers["Content-Language"] == lang, path
        for text in texts:
            assert text in page, (path, lang, text)
        assert '<meta http-equiv="refresh" content="30">' in page
        assert f"<td>{events}</td>" in page  # the event count
        assert not re.search(r"(src|href)=\"(https?:)?//|<script|<link", page), path
        for name in NAMES:
            assert name not in page, (path, name)


def _negotiates(url: str) -> None:
    """Without ?lang the browser's Accept-Language decides; ?lang wins over it."""
    def language(path: str, accept: str) -> str:
        return fetch(f"{url}{path}", **{"Accept-Language": accept})[1]["Content-Language"]

    assert language("cash", "vi-VN,vi;q=0.9,en;q=0.8") == "vi"
    assert language("cash?lang=en", "vi") == "en"
    assert language("cash", "fr") == "en"


def test_refusals_are_one_line_and_nothing_is_written(ledger):
    ward = ledger
    ward("init", "--ward", "Phường 3")
    ward("location", "add", "KHO", "--name", "Kho phường")
    ward("location", "add", "SHOP", "--name", "Siêu thị 0 đồng", "--kind", "shop")
    before = ward.snapshot()
    with serving(ward) as (url, _):
        code, _, body = fetch(f"{url}round/NOPE?format=json")
        assert code == 404 and json.loads(body) == {
            "error": "unknown round 'NOPE' (open one with `aid round open`)"}
        code, _, body = fetch(f"{url}shop/KHO?format=json&lang=vi")
        assert code == 404 and "không phải siêu thị 0 đồng" in json.loads(body)["error"]
        assert fetch(f"{url}stock?as_of=31/02/2021")[0] == 400
        assert fetch(f"{url}shop/SHOP?on=garbage")[0] == 400  # the query, not the shop
        assert fetch(f"{url}shop/NOPE")[0] == 404
        for at, said in (("NOPE", "unknown location"), ("%00", "invisible character")):
            code, _headers, page = fetch(f"{url}stock?at={at}")  # echoed as a place before
            assert code == 400 and "\x00" not in page and said in page, page
        assert fetch(f"{url}nowhere")[0] == 404
        request = urllib.request.Request(f"{url}stock", data=b"x", method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 405
        assert fetch(f"{url}stock")[0] == 200
        head = urllib.request.Request(f"{url}stock", method="HEAD")
        with urllib.request.urlopen(head, timeout=10) as answer:
            assert answer.status == 200 and answer.read() == b""
    assert ward.snapshot() == before


def test_no_ledger_and_a_busy_port_are_one_line_and_exit_2(sqlite_ledger, tmp_path):
    import socket

    missing = sqlite_ledger.fails("serve", "--port", "0", "--db", str(tmp_path / "none.db"))
    assert missing.code == 2 and missing.err.startswith("aid: no ledger at")
    sqlite_ledger("init", "--ward", "Phường 3")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = sqlite_ledger.fails("serve", "--port", str(taken.getsockname()[1]))
        vietnamese = sqlite_ledger.fails("--lang", "vi", "serve", "--port",
                                         str(taken.getsockname()[1]))
    assert busy.code == 2 and busy.err.startswith("aid: cannot listen on 127.0.0.1:")
    assert "another program already uses that port; choose another --port" in busy.err
    assert len(busy.err.strip().splitlines()) == 1
    assert vietnamese.code == 2 and "Address already in use" not in vietnamese.err
    assert "cổng" in vietnamese.err and len(vietnamese.err.strip().splitlines()) == 1
    for host in ("999.1.1.1", "no-such-host.invalid"):  # waitress said so in a traceback
        nowhere = sqlite_ledger.fails("serve", "--port", "0", "--host", host)
        assert nowhere.code == 2 and nowhere.err == (f"aid: cannot listen on {host}:0: this "
                                                     "computer has no such address; choose "
                                                     "another --port or --host\n")


def test_other_hosts_only_when_asked_and_with_a_warning(sqlite_ledger):
    sqlite_ledger("init", "--ward", "Phường 3")
    with serving(sqlite_ledger) as (url, proc):
        assert url.startswith("http://127.0.0.1:")
    assert proc.said == ""
    with serving(sqlite_ledger, "--host", "0.0.0.0") as (url, proc):
        assert fetch(url.replace("0.0.0.0", "127.0.0.1"))[0] == 200
    warning = proc.said
    assert len(warning.splitlines()) == 1
    assert warning.startswith("aid: warning: the stock board is open to the network at 0.0.0.0")


CLIENTS, SECONDS = 50, 3  # bench/bench_serve.py runs the same for 30 s


def test_fifty_clients_while_a_treasurer_records_see_whole_writes_only(ledger):
    """Each transfer moves 1 kg from KHO to SHOP0D as one event: in every answer the event
    count and both stocks must agree, or the page mixed two moments."""
    from commands.recording.writing import refresh
    from ledger.store.access import locate, open_ledger

    ledger.drive()
    where = locate(environ=ledger.env)
    base = {row["location"]: row["quantity"] for row in ledger("stock", "--format", "json").json()
            if row["item"] == "RICE"}
    stop, written = threading.Event(), []

    def treasurer() -> None:
        writer = open_ledger(where)
        try:
            while not stop.is_set() and len(written) < 150:
                written.append(writer.transfer("KHO", "SHOP0D", {"RICE": 1}, "2021-11-30", "t"))
                refresh(where, lag=10)  # the stored read models are rewritten meanwhile
        finally:
            writer.close()

    with serving(ledger) as (url, _):
        first = int(fetch(f"{url}stock?format=json")[1]["X-Aid-Events"])

        def client(_n: int) -> list[str]:
            problems, until = [], time.monotonic() + SECONDS
            while time.monotonic() < until:
                code, headers, body = fetch(f"{url}stock?format=json")
                if code != 200:
                    problems.append(f"{code} {body[:80]}")
                    continue
                moved = int(headers["X-Aid-Events"]) - first
                rice = {r["location"]: r["quantity"] for r in json.loads(body)["stock"]
                        if r["item"] == "RICE"}
                if rice != {"KHO": base["KHO"] - moved, "SHOP0D": base["SHOP0D"] + moved}:
                    problems.append(f"{moved} moved but {rice}")
            return problems

        writer = threading.Thread(target=treasurer)
        writer.start()
        with ThreadPoolExecutor(CLIENTS) as pool:
            problems = [p for found in pool.map(client, range(CLIENTS)) for p in found]
        stop.set()
        writer.join()
    assert problems == []
    assert written, "the treasurer recorded nothing while the board was read"


PHONE = """<!doctype html><html><body style="margin:0">
<iframe id="phone" src="{page}" style="width:360px;height:800px;border:0"></iframe>
<script>document.getElementById("phone").addEventListener("load", function () {{
  var page = this.contentDocument, root = page.documentElement;
  document.body.insertAdjacentHTML("beforeend", "<pre id=measure></pre>");
  document.getElementById("measure").textContent = JSON.stringify(
    {{scroll: root.scrollWidth, width: root.clientWidth, text: page.body.innerText}});
}});</script></body></html>"""


@contextmanager
def phone_frame(ledger) -> Iterator[str]:
    """The board on a waitress server in this process, plus a test-only `/phone?page=P` that
    shows page P in a 360-px-wide frame (headless Chromium's window is never narrower than
    500 px) and writes down how wide P laid out and what text it shows."""
    from html import escape
    from urllib.parse import parse_qs

    from commands.web.app import Board
    from ledger.store.access import locate

    board = Board(locate(environ=ledger.env))

    def app(environ, start):
        if environ["PATH_INFO"] != "/phone":
            return board(environ, start)
        page = parse_qs(environ["QUERY_STRING"])["page"][0]
        start("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [PHONE.format(page=escape(page)).encode()]

    with wsgi_server(app) as url:
        yield url + "/"


from tests.commands.test_print_e2e import BROWSER, needs_chromium  # noqa: E402


@needs_chromium
def test_pages_fit_a_360_px_phone_in_chromium(sqlite_ledger, tmp_path):
    from html import unescape
    from urllib.parse import quote

    from commands.output.printing import chromium_command

    demo(sqlite_ledger)
    with phone_frame(sqlite_ledger) as url:
        for path, texts in (("/stock?lang=vi", ["Tồn kho", "Gạo (RICE)", "278", "Tính lúc"]),
                            ("/stock?lang=en", ["Stock", "Gạo (RICE)", "278", "Computed"]),
                            ("/statement?lang=vi", ["Công khai", "22.400.000"])):
            dom = subprocess.run(
                chromium_command(BROWSER, tmp_path / "profile", "--hide-scrollbars",
                                 "--dump-dom", f"{url}phone?page={quote(path)}"),
                capture_output=True, text=True, timeout=120, check=True).stdout
            found = re.search(r'<pre id="measure">(.*?)</pre>', dom, re.S)
            assert found, dom[-500:]
            seen = json.loads(unescape(found.group(1)))
            assert seen["width"] == 360 and seen["scroll"] <= 360, (path, seen["scroll"])
            for text in texts:
                assert text in seen["text"].replace("\xa0", " "), (path, text)


def test_phones_refreshing_together_cost_one_computation():
    from commands.web.recent import Recent

    recent, calls, gate = Recent(ttl=60), [], threading.Event()

    def compute() -> int:
        gate.wait(5)
        calls.append(1)
        return len(calls)

    with ThreadPoolExecutor(20) as pool:
        answers = [pool.submit(recent.get, ("stock", 84), compute) for _ in range(20)]
        gate.set()
    assert {a.result() for a in answers} == {1} and len(calls) == 1
    assert recent.get(("stock", 85), compute) == 2  # one more event: computed anew
    assert Recent(ttl=0).get("k", compute) == 3  # kept no longer than its ttl


def test_a_lost_database_connection_costs_one_answer(ledger):
    """On PostgreSQL each server thread keeps its connection; when the database drops it the
    request says so in one line (503) and the next one connects afresh."""
    if ledger.backend != "postgres":
        pytest.skip("SQLite is opened afresh for every request")
    from commands.web.app import Board
    from ledger.store.access import locate

    ledger("init", "--ward", "Phường 3")
    board = Board(locate(environ=ledger.env))

    def get() -> tuple[str, bytes]:
        said = {}
        body = b"".join(board({"REQUEST_METHOD": "GET", "PATH_INFO": "/cash",
                               "QUERY_STRING": "format=json"},
                              lambda status, headers: said.update(status=status)))
        return said["status"], body

    assert get()[0] == "200 OK"
    board._thread.log.connection.close()  # as when the server restarts
    status, body = get()
    assert status.startswith("503") and len(body.decode().strip().splitlines()) == 1
    assert get() == ("200 OK", ledger("cash", "--format", "json").out.encode())


def test_a_browser_naming_none_of_our_languages_gets_the_boards_own(ledger):
    """`aid serve --lang vi` (or AID_LANG=vi): a phone asking for French, or a client sending
    no Accept-Language, reads Vietnamese; ?lang and the phone's own choice still win."""
    from commands.language import words
    from commands.web.app import Board
    from ledger.store.access import locate

    ledger("init", "--ward", "Phường 3", "--on", "2021-11-01")
    before = words.current()
    words.activate("vi")  # as `aid serve --lang vi` does before it builds the board
    try:
        board = Board(locate(environ=ledger.env))
    finally:
        words.activate(before)
    with wsgi_server(board) as url:
        def language(path: str, **headers: str) -> str:
            return fetch(f"{url}/{path}", **headers)[1]["Content-Language"]

        assert language("cash") == "vi" and language("cash", **{"Accept-Language": "fr"}) == "vi"
        assert language("cash", **{"Accept-Language": "en-GB,en;q=0.9"}) == "en"
        assert language("cash?lang=en", **{"Accept-Language": "vi"}) == "en"


def test_the_stock_page_shows_what_rounds_hold(sqlite_ledger):
    """From a sweep: the page showed bundles on hand that a round had reserved, as if free."""
    ward = sqlite_ledger
    ward.drive()
    ward("round", "open", "R9", "--from", "KHO", "--item", "RICE", "--ration", "RICE=5")
    plan = ward("round", "plan", "R9", "--format", "json").json()
    ward("round", "reserve", "R9", "--plan", plan["plan"])
    held = [row for row in ward("stock", "--format", "json").json() if row["reserved"]]
    assert held
    with serving(ward) as (url, _):
        code, _, page = fetch(f"{url}stock?lang=vi")
    assert code == 200 and "giữ chỗ" in page and "sẵn có" in page


def test_the_stock_page_marks_low_stock_as_aid_stock_does(sqlite_ledger):
    """From a sweep: `aid stock` said "GAO … dưới 300", the page showed no mark though its JSON
    said `low`. The page marks it too, and shows no such column when no minimum is set."""
    ward = sqlite_ledger
    ward.drive()
    with serving(ward) as (url, _):
        code, _, page = fetch(f"{url}stock?lang=vi")
    assert code == 200 and "dưới" not in page and ">thiếu<" not in page.lower()
    ward("item", "threshold", "RICE", "--at", "KHO", "--min", "300")
    low = [row for row in ward("stock", "--format", "json").json() if row["low"]]
    assert [(row["location"], row["item"]) for row in low] == [("KHO", "RICE")]
    assert "below 300" in ward("stock").out
    with serving(ward) as (url, _):
        code, _, page = fetch(f"{url}stock?lang=vi")
        _, _, english = fetch(f"{url}stock?lang=en")
    assert code == 200 and page.count("dưới 300") == 1 and english.count("below 300") == 1
