"""The recipients register through the CLI: import, tiers, exclusions, labels, list."""

from __future__ import annotations

import unicodedata

LIST = """code,name,group,size,tier,excluded
H10,Nguyễn Văn An,Tổ 1,4,0,
H11,Trần Thị Bình,Tổ 1,2,1,
H12,Lê Văn Cường,Tổ 2,6,1,no
H13,Đỗ Văn Em,Tổ 3,5,3,x
"""


def write(tmp_path, text, name="list.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def cp1258(text):
    """As Excel on Vietnamese Windows saves it: base letters, tone marks as combining bytes."""
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            out += unicodedata.normalize("NFC", parts[:-1]).encode("cp1258")
            out += parts[-1].encode("cp1258")
    return out


def kinds(ledger):
    return [line["kind"] for line in ledger("history", "--format", "json").json()]


def register(ledger, *args):
    return {r["code"]: r for r in ledger("recipient", "list", "--format", "json", *args).json()}


def test_import_declares_and_excludes_in_one_step(ward, tmp_path):
    out = ward("recipient", "import", write(tmp_path, LIST), "--on", "2021-11-02").out
    assert out == "recorded entries 10–14 from list.csv (4 households in the file)\n"
    assert kinds(ward)[-5:] == ["recipient"] * 4 + ["exclude"]
    rows = register(ward)
    assert rows["H13"]["excluded"] is True and rows["H12"]["excluded"] is False
    assert rows["H10"] == {"code": "H10", "name": "Nguyễn Văn An", "group": "Tổ 1", "size": 4,
                           "tier": 0, "excluded": False, "forgotten": False,
                           "label": "F0/F1 quarantined, elderly alone, disabled"}


def test_importing_the_same_file_twice_changes_nothing(ward, tmp_path):
    path = write(tmp_path, LIST)
    ward("recipient", "import", path)
    before = ward.snapshot()
    out = ward("recipient", "import", path).out
    assert out == "nothing to record: the register already matches list.csv (4 households)\n"
    assert ward.snapshot() == before


def test_a_changed_list_records_tier_size_and_exclusion_changes(ward, tmp_path):
    ward("recipient", "import", write(tmp_path, LIST))
    changed = LIST.replace("H11,Trần Thị Bình,Tổ 1,2,1,", "H11,Trần Thị Bình,Tổ 2,3,0,") \
                  .replace("Tổ 3,5,3,x", "Tổ 3,5,3,")
    out = ward("recipient", "import", write(tmp_path, changed, "v2.csv")).out
    assert out == "recorded entries 15–17 from v2.csv (4 households in the file)\n"
    assert kinds(ward)[-3:] == ["recipient change", "tier", "include"]
    rows = register(ward)
    assert (rows["H11"]["group"], rows["H11"]["size"], rows["H11"]["tier"]) == ("Tổ 2", 3, 0)
    assert rows["H13"]["excluded"] is False
    assert "H11 to tier 0: import v2.csv" in ward("history").out
    ward("--lang", "vi", "recipient", "import", write(tmp_path, LIST, "v3.csv"))
    assert "H11 sang mức 1: nhập từ v3.csv" in ward("--lang", "vi", "history").out  # as typed


def test_import_errors_are_line_numbered_and_nothing_is_written(ward, tmp_path):
    bad = LIST + "H14,Phạm Thị Dung,Tổ 2,zero,2,\nH15,,Tổ 2,3,2,\nH10,Lặp,Tổ 1,1,1,\nH16,X,Tổ 1,2,7,\n"
    before = ward.snapshot()
    result = ward.fails("recipient", "import", write(tmp_path, bad))
    assert result.code == 2
    assert result.err == ("aid: list.csv line 6: size must be a whole number, not 'zero' (and 3 "
                          "more, on lines 7, 8, 9); nothing was imported: fix the file and "
                          "import it again\n")
    assert ward.snapshot() == before


def test_import_refusals(ward, tmp_path):
    before = ward.snapshot()
    missing = ward.fails("recipient", "import", write(tmp_path, "code,name,size\nH1,A,1\n"))
    assert missing.code == 2 and "line 1: missing column(s) group, tier" in missing.err
    renamed = ward.fails("recipient", "import",
                         write(tmp_path, "code,name,group,size,tier\nH1,Someone Else,Tổ 1,4,3\n"))
    assert renamed.code == 1
    assert "H1 is registered as 'Nguyễn Văn A', the file says 'Someone Else'" in renamed.err
    empty = ward.fails("recipient", "import", write(tmp_path, "code,name,group,size,tier\n"))
    assert empty.code == 2 and "lists no households" in empty.err
    nofile = ward.fails("recipient", "import", tmp_path / "nope.csv")
    assert nofile.code == 2 and "cannot read" in nofile.err
    assert ward.snapshot() == before


def test_windows_1258_files_with_decomposed_marks_become_nfc(ward, tmp_path):
    text = "code,name,group,size,tier\nH20,Nguyễn Thị Hạnh,Tổ 4,3,1\n"
    path = tmp_path / "excel.csv"
    path.write_bytes(cp1258(text))
    assert "ễ".encode() not in path.read_bytes()
    ward("recipient", "import", path)
    row = register(ward)["H20"]
    assert row["name"] == unicodedata.normalize("NFC", "Nguyễn Thị Hạnh") and row["group"] == "Tổ 4"


def test_tier_exclude_include_with_refusals(ward):
    assert ward.entry("recipient", "tier", "H1", "1", "--reason", "hộ cận nghèo") == 10
    assert register(ward)["H1"]["tier"] == 1
    before = ward.snapshot()
    same = ward.fails("recipient", "tier", "H1", "mức 1", "--reason", "again")  # as said
    assert (same.code, same.err) == (1, "aid: H1 is already in tier 1; nothing to change\n")
    bad = ward.fails("recipient", "tier", "H1", "4", "--reason", "x")
    assert bad.code == 2 and "tier must be 0, 1, 2 or 3" in bad.err
    unknown = ward.fails("recipient", "exclude", "H9", "--reason", "x")
    assert unknown.code == 2 and "unknown recipient 'H9'" in unknown.err
    noreason = ward.fails("recipient", "exclude", "H1", "--reason", " ")
    assert noreason.code == 2 and "--reason must say why" in noreason.err
    assert ward.snapshot() == before
    ward("recipient", "exclude", "H1", "--reason", "covered by the district programme")
    assert register(ward)["H1"]["excluded"] is True
    twice = ward.fails("recipient", "exclude", "H1", "--reason", "x")
    assert (twice.code, twice.err) == (1, "aid: H1 is already excluded; nothing to change\n")
    ward("recipient", "include", "H1", "--reason", "programme ended")
    assert register(ward)["H1"]["excluded"] is False
    assert kinds(ward)[-3:] == ["tier", "exclude", "include"]


def test_list_searches_without_marks_and_sorts_in_vietnamese_order(ward, tmp_path):
    ward("recipient", "import", write(tmp_path, LIST))
    names = [r["name"] for r in ward("recipient", "list", "--format", "json").json()]
    assert names == ["Đỗ Văn Em", "Lê Văn Cường", "Nguyễn Văn A", "Nguyễn Văn An",
                     "Trần Thị B", "Trần Thị Bình"]
    assert list(register(ward, "--search", "nguyen van")) == ["H1", "H10"]
    assert list(register(ward, "--search", "CUONG")) == ["H12"]
    assert list(register(ward, "--group", "to 1", "--tier", "0")) == ["H10"]
    assert list(register(ward, "--tier", "1", "--tier", "3")) == ["H13", "H12", "H1", "H2", "H11"]
    assert "no household matches" in ward("recipient", "list", "--search", "zzz").out


def test_tier_labels_are_ward_events(ward):
    ward("tier", "label", "1", "Hộ nghèo, cận nghèo")
    labels = {r["tier"]: r["label"] for r in ward("tier", "list", "--format", "json").json()}
    assert labels == {0: "F0/F1 quarantined, elderly alone, disabled", 1: "Hộ nghèo, cận nghèo",
                      2: "lost income", 3: "other"}
    assert register(ward)["H2"]["label"] == "Hộ nghèo, cận nghèo"
    assert ward.fails("tier", "label", "5", "x").code == 2
    assert kinds(ward)[-1] == "tier label"


def test_reports_count_a_household_where_it_moved(ward, tmp_path):
    """Coverage and the statement's groups follow a household's moves as the register and the
    district do, from the books a writer stored and from books folded afresh alike."""
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=100", "--on", "2021-11-02")
    ward("give", "H1", "--from", "KHO", "--item", "RICE=10", "--on", "2021-11-03")
    moved = "code,name,group,size,tier\nH1,Nguyễn Văn A,Tổ 2,4,1\nH2,Trần Thị B,Tổ 2,2,1\n"
    ward("recipient", "import", write(tmp_path, moved), "--on", "2021-11-04")

    def figures():
        coverage = ward("report", "drive", "--format", "json").json()["coverage"]
        groups = ward("audit", "statement", "--format", "json").json()["sections"]["by_group"]
        return coverage, [(row["group"], row["households"], row["goods"]) for row in groups]

    expected = ({"groups": [{"group": "Tổ 2", "declared": 2, "served": 1}],
                 "tiers": [{"tier": 1, "declared": 2, "served": 1}]},
                [("Tổ 2", 1, "Gạo (RICE) 10 kg")])
    assert figures() == expected
    ward("rebuild")
    assert figures() == expected
