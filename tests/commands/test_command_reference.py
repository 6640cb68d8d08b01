"""docs/commands.md is the command tree as it is: regenerated in memory, it must equal the file,
so that a new command or option cannot go unlisted (issue 23)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def maker():
    spec = importlib.util.spec_from_file_location("make_commands",
                                                  ROOT / "docs" / "make_commands.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_command_reference_is_up_to_date():
    written = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    assert written == maker().render(), (
        "docs/commands.md differs from the command tree: run `.venv/bin/python "
        "docs/make_commands.py` and commit docs/commands.md")


def test_the_reference_lists_every_command_and_option_in_english():
    from typer._click.core import Context
    from typer.main import get_command

    from commands.cli.main import app
    from commands.language import words

    before = words.current()
    words.activate("vi")  # as after a test that ran a command in Vietnamese
    try:
        page = maker().render()
    finally:
        words.activate(before)
    assert "Usage: `aid give [OPTIONS] {recipient}`" in page
    assert "[required]" in page and "bắt buộc" not in page

    def walk(command, path):
        heading = f"# `{path}`\n"
        assert heading in page, f"{path} is not in docs/commands.md"
        section = page.split(heading, 1)[1].split("\n### ", 1)[0]
        for param in command.params:
            if param.param_type_name == "argument":
                names = [param.make_metavar(Context(command))]
            else:
                names = param.opts + param.secondary_opts
            for name in names:
                assert f"`{name}" in section or f" {name}" in section, (
                    f"{path} {name} is not in its section")
        for name, child in getattr(command, "commands", {}).items():
            walk(child, f"{path} {name}")

    words.activate("en")  # the tree walked here, built lazily, in the page's language
    try:
        walk(get_command(app), "aid")
    finally:
        words.activate(before)
