"""Papers handed to people, on the shared A4 page (commands/output/pages.py): the 0 đồng
shop's voucher cards and a donor's receipt (giấy biên nhận).

Voucher cards: one card per voucher, several to a page, each with the shop, the code in large
print, its QR code (segno, drawn inline as SVG: nothing fetched), the value and the limits, and
where the household signs. A donor's receipt: the national header, what the ward received from
whom on which day (goods by name and unit, with their declared value and its total; cash in
figures and, in Vietnamese, in words: "Bằng chữ: Hai mươi triệu đồng"), the receipt number and
the ledger's entry, and the signature block of the one who received it.
"""

from __future__ import annotations

from html import escape
from typing import Any

from commands.language import words as lg
from commands.language.words import N_

CARD = {"title": N_("Vouchers of {shop}"), "card": N_("0 đồng shop voucher"),
        "code": N_("Code"), "value": N_("Value"), "household": N_("Household"),
        "limits": N_("Limits"), "valid": N_("Valid"), "from_to": N_("{first} to {last}"),
        "from": N_("from {first}"), "until": N_("until {last}"), "always": N_("no end date"),
        "max_items": N_("at most {count} items a visit"),
        "every": N_("one visit every {days} days"), "slot": N_("slot {slot}"),
        "none": N_("no limit"), "keep": N_("Show this card at the shop. Whoever holds the code can "
                                       "use it: keep it safe."),
        "no_cards": N_("No voucher to print.")}
RECEIPT = {"title": N_("Receipt for a donation"), "received_from": N_("Received from"),
           "on": N_("Received on"), "receipt": N_("Receipt no."), "entry": N_("Ledger entry"),
           "into": N_("Received at"), "goods": N_("Goods received"), "item": N_("Item"),
           "quantity": N_("Quantity"), "unit": N_("Unit"), "expires": N_("Use by"),
           "value": N_("Declared value"), "total": N_("Total"),
           "cash": N_("Cash received"), "in_words": N_("In words"), "note": N_("Note"),
           "ward_of": N_("People's Committee of {ward}"),
           "thanks": N_("{ward} thanks you for your support of the households in need. This "
                        "receipt can be checked against the ward's public statement: its "
                        "entry number is {entry}."),
           "anonymous": N_("Anonymous donor")}
RECEIVERS = (N_("Donor (người ủng hộ)"), N_("Received by (người nhận)"))


def qr_svg(text: str, scale: int = 3) -> str:
    """A QR code of `text` as inline SVG markup (segno, imported only here)."""
    import segno

    return segno.make(text, error="m", micro=False).svg_inline(scale=scale, border=2)


def voucher_cards(shop: dict[str, str], cards: list[dict[str, Any]], ward: str,
                  lang: str) -> str:
    """The cards of `cards` (voucher rows as `aid voucher show` has them) on A4 pages."""
    from commands.output.pages import Note, page

    words = lg.translated(CARD, lang)
    title = words["title"].format(shop=f"{shop['name']} ({shop['code']})")
    if not cards:
        return page(title, [], [Note(words["no_cards"])], lang, signers=[])
    drawn = "".join(_card(card, shop, ward, words, lang) for card in cards)
    return page(title, [], [Note(f'<div class="cards">{drawn}</div>', markup=True)], lang,
                signers=[], head_extra=f"<style>{CARD_STYLE}</style>\n",
                footer=f"{ward} · {title}")


CARD_STYLE = """
.cards { display: flex; flex-wrap: wrap; gap: 6mm; }
.card { width: 86mm; border: 1px dashed #555; padding: 4mm; box-sizing: border-box;
        break-inside: avoid; color: #111; font-size: 9.5pt; }
.card h3 { margin: 0 0 1mm; font-size: 10.5pt; }
.card .code { font-family: "DejaVu Sans Mono", monospace; font-size: 15pt; font-weight: bold;
              letter-spacing: 0.05em; white-space: nowrap; }
.card .qr { float: right; margin: 0 0 1mm 2mm; }
.card table { border-collapse: collapse; }
.card th { text-align: left; font-weight: normal; color: #444; padding: 0 2mm 0 0;
           vertical-align: top; white-space: nowrap; }
.card .keep { clear: both; font-size: 8pt; color: #444; margin: 1.5mm 0 0; }
"""


