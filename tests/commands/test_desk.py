"""The treasurer's first minute: `aid` alone, shell completion, and quiet progress bars."""

from __future__ import annotations

import io
import sys

from commands.output.progress import progress
from tests import cli


def invoke(*args: str, **env: str):
    return cli.invoke(args, env=env or None)


def test_aid_alone_prints_a_short_overview_and_exits_0():
    result = invoke()
    assert result.exit_code == 0
    text = result.stdout
    for heading in ("Set up", "Record", "Ask", "Audit and publish"):
        assert f"\n{heading}" in text
    for usage in ("aid init --ward NAME", "aid donate DONOR", "aid import donations FILE.xlsx",
                  "aid stock", "aid audit statement", "--output FILE.xlsx"):
        assert usage in text
    assert "Usage:" not in text and len(text.splitlines()) < 45


def test_the_overview_names_only_commands_this_build_has():
    """Curated entries for commands another part adds appear only once they exist."""
    from commands.reports.overview import GROUPS

    listed = [usage for _, entries in GROUPS for usage, _ in entries]
    text = invoke().stdout
    for usage in listed:
        words = usage.split()[0]
        exists = invoke(words, "--help").exit_code == 0
        assert (f"aid {usage}" in text) == exists, usage


def test_full_help_still_lists_every_command():
    result = invoke("--help")
    assert result.exit_code == 0 and "Usage: aid" in result.stdout and "rebuild" in result.stdout


def test_show_completion_prints_a_bash_script(monkeypatch):
    """typer detects the user's shell from the process tree; pretend it is bash, as it would be
    at a terminal (under CI the parent process is no shell)."""
    monkeypatch.setattr("typer.completion._get_shell_name", lambda: "bash")
    result = invoke("--show-completion")
    assert result.exit_code == 0
    assert "_aid_completion()" in result.stdout and "complete " in result.stdout


def test_completion_answers_through_the_environment_variable():
    """What the installed script does on <TAB>: run aid with _AID_COMPLETE set."""
    assert invoke(_AID_COMPLETE="complete_bash", COMP_WORDS="aid sto",
                  COMP_CWORD="1").stdout == "stock\n"
    assert invoke(_AID_COMPLETE="complete_bash", COMP_WORDS="aid import ha",
                  COMP_CWORD="2").stdout == "handouts\n"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_on_a_terminal_and_is_silent_otherwise(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress(5000, "rebuilding read models") as advance:
        advance(5000)
    assert "rebuilding read models" in terminal.getvalue()
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    with progress(5000, "rebuilding read models") as advance:
        advance(5000)
    assert piped.getvalue() == ""


def test_rebuild_and_import_print_no_bar_when_not_a_terminal(ward, tmp_path, monkeypatch):
    monkeypatch.setattr("commands.output.progress.QUIET_BELOW", 0)  # a bar for any size of work
    csv = tmp_path / "d.csv"
    csv.write_text("receipt,date,donor,location,items\n" + "".join(
        f"R{n},10/11/2021,D1,KHO,RICE=1\n" for n in range(30)), encoding="utf-8")
    result = ward("import", "donations", str(csv))
    assert result.out == "imported 30 donations in 1 batches; 0 already recorded, skipped\n"
    assert result.err == ""
    result = ward("rebuild")
    assert result.out.startswith("rebuilt read models from ") and result.out.count("\n") == 1
    assert result.err == ""
