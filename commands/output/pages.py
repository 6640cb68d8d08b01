"""Printable pages: one self-contained A4 HTML page (inline CSS and SVG, nothing fetched, no
script) with a title, header facts, tables, charts and a signature block, for any sheet a ward
posts or files: the public statement, the drive report, a round's signed receipt list.

    html = page("Danh sách ký nhận — đợt 1", [("Phường", "Phường 3"), ("Ngày", "17/11/2021")],
                [Table("Hộ nhận quà", [("code", "Mã hộ"), ("cash", "Tiền")], rows,
                       kinds={"cash": "money"}, sign="Ký nhận")], lang="vi")

Cells are formatted for the page's language (commands/language/words.py): `kinds` names the money,
number and date columns; other integers are numbers, the rest text. Page numbers ("Trang 2 / 5")
and an optional footer are printed in the page margins by CSS `@page` margin boxes, which
headless Chromium honours when printing to PDF (commands/output/printing.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape
from typing import Any, Union

from commands.language import words as lg
from commands.language.words import N_
from ledger.phrases import Phrase
from ledger.values import dates

LABELS = {"page": N_("Page"), "sign_hint": N_("(signature and full name)"), "none": N_("None."),
          "on": N_("on {d}/{m}/{y}"),
          "nation": N_("SOCIALIST REPUBLIC OF VIET NAM"),
          "motto": N_("Independence - Freedom - Happiness")}
ROLES = (N_("Prepared by (người lập biểu)"), N_("Head of the board (trưởng ban)"),
         N_("Treasurer (thủ quỹ)"))


ROW = "_row"  # a row's kind in a Table: "heading" (a full-width group heading, text in
# "heading"), "subtotal" or "total" (bold figures, nothing to sign); plain rows have none
SPAN = "_span"  # a row's first cell spans this many columns ("Total (13 households)" across
# the code, group and tier), the cells it covers left out


@dataclass
class Table:
    """A titled table. `kinds`: field -> "money" | "number" | "date" | "code" (kept on one
    line) | "text" (an integer printed as is, an entry id say); `sign`: the
    heading of an empty column to sign in (a receipt list), or None."""

    title: str
    columns: list[tuple[str, str]]  # (field, heading)
    rows: list[dict[str, Any]]
    kinds: dict[str, str] = field(default_factory=dict)
    sign: str | None = None
    note: str = ""
    scroll: bool = False  # on a narrow screen the table scrolls sideways, not the page
    widths: dict[str, float] = field(default_factory=dict)  # field -> least width of its
    # column, in em: a long heading wraps on whole words over two lines, never one word a line
    keep: bool = False  # each group (a "heading" row, its rows, its subtotal) in a body of its
    # own that a page break does not split; the total row in one of its own


@dataclass
class Figure:
    """A titled chart: `svg` is trusted inline markup (commands/output/charts.py builds it)."""

    title: str
    svg: str
    note: str = ""


@dataclass
class Note:
    """A paragraph of plain text (escaped), or of trusted markup when `markup` is set."""

    text: str
    markup: bool = False


Block = Union[Table, Figure, Note]


def page(title: str, facts: Sequence[tuple[str, str]], blocks: Sequence[Block], lang: str,
         signers: Sequence[str] | None = None, place: str = "", signed_on: str | None = None,
         footer: str = "", head_extra: str = "", authority: str | None = None,
         landscape: bool = False) -> str:
    """The whole HTML document. `signers`: roles under the signature block (default: người lập
    biểu, trưởng ban, thủ quỹ; [] for none); `place` and `signed_on` (ISO, default today) make
    the "Phường 3, ngày 21 tháng 11 năm 2021" line above it; `footer` goes in the page margin;
    `head_extra` is trusted markup for the head (the stock board's refresh and phone styles);
    `authority` (the ward's name, say) puts the national header of an administrative paper
    above the title: the authority on the left, quốc hiệu and tiêu ngữ on the right;
    `landscape` prints the page on A4 turned sideways (a sheet with many columns)."""
    head = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in facts)
    parts = [f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
             f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
             f"<title>{escape(title)}</title>\n<style>{style(lang, footer, landscape)}</style>\n"
             f"{head_extra}"
             f"</head>\n<body>\n{national(authority, lang) if authority is not None else ''}"
             f"<h1>{escape(title)}</h1>\n"]
    if facts:
        parts.append(f'<table class="facts">{head}</table>\n')
    parts += [_block(block, lang) for block in blocks]
    roles = [lg.words(lang)(role) for role in ROLES] if signers is None else signers
    if roles:
        parts.append(signatures(roles, lang, place, signed_on))
    parts.append("</body>\n</html>\n")
    return "".join(parts)


def national(authority: str, lang: str) -> str:
    """The header of a Vietnamese administrative paper: who issues it on the left (in capitals,
    underlined), quốc hiệu and tiêu ngữ on the right."""
    say = lg.words(lang)
    return (f'<table class="national"><tr><td class="authority"><strong>'
            f"{escape(authority.upper())}</strong></td>"
            f'<td class="nation"><strong>{escape(say(LABELS["nation"]))}</strong><br>'
            f'<span class="motto">{escape(say(LABELS["motto"]))}</span></td></tr></table>\n')


def _block(block: Block, lang: str) -> str:
    if isinstance(block, Note):
        text = block.text if block.markup else escape(block.text)
        return f'<p class="note">{text}</p>\n'
    if isinstance(block, Figure):
        note = f'<p class="note">{escape(block.note)}</p>' if block.note else ""
        return (f'<section class="figure"><h2>{escape(block.title)}</h2>\n'
                f'<div class="chart">{block.svg}</div>{note}</section>\n')
    return table(block, lang)


def table(block: Table, lang: str) -> str:
    note = f'<p class="note">{escape(block.note)}</p>\n' if block.note else ""
    if not block.rows:
        return f"<h2>{escape(block.title)}</h2>\n{note}<p>{lg.words(lang)(LABELS['none'])}</p>\n"
    heads = "".join(f'<th class="{_align(block, key)}"'
                    + (f' style="min-width: {block.widths[key]:.1f}em"' if key in block.widths
                       else "") + f">{_heading(title)}</th>"
                    for key, title in block.columns)
    if block.sign is not None:
        heads += f'<th class="sign">{escape(block.sign)}</th>'
    sign = '<td class="sign"></td>' if block.sign is not None else ""
    labels = {key: escape(" ".join(title.split())) for key, title in block.columns}
    width = len(block.columns) + (block.sign is not None)
    def starts(row: dict[str, Any]) -> str:  # a new body before a group or the total
        return ("</tbody>\n<tbody class=\"keep\">\n"
                if block.keep and row.get(ROW) in ("heading", "total") else "")

    body = "".join(
        starts(row) +
        f'<tr class="group"><th colspan="{width}">{escape(str(row["heading"]))}</th></tr>\n'
        if row.get(ROW) == "heading" else starts(row) +
        (f'<tr class="{escape(str(row[ROW]))}">' if row.get(ROW) else "<tr>")
        + "".join(f'<td class="{_align(block, key)}" data-label="{labels[key]}"'
                  + (f' colspan="{row[SPAN]}"' if index == 0 and row.get(SPAN) else "")
                  + f">{escape(cell(row.get(key), block.kinds.get(key), lang))}</td>"
                  for index, (key, _) in enumerate(block.columns)
                  if not 0 < index < (row.get(SPAN) or 1))
        + (sign if not row.get(ROW) else '<td class="sign"></td>' if sign else "") + "</tr>\n"
        for row in block.rows)
    signed = " signed" if block.sign is not None else ""
    grid = (f"<table class=\"data{signed}\">\n<thead><tr>{heads}</tr></thead>\n<tbody>\n"
            f"{body}</tbody>\n</table>\n").replace("<tbody>\n</tbody>\n", "")
    if block.scroll:
        grid = f'<div class="wide">{grid}</div>\n'
    return f"<h2>{escape(block.title)}</h2>\n{note}{grid}"


def _heading(title: str) -> str:
    """A column heading; a second line ("Mì gói\nthùng") is printed small beneath the first."""
    first, _, rest = title.partition("\n")
    return escape(first) + (f"<br><small>{escape(rest)}</small>" if rest else "")


def _align(block: Table, key: str) -> str:
    if block.kinds.get(key) in ("money", "number"):
        return "n"
    if block.kinds.get(key) in ("date", "code"):
        return "t d"
    numeric = block.rows and all(type(row.get(key)) is int for row in block.rows)
    return "n" if numeric and block.kinds.get(key) not in ("text", "code") else "t"


def cell(value: Any, kind: str | None, lang: str) -> str:
    """One value as the reader's language writes it."""
    if value is None or value == "":
        return ""
    if isinstance(value, Phrase):  # "cash" in a list of goods: said in the page's language
        return value.text(lg.words(lang), lg.figures(lang))
    if kind == "money" and type(value) is int:
        return lg.money(value, lang)
    if kind == "date" and isinstance(value, str):
        return lg.day(value, lang)
    if type(value) is int and kind not in ("text", "code"):
        return lg.number(value, lang)
    if type(value) is str and kind not in ("text", "code"):  # "2021-11-17", "0.4677"
        return lg.figures(lang).local(value)
    return str(value)


def signatures(roles: Sequence[str], lang: str, place: str = "",
               signed_on: str | None = None) -> str:
    """The signature block: place and date, then one column per role with room to sign."""
    when = date.fromisoformat(signed_on) if signed_on else dates.today()
    if lang == "vi":
        day_text = lg.words(lang)(LABELS["on"]).format(d=f"{when.day:02d}",
                                                       m=f"{when.month:02d}", y=when.year)
    else:
        day_text = lg.day(when, lang)
    line = f"{place}, {day_text}" if place else day_text
    cells = "".join(f'<td><strong>{escape(role)}</strong><br><span class="hint">'
                    f'{escape(lg.words(lang)(LABELS["sign_hint"]))}</span></td>' for role in roles)
    return (f'<div class="signatures"><p class="when">{escape(line)}</p>\n'
            f'<table class="signers"><tr>{cells}</tr></table></div>\n')


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def style(lang: str, footer: str = "", landscape: bool = False) -> str:
    """Screen and A4 print styles; page numbers and the footer live in the page margins."""
    size = "A4 landscape" if landscape else "A4"
    page_label = _css_string(lg.words(lang)(LABELS["page"]) + " ")
    left = f"@bottom-left {{ content: {_css_string(footer)}; font-size: 7.5pt; color: #555; }}" \
        if footer else ""
    return f"""
@page {{ size: {size}; margin: 15mm 14mm 16mm 14mm;
  @bottom-right {{ content: {page_label} counter(page) " / " counter(pages);
                   font-size: 8pt; color: #555; }}
  {left} }}
body {{ font-family: "Noto Sans", "DejaVu Sans", "Liberation Sans", "Segoe UI", Arial,
        sans-serif; margin: 2em auto; max-width: 190mm; color: #111; font-size: 11pt; }}
h1 {{ font-size: 1.4em; margin: 0 0 0.4em; }}
h2 {{ font-size: 1.05em; margin: 1.4em 0 0.3em; border-bottom: 1px solid #888; }}
table {{ border-collapse: collapse; }}
table.data {{ width: 100%; margin-top: 0.3em; }}
table.data th, table.data td {{ border: 1px solid #aaa; padding: 0.15em 0.4em;
  vertical-align: top; text-align: left; }}
table.data th {{ background: #eee; }}
.d {{ white-space: nowrap; }}
.n {{ text-align: right !important; font-variant-numeric: tabular-nums; white-space: nowrap; }}
th.n {{ white-space: normal; }}
table.facts th {{ text-align: left; padding: 0 1em 0 0; font-weight: normal; color: #444;
  white-space: nowrap; vertical-align: top; }}
table.facts td {{ padding: 0; overflow-wrap: anywhere; }}
table.facts code, .digest code {{ word-break: break-all; }}
th.sign {{ width: 28%; }}
table.signed td {{ height: 2.4em; }}
.note {{ color: #444; font-size: 0.9em; margin: 0.3em 0; }}
.figure {{ break-inside: avoid; }}
.chart svg {{ max-width: 100%; height: auto; }}
.panel {{ display: inline-block; width: 49%; }}
.signatures {{ margin-top: 2em; break-inside: avoid; }}
.signatures .when {{ text-align: right; font-style: italic; }}
table.signers {{ width: 100%; table-layout: fixed; }}
table.signers td {{ text-align: center; vertical-align: top; height: 7em; }}
.hint {{ font-size: 0.85em; color: #555; }}
table.national {{ width: 100%; margin: 0 0 1.2em; table-layout: fixed; }}
table.national td {{ text-align: center; vertical-align: top; font-size: 0.95em; }}
table.national td.authority {{ width: 38%; }}
table.national td.authority strong, .motto {{ display: inline-block; padding-bottom: 0.15em;
  border-bottom: 1px solid #111; }}
.motto {{ font-weight: bold; }}
tr.group th {{ text-align: left; background: #f4f4f4; }}
tr.subtotal td, tr.total td {{ font-weight: bold; white-space: nowrap; }}
tr.total td.t:not(.d) {{ white-space: normal; }}
table.signed th.n {{ min-width: 4.5em; hyphens: auto; }}
tr.total td {{ border-top: 2px solid #444; }}
tr.quiet td {{ white-space: normal; font-style: italic; color: #444; }}
th small {{ font-weight: normal; color: #444; }}
@media screen and (max-width: 600px) {{
  /* a phone: every table becomes a stack of cards, one per row, each cell labelled by its
     column (data-label), so nothing runs off the right edge */
  table.data, table.data tbody, table.data tr, table.data td {{ display: block; width: auto; }}
  table.data thead {{ display: none; }}
  table.data tr {{ border: 1px solid #aaa; margin: 0 0 0.6em; padding: 0.2em 0.5em; }}
  table.data td {{ border: 0; padding: 0.2em 0; display: flex; gap: 0.8em;
    justify-content: space-between; text-align: right !important; white-space: normal;
    overflow-wrap: anywhere; }}
  table.data td::before {{ content: attr(data-label); font-weight: bold; color: #444;
    text-align: left; flex: 0 0 42%; overflow-wrap: anywhere; }}
  table.data td:empty {{ display: none; }}
  table.data tr.quiet td {{ display: block; text-align: left !important; }}
  table.data tr.quiet td::before {{ content: none; }}  /* a sentence: no column to name */
  table.data td.sign {{ display: block; height: 2.4em; border-top: 1px dotted #aaa; }}
  table.facts, table.facts tbody, table.facts tr, table.facts th, table.facts td {{
    display: block; white-space: normal; }}
  table.facts td {{ margin: 0 0 0.4em; }}
  .panel {{ display: block; width: 100%; }}
  h1, h2, p, td {{ overflow-wrap: anywhere; }}
}}
@media print {{
  body {{ margin: 0; max-width: none; font-size: 9.5pt; }}
  h2 {{ break-after: avoid; }}
  tr, tbody.keep {{ break-inside: avoid; }}
  table.data th {{ background: none; }}
  thead {{ display: table-header-group; }}
}}
"""
