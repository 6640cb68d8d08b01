"""Voucher codes: short, unguessable, printable, and typo-resistant through a check character.

A code is 8 random Crockford base32 characters (40 bits from `secrets`) plus Crockford's mod 37
check character, printed in groups of three ("7KQ-M2X-9TB"). Crockford's alphabet has no I, L,
O or U, so on input lower case, hyphens, spaces and the look-alikes (O for 0, I and L for 1)
are accepted. Because 37 is prime and larger than the alphabet, any single mistyped character
and any swap of two neighbours changes the check character. Codes whose check character would be
one of Crockford's extra symbols (* ~ $ = U) are never issued, so every printed character is a
letter or a digit that survives paper, phones and shells.
"""

from __future__ import annotations

import secrets

from ledger.errors import BadInput

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_SYMBOLS = ALPHABET + "*~$=U"
BODY = 8
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def check_character(body: str) -> str:
    """Crockford's check symbol: the body's value modulo 37."""
    value = 0
    for char in body:
        value = value * 32 + ALPHABET.index(char)
    return CHECK_SYMBOLS[value % 37]


def new_code() -> str:
    """A fresh random code whose check character is a letter or digit of the alphabet."""
    while True:
        body = "".join(secrets.choice(ALPHABET) for _ in range(BODY))
        check = check_character(body)
        if check in ALPHABET:
            return display(body + check)


def display(compact: str) -> str:
    """ "7KQM2X9TB" -> "7KQ-M2X-9TB": groups of three are easy to read out and copy."""
    return "-".join(compact[i:i + 3] for i in range(0, len(compact), 3))


def parse(text: str) -> str:
    """The canonical printed form of a typed code; a wrong check character is refused."""
    compact = "".join(str(text or "").upper().split()).replace("-", "").translate(_LOOKALIKES)
    if len(compact) != BODY + 1 or any(char not in ALPHABET for char in compact):
        raise BadInput("'{text}' is not a voucher code: a code is 9 letters and digits like "
                       "7KQ-M2X-9TB, as printed on the voucher", text=text)
    if check_character(compact[:BODY]) != compact[BODY]:
        raise BadInput("voucher code '{text}' does not add up (its last character is a check): a "
                       "character is mistyped; read the code again from the voucher", text=text)
    return display(compact)
