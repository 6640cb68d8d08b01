"""The recipients register: import the approved list, change tiers, exclude, list (danh sách)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Optional

import typer

from commands.cli import options as o
from commands.households.privacy import forget
from commands.language.words import N_, entry_span, say
from commands.output.render import emit
from commands.recording.declare import add_recipient
from commands.recording.writing import record, refresh
from ledger.values.inputs import whole

Reason = Annotated[str, typer.Option("--reason", help="Why (decision, list, date…).")]
Groups = Annotated[Optional[list[str]], typer.Option(
    "--group", help="Only this residential group (tổ), repeatable; tone marks optional.",
    show_default=False)]
Tiers = Annotated[Optional[list[str]], typer.Option(
    "--tier", help="Only this tier (0-3), repeatable.", show_default=False)]


def chosen_tiers(given: list[str] | None) -> list[int]:
    """--tier, each 0 to 3: a tier that cannot exist is refused, not an empty list."""
    return [whole(t, "--tier", minimum=0, maximum=3) for t in given or []]




def households(db: Path | None, names: bool = False):
    """A function giving the register as it is in the ledger now (for write decisions), with
    forgotten households marked; with `names`, opened with the ward's key (imports compare
    names; tiers and exclusions need no key)."""

    def view():
        drive = o.load_drive(db)
        register = o.revealed(drive.register) if names else drive.register
        return {code: {**home, "forgotten": register.forgotten.get(code)}
                for code, home in register.households.items()}

    return view


def import_list(file: Annotated[Path, typer.Argument(
                    help=".xlsx, .ods or CSV: code,name,group,size,tier[,excluded,phone,"
                         "id_number] (or mã hộ, họ và tên chủ hộ, tổ, số nhân khẩu, diện, loại "
                         "trừ, SĐT, số CCCD)")],
                sheet: Annotated[Optional[str], typer.Option(
                    "--sheet", help="The workbook's sheet to read (default: the first).",
                    show_default=False)] = None,
                db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Import the ward's approved list; all or nothing; the same file twice changes nothing."""
    from commands.recording.importing import unread_note
    from commands.recording.spreadsheets import read_rows, require
    from ledger.store.access import open_ledger
    from ledger.ward.register import COLUMNS, OPTIONAL, import_rows, parse_rows

    table = read_rows(file, sheet)
    require(table, COLUMNS, file.name)
    rows = parse_rows(table, file.name, o.load_drive(db).register.labels)  # "hộ nghèo": a tier
    unread = unread_note(file, table, [*COLUMNS, *OPTIONAL], N_("households"))
    if unread is not None:  # said before writing: the file was read, only those columns not
        typer.echo(say("aid: warning: {note}", note=unread), err=True)
    ledger = open_ledger(o.address(db))
    try:
        entries = import_rows(ledger, rows, households(db, names=True), file.name, o.on(on),
                              o.actor(actor), say("import {source}", source=file.name))
    finally:
        ledger.close()
    refresh(o.address(db))
    if not entries:
        typer.echo(say("nothing to record: the register already matches {name} ({count} "
                       "households)", name=file.name, count=len(rows)))
        return
    from commands.recording.declare import unmatched_ids

    unmatched_ids(sum(1 for row in rows if row.id_number))
    span = entry_span(entries)
    typer.echo(say("recorded {span} from {name} ({count} households in the file)",
                   span=span, name=file.name, count=len(rows)))


def tier(code: str,
         number: Annotated[str, typer.Argument(metavar="TIER", help="0 (most urgent) to 3.")],
         reason: Reason, db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Move a household to another priority tier."""
    from ledger.ward.register import set_tier

    # "2", or as said: "mức 2", "tier 2"
    rank = whole(re.sub(r"^\s*(?:mức|muc|tier)\s+", "", number, flags=re.IGNORECASE),
                 N_("tier"), minimum=0)
    record(db, lambda ledger: set_tier(ledger, code, rank, reason, households(db), o.on(on),
                                       o.actor(actor)))


def exclude(code: str, reason: Reason, db: o.Db = None, actor: o.Actor = None,
            on: o.On = None) -> None:
    """Leave a household out of rounds (another programme covers it)."""
    from ledger.ward.register import set_excluded

    record(db, lambda ledger: set_excluded(ledger, code, True, reason, households(db),
                                           o.on(on), o.actor(actor)))


def include(code: str, reason: Reason, db: o.Db = None, actor: o.Actor = None,
            on: o.On = None) -> None:
    """Bring an excluded household back into rounds."""
    from ledger.ward.register import set_excluded

    record(db, lambda ledger: set_excluded(ledger, code, False, reason, households(db),
                                           o.on(on), o.actor(actor)))


def list_households(group: Groups = None, tier: Tiers = None,
                    search: Annotated[Optional[str], typer.Option(
                        "--search", help="Part of a code or name; tone marks optional.")] = None,
                    fmt: o.FormatOption = o.Format.table, output: o.Output = None,
                    db: o.Db = None) -> None:
    """The register, in Vietnamese alphabetical order of name (danh sách hộ); names are
    opened with the ward's key (AID_KEY_FILE)."""

    ranks = chosen_tiers(tier)
    rows = o.revealed(o.load_drive(db).register).rows(group or [], ranks, search)
    emit(rows, fmt.value, [("code", N_("code")), ("name", N_("name")), ("group", N_("group")),
                           ("size", N_("size")), ("tier", N_("tier")),
                           ("label", N_("tier label")), ("excluded", N_("excluded"))],
         empty=N_("no household matches"), output=output, sheet=N_("Household register"))


def label(number: Annotated[str, typer.Argument(metavar="TIER")],
          text: Annotated[str, typer.Argument(metavar="TEXT")],
          db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Name a tier in the ward's own words, e.g. aid tier label 1 "Hộ nghèo, cận nghèo"."""
    from ledger.ward.register import label_tier

    rank = whole(number, "TIER", minimum=0)
    record(db, lambda ledger: label_tier(ledger, rank, text, o.on(on), o.actor(actor)))


def list_tiers(fmt: o.FormatOption = o.Format.table, output: o.Output = None,
               db: o.Db = None) -> None:
    """The tiers, most urgent first, with their labels."""

    labels = o.load_drive(db).register.labels
    emit([{"tier": t, "label": labels[t]} for t in sorted(labels)], fmt.value,
         [("tier", N_("tier")), ("label", N_("label"))], output=output, sheet=N_("Tiers"))


# ---- the groups of `aid` this module holds -------------------------------------------------

recipient_app = typer.Typer(help="Households and group leaders who receive (hộ nhận).",
                            no_args_is_help=True)
recipient_app.command("add")(add_recipient)  # commands/recording/declare.py
recipient_app.command("import")(import_list)
recipient_app.command("tier")(tier)
recipient_app.command("exclude")(exclude)
recipient_app.command("include")(include)
recipient_app.command("list")(list_households)
recipient_app.command("forget")(forget)  # commands/households/privacy.py
tier_app = typer.Typer(help="Priority tiers and their labels (nhóm ưu tiên).", no_args_is_help=True)
tier_app.command("label")(label)
tier_app.command("list")(list_tiers)
