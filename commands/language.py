"""The reader's language: its words (gettext catalogs) and how it writes money, numbers and
dates (Babel).

`resolve` picks the language once per command: `--lang`, else `AID_LANG`, else the system locale
(LANGUAGE, LC_ALL, LC_MESSAGES, LANG, in POSIX order), else English. `activate` loads its
catalog (commands/locale/vi/LC_MESSAGES/aid.mo, kept by `python -m commands.catalog`), and `_`
translates an English text into it. Every text is written in English in the code; Vietnamese
lives in the catalog. JSON and CSV output never go through here: they stay codes, integers and
ISO dates whatever the language.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Annotated, Optional

import typer

from ledger import phrases
from ledger.errors import BadInput, LedgerError
from ledger.phrases import Phrase, render

LANGUAGES = ("vi", "en")
LOCALES = {"vi": "vi_VN", "en": "en_GB"}  # en_GB: "17 Nov 2021", day before month like vi
DEFAULT = "en"

LOCALES_DIR = Path(__file__).with_name("locale")
DOMAIN = "aid"

# Declared on the root command for --help; main.AidGroup takes --lang off the command line
# (wherever it stands) before click parses it, so help itself can be translated.
Lang = Annotated[Optional[str], typer.Option(
    "--lang", metavar="vi|en",
    help="Language of help, messages and reports: vi or en (default: $AID_LANG, else the "
         "system locale, else en). May be given anywhere on the command line.",
    show_default=False)]

_active = DEFAULT
N_ = phrases.N_  # the commands mark their texts with it


def activate(lang: str) -> None:
    """Speak `lang` from now on: messages, refusals, help and report headings."""
    global _active
    _active = lang
    # typer's own few words ("Options", "Commands", "required") come from gettext's default
    # domain through the `_` typer.core bound at import: give it that domain's catalog here
    import typer.core

    typer.core._ = catalog(lang, "messages").gettext


def current() -> str:
    """The language `activate` chose (English until it is called)."""
    return _active


@cache
def catalog(lang: str, domain: str = DOMAIN) -> gettext.NullTranslations:
    """The compiled catalog of `lang`; English, the language the code is written in, has none."""
    return gettext.translation(domain, LOCALES_DIR, [lang], fallback=True)


def _(text: str) -> str:
    """`text` (English) in the active language."""
    return text if _active == DEFAULT else words(_active)(text)


def say(text: str, /, **fields: object) -> str:
    """`text` in the active language with its `{fields}` filled in (`{n:,}`: 1,234 or 1.234)."""
    return render(text, fields, _, _grouped)


def _grouped(value: int) -> str:
    return f"{value:,}" if _active == DEFAULT else number(value, _active)


def entry_span(entries: list[int]) -> str:
    """"entry 7" or "entries 7–9": the ids a write recorded, to reverse one by."""
    if len(entries) == 1:
        return say("entry {entry}", entry=entries[0])
    return say("entries {first}–{last}", first=entries[0], last=entries[-1])


def words(lang: str) -> Callable[[str], str]:
    """A `_` for a page printed in `lang`, whatever the active language."""
    # "" would look up the catalog's header
    return lambda text: catalog(lang).gettext(text) if text else text


def translated(texts: Mapping[str, str], lang: str) -> dict[str, str]:
    """A page's labels (English, marked with N_) in `lang`."""
    return {key: words(lang)(text) for key, text in texts.items()}


def message(error: LedgerError | Phrase) -> str:
    """A refusal or a phrase (ledger/phrases.py) in the active language, its whole numbers
    grouped as the language groups them."""
    return str(error) if _active == DEFAULT else error.text(_, _grouped)


def resolve(given: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """"vi" or "en": the option, else AID_LANG, else the system locale; English when unknown."""
    env = os.environ if environ is None else environ
    for value, source in ((given, "--lang"), (env.get("AID_LANG"), "AID_LANG")):
        if value:
            language = _language(value)
            if language is None:
                raise BadInput("{source} {value!r} is not a language aid-ledger speaks: use "
                               "{languages}",
                               source=source, value=value, languages=' or '.join(LANGUAGES))
            return language
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        for value in env.get(name, "").split(":"):
            if value and value not in ("C", "POSIX") and not value.startswith("C."):
                return _language(value) or DEFAULT
    return DEFAULT


def negotiate(header: str | None) -> str | None:
    """The language we speak that a browser's Accept-Language header prefers most
    ("vi-VN,vi;q=0.9,en;q=0.8" -> "vi"); None when it names none of ours."""
    ranked = []
    for order, part in enumerate((header or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        weight = params.strip().removeprefix("q=") if params.strip().startswith("q=") else "1"
        try:
            ranked.append((-Decimal(weight), order, tag))
        except InvalidOperation:  # a malformed weight: that part is skipped
            continue
    for weight, _order, tag in sorted(ranked):
        if weight < 0 and _language(tag):
            return _language(tag)
    return None


def _language(value: str) -> str | None:
    """"vi", "vi_VN.UTF-8", "VI-vn", "en_US" -> the language code, if one we speak."""
    code = value.strip().lower().replace("-", "_").split(".")[0].split("@")[0].split("_")[0]
    return code if code in LANGUAGES else None


def money(amount: int, lang: str) -> str:
    """350000 -> "350.000 ₫" (vi) or "350,000 VND" (en)."""
    from babel.numbers import format_currency, format_decimal

    if lang == "vi":
        return format_currency(amount, "VND", locale=LOCALES["vi"])
    return f"{format_decimal(amount, locale=LOCALES['en'])} VND"


def number(value: int, lang: str) -> str:
    """1234 -> "1.234" (vi) or "1,234" (en)."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=LOCALES[lang])


def compact(value: int, lang: str) -> str:
    """Axis labels: 25000000 -> "25 Tr" (vi) or "25M" (en)."""
    from babel.numbers import format_compact_decimal

    return format_compact_decimal(value, locale=LOCALES[lang], fraction_digits=1)


def day(iso: str | date, lang: str, short: bool = False) -> str:
    """A business date: "17/11/2021" (vi) or "17 Nov 2021" (en); short: "17/11", "17 Nov"."""
    from babel.dates import format_date

    when = date.fromisoformat(iso) if isinstance(iso, str) else iso
    if lang == "vi":
        pattern = "dd/MM" if short else "dd/MM/yyyy"
    else:
        pattern = "d MMM" if short else "d MMM yyyy"
    return format_date(when, pattern, locale=LOCALES[lang])
