"""`aid receipt ENTRY` (a donor's receipt with its proof) and `aid receipt verify FILE`.

The receipt is a projection over the stored donation and the ledger's Merkle tree
(`projections/audit/receipts.py`); verify needs no ledger. The page
`commands/output/verify-receipt.html` checks a receipt in a browser, offline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from commands.audit.tree import (
    ledger_tree,
    note_text,
    read_json,
    signed_checkpoint,
    verifier_keys,
    write_or_print,
)
from commands.cli import options as o
from commands.language.words import (
    DEFAULT,
    LANGUAGES,
    N_,
    _,
    current,
    day,
    message,
    say,
    words,
)
from ledger.errors import BadInput, Refused
from ledger.phrases import C_
from ledger.ward.names import short

PAGE = Path(__file__).parents[1] / "output" / "verify-receipt.html"
SLOT = '<script id="receipt-data" type="application/json"></script>'
# The page's own texts: the English of each `say("…")`, `fault("…")` and `t("…")` in its
# script is a msgid of the catalog (context PAGE_CONTEXT); their translations are written into
# the page's WORDS, between the two comments, by `receipt_page` and by the catalog's update.
PAGE_CONTEXT = "receipt page"
PAGE_TEXT = re.compile(r'\b(?:say|fault|t)\("((?:[^"\\]|\\.)*)"')
PAGE_WORDS = re.compile(r"/\* words \*/.*?/\* end words \*/", re.S)
HTML_LANG = '<html lang="vi">'


class ReceiptFormat(str, Enum):
    text = "text"
    json = "json"


class _EntryOrCommand(TyperGroup):
    """`aid receipt 12` is `aid receipt show 12`; `aid receipt verify FILE` is itself."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["show", *args]
        return super().resolve_command(ctx, args)


receipt_app = typer.Typer(cls=_EntryOrCommand, no_args_is_help=True,
                          help="A donor's receipt with a proof anyone can check (aid receipt "
                               "ENTRY), and its check (aid receipt verify FILE).")




@receipt_app.command("show", hidden=True)
def show(entry: Annotated[int, typer.Argument(help="The donation's entry id.")],
         fmt: Annotated[ReceiptFormat, typer.Option("--format", help="Output format.")]
         = ReceiptFormat.text,
         output: Annotated[Optional[Path], typer.Option(
             "--output", "-o", metavar="FILE.json|FILE.html|FILE.pdf",
             help="Write the receipt: JSON to keep and check, or a page to print (.pdf needs "
                  "Chromium).", show_default=False)] = None,
         db: o.Db = None) -> None:
    """The receipt of donation ENTRY: what was given, when, the receipt number, and the
    proof that it is in the ledger's signed checkpoint."""
    suffix = output.suffix.lower() if output is not None else ""
    if output is not None and suffix not in (".json", ".html", ".pdf"):
        raise BadInput("-o writes a receipt as .json, .html or .pdf, not {name}",
                       name=output.name)
    found = make_receipt(entry, db)
    if suffix in (".html", ".pdf"):
        page = receipt_page(found)
        if suffix == ".html":
            write_or_print(page, output, say("receipt written to {path}", path=output))
        else:
            from commands.output.printing import save as print_page

            typer.echo(print_page(page, output))
        return
    if fmt is ReceiptFormat.json or suffix == ".json":
        write_or_print(json.dumps(found, ensure_ascii=False, indent=2) + "\n", output,
                       say("receipt written to {path}", path=output))
        return
    typer.echo("\n".join(_lines(found)))


def make_receipt(entry: int, db: Path | None) -> dict[str, Any]:
    from ledger.trust import heads
    from projections.audit.receipts import DONATED, build, proves
    from projections.books import ENTRIES
    from projections.history import not_a_donation, refuse_if_reversed

    with ledger_tree(db) as (log, tree):
        row = log.row_of(heads.WARD_ID, entry) if 0 < entry < 2**63 else None  # SQL's range
        if row is None:
            raise BadInput("there is no entry {entry}; see `aid history` for entry ids",
                           entry=entry)
        if row[3] != DONATED:
            raise not_a_donation(entry, ENTRIES.get(short(row[3])))
        refuse_if_reversed(log, entry, N_("receipt with its proof"))
        from ledger.store.tree import leaf_of

        index = tree.ordinal(row)
        if tree.leaf(index) != leaf_of(row):
            raise Refused("the ledger's stored Merkle tree does not hold entry {entry} as it "
                          "is stored (changed outside aid?): run `aid audit verify`",
                          entry=entry)
        signed = signed_checkpoint(log, tree)
        found = build(row, index, tree, signed, signed["vkeys"])
        found = {**found, **names(log, found)}
    if not proves(found):  # never hand a donor a proof that fails at home
        raise Refused("the ledger's stored Merkle tree gives a proof that does not verify: "
                      "it is damaged; run `aid audit verify`")
    return found


