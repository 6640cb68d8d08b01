"""`aid audit check` remembers receipts and reversed entries on disk (flat memory over a million
donations): its findings, and their order, are exactly what the in-memory check found."""

from __future__ import annotations

import json

import pytest

from projections.audit.check import FirstSeen
from tests.projections.test_audit_checks import demo_file, forge, run  # noqa: F401  (demo_file: a fixture)


@pytest.fixture
def forged(demo_file):  # noqa: F811
    """The demo drive (donations 31-34 with receipts PT-0001..PT-0004) and, forged after it,
    receipts used two and three times and a donation reversed twice (all dated before the
    count of entry 55, which they contradict)."""
    forge(demo_file, 31, receipt="PT-0002")  # 56
    forge(demo_file, 31, receipt="PT-0002")  # 57
    forge(demo_file, 33, receipt="PT-0004")  # 58
    forge(demo_file, 33, receipt="PT-0009")  # 59: new
    forge(demo_file, 31, receipt="PT-0009")  # 60
    for reason in ("typo", "again"):  # 61, 62
        forge(demo_file, 31, _kind="Reversed", entry=31, reason=reason,
              moves=[["KHO", "RICE", -500]], cash={})
    return demo_file


def test_receipts_and_reversals_found_as_in_memory(forged, monkeypatch):
    """BATCH 10**6 keeps every key in memory, as the check did before; 1 and 2 read earlier
    keys back from the temporary file (with a one-byte bitmap, every new key is a false alarm
    the file answers): the same findings, in the same order, the same text."""
    outputs = []
    for batch, bits in ((10**6, FirstSeen.BITS), (1, FirstSeen.BITS), (2, FirstSeen.BITS),
                        (1, 8)):
        monkeypatch.setattr(FirstSeen, "BATCH", batch)
        monkeypatch.setattr(FirstSeen, "BITS", bits)
        outputs.append((run(forged, "check", "--format", "json"), run(forged, "check")))
    assert outputs[1:] == [outputs[0]] * 3
    (code, out, err), (_, table, _) = outputs[0]
    assert code == 1 and "check found 6 failures" in err
    found = json.loads(out)
    assert found["entries"] == 62
    assert [(f["entry"], f["rule"], f["problem"]) for f in found["failures"]] == [
        (56, "receipt", "entry 56 uses receipt PT-0002, already used by entry 32"),
        (57, "receipt", "entry 57 uses receipt PT-0002, already used by entry 32"),
        (58, "receipt", "entry 58 uses receipt PT-0004, already used by entry 34"),
        (60, "receipt", "entry 60 uses receipt PT-0009, already used by entry 59"),
        (62, "reversal", "entry 62 reverses entry 31 again (already reversed by entry 61)"),
        (55, "count", "entry 55 counted RICE at KHO on 2021-11-21; entries dated before that "
                      "day and recorded after the count changed what the books held by "
                      "+500: recount, or reverse those entries")]
    assert "60  2021-11-12  receipt   entry 60 uses receipt PT-0009" in table


def test_odd_receipts_stay_in_memory_and_compare_as_python_does(monkeypatch):
    """Whatever a forged ledger holds as a receipt: numbers equal in Python are one receipt, a
    lone surrogate (no SQLite text) is remembered too, text goes to disk."""
    monkeypatch.setattr(FirstSeen, "BATCH", 1)
    seen = FirstSeen(str)
    keys = ["PT-1", 7, "\ud800", "PT-1", 7.0, "\ud800", "7", True, 1]
    assert [seen.claim(key, entry) for entry, key in enumerate(keys)] == [
        None, None, None, 0, 1, 2, None, None, 7]
    seen.close()
