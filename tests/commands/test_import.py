"""Bulk imports: validated in full, batched, idempotent, and safe to kill at any moment."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def write_donations(path: Path, count: int, start: int = 0) -> Path:
    lines = ["receipt,date,donor,location,cash,items,note"]
    for n in range(start, start + count):
        lines.append(f"PT-{n:05d},{10 + n % 5}/11/2021,D1,KHO,{(n % 3) * 10000},"
                     f"RICE={1 + n % 4}; NOODLE=1,lô {n}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def totals(count: int, start: int = 0) -> tuple[int, int, int]:
    rice = sum(1 + n % 4 for n in range(start, start + count))
    cash = sum((n % 3) * 10000 for n in range(start, start + count))
    return rice, count, cash


def stock(ward):
    return {(r["location"], r["item"]): r["quantity"]
            for r in ward("stock", "--format", "json").json()}


def test_import_donations_then_again_adds_nothing(ward, tmp_path):
    csv = write_donations(tmp_path / "donations.csv", 250)
    out = ward("import", "donations", str(csv), "--batch", "100").out
    assert "imported 250 donations in 3 batches; 0 already recorded" in out
    rice, noodles, cash = totals(250)
    assert stock(ward) == {("KHO", "RICE"): rice, ("KHO", "NOODLE"): noodles}
    assert ward("cash", "--format", "json").json()["received"] == cash
    before = ward.snapshot()
    again = ward("import", "donations", str(csv)).out
    assert "imported 0 donations" in again and "250 already recorded, skipped" in again
    assert ward.snapshot() == before


def test_import_with_errors_writes_nothing_and_numbers_every_line(ward, tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text("receipt,date,donor,location,cash,items,note\n"
                   "A1,12/11/2021,D1,KHO,,RICE=2,\n"
                   "A2,12/11/2021,D9,KHO,5,,\n"
                   "A3,12/11/2021,D1,KHO,,RICEE=1,\n"
                   "A1,12/11/2021,D1,KHO,5,,\n", encoding="utf-8")
    before = ward.snapshot()
    result = ward.fails("import", "donations", str(csv))
    assert result.code == 2
    errors = result.err.splitlines()
    assert errors[0].startswith("aid: bad.csv line 3: unknown donor 'D9'")
    assert errors[1].startswith("aid: bad.csv line 4: unknown item 'RICEE'")
    assert errors[2] == ("aid: bad.csv line 5: receipt A1 appears earlier in the file; "
                         "each is recorded once")
    assert errors[3] == "aid: nothing was imported from bad.csv: fix the lines above"
    assert ward.snapshot() == before


def test_every_problem_of_a_row_is_listed_not_only_its_first(ward, tmp_path):
    """From a sweep: a row with a bad date hid its unknown donor, location and item; a row
    with an unknown donor hid its unknown location and item. One pass now lists them all."""
    csv = tmp_path / "bad.csv"
    csv.write_text("receipt,date,donor,location,cash,items\n"
                   "R1,2021-13-45,XMEK,KHOX,abc,GAO=1\n"
                   "R2,2021-11-10,XMEK,KHOX,100,GAO=1\n", encoding="utf-8")
    before = ward.snapshot()
    result = ward.fails("import", "donations", str(csv))
    said = [line.split(";")[0].split(": write")[0] for line in result.err.splitlines()[:-1]]
    assert result.code == 2 and said == [f"aid: bad.csv line {line}" for line in (
        "2: '2021-13-45' is not a date", "2: cash must be a whole number, not 'abc'",
        "2: unknown donor 'XMEK'", "2: unknown location 'KHOX'", "2: unknown item 'GAO'",
        "3: unknown donor 'XMEK'", "3: unknown location 'KHOX'",
        "3: unknown item 'GAO'")], result.err
    assert ward.snapshot() == before


def test_import_handouts_refuses_overdraw_and_is_idempotent_without_slips(ward, tmp_path):
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=10", "--on", "2021-11-10")
    csv = tmp_path / "handouts.csv"
    csv.write_text("date,recipient,location,bundles,items,cash\n"
                   "11/11/2021,H1,KHO,,RICE=3,\n"
                   "11/11/2021,H1,KHO,,RICE=3,\n"
                   "11/11/2021,H2,KHO,,RICE=5,\n", encoding="utf-8")
    before = ward.snapshot()
    result = ward.fails("import", "handouts", str(csv))
    assert result.code == 1
    assert "line 4: not enough RICE at KHO: 4 kg" in result.err
    assert ward.snapshot() == before
    csv.write_text("date,recipient,location,bundles,items,cash\n"
                   "11/11/2021,H1,KHO,,RICE=3,\n"
                   "11/11/2021,H1,KHO,,RICE=3,\n", encoding="utf-8")
    assert "imported 2 hand-outs" in ward("import", "handouts", str(csv)).out
    assert "imported 0 hand-outs" in ward("import", "handouts", str(csv)).out
    assert stock(ward) == {("KHO", "RICE"): 4}


def test_receipt_already_recorded_by_hand_is_skipped(ward, tmp_path):
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=1", "--item", "NOODLE=1",
         "--receipt", "PT-00000", "--on", "10/11/2021")
    csv = write_donations(tmp_path / "donations.csv", 3)
    out = ward("import", "donations", str(csv)).out
    assert "imported 2 donations" in out and "1 already recorded" in out
    assert stock(ward) == {("KHO", "RICE"): 1 + 2 + 3, ("KHO", "NOODLE"): 3}


def test_a_receipt_in_other_capitals_is_the_same_receipt(ward, tmp_path):
    """From a sweep: "pt-1" beside "PT-1" (in the ledger or earlier in the file) was a new
    receipt, so one paper receipt could be counted twice."""
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=5", "--receipt", "PT-1",
         "--on", "07/11/2021")
    csv = tmp_path / "donations.csv"
    csv.write_text("receipt,date,donor,location,cash,items\n"
                   "pt-1,07/11/2021,D1,KHO,,RICE=5\n"
                   "PT-7,08/11/2021,D1,KHO,500000,\n"
                   "pt-7,08/11/2021,D1,KHO,500000,\n", encoding="utf-8")
    before = ward.snapshot()
    result = ward.fails("import", "donations", str(csv))
    assert result.code == 2 and ward.snapshot() == before
    assert "line 2: receipt pt-1 is receipt PT-1 of entry" in result.err, result.err
    assert "line 4: receipt pt-7 is receipt PT-7 of an earlier line" in result.err
    write_donations(csv, 2)  # honest: the same file twice adds nothing twice
    ward("import", "donations", str(csv))
    assert "2 already recorded" in ward("import", "donations", str(csv)).out


def test_a_number_already_used_for_something_else_is_refused_not_skipped(ward, tmp_path):
    """From a sweep: a row whose receipt (or slip) number the ledger already holds for another
    donation (hand-out) was counted as "already recorded" and silently lost."""
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=5", "--receipt", "PT-1",
         "--on", "07/11/2021")
    csv = tmp_path / "donations.csv"
    csv.write_text("receipt,date,donor,location,cash,items\n"
                   "PT-1,08/11/2021,D1,KHO,,RICE=77\n"
                   "PT-2,08/11/2021,D1,KHO,500000,\n", encoding="utf-8")
    before = ward.snapshot()
    result = ward.fails("import", "donations", str(csv))
    assert result.code == 1 and result.err.splitlines()[0] == (
        "aid: donations.csv line 2: receipt PT-1 is already used by entry 10, which records "
        "another donation; a receipt number is used once: correct the number on this line, or "
        "leave the line out")
    assert ward.snapshot() == before
    slips = tmp_path / "handouts.csv"
    slips.write_text("slip,date,recipient,location,items\nS1,10/11/2021,H1,KHO,RICE=1\n",
                     encoding="utf-8")
    ward("import", "handouts", str(slips))
    slips.write_text("slip,date,recipient,location,items\nS1,10/11/2021,H2,KHO,RICE=3\n",
                     encoding="utf-8")
    before = ward.snapshot()
    result = ward.fails("import", "handouts", str(slips))
    assert result.code == 1 and "line 2: slip S1 is already used by entry 11" in result.err
    assert ward.snapshot() == before and stock(ward) == {("KHO", "RICE"): 4}


def test_a_number_twice_in_the_file_is_named_as_the_reader_calls_it(ward, tmp_path):
    """From a sweep: "receipt PT-1001 đã có …", "handout S1 …": the import's own keys, in
    English, inside Vietnamese sentences. A receipt is "số phiếu thu", a slip "số phiếu nhận"."""
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=10", "--on", "2021-11-10")
    donations = tmp_path / "don.csv"
    donations.write_text("receipt,date,donor,location,cash\n"
                         "PT-1001,12/11/2021,D1,KHO,1000\n"
                         "PT-1001,12/11/2021,D1,KHO,1000\n", encoding="utf-8")
    handouts = tmp_path / "ho.csv"
    handouts.write_text("slip,date,recipient,location,items\n"
                        "S1,12/11/2021,H1,KHO,RICE=1\n"
                        "S1,12/11/2021,H1,KHO,RICE=1\n", encoding="utf-8")
    before = ward.snapshot()
    said = ward.fails("--lang", "vi", "import", "donations", str(donations)).err
    assert said.splitlines()[0] == ("aid: don.csv dòng 3: số phiếu thu PT-1001 đã có ở một dòng "
                                    "phía trên trong tệp; mỗi số phiếu thu chỉ được ghi một lần")
    said = ward.fails("--lang", "vi", "import", "handouts", str(handouts)).err
    assert said.splitlines()[0] == ("aid: ho.csv dòng 3: số phiếu nhận S1 đã có ở một dòng phía "
                                    "trên trong tệp; mỗi số phiếu nhận chỉ được ghi một lần")
    said = ward.fails("import", "handouts", str(handouts)).err
    assert said.splitlines()[0] == ("aid: ho.csv line 3: slip S1 appears earlier in the file; "
                                    "each is recorded once")
    assert ward.snapshot() == before


def test_problems_come_out_in_line_order_shortages_too(ward, tmp_path):
    """docs/recording.md promises line order; from a sweep, a shortage (whose fields are its
    phrase's) lost its line and came out first: lines 4, 5, 3 for problems on 3, 4, 5."""
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=10", "--on", "2021-11-10")
    csv = tmp_path / "ho.csv"
    csv.write_text("slip,date,recipient,location,bundles,items\n"
                   "S1,12/11/2021,H1,KHO,,RICE=1\n"
                   "S2,12/11/2021,H1,KHO,B350=5,\n"
                   "S1,12/11/2021,H1,KHO,,RICE=1\n"
                   "S4,12/11/2021,H9,KHO,,RICE=1\n"
                   "S5,12/11/2021,H2,KHO,,RICE=50\n", encoding="utf-8")
    before = ward.snapshot()
    said = ward.fails("import", "handouts", str(csv)).err.splitlines()[:-1]
    assert [line.split(":")[1] for line in said] == [
        " ho.csv line 3", " ho.csv line 4", " ho.csv line 5", " ho.csv line 6"], said
    assert "not enough B350" in said[0] and "not enough RICE" in said[3]
    assert ward.snapshot() == before


def test_a_bundle_short_is_advised_packing_not_a_donation(ward, tmp_path):
    """From a sweep: a bundle shortage said "record the donation or transfer first"; bundles
    are packed (`aid pack`) or transferred, in the command and in an import alike."""
    said = ward.fails("--lang", "vi", "give", "H1", "--from", "KHO", "--bundle", "B350=100"
                      ).err
    assert said.strip().endswith("hãy đóng gói thêm bằng `aid pack` hoặc điều chuyển phần quà "
                                 "đến trước"), said
    assert "ủng hộ" not in said
    said = ward.fails("--lang", "vi", "unpack", "B350", "--count", "100", "--at", "KHO").err
    assert "aid pack" not in said and "ủng hộ" not in said  # unpacking: what is packed there
    csv = tmp_path / "ho.csv"
    csv.write_text("date,recipient,location,bundles\n12/11/2021,H1,KHO,B350=5\n",
                   encoding="utf-8")
    said = ward.fails("import", "handouts", str(csv)).err
    assert "needed; pack more with `aid pack` or transfer them first" in said, said
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=1", "--on", "2021-11-10")
    said = ward.fails("give", "H1", "--from", "KHO", "--item", "RICE=5").err
    assert "record the donation or transfer first" in said  # goods: as before


def test_an_empty_row_names_the_columns_not_the_commands_options(ward, tmp_path):
    """From a sweep: a row with nothing to record said "needs --cash DONG and/or --item
    CODE=QTY", options a spreadsheet has not; the commands keep naming their options."""
    donations = tmp_path / "don.csv"
    donations.write_text("receipt,date,donor,location,cash,items\n"
                         "PT-1,12/11/2021,D1,KHO,,\n", encoding="utf-8")
    handouts = tmp_path / "ho.csv"
    handouts.write_text("date,recipient,location,bundles,items,cash\n"
                        "12/11/2021,H1,KHO,,,\n", encoding="utf-8")
    before = ward.snapshot()
    said = ward.fails("--lang", "vi", "import", "donations", str(donations))
    assert said.code == 2 and said.err.splitlines()[0] == (
        "aid: don.csv dòng 2: khoản ủng hộ cần số tiền ở cột 'tiền' (cash) và/hoặc hàng ở cột "
        "'hàng' (items)")
    said = ward.fails("--lang", "vi", "import", "handouts", str(handouts))
    assert said.code == 2 and said.err.splitlines()[0] == (
        "aid: ho.csv dòng 2: lượt phát cần phần quà ở cột 'phần quà' (bundles), hàng ở cột "
        "'hàng' (items) và/hoặc số tiền ở cột 'tiền' (cash)")
    said = ward.fails("import", "handouts", str(handouts)).err
    assert "'bundles' column" in said and "--" not in said
    assert ward.snapshot() == before
    assert "--cash DONG" in ward.fails("donate", "D1", "--into", "KHO").err


def test_columns_an_import_does_not_read_are_never_dropped_unsaid(ward, tmp_path):
    """From a sweep: "Số phiếu" (a donation's receipt number) in a hand-out list, or a column
    "phiếu", was dropped without a word, and the slip numbers with it."""
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=10", "--on", "2021-11-10")
    receipt = tmp_path / "ho.csv"
    receipt.write_text("Số phiếu,Ngày,Người nhận,Kho,Hàng\nS9,12/11/2021,H1,KHO,RICE=1\n",
                       encoding="utf-8")
    before = ward.snapshot()
    said = ward.fails("--lang", "vi", "import", "handouts", str(receipt))
    assert said.code == 2 and said.err == (
        "aid: ho.csv: cột 'Số phiếu' là số phiếu thu của khoản ủng hộ, danh sách lượt phát không "
        "có cột này; nếu cột ghi số phiếu nhận của các lượt phát, hãy đặt tên cột là 'số phiếu "
        "nhận' (slip); nếu không, hãy xóa cột đó\n")
    donations = tmp_path / "don.csv"
    donations.write_text("receipt,date,donor,location,cash,recipient\n"
                         "PT-9,12/11/2021,D1,KHO,1000,H1\n", encoding="utf-8")
    said = ward.fails("import", "donations", str(donations))
    assert said.code == 2 and len(said.err.splitlines()) == 1
    assert said.err.startswith("aid: don.csv: column 'recipient' is the column 'recipient' "
                               "(người nhận) of another kind of list, not of a list of donations")
    assert ward.snapshot() == before
    unread = tmp_path / "ho2.csv"
    unread.write_text("STT,phiếu,Ngày,Người nhận,Kho,Hàng,Ký nhận\n"
                      "1,S9,12/11/2021,H1,KHO,RICE=1,x\n", encoding="utf-8")
    done = ward("import", "handouts", str(unread))
    assert "imported 1 hand-outs" in done.out
    assert done.err == ("aid: warning: ho2.csv: columns not read: 'phiếu', 'Ký nhận'; a list of "
                        "hand-outs reads 'slip' (số phiếu nhận), 'date' (ngày), 'recipient' "
                        "(người nhận), 'location' (kho), 'bundles' (phần quà), 'items' (hàng), "
                        "'cash' (tiền)\n")
    said = ward("--lang", "vi", "import", "handouts", str(unread)).err
    assert said.startswith("aid: cảnh báo: ho2.csv: không đọc các cột 'phiếu', 'Ký nhận'; ")
    # from a sweep: a warning line, then the refusal: one line, the columns not read in it
    misnamed = tmp_path / "don2.csv"
    misnamed.write_text("STT,số phiếu thu,ngày,mã nhà hảo tâm,kho,tiền,remarks\n"
                        "1,PT-9,12/11/2021,D1,KHO,1000,x\n", encoding="utf-8")
    before = ward.snapshot()
    said = ward.fails("import", "donations", str(misnamed))
    assert said.code == 2 and len(said.err.splitlines()) == 1
    assert said.err.startswith("aid: don2.csv has no 'donor' (nhà hảo tâm) column: name it in "
                               "the header row (don2.csv: columns not read: 'mã nhà hảo tâm', "
                               "'remarks'; ")
    assert ward.snapshot() == before


def test_a_file_without_a_header_is_told_its_own_columns(ward, tmp_path):
    """From a sweep: a hand-out list without a header row was told the household list's
    columns (mã hộ, họ tên, tổ)."""
    junk = tmp_path / "junk.csv"
    junk.write_text("a,b\n1,2\n", encoding="utf-8")
    said = ward.fails("--lang", "vi", "import", "handouts", str(junk)).err
    assert said == ("aid: junk.csv không có dòng tiêu đề nêu tên các cột (như 'ngày' (date), "
                    "'người nhận' (recipient), 'kho' (location)): chỉ thấy a, b\n")
    said = ward.fails("import", "donations", str(junk)).err
    assert "(such as 'receipt' (số phiếu thu), 'date' (ngày), 'donor' (nhà hảo tâm), " in said
    said = ward.fails("recipient", "import", str(junk)).err
    assert "(such as 'code' (mã hộ), 'name' (họ tên), 'group' (tổ)" in said


def test_killed_imports_leave_whole_batches_and_resume(ledger, tmp_path):
    """SIGKILL an import at 12 random moments; each time the store opens cleanly, holds whole
    batches only, and resuming completes it; a second run adds nothing; models equal a rebuild.
    At least one kill must land mid-import (some batches in, not all), or it proved nothing."""
    ledger("init", "--ward", "Phường 3")
    ledger("item", "add", "RICE", "--name", "Gạo", "--unit", "kg")
    ledger("item", "add", "NOODLE", "--name", "Mì", "--unit", "case")
    ledger("location", "add", "KHO", "--name", "Kho")
    ledger("donor", "add", "D1", "--name", "Donor")
    rows, batch = 1500, 50
    csv = write_donations(tmp_path / "donations.csv", rows)
    env = {**os.environ, **ledger.env}
    command = [sys.executable, "-m", "commands", "import", "donations", str(csv),
               "--batch", str(batch)]
    rng = random.Random(20211117)
    partial = 0
    for trial in range(12):
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        if trial == 0:  # as soon as a first batch is in: mid-import on any machine
            while proc.poll() is None and not imported_receipts(ledger):
                time.sleep(0.01)
        else:
            time.sleep(rng.uniform(0.2, 1.2) * (2 if ledger.backend == "postgres" else 1))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        receipts = imported_receipts(ledger)
        assert len(receipts) % batch == 0
        chunks = {n // batch for n in receipts}
        assert receipts == {n for c in chunks for n in range(c * batch, (c + 1) * batch)}
        partial += 0 < len(receipts) < rows
    assert partial, "no kill landed while the import was writing"
    out = ledger("import", "donations", str(csv), "--batch", str(batch)).out
    assert "imported" in out
    assert imported_receipts(ledger) == set(range(rows))
    assert "imported 0 donations" in ledger("import", "donations", str(csv)).out
    reports = [ledger(*args).out for args in (("stock",), ("cash",), ("history", "--format", "json"))]
    ledger("rebuild")
    assert [ledger(*args).out for args in (("stock",), ("cash",), ("history", "--format", "json"))] == reports
    rice, noodles, cash = totals(rows)
    assert stock(ledger) == {("KHO", "RICE"): rice, ("KHO", "NOODLE"): noodles}


def imported_receipts(ledger) -> set[int]:
    lines = ledger("history", "--format", "json").json()
    return {int(line["detail"].rsplit("PT-", 1)[1]) for line in lines if line["kind"] == "donate"}
