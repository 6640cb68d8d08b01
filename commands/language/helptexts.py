"""The help texts of the command tree (docstrings, option and argument help, the help option's
own line and the "Usage:" prefix), in the active language: `translate` rewrites them in place
before anything is printed, and `texts` lists them for the catalog (commands/language/catalog.py), so a
new option cannot go untranslated unnoticed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from ledger.phrases import C_, N_, Phrase, english

ORIGINAL = "_aid_english"  # the English text, kept on the object so a later call starts from it


def _holders(command: Any, everything: bool = True) -> Iterator[Any]:
    """The command, its parameters and --help, then every subcommand's, depth first; without
    `everything`, only the subcommands already built (commands/cli/command_tree.py: the others are
    put into the language as they are built)."""
    from typer._click.core import Context

    yield command
    yield from command.params
    help_option = command.get_help_option(Context(command))
    if help_option is not None:
        yield help_option
    children = getattr(command, "commands", {})
    for child in list((children if everything else getattr(children, "built", children))
                      .values()):
        yield from _holders(child, everything)


def texts(root: Any) -> Iterator[str]:
    """Every English help text and placeholder under `root`, once each."""
    seen: set[str] = {USAGE}
    yield USAGE
    for holder in _holders(root):
        for text in (_english(holder), *_placeholders(holder)):
            if text and text not in seen:
                seen.add(text)
                yield text


def translate(root: Any, words: Callable[[str], str]) -> None:
    """Put every help text and placeholder under `root` into the language `words`
    translates to."""
    context = _context(words)  # one class for every command
    for holder in _holders(root, everything=False):
        english = _english(holder)
        if english:
            holder.help = words(english)
        if hasattr(holder, "context_class"):
            holder.context_class = context
        _translate_placeholders(holder, words)


USAGE = "Usage:"  # click's prefix of the usage line

# click's ranges ("1<=x<=10000", "x>=1"), said in words in the reader's language
RANGE = re.compile(r"(?:(?P<low>-?\d+)<=x<=(?P<high>-?\d+)|x>=(?P<least>-?\d+)|"
                   r"x<=(?P<most>-?\d+))")
FROM_TO, OR_MORE, OR_LESS = (N_("from {low:,} to {high:,}"), N_("{low:,} or more"),
                              N_("{high:,} or less"))  # grouped as the reader's language groups


# click's "[default: store]": a value that is a word, said in the reader's language as it may
# be typed there too ("kho", "theo mức ưu tiên": commands/language/words.py `spoken`)
DEFAULT = re.compile(r"(\[[^:\[\]]+: )([A-Za-z-]+)(?=[;\]])")

# A choice's value as a Vietnamese reader may type it instead of its code (commands/cli/main.py
# FORMAT_WORDS reads --format's, commands/households/rounds.py POLICY_NAMES --policy's): help's
# placeholders ("--format <bảng|csv|json>"), defaults and click's refusal of a choice list the
# choices so; a value without such a word (csv, json) is typed alike in every language.
TYPED = (C_("typed value", "table"), C_("typed value", "html"), C_("typed value", "text"),
         C_("typed value", "tiered"), C_("typed value", "equal"),
         C_("typed value", "per-capita"))


def typed_word(value: str, words: Callable[[str], str]) -> str:
    """`value` (a choice's code) as the reader may type it: "table" is "bảng" in Vietnamese."""
    return english(words(C_("typed value", value)))  # a `words` without catalog: English


def default_words(text: str, words: Callable[[str], str]) -> str:
    def said(found: re.Match[str]) -> str:
        typed = typed_word(found[2], words)
        return found[1] + (typed if typed != found[2] else words(found[2]))

    return DEFAULT.sub(said, text)


def range_words(text: str, words: Callable[[str], str]) -> str:
    """`text` with click's ranges in words ("from 1 to 10,000", "từ 1 đến 10.000")."""
    def said(found: re.Match[str]) -> str:
        return str(range_phrase(found).text(words, _number()))

    return RANGE.sub(said, text)


def range_phrase(found: re.Match[str]) -> Phrase:
    """A click range matched by RANGE as a phrase: its bounds grouped by the reader's
    language when it is said."""
    low, high, least, most = found.groups()
    if low is not None:
        return Phrase(FROM_TO, low=int(low), high=int(high))
    if least is not None:
        return Phrase(OR_MORE, low=int(least))
    return Phrase(OR_LESS, high=int(most))


def _number() -> Callable[[int], str]:
    """The active language's way of grouping whole numbers."""
    from commands.language.words import current, figures

    return figures(current())


def _context(words: Callable[[str], str]) -> type:
    """A click context whose help formatter writes "Usage:" in the reader's language."""
    from typer._click.core import Context
    from typer._click.formatting import HelpFormatter

    class Formatter(HelpFormatter):
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args, f"{words(USAGE)} " if prefix is None else prefix)

        def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
            super().write_dl([(term, default_words(range_words(text, words), words))
                              for term, text in rows], col_max, col_spacing)

    return type("TranslatedContext", (Context,), {"formatter_class": Formatter})


