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
        ("init --ward NAME", N_("start a ledger for the ward")),
        ("item add CODE --name --unit", N_("goods: rice, noodles, oil…")),
        ("location add CODE --name", N_("stores (kho) and 0 đồng shops")),
        ("donor add CODE --name", N_("benefactors (nhà hảo tâm)")),
        ("recipient import LIST.xlsx", N_("the approved household list (danh sách hộ)")),
        ("recipient add CODE --name --group", N_("one household (hộ nhận)")),
        ("bundle define CODE --item ...", N_("a gift bundle's recipe (phần quà)")),
    ]),
    (N_("Record (every day)"), [
        ("donate DONOR --into KHO", N_("cash or goods received (nhận ủng hộ)")),
        ("import donations FILE.xlsx", N_("a whole list of donations, .xlsx or .csv")),
        ("buy --into KHO", N_("purchases paid from the fund")),
        ("pack BUNDLE --count N --at KHO", N_("pack gift bundles")),
        ("give HOUSEHOLD --from KHO", N_("hand bundles, goods or cash out (trao quà)")),
        ("import handouts FILE.xlsx", N_("a whole list of hand-outs")),
        ("round open ROUND --from KHO", N_("share scarce stock fairly: then plan, sheet, apply")),
        ("voucher issue HOUSEHOLD --shop SHOP", N_("a 0 đồng shop voucher")),
        ("count KHO --item CODE=QTY", N_("a stock count (kiểm kê)")),
        ("reverse ENTRY --reason TEXT", N_("correct a mistake (nothing is ever deleted)")),
    ]),
    (N_("Ask"), [
        ("stock", N_("what is left where (tồn kho)")),
        ("cash", N_("the cash book (sổ quỹ)")),
        ("history", N_("every entry, with its id (nhật ký)")),
        ("bundle packable", N_("how many more bundles stock can pack")),
        ("alerts", N_("what runs low, expires soon or needs counting (cảnh báo)")),
        ("serve", N_("the stock board: these answers on volunteers' phones")),
    ]),
    (N_("Audit and publish"), [
        ("audit check", N_("re-check every rule over the whole history")),
        ("audit reconcile", N_("in = out + on hand, for goods and cash")),
        ("audit trace ENTRY", N_("where a donation went")),
        ("audit statement", N_("the public statement (công khai)")),
        ("audit digest", N_("a fingerprint of the ledger to keep")),
    ]),
]

FOOTER = N_("Reports print tables; add --format csv|json, or --output FILE.xlsx for a spreadsheet.\n"
          "Try it on a sample ward: aid demo.  Details: aid COMMAND --help.  "
          "Every command: aid --help.")


def show(ctx: typer.Context) -> None:
    """Print the overview, naming only commands this build has."""
    lines = [_("aid-ledger: the ward's mutual-aid ledger (sổ quỹ tương trợ).")]
    for title, entries in GROUPS:
        present = [(usage, what) for usage, what in entries if _exists(ctx, usage)]
        if not present:
            continue
        width = max(len(usage) for usage, _what in present) + 6
        lines += ["", f"{_(title)}:"]
        lines += [f"  {('aid ' + usage).ljust(width)}{_(what)}" for usage, what in present]
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