def _card(card: dict[str, Any], shop: dict[str, str], ward: str, words: dict[str, str],
          lang: str) -> str:
    first = lg.day(card["valid_from"], lang) if card.get("valid_from") else None
    last = lg.day(card["valid_to"], lang) if card.get("valid_to") else None
    valid = (words["from_to"].format(first=first, last=last) if first and last else
             words["from"].format(first=first) if first else
             words["until"].format(last=last) if last else words["always"])
    limits = [words["max_items"].format(count=card["max_items"])] if card.get("max_items") else []
    if card.get("every"):
        limits.append(words["every"].format(days=card["every"]))
    if card.get("slot"):
        limits.append(words["slot"].format(slot=card["slot"]))
    rows = [(words["value"], lg.money(card["value"], lang)),
            (words["household"], card["recipient"]),
            (words["limits"], "; ".join(limits) or words["none"]), (words["valid"], valid)]
    facts = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return (f'<div class="card"><div class="qr">{qr_svg(card["code"])}</div>'
            f"<h3>{escape(words['card'])} — {escape(shop['name'])}</h3>"
            f"<div>{escape(ward)}</div>"
            f'<div class="code">{escape(card["code"])}</div>'
            f"<table>{facts}</table>"
            f'<p class="keep">{escape(words["keep"])}</p></div>\n')


def donor_receipt(gift: dict[str, Any], lang: str) -> str:
    """A donor's receipt (giấy biên nhận) for one recorded donation: `gift` has ward, entry,
    on, donor {code, name, anonymous}, location {code, name}, receipt, note, cash, and goods
    [{item, name, unit, quantity, expires, value (declared, or None)}]."""
    from commands.output.pages import ROW, Note, Table, page

    words = lg.translated(RECEIPT, lang)
    donor = gift["donor"]
    who = words["anonymous"] if donor.get("anonymous") else f"{donor['name']} ({donor['code']})"
    facts = [(words["received_from"], who), (words["on"], lg.day(gift["on"], lang)),
             (words["into"], f"{gift['location']['name']} ({gift['location']['code']})")]
    if gift.get("receipt"):
        facts.append((words["receipt"], gift["receipt"]))
    facts.append((words["entry"], str(gift["entry"])))
    if gift.get("cash"):
        facts.append((words["cash"], lg.money(gift["cash"], lang)))
        if lang == "vi":  # the amount in words beneath the figures, as a receipt writes it
            from commands.language.in_words import money_in_words

            facts.append((words["in_words"], money_in_words(gift["cash"])))
    if gift.get("note"):
        facts.append((words["note"], gift["note"]))
    blocks: list[Any] = []
    if gift["goods"]:
        columns = [("name", words["item"]), ("quantity", words["quantity"]),
                   ("unit", words["unit"])]
        if any(line.get("expires") for line in gift["goods"]):
            columns.append(("expires", words["expires"]))
        rows: list[dict[str, Any]] = [{**line, "name": f"{line['name']} ({line['item']})"}
                                      for line in gift["goods"]]
        if any(line.get("value") for line in gift["goods"]):  # goods of a declared value:
            columns.append(("value", words["value"]))  # each line's worth and their sum
            rows.append({ROW: "total", "name": words["total"],
                         "value": sum(line.get("value") or 0 for line in gift["goods"])})
        blocks.append(Table(words["goods"], columns, rows,
                            kinds={"quantity": "number", "expires": "date", "value": "money"}))
    blocks.append(Note(words["thanks"].format(ward=gift["ward"], entry=gift["entry"])))
    return page(words["title"], facts, blocks, lang,
                signers=[lg.words(lang)(role) for role in RECEIVERS], place=gift["ward"],
                signed_on=gift["on"], authority=words["ward_of"].format(ward=gift["ward"]),
                footer=f"{gift['ward']} · {words['title']} · {words['entry']} {gift['entry']}")
