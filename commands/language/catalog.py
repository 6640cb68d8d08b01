"""Keeping the Vietnamese catalog in step with the code (a maintainer's tool, not a command).

    python -m commands.language.catalog update   # add new English texts to vi.po, drop gone ones, compile
    python -m commands.language.catalog check    # what is untranslated, mistranslated or not compiled

The English texts come from the code (`_("…")`, `N_("…")`, `C_("context", "…")` and the
messages of `Refused`, `BadInput` and `LedgerError`, found by Babel's extractor) and from the
command tree's help texts (commands/language/helptexts.py). A translation must keep every
`{field}` of its English text.
"""

from __future__ import annotations

import gettext
import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from commands.language.words import DOMAIN, LOCALES_DIR

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("ledger", "projections", "commands")
KEYWORDS = {"_": None, "N_": None, "say": None, "Refused": None, "BadInput": None,
            "LedgerError": None, "Shortage": None,
            "C_": ((1, "c"), 2),  # C_(context, text): a text with a msgctxt
            "_problem": (2,)}  # a statement's problem: (line, template, **fields)
TRANSLATED = ("vi",)
FIELD = re.compile(r"(?<!\{)\{([^{}]*)\}")


def po_path(lang: str, domain: str = DOMAIN) -> Path:
    return LOCALES_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


def template() -> Catalog:
    """Every English text the program can print."""
    found = Catalog(project="aid-ledger", domain=DOMAIN)
    for folder in SOURCES:
        for filename, line, text, _comments, context in extract_from_dir(
                ROOT / folder, keywords=KEYWORDS, comment_tags=()):
            if isinstance(text, str) and text.strip():
                found.add(text, locations=[(f"{folder}/{filename}", line)], context=context)
    from typer.main import get_command

    from commands.cli.main import app

    for text in _help_texts(get_command(app)):
        found.add(text, locations=[("commands/help", 0)])
    from commands.audit import receipt

    for text in receipt.page_texts():  # the donor's receipt page (its own script's texts)
        found.add(text, locations=[("commands/output/verify-receipt.html", 0)],
                  context=receipt.PAGE_CONTEXT)
    return found


def _help_texts(root: object) -> list[str]:
    from commands.language.helptexts import texts

    return list(texts(root))


def update() -> None:
    """Merge the code's texts into each catalog, then compile it."""
    english = template()
    for lang in TRANSLATED:
        path = po_path(lang)
        with path.open("rb") as file:
            kept = read_po(file, locale=lang, domain=DOMAIN)
        kept.update(english, no_fuzzy_matching=True)
        kept.obsolete.clear()
        out = io.BytesIO()
        write_po(out, kept, width=100, sort_output=False, omit_header=False,
                 include_lineno=False)  # a line number changes with every edit: noise
        path.write_bytes(out.getvalue())
    compile_all()
    _page_words()


def _page_words() -> None:
    """The receipt page's WORDS from the catalogs, so the page in the repository (opened
    without a receipt) speaks Vietnamese as `aid receipt -o` writes it."""
    from commands.audit import receipt

    page = receipt.PAGE.read_text(encoding="utf-8")
    fresh = receipt.with_words(page, _page_translations())
    if fresh != page:
        receipt.PAGE.write_text(fresh, encoding="utf-8", newline="\n")


def _page_translations() -> dict[str, dict[str, str]]:
    from commands.audit import receipt

    found: dict[str, dict[str, str]] = {}
    for lang in TRANSLATED:
        with po_path(lang).open("rb") as file:
            catalog = read_po(file)
        found[lang] = {text: message.string for text in receipt.page_texts()
                       if (message := catalog.get(text, context=receipt.PAGE_CONTEXT))
                       and message.string and not message.fuzzy and message.string != text}
    return found


def compile_all() -> None:
    """.po -> .mo, for every catalog (ours and typer's `messages`)."""
    for po in LOCALES_DIR.glob("*/LC_MESSAGES/*.po"):
        mo, fresh = po.with_suffix(".mo"), compiled(po)
        if not mo.is_file() or _texts(mo.read_bytes()) != _texts(fresh):  # else keep the file
            mo.write_bytes(fresh)


def compiled(po: Path) -> bytes:
    with po.open("rb") as file:
        catalog = read_po(file)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def _texts(mo: bytes) -> dict[str, str]:
    """A compiled catalog's translations, without its header (which carries dates)."""
    found = gettext.GNUTranslations(io.BytesIO(mo))._catalog  # type: ignore[attr-defined]
    return {key: value for key, value in found.items() if key}


def problems() -> list[str]:
    """Untranslated or fuzzy texts, lost {fields}, texts the code no longer has, stale .mo."""
    english = {_key(message) for message in template() if message.id}
    found = []
    for lang in TRANSLATED:
        path = po_path(lang)
        with path.open("rb") as file:
            catalog = read_po(file)
        have = {_key(message): message for message in catalog if message.id}
        found += [f"{lang}: not in the catalog: {_named(key)}" for key in sorted(english - set(have))]
        found += [f"{lang}: no longer in the code: {_named(key)}"
                  for key in sorted(set(have) - english)]
        for key, message in have.items():
            if not message.string or message.fuzzy:
                found.append(f"{lang}: untranslated: {_named(key)}")
            elif sorted(FIELD.findall(message.id)) != sorted(FIELD.findall(message.string)):
                found.append(f"{lang}: fields differ in {_named(key)}")
    from commands.audit import receipt

    if receipt.embedded_words() != _page_translations():
        found.append(f"{receipt.PAGE.relative_to(ROOT)} does not carry the catalog's words: "
                     "run `python -m commands.language.catalog update`")
    for po in LOCALES_DIR.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.is_file() or _texts(mo.read_bytes()) != _texts(compiled(po)):
            found.append(f"{mo.relative_to(ROOT)} is not compiled from {po.name}: run "
                         "`python -m commands.language.catalog update`")
    return found


def _key(message: object) -> tuple[str, str]:
    """A message as the catalog knows it: its text and its context (C_), if any."""
    return message.id, message.context or ""  # type: ignore[attr-defined]


def _named(key: tuple[str, str]) -> str:
    text, context = key
    return f"{text!r} (context {context!r})" if context else repr(text)


def main(argv: list[str]) -> int:
    if argv[:1] == ["update"]:
        update()
    found = problems()
    print("\n".join(found) or "catalogs complete")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
