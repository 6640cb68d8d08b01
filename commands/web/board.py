"""The stock board's pages (`aid serve`): what a volunteer's phone shows.

Each page is an `Answer`: `data` is exactly what the matching command prints with `--format
json`, made by the same function the command uses (so the two can never disagree), and `blocks`
lay the same figures out for a narrow screen in the reader's language (commands/output/pages.py).
Every page reads from one `Reading`: an event log inside one read-only snapshot, so a page never
mixes two moments of a ledger a treasurer is writing to.

Households appear by code only, as the commands' JSON has them; the board serves nothing a
command would not print without a key. Voucher codes are the one thing it hides: a code is all
a pick-up needs, so the board shows only its last characters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from commands.language import words as lg
from commands.language.words import N_
from commands.output.pages import Block, Note, Table
from ledger.errors import BadInput
from ledger.store.access import EventLog
from ledger.values import dates
from ledger.values.dates import parse_date

WORDS = {
    "stock": N_("Stock"), "cash": N_("Cash book"), "rounds": N_("Rounds"),
    "shops": N_("0 đồng shops"),
    "statement": N_("Public statement"), "packable": N_("Bundles that can still be packed"),
    "at": N_("At {location}"), "round": N_("Round {round}"), "shop": N_("0 đồng shop {shop}"),
    "pickups_on": N_("Pick-ups on {day}"), "not_yet": N_("Not received yet"),
    "received_of": N_("{received:,} of {count:,} households received"),
    "from_on": N_("from {location} on {on}"), "open": N_("open"), "closed": N_("closed {day}"),
    "plan": N_("Plan"), "no_rounds": N_("No rounds opened yet."),
    "no_shops": N_("No 0 đồng shop declared."), "none_waiting": N_("none waiting"),
    "as_of_label": N_("As of"), "vouchers": N_("Vouchers"),
    "voucher_line": N_("{issued} issued, {used} used, {live} live; {value_given} given, "
                       "{value_left} left on vouchers still held"),
}
BROKEN = N_("aid: warning: the ledger's chain is broken at position {checked}; see "
           "`aid audit verify`")
STATUS = {"received": N_("received"), "part received": N_("part received"),
          "not yet": N_("not yet")}


def _unshared(name: str, compute: Callable[[], Any]) -> Any:
    return compute()


@dataclass
class Reading:
    """One request's view of the ledger: the log (inside its snapshot), the reader's language
    and the query's parameters. `shared(name, compute)` gives a model computed from this very
    state of the ledger once for every request that reads it (the server keeps it while the
    ledger stays as it is); alone, it just computes."""

    log: EventLog
    lang: str
    query: Mapping[str, str] = field(default_factory=dict)
    shared: Callable[[str, Callable[[], Any]], Any] = _unshared

    def label(self, key: str, **fields: Any) -> str:
        """One of the board's WORDS in the reader's language, numbers grouped its way."""
        return self.phrase(WORDS[key], **fields)

    def phrase(self, template: str, **fields: Any) -> str:
        from ledger.phrases import render

        return render(template, fields, lg.words(self.lang), lg.figures(self.lang))

    def word(self, text: str) -> str:
        return lg.words(self.lang)(text)

    def day(self, key: str) -> str | None:
        """A date from the query (`as_of=17/11/2021`), ISO; None when not given. One that is
        no date is the request's fault (400), whatever page asked for it."""
        given = self.query.get(key)
        try:
            return parse_date(given) if given else None
        except BadInput as error:
            raise NotUnderstood(error.template, **error.fields) from None


class NotUnderstood(BadInput):
    """A query the board cannot read (a date that is none): 400, not 404."""


@dataclass
class Answer:
    """A page: its title, header facts, blocks, and the JSON the matching command prints."""

    title: str
    data: Any
    blocks: list[Block]
    facts: list[tuple[str, str]] = field(default_factory=list)


def ward_zone(log: EventLog) -> str:
    """The ward's clock (ledger/ward/zones.py): every time a page shows is on it, never the
    server's."""
    from projections.store import ward_zone as zone

    return zone(log)


def _books(reading: Reading) -> Any:
    from projections.store import ReadModels

    return ReadModels(reading.log).books()


def _goods_table(reading: Reading, title: str, rows: list[dict[str, Any]]) -> Table:
    columns = [("name", reading.word(N_("item"))), ("quantity", reading.word(N_("quantity"))),
               ("unit", reading.word(N_("unit")))]
    if any(row.get("reserved") for row in rows):  # held for a round: on hand is not free
        columns += [("reserved", reading.word(N_("reserved"))), ("free", reading.word(N_("free")))]
    if any(row.get("minimum") is not None for row in rows):  # as `aid stock` marks it
        columns += [("low", reading.word(N_("low")))]
    shown = [{**row, "name": f"{row['name']} ({row['item']})",
              "low": reading.phrase(N_("below {minimum:,}"), minimum=row["minimum"])
              if row.get("low") else ""} for row in rows]
    return Table(title, columns, shown, scroll=True)


