"""The canary: distinctive names, phones and ID numbers go in through `recipient add` and
`recipient import`; a drive, vouchers, a round and every report and export run; the raw
database (its -wal too) and every output are searched. Only the register and the receipt sheet
may show them. After `forget`, nothing anywhere shows them — not even a copy of the database
taken before the erasure — while the books, plans, statement and the chain stay exactly as
they were (on SQLite and PostgreSQL; PDFs where Chromium is installed)."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

from commands.output.printing import find_chromium
from tests.conftest import PG_URL

NAME = "Thạch Thị Canaryzq"
PHONE = "0909-777-123"
ID_NUMBER = "079188001122"
IMPORTED = ("Lâm Văn Canaryimp", "0911-222-333", "079199887766")
CANARIES = [NAME, PHONE, ID_NUMBER, *IMPORTED, "Canaryzq", "Canaryimp"]
PDF = find_chromium() is not None and shutil.which("pdftotext") is not None

# Reports that must never show a name, in every format a script or a person reads.
REPORTS = [
    ("stock", "--format", "csv"), ("cash", "--format", "json"),
    ("history", "--format", "json"), ("history",), ("bundle", "packable"),
    ("audit", "digest", "--format", "json"), ("audit", "verify"),
    ("audit", "check", "--format", "json"), ("audit", "reconcile", "--format", "json"),
    ("audit", "trace", "31", "--format", "json"), ("audit", "statement", "--format", "json"),
    ("audit", "statement", "--format", "csv"), ("audit", "statement", "--format", "html"),
    ("voucher", "list", "--format", "json"), ("shop", "report", "SHOP0D", "--format", "json"),
    ("round", "plan", "RC"),
    ("round", "status", "RC", "--format", "json"), ("report", "drive", "--format", "json"),
    ("report", "drive", "--format", "html"), ("tier", "list", "--format", "json"),
]
FILES = [  # (command, file name): workbooks and printed pages
    (("stock",), "stock.xlsx"), (("history",), "history.xlsx"),
    (("audit", "statement"), "statement.xlsx"), (("audit", "statement"), "statement.html"),
    (("voucher", "list"), "vouchers.xlsx"), (("round", "plan", "RC"), "plan.xlsx"),
    (("round", "status", "RC"), "status.xlsx"), (("report", "drive"), "drive.html"),
    (("shop", "report", "SHOP0D"), "shop.xlsx"),
]
REGISTER = [("recipient", "list"), ("recipient", "list", "--format", "json"),
            ("recipient", "list", "--search", "canaryzq")]
SHEETS = [("round", "sheet", "RC", "--format", "csv"), ("round", "sheet", "RC")]
SHEET_FILES = ["sheet.xlsx", "sheet.html"]
FIGURES = [  # what forgetting must leave exactly as it was
    ("stock", "--as-of", "2021-11-22", "--format", "json"), ("cash", "--format", "json"),
    ("audit", "trace", "31", "--format", "json"),
    ("audit", "reconcile", "--as-of", "2021-11-22", "--format", "json"),
    ("round", "plan", "RC", "--format", "json"),
    ("report", "drive", "--to", "2021-11-22", "--format", "json"),
]


def hits(text: bytes | str) -> list[str]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return [c for c in CANARIES if c.encode("utf-8") in data]


def file_text(path: Path) -> bytes:
    """A file's bytes; a workbook's XML parts unzipped; a PDF's text (pdftotext)."""
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:
            return b"".join(book.read(name) for name in book.namelist())
    if path.suffix == ".pdf":
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                              check=True, timeout=60).stdout
    return path.read_bytes()


def raw_store(ledger) -> bytes:
    """Every byte the store keeps: the SQLite file and its -wal, or every row of the ward's
    PostgreSQL tables (bytea columns as their bytes)."""
    if ledger.path is not None:
        return b"".join(Path(f"{ledger.path}{s}").read_bytes() for s in ("", "-wal")
                        if Path(f"{ledger.path}{s}").exists())
    import psycopg

    prefix = f"aid_{ledger.env['AID_WARD']}"
    out = io.BytesIO()
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE %s",
                              (prefix + "\\_%",)).fetchall()
        for (table,) in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    out.write(bytes(value) if isinstance(value, (bytes, memoryview))
                              else str(value).encode("utf-8"))
    return out.getvalue()


def sealed_rows(ledger) -> list[tuple[int, bytes]]:
    """(entry, stored state) of every ward event, as a backup would hold them."""
    from ledger.store.access import locate, open_log

    log = open_log(locate(environ=ledger.env))
    try:
        return [(version, state) for _, _, version, _, state in log.stored()]
    finally:
        log.close()


def record_the_drive(ledger, tmp_path: Path) -> None:
    ledger.drive()
    ledger("recipient", "add", "C1", "--name", NAME, "--group", "Tổ 3", "--size", "3",
           "--tier", "0", "--phone", PHONE, "--id-number", ID_NUMBER, "--on", "2021-11-21")
    listing = tmp_path / "approved.csv"
    listing.write_text("code,name,group,size,tier,phone,id_number\n"
                       f"C2,{IMPORTED[0]},Tổ 4,2,0,{IMPORTED[1]},{IMPORTED[2]}\n",
                       encoding="utf-8")
    ledger("recipient", "import", listing, "--on", "2021-11-21")
    voucher = ledger("voucher", "issue", "C1", "--shop", "SHOP0D", "--value", "100000",
                     "--on", "2021-11-22").out.split()[-1]
    ledger("pickup", voucher, "--item", "RICE=1", "--on", "2021-11-22")
    ledger("round", "open", "RC", "--from", "KHO", "--item", "RICE", "--ration", "RICE=1",
           "--tier", "0", "--on", "2021-11-22")
    ledger("round", "apply", "RC", "--only", "C1", "--on", "2021-11-22")


