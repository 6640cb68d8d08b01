"""`aid report drive`: the drive at a glance for the committee — stock of each item over time,
received vs handed out by week, and coverage by group and tier — as tables, JSON, or a printable
page of charts (`--output FILE.html|FILE.pdf`). Read-only."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from commands.cli import options as o
from commands.language.words import N_, _, current, day, message, say
from commands.output.render import emit, tabulated
from ledger.errors import BadInput
from ledger.phrases import Phrase, Verbatim
from ledger.store.access import open_log

report_app = typer.Typer(help="Reports for the committee: a picture of the drive.",
                         no_args_is_help=True)


class DriveFormat(str, Enum):
    table = "table"
    json = "json"
    html = "html"




@report_app.command("drive")
def drive(start: Annotated[Optional[str], typer.Option(
              "--from", help="First business date (default: the first entry's).",
              show_default=False)] = None,
          end: Annotated[Optional[str], typer.Option(
              "--to", help="Last business date (default: the last entry's).",
              show_default=False)] = None,
          fmt: Annotated[DriveFormat, typer.Option("--format", help="Output format.")]
          = DriveFormat.table,
          output: Annotated[Optional[Path], typer.Option(
              "--output", "-o", metavar="FILE.html|FILE.pdf",
              help="Write the page of charts to a file; .pdf needs Chromium.",
              show_default=False)] = None,
          db: o.Db = None) -> None:
    """Stock over time, received vs handed out by week, households served by group and tier."""
    from projections.drive import drive as build
    from projections.events import entry_reader, ward_events

    first, last = o.as_of(start), o.as_of(end)
    if first and last and first > last:
        raise BadInput("--from {first} is after --to {last}", first=first, last=last)
    page = output is not None or fmt is DriveFormat.html
    language = current()
    log = open_log(o.address(db))
    try:
        figures = build((e for e in ward_events(log.stored()) if not isinstance(e, str)),
                        first, last, entry_reader(log))
    finally:
        log.close()
    if page:
        html = as_page(figures, language)
        if output is None:
            typer.echo(html, nl=False)
        else:
            from commands.output.printing import save

            typer.echo(save(html, output))
    elif fmt is DriveFormat.json:
        emit(figures, "json")
    else:
        as_tables(figures)


def as_tables(figures: dict[str, Any]) -> None:
    span = (say("{start} to {end}", start=figures["from"], end=figures["to"]) if figures["from"]
            else _("no entries yet"))
    typer.echo(say("The drive of {ward}, {span}", ward=figures["ward"], span=span) + "\n")
    typer.echo(_("Stock, all locations together, on each day it changed"))
    emit([{"item": line["item"], "on": on, "quantity": quantity}
          for line in figures["stock"] for on, quantity in line["points"]], "table",
         [("item", N_("item")), ("on", N_("on")), ("quantity", N_("quantity"))],
         empty=N_("no stock"))
    typer.echo("\n" + _("Received and handed out by week (đồng, goods at their declared value)"))
    _week_table(figures)
    for key, column, title in (("groups", "group", N_("Households served, by group")),
                               ("tiers", "tier", N_("Households served, by tier"))):
        typer.echo("\n" + _(title))
        emit(figures["coverage"][key], "table",
             [(column, column), ("served", N_("served")), ("declared", N_("declared"))],
             empty=N_("no households"))


def _week_table(figures: dict[str, Any]) -> None:
    """The weeks' table, a run of quiet weeks said in one line where its rows would be."""
    parts = weeks_read(figures, current())
    rows = [part for part in parts if not isinstance(part, Phrase)]
    if not parts:
        typer.echo(_("no entries"))
        return
    lines = iter(tabulated(shown_weeks(rows), [key for key, _title in WEEK_COLUMNS],
                           WEEK_COLUMNS, ("received", "handed_out")).splitlines()
                 if rows else ())
    typer.echo("\n".join([*itertools.islice(lines, 2)] +  # the titles and the rule
                         [message(part) if isinstance(part, Phrase) else next(lines)
                          for part in parts]))


