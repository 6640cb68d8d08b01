"""The stock board on a 360 px phone (issue 23, item 3): every page laid out in headless
Chromium inside a 360-px-wide frame fits it (no sideways scrolling, inner tables included:
wide tables become stacked cards), every link is a tap target of at least 44 px, and each page
shows one clock (the ward's) and figures of one date. Skips, saying why, without Chromium."""

from __future__ import annotations

import json
import re
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape, unescape
from urllib.parse import parse_qs, quote

from tests.commands.test_print_e2e import BROWSER, needs_chromium
from tests.conftest import wsgi_server

PAGES = ["/stock", "/cash", "/rounds", "/round/R1", "/shops", "/shop/SHOP0D",
         "/shop/SHOP0D?on=2021-11-22", "/statement"]

# The page under test in a 360 px frame (headless Chromium's own window is never narrower than
# 500 px); once laid out, the frame's document is measured: its scroll width, the right edge of
# its widest element (a table scrolling inside a box counts), the shortest link.
FRAME = """<!doctype html><html><body style="margin:0">
<iframe id="phone" src="{page}" style="width:360px;height:800px;border:0"></iframe>
<script>document.getElementById("phone").addEventListener("load", function () {{
  var page = this.contentDocument, root = page.documentElement, widest = 0, links = [];
  page.querySelectorAll("body *").forEach(function (el) {{
    var box = el.getBoundingClientRect();
    if (box.width > 0) widest = Math.max(widest, box.right);
  }});
  page.querySelectorAll("a").forEach(function (a) {{
    var box = a.getBoundingClientRect();
    links.push([a.textContent, Math.round(box.height), Math.round(box.width)]);
  }});
  document.body.insertAdjacentHTML("beforeend", "<pre id=measure></pre>");
  document.getElementById("measure").textContent = JSON.stringify(
    {{scroll: root.scrollWidth, width: root.clientWidth, widest: widest, links: links,
      text: page.body.innerText}});
}});</script></body></html>"""


@contextmanager
def board(ledger) -> Iterator[str]:
    """The board on a waitress server in this process, plus `/phone?page=P`: P in the frame."""
    from commands.web.app import Board
    from ledger.store.access import locate

    served = Board(locate(environ=ledger.env))

    def app(environ, start):
        if environ["PATH_INFO"] != "/phone":
            return served(environ, start)
        page = parse_qs(environ["QUERY_STRING"])["page"][0]
        start("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [FRAME.format(page=escape(page)).encode()]

    with wsgi_server(app) as url:
        yield url


def measure(url: str, path: str, profile) -> dict:
    from commands.output.printing import chromium_command

    dom = subprocess.run(
        chromium_command(BROWSER, profile, "--hide-scrollbars", "--dump-dom",
                         f"{url}/phone?page={quote(path)}"),
        capture_output=True, text=True, timeout=120, check=True).stdout
    found = re.search(r'<pre id="measure">(.*?)</pre>', dom, re.S)
    assert found, dom[-500:]
    return json.loads(unescape(found.group(1)))


@needs_chromium
def test_every_board_page_fits_a_360_px_phone_with_thumb_sized_links(sqlite_ledger, tmp_path):
    sqlite_ledger.drive(whole=True)
    with board(sqlite_ledger) as url:
        for lang in ("vi", "en"):
            for path in PAGES:
                asked = f"{path}{'&' if '?' in path else '?'}lang={lang}"
                seen = measure(url, asked, tmp_path / "profile")
                assert seen["width"] == 360, asked
                assert seen["scroll"] <= 360, (asked, seen["scroll"])
                assert seen["widest"] <= 361, (asked, seen["widest"])
                short = [link for link in seen["links"] if link[1] < 44 or link[2] < 44]
                assert not short, (asked, short)
                assert seen["links"], asked  # the navigation is there to be tapped


@needs_chromium
def test_a_donors_search_fits_a_360_px_phone(sqlite_ledger, tmp_path):
    """/saoke, where a donor checks their transfer on their own phone: the found transfer,
    where its cash went, and the page with nothing asked or nothing found."""
    from tests.projections.test_bank import _mbvcb, write_vcb

    ward = sqlite_ledger.drive(whole=True)
    ward("bank", "account", "add", "VCB1", "--bank", "Vietcombank", "--number", "1029990042",
         "--name", "UBMTTQ PHUONG 3", "--on", "2021-11-01")
    statement = tmp_path / "s.csv"
    write_vcb(statement, "1029990042", [
        {"date": "2021-11-02", "credit": 500_000, "debit": 0, "ref": "5243.00042",
         "text": _mbvcb("NGUYEN VAN AN", "Nguyen Van An ung ho dong bao", 1)}])
    ward("bank", "import", "VCB1", str(statement))
    ward("bank", "accept", "5243.00042", "--donor", "DNT")
    with board(ward) as url:
        for lang in ("vi", "en"):
            for path in ("/saoke?ref=5243.00042", "/saoke", "/saoke?ref=NOTHING"):
                asked = f"{path}{'&' if '?' in path else '?'}lang={lang}"
                seen = measure(url, asked, tmp_path / "profile")
                assert seen["scroll"] <= 360 and seen["widest"] <= 361, (asked, seen)
                assert not [link for link in seen["links"] if link[1] < 44 or link[2] < 44]
        assert "NGUYEN V** A*" in measure(url, "/saoke?ref=5243.00042&lang=vi",
                                          tmp_path / "profile")["text"]


@needs_chromium
def test_the_measure_catches_a_table_that_runs_off_the_edge(sqlite_ledger, tmp_path,
                                                           monkeypatch):
    """Adversarial: with the phone styles gone (a wide table in a sideways-scrolling box, as
    the board had), the same measure fails the round's page."""
    from commands.output import pages

    def wide(*args: object, **kwargs: object) -> str:
        css = real(*args, **kwargs)
        return css[:css.index("@media screen and (max-width: 600px)")] + \
            css[css.index("@media print"):]

    real = pages.style
    monkeypatch.setattr(pages, "style", wide)
    sqlite_ledger.drive(whole=True)
    with board(sqlite_ledger) as url:
        seen = measure(url, "/statement?lang=vi", tmp_path / "profile")
    assert seen["widest"] > 361


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=60) as answer:
        return answer.read().decode()


