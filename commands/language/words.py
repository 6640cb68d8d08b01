"""The reader's language: its words (gettext catalogs) and how it writes money, numbers and
dates (fixed rules, so printed figures never change with a Babel release; Babel's CLDR data
only for the English month names).

`resolve` picks the language once per command: `--lang`, else `AID_LANG`, else the system locale
(LANGUAGE, LC_ALL, LC_MESSAGES, LANG, in POSIX order), else English. `activate` loads its
catalog (commands/language/locale/vi/LC_MESSAGES/aid.mo, kept by `python -m
commands.language.catalog`), and `_` translates an English text into it. Every text is written in English in the code; Vietnamese
lives in the catalog. JSON and CSV output never go through here: they stay codes, integers and
ISO dates whatever the language.
"""

from __future__ import annotations

import gettext
import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
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
gettext.bindtextdomain("messages", str(LOCALES_DIR))  # typer's words (see `activate`)

# Declared on the root command for --help; main.AidGroup takes --lang off the command line
# (wherever it stands) before click parses it, so help itself can be translated.
Lang = Annotated[Optional[str], typer.Option(
    "--lang", metavar="vi|en",
    help="Language of help, messages and reports: vi or en (default: $AID_LANG, else the "
         "system locale, else en). May be given anywhere on the command line.",
    show_default=False)]

_active = DEFAULT
N_ = phrases.N_  # the commands mark their texts with it
C_ = phrases.C_  # ... and with it a text that needs its own translation in a context


def activate(lang: str) -> None:
    """Speak `lang` from now on: messages, refusals, help and report headings."""
    global _active
    _active = lang
    # typer's own few words ("Options", "Commands", "required") come from gettext's default
    # domain, "messages", in the language gettext reads from LANGUAGE: the standard way to
    # choose it, so nothing of typer's is patched (our messages.po is bound at import)
    os.environ["LANGUAGE"] = lang


@contextmanager
def spoken() -> Iterator[None]:
    """One command's language: `activate` points gettext's LANGUAGE at it for typer's words,
    and the reader's own LANGUAGE comes back afterwards (the next command, in the same
    process, must see the system's locale, not ours)."""
    before = os.environ.get("LANGUAGE")
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = before


def current() -> str:
    """The language `activate` chose (English until it is called)."""
    return _active


@cache
def catalog(lang: str, domain: str = DOMAIN) -> gettext.NullTranslations:
    """The compiled catalog of `lang`; English, the language the code is written in, has none."""
    return gettext.translation(domain, LOCALES_DIR, [lang], fallback=True)


def _(text: str) -> str:
    """`text` (English) in the active language."""
    return phrases.english(text) if _active == DEFAULT else words(_active)(text)


def say(text: str, /, **fields: object) -> str:
    """`text` in the active language with its `{fields}` filled in (`{n:,}`: 1,234 or 1.234;
    in Vietnamese an ISO date field as 17/11/2021 and a decimal one as 0,51)."""
    return render(text, fields, _, _grouped if _active == DEFAULT else Writer(_active))


class Writer:
    """How one language writes the figures inside its messages: whole numbers grouped
    (`{n:,}`), and ISO dates ("2021-11-17") and decimals ("0.5146") that the code passes as
    plain fields, in the language's own way ("17/11/2021", "0,5146")."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, value: int) -> str:
        return number(value, self.lang)

    def money(self, amount: str) -> str:
        """A written amount of đồng with the language's currency sign ("350.000 ₫")."""
        return FIGURES[self.lang].money.format(amount)

    def local(self, text: str) -> str:
        if self.lang == DEFAULT:
            return text
        if is_day(text):
            return day(text, self.lang)
        if UTC_STAMP.fullmatch(text):  # a stored moment ("2026-12-07T12:23:46Z"), in UTC
            try:
                return utc_moment(text, self.lang)
            except ValueError:  # not a moment that exists: shown as it is
                return text
        if DECIMAL.fullmatch(text):
            return decimal(text, self.lang)
        return text


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
UTC_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|\+00:00)")
DECIMAL = re.compile(r"-?\d+\.\d+")


def is_day(text: str) -> bool:
    """Whether `text` is an ISO date that exists: "2021-13-01", quoted back in a refusal, is
    shown as the user typed it."""
    if not ISO_DAY.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _grouped(value: int) -> str:
    return f"{value:,}" if _active == DEFAULT else number(value, _active)


def figures(lang: str) -> Writer:
    """The `number` to render a phrase with in `lang` (pages, the board)."""
    return Writer(lang)


def entry_span(entries: list[int]) -> str:
    """"entry 7" or "entries 7–9": the ids a write recorded, to reverse one by."""
    if len(entries) == 1:
        return say("entry {entry}", entry=entries[0])
    return say("entries {first}–{last}", first=entries[0], last=entries[-1])