def names(log: Any, found: dict[str, Any]) -> dict[str, Any]:
    """What the receipt's codes are called, for people to read ("Cô Ba (ABC)", "Trứng (EGG) 20
    vỉ"): keys added beside the proven ones, never instead of them. They are the ward's
    declarations as of now, not part of the proof (`verify` reads the codes from the proven
    bytes); an anonymous donor's name stays out, as on every public page."""
    from projections.store import ReadModels

    state = ReadModels(log).books().state
    donor = state["donors"].get(found["donor"] or "", {})
    items = {code: state["items"].get(code) or {} for code in found["goods"]}
    return {"donor_name": None if donor.get("anonymous") else donor.get("name"),
            "anonymous": bool(donor.get("anonymous")),
            "location_name": (state["locations"].get(found["location"] or "") or {}).get("name"),
            "goods_names": {code: {"name": item.get("name"), "unit": item.get("unit")}
                            for code, item in items.items()}}


def _lines(found: dict[str, Any]) -> list[str]:
    goods = ", ".join(f"{item} {quantity:,}" for item, quantity in found["goods"].items())
    lines = [say("Receipt {receipt}: donation entry {entry} on {on} from {donor} into "
                 "{location}", receipt=found["receipt"] or "-", entry=found["entry"],
                 on=day(found["on"], current()), donor=found["donor"],
                 location=found["location"])]
    if found["cash"]:
        lines.append("  " + say("cash: {cash:,} đồng", cash=found["cash"]))
    if goods:
        lines.append("  " + say("goods: {goods}", goods=goods))
    lines.append(say("Proof: event {index} of {size}, {count} hashes up to root {root}",
                     index=found["leaf_index"] + 1, size=found["tree_size"],  # counted from 1
                     count=len(found["audit_path"]), root=found["root"]))
    lines.append(_("Keep it with `aid receipt ENTRY -o receipt.json` (or .html to print); "
                   "anyone checks it with `aid receipt verify receipt.json`."))
    lines.append("")
    lines.append(found["checkpoint"].rstrip("\n"))
    return lines


def receipt_page(found: dict[str, Any]) -> str:
    """The offline verifier page with this receipt in it, in the reader's language (the
    other one a link away): it checks itself when opened."""
    data = json.dumps(found, ensure_ascii=False).replace("</", "<\\/")
    page = with_words(PAGE.read_text(encoding="utf-8"), {
        lang: page_words(words(lang)) for lang in LANGUAGES if lang != DEFAULT})
    page = page.replace(HTML_LANG, f'<html lang="{current()}">', 1)
    return page.replace(SLOT, SLOT.replace("></script>", f">{data}</script>"), 1)


def page_texts(page: str | None = None) -> list[str]:
    """The English texts of the verifier page's script, once each, in order."""
    found = PAGE_TEXT.findall(PAGE.read_text(encoding="utf-8") if page is None else page)
    return list(dict.fromkeys(json.loads(f'"{text}"') for text in found))


def page_words(translate: Callable[[str], str]) -> dict[str, str]:
    """{English text: its translation} for the page's texts that `translate` translates."""
    said = {text: translate(C_(PAGE_CONTEXT, text)) for text in page_texts()}
    return {text: word for text, word in said.items() if word != text}


