"""The round's public outflow statement (công khai đợt phát) as page blocks and as one A4
page: what `aid round outflow` prints and the stock board's round page shows, built once."""

from __future__ import annotations

from typing import Any

from commands.language.words import N_
from commands.output.columns import goods

OUTFLOW_COLUMNS = [("recipient", N_("household")), ("group", N_("group")), ("tier", N_("tier")),
                   ("goods", N_("received")), ("cash", N_("cash")), ("value", N_("value"))]


def outflow_blocks(result: dict[str, Any], lang: str) -> list[Any]:
    """The statement's table and total for a page (`aid round outflow -o`, the stock board)."""
    from commands.language import words as lg
    from commands.output.pages import Note, Table

    word = lg.words(lang)
    rows = [{**row, "goods": goods(row["goods"])} for row in result["rows"]]
    table = Table(word(N_("Households that received")),
                  [(key, word(title)) for key, title in OUTFLOW_COLUMNS], rows,
                  kinds={"recipient": "code", "tier": "text", "cash": "money",
                         "value": "money"}, scroll=True)
    return [table, Note(outflow_total(result, lang))]


def outflow_total(result: dict[str, Any], lang: str) -> str:
    """The statement's last line: how many households received what, and its worth."""
    from ledger.phrases import Money

    # Money, not a written figure: "100.000" passed as text was read back as a decimal
    return render_word(lang, N_("{households} households received {goods}; cash {cash:,}, "
                                "value {value:,}"),
                       households=result["households"], goods=goods(result["handed"]) or "-",
                       cash=Money(result["cash"]), value=Money(result["value"]))


def outflow_page(result: dict[str, Any], lang: str) -> str:
    """The statement as one A4 page to post (công khai), with the signature block."""
    from commands.language import words as lg
    from commands.output.pages import page

    word = lg.words(lang)
    title = render_word(lang, N_("Public outflow statement, round {round}"),
                        round=result["round"])
    facts = [(word(N_("Ward")), result["ward"]), (word(N_("Round")), result["round"]),
             (word(N_("Handed out at")), result["location"]),  # capitalised alike, as the
             (word(N_("Date")), lg.day(result["on"], lang)),  # receipt list's own facts
             (word(N_("Plan")), result["plan"][:12])]
    return page(title, facts, outflow_blocks(result, lang), lang, place=result["ward"],
                signed_on=result["on"])


def render_word(lang: str, template: str, **fields: Any) -> str:
    from commands.language import words as lg
    from ledger.phrases import render

    return render(template, fields, lg.words(lang), lg.figures(lang))
