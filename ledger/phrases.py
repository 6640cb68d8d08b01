"""English texts that remember their template and fields, so that the reader's language can say
them again: `Phrase("{count} × {bundle}", count=12, bundle="B350")` is the string "12 × B350"
wherever a string goes (JSON, CSV, comparisons), and the command line, which knows the reader's
language, renders it from the gettext catalog instead (commands/language/words.py).

The ledger's refusals (ledger/errors.py) and the projections' descriptions use this; neither
knows which language anyone reads.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable
from typing import Any

Translate = Callable[[str], str]
Number = Callable[[int], str]


def N_(text: str) -> str:
    """Marks an English text (a heading, a word) for the translators' catalog; whoever shows it
    translates it."""
    return text


CONTEXT = "\x04"  # gettext's separator of a context (msgctxt) and its text, as in a .mo file


def C_(context: str, text: str) -> str:
    """Marks an English text that needs a translation of its own in `context` (gettext's
    msgctxt): "received" as a line of a cash table is "Đã nhận", as a word inside a sentence
    "đã nhận". It is still `text` in English, in JSON and in CSV (`english`); a catalog finds
    it by context and text; use it as a phrase's template."""
    return f"{context}{CONTEXT}{text}"


def english(text: str) -> str:
    """A text marked with `C_` without its context; any other text as it is."""
    return text.rpartition(CONTEXT)[2] if CONTEXT in text else text


class Verbatim(str):
    """Text shown exactly as written in every language: a bank's reference "5243.90313" is a
    code, never a decimal to write "5.243,90313", nor "2024-09-10" a date to rewrite."""

    __slots__ = ()


class Money(int):
    """An amount of đồng inside a sentence, written with the currency sign where the reader's
    language writes one ("+20.000.000 ₫"); English, JSON's language, keeps the bare grouped
    number ("+20,000,000") it always had. `signed`: "+" before a positive amount."""

    __slots__ = ()
    signed = False

    def text(self, translate: Translate, number: Number, signed: bool = False) -> str:
        sign = "-" if self < 0 else "+" if (signed or self.signed) and self > 0 else ""
        amount = number(abs(int(self)))
        currency = getattr(number, "money", None)  # commands/language/words.py: Writer
        return sign + (currency(amount) if currency is not None else amount)

    def __format__(self, spec: str) -> str:  # the English text (`fill`)
        if spec in (",", "+,"):  # grouped anyway
            return self.text(str, "{:,}".format, signed=spec == "+,")
        return format(self.text(str, "{:,}".format), spec)


class Change(Money):
    """A change of an amount: "+" before an increase."""

    __slots__ = ()
    signed = True


class Phrase(str):
    """A string that is also (template, fields); fields may be phrases themselves."""

    template: str
    fields: dict[str, Any]

    def __new__(cls, template: str, /, **fields: Any) -> "Phrase":
        if isinstance(template, Phrase) and not fields:  # already one: kept, fields and all
            return template
        made = super().__new__(cls, fill(template, fields))
        made.template, made.fields = template, fields
        return made

    def text(self, translate: Translate, number: Number) -> str:
        """The phrase in another language."""
        return render(self.template, self.fields, translate, number)

    @classmethod
    def join(cls, separator: str, phrases: Iterable[Any]) -> "Phrase":
        """Phrases joined by `separator`, each translated on its own."""
        parts = {f"part{index}": phrase for index, phrase in enumerate(phrases)}
        template = separator.replace("{", "{{").replace("}", "}}").join(
            "{" + name + "}" for name in parts)
        return cls(template, **parts)


def said(error: Exception) -> Any:
    """What an error says: its phrase, if it was raised with one (so it is translated); why a
    file could not be read or written, in words, where the system's reason is a usual one."""
    if isinstance(error, (OSError, UnicodeDecodeError)):
        return system_reason(error)
    return error.args[0] if len(error.args) == 1 and isinstance(error.args[0], Phrase) else error


def system_reason(error: OSError | UnicodeDecodeError) -> Any:
    """The reason a file could not be used, as a phrase the reader's language translates (the
    operating system's own words are English whatever the reader reads), else its own."""
    if isinstance(error, UnicodeDecodeError):
        return Phrase(N_("it is not text in UTF-8 (a workbook, a picture, or another encoding)"))
    import errno

    reasons = {errno.ENOENT: N_("there is no such file or folder"),
               errno.EISDIR: N_("it is a folder, not a file"),
               errno.ENOTDIR: N_("a part of the path is a file, not a folder"),
               errno.EACCES: N_("this user may not use it (permission denied)"),
               errno.EPERM: N_("this user may not use it (permission denied)"),
               errno.ENOSPC: N_("the disk is full"),
               errno.EROFS: N_("the disk is read-only"),
               errno.ENAMETOOLONG: N_("the name is too long"),
               errno.EINVAL: N_("this folder does not take files (choose a normal folder)")}
    if error.errno in reasons:
        return Phrase(reasons[error.errno])
    return error.strerror or str(error)


def either(choices: list[Any]) -> Any:
    """"A", "A or B", "A, B or C": the choices a refusal suggests, in the reader's language."""
    if len(choices) < 2:
        return choices[0] if choices else ""
    return Phrase(N_("{first} or {second}"), first=Phrase.join(", ", choices[:-1]),
                  second=choices[-1])


def fill(template: str, fields: dict[str, Any]) -> str:
    """The English text; a template without fields is printed as written (braces and all)."""
    template = english(template)
    return template.format(**fields) if fields else template


def render(template: str, fields: dict[str, Any], translate: Translate, number: Number) -> str:
    """`template` translated, then filled in: quoted phrases and errors translated too, whole
    numbers formatted `{n:,}` or `{n:+,}` grouped by `number`."""
    if not fields:
        return english(translate(template))  # a context left by a catalog without the text
    said = english(translate(template))
    # a field in quotes is what someone typed ('{text}'): quoted as typed, never rewritten as
    # the language writes dates and decimals ("1.5" is not to come back as "1,5")
    typed = {name: Verbatim(fields[name]) for name in QUOTED.findall(said)
             if type(fields.get(name)) is str}
    return _Fields(translate, number).vformat(said, (), {**fields, **typed})


QUOTED = re.compile(r"['‘“]\{(\w+)\}['’”]")


class _Fields(string.Formatter):
    def __init__(self, translate: Translate, number: Number) -> None:
        self.translate, self.number = translate, number

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Money) and format_spec in (",", "+,"):
            return value.text(self.translate, self.number, signed=format_spec == "+,")
        if hasattr(value, "text") and callable(value.text):
            return format(value.text(self.translate, self.number), format_spec)
        if format_spec in (",", "+,") and isinstance(value, int) and not isinstance(value, bool):
            sign = "-" if value < 0 else "+" if format_spec == "+," and value > 0 else ""
            return sign + self.number(abs(value))
        # a language that writes dates and decimals its own way ("17/11/2021", "0,51") says so
        # by a `local` on its number writer; codes and names pass through it unchanged
        local = getattr(self.number, "local", None)
        if local is not None and not format_spec and type(value) is str:
            return local(value)
        return super().format_field(value, format_spec)
