"""Amounts of money in Vietnamese words, as a receipt writes them under the figures ("Bằng chữ:
Hai mươi triệu đồng"), by the reading rules of accounting papers:

- groups of three digits, each named by its scale: nghìn, triệu, tỷ; the tỷ are counted as
  any number ("hai nghìn năm trăm tỷ", not "hai nghìn tỷ năm trăm tỷ"); a group of zeros is left out, every later group is read whole, its hundreds too
  ("một triệu không trăm năm mươi nghìn" for 1.050.000, so the words cannot be misread);
- tens: "mười" for ten, "mươi" after two to nine ("hai mươi"); no tens before a unit is
  "linh" ("một trăm linh năm"; `lẻ`, as the South says it, on request);
- units after tens: "mốt" for one after "mươi" ("hai mươi mốt", but "mười một"), "tư" for
  four after "mươi" ("hai mươi tư", but "mười bốn"), "lăm" for five after any ten
  ("mười lăm", "hai mươi lăm"; "nhăm" is spoken, not written).
"""

from __future__ import annotations

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
SCALES = ("", "nghìn", "triệu")  # then tỷ, said once after what it multiplies


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


def _words(number: int, whole: bool, linh: str) -> list[str]:
    """Words of 0 < number; `whole`: something was said before it. A thousand tỷ is "một
    nghìn tỷ": the tỷ are counted as any number is, then "tỷ" is said once."""
    billions, rest = divmod(number, 1_000_000_000)
    words = _words(billions, whole, linh) + ["tỷ"] if billions else []
    for index in range(len(SCALES) - 1, -1, -1):
        group = rest // 1000 ** index % 1000
        if group:
            words += _group(group, whole or bool(words), linh)
            words += [SCALES[index]] if index else []
    return words


def number_in_words(number: int, linh: str = "linh") -> str:
    """A whole number in Vietnamese words, lower case: 21 -> "hai mươi mốt", 105 -> "một trăm
    linh năm", 20_000_000 -> "hai mươi triệu"; negative numbers begin with "âm"."""
    if number < 0:
        return "âm " + number_in_words(-number, linh)
    if number == 0:
        return DIGITS[0]
    return " ".join(_words(number, False, linh))


def money_in_words(amount: int, linh: str = "linh") -> str:
    """An amount of đồng as a receipt writes it in words: "Hai mươi triệu đồng"."""
    said = number_in_words(amount, linh) + " đồng"
    return said[0].upper() + said[1:]
