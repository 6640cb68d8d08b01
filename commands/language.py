"""The reader's language, and how that language writes money, numbers and dates (Babel).

`resolve` picks the language once per command: `--lang`, else `AID_LANG`, else the system locale
(LANGUAGE, LC_ALL, LC_MESSAGES, LANG, in POSIX order), else English. Pages and, later, gettext
catalogs take its answer. JSON output never goes through here: it stays codes, integers and ISO
dates whatever the language.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Optional

import typer

from ledger.errors import BadInput

LANGUAGES = ("vi", "en")
LOCALES = {"vi": "vi_VN", "en": "en_GB"}  # en_GB: "17 Nov 2021", day before month like vi
DEFAULT = "en"

Lang = Annotated[Optional[str], typer.Option(
    "--lang", metavar="vi|en",
    help="Language of the page (default: $AID_LANG, else the system locale, else en).",
    show_default=False)]


def resolve(given: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """"vi" or "en": the option, else AID_LANG, else the system locale; English when unknown."""
    env = os.environ if environ is None else environ
    for value, source in ((given, "--lang"), (env.get("AID_LANG"), "AID_LANG")):
        if value:
            language = _language(value)
            if language is None:
                raise BadInput(f"{source} {value!r} is not a language aid-ledger speaks: "
                               f"use {' or '.join(LANGUAGES)}")
            return language
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        for value in env.get(name, "").split(":"):
            if value and value not in ("C", "POSIX") and not value.startswith("C."):
                return _language(value) or DEFAULT
    return DEFAULT


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