def _english(holder: Any) -> str | None:
    if not hasattr(holder, ORIGINAL):
        setattr(holder, ORIGINAL, getattr(holder, "help", None))
    return getattr(holder, ORIGINAL)


# ---- placeholders: `aid give [OPTIONS] {recipient}`, `--from <str>`, `--url URL` ---------------

PLACEHOLDERS = "_aid_english_placeholders"  # kept on the object like ORIGINAL
USAGE_PARTS = ("options_metavar", "subcommand_metavar")  # "[OPTIONS]", "COMMAND [ARGS]..."


def _placeholders(holder: Any) -> list[str]:
    """The words of what stands for a value on a command or parameter, for the catalog."""
    return [word for _, word, _ in _english_placeholders(holder).values() if _worded(word)]


def _translate_placeholders(holder: Any, words: Callable[[str], str]) -> None:
    for attribute, (original, word, suffix) in _english_placeholders(holder).items():
        said = words(word) if _worded(word) else _values(word, words)
        setattr(holder, attribute, original if said == word else said + suffix)


def _values(text: str, words: Callable[[str], str]) -> str:
    """A placeholder listing the values ("<tiered|equal|per-capita>"), each as the reader may
    type it ("<theo mức ưu tiên|chia đều|theo nhân khẩu>", "<bảng|csv|json>")."""
    inner = text.strip("<>")
    if "|" not in inner:
        return text
    return text.replace(inner, "|".join(typed_word(value, words)
                                        for value in inner.split("|")))


def _english_placeholders(holder: Any) -> dict[str, tuple[Any, str, str]]:
    """{attribute: (its value as the code set it, the English placeholder's word in the
    catalog, what follows a translation)}: the usage line's parts on a command; on an option
    or argument, its metavar (its own, else what click shows: the type for an option,
    "<str>"; the name for an argument, as a word: "bank_ref" is "bank ref"; click's "Missing
    argument" names it by its metavar, so the refusal says the same word)."""
    from typer._click.core import Parameter
    from typer.core import TyperArgument, TyperOption

    if not hasattr(holder, PLACEHOLDERS):
        found = {name: (getattr(holder, name), getattr(holder, name), "") for name in USAGE_PARTS
                 if isinstance(getattr(holder, name, None), str)}
        if isinstance(holder, TyperArgument):
            many = "..." if holder.nargs != 1 else ""
            found["metavar"] = (holder.metavar, holder.metavar, "") if holder.metavar else \
                (None, (holder.name or "").lower().replace("_", " "), many)
        elif isinstance(holder, TyperOption) and not (holder.is_flag or holder.count):
            found["metavar"] = (holder.metavar,
                                holder.metavar or Parameter.make_metavar(holder, None), "")
        setattr(holder, PLACEHOLDERS, found)
    return getattr(holder, PLACEHOLDERS)


def _worded(text: str) -> bool:
    """Whether a placeholder has words to translate: not a list of the values themselves
    ("<table|csv|json>", "vi|en"), which are typed alike in every language."""
    values = text.strip("<>").split("|")
    return bool(text) and not (len(values) > 1 and all(v == v.lower() for v in values))
