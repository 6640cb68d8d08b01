"""What `aid` alone prints: the commands a treasurer uses most, grouped by the day's work.

`aid --help` lists every command; this is the short, friendly page for someone who has not
learned them yet. Entries for commands this build does not have are left out, so the list can
name commands that other parts add (distribution rounds) without ever pointing at one that is
missing.
"""

from __future__ import annotations

from typing import Any

import typer

GROUPS: list[tuple[str, list[tuple[str, str]]]] = [
    ("Set up (once per drive)", [
        ("init --ward NAME", "start a ledger for the ward"),
        ("item add CODE --name --unit", "goods: rice, noodles, oil…"),
        ("location add CODE --name", "stores (kho) and 0 đồng shops"),
        ("donor add CODE --name", "benefactors (nhà hảo tâm)"),
        ("recipient import LIST.xlsx", "the approved household list (danh sách hộ)"),
        ("recipient add CODE --name --group", "one household (hộ nhận)"),
        ("bundle define CODE --item ...", "a gift bundle's recipe (phần quà)"),
    ]),
    ("Record (every day)", [
        ("donate DONOR --into KHO", "cash or goods received (nhận ủng hộ)"),
        ("import donations FILE.xlsx", "a whole list of donations, .xlsx or .csv"),
        ("buy --into KHO", "purchases paid from the fund"),
        ("pack BUNDLE --count N --at KHO", "pack gift bundles"),
        ("give HOUSEHOLD --from KHO", "hand bundles, goods or cash out (trao quà)"),
        ("import handouts FILE.xlsx", "a whole list of hand-outs"),
        ("round open ROUND --from KHO", "share scarce stock fairly: then plan, sheet, apply"),
        ("voucher issue HOUSEHOLD --shop SHOP", "a 0 đồng shop voucher"),
        ("count KHO --item CODE=QTY", "a stock count (kiểm kê)"),
        ("reverse ENTRY --reason TEXT", "correct a mistake (nothing is ever deleted)"),
    ]),
    ("Ask", [
        ("stock", "what is left where (tồn kho)"),
        ("cash", "the cash book (sổ quỹ)"),
        ("history", "every entry, with its id (nhật ký)"),
        ("bundle packable", "how many more bundles stock can pack"),
    ]),
    ("Audit and publish", [
        ("audit check", "re-check every rule over the whole history"),
        ("audit reconcile", "in = out + on hand, for goods and cash"),
        ("audit trace ENTRY", "where a donation went"),
        ("audit statement", "the public statement (công khai)"),
        ("audit digest", "a fingerprint of the ledger to keep"),
    ]),
]

FOOTER = ("Reports print tables; add --format csv|json, or --output FILE.xlsx for a spreadsheet.\n"
          "Try it on a sample ward: aid demo.  Details: aid COMMAND --help.  "
          "Every command: aid --help.")


def show(ctx: typer.Context) -> None:
    """Print the overview, naming only commands this build has."""
    lines = ["aid-ledger: the ward's mutual-aid ledger (sổ quỹ tương trợ)."]
    for title, entries in GROUPS:
        present = [(usage, what) for usage, what in entries if _exists(ctx, usage)]
        if not present:
            continue
        width = max(len(usage) for usage, _ in present) + 6
        lines += ["", f"{title}:"]
        lines += [f"  {('aid ' + usage).ljust(width)}{what}" for usage, what in present]
    typer.echo("\n".join(lines + ["", FOOTER]))


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
