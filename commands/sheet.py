"""The signed receipt list (danh sách ký nhận) as CSV or as one self-contained, printable page.

The HTML needs no network (no fonts, scripts or images from elsewhere) and prints on A4 with
the table header repeated on every page and room for each household to sign.
"""

from __future__ import annotations

import csv
import io
from html import escape
from typing import Any


def _quantity(line: dict[str, Any], code: str) -> str:
    return str(line["goods"].get(code, "")) if line["goods"].get(code) else ""


def as_csv(data: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    codes = [g["code"] for g in data["goods"]]
    writer.writerow(["no", "code", "name", "group", "size", *codes, "handed", "signature"])
    for number, line in enumerate(data["lines"], start=1):
        writer.writerow([number, line["code"], line["name"], line["group"], line["size"],
                         *(_quantity(line, c) for c in codes),
                         "yes" if line["handed"] else "", ""])
    return out.getvalue()


STYLE = """
@page { size: A4 portrait; margin: 14mm 12mm; }
body { font-family: "Times New Roman", "DejaVu Serif", serif; font-size: 11pt; color: #000; }
h1 { font-size: 14pt; text-align: center; margin: 0 0 2mm; text-transform: uppercase; }
p.meta { text-align: center; margin: 0 0 4mm; }
table { width: 100%; border-collapse: collapse; }
thead { display: table-header-group; }
th, td { border: 0.3mm solid #000; padding: 1.5mm 1.5mm; vertical-align: top; }
th { background: #eee; }
td.num { text-align: right; }
td.sign { width: 32mm; height: 10mm; }
tr { page-break-inside: avoid; }
.done { font-style: italic; }
.footer { display: flex; justify-content: space-around; margin-top: 10mm; text-align: center; }
.footer div { width: 40%; height: 28mm; }
@media print { th { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
"""


def as_html(data: dict[str, Any]) -> str:
    goods = data["goods"]
    heads = "".join(f"<th>{escape(g['name'])}<br>({escape(g['unit'])})</th>" for g in goods)
    rows = []
    for number, line in enumerate(data["lines"], start=1):
        cells = "".join(f'<td class="num">{_quantity(line, g["code"])}</td>' for g in goods)
        sign = '<td class="sign done">đã nhận</td>' if line["handed"] else '<td class="sign"></td>'
        rows.append(f"<tr><td class=\"num\">{number}</td><td>{escape(line['code'])}</td>"
                    f"<td>{escape(line['name'])}</td><td>{escape(line['group'])}</td>"
                    f"<td class=\"num\">{line['size']}</td>{cells}{sign}</tr>")
    body = "\n".join(rows) or f'<tr><td colspan="{6 + len(goods)}">nothing planned</td></tr>'
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>Danh sách ký nhận – {escape(data['round'])}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>Danh sách ký nhận quà hỗ trợ</h1>
<p class="meta">{escape(data['ward'])} · đợt {escape(data['round'])} · nơi phát
{escape(data['location'])} · ngày {escape(data['on'])} · kế hoạch {data['plan'][:12]}</p>
<table>
<thead><tr><th>STT</th><th>Mã hộ</th><th>Họ và tên</th><th>Tổ</th><th>Số người</th>{heads}
<th>Ký nhận</th></tr></thead>
<tbody>
{body}
</tbody>
</table>
<div class="footer"><div>Người lập danh sách<br><i>(ký, ghi rõ họ tên)</i></div>
<div>Trưởng ban<br><i>(ký, ghi rõ họ tên)</i></div></div>
</body>
</html>
"""