def stock(reading: Reading) -> Answer:
    """Stock per location and item, and the bundles each location could still pack: the JSON
    is `{"stock": aid stock, "packable": aid bundle packable}`, both `--format json`."""
    books = _books(reading)
    at, as_of = books.known_location(reading.query.get("at")), reading.day("as_of")
    today = dates.today(ward_zone(reading.log)).isoformat()  # what expired by today is not
    # free, though nothing moved since
    rows = books.planned(at=at, as_of=as_of, today=today)
    packable = books.packable(at=at, as_of=as_of, today=today)
    locations = sorted({row["location"] for row in rows}) or ([at] if at else [])
    blocks: list[Block] = [
        _goods_table(reading, _place(reading, books, code),
                     [row for row in rows if row["location"] == code]) for code in locations]
    if not locations:
        blocks.append(Note(reading.word(N_("no stock"))))
    blocks.append(Table(reading.label("packable"),
                        [("bundle", reading.word(N_("bundle"))),
                         ("location", reading.word(N_("location"))),
                         ("packable", reading.word(N_("packable"))),
                         ("limited_by", reading.word(N_("limited by")))],
                        packable, kinds={"bundle": "code", "location": "code"}, scroll=True))
    return Answer(reading.label("stock"), {"stock": rows, "packable": packable}, blocks,
                  _as_of(reading, as_of))


def _place(reading: Reading, books: Any, code: str) -> str:
    name = books.state["locations"].get(code, {}).get("name", code)
    return reading.label("at", location=f"{name} ({code})")


def _as_of(reading: Reading, as_of: str | None) -> list[tuple[str, str]]:
    return [(reading.label("as_of_label"), lg.day(as_of, reading.lang))] if as_of else []


def cash(reading: Reading) -> Answer:
    """The cash book; the JSON is `aid cash --format json`."""
    from commands.output.columns import CASH_LINES

    as_of = reading.day("as_of")
    book = _books(reading).cash(as_of)
    rows = [{"category": reading.word(CASH_LINES.get(k, k)), "amount": v} for k, v in book.items()]
    table = Table(reading.label("cash"), [("category", reading.word(N_("category"))),
                                          ("amount", reading.word(N_("đồng")))],
                  rows, kinds={"amount": "money"}, scroll=True)
    return Answer(reading.label("cash"), book, [table], _as_of(reading, as_of))


def _drive(reading: Reading) -> Any:
    from projections.households.rounds import Drive

    return Drive.replay(reading.log.read())


def rounds(reading: Reading) -> Answer:
    """The rounds opened so far, each linking to its status; the JSON lists them."""
    found = [{"round": code, "location": r["location"], "on": r["on"], "closed": r["closed"]}
             for code, r in sorted(_drive(reading).log.rounds.items())]
    links = "<br>".join(f'<a href="round/{_href(row["round"])}{_lang_query(reading)}">'
                        f'{_text(reading.label("round", round=row["round"]))}</a> — '
                        f'{_text(_round_state(reading, row))}' for row in found)
    block = Note(links or _text(reading.label("no_rounds")), markup=True)
    return Answer(reading.label("rounds"), found, [block])


def _round_state(reading: Reading, row: dict[str, Any]) -> str:
    state = (reading.label("closed", day=lg.day(row["closed"], reading.lang)) if row["closed"]
             else reading.label("open"))
    where = reading.label("from_on", location=row["location"],
                          on=lg.day(row["on"], reading.lang))
    return f"{where} · {state}"


def round_status(reading: Reading, code: str) -> Answer:
    """Who has received and who has not, by household code; the JSON is `aid round status
    --format json`."""
    from commands.output.columns import STATUS_COLUMNS, goods
    from projections.households.rounds import round_status as status_of

    result = status_of(_drive(reading), code)
    rows = [{"recipient": h["recipient"], "tier": h["tier"], "size": h["size"],
             "planned": goods(h["planned"]), "handed": goods(h["handed"]),
             "status": reading.word(STATUS.get(h["status"], h["status"]))}
            for h in result["households"]]
    waiting = result["not_received"]
    summary = reading.label("received_of", received=result["received"], count=len(rows))
    facts = [(reading.word(N_("Round")), _round_state(reading, result)),
             (reading.label("plan"), result["plan"][:12]),
             (reading.label("not_yet"), ", ".join(waiting) or reading.label("none_waiting"))]
    table = Table(summary, [(key, reading.word(title)) for key, title in STATUS_COLUMNS],
                  rows, kinds={"recipient": "code", "tier": "text"}, scroll=True)
    outflow = reading.phrase(N_("Public outflow statement, round {round}"),
                             round=result["round"])
    link = Note(f'<a href="{_href(result["round"])}/outflow{_lang_query(reading)}">'
                f'{_text(outflow)}</a>', markup=True)  # relative to /round/: its own page
    return Answer(reading.label("round", round=result["round"]), result, [table, link], facts)


