"""The help texts of the command tree (docstrings, option and argument help, the help option's
own line and the "Usage:" prefix), in the active language: `translate` rewrites them in place
before anything is printed, and `texts` lists them for the catalog (commands/language/catalog.py), so a
new option cannot go untranslated unnoticed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

ORIGINAL = "_aid_english"  # the English text, kept on the object so a later call starts from it


def _holders(command: Any, everything: bool = True) -> Iterator[Any]:
    """The command, its parameters and --help, then every subcommand's, depth first; without
    `everything`, only the subcommands already built (commands/command_tree.py: the others are
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
    """Every English help text under `root`, once each."""
    seen: set[str] = {USAGE}
    yield USAGE
    for holder in _holders(root):
        text = _english(holder)
        if text and text not in seen:
            seen.add(text)
            yield text


def translate(root: Any, words: Callable[[str], str]) -> None:
    """Put every help text under `root` into the language `words` translates to."""
    context = _context(words)  # one class for every command
    for holder in _holders(root, everything=False):
        english = _english(holder)
        if english:
            holder.help = words(english)
        if hasattr(holder, "context_class"):
            holder.context_class = context


USAGE = "Usage:"  # click's prefix of the usage line


def _context(words: Callable[[str], str]) -> type:
    """A click context whose help formatter writes "Usage:" in the reader's language."""
    from typer._click.core import Context
    from typer._click.formatting import HelpFormatter

    class Formatter(HelpFormatter):
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args, f"{words(USAGE)} " if prefix is None else prefix)

    return type("TranslatedContext", (Context,), {"formatter_class": Formatter})


def _english(holder: Any) -> str | None:
    if not hasattr(holder, ORIGINAL):
        setattr(holder, ORIGINAL, getattr(holder, "help", None))
    return getattr(holder, ORIGINAL)
