"""Rendering the public statement: terminal tables, one CSV, or a self-contained A4 page
(commands/output/pages.py) with the drive's charts, the digest head and the signatures, ready to post
on the ward's notice board or print to PDF."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import typer

from commands.language.words import N_, _, current, message
from commands.output.cells import inert
from commands.output.render import Streamed, emit_stream
from ledger.phrases import Phrase

if TYPE_CHECKING:
    from projections.audit.tamper import Digest

CSV_FIELDS = ["section", "entry", "on", "donor", "name", "gifts", "recipient", "group",
              "households", "times", "location", "item", "quantity", "change", "unit",
              "bundles", "goods", "cash", "value", "note"]


def header(statement: dict[str, Any]) -> Phrase:
    start = statement["from"] or statement.get("first_day") or Phrase(N_("the beginning"))
    end = statement["to"] or statement.get("last_day") or Phrase(N_("today"))
    return Phrase(N_("Public statement (công khai) of {ward}, from {start} to {end}"),
                  ward=statement["ward"], start=start, end=end)


def digest_lines(digest: Any) -> list[tuple[str, str]]:
    """The digest's fields as scripts read them: names in English, the time in UTC."""
    return [("events", str(digest.events)), ("position", str(digest.position)),
            ("head", digest.head), ("taken", digest.taken)]


DIGEST_WORDS = {"events": N_("events"), "position": N_("position"), "head": N_("head"),
                "taken": N_("taken")}


def digest_shown(digest: Any, lang: str, zone: str) -> list[tuple[str, str]]:
    """The digest's fields for people: named in their language, the time on the ward's clock."""
    from commands.language.words import moment, words

    return [(words(lang)(DIGEST_WORDS[key]),
             moment(value, lang, zone) if key == "taken" and value else value)
            for key, value in digest_lines(digest)]


def as_table(statement: dict[str, Any], digest: Any, checkpoint: str | None = None) -> None:
    typer.echo(message(header(statement)))
    for section in statement["sections"]:
        typer.echo("\n" + _(section.title))
        emit_stream(with_total(section), "table", section.columns, empty=N_("none"),
                    money=MONEY)
    typer.echo("\n" + _("Ledger digest (check with `aid audit verify --digest`)"))
    for key, value in digest_shown(digest, current(), statement["timezone"]):
        typer.echo(f"  {key}: {value}")
    if checkpoint:
        typer.echo("\n" + _("Checkpoint (keep it; check with `aid audit verify --checkpoint`)"))
        for line in checkpoint.rstrip("\n").split("\n"):
            typer.echo(f"  {line}")


def with_total(section: Any) -> Iterable[dict[str, Any]]:
    """A section's rows and then, where it has one and any row, the printed page's total row
    (the terminal's table and the workbook; JSON and CSV keep the rows alone). An empty
    section stays empty: "none", not a total of nothing."""
    rows = iter(section.rows)
    first = next(rows, None)
    if first is None:
        return iter(())
    return itertools.chain([first], rows, [section.total] if section.total else [])


def as_csv(statement: dict[str, Any], digest: Any) -> None:
    """One CSV for spreadsheets: a `section` column, then the fields each section uses."""
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for section in statement["sections"]:
        for count, row in enumerate(section.rows, 1):
            record = {"section": section.key, **row}
            record.setdefault("note", row.get("receipt") or row.get("reason") or
                              row.get("supplier") or row.get("line") or "")
            if "amount" in row:
                record["cash"] = row["amount"]
            writer.writerow({key: inert(value) for key, value in record.items()})
            if count % 2000 == 0:  # printed as it goes: a section may have a million rows
                typer.echo(out.getvalue(), nl=False)
                out.seek(0)
                out.truncate()
    for key, value in digest_lines(digest):
        writer.writerow({"section": "digest", "name": key, "note": inert(value)})
    typer.echo(out.getvalue(), nl=False)


def shown_rows(section: Any) -> Any:
    """A section's rows as a printed page shows them: the cash line of the totals received
    says its amount once, under value, not again as a quantity of "đồng" (the terminal's
    table, JSON and CSV keep it)."""
    if section.key != N_("received"):
        return section.rows
    return [{**row, "quantity": None, "unit": ""} if isinstance(row["item"], Phrase) else row
            for row in section.rows]


KINDS = {"cash": "money", "value": "money", "amount": "money", "on": "date", "entry": "text",
         "opening_balance": "money", "money_in": "money", "money_out": "money",  # bank section
         "closing_balance": "money",
         "receipt": "code", "group": "code", "recipient": "code",  # "Tổ 1" on one line
         "quantity": "number"}
MONEY = [key for key, kind in KINDS.items() if kind == "money"]  # with ₫, on screen and in cells
WORDS = {"title": N_("Public statement (công khai) — {ward}"), "ward": N_("Ward"),
         "period": N_("Period"), "start": N_("the beginning"), "today": N_("today"),
         "ward_of": N_("People's Committee of {ward}"),
         "printed": N_("Printed"), "digest": N_("Ledger digest"),
         "head": N_("{events} events, head {head}"), "field": N_("field"), "value": N_("value"),
         "footer": N_("digest {head}…"),
         "privacy": N_("Households appear by code and group only. Goods at their declared "
                       "value."),
         "keep": N_("Keep this page. Anyone can later run `aid audit verify --digest` with these "
                    "figures: it fails if any entry up to here was changed, removed or "
                    "reordered."),
         "broken": N_("THIS LEDGER DOES NOT VERIFY: its chain breaks at position {position}, so "
                      "figures on this page may have been altered outside aid. Do not publish "
                      "it; run `aid audit verify`.")}