def round_outflow(reading: Reading, code: str) -> Answer:
    """The round's public outflow statement (công khai đợt phát), by household code, group and
    tier; the JSON is `aid round outflow --format json`."""
    from commands.output.outflow import outflow_blocks
    from ledger.values.inputs import code as clean_code
    from projections.households.rounds import outflow

    result = outflow(_drive(reading), clean_code(code, "round code"))
    facts = [(reading.word(N_("Round")), _round_state(reading, result)),
             (reading.label("plan"), result["plan"][:12])]
    return Answer(reading.phrase(N_("Public outflow statement, round {round}"),
                                 round=result["round"]), result,
                  outflow_blocks(result, reading.lang), facts)


def shops(reading: Reading) -> Answer:
    """The 0 đồng shops, each linking to its page; the JSON lists their codes and names."""
    from projections.households.shop import shop_codes

    books = _books(reading)
    found = [{"shop": code, "name": books.state["locations"][code]["name"]}
             for code in shop_codes(books)]
    links = "<br>".join(f'<a href="shop/{_href(row["shop"])}{_lang_query(reading)}">'
                        f'{_text(row["name"])} ({_text(row["shop"])})</a>' for row in found)
    block = Note(links or _text(reading.label("no_shops")), markup=True)
    return Answer(reading.label("shops"), found, [block])


def shop(reading: Reading, code: str, today: Callable[[], date] | None = None) -> Answer:
    """A shop's stock and the pick-ups of one day (`on`, or `as_of`, default today); every
    figure on the page is as of that same day: `?on=22/11/2021` shows that day's pick-ups beside
    the stock and vouchers as they stood at its end. The JSON is `aid shop report --format
    json` (with `--as-of` that day when one is asked) with voucher codes shortened."""
    from commands.output.columns import PICKUP_COLUMNS
    from projections.households.shop import replay, shop_report

    on, as_of = reading.day("on"), reading.day("as_of")
    if on and as_of and on != as_of:
        raise NotUnderstood("on={on} and as_of={as_of}: the shop's page shows one day; give one",
                            on=on, as_of=as_of)
    as_of = as_of or on
    books, shop_book = replay(reading.log.read())
    found = shop_report(books, shop_book, code, as_of)
    for pick in found["pickups"]:
        pick["voucher"] = hide(pick["voucher"])
    day = as_of or (today() if today else dates.today(ward_zone(reading.log))).isoformat()
    picked = [p for p in found["pickups"] if p["on"] == day]
    v = found["vouchers"]
    line = reading.label("voucher_line", issued=v["issued"], used=v["used"], live=v["live"],
                         value_given=lg.money(found["value_given"], reading.lang),
                         value_left=lg.money(v["value_left"], reading.lang))
    pickups = Table(reading.label("pickups_on", day=lg.day(day, reading.lang)),
                    [(key, reading.word(title)) for key, title in PICKUP_COLUMNS
                     if key not in ("on", "voucher")], picked,
                    kinds={"entry": "text", "recipient": "code", "value": "money"},
                    scroll=True)
    blocks = [_goods_table(reading, reading.label("stock"), found["stock"]), pickups,
              Note(f'{reading.label("vouchers")}: {line}')]
    facts = [(reading.word(N_("shop")), f"{found['name']} ({code})"), *_as_of(reading, as_of)]
    return Answer(reading.label("shop", shop=code), found, blocks, facts)


def hide(voucher: str) -> str:
    """A voucher code with all but its last three characters hidden: enough to tell two
    pick-ups apart, not enough to use the voucher."""
    return "".join("*" if ch.isalnum() else ch for ch in voucher[:-3]) + voucher[-3:]


def statement(reading: Reading) -> Answer:
    """The public statement with its charts and digest head; the JSON is `aid audit statement
    --format json`."""
    from commands.output import publish
    from projections.audit.public import read_statement, taken_now

    first, last = reading.day("from"), reading.day("to")
    if first and last and first > last:
        raise BadInput("--from {first} is after --to {last}", first=first, last=last)
    from commands.audit.tree import statement_checkpoint

    sheet, pictures, checked = read_statement(reading.log, first, last, charts=True)
    held = statement_checkpoint(reading.log, checked)  # issue 26: as the printed one has it
    digest = checked.digest(sheet["ward"], taken_now())
    title, facts, blocks, _footer = publish.parts(
        sheet, digest, pictures, reading.lang, checked.first_bad() if checked.problems else None)
    for block in blocks:
        if isinstance(block, Table):
            block.scroll = True
    if held:
        blocks.append(publish.checkpoint_figure(held))
    if checked.problems:  # what `aid audit statement` warns of, on the page itself
        blocks.insert(0, Note(reading.phrase(BROKEN, checked=checked.first_bad())))
    return Answer(title, publish.statement_json(sheet, digest, held), blocks, facts)


def _href(code: str) -> str:
    from urllib.parse import quote

    return quote(code, safe="")


def _lang_query(reading: Reading) -> str:
    return f"?lang={reading.lang}" if "lang" in reading.query else ""


def _text(text: str) -> str:
    from html import escape

    return escape(text)