def test_one_clock_on_every_page_the_wards(sqlite_ledger):
    """Every time a page shows is on the ward's clock and says so ("giờ Việt Nam" in
    Vietnamese, the zone's name in English); no UTC beside it. A ward that recorded another
    zone gets that one. The date comes before the time everywhere: the computed footer read
    "00:34:46, 08/12/2026" beside the statement's "08/12/2026 00:34"."""
    sqlite_ledger.drive(whole=True)
    zone = r"\((Asia/[A-Za-z_]+|UTC|Etc/\w+)\)|giờ (Việt Nam|UTC|[A-Za-z_]+/[A-Za-z_]+)"
    with board(sqlite_ledger) as url:
        for path in PAGES:
            for lang, clock in (("vi", {("", "Việt Nam")}), ("en", {("Asia/Ho_Chi_Minh", "")})):
                text = fetch(f"{url}{path}{'&' if '?' in path else '?'}lang={lang}")
                assert set(re.findall(zone, text)) == clock, (path, lang)
                assert not re.search(r"\d\d:\d\d(:\d\d)?, \d", text), (path, lang)
        statement = fetch(f"{url}/statement?lang=vi")
        times = re.findall(r"\d\d/\d\d/\d{4} (\d\d:\d\d)(?::\d\d)? giờ Việt Nam", statement)
        assert len(times) >= 2 and len(set(times)) == 1, times  # printed and computed: the
        # same minute, one clock
    sqlite_ledger("timezone", "Asia/Bangkok")
    with board(sqlite_ledger) as url:
        assert "(Asia/Bangkok)" in fetch(f"{url}/stock")
        assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d giờ Asia/Bangkok",
                         fetch(f"{url}/stock?lang=vi"))


def test_the_shop_page_shows_every_figure_as_of_its_day(sqlite_ledger):
    """`?on=` dates the pick-ups and the stock and voucher figures alike: the JSON is the
    command's `--as-of` that day; asking two different days at once is refused."""
    ward = sqlite_ledger.drive(whole=True)
    that_day = ward("shop", "report", "SHOP0D", "--as-of", "21/11/2021", "--format", "json").json()
    today = ward("shop", "report", "SHOP0D", "--format", "json").json()
    assert that_day["vouchers"] != today["vouchers"]  # the demo's figures move after that day
    with board(ward) as url:
        shown = json.loads(fetch(f"{url}/shop/SHOP0D?on=21/11/2021&format=json"))
        assert shown["vouchers"] == that_day["vouchers"]
        assert shown["stock"] == that_day["stock"]
        try:
            fetch(f"{url}/shop/SHOP0D?on=21/11/2021&as_of=22/11/2021")
            raise AssertionError("two days on one page were not refused")
        except urllib.error.HTTPError as error:
            assert error.code == 400  # a query it cannot read, not a page that is not there
