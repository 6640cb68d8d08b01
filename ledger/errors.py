"""The two ways the ledger says no, each mapped to the exit code scripts rely on.

A message is an English template with named fields, `Refused("not enough {item}", item=code)`
(ledger/phrases.py), so the command line can print it in the reader's language; `str(error)`
is the English text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ledger.phrases import Phrase, fill, render


class LedgerError(Exception):
    """A mistake a user can make; the message says what was wrong and how to fix it."""

    exit_code = 1

    def __init__(self, message: str = "", /, **fields: Any) -> None:
        self.template, self.fields = message, fields
        super().__init__(fill(message, fields))

    def text(self, translate: Callable[[str], str], number: Callable[[int], str]) -> str:
        """The message in another language: its template and any error it quotes translated,
        `{n:,}` fields written by `number`."""
        return render(self.template, self.fields, translate, number)


class BadInput(LedgerError):
    """Malformed value, unknown code or missing ledger: exit 2."""

    exit_code = 2


class Refused(LedgerError):
    """Well-formed, but a ledger rule forbids it (stock would go negative, receipt reused…): exit 1."""

    exit_code = 1


class Shortage(Refused):
    """Refused because a stock, a lot or the fund would go negative. `shortage` is what ran
    short, kept as a phrase of its own so that another refusal can quote it in the reader's
    language (reversing a donation already handed out); `hint` (marked with `N_`), how to fix
    it, follows it. Both share the fields."""

    def __init__(self, shortage: str, hint: str = "", /, **fields: Any) -> None:
        self.shortage = Phrase(shortage, **fields)
        if hint:
            super().__init__("{shortage}; {hint}", shortage=self.shortage,
                             hint=Phrase(hint, **fields))
        else:
            super().__init__("{shortage}", shortage=self.shortage)
