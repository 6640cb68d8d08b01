"""Typed text into clean values: codes, whole amounts, CODE=QTY pairs and free texts, all
NFC-normalised and bounded.

This is the one place where what a person typed (or a cell of a file) becomes a value the
ledger stores, so the bounds chosen from the domain live here (docs/architecture.md, "Bounds"):
a quantity is at most a billion units, an amount at most 10¹⁵ đồng, a name at most 200
characters, a note or reason at most 1,000, a code at most 40. Numbers are ASCII digits with
the documented thousands separators only ("٥" and "５" are not 5), and no text may hold a
control or other invisible character (a NUL from a broken CSV, a terminal escape, a bidi
override), so every report can print whatever the ledger holds.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable

from ledger.errors import BadInput
from ledger.phrases import N_, Phrase, either
from ledger.values.text import clean, nearest

MAX_QUANTITY = 10**9  # units of one item in one fact: far above any ward's truckload
MAX_PEOPLE = 1000  # people in one household: a typo's 100,000 would take a whole round's
# stock by the per-person rules, while a pagoda or a dormitory listed as one still fits
MAX_AMOUNT = 10**15  # đồng in one fact: a thousand times the largest drive reported
MAX_NAME = 200  # characters of a name, unit, group, phone, receipt, actor
MAX_NOTE = 1000  # characters of a note or reason
MAX_CODE = 40  # characters of a code (kept at 40: ledgers already hold codes that long)

# letters (any script: "KHÔ"), digits, "_", "-" and "." inside; no "/", no "..": a code also
# names a page of the stock board (/shop/CODE) and a sheet of a workbook
_CODE = re.compile(r"^(?!.*\.\.)\w[\w.-]{0,%d}$" % (MAX_CODE - 1))
_PLAIN = re.compile(r"[+-]?[0-9]+")
# one separator all along: "1.000,000" (is it a million, or a thousand with decimals?) is not read
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}([.,])[0-9]{3}(\1[0-9]{3})*")
_DIGITS = len(str(MAX_AMOUNT)) + 1  # longer digit strings are refused before int() reads them


def code(text: str, what: str = N_("code")) -> str:
    """A declared code: one word of letters, digits, '_', '-' and '.' (not first, not two in a
    row), compared after NFC."""
    value = _visible(clean(text or ""), what)
    if not _CODE.match(value):
        raise BadInput("'{text}' is not a valid {what}: use one word of at most 40 letters, "
                       "digits, '_', '-' or '.' (not first), e.g. KHO-1", text=_shown(text),
                       what=Phrase(what))
    return value


_WARD_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,23}$")


def ward_code(text: str) -> str:
    """A ward's district code: ASCII letters, digits and '-', upper-cased ("p3" -> "P3"), so it
    can name the ward's tables in the district's PostgreSQL store."""
    value = clean(text or "").upper()
    if not _WARD_CODE.match(value):
        raise BadInput("'{text}' is not a valid ward code: use up to 24 ASCII letters, digits "
                       "or '-', starting with a letter or digit, e.g. P3 or PHUONG-3", text=text)
    return value



def text(value: str | None, what: str, *, limit: int = MAX_NAME) -> str:
    """A required free text (a name, a unit, a reason): NFC, trimmed, visible, not too long."""
    cleaned = _visible(clean(value or ""), what)
    if not cleaned:
        raise BadInput("{what} must not be empty", what=Phrase(what))
    if len(cleaned) > limit:
        raise BadInput("{what} is {length:,} characters long: at most {limit:,} are kept",
                       what=Phrase(what), length=len(cleaned), limit=limit)
    return cleaned


def optional(value: str | None, what: str, *, limit: int = MAX_NAME) -> str | None:
    """An optional free text (a note, a phone): None when not given, else as `text`; given
    but empty is refused, since it is a slip (an unset shell variable), not a choice."""
    return None if value is None else text(value, what, limit=limit)


def phone_number(value: str | None, what: str) -> str | None:
    """A phone as the ward writes it, or None: digits with spaces, dots, dashes, brackets or a
    leading +, several numbers apart by / ; or , and a note in brackets ("0903 123 456
    (chồng) / 0912 345 678"), kept as typed. Refused when a number holds anything else, or
    too few or too many digits to be one (Vietnamese ones have 10 or 11; 6 to 15 lets in a
    short landline and any country's)."""
    typed = optional(value, what)
    if typed is None:
        return None
    numbers = re.sub(r"\([^()]*[^0-9 ()][^()]*\)", " ", typed)  # notes: "(chồng)", "(zalo)"
    parts = [part.strip() for part in re.split(r"[/;,]", numbers)]
    if not all(re.fullmatch(r"\+?[0-9(][0-9 .\-()]*", part) and
               6 <= sum(c.isdigit() for c in part) <= 15 for part in parts):
        raise BadInput("{what} '{value}' is not a phone number: digits, with spaces, dots or a "
                       "leading + (e.g. 0903 123 456)", what=Phrase(what), value=typed)
    return typed


def citizen_id(value: str | None, what: str) -> str | None:
    """An ID number as typed, or None: the 12 digits of a căn cước (CCCD), the 9 of an old
    CMND, or a passport's letters and digits, spaces between groups allowed; what is too short
    or holds anything else is a slip that would match no one in the district."""
    typed = optional(value, what)
    if typed is None:
        return None
    joined = "".join(typed.split())
    if not re.fullmatch(r"[0-9A-Za-z]{8,20}", joined) or sum(c.isdigit() for c in joined) < 6:
        raise BadInput("{what} '{value}' is not an ID number: the 12 digits of a CCCD, the 9 of "
                       "an old CMND, or a passport's number", what=Phrase(what), value=typed)
    return typed


def whole(value: int | str, what: str, *, minimum: int = 1, maximum: int = MAX_AMOUNT) -> int:
    """A whole number (đồng or units) from `minimum` to `maximum`; "350.000" and "350,000" are
    accepted, other separators and non-ASCII digits are not."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        number = _parse_whole(str(value), what)
    if number < minimum:
        rule = (Phrase(N_("positive")) if minimum == 1
                else Phrase(N_("at least {minimum}"), minimum=minimum))
        raise BadInput("{what} must be {rule}, not {number}", what=Phrase(what), rule=rule,
                       number=number)
    if number > maximum:
        raise BadInput("{what} must be at most {maximum:,}, not {number}: check the digits",
                       what=Phrase(what), maximum=maximum, number=_shown(str(number)))
    return number


def money_amount(value: int | str, what: str, *, minimum: int = 1) -> int:
    """An amount of đồng as `whole` reads it, also written the way pages print it: "350.000 ₫",
    "350.000đ", "350.000 đồng", "350000 VND", "350.000,00" (no part of a đồng is kept, so only
    zero decimals are read)."""
    if isinstance(value, str):
        value = _CURRENCY.sub("", value.strip())
        if _ZERO_DECIMALS.fullmatch(value):
            value = value[:-3]
    return whole(value, what, minimum=minimum)


_CURRENCY = re.compile(r"[\s\u00a0]*(?:₫|đồng|đ|vnđ|vnd|dong)$", re.IGNORECASE)
# "1.000.000,00" or "1,000,000.00" or "350000,00": the decimals after the other separator
_ZERO_DECIMALS = re.compile(r"[+-]?(?:[0-9]{1,3}(?:\.[0-9]{3})+,00|[0-9]{1,3}(?:,[0-9]{3})+\.00"
                            r"|[0-9]+[.,]00)")


def _parse_whole(typed: str, what: str) -> int:
    text = typed.strip()
    if _GROUPED.fullmatch(text):
        text = re.sub(r"[.,]", "", text)
    if not _PLAIN.fullmatch(text):
        raise BadInput("{what} must be a whole number, not '{value}'", what=Phrase(what),
                       value=_shown(typed))
    if len(text.lstrip("+-").lstrip("0")) > _DIGITS:
        raise BadInput("{what} must be at most {maximum:,}, not {number}: check the digits",
                       what=Phrase(what), maximum=MAX_AMOUNT, number=_shown(text))
    return int(text)


def pairs(texts: Iterable[str], what: str = "--item", *, signed: bool = False,
          minimum: int = 1, maximum: int = MAX_QUANTITY, prices: bool = False) -> dict[str, int]:
    """Parse CODE=QTY options into {code: qty}; a code given twice is refused, not summed.
    `prices`: each number is an item's price, an amount of đồng as `money_amount` reads it."""
    result: dict[str, int] = {}
    for typed in texts:
        name, sep, qty = str(typed).partition("=")
        if not sep:
            raise BadInput("{what} '{text}' must look like CODE=QTY, e.g. RICE=10",
                           what=what, text=_shown(typed))
        key = code(name, N_("item code"))
        if key in result:
            raise BadInput("{what} names {key} twice: give it once with the total quantity",
                           what=what, key=key)
        # translated where it is shown
        quantity = Phrase(N_("price of {key}") if prices else N_("quantity of {key}"), key=key)
        if prices:
            number = money_amount(qty, quantity, minimum=minimum)
        elif signed:
            number = whole(qty, quantity, minimum=-maximum, maximum=maximum)
            if number == 0:
                raise BadInput("quantity of {key} must not be 0", key=key)
        else:
            number = whole(qty, quantity, minimum=minimum, maximum=maximum)
        result[key] = number
    return result


def _visible(value: str, what: str) -> str:
    """Refuse control, format, private and unassigned characters (Unicode category C*)."""
    for position, char in enumerate(value, start=1):
        if unicodedata.category(char).startswith("C"):
            raise BadInput("{what} holds an invisible character (U+{point:04X}) at position "
                           "{position}: retype it", what=Phrase(what), point=ord(char),
                           position=position)
    return value


def _shown(typed: object) -> str:
    """What was typed, cut short and with invisible characters escaped, to quote in a message."""
    shown = "".join(ch if not unicodedata.category(ch).startswith("C")
                    else f"\\u{ord(ch):04x}" for ch in str(typed)[:40])
    return shown + "…" if len(str(typed)) > 40 else shown


# the command that declares each kind of code (`aid {what} add` for the others)
DECLARED_BY = {"bundle": "bundle define"}


def known(code: str, declared: Collection[str], what: str) -> str:
    """`code` when it is declared; else refused, naming the declared codes nearest to it and
    the command that declares one (`what` is "location", "bank account", …)."""
    if code in declared:
        return code
    command = DECLARED_BY.get(what, f"{what} add")
    if not declared:
        raise BadInput("unknown {what} '{code}': none declared yet, see `aid {command}`",
                       what=Phrase(what), code=code, command=command)
    close = nearest(code, declared) or sorted(declared)[:5]
    raise BadInput("unknown {what} '{code}'; did you mean {close}? (declare new ones with "
                   "`aid {command}`)", what=Phrase(what), code=code, command=command,
                   close=either(close))

