"""The signed receipt list (danh sách ký nhận): CSV, a workbook, or the shared A4 page
(commands/output/pages.py) with a column for each household to sign and a signature block for the list
maker and the head of the board.

All three come from one set of typed rows, so they cannot disagree; the CSV keeps the columns it
has always had (scripts read it), the page and the workbook add the cash the bundles carry.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from commands.language import words as lg
from commands.language.words import N_
from commands.output.cells import inert_row
from ledger.phrases import Phrase

Columns = list[tuple[str, str]]

WORDS = {"title": N_("Signed receipt list — round {round}"), "ward": N_("Ward"),
         "round": N_("Round"), "location": N_("Handed out at"), "on": N_("Date"),
         "plan": N_("Plan"), "households": N_("Households"), "no": N_("No."), "code": N_("Code"),
         "name": N_("Name"), "group": N_("Group"), "size": N_("Persons"), "cash": N_("Cash"),
         "received": N_("Note"), "handed": N_("received"), "sign": N_("Signature (ký nhận)"),
         "note": N_("Each household signs when it receives its share. Households that already "
                    "received are marked \"received\"."),
         "cash_note": N_("Cash is what the bundles hold."),
         "ward_of": N_("People's Committee of {ward}"),
         "no_group": N_("No group"),
         "subtotal": N_("Total {group} ({count} households)"),
         "total": N_("Total ({count} households)")}
SIGNERS = (N_("List made by (người lập danh sách)"), N_("Head of the board (trưởng ban)"))


def records(data: dict[str, Any]) -> list[dict[str, Any]]:
    """One typed row per household: quantities as integers (None where none), handed a bool."""
    return [{"no": number, "code": line["code"], "name": line["name"], "group": line["group"],
             "size": line["size"],
             **{f"goods.{i}": line["goods"].get(g["code"]) or None
                for i, g in enumerate(data["goods"])},
             "cash": line["cash"] or None, "handed": line["handed"], "signature": None}
            for number, line in enumerate(data["lines"], start=1)]


def columns(data: dict[str, Any], cash: bool = True) -> Columns:
    """Field keys and language-neutral headings (good codes), as in the CSV and workbook."""
    goods = [(f"goods.{i}", g["code"]) for i, g in enumerate(data["goods"])]
    money = [("cash", "cash")] if cash and data["cash"] else []
    return [(k, k) for k in ("no", "code", "name", "group", "size")] + goods + money + [
        ("handed", "handed"), ("signature", "signature")]


def as_csv(data: dict[str, Any]) -> str:
    """The CSV as it has always been: no cash column, handed as "yes" or empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    shown = columns(data, cash=False)
    writer.writerow(inert_row(heading for _, heading in shown))
    for row in records(data):
        writer.writerow(inert_row(_text(row[key]) for key, _ in shown))
    return out.getvalue()


def _text(value: Any) -> Any:
    if value is None or value is False:
        return ""
    return "yes" if value is True else value


def as_page(data: dict[str, Any], lang: str) -> str:
    """The receipt list on the shared A4 page, as a ward files it: the national header, the
    round's facts, then the households tổ by tổ, each tổ under its heading and closed by its
    subtotal, a total row at the end, and the signature block; a page break never splits a
    tổ from its subtotal. Goods are headed by their name with the unit in brackets, as the
    workbook heads them, on two lines at most; with more than three goods columns the page
    turns to landscape."""
    from commands.output.pages import ROW, Note, Table, page

    words = lg.translated(WORDS, lang)
    title = words["title"].format(round=data["round"])
    place = data["location"] + (f" — {data['location_name']}" if data["location_name"] else "")
    facts = [(words["ward"], data["ward"]), (words["round"], data["round"]),
             (words["location"], place), (words["on"], lg.day(data["on"], lang)),
             (words["plan"], data["plan"][:12])]
    goods = [(f"goods.{i}", heading(g, lang)) for i, g in enumerate(data["goods"])]
    money = [("cash", words["cash"])] if data["cash"] else []
    shown = ([(key, words[key]) for key in ("no", "code", "name", "size")] + goods
             + money + [("received", words["received"])])
    figures = [key for key, _ in goods] + (["cash"] if data["cash"] else []) + ["size"]
    rows: list[dict[str, Any]] = []
    every = records(data)
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in every:
        groups.setdefault(row["group"] or "", []).append(row)
    for group, members in groups.items():
        named = group or words["no_group"]
        rows.append({ROW: "heading", "heading": named})
        rows += [{**row, "received": words["handed"] if row["handed"] else ""}
                 for row in members]
        rows.append({ROW: "subtotal", **_sums(members, figures),
                     "name": words["subtotal"].format(group=named, count=_n(len(members), lang))})
    rows.append({ROW: "total", **_sums(every, figures),
                 "name": words["total"].format(count=_n(len(every), lang))})
    kinds = {key: "number" for key, _ in goods}
    kinds.update(no="text", code="code", name="text", size="number", cash="money",
                 received="code")  # "code": kept on one line
    table = Table(words["households"], shown, rows, kinds=kinds, sign=words["sign"],
                  widths={key: two_lines(title) for key, title in goods}, keep=True)
    footer = f"{data['ward']} · {title} · {words['plan']} {data['plan'][:12]}"
    note = words["note"] + (" " + words["cash_note"] if data["cash"] else "")
    return page(title, facts, [Note(note), table], lang,
                signers=[lg.words(lang)(signer) for signer in SIGNERS], place=data["ward"],
                signed_on=data["on"], footer=footer,
                authority=words["ward_of"].format(ward=data["ward"]),
                landscape=len(goods) + bool(data["cash"]) > 3)