def words(lang: str) -> Callable[[str], str]:
    """A `_` for a page printed in `lang`, whatever the active language."""
    # "" would look up the catalog's header
    # a text marked with C_ (ledger/phrases.py) without a translation: its English
    return lambda text: phrases.english(catalog(lang).gettext(text)) if text else text


def translated(texts: Mapping[str, str], lang: str) -> dict[str, str]:
    """A page's labels (English, marked with N_) in `lang`."""
    return {key: words(lang)(text) for key, text in texts.items()}


def message(error: LedgerError | Phrase) -> str:
    """A refusal or a phrase (ledger/phrases.py) in the active language, its whole numbers
    grouped as the language groups them."""
    return str(error) if _active == DEFAULT else error.text(_, Writer(_active))


def resolve(given: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """"vi" or "en": the option, else AID_LANG, else the system locale; English when unknown.
    A language it does not know is refused (BadInput): `refusing` says in which language."""
    env = os.environ if environ is None else environ
    for value, source in ((given, "--lang"), (env.get("AID_LANG"), "AID_LANG")):
        if value:
            language = _language(value) or _named_language(value)
            if language is None:
                raise BadInput("{source} {value!r} is not a language aid-ledger speaks: use "
                               "{languages}",
                               source=source, value=value,
                               languages=phrases.either(list(LANGUAGES)))
            return language
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        for value in env.get(name, "").split(":"):
            if value and value not in ("C", "POSIX") and not value.startswith("C."):
                return _language(value) or DEFAULT
    return DEFAULT


def refusing(given: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The language to refuse an unknown `--lang` in: the one the environment chose (AID_LANG,
    else the system locale), English when that is unknown too."""
    if given:
        try:
            return resolve(None, environ)
        except BadInput:
            pass
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


def _named_language(value: str) -> str | None:
    """The language named as people type it ("Tiếng Việt"); only read when no code matched,
    so start-up does not import the folding of text."""
    from ledger.values.text import words_of

    return NAMED.get(words_of(value))


# the language as people type it after --lang or in AID_LANG, besides its code
NAMED = {"vn": "vi", "vie": "vi", "tieng viet": "vi", "vietnamese": "vi", "eng": "en",
         "english": "en", "tieng anh": "en"}


def _language(value: str) -> str | None:
    """"vi", "vi_VN.UTF-8", "VI-vn", "en_US" -> the language code, if one we speak."""
    code = value.strip().lower().replace("-", "_").split(".")[0].split("@")[0].split("_")[0]
    return code if code in LANGUAGES else None


@dataclass(frozen=True)
class Figures:
    """How a language writes the figures aid-ledger promises (docs/printing.md: "350.000 ₫",
    "1.234", axis labels "25 Tr"). They are fixed here rather than read from Babel's CLDR data,
    which changes between releases (Babel 2.19 writes 25,000,000 as "25m" in en_GB): a printed
    statement must read the same whatever Babel a laptop happens to have."""

    group: str  # thousands separator
    decimal: str  # before the one decimal of an axis label
    money: str  # "{}" is the grouped amount
    units: tuple[tuple[int, str], ...]  # axis-label units, smallest first
    unit_space: str  # between an axis label's figure and its unit


FIGURES = {
    "vi": Figures(".", ",", "{}\xa0₫", ((10**3, "N"), (10**6, "Tr"), (10**9, "T"), (10**12, "NT")),
                  "\xa0"),
    "en": Figures(",", ".", "{} VND", ((10**3, "K"), (10**6, "M"), (10**9, "B"), (10**12, "T")),
                  ""),
}


def with_unit(name: str, unit: str) -> str:
    """A good's name with its unit in brackets, "Gạo (kg)", unless the name already says the
    unit: "Mì gói (thùng 30 gói)", not "Mì gói (thùng 30 gói) (thùng)" (the unit as a whole
    word, in any case)."""
    if not unit:
        return name
    if re.search(rf"(?<!\w){re.escape(unit.casefold())}(?!\w)", name.casefold()):
        return name
    return f"{name} ({unit})"


def money(amount: int, lang: str) -> str:
    """350000 -> "350.000 ₫" (vi, a no-break space) or "350,000 VND" (en)."""
    return Writer(lang).money(number(amount, lang))


def number(value: int, lang: str) -> str:
    """1234567 -> "1.234.567" (vi) or "1,234,567" (en)."""
    return f"{value:,}".replace(",", FIGURES[lang].group)


def decimal(value: str | Decimal, lang: str) -> str:
    """A decimal as the language writes it, every digit kept, trailing zeros too (a ratio
    "1.0000" stays "1,0000" beside "0,5146" in its column): "0.5146" -> "0,5146" (vi), by
    Babel (CLDR); tests/projections/test_figures.py checks its symbols are FIGURES' own."""
    from babel.numbers import format_decimal

    number = Decimal(str(value))
    places = max(-number.as_tuple().exponent, 0) if number.is_finite() else 0
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(number, format=pattern, locale=LOCALES[lang],
                          decimal_quantization=False)


def compact(value: int, lang: str) -> str:
    """Axis labels: 25000000 -> "25 Tr" (vi) or "25M" (en); 31500000 -> "31,5 Tr" / "31.5M".

    The largest unit the value reaches, with at most one decimal rounded half to even (CLDR's
    rounding); a value that rounds up to 1,000 of a unit is written in the next one ("1M", not
    "1000K")."""
    figures, size = FIGURES[lang], abs(value)
    reached = [index for index, (unit, _) in enumerate(figures.units) if size >= unit]
    if not reached:
        return number(value, lang)
    index = reached[-1]
    tenths = _tenths(size, figures.units[index][0])
    if tenths >= 10_000 and index + 1 < len(figures.units):
        index += 1
        tenths = _tenths(size, figures.units[index][0])
    whole, tenth = divmod(tenths, 10)
    digits = number(whole, lang) + (f"{figures.decimal}{tenth}" if tenth else "")
    return f"{'-' if value < 0 else ''}{digits}{figures.unit_space}{figures.units[index][1]}"


def _tenths(size: int, unit: int) -> int:
    """size / unit in tenths, rounded half to even, in integers."""
    tenths, rest = divmod(size * 10, unit)
    if 2 * rest > unit or (2 * rest == unit and tenths % 2):
        tenths += 1
    return tenths


# the ward's clock named after a moment: "(Asia/Bangkok)" in English; in Vietnamese "giờ Việt
# Nam" or "giờ Asia/Bangkok", no brackets (a moment often stands inside a sentence's own)
ZONED = N_("{moment} ({zone})")
VIETNAM = N_("Vietnam")  # a Vietnamese reader's name for the zones below
VIETNAM_ZONES = ("Asia/Ho_Chi_Minh", "Asia/Saigon")


def moment(utc: str | datetime, lang: str, zone: str, seconds: bool = False) -> str:
    """A stored UTC time ("2021-11-21T03:15:00Z") on the ward's clock, as people read it, the
    date before the time: "21/11/2021 10:15 giờ Việt Nam" (vi; "… giờ Asia/Bangkok" for another
    zone) or "21 Nov 2021 10:15 (Asia/Ho_Chi_Minh)" (en); `seconds`: "10:15:07"."""
    from zoneinfo import ZoneInfo

    when = utc if isinstance(utc, datetime) else datetime.fromisoformat(
        utc.replace("Z", "+00:00"))
    when = when.astimezone(ZoneInfo(zone))
    clock = f"{when:%H:%M:%S}" if seconds else f"{when:%H:%M}"
    return zoned(f"{day(when.date(), lang)} {clock}", lang, zone)


def zoned(shown: str, lang: str, zone: str) -> str:
    """A moment already written (`shown`) followed by the clock it is on."""
    name = words(lang)(VIETNAM) if lang != DEFAULT and zone in VIETNAM_ZONES else zone
    return words(lang)(ZONED).format(moment=shown, zone=name)


def utc_moment(stamp: str | None, lang: str) -> str:
    """A stored timestamp with its offset ("2026-12-06T22:48:20+00:00") in UTC, as people read
    it in a table: "06/12/2026 22:48 UTC" (vi) or "6 Dec 2026 22:48 UTC" (en); "-" if none."""
    if not stamp:
        return "-"
    from datetime import timezone

    when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    when = when.astimezone(timezone.utc) if when.tzinfo else when
    return f"{day(when.date(), lang)} {when:%H:%M} UTC"


def local_day(utc: str, zone: str) -> str:
    """The ISO date a stored UTC time falls on at the ward (for "Phường 3, ngày …")."""
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(utc.replace("Z", "+00:00")).astimezone(ZoneInfo(zone)).date(
    ).isoformat()


def day(iso: str | date, lang: str, short: bool = False) -> str:
    """A business date: "17/11/2021" (vi) or "17 Nov 2021" (en); short: "17/11", "17 Nov".

    The patterns are ours: all digits in Vietnamese, day before month in both. The English
    month's abbreviation is CLDR's word ("Sept" in en_GB), left to Babel."""
    when = date.fromisoformat(iso) if isinstance(iso, str) else iso
    if lang == "vi":
        return f"{when.day:02d}/{when.month:02d}" + ("" if short else f"/{when.year:04d}")
    from babel.dates import format_date

    return format_date(when, "d MMM" if short else "d MMM yyyy", locale=LOCALES[lang])


def month(year: int, number: int, lang: str) -> str:
    """A calendar month with its year: "11/2021" (vi) or "Nov 2021" (en, CLDR's abbreviation,
    as `day` writes it)."""
    if lang == "vi":
        return f"{number:02d}/{year:04d}"
    from babel.dates import format_date

    return format_date(date(year, number, 1), "MMM yyyy", locale=LOCALES[lang])
