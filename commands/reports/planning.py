"""Planning stock: low-stock thresholds, lots expiring soon, and alerts for a cron job."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from commands.cli import options as o
from commands.language.words import N_, _, say
from commands.output.render import emit
from ledger.values.inputs import whole

At = Annotated[Optional[str], typer.Option("--at", help="Only this location.", show_default=False)]


# for people: a lot already expired is an "expiry" alert too, so not "expiring"
KINDS = {"low": N_("low"), "expiring": N_("expiry"), "stale": N_("stale")}




def threshold(code: str,
              at: Annotated[str, typer.Option("--at", help="Location code.", show_default=False)],
              minimum: Annotated[str, typer.Option(
                  "--min", help="Least free stock before it is low (0 clears it).",
                  show_default=False)],
              db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Set the low-stock minimum of an item at a location (mức tồn tối thiểu)."""
    from commands.recording.writing import record
    from ledger.ward.thresholds import set_threshold

    least = whole(minimum, "--min", minimum=0)
    record(db, lambda ledger: set_threshold(ledger, code, at, least, o.on(on), o.actor(actor)))


def expiring(within: Annotated[str, typer.Option(
                 "--within", help="Days ahead to look (default: 14).", show_default=False)]
             = "14",
             at: At = None, as_of: o.AsOf = None, fmt: o.FormatOption = o.Format.table,
             output: o.Output = None, db: o.Db = None) -> None:
    """Lots that expire within N days (or have expired), per location (sắp hết hạn)."""
    from commands.reports.books import load_books
    from projections.planning import expiring as expiring_lots

    days = whole(within, "--within", minimum=0, maximum=36_500)  # a century: dates end at 9999
    books = load_books(db)
    rows = expiring_lots(books, o.on(as_of), days, books.known_location(at))
    if fmt.value == "table":  # a person reads "expired", not "-1,832 days left"
        rows = [{**row, "days": _("expired")} if row["days"] < 0 else row for row in rows]
    emit(rows, fmt.value, [("location", N_("location")), ("item", N_("item")),
                           ("name", N_("name")), ("expires", N_("expires")),
                           ("days", N_("days left")), ("quantity", N_("quantity")),
                           ("unit", N_("unit"))],
         empty=N_("nothing expires in that time"), output=output, sheet=N_("Expiring lots"))
    if fmt.value == "table" and output is None:
        typer.echo("\n" + say("lots expired, or expiring within {days} days of {on} (--within "
                              "to change)", days=days, on=o.on(as_of)))


def alerts(stale_count_days: Annotated[str, typer.Option(
               "--stale-count-days", help="A location not counted for more days is an alert.")]
           = "14",
           as_of: o.AsOf = None, fmt: o.FormatOption = o.Format.table,
           output: o.Output = None, db: o.Db = None) -> int:
    """Items below their minimum, lots expiring within a week, locations not counted lately;
    exits 1 when there is any, so a cron job can tell someone (cảnh báo)."""
    from commands.reports.books import load_books
    from projections.planning import alerts as find_alerts

    days = whole(stale_count_days, "--stale-count-days", minimum=0)
    found = find_alerts(load_books(db), o.on(as_of), days)
    people = fmt.value == "table" or output is not None
    rows = [{**alert, "kind": _(KINDS[alert["kind"]])} for alert in found] if people else found
    emit(rows, fmt.value, [("kind", N_("kind")), ("location", N_("location")),
                           ("item", N_("item")), ("problem", N_("problem"))],
         empty=N_("no alerts"), output=output, sheet=N_("Alerts"))
    return 1 if found else 0


# ---- the demo's planning ------------------------------------------------------------------------
