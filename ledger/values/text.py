"""Vietnamese text: NFC on input, diacritic-free folding for search, Vietnamese alphabetical order."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from functools import cache

# Vietnamese alphabet order: ă and â follow a, đ follows d, ê follows e, ô and ơ follow o, ư follows u.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {letter: index for index, letter in enumerate(_ALPHABET)}
# Tone marks, in the order Vietnamese dictionaries use: none, grave, hook, tilde, acute, dot.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# Marks that make a separate letter (breve, circumflex, horn) rather than a tone.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
_DIGITS = "0123456789"  # ASCII only: the ledger refuses other digits in numbers


def nfc(text: str) -> str:
    """Compose decomposed tone marks so that equal-looking text compares equal."""
    return unicodedata.normalize("NFC", text)


def clean(text: str) -> str:
    """NFC plus trimmed whitespace: the form every name and code is stored in."""
    return " ".join(nfc(text).split())


def fold(text: str) -> str:
    """Lower case without diacritics, so "Nguyen" finds "Nguyễn"."""
    if text.isascii():  # most codes, references and bank texts: nothing to take off
        return text.lower()
    decomposed = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    folded = decomposed.translate(_marks())
    if folded.isascii() or max(folded) <= "\uffff":
        return folded
    return "".join(ch for ch in folded if not unicodedata.combining(ch))  # beyond the BMP



def words_of(text: str) -> str:
    """A typed word of a fixed set as it is compared: folded, one space between words ("Chia
    đều " -> "chia deu"), so the marks, the case and stray spaces never matter."""
    return " ".join(fold(text).split())

@cache
def _marks() -> dict[int, None]:
    """Every combining mark of the Basic Multilingual Plane, to delete with str.translate
    (one pass in C, where a generator over each character is ten times slower)."""
    return {code: None for code in range(0x300, 0x10000) if unicodedata.combining(chr(code))}


def matches(query: str, text: str) -> bool:
    """Case- and diacritic-insensitive substring search."""
    return fold(clean(query)) in fold(text)


def sort_key(text: str) -> tuple:
    """Vietnamese dictionary order: letters first (ă after a, đ after d), tones break ties,
    and a run of digits compares as the number it writes (Tổ 2 before Tổ 10, H9 before H10)."""
    letters: list[str] = []
    tones: list[int] = []
    for ch in unicodedata.normalize("NFD", nfc(text).lower()):
        if ch in _LETTER_MARKS and letters:
            letters[-1] = nfc(letters[-1] + ch)
        elif ch in _TONES and tones:
            tones[-1] = _TONES[ch]
        elif ch in _DIGITS and letters and letters[-1][-1] in _DIGITS:
            letters[-1] += ch
        elif not unicodedata.combining(ch):
            letters.append(ch)
            tones.append(0)
    ranks = [_rank(letter) for letter in letters]
    return (ranks, tones, text)


def _rank(letter: str) -> tuple[int, int, str]:
    """(where the character sorts, and for a digit run the number it writes: compared by its
    length, then its digits, without int() and its limit on very long runs)."""
    if letter[0] in _DIGITS:
        digits = letter.lstrip("0")
        return (_rank_other("0"), len(digits), digits)
    return (_RANK.get(letter, _rank_other(letter)), 0, "")


def _rank_other(letter: str) -> int:
    """Digits and punctuation before letters, anything else after them."""
    return ord(letter[0]) - 0x80 if letter < "a" else len(_ALPHABET) + ord(letter[0])


def nearest(code: str, known: Iterable[str], limit: int = 3) -> list[str]:
    """The declared codes closest to a typo: same letters ignoring case and marks first."""
    known = list(known)
    folded = {fold(k): k for k in known}
    exact = [folded[fold(code)]] if fold(code) in folded else []
    close = difflib.get_close_matches(fold(code), list(folded), n=limit, cutoff=0.5)
    found = exact + [folded[c] for c in close if folded[c] not in exact]
    return found[:limit]
