"""`aid sync` (a ward's ledger into the district's store) and `aid district …` (its reports).

The ward's own commands never touch the network: only these do, and only when asked.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from commands import options as o
from commands.language.words import N_, _, say
from commands.output.render import emit
from ledger.errors import BadInput
from ledger.store.access import EventLog, open_log

if TYPE_CHECKING:
    from ledger.district.sync import Status
    from projections.district import WardCopy

To = Annotated[Optional[str], typer.Option(
    "--to", envvar="AID_DISTRICT_URL", metavar="URL",
    help="The district's PostgreSQL store (default: $AID_DISTRICT_URL).", show_default=False)]
Url = Annotated[Optional[str], typer.Option(
    "--url", envvar="AID_DISTRICT_URL", metavar="URL",
    help="The district's PostgreSQL store (default: $AID_DISTRICT_URL).", show_default=False)]
From = Annotated[Optional[str], typer.Option(
    "--from", help="First business date (default: the beginning).", show_default=False)]
Until = Annotated[Optional[str], typer.Option(
    "--to", help="Last business date (default: today).", show_default=False)]

district_app = typer.Typer(help="The district's reports over every synced ward (quận): wards, "
                                "stock, cash, coverage, duplicates, statement. Read-only.",
                           no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("sync")(sync)
    app.add_typer(district_app, name="district")


def sync(to: To = None,
         show_status: Annotated[bool, typer.Option(
             "--status", help="Only say how far behind the district is; send nothing.")]
         = False,
         batch: Annotated[int, typer.Option(
             "--batch", min=1, max=10_000, help="Events per transaction.")] = 5_000,
         db: o.Db = None) -> None:
    """Send the ward's new entries to the district's store, checked link by link (đồng bộ)."""
    from ledger.district import sync as syncing

    url = syncing.district_url(to)
    log = open_log(o.address(db))
    try:
        if show_status:
            _status(syncing.status(log, url))
            return
        code, sent, head = syncing.sync(log, url, batch, told=lambda part: typer.echo(say(
            "sent positions {first:,}–{last:,} ({count:,} events)",
            first=part.first, last=part.last, count=part.count)),
            witnessed=_witnessed)  # issue 26
    finally:
        log.close()
    if sent:
        typer.echo(say("ward {code}: sent {count:,} events; the district holds it up to "
                       "position {head:,}", code=code, count=sum(s.count for s in sent),
                       head=head))
    else:
        typer.echo(say("ward {code}: the district is up to date (position {head:,})",
                       code=code, head=head))


def _witnessed(found: Any) -> None:
    """Issue 26: what the district witnessed at this sync (commands/witness.py)."""
    from commands.witness import told_witnessed

    told_witnessed(found)


def _status(found: Status) -> None:
    if found.district_head == 0:
        typer.echo(say("ward {code}: not synced yet; {behind:,} events to send",
                       code=found.code, behind=found.behind))
    else:
        synced = found.synced.strftime("%Y-%m-%d %H:%M UTC") if found.synced else "-"
        typer.echo(say("ward {code}: the district holds up to position {district:,} (synced "
                       "{synced}), this ledger up to {ward:,}: {behind:,} events behind",
                       code=found.code, district=found.district_head, synced=synced,
                       ward=found.ward_head, behind=found.behind))
    if found.older:
        typer.echo(say("aid: this ledger is an older copy of ward {code}: the district holds "
                       "more of it; sync from the ledger with the latest entries",
                       code=found.code), err=True)
        raise typer.Exit(1)
    if found.departs:
        typer.echo(say("aid: this ledger departs from the district's copy of ward {code} at "
                       "position {position} (a fork); see the README's district section",
                       code=found.code, position=found.departs), err=True)
        raise typer.Exit(1)


@contextmanager
def _wards(url: str | None) -> Iterator[list[tuple[str, str, EventLog]]]:
    """(code, name, read-only log) of every ward the district holds."""
    from ledger.district.sync import District

    district = District(url)
    logs: list[tuple[str, str, EventLog]] = []
    try:
        for code, name, prefix in district.wards():
            logs.append((code, name, open_log(district.address(prefix))))
        if not logs:
            raise BadInput("the district's store holds no ward yet: run `aid sync --to URL` "
                           "in each ward")
        yield logs
    finally:
        for _code, _name, log in logs:
            log.close()
        district.close()


def _copy(code: str, log: EventLog) -> WardCopy:
    from projections.audit.check import WardEvent, ward_events
    from projections.district import WardCopy

    return WardCopy(code, [e for e in ward_events(log.stored()) if isinstance(e, WardEvent)])


def _copies(url: str | None) -> list[WardCopy]:
    with _wards(url) as logs:
        return [_copy(code, log) for code, _name, log in logs]


def _period(start: str | None, end: str | None) -> tuple[str | None, str | None]:
    first, last = o.as_of(start), o.as_of(end)
    if first and last and first > last:
        raise BadInput("--from {first} is after --to {last}", first=first, last=last)
    return first, last


@district_app.command("wards")
def wards(url: Url = None, fmt: o.FormatOption = o.Format.table,
          output: o.Output = None) -> None:
    """The wards the district holds: code, name, last position and when each last synced."""
    from ledger.district.sync import District

    district = District(url)
    try:
        rows = district.registry()
    finally:
        district.close()
    emit(rows, fmt.value, [("ward", N_("ward")), ("name", N_("name")),
                           ("position", N_("position")), ("synced", N_("synced (UTC)"))],
         empty=N_("the district's store holds no ward yet"), output=output)


STOCK = [("ward", N_("ward")), ("location", N_("location")), ("item", N_("item")),
         ("name", N_("name")), ("quantity", N_("quantity")), ("unit", N_("unit"))]
TOTAL = [("item", N_("item")), ("name", N_("name")), ("quantity", N_("quantity")),
         ("unit", N_("unit")), ("wards", N_("wards"))]


@district_app.command("stock")
def stock(url: Url = None, total: Annotated[bool, typer.Option(
              "--total", help="One line per item: the district's total over all wards.")]
          = False, as_of: o.AsOf = None, fmt: o.FormatOption = o.Format.table,
          output: o.Output = None) -> None:
    """What every ward has left, per ward, location and item (or per item with --total)."""
    from projections import district

    rows = district.stock(_copies(url), o.as_of(as_of))
    if total:
        emit(district.stock_total(rows), fmt.value, TOTAL, empty=N_("no stock"), output=output)
    else:
        emit(rows, fmt.value, STOCK, empty=N_("no stock"), output=output)


@district_app.command("cash")
def cash(url: Url = None, as_of: o.AsOf = None, fmt: o.FormatOption = o.Format.table,
         output: o.Output = None) -> None:
    """Every ward's cash book and the district's total (their sum)."""
    from projections import district

    books = district.cash(_copies(url), o.as_of(as_of))
    if fmt.value == "json" and output is None:
        emit(books, "json")
        return
    rows = [{"ward": code, **book} for code, book in books.items()]
    if fmt.value != "csv":
        rows[-1]["ward"] = _("district total")
    lines = [(line, N_(line)) for line in district.CASH_LINES]
    emit(rows, fmt.value, [("ward", N_("ward")), *lines], output=output,
         money=district.CASH_LINES)


@district_app.command("coverage")
def coverage(url: Url = None, start: From = None, end: Until = None,
             fmt: o.FormatOption = o.Format.table, output: o.Output = None) -> None:
    """Households registered and served, per ward, group and tier (codes only)."""
    from projections import district

    rows = district.coverage(_copies(url), *_period(start, end))
    emit(rows, fmt.value, [("ward", N_("ward")), ("group", N_("group")), ("tier", N_("tier")),
                           ("households", N_("households")), ("served", N_("served"))],
         empty=N_("no households"), output=output)


@district_app.command("duplicates")
def duplicates(url: Url = None, start: From = None, end: Until = None,
               fmt: o.FormatOption = o.Format.table, output: o.Output = None) -> None:
    """Households served by two wards in the period, matched by the keyed pseudonym of their ID
    number and by household code (never by name). Exit 1 when there is any."""
    from projections import district

    rows = district.duplicates(_copies(url), *_period(start, end))
    emit(rows, fmt.value, [("match", N_("match")), ("key", N_("key")), ("wards", N_("wards")),
                           ("households", N_("households")), ("first", N_("first")),
                           ("last", N_("last"))],
         empty=N_("no household was served by two wards"), output=output)
    if rows:
        raise typer.Exit(1)


STATEMENT = [("ward", N_("ward")), ("name", N_("name")), ("donations", N_("donations")),
             ("received", N_("received")), ("spent", N_("spent")),
             ("handouts", N_("hand-outs")), ("households", N_("households")),
             ("given", N_("given")), ("packed", N_("packed")), ("balance", N_("balance")),
             ("events", N_("events")), ("head", N_("digest head"))]


@district_app.command("statement")
def statement(url: Url = None, start: From = None, end: Until = None,
              fmt: o.FormatOption = o.Format.table, output: o.Output = None) -> None:
    """The district's public statement (công khai): each ward's donations, hand-outs and cash
    for the period, and the digest head of the ledger it was computed from."""
    from projections.audit.tamper import verify
    from projections.district import statement_row

    first, last = _period(start, end)
    rows, broken = [], []
    with _wards(url) as logs:
        for code, name, log in logs:
            with log.snapshot():
                row = statement_row(_copy(code, log), name, first, last)
                checked = verify(log.stored(), log.links())
            rows.append({**row, "events": checked.events, "head": checked.head})
            if checked.problems:
                broken.append((code, checked.first_bad()))
    emit(rows, fmt.value, STATEMENT, output=output,
         money=("received", "spent", "given", "packed", "balance"))
    for code, position in broken:
        typer.echo(say("aid: warning: the district's copy of ward {code} has a broken chain at "
                       "position {position}; see `aid audit verify` with AID_WARD={code}",
                       code=code, position=position), err=True)
    if broken:
        raise typer.Exit(1)