def outputs(ledger, tmp_path: Path, commands, files, tag: str) -> bytes:
    """What the commands print, and the files they write, concatenated."""
    found = [ledger(*command).out for command in commands]
    for command, name in files:
        target = tmp_path / f"{tag}-{name}"
        ledger(*command, "--output", target)
        found.append(file_text(target).decode("utf-8", "replace"))
    return "\n".join(found).encode("utf-8")


def test_names_only_in_the_register_and_the_sheet_and_nowhere_after_forget(ledger, tmp_path,
                                                                          ward_key):
    record_the_drive(ledger, tmp_path)
    sqlite = ledger.path is not None  # outputs do not depend on the store: files once, on SQLite
    pages = [(("audit", "statement"), "statement.pdf")] if PDF and sqlite else []
    sheet_pages = [(("round", "sheet", "RC"), "sheet.pdf")] if PDF and sqlite else []
    reports = REPORTS if sqlite else [r for r in REPORTS if "json" in r]

    assert hits(raw_store(ledger)) == []
    assert hits(outputs(ledger, tmp_path, reports, FILES + pages if sqlite else [],
                        "before")) == []
    sheets = [(("round", "sheet", "RC"), n) for n in SHEET_FILES] if sqlite else []
    shown = outputs(ledger, tmp_path, REGISTER + SHEETS, sheets + sheet_pages, "shown")
    assert set(hits(shown)) == {NAME, IMPORTED[0], "Canaryzq", "Canaryimp"}  # names only

    release_both(ledger)
    figures = [ledger(*c).json() for c in FIGURES]
    digest = tmp_path / "digest.json"
    digest.write_text(ledger("audit", "digest", "--format", "json").out)
    backup = sealed_rows(ledger)
    copy = None
    if ledger.path is not None:
        copy = tmp_path / "backup.db"
        shutil.copy(ledger.path, copy)

    forget_both(ledger)

    after = outputs(ledger, tmp_path, reports + REGISTER + SHEETS, sheets, "after")
    assert hits(after) == [] and hits(raw_store(ledger)) == []
    assert [ledger(*c).json() for c in FIGURES] == figures
    assert ledger("audit", "verify", "--digest", digest).code == 0
    assert_backup_unreadable(ledger, backup, copy)


def release_both(ledger) -> None:
    """C1 holds a live voucher and C2 an open round's planned hand-out: forgetting either is
    refused, saying which, with nothing written; then the voucher is cancelled and the round
    closed (closing a round fixes its plan to what it handed out, so the figures that
    forgetting must not change are taken after this)."""
    before = ledger.snapshot()
    held = ledger.fails("recipient", "forget", "C1", "--reason", "asked", "--on", "2021-11-23")
    assert held.code == 1 and "holds live voucher" in held.err and "SHOP0D" in held.err
    waiting = ledger.fails("recipient", "forget", "C2", "--reason", "asked", "--on",
                           "2021-11-23")
    assert waiting.code == 1 and "open round RC plans a hand-out to C2" in waiting.err
    assert ledger.snapshot() == before
    voucher = ledger("voucher", "list", "--format", "json").json()
    code = next(v["code"] for v in voucher if v["recipient"] == "C1")
    ledger("voucher", "cancel", code, "--reason", "moving away", "--on", "2021-11-23")
    ledger("round", "close", "RC", "--on", "2021-11-23")


def forget_both(ledger) -> None:
    """Once nothing holds them, both households go."""
    for household in ("C1", "C2"):
        done = ledger("recipient", "forget", household, "--reason", "request 23/11",
                      "--on", "2021-11-23")
        assert "key destroyed" in done.out
    register = {r["code"]: r for r in ledger("recipient", "list", "--format", "json").json()}
    assert register["C1"]["forgotten"] and register["C1"]["name"] == ""
    assert register["C2"]["group"] == "Tổ 4" and register["C2"]["size"] == 2


def assert_backup_unreadable(ledger, backup: list[tuple[int, bytes]], copy: Path | None) -> None:
    """The sealed details in a copy taken before the erasure no longer open with the key."""
    import json

    from ledger.privacy.details import from_environment

    sealer = from_environment()
    sealed = [(entry, json.loads(state)) for entry, state in backup if b'"sealed"' in state]
    mine = {data["code"]: (entry, data["sealed"]) for entry, data in sealed
            if data.get("code") in ("C1", "C2")}
    assert set(mine) == {"C1", "C2"}
    assert all(sealer.open(code, *found) is None for code, found in mine.items())
    if copy is not None:
        assert hits(copy.read_bytes()) == []
        old = ledger.fails("recipient", "list", "--db", copy)
        assert old.code == 2 and "has no key for household C" in old.err and not hits(old.out)
