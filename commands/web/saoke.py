"""The stock board's `/saoke` page: a donor finds their transfer (issue 25).

`/saoke?ref=P3D0042` (the reference in the transfer's message, or the bank's own reference) or
`/saoke?amount=500000&on=10/09/2024`. The JSON is `aid bank find … --format json`, made by the
same function. Senders' names and accounts are masked (`NGUYEN V** A`, `****2418`); transfer
messages are never shown, so nobody can be named by someone else's message.
"""

from __future__ import annotations

from typing import Any

from commands.language.words import N_
from commands.output.pages import Block, Note, Table
from commands.web.board import Answer, Reading

HOW = N_("Find your transfer: add ?ref=YOUR-REFERENCE to this page's address (the reference "
         "in your transfer's message, e.g. P3D0042, or the bank's reference), or "
         "?amount=500000&on=10/09/2024. Names and account numbers are masked; messages are "
         "not shown.")


def saoke(reading: Reading) -> Answer:
    from commands.bank import counted_sentence
    from ledger.values.inputs import money_amount
    from projections.bank import find_transfers, read

    ref, amount = reading.query.get("ref"), reading.query.get("amount")
    title = reading.word(N_("Find your transfer (sao kê)"))
    if not ref and not amount:
        return Answer(title, [], [Note(reading.word(HOW))])
    if amount and not ref and not reading.query.get("on"):  # as `aid bank find` asks for it
        return Answer(title, [], [Note(reading.word(N_("an amount is looked up with the day "
                                                       "you sent it: add &on=10/09/2024"))),
                                  Note(reading.word(HOW))])
    money = money_amount(amount, "amount", minimum=1) if amount else None
    on = reading.day("on") if amount else None
    # every donor's search reads the same matched bank until the ledger changes: matching a
    # statement of 100,000 lines takes seconds, looking a transfer up in it milliseconds
    bank = reading.shared("bank", lambda: read(reading.log).match())
    found = find_transfers(reading.log, ref or None, money, on, bank)
    rows = [{**row, "status": reading.word(_STATUS[row["status"]])} for row in found]
    blocks: list[Block] = [Table(title, [
        ("date", reading.word(N_("date"))), ("amount", reading.word(N_("đồng"))),
        ("sender", reading.word(N_("sender"))),
        ("sender_account", reading.word(N_("from account"))),
        ("bank_ref", reading.word(N_("bank reference"))),
        ("status", reading.word(N_("status"))), ("entry", reading.word(N_("entry number")))],
        rows, kinds={"amount": "money", "date": "date", "bank_ref": "code", "entry": "text"},
        scroll=True)]
    if not found:
        blocks = [Note(reading.word(N_("no transfer found: check the reference, or the amount "
                                       "and the day"))), Note(reading.word(HOW))]
    for row in found:
        counted = row.get("counted")
        if counted:
            template, fields = counted_sentence(row)
            blocks.append(Note(reading.phrase(template, **fields)))
        for group in row.get("groups") or ():
            blocks.append(Note(reading.phrase(N_("{group}: {quantity:,} đồng to {households} "
                                                 "households"), **_group(group))))
    return Answer(title, found, blocks)


def _group(group: dict[str, Any]) -> dict[str, Any]:
    return {"group": group["group"] or "-", "quantity": group["quantity"],
            "households": group["households"]}


_STATUS = {"matched": N_("matched"), "differs": N_("differs"), "unrecorded": N_("unrecorded"),
           "unbanked": N_("unbanked")}

