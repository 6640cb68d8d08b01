"""Typed text into clean values: codes, whole amounts and CODE=QTY pairs, all NFC-normalised."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .errors import BadInput
from .phrases import N_, Phrase
from .text import clean

_CODE = re.compile(r"^[^\s=,;]{1,40}$")


def code(text: str, what: str = N_("code")) -> str:
    """A declared code: one word without '=', ',' or ';', compared after NFC."""
    value = clean(text or "")
    if not _CODE.match(value):
        raise BadInput("'{text}' is not a valid {what}: use one word of at most 40 characters, "
                       "without spaces, '=', ',' or ';'", text=text, what=Phrase(what))
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


def whole(value: int | str, what: str, *, minimum: int = 1) -> int:
    """A whole number (đồng or units) of at least `minimum`; "350.000" and "350,000" are accepted."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value).strip().replace("_", "")
        if re.fullmatch(r"[+-]?\d{1,3}([.,]\d{3})+", text):
            text = re.sub(r"[.,]", "", text)
        if not re.fullmatch(r"[+-]?\d+", text):
            raise BadInput("{what} must be a whole number, not '{value}'", what=Phrase(what),
                           value=value)
        number = int(text)
    if number < minimum:
        rule = (Phrase(N_("positive")) if minimum == 1
                else Phrase(N_("at least {minimum}"), minimum=minimum))
        raise BadInput("{what} must be {rule}, not {number}", what=Phrase(what), rule=rule,
                       number=number)
    return number


def pairs(texts: Iterable[str], what: str = "--item", *, signed: bool = False,
          minimum: int = 1) -> dict[str, int]:
    """Parse CODE=QTY options into {code: qty}; a code given twice is refused, not summed."""
    result: dict[str, int] = {}
    for text in texts:
        name, sep, qty = str(text).partition("=")
        if not sep:
            raise BadInput("{what} '{text}' must look like CODE=QTY, e.g. RICE=10",
                           what=what, text=text)
        key = code(name, N_("item code"))
        if key in result:
            raise BadInput("{what} names {key} twice: give it once with the total quantity",
                           what=what, key=key)
        if signed:
            number = whole(qty, f"quantity of {key}", minimum=-(10**18))
            if number == 0:
                raise BadInput("quantity of {key} must not be 0", key=key)
        else:
            number = whole(qty, f"quantity of {key}", minimum=minimum)
        result[key] = number
    return result
