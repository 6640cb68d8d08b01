"""What `aid` alone prints: the commands a treasurer uses most, grouped by the day's work.

`aid --help` lists every command; this is the short, friendly page for someone who has not
learned them yet. Entries for commands this build does not have are left out, so the list can
name commands that other parts add (distribution rounds) without ever pointing at one that is
missing.
"""

from __future__ import annotations

from typing import Any

import typer

from commands.language.words import N_, _

GROUPS: list[tuple[str, list[tuple[str, str]]]] = [
    (N_("Set up (once per drive)"), [
        (N_("aid init --ward NAME"), N_("start a ledger for the ward")),
        (N_("aid item add CODE --name --unit"), N_("goods: rice, noodles, oil…")),
        (N_("aid location add CODE --name"), N_("stores (kho) and 0 đồng shops")),
        (N_("aid donor add CODE --name"), N_("benefactors (nhà hảo tâm)")),
        (N_("aid recipient import LIST.xlsx"), N_("the approved household list (danh sách hộ)")),
        (N_("aid recipient add CODE --name --group"), N_("one household (hộ nhận)")),
        (N_("aid bundle define CODE --item ..."), N_("a gift bundle's recipe (phần quà)")),
    ]),
    (N_("Record (every day)"), [
        (N_("aid donate DONOR --into KHO"), N_("cash or goods received (nhận ủng hộ)")),
        (N_("aid import donations FILE.xlsx"), N_("a whole list of donations, .xlsx or .csv")),
        (N_("aid buy --into KHO"), N_("purchases paid from the fund")),
        (N_("aid pack BUNDLE --count N --at KHO"), N_("pack gift bundles")),
        (N_("aid give HOUSEHOLD --from KHO"), N_("hand bundles, goods or cash out (trao quà)")),
        (N_("aid import handouts FILE.xlsx"), N_("a whole list of hand-outs")),
        (N_("aid round open ROUND --from KHO"),
         N_("share scarce stock fairly: then plan, sheet, apply")),
        (N_("aid voucher issue HOUSEHOLD --shop SHOP"), N_("a 0 đồng shop voucher")),
        (N_("aid count KHO --item CODE=QTY"), N_("a stock count (kiểm kê)")),
        (N_("aid reverse ENTRY --reason TEXT"), N_("correct a mistake (nothing is ever deleted)")),
    ]),
    (N_("Ask"), [
        ("aid stock", N_("what is left where (tồn kho)")),
        ("aid cash", N_("the cash book (sổ quỹ)")),
        ("aid history", N_("every entry, with its id (nhật ký)")),
        ("aid bundle packable", N_("how many more bundles stock can pack")),
        ("aid alerts", N_("what runs low, expires soon or needs counting (cảnh báo)")),
        ("aid serve", N_("the stock board: these answers on volunteers' phones")),
    ]),
    (N_("Audit and publish"), [
        ("aid audit check", N_("re-check every rule over the whole history")),
        ("aid audit reconcile", N_("in = out + on hand, for goods and cash")),
        (N_("aid audit trace ENTRY"), N_("where a donation went")),
        ("aid audit statement", N_("the public statement (công khai)")),
        ("aid audit digest", N_("a fingerprint of the ledger to keep")),
    ]),
]

FOOTER = N_("Reports print tables; add --format csv|json, or --output FILE.xlsx for a spreadsheet.\n"
          "Try it on a sample ward: aid demo.  Details: aid COMMAND --help.  "
          "Every command: aid --help.")


def show(ctx: typer.Context) -> None:
    """Print the overview, naming only commands this build has."""
    lines = [_("aid-ledger: the ward's mutual-aid ledger (sổ quỹ tương trợ).")]
    for title, entries in GROUPS:
        present = [(usage, what) for usage, what in entries
                   if _exists(ctx, usage.removeprefix("aid "))]
        if not present:
            continue
        shown = [(_(usage), _(what)) for usage, what in present]  # placeholders translated
        width = max(len(usage) for usage, _what in shown) + 2
        lines += ["", f"{_(title)}:"]
        lines += [f"  {usage.ljust(width)}{what}" for usage, what in shown]
    typer.echo("\n".join(lines + ["", _(FOOTER)]))


def _exists(ctx: typer.Context, usage: str) -> bool:
    """Whether the command words at the start of `usage` name a command of this build."""
    command: Any = ctx.command
    for word in usage.split():
        if not hasattr(command, "get_command"):  # past the command: arguments and options
            return True
        command = command.get_command(ctx, word)
        if command is None:
            return False
    return True
