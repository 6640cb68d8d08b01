"""Rendering the public statement: terminal tables, one CSV, or a self-contained HTML page
with print styles (A4), ready to post on the ward's notice board."""

from __future__ import annotations

import csv
import io
from html import escape
from typing import Any

import typer

from .render import emit

CSV_FIELDS = ["section", "entry", "on", "donor", "name", "gifts", "recipient", "group",
              "households", "times", "location", "item", "quantity", "change", "unit",
              "bundles", "goods", "cash", "value", "note"]


def header(statement: dict[str, Any]) -> str:
    start, end = statement["from"] or "the beginning", statement["to"] or "today"
    return f"Public statement (công khai) of {statement['ward']}, from {start} to {end}"


def digest_lines(digest: Any) -> list[tuple[str, str]]:
    return [("events", str(digest.events)), ("position", str(digest.position)),
            ("head", digest.head), ("taken", digest.taken)]


def as_table(statement: dict[str, Any], digest: Any) -> None:
    typer.echo(header(statement))
    for section in statement["sections"]:
        typer.echo(f"\n{section.title}")
        emit(section.rows, "table", section.columns, empty="none")
    typer.echo("\nLedger digest (check with `aid audit verify --digest`)")
    for key, value in digest_lines(digest):
        typer.echo(f"  {key}: {value}")


def as_csv(statement: dict[str, Any], digest: Any) -> None:
    """One CSV for spreadsheets: a `section` column, then the fields each section uses."""
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for section in statement["sections"]:
        for row in section.rows:
            record = {"section": section.key, **row}
            record.setdefault("note", row.get("receipt") or row.get("reason") or
                              row.get("supplier") or row.get("line") or "")
            if "amount" in row:
                record["cash"] = row["amount"]
            writer.writerow(record)
    for key, value in digest_lines(digest):
        writer.writerow({"section": "digest", "name": key, "note": value})
    typer.echo(out.getvalue(), nl=False)


STYLE = """
body { font-family: "Noto Sans", "Segoe UI", Arial, sans-serif; margin: 2em; color: #111; }
h1 { font-size: 1.4em; margin-bottom: 0.2em; }
h2 { font-size: 1.1em; margin-top: 1.6em; border-bottom: 1px solid #888; }
table { border-collapse: collapse; margin-top: 0.4em; }
th, td { border: 1px solid #aaa; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
th { background: #eee; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.digest code { font-size: 0.9em; word-break: break-all; }
.note { color: #444; font-size: 0.9em; }
@page { size: A4; margin: 14mm; }
@media print {
  body { margin: 0; font-size: 10pt; }
  h2 { break-after: avoid; }
  tr { break-inside: avoid; }
  th { background: none; }
}
"""


def as_html(statement: dict[str, Any], digest: Any) -> None:
    title = escape(header(statement))
    parts = [f'<!doctype html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
             f"<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
             f"<h1>{title}</h1>\n<p class=\"note\">Households appear by code and group only. "
             "Amounts in đồng.</p>\n"]
    for section in statement["sections"]:
        parts.append(f"<h2>{escape(section.title)}</h2>\n")
        if not section.rows:
            parts.append("<p>none</p>\n")
            continue
        heads = "".join(f"<th>{escape(t)}</th>" for _, t in section.columns)
        body = "".join("<tr>" + "".join(_cell(k, row.get(k, "")) for k, _ in section.columns)
                       + "</tr>\n" for row in section.rows)
        parts.append(f"<table>\n<thead><tr>{heads}</tr></thead>\n<tbody>\n{body}</tbody>\n"
                     "</table>\n")
    lines = "".join(f"<tr><th>{escape(k)}</th><td><code>{escape(v)}</code></td></tr>"
                    for k, v in digest_lines(digest))
    parts.append(f'<h2>Ledger digest</h2>\n<table class="digest">{lines}</table>\n'
                 '<p class="note">Keep this page. Anyone can later run <code>aid audit verify '
                 "--digest</code> with these figures: it fails if any entry up to here was "
                 "changed, removed or reordered.</p>\n</body>\n</html>")
    typer.echo("".join(parts))


def _cell(key: str, value: Any) -> str:
    if key == "entry":
        return f'<td class="n">{value}</td>'
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<td class="n">{value:,}</td>'.replace(",", ".")
    return f"<td>{escape(str(value))}</td>"
