"""Issue #22, finding 3: the stored read models behind `aid stock`, `aid cash`, the board and
the history could be edited in the database, and every audit passed. The audit now folds the
events afresh and names each difference; reports refuse stored books the chain no longer vouches
for, or whose figures no longer match their checksum."""

from __future__ import annotations

import json

from ledger.store.access import locate, open_log
from projections.store import checksum


def sql(ledger, statement: str, params: tuple = ()) -> list:
    """Run SQL on the ledger's own database, as someone holding the file would; `{models}`,
    `{history}`, `{bins}`, `{events}` name its tables."""
    log = open_log(locate(environ=ledger.env), writable=True)
    try:
        names = {"models": log.table("read_models"), "history": log.table("history"),
                 "bins": log.table("history_bins"), "events": log.events_table,
                 "p": log.paramstyle}
        cursor = log.connection.execute(statement.format(**names), params)
        return list(cursor.fetchall()) if cursor.description else []
    finally:
        log.close()


def donated(ward):
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=100", "--cash", "1000000",
         "--on", "2021-11-02")
    ward("give", "H1", "--from", "KHO", "--item", "RICE=10", "--on", "2021-11-03")
    ward("rebuild")  # the models stored as of the last event
    return ward


def audit(ward, *args: str):
    verify = ward.fails("audit", "verify", *args)
    check = ward.fails("audit", "check", "--format", "json")
    return verify, check


def test_an_honest_ledger_has_no_read_model_finding(ward):
    donated(ward)
    ward("pack", "B350", "--count", "1", "--at", "KHO", ok=False)
    for _ in range(2):
        verify, check = audit(ward)
        assert verify.code == 0 and "read model" not in verify.out, verify.out
        assert check.code == 0 and check.json()["failures"] == []
        ward("donate", "D1", "--into", "KHO", "--item", "NOODLE=3", "--on", "2021-11-04")


def test_edited_cash_is_named_and_reports_fold_the_events_instead(ward):
    donated(ward)
    cash = ward("cash", "--format", "json").out
    sql(ward, "UPDATE {models} SET state = REPLACE(state, '\"2021-11-02\": 1000000', "
              "'\"2021-11-02\": 90000000') WHERE name = 'books/2'")
    assert ward("cash", "--format", "json").out == cash  # its checksum turns it away
    verify, check = audit(ward)
    finding = ("read model books (as of position {p}): cash book › received › 2021-11-02: stored "
               "90000000, recomputed from the events 1000000")
    (head,), = sql(ward, "SELECT position FROM {models} WHERE name = 'books/2'")
    assert verify.code == 1 and finding.format(p=head) in verify.out
    assert check.code == 1 and [(f["rule"], f["problem"]) for f in check.json()["failures"]] \
        == [("read model", finding.format(p=head))]
    # in Vietnamese, the category in words and the amounts as money (a sweep read "sổ quỹ ›
    # spent › 15/11/2021: đã lưu 1500000")
    said = ward.fails("--lang", "vi", "audit", "verify").out
    assert ("sổ quỹ › đã nhận › 02/11/2021: đã lưu 90.000.000\xa0₫, tính lại từ các sự kiện "
            "1.000.000\xa0₫") in said, said
    checked = ward.fails("--lang", "vi", "audit", "check").out
    assert "sổ quỹ › đã nhận › 02/11/2021: đã lưu 90.000.000\xa0₫" in checked
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=1", "--on", "2021-11-04")
    assert audit(ward)[0].code == 0  # the next write rebuilt what the chain did not vouch for