def as_page(statement: dict[str, Any], digest: Any, drive: dict[str, Any], lang: str,
            checkpoint: str | None = None, broken: int | None = None) -> str:
    """The statement as a printable A4 page: header facts with the digest head, the donors and
    totals, the drive's charts, the rest of the sections, the digest, the ledger's checkpoint
    with its QR code (issue 26), and the signatures."""
    from commands.language.words import local_day, translated
    from commands.output.pages import page

    title, facts, blocks, footer = parts(statement, digest, drive, lang, broken)
    if checkpoint:
        blocks.insert(len(blocks) - 1, checkpoint_figure(checkpoint))
    authority = translated(WORDS, lang)["ward_of"].format(ward=statement["ward"])
    return page(title, facts, blocks, lang, place=statement["ward"], footer=footer,
                signed_on=local_day(digest.taken, statement["timezone"]), authority=authority)


def checkpoint_figure(note: str) -> Any:
    """The checkpoint as a QR code (segno) with its text beneath: anyone can keep it and later
    check the ledger still holds it (`aid audit verify --checkpoint`)."""
    import io

    import segno

    from commands.language.words import _
    from commands.output.pages import Figure

    out = io.BytesIO()
    segno.make(note, error="m").save(out, kind="svg", xmldecl=False, svgns=False, scale=3)
    signed = "\n\u2014 " in note  # a signature line of the signed note ("— name sig")
    title = (_("Checkpoint (Merkle tree head, signed)") if signed else
             _("Checkpoint (Merkle tree head, not signed: no declared key signed it, or the "
               "ledger does not verify)"))
    return Figure(title, out.getvalue().decode("utf-8"), note)


def parts(statement: dict[str, Any], digest: Any, drive: dict[str, Any], lang: str,
          broken: int | None = None) -> tuple[str, list[tuple[str, str]], list[Any], str]:
    """The page's title, header facts, blocks and margin footer: the printed page and the
    stock board's statement page lay out the same parts. `broken`: the first position where
    the statement's own read found the chain broken, said first on the page, where a reader
    of the paper sees it (not only on the treasurer's terminal)."""
    from commands.language.words import day, moment, translated
    from commands.output import charts
    from commands.output.pages import Figure, Note, Table

    words = translated(WORDS, lang)
    first = statement["from"] or statement.get("first_day")
    last = statement["to"] or statement.get("last_day")
    start = day(first, lang) if first else words["start"]
    end = day(last, lang) if last else words["today"]
    facts = [(words["ward"], statement["ward"]), (words["period"], f"{start} – {end}"),
             (words["digest"], words["head"].format(events=digest.events, head=digest.head)),
             (words["printed"], moment(digest.taken, lang, statement["timezone"]))]
    tables = [_table(section, lang) for section in statement["sections"]]
    pictures = [Figure(title, svg) for title, svg in charts.figures(drive, lang)]
    digest_rows = [{"key": key, "value": value}
                   for key, value in digest_shown(digest, lang, statement["timezone"])]
    blocks = [Note(words["privacy"]), *tables[:3], *pictures, *tables[3:],
              Table(words["digest"], [("key", words["field"]), ("value", words["value"])],
                    digest_rows, kinds={"value": "text"}),
              Note(words["keep"])]
    if broken is not None:
        blocks.insert(0, Note(words["broken"].format(position=broken)))
    footer = f"{statement['ward']} · {start} – {end} · " + words["footer"].format(
        head=digest.head[:16])
    return words["title"].format(ward=statement["ward"]), facts, blocks, footer


def _table(section: Any, lang: str) -> Any:
    from commands.language.words import words
    from commands.output.pages import ROW, Table

    label = words(lang)
    columns = [(key, label(heading)) for key, heading in section.columns]
    # the cash lines are phrases: each cell says them in `lang` (pages.cell), "received" as
    # the table's own line ("Đã nhận"), not the bare word
    rows = list(shown_rows(section))
    if section.total is not None and rows:
        rows = [*rows, {ROW: "total", **section.total}]
    return Table(label(section.title), columns, rows, kinds=KINDS)


def statement_json(sheet: dict[str, Any], digest: Digest,
                   checkpoint: str | None = None) -> dict[str, Any]:
    """What `aid audit statement --format json` prints (and the stock board serves): with the
    ledger's checkpoint note, which anyone can keep and check later (issue 26)."""
    return {**{k: v for k, v in sheet.items() if k != "sections"},
            "sections": {s.key: s.rows if isinstance(s.rows, list) else Streamed(s.rows)
                         for s in sheet["sections"]},
            "digest": digest.to_json() | {"checkpoints": []}, "checkpoint": checkpoint}
