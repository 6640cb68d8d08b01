"""The round's public outflow statement (công khai đợt phát) as page blocks and as one A4
page: what `aid round outflow` prints and the stock board's round page shows, built once.

Goods are named as people know them, with the code beside for the auditor and the unit after
the quantity ("Mì gói (thùng 30 gói) (NOODLE) 1 thùng"), as on the public statement; the CSV
and the JSON keep the codes scripts read."""

from __future__ import annotations

from typing import Any

from commands.language.words import N_
from commands.output.columns import goods as coded
from ledger.phrases import Phrase

OUTFLOW_COLUMNS = [("recipient", N_("household")), ("group", N_("group")), ("tier", N_("tier")),
                   ("goods", N_("received")), ("cash", N_("cash")), ("value", N_("value"))]
WORDS = {"title": N_("Public outflow statement, round {round}"),
         "total": N_("Total ({count} households)"),
         "ward_of": N_("People's Committee of {ward}")}


def named(result: dict[str, Any], quantities: dict[str, int]) -> Phrase | str:
    """ "Mì gói (thùng 30 gói) (NOODLE) 1 thùng, Nước mắm (FISHSAUCE) 1 chai": each good by
    name, code and unit (a bundle's unit said in the reader's language); codes alone for a
    result without the names (`coded`)."""
    names = result.get("goods")
    if names is None:
        return coded(quantities)
    return Phrase.join(", ", (
        Phrase(N_("{goods} {quantity:,} {unit}"), goods=_name(item, names.get(item, {})),
               quantity=qty, unit=names.get(item, {}).get("unit", ""))
        for item, qty in quantities.items() if qty))


def _name(code: str, described: dict[str, Any]) -> str:
    name = described.get("name")
    return f"{name} ({code})" if name and name != code else code


def shown_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows as people read them (the table, the workbook, the page): goods named."""
    return [{**row, "goods": named(result, row["goods"])} for row in result["rows"]]


def total_row(result: dict[str, Any], lang: str | None = None) -> dict[str, Any]:
    """The "Total (13 households)" row: every good handed out, the cash and the value."""
    from commands.language import words as lg

    say = lg.words(lang) if lang is not None else lg._
    count = lg.number(result["households"], lang or lg.current())
    return {"recipient": say(WORDS["total"]).format(count=count),
            "goods": named(result, result["handed"]), "cash": result["cash"],
            "value": result["value"]}


def outflow_blocks(result: dict[str, Any], lang: str) -> list[Any]:
    """The statement's table, closed by its total row, for a page (`aid round outflow -o`,
    the stock board)."""
    from commands.language import words as lg
    from commands.output.pages import ROW, SPAN, Table

    word = lg.words(lang)
    rows = shown_rows(result)
    if rows:  # its words across the code, group and tier columns
        rows.append({ROW: "total", SPAN: 3, **total_row(result, lang)})
    table = Table(word(N_("Households that received")),
                  [(key, word(title)) for key, title in OUTFLOW_COLUMNS], rows,
                  kinds={"recipient": "code", "group": "code", "tier": "text", "cash": "money",
                         "value": "money"}, scroll=True)
    return [table]


def outflow_total(result: dict[str, Any], lang: str) -> str:
    """The statement's last line: how many households received what, and its worth."""
    from ledger.phrases import Money

    # Money, not a written figure: "100.000" passed as text was read back as a decimal
    return render_word(lang, N_("{households} households received {goods}; cash {cash:,}, "
                                "value {value:,}"),
                       households=result["households"],
                       goods=named(result, result["handed"]) or "-",
                       cash=Money(result["cash"]), value=Money(result["value"]))


def place(result: dict[str, Any]) -> str:
    """ "KHO — Kho UBND phường 3": the code, and the name where the store has one."""
    name = result.get("location_name")
    return result["location"] + (f" — {name}" if name else "")


def outflow_page(result: dict[str, Any], lang: str) -> str:
    """The statement as one A4 page to post (công khai): the national header, the round's
    facts, the table with its total row, and the signature block."""
    from commands.language import words as lg
    from commands.output.pages import page

    word = lg.words(lang)
    words = lg.translated(WORDS, lang)
    title = render_word(lang, WORDS["title"], round=result["round"])
    facts = [(word(N_("Ward")), result["ward"]), (word(N_("Round")), result["round"]),
             (word(N_("Handed out at")), place(result)),  # capitalised alike, as the
             (word(N_("Date")), lg.day(result["on"], lang)),  # receipt list's own facts
             (word(N_("Plan")), result["plan"][:12])]
    return page(title, facts, outflow_blocks(result, lang), lang, place=result["ward"],
                signed_on=result["on"], authority=words["ward_of"].format(ward=result["ward"]),
                footer=f"{result['ward']} · {title}")


def render_word(lang: str, template: str, **fields: Any) -> str:
    from commands.language import words as lg
    from ledger.phrases import render

    return render(template, fields, lg.words(lang), lg.figures(lang))
