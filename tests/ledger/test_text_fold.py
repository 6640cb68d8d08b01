"""`fold`, which every search and the bank's reference finder use: lower case, no marks, đ as d,
whatever the text's form (composed, decomposed, ASCII or not)."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from ledger.values.text import fold


def test_vietnamese_names_fold_to_plain_letters():
    assert fold("Nguyễn Văn Đạt") == "nguyen van dat"
    assert fold("ĐỖ THỊ HỒNG") == "do thi hong"
    assert fold("P3D0042") == "p3d0042"


@given(st.text())
def test_fold_leaves_no_mark_and_ignores_the_form(text):
    folded = fold(text)
    assert not any(unicodedata.combining(ch) for ch in folded)
    assert "đ" not in folded
    assert fold(unicodedata.normalize("NFD", text)) == folded == fold(
        unicodedata.normalize("NFC", text))