QUIET = N_("{weeks:,} weeks with nothing received or handed out: {first} to {last}")


def weeks_read(figures: dict[str, Any], lang: str) -> list[dict[str, Any] | Phrase]:
    """The weeks as people read them: every week that received or handed out something, in
    order, and each run of two or more weeks that did neither as one phrase saying so, its
    first and last day within the drive's (a drive that ran one week in 2021 and then
    recorded a bank deposit today has two lines, not 260 weeks of "0 ₫"). JSON keeps every
    week, each with its figures, as it always has."""
    parts: list[dict[str, Any] | Phrase] = []
    quiet: list[dict[str, Any]] = []

    def close() -> None:
        if len(quiet) > 1:
            sunday = (date.fromisoformat(quiet[-1]["monday"]) + timedelta(days=6)).isoformat()
            first = max(quiet[0]["monday"], figures["from"] or quiet[0]["monday"])
            last = min(sunday, figures["to"] or sunday)
            parts.append(Phrase(QUIET, weeks=len(quiet), first=day(first, lang),
                                last=day(last, lang)))
        else:
            parts.extend(quiet)
        quiet.clear()

    for week in figures["weeks"]:
        if week["received"] or week["handed_out"] or week["handouts"]:
            close()
            parts.append(week)
        else:
            quiet.append(week)
    close()
    return parts


def shown_weeks(weeks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The weeks for people: "45/2021" under the heading "week" (JSON keeps ISO's "2021-W45")."""
    return [{**week, "week": Verbatim("{}/{}".format(*reversed(week["week"].split("-W"))))}
            for week in weeks]


WEEK_COLUMNS = [("week", N_("week")), ("monday", N_("from")),
                ("received", N_("received")), ("handed_out", N_("handed out")),
                ("handouts", N_("hand-outs"))]

WORDS = {"title": N_("The drive at a glance — {ward}"), "ward": N_("Ward"),
         "period": N_("Period"), "received": N_("Received (cash and goods)"),
         "handed_out": N_("Handed out (cash and goods)"), "served": N_("Households served"),
         "weeks": N_("Figures by week"), "week": N_("week"), "monday": N_("from"),
         "handouts": N_("hand-outs"),
         "note": N_("Goods at their declared value; a bundle at the value of what is in it. "
                    "Households appear by code and group only.")}


def as_page(figures: dict[str, Any], lang: str) -> str:
    """The charts on one printable page, headed by the drive's totals, with the weekly figures."""
    from commands.language.words import day, money, number, translated
    from commands.language.words import words as lg_words
    from commands.output import charts
    from commands.output.pages import ROW, SPAN, Figure, Note, Table, page

    words = translated(WORDS, lang)
    label = lg_words(lang)
    period = " – ".join(day(d, lang) for d in (figures["from"], figures["to"]) if d)
    groups = figures["coverage"]["groups"]
    served = sum(row["served"] for row in groups)
    declared = sum(row["declared"] for row in groups)
    facts = [(words["ward"], figures["ward"]), (words["period"], period),
             (words["received"], money(sum(w["received"] for w in figures["weeks"]), lang)),
             (words["handed_out"], money(sum(w["handed_out"] for w in figures["weeks"]), lang)),
             (words["served"], f"{number(served, lang)} / {number(declared, lang)}")]
    blocks = [Note(words["note"]),
              *[Figure(title, svg) for title, svg in charts.figures(figures, lang)],
              Table(words["weeks"], [(k, words.get(k, label(t))) for k, t in WEEK_COLUMNS],
                    [{ROW: "quiet", SPAN: len(WEEK_COLUMNS), "week": part}
                     if isinstance(part, Phrase) else shown_weeks([part])[0]
                     for part in weeks_read(figures, lang)],
                    kinds={"monday": "date", "received": "money", "handed_out": "money",
                           "week": "code"})]
    return page(words["title"].format(ward=figures["ward"]), facts, blocks, lang, signers=[],
                footer=f"{figures['ward']} · {period}")
