"""The stock board over HTTP: a plain WSGI application, served by waitress (commands/web/serve.py).

Each request opens the ledger read-only, reads one snapshot of it (`EventLog.snapshot`: a
request never sees half of what a treasurer is recording), builds its page with commands/web/board.py
and answers in the reader's language (`?lang=vi|en`, else the browser's Accept-Language, else
the language `aid serve` runs in) as HTML, or as the command's JSON when asked (`?format=json`,
or `Accept: application/json`).
Every answer says when it was computed and how many events the ledger held, in the page and in
the `X-Aid-Computed` and `X-Aid-Events` headers. No state is shared between requests, so any
number of server threads may run them side by side.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import parse_qsl

from commands.language import words as lg
from commands.language.words import N_
from commands.output.pages import Note, page
from commands.web import board, saoke
from commands.web.recent import Recent
from ledger.errors import LedgerError
from ledger.store.access import Address, EventLog, open_log
from ledger.store.errors import from_database
from ledger.values import dates

Page = Callable[..., board.Answer]
ROUTES: list[tuple[re.Pattern[str], Page]] = [
    (re.compile(r"/(?:stock)?"), board.stock),
    (re.compile(r"/cash"), board.cash),
    (re.compile(r"/rounds"), board.rounds),
    (re.compile(r"/round/([^/]+)/outflow"), board.round_outflow),
    (re.compile(r"/round/([^/]+)"), board.round_status),
    (re.compile(r"/shops"), board.shops),
    (re.compile(r"/shop/([^/]+)"), board.shop),
    (re.compile(r"/statement"), board.statement),
    (re.compile(r"/saoke"), saoke.saoke),  # a donor finds their transfer (issue 25)
]
NAV = (("/stock", "stock"), ("/cash", "cash"), ("/rounds", "rounds"), ("/shops", "shops"),
       ("/statement", "statement"))
WORDS = {"computed": N_("Computed"), "events": N_("Events"),
         "not_found": N_("There is no page {path} on the stock board."),
         "unavailable": N_("The ledger cannot be read just now: {problem}"),
         "method": N_("The stock board only reads: use GET.")}
TROUBLES = {"400": N_("Not understood"), "404": N_("Not found"), "405": N_("Read only"),
            "503": N_("Not available just now")}
STYLE = """<style>
@media screen {
  body { margin: 0 auto; padding: 0.5em 0.6em 2em; max-width: 60em; font-size: 16px;
         box-sizing: border-box; }
  h1 { font-size: 1.25em; }
  .nav a { margin: 0 0.5em 0.3em 0; }
  a { display: inline-block; min-height: 44px; min-width: 44px; line-height: 44px;
      padding: 0 0.3em; box-sizing: border-box; }  /* a thumb's tap target: 44 px at least */
  .wide { overflow-x: auto; max-width: 100%; }
  table.facts th { white-space: normal; }
}
</style>
"""

Start = Callable[[str, list[tuple[str, str]]], Any]


@dataclass
class Asked:
    """What a request asks for: method, path (UTF-8), query, language, and JSON or a page."""

    method: str
    path: str
    query: dict[str, str]
    lang: str
    json: bool

    @classmethod
    def of(cls, environ: dict[str, Any], default: str = lg.DEFAULT) -> Asked:
        query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        lang = (lg.negotiate(query.get("lang")) or
                lg.negotiate(environ.get("HTTP_ACCEPT_LANGUAGE")) or default)
        # WSGI gives the decoded path as latin-1 text; codes may be Vietnamese (UTF-8)
        path = (environ.get("PATH_INFO") or "/").encode("latin-1").decode("utf-8", "replace")
        wants_json = query.get("format") == "json" or _prefers_json(environ.get("HTTP_ACCEPT"))
        return cls(environ.get("REQUEST_METHOD", "GET"), path, query, lang, wants_json)

    def say(self, template: str, **fields: Any) -> str:
        return board.Reading(None, self.lang).phrase(template, **fields)


class Board:
    """The WSGI application: `Board(address)(environ, start_response)`."""

    def __init__(self, address: Address, refresh: int = 30) -> None:
        self.address, self.refresh = address, refresh
        self.lang = lg.current()  # `aid serve --lang`/AID_LANG: for a browser naming none of ours
        self.recent: Recent[tuple[datetime, board.Answer]] = Recent(ttl=refresh)
        self.models: Recent[Any] = Recent(ttl=refresh, size=4)  # Reading.shared's
        self._thread = threading.local()

    def __call__(self, environ: dict[str, Any], start: Start) -> Iterable[bytes]:
        asked = Asked.of(environ, self.lang)
        if asked.method not in ("GET", "HEAD"):
            return _refuse(start, asked, "405 Method Not Allowed", asked.say(WORDS["method"]),
                           [("Allow", "GET, HEAD")])
        found = _route(asked.path)
        if found is None:
            return _refuse(start, asked, "404 Not Found",
                           asked.say(WORDS["not_found"], path=asked.path))
        build, args = found
        try:
            events, computed, answer = self._read(build, args, asked)
        except LedgerError as error:  # an unknown round or shop, a malformed date
            said = error.text(lg.words(asked.lang), lg.figures(asked.lang))
            unknown = args and not isinstance(error, board.NotUnderstood)  # /shop/NOPE
            return _refuse(start, asked, "404 Not Found" if unknown else "400 Bad Request", said)
        except Exception as error:  # the database said no: locked, gone, server down
            if not from_database(error):
                raise
            problem = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            print(f"aid serve: {asked.path}: {problem}", file=sys.stderr)
            return _refuse(start, asked, "503 Service Unavailable",
                           asked.say(WORDS["unavailable"], problem=problem))
        return self._answer(start, asked, events, computed, answer)

    def _read(self, build: Page, args: tuple[str, ...],
              asked: Asked) -> tuple[int, datetime, board.Answer]:
        """The event count, and the page with when it was computed, all from one read-only
        snapshot of the ledger; a page computed from these very events a moment ago is
        reused (commands/web/recent.py)."""
        with self._opened() as log, log.snapshot():
            events, head = log.count(), log.head()
            settings = tuple(sorted((k, v) for k, v in asked.query.items()
                                    if k not in ("lang", "format")))
            key = (build.__name__, args, settings, asked.lang, events, head, dates.today())

            def shared(name: str, make: Callable[[], Any]) -> Any:
                return self.models.get((name, events, head, dates.today()), make)

            def compute() -> tuple[datetime, board.Answer]:
                from zoneinfo import ZoneInfo

                clock = ZoneInfo(board.ward_zone(log))  # the ward's clock, not the server's
                return (datetime.now(clock).replace(microsecond=0),
                        build(board.Reading(log, asked.lang, asked.query, shared), *args))

            computed, answer = self.recent.get(key, compute)
            return events, computed, answer

    @contextmanager
    def _opened(self) -> Iterator[EventLog]:
        """The ledger, read-only: opened per request on SQLite (cheap, and a file replaced by
        `aid demo` is seen at once), kept per server thread on PostgreSQL (connecting costs
        more than most pages), and closed after any database trouble so that the next
        request connects afresh."""
        if self.address.opens_cheaply:
            log = open_log(self.address)
            try:
                yield log
            finally:
                log.close()
            return
        log = getattr(self._thread, "log", None) or open_log(self.address)
        self._thread.log = log
        try:
            yield log
        except LedgerError:
            raise
        except BaseException:
            self._thread.log = None
            with suppress(Exception):
                log.close()
            raise

    def _answer(self, start: Start, asked: Asked, events: int, computed: datetime,
                answer: board.Answer) -> Iterable[bytes]:
        """The page, or its JSON, saying when it was computed and from how many events."""
        if asked.json:
            body = (json.dumps(answer.data, ensure_ascii=False, indent=2) + "\n").encode()
            kind = "application/json"
        else:
            body = self._html(answer, asked, events, computed).encode()
            kind = "text/html; charset=utf-8"
        headers = [("X-Aid-Events", str(events)), ("X-Aid-Computed", computed.isoformat())]
        return _respond(start, "200 OK", kind, asked, body, headers)

    def _html(self, answer: board.Answer, asked: Asked, events: int, computed: datetime) -> str:
        say = lg.words(asked.lang)
        # the ward's clock, written as the statement's printed time (the date, then the time)
        when = lg.moment(computed, asked.lang, str(computed.tzinfo), seconds=True)
        facts = [*answer.facts, (say(WORDS["computed"]), when),
                 (say(WORDS["events"]), lg.number(events, asked.lang))]
        head = f'<meta http-equiv="refresh" content="{self.refresh}">\n{STYLE}'
        return page(answer.title, facts, [_nav(asked), *answer.blocks], asked.lang, signers=[],
                    head_extra=head)


def _refuse(start: Start, asked: Asked, status: str, text: str,
            extra: list[tuple[str, str]] | None = None) -> Iterable[bytes]:
    """An answer that is not a page: one line saying why, as JSON or as a small page."""
    if asked.json:
        body = (json.dumps({"error": text}, ensure_ascii=False) + "\n").encode()
        return _respond(start, status, "application/json", asked, body, extra)
    title = lg.words(asked.lang)(TROUBLES[status.split(" ", 1)[0]])
    html = page(title, [], [_nav(asked), Note(text)], asked.lang, signers=[], head_extra=STYLE)
    return _respond(start, status, "text/html; charset=utf-8", asked, html.encode(), extra)


def _route(path: str) -> tuple[Page, tuple[str, ...]] | None:
    for pattern, build in ROUTES:
        matched = pattern.fullmatch(path)
        if matched:
            return build, matched.groups()
    return None


def _prefers_json(accept: str | None) -> bool:
    """`Accept: application/json` asks for JSON; a browser's `text/html, …` does not."""
    return bool(accept) and "application/json" in accept and "text/html" not in accept


def _nav(asked: Asked) -> Note:
    suffix = f"?lang={asked.lang}" if "lang" in asked.query else ""
    links = " ".join(f'<a href="{href}{suffix}">{escape(lg.words(asked.lang)(board.WORDS[key]))}'
                     f"</a>" for href, key in NAV)
    return Note(f'<span class="nav">{links}</span>', markup=True)


def _respond(start: Start, status: str, kind: str, asked: Asked, body: bytes,
             extra: list[tuple[str, str]] | None = None) -> Iterable[bytes]:
    headers = [("Content-Type", kind), ("Content-Length", str(len(body))),
               ("Content-Language", asked.lang), ("Cache-Control", "no-store"),
               ("Vary", "Accept, Accept-Language"), ("X-Content-Type-Options", "nosniff"),
               *(extra or [])]
    start(status, headers)
    return [b""] if asked.method == "HEAD" else [body]