def as_workbook(data: dict[str, Any], lang: str, path: Any) -> int:
    """The receipt list as a workbook laid out like the page: the authority beside quốc hiệu
    and tiêu ngữ, the title and the round's facts above; the households tổ by tổ, each under
    its heading and closed by its subtotal, then the total; STT, the household, each good
    headed by its name and unit, the cash, "received" where it was handed out, and an empty
    "Ký nhận" column to sign in; the place, date and signature block below. Quantities and
    cash stay numbers; returns the households written."""
    from commands.output.pages import LABELS
    from commands.output.workbook import save_form

    words = lg.translated(WORDS, lang)
    say = lg.words(lang)
    place = data["location"] + (f" — {data['location_name']}" if data["location_name"] else "")
    goods = [(f"goods.{i}", heading(g, lang)) for i, g in enumerate(data["goods"])]
    shown = ([(key, words[key]) for key in ("no", "code", "name", "group", "size")] + goods
             + ([("cash", words["cash"])] if data["cash"] else [])
             + [("received", words["received"]), ("signature", words["sign"])])
    width = len(shown)
    first, last = 1, max(width - 2, 3)  # the two sides stand apart, as on the page

    def spread(texts: list[Any]) -> list[Any]:
        line: list[Any] = [None] * max(width, last + 1)
        line[first], line[last] = texts
        return line

    above = [spread([words["ward_of"].format(ward=data["ward"]).upper(),
                     say(LABELS["nation"])]),
             spread([None, say(LABELS["motto"])]), [None],
             [words["title"].format(round=data["round"])],
             [words["ward"], data["ward"]], [words["round"], data["round"]],
             [words["location"], place], [words["on"], lg.day(data["on"], lang)],
             [words["plan"], data["plan"][:12]], [None]]
    every = records(data)
    rows = _by_group(every, words, [key for key, _ in goods] + ["cash", "size"], lang)
    when = date.fromisoformat(data["on"])
    day_text = (say(LABELS["on"]).format(d=f"{when.day:02d}", m=f"{when.month:02d}",
                                         y=when.year) if lang == "vi" else lg.day(when, lang))
    below = [[None], spread([None, f"{data['ward']}, {day_text}"]),
             spread([say(signer) for signer in SIGNERS]),
             spread([say(LABELS["sign_hint"])] * 2)]
    save_form(path, N_("Signed receipt list"), rows, shown, above, below)
    return len(every)


def _by_group(every: list[dict[str, Any]], words: dict[str, str], figures: list[str],
              lang: str) -> list[dict[str, Any]]:
    """The workbook's rows: each tổ's heading, its households ("received" where handed), its
    subtotal; the total last."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in every:
        groups.setdefault(row["group"] or "", []).append(row)
    rows: list[dict[str, Any]] = []
    for group, members in groups.items():
        named = group or words["no_group"]
        rows.append({"name": named})
        rows += [{**row, "received": words["handed"] if row["handed"] else None}
                 for row in members]
        rows.append({**_sums(members, figures), "name": words["subtotal"].format(
            group=named, count=_n(len(members), lang))})
    rows.append({**_sums(every, figures),
                 "name": words["total"].format(count=_n(len(every), lang))})
    return rows


def heading(good: dict[str, Any], lang: str) -> str:
    """A good's column heading, the same on the page and in the workbook: its name with the
    unit in brackets, "Nước mắm (chai)", unless the name says it ("Mì gói (thùng 30 gói)")."""
    return lg.with_unit(good["name"], _unit(good, lang) if good["unit"] else "")


def two_lines(title: str) -> float:
    """The least width, in em, at which `title` wraps on whole words over two lines at most:
    the longer line of its most even split between two words, at about 0.75 em a letter in
    bold, and the cell's padding."""
    words = title.split() or [""]
    longer = min(max(len(" ".join(words[:cut])), len(" ".join(words[cut:])))
                 for cut in range(1, len(words) + 1))
    return round(longer * 0.75 + 1, 1)


def _unit(good: dict[str, Any], lang: str) -> str:
    """A good's unit in the page's language: a bundle's is a word ("phần quà"), an item's as
    declared ("kg")."""
    unit = good["unit"]
    return unit.text(lg.words(lang), lg.figures(lang)) if isinstance(unit, Phrase) else str(unit)


def _sums(rows: list[dict[str, Any]], keys: list[str]) -> dict[str, int]:
    return {key: sum(row.get(key) or 0 for row in rows) for key in keys}


def _n(count: int, lang: str) -> str:
    return lg.number(count, lang)