def test_edited_stock_with_its_checksum_recomputed_is_still_named(ward):
    donated(ward)
    (position, state), = sql(ward, "SELECT position, state FROM {models} WHERE name = 'books/2'")
    books = json.loads(state)
    books["bins"]["KHO"]["RICE"]["2021-11-02"] = 1100
    forged = json.dumps(books, ensure_ascii=False, sort_keys=True)
    link, = sql(ward, "SELECT link FROM {models} WHERE name = 'books/2'")[0]
    sql(ward, "UPDATE {models} SET state = {p}, checksum = {p} WHERE name = 'books/2'",
        (forged, checksum(link, forged)))
    verify, check = audit(ward)
    assert verify.code == 1 and (
        f"read model books (as of position {position}): stock › KHO › RICE › 2021-11-02: stored "
        "1100, recomputed from the events 100") in verify.out
    assert check.code == 1
    said = ward.fails("--lang", "vi", "audit", "verify").out
    assert "tồn kho › KHO › RICE › 02/11/2021: đã lưu 1.100, tính lại" in said
    assert "bins" not in said


def test_edited_missing_and_extra_history_lines_are_named(ward):
    donated(ward)
    lines = sql(ward, "SELECT position, entry FROM {history} ORDER BY position")
    (edited, entry), (gone, gone_entry) = lines[-2], lines[-1]
    sql(ward, "UPDATE {history} SET event = REPLACE(event, '100', '900') WHERE position = {p}",
        (edited,))
    sql(ward, "DELETE FROM {history} WHERE position = {p}", (gone,))
    sql(ward, "DELETE FROM {bins} WHERE position = {p}", (gone,))
    verify = audit(ward)[0]
    assert verify.code == 1
    assert (f"read model history: the line of entry {entry} at position {edited} differs from "
            "the entry recorded there") in verify.out
    assert (f"read model history: the line of entry {gone_entry} at position {gone} is "
            "missing") in verify.out
    assert (f"read model history index at position {gone}: stored —, recomputed from the "
            "events KHO/RICE") in verify.out


def test_a_history_line_edited_in_its_table_is_shown_as_recorded(ward):
    """Finding 3, for `aid history`: the table only chooses and orders the lines; each shows
    the event stored at its position, so an edit of its copy, its kind or its entry number
    never reaches the report (and verify names it)."""
    donated(ward)
    before = ward("history", "--format", "json").json()
    position = next(p for p, name in sql(ward, "SELECT position, name FROM {history}")
                    if name.endswith("Donated"))
    sql(ward, "UPDATE {history} SET event = REPLACE(event, '\"RICE\", 100]', "
              "'\"RICE\", 5000]'), name = 'Ward.HandedOut', entry = 99 WHERE position = {p}",
        (position,))
    assert ward("history", "--format", "json").json() == before
    assert ward("history", "--at", "KHO", "--item", "RICE").out.count("5,000") == 0
    assert audit(ward)[0].code == 1


def test_books_stored_past_the_last_event_are_not_used(ward):
    donated(ward)
    stock = ward("stock", "--format", "json").out
    (position,), = sql(ward, "SELECT position FROM {models} WHERE name = 'books/2'")
    sql(ward, "UPDATE {models} SET position = {p} WHERE name = 'books/2'", (position + 5,))
    assert ward("stock", "--format", "json").out == stock
    verify = audit(ward)[0]
    assert verify.code == 1 and (
        f"read model books: stored as of position {position + 5}, but the ledger's last event "
        f"is at position {position}: events were removed after it was stored") in verify.out


def test_a_stray_line_is_called_past_the_books_only_when_it_is():
    """From a sweep: a line left at position 105, where the events were moved away, was named
    "past the position the books were stored at (115)"."""
    from projections.audit.models import END, _Ahead, _lines_before

    stored = iter([(105, 7, "give", "2021-11-02", "{}"), (120, 9, "give", "2021-11-02", "{}")])
    found = _lines_before(_Ahead(stored), [], limit=END, upto=115)
    assert [(p.position, str(p.text)) for p in found] == [
        (105, "read model history: a line is stored at position 105 (entry 7), where no entry "
              "is recorded"),
        (120, "read model history: a line is stored at position 120, past the position the "
              "books were stored at (115)")]
