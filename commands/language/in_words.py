"""Amounts of money in Vietnamese words, as a receipt writes them under the figures ("Bằng chữ:
Hai mươi triệu đồng"), by the reading rules of accounting papers:

- groups of three digits, each named by its scale: nghìn, triệu, tỷ (then nghìn tỷ, triệu
  tỷ …); a group of zeros is left out, every later group is read whole, its hundreds too
  ("một triệu không trăm năm mươi nghìn" for 1.050.000, so the words cannot be misread);
- tens: "mười" for ten, "mươi" after two to nine ("hai mươi"); no tens before a unit is
  "linh" ("một trăm linh năm"; `lẻ`, as the South says it, on request);
- units after tens: "mốt" for one after "mươi" ("hai mươi mốt", but "mười một"), "tư" for
  four after "mươi" ("hai mươi tư", but "mười bốn"), "lăm" for five after any ten
  ("mười lăm", "hai mươi lăm"; "nhăm" is spoken, not written).
"""

from __future__ import annotations

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
SCALES = ("", "nghìn", "triệu", "tỷ")


def _group(number: int, whole: bool, linh: str) -> list[str]:
    """Words of 0 < number < 1000; `whole`: say the hundreds even when they are zero."""
    hundreds, tens, units = number // 100, number // 10 % 10, number % 10
    words: list[str] = []
    if hundreds or whole:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            words += ([linh] if words else []) + [DIGITS[units]]
        return words
    words += ["mười"] if tens == 1 else [DIGITS[tens], "mươi"]
    if units == 1:
        words.append("một" if tens == 1 else "mốt")
    elif units == 4:
        words.append("bốn" if tens == 1 else "tư")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(DIGITS[units])
    return words


def _scale(index: int) -> list[str]:
    """The name of the index-th group of three digits: nghìn, triệu, tỷ, nghìn tỷ …"""
    words: list[str] = []
    while index >= len(SCALES):
        words.append("tỷ")
        index -= len(SCALES) - 1
    return ([SCALES[index]] if index else []) + words[::-1]


def number_in_words(number: int, linh: str = "linh") -> str:
    """A whole number in Vietnamese words, lower case: 21 -> "hai mươi mốt", 105 -> "một trăm
    linh năm", 20_000_000 -> "hai mươi triệu"; negative numbers begin with "âm"."""
    if number < 0:
        return "âm " + number_in_words(-number, linh)
    if number == 0:
        return DIGITS[0]
    groups = []
    while number:
        groups.append(number % 1000)
        number //= 1000
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        if groups[index]:
            words += _group(groups[index], bool(words), linh) + _scale(index)
    return " ".join(words)


def money_in_words(amount: int, linh: str = "linh") -> str:
    """An amount of đồng as a receipt writes it in words: "Hai mươi triệu đồng"."""
    said = number_in_words(amount, linh) + " đồng"
    return said[0].upper() + said[1:]
