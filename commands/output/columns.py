"""Columns and cell texts the command line and the stock board both print, defined once."""

from __future__ import annotations

from commands.language.words import N_

CASH_LINES = {"received": N_("received"), "spent": N_("spent"), "fees": N_("bank fees"),
              "given": N_("given"),
              "packed": N_("packed"), "balance": N_("balance")}
STATUS_COLUMNS = [("recipient", N_("recipient")), ("tier", N_("tier")), ("size", N_("size")),
                  ("planned", N_("planned")), ("handed", N_("handed")),
                  ("status", N_("status"))]
VOUCHER_STATUS = {"live": N_("live"), "not yet valid": N_("not yet valid"),
                  "used up": N_("used up"), "expired": N_("expired"),
                  "cancelled": N_("cancelled")}  # a voucher's, as `voucher list` says it
PICKUP_COLUMNS = [("entry", N_("entry number")), ("on", N_("on")), ("voucher", N_("voucher")),
                  ("recipient", N_("recipient")), ("goods", N_("goods")), ("value", N_("value"))]


def goods(quantities: dict[str, int]) -> str:
    """Goods in one cell: "RICE 10, OIL 1"."""
    return ", ".join(f"{item} {qty:,}" for item, qty in quantities.items())
