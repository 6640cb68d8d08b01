"""Rendering the public statement: terminal tables, one CSV, or a self-contained A4 page
(commands/pages.py) with the drive's charts, the digest head and the signatures, ready to post
on the ward's notice board or print to PDF."""

from __future__ import annotations

import csv
import io
from typing import Any

import typer

from .render import emit

CSV_FIELDS = ["section", "entry", "on", "donor", "name", "gifts", "recipient", "group",
              "households", "times", "location", "item", "quantity", "change", "unit",
              "bundles", "goods", "cash", "value", "note"]


def header(statement: dict[str, Any]) -> str:
    start, end = statement["from"] or "the beginning", statement["to"] or "today"
    return f"Public statement (công khai) of {statement['ward']}, from {start} to {end}"


def digest_lines(digest: Any) -> list[tuple[str, str]]:
    return [("events", str(digest.events)), ("position", str(digest.position)),
            ("head", digest.head), ("taken", digest.taken)]


def as_table(statement: dict[str, Any], digest: Any) -> None:
    typer.echo(header(statement))
    for section in statement["sections"]:
        typer.echo(f"\n{section.title}")
        emit(section.rows, "table", section.columns, empty="none")
    typer.echo("\nLedger digest (check with `aid audit verify --digest`)")
    for key, value in digest_lines(digest):
        typer.echo(f"  {key}: {value}")


def as_csv(statement: dict[str, Any], digest: Any) -> None:
    """One CSV for spreadsheets: a `section` column, then the fields each section uses."""
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for section in statement["sections"]:
        for row in section.rows:
            record = {"section": section.key, **row}
            record.setdefault("note", row.get("receipt") or row.get("reason") or
                              row.get("supplier") or row.get("line") or "")
            if "amount" in row:
                record["cash"] = row["amount"]
            writer.writerow(record)
    for key, value in digest_lines(digest):
        writer.writerow({"section": "digest", "name": key, "note": value})
    typer.echo(out.getvalue(), nl=False)


VI_TITLES = {
    "donors": "Nhà hảo tâm và số đã ủng hộ", "donations": "Các khoản nhận (phiếu thu)",
    "received": "Tổng đã nhận", "purchases": "Mua sắm từ quỹ",
    "by_group": "Đã phát, theo tổ", "by_household": "Đã phát, theo mã hộ (không ghi tên)",
    "losses": "Hư hỏng, hao hụt, kiểm kê chênh lệch", "stock": "Tồn kho", "cash": "Quỹ tiền mặt",
}
VI_HEADINGS = {
    "donor": "mã", "name": "tên", "gifts": "số lần", "cash": "tiền mặt", "goods": "hàng",
    "value": "giá trị", "entry": "số", "on": "ngày", "receipt": "phiếu thu", "item": "mặt hàng",
    "quantity": "số lượng", "unit": "đơn vị", "supplier": "nơi bán", "location": "kho",
    "group": "tổ", "households": "số hộ", "bundles": "phần quà", "recipient": "mã hộ",
    "times": "số lần", "change": "chênh lệch", "reason": "lý do", "line": "khoản",
    "amount": "số tiền",
}
VI_CASH_LINES = {
    "opening balance of the fund": "Tồn quỹ đầu kỳ", "received": "Thu trong kỳ",
    "spent on purchases": "Chi mua hàng",
    "handed out (in cash and in bundles)": "Đã phát (tiền mặt và trong phần quà)",
    "put into / taken from packed bundles": "Đưa vào / lấy ra từ phần quà đã đóng gói",
    "closing balance of the fund": "Tồn quỹ cuối kỳ",
    "cash inside packed bundles still held": "Tiền trong phần quà chưa phát",
    "cash left in all": "Tổng tiền còn lại",
}
KINDS = {"cash": "money", "value": "money", "amount": "money", "on": "date", "entry": "text",
         "receipt": "code"}
WORDS = {
    "vi": {"title": "Công khai tài chính quỹ tương trợ — {ward}", "ward": "Đơn vị",
           "period": "Thời gian", "start": "từ đầu", "today": "nay", "printed": "In lúc",
           "digest": "Mã kiểm tra sổ (digest)", "head": "{events} sự kiện, head {head}",
           "field": "mục", "value": "giá trị",
           "privacy": "Hộ nhận chỉ ghi mã hộ và tổ, không ghi tên. "
                      "Hàng tính theo giá trị khai báo.",
           "keep": "Hãy giữ trang này. Về sau ai cũng có thể chạy `aid audit verify --digest` "
                   "với các số trên: lệnh báo lỗi nếu bất kỳ bút toán nào đến đây bị sửa, xoá "
                   "hay đảo thứ tự."},
    "en": {"title": "Public statement (công khai) — {ward}", "ward": "Ward",
           "period": "Period", "start": "the beginning", "today": "today", "printed": "Printed",
           "digest": "Ledger digest", "head": "{events} events, head {head}",
           "field": "field", "value": "value",
           "privacy": "Households appear by code and group only. Goods at their declared value.",
           "keep": "Keep this page. Anyone can later run `aid audit verify --digest` with these "
                   "figures: it fails if any entry up to here was changed, removed or reordered."},
}


def as_page(statement: dict[str, Any], digest: Any, drive: dict[str, Any], lang: str) -> str:
    """The statement as a printable A4 page: header facts with the digest head, the donors and
    totals, the drive's charts, the rest of the sections, the digest, and the signatures."""
    from . import charts
    from .language import day
    from .pages import Figure, Note, Table, page

    words = WORDS[lang]
    start = day(statement["from"], lang) if statement["from"] else words["start"]
    end = day(statement["to"], lang) if statement["to"] else words["today"]
    facts = [(words["ward"], statement["ward"]), (words["period"], f"{start} – {end}"),
             (words["digest"], words["head"].format(events=digest.events, head=digest.head)),
             (words["printed"], digest.taken)]
    tables = [_table(section, lang) for section in statement["sections"]]
    pictures = [Figure(title, svg) for title, svg in charts.figures(drive, lang)]
    digest_rows = [{"key": key, "value": value} for key, value in digest_lines(digest)]
    blocks = [Note(words["privacy"]), *tables[:3], *pictures, *tables[3:],
              Table(words["digest"], [("key", words["field"]), ("value", words["value"])],
                    digest_rows, kinds={"value": "text"}),
              Note(words["keep"])]
    footer = f"{statement['ward']} · {start} – {end} · digest {digest.head[:16]}…"
    return page(words["title"].format(ward=statement["ward"]), facts, blocks, lang,
                place=statement["ward"], footer=footer)


def _table(section: Any, lang: str) -> Any:
    from .pages import Table

    columns, rows = section.columns, section.rows
    title = section.title
    if lang == "vi":
        title = VI_TITLES.get(section.key, title)
        columns = [(key, VI_HEADINGS.get(key, heading)) for key, heading in columns]
        if section.key == "cash":
            rows = [{**row, "line": VI_CASH_LINES.get(row["line"], row["line"])} for row in rows]
    return Table(title, columns, rows, kinds=KINDS)
