"""The stock board over HTTP: a plain WSGI application, served by waitress (commands/serve.py).

Each request opens the ledger read-only, reads one snapshot of it (`EventLog.snapshot`: a
request never sees half of what a treasurer is recording), builds its page with commands/board.py
and answers in the reader's language (`?lang=vi|en`, else the browser's Accept-Language) as
HTML, or as the command's JSON when asked (`?format=json`, or `Accept: application/json`).
Every answer says when it was computed and how many events the ledger held, in the page and in
the `X-Aid-Computed` and `X-Aid-Events` headers. No state is shared between requests, so any
number of server threads may run them side by side.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import parse_qsl

from ledger.errors import LedgerError
from ledger.storage import Address, open_log

from . import board
from . import language as lg
from .language import N_
from .pages import Note, page

Page = Callable[..., board.Answer]
ROUTES: list[tuple[re.Pattern[str], Page]] = [
    (re.compile(r"/(?:stock)?"), board.stock),
    (re.compile(r"/cash"), board.cash),
    (re.compile(r"/rounds"), board.rounds),
    (re.compile(r"/round/([^/]+)"), board.round_status),
    (re.compile(r"/shops"), board.shops),
    (re.compile(r"/shop/([^/]+)"), board.shop),
    (re.compile(r"/statement"), board.statement),
]
NAV = (("/stock", "stock"), ("/cash", "cash"), ("/rounds", "rounds"), ("/shops", "shops"),
       ("/statement", "statement"))
WORDS = {"computed": N_("Computed"), "events": N_("Events"),
         "not_found": N_("There is no page {path} on the stock board."),
         "unavailable": N_("The ledger cannot be read just now: {problem}"),
         "method": N_("The stock board only reads: use GET.")}
STYLE = """<style>
@media screen {
  body { margin: 0 auto; padding: 0.5em 0.6em 2em; max-width: 60em; font-size: 16px;
         box-sizing: border-box; }
  h1 { font-size: 1.25em; }
  .nav a { display: inline-block; margin: 0 0.9em 0.3em 0; }
  .wide { overflow-x: auto; max-width: 100%; }
  table.facts th { white-space: normal; }
}
</style>
"""

Start = Callable[[str, list[tuple[str, str]]], Any]


class Board:
    """The WSGI application: `Board(address)(environ, start_response)`."""

    def __init__(self, address: Address, refresh: int = 30) -> None:
        self.address, self.refresh = address, refresh

    def __call__(self, environ: dict[str, Any], start: Start) -> Iterable[bytes]:
        query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        lang = self._language(query, environ)
        wants_json = query.get("format") == "json" or _prefers_json(environ.get("HTTP_ACCEPT"))
        method = environ.get("REQUEST_METHOD", "GET")
        # WSGI gives the decoded path as latin-1 text; codes may be Vietnamese (UTF-8)
        path = (environ.get("PATH_INFO") or "/").encode("latin-1").decode("utf-8", "replace")
        if method not in ("GET", "HEAD"):
            return self._refuse(start, "405 Method Not Allowed", lang, wants_json,
                                lg.words(lang)(WORDS["method"]), [("Allow", "GET, HEAD")])
        found = _route(path)
        if found is None:
            text = board.Reading(None, lang).phrase(WORDS["not_found"], path=path)
            return self._refuse(start, "404 Not Found", lang, wants_json, text)
        build, args = found
        try:
            events, answer = self._read(build, board.Reading(None, lang, query), args)
        except LedgerError as error:  # an unknown round or shop, a malformed date
            status = "404 Not Found" if args else "400 Bad Request"
            return self._refuse(start, status, lang, wants_json,
                                error.text(lg.words(lang), lambda n: lg.number(n, lang)))
        except Exception as error:  # the database said no: locked, gone, server down
            if not type(error).__module__.startswith(("sqlite3", "psycopg")):
                raise
            problem = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            print(f"aid serve: {path}: {problem}", file=sys.stderr)
            text = board.Reading(None, lang).phrase(WORDS["unavailable"], problem=problem)
            return self._refuse(start, "503 Service Unavailable", lang, wants_json, text)
        computed = datetime.now().astimezone().replace(microsecond=0)
        if wants_json:
            body = (json.dumps(answer.data, ensure_ascii=False, indent=2) + "\n").encode()
            kind = "application/json"
        else:
            body = self._html(answer, lang, query, events, computed).encode()
            kind = "text/html; charset=utf-8"
        headers = [("X-Aid-Events", str(events)), ("X-Aid-Computed", computed.isoformat())]
        return _respond(start, "200 OK", kind, lang, body, method, headers)

    def _read(self, build: Page, reading: board.Reading,
              args: tuple[str, ...]) -> tuple[int, board.Answer]:
        """The event count and the page, both from one read-only snapshot of the ledger."""
        log = open_log(self.address)
        try:
            with log.snapshot():
                reading.log = log
                return log.count(), build(reading, *args)
        finally:
            log.close()

    @staticmethod
    def _language(query: dict[str, str], environ: dict[str, Any]) -> str:
        asked = lg.negotiate(query.get("lang"))
        return asked or lg.negotiate(environ.get("HTTP_ACCEPT_LANGUAGE")) or lg.DEFAULT

    def _html(self, answer: board.Answer, lang: str, query: dict[str, str], events: int,
              computed: datetime) -> str:
        say = lg.words(lang)
        when = f"{computed:%H:%M:%S}, {lg.day(computed.date(), lang)}"
        facts = [*answer.facts, (say(WORDS["computed"]), when),
                 (say(WORDS["events"]), lg.number(events, lang))]
        head = f'<meta http-equiv="refresh" content="{self.refresh}">\n{STYLE}'
        return page(answer.title, facts, [_nav(lang, query), *answer.blocks], lang, signers=[],
                    head_extra=head)

    def _refuse(self, start: Start, status: str, lang: str, wants_json: bool, text: str,
                extra: list[tuple[str, str]] | None = None) -> Iterable[bytes]:
        """An answer that is not a page: one line saying why, as JSON or as a small page."""
        if wants_json:
            body = (json.dumps({"error": text}, ensure_ascii=False) + "\n").encode()
            return _respond(start, status, "application/json", lang, body, "GET", extra)
        html = page(status.split(" ", 1)[1], [], [_nav(lang, {}), Note(text)], lang, signers=[],
                    head_extra=STYLE)
        return _respond(start, status, "text/html; charset=utf-8", lang, html.encode(), "GET",
                        extra)


def _route(path: str) -> tuple[Page, tuple[str, ...]] | None:
    for pattern, build in ROUTES:
        matched = pattern.fullmatch(path)
        if matched:
            return build, matched.groups()
    return None


def _prefers_json(accept: str | None) -> bool:
    """`Accept: application/json` asks for JSON; a browser's `text/html, …` does not."""
    return bool(accept) and "application/json" in accept and "text/html" not in accept


def _nav(lang: str, query: dict[str, str]) -> Note:
    suffix = f"?lang={lang}" if "lang" in query else ""
    links = " ".join(f'<a href="{href}{suffix}">{escape(lg.words(lang)(board.WORDS[key]))}</a>'
                     for href, key in NAV)
    return Note(f'<span class="nav">{links}</span>', markup=True)


def _respond(start: Start, status: str, kind: str, lang: str, body: bytes, method: str,
             extra: list[tuple[str, str]] | None = None) -> Iterable[bytes]:
    headers = [("Content-Type", kind), ("Content-Length", str(len(body))),
               ("Content-Language", lang), ("Cache-Control", "no-store"),
               ("Vary", "Accept, Accept-Language"), ("X-Content-Type-Options", "nosniff"),
               *(extra or [])]
    start(status, headers)
    return [b""] if method == "HEAD" else [body]