def with_words(page: str, found: dict[str, dict[str, str]]) -> str:
    """The page with `found` ({language: {English: translation}}) as its WORDS."""
    text = json.dumps(found, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    return PAGE_WORDS.sub(lambda _: f"/* words */{text}/* end words */", page, count=1)


def embedded_words(page: str | None = None) -> dict[str, dict[str, str]]:
    """The WORDS a page carries (the template's: written by the catalog's update)."""
    found = PAGE_WORDS.search(PAGE.read_text(encoding="utf-8") if page is None else page)
    return json.loads(found[0].removeprefix("/* words */").removesuffix("/* end words */")
                      .replace("<\\/", "</")) if found else {}


@receipt_app.command("verify")
def verify(file: Annotated[str, typer.Argument(
               metavar="FILE", help="The receipt (.json, or the .html page).")],
           later: Annotated[Optional[str], typer.Option(
               "--checkpoint", metavar="NOTE",
               help="A later checkpoint (a file or its text) that must still hold the "
                    "donation.", show_default=False)] = None,
           consistency: Annotated[Optional[str], typer.Option(
               "--consistency", metavar="FILE",
               help="The proof from the receipt's checkpoint to the later one (`aid audit "
                    "consistency OLD NEW --format json`).", show_default=False)] = None,
           vkey: Annotated[Optional[list[str]], typer.Option(
               "--vkey", metavar="NAME+ID+KEY",
               help="The ward's verifier key as the ward publishes it (the `vkeys` of `aid "
                    "audit checkpoint --format json`), held outside the receipt: the receipt's "
                    "checkpoint, or a later one that extends it, must be signed by it "
                    "(repeatable).", show_default=False)] = None
           ) -> None:
    """Check a receipt without the ledger: the donation's bytes, its proof, the signed
    checkpoint (exit 1 naming what fails; exit 2 when a later checkpoint given proves
    nothing: not a signed note, signed by no key the receipt names, or without its proof).
    A receipt names its signer's key itself: unless --vkey or a later checkpoint vouches for
    that key, compare the key id it prints with the ward's published key."""
    from ledger.trust.seal_bytes import key_id
    from projections.audit.receipts import verify as check

    keys = verifier_keys(vkey)
    receipt = read_json(file, N_("donor's receipt"))
    proof = read_json(consistency, N_("consistency proof")) if consistency else None
    if proof is not None and later is None:
        raise BadInput("--consistency proves a later checkpoint: give it with --checkpoint")
    checked = check(receipt, note_text(later) if later is not None else None, proof, keys)
    if checked.gift is not None:
        gift = checked.gift
        typer.echo(say("donation entry {entry} on {on}, receipt {receipt}, from {donor} into "
                       "{location}: cash {cash:,} đồng, goods {goods}", entry=gift["entry"],
                       on=day(gift["on"], current()), receipt=gift["receipt"] or "-",
                       donor=gift["donor"],
                       location=gift["location"], cash=gift["cash"],
                       goods=", ".join(f"{k} {v:,}" for k, v in gift["goods"].items()) or "-"))
    for fact in checked.facts:
        typer.echo(message(fact))
    if not checked.ok:
        for failure in checked.failures[1:]:
            typer.echo(message(failure))
        typer.echo(say("aid: the receipt does not verify: {failure}",
                       failure=message(checked.failures[0])), err=True)
        raise typer.Exit(1)
    if checked.unproven is not None:  # the receipt holds; what was asked of it is unanswered
        raise BadInput(checked.unproven.template, **checked.unproven.fields)
    if checked.only_its_own is not None:  # signed by a key only the receipt itself names
        key = checked.only_its_own
        typer.echo(say(SELF_SIGNED, name=key.name, id=key_id(key.public_key)))
        return
    typer.echo(_(PROVEN))


PROVEN = N_("ok: the receipt proves this donation is in the ledger's signed checkpoint (not "
            "that the goods reached households: the signed receipt lists prove that)")
SELF_SIGNED = N_("ok only if key {id} is the ward's: the receipt holds together and its "
                 "checkpoint is signed by {name} (key id {id}), but that key is named by the "
                 "receipt itself, and anyone can sign a receipt of their making with a key of "
                 "their own. Compare key id {id} with the ward's published key (on its public "
                 "statement, its board, a checkpoint the district holds), or check the receipt "
                 "against it: --vkey NAME+ID+KEY, or a later checkpoint held outside "
                 "(--checkpoint, --consistency). It does not prove that the goods reached "
                 "households: the signed receipt lists prove that")
