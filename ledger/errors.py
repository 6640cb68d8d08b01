"""The two ways the ledger says no, each mapped to the exit code scripts rely on.

A message is an English template with named fields, `Refused("not enough {item}", item=code)`,
so the command line can print it in the reader's language (commands/language.py looks the
template up in the gettext catalog); `str(error)` is the English text.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any


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


def fill(template: str, fields: dict[str, Any]) -> str:
    """The English text; a message without fields is printed as written (braces and all)."""
    return template.format(**fields) if fields else template


def render(template: str, fields: dict[str, Any], translate: Callable[[str], str],
           number: Callable[[int], str]) -> str:
    """`template` translated, then filled in: quoted errors translated, `{n:,}` by `number`."""
    if not fields:
        return translate(template)
    return _Fields(translate, number).vformat(translate(template), (), fields)


class _Fields(string.Formatter):
    """str.format, except that a quoted error is translated too and `{n:,}` (a grouped whole
    number) is written as the language groups digits."""

    def __init__(self, translate: Callable[[str], str], number: Callable[[int], str]) -> None:
        self.translate, self.number = translate, number

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, LedgerError):
            return format(value.text(self.translate, self.number), format_spec)
        if format_spec == "," and isinstance(value, int) and not isinstance(value, bool):
            return self.number(value)
        return super().format_field(value, format_spec)
