"""What commands do when the date is left out: they take today, the frozen `today` fixture
here, so these tests pass on any day they run (issue 21)."""

from __future__ import annotations

from tests.ledger.test_refusals import RULE, refused


def test_a_fact_without_on_is_dated_today(ward, today):
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=10")
    [line] = [h for h in ward("history", "--format", "json").json() if h["kind"] == "donate"]
    assert line["on"] == today.isoformat() == "2021-11-30"


def test_expiring_counts_days_from_today(ward, today):
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=10@05/12/2021", "--on", "2021-11-20")
    [lot] = ward("expiring", "--format", "json").json()
    assert (lot["expires"], lot["days"], lot["quantity"]) == ("2021-12-05", 5, 10)
    assert ward("expiring", "--within", "4", "--format", "json").json() == []


def test_a_refusal_names_today_in_the_readers_way(ward, today, monkeypatch):
    """A shortage from today on, in Vietnamese: the date as 30/11/2021, never ISO."""
    before = ward.snapshot()
    monkeypatch.setenv("AID_LANG", "vi")
    result = refused(ward, RULE, "từ ngày 30/11/2021 trở đi", "give", "H1", "--from", "KHO",
                     "--item", "RICE=1")
    assert "2021-11-30" not in result.err
    assert ward.snapshot() == before
