"""Money, numbers, dates and axis labels as a reader sees them (commands/language/words.py).

What aid-ledger promises (docs/printing.md: "350.000 ₫", "350,000 VND", 17/11/2021, axis labels
"25M" / "25 Tr") is checked exactly, and must hold with any Babel release. The English month's
abbreviation is CLDR's word, so it is checked by its properties (day before month, the month's
name, the year), never as one Babel version's string.
"""

from __future__ import annotations

import re
import sys
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commands.language import words as language


def test_money_numbers_and_dates_in_each_language():
    assert language.money(350_000, "vi") == "350.000\xa0₫"
    assert language.money(350_000, "en") == "350,000 VND"
    assert language.money(0, "vi") == "0\xa0₫"
    assert language.money(-1_200_000, "vi") == "-1.200.000\xa0₫"
    assert language.money(-1_200_000, "en") == "-1,200,000 VND"
    assert language.number(1_234_567, "vi") == "1.234.567"
    assert language.number(1_234_567, "en") == "1,234,567"
    assert language.number(999, "vi") == "999"
    assert language.day("2021-11-07", "vi") == "07/11/2021"
    assert language.day("2021-11-07", "vi", short=True) == "07/11"
    assert language.day(date(2021, 9, 30), "vi") == "30/09/2021"


@pytest.mark.parametrize("value, english, vietnamese", [
    (0, "0", "0"),
    (950, "950", "950"),
    (1_000, "1K", "1\xa0N"),
    (1_500, "1.5K", "1,5\xa0N"),
    (25_000_000, "25M", "25\xa0Tr"),
    (31_500_000, "31.5M", "31,5\xa0Tr"),
    (5_465_000, "5.5M", "5,5\xa0Tr"),
    (1_250_000, "1.2M", "1,2\xa0Tr"),  # half to even, as CLDR rounds
    (1_350_000, "1.4M", "1,4\xa0Tr"),
    (999_949, "999.9K", "999,9\xa0N"),
    (999_950, "1M", "1\xa0Tr"),  # not "1000K"
    (2_000_000_000, "2B", "2\xa0T"),
    (12_345_678_901_234, "12.3T", "12,3\xa0NT"),
])
def test_axis_labels_are_the_promised_short_forms(value, english, vietnamese):
    assert language.compact(value, "en") == english
    assert language.compact(value, "vi") == vietnamese


UNITS = {"en": {"": 1, "K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12},
         "vi": {"": 1, "N": 10**3, "Tr": 10**6, "T": 10**9, "NT": 10**12}}


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=0, max_value=10**14), st.sampled_from(["en", "vi"]))
def test_an_axis_label_reads_back_within_half_its_last_digit(value, lang):
    label = language.compact(value, lang)
    figure, unit = re.fullmatch(r"([\d.,]+)\xa0?([A-Za-z]*)", label).groups()
    group, decimal = (",", ".") if lang == "en" else (".", ",")
    whole, _, tenth = figure.replace(group, "").partition(decimal)
    scale = UNITS[lang][unit]
    tenths = int(whole) * 10 + int(tenth or 0)
    assert abs(tenths * scale - value * 10) * 2 <= scale  # off by at most half a tenth
    assert len(tenth) <= 1 and tenth != "0"
    assert unit == "" or int(whole) < 1000 or scale == 10**12  # the largest unit reached


def test_promised_figures_never_ask_babel(monkeypatch):
    """Money, numbers, axis labels and Vietnamese dates must read the same with any Babel
    release (Babel 2.19 changed en_GB's "25M" to "25m"): they are written without its data."""
    for module in ("babel", "babel.numbers", "babel.dates"):
        monkeypatch.setitem(sys.modules, module, None)  # importing it now fails
    assert language.day("2021-11-07", "vi") == "07/11/2021"
    assert language.money(31_500_000, "vi") == "31.500.000\xa0₫"
    assert language.number(31_500_000, "en") == "31,500,000"
    assert language.compact(31_500_000, "en") == "31.5M"


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


@pytest.mark.parametrize("month", range(1, 13))
def test_english_dates_put_the_day_before_the_month_by_name(month):
    """The pattern is ours ("d MMM yyyy"); the month's abbreviation is CLDR's ("Sep" or
    "Sept" in en_GB, depending on the release)."""
    when = date(2021, month, 7)
    name = MONTHS[month - 1]
    full = language.day(when, "en")
    day_part, word, year = full.split(" ")
    assert (day_part, year) == ("7", "2021")
    assert name.startswith(word.rstrip(".")) and 3 <= len(word.rstrip(".")) <= len(name)
    assert language.day(when, "en", short=True) == f"7 {word}"


def test_decimals_inside_messages_follow_the_language():
    """Babel writes the decimals (Gini 0,5146); its symbols are the ones FIGURES promises."""
    from babel.numbers import get_decimal_symbol, get_group_symbol

    for lang, locale in language.LOCALES.items():
        assert get_group_symbol(locale) == language.FIGURES[lang].group
        assert get_decimal_symbol(locale) == language.FIGURES[lang].decimal
    assert language.decimal("0.5146", "vi") == "0,5146"
    assert language.decimal("12345.5", "vi") == "12.345,5"
    assert language.decimal("0.5146", "en") == "0.5146"
    assert language.decimal("1.0000", "vi") == "1,0000"  # a ratio keeps its places
    assert language.decimal("0.5000", "en") == "0.5000"
    language.activate("vi")
    try:
        said = language.say("from {on}, Gini {gini}, code {code}", on="2021-11-17",
                            gini="0.5146", code="B350")
    finally:
        language.activate("en")
    assert said == "from 17/11/2021, Gini 0,5146, code B350"


def test_stored_moments_inside_vietnamese_messages_read_as_people_write_them():
    """A stored UTC moment is shown as a day and a time in UTC; one that cannot exist, as typed."""
    language.activate("vi")
    try:
        said = language.say("taken {a}, {b}, {c}", a="2026-12-07T12:23:46Z",
                            b="2021-11-17T03:05:00+00:00", c="2021-13-45T99:00:00Z")
    finally:
        language.activate("en")
    assert said == "taken 07/12/2026 12:23 UTC, 17/11/2021 03:05 UTC, 2021-13-45T99:00:00Z"
    assert language.say("taken {a}", a="2026-12-07T12:23:46Z") == "taken 2026-12-07T12:23:46Z"
