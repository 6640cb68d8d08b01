"""Write docs/commands.md, the full command reference, from the command tree itself.

    .venv/bin/python docs/make_commands.py          # rewrite docs/commands.md
    .venv/bin/python docs/make_commands.py --check  # exit 1 if docs/commands.md is stale

Every command path of `commands.cli.main.app`, with its usage line, its help and each argument and
option as `aid COMMAND --help` prints it in English (the catalog's source language), so that a
new command or option cannot go unlisted: tests/commands/test_command_reference.py regenerates the page in
memory and compares it with the file.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "commands.md"
ORIGINAL = "_aid_english"  # where commands/language/helptexts.py keeps a translated text's English

HEADER = """\
# Command reference

Every `aid` command with its arguments and options, as `aid COMMAND --help` prints them in
English (`aid --lang vi COMMAND --help` prints the same in Vietnamese); each also takes `--help`.
This page is generated from the command tree: do not edit it by hand, run
`.venv/bin/python docs/make_commands.py` after changing a command or an option
(`tests/commands/test_command_reference.py` fails until then).

Where the ledger lives, who records and which language is spoken are explained in
[reference.md](reference.md) and [language.md](language.md); the guides by role are in
`docs/guides/`.
"""


def render() -> str:
    """The whole page, in English whatever language is active."""
    from typer.main import get_command

    from commands.language import words
    from commands.language.helptexts import translate
    from commands.cli.main import app

    before = words.current()
    words.activate("en")  # typer's own words ("default", "required") in English
    try:
        root = get_command(app)
        translate(root, str)  # every help text as written in the code (English)
        parts = [HEADER, _contents(root)]
        parts += [_section(path, command, context) for path, command, context in _walk(root)]
        return "\n".join(parts)
    finally:
        words.activate(before)


def _walk(root: Any) -> Iterator[tuple[str, Any, Any]]:
    """(command path, command, its click context), the root first, then depth first in the
    order `--help` lists them."""
    from typer._click.core import Context

    def visit(command: Any, name: str, parent: Any) -> Iterator[tuple[str, Any, Any]]:
        context = Context(command, info_name=name, parent=parent)
        yield context.command_path, command, context
        for child_name, child in getattr(command, "commands", {}).items():
            yield from visit(child, child_name, context)

    yield from visit(root, "aid", None)


def _contents(root: Any) -> str:
    lines = ["## Contents", ""]
    for path, command, _context in _walk(root):
        if path == "aid":
            continue
        depth = path.count(" ") - 1
        lines.append(f"{'  ' * depth}- [`{path}`](#{_anchor(path)}){_hidden(command)}")
    return "\n".join(lines) + "\n"


def _anchor(path: str) -> str:
    """GitHub's anchor for a heading `` `aid voucher issue-batch` ``."""
    return path.lower().replace(" ", "-")


def _hidden(command: Any) -> str:
    return " (hidden from `--help`)" if getattr(command, "hidden", False) else ""


def _section(path: str, command: Any, context: Any) -> str:
    level = "##" if path == "aid" else "###"
    lines = [f"{level} `{path}`", ""]
    if getattr(command, "hidden", False):
        lines += ["Hidden from `--help`.", ""]
    pieces = " ".join(command.collect_usage_pieces(context))
    lines += [f"Usage: `{path} {pieces}`".rstrip() + "", ""]
    text = _english(command)
    if text:
        lines += [_paragraphs(text), ""]
    records = [(param, param.get_help_record(context)) for param in command.get_params(context)
               if param.name != "help"]  # every command takes --help: said once, at the top
    arguments = [r for p, r in records if r and p.param_type_name == "argument"]
    options = [r for p, r in records if r and p.param_type_name != "argument"]
    for title, found in (("Arguments", arguments), ("Options", options)):
        if found:
            lines += [f"{title}:", ""]
            lines += [f"- `{name}`" + (f": {_one_line(text)}" if text else "")
                      for name, text in found]
            lines.append("")
    children = getattr(command, "commands", {})
    if children:
        lines += ["Commands: " + ", ".join(
            f"[`{name}`](#{_anchor(f'{path} {name}')})" for name in children), ""]
    return "\n".join(lines)


def _english(holder: Any) -> str:
    return (getattr(holder, ORIGINAL, None) or getattr(holder, "help", None) or "").strip()


def _paragraphs(text: str) -> str:
    """A docstring's paragraphs, each on one line; click's `\\b` marker dropped."""
    blocks = [block for block in text.replace("\b\n", "").split("\n\n") if block.strip()]
    return "\n\n".join(_one_line(block) for block in blocks)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    page = render()
    if "--check" in argv:
        if TARGET.read_text(encoding="utf-8") != page:
            print(f"{TARGET.relative_to(ROOT)} is stale: run .venv/bin/python "
                  "docs/make_commands.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(page, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
