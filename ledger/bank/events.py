"""The bank's events, stored in the ward's ledger (issue 25; ledger/bank/accounts.py writes them).

Kept apart from the code that writes them so that opening a ledger (which must know every
stored name, ledger/ward/events.py) loads only these classes, not the statement parsers.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from ledger.ward.aggregate import Ward, stored_names

LINE_PREFIX = "bankline:"  # a line's aggregate id is claim_id(LINE_PREFIX + key)


class AccountDeclared(Ward.Event):
    """The drive's bank account `code`: `number` at `bank` (banks.py code, NAPAS `bin`), held
    in the name `name`."""

    TOPIC = "ledger.bank:AccountDeclared"

    on: str
    actor: str
    code: str
    bank: str
    bin: str
    number: str
    name: str

    def apply(self, ward: Ward) -> None:
        ward.bank_accounts()[self.code] = self.bank


class StatementImported(Ward.Event):
    """A statement of `account` was imported from `file`: `lines` lines, `added` of them new,
    dated `first` to `last`, with the opening and closing balances it stated (if any)."""

    TOPIC = "ledger.bank:StatementImported"

    on: str
    actor: str
    account: str
    file: str
    layout: str
    lines: int
    added: int
    first: str
    last: str
    opening: int | None
    closing: int | None


class CashMoved(Ward.Fact):
    """Cash carried between the cash box and bank account `account`: `amount` đồng into the
    account (a deposit) when positive, out of it into the box (a withdrawal) when negative.
    The ward fund's total does not change (`cash` is empty), so no rule of the fund is
    touched; the account's book side (projections/bank.py) gains or loses `amount`, which the
    statement's line for the deposit or withdrawal then matches. Reversible like any fact."""

    TOPIC = "ledger.bank:CashMoved"

    amount: int
    note: str | None


class FeePaid(Ward.Fact):
    """A bank fee (phí ngân hàng: SMS banking, account keeping, a transfer's charge) the bank
    took from account `account`: cash leaving the ward fund, booked under its own cash-book
    category (`cash` is {"fees": amount}, ledger/ward/cashbook.py), so the fund's balance drops
    and the statement's debit line for it matches it (projections/bank.py). `note` says what
    the fee was, as the statement words it. Reversible like any fact."""

    TOPIC = "ledger.bank:FeePaid"

    note: str | None


stored_names(AccountDeclared, StatementImported, CashMoved, FeePaid)


class Line(Aggregate, created_event_name="Stated"):
    """One line of a bank statement, as the bank stated it; its id is its key's claim id."""

    TOPIC = "ledger.banklines:Line"

    class Created(Aggregate.Created):
        """Never recorded: the library names one on every aggregate."""

        TOPIC = "ledger.banklines:Line.Created"

    @staticmethod
    def create_id(key: str, **_: Any) -> Any:
        from ledger.store.claims import (
            claim_id,  # only importers load it, not every write
        )

        return claim_id(LINE_PREFIX + key)

    class Stated(Aggregate.Created):
        TOPIC = "ledger.banklines:Line.Stated"

        key: str
        account: str
        on: str
        time: str | None
        credit: int
        debit: int
        text: str
        ref: str | None
        party: str | None
        party_account: str | None
        balance: int | None
        actor: str

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)


LINE_TOPIC = get_topic(Line)
