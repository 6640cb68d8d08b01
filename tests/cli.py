"""`aid` run inside the test process as a user runs it, through public APIs only.

typer's `CliRunner.invoke` makes the app into a click command on every call; here it is made
once, with typer's public `get_command` (each command is then built the first time a test runs
it: commands/cli/command_tree.py), and run in the runner's own `isolation()` (fresh stdin, stdout,
stderr and environment per call), so no private part of typer is patched.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import typer.main
from typer.testing import CliRunner

from commands.cli.main import app

COMMAND = typer.main.get_command(app)


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None = None  # an exception `aid` let through, if caught


def invoke(args: Sequence[str], env: Mapping[str, str | None] | None = None,
           input: str | bytes | None = None, catch_exceptions: bool = True) -> Result:
    """Run `aid ARGS` with `env` added to the environment; what it exits with and prints.
    An exception it lets through (a traceback a user would see) is raised, or kept on the
    result with exit code 1 when `catch_exceptions`."""
    with CliRunner().isolation(input=input, env=env) as (stdout, stderr, _):
        exception: BaseException | None = None
        try:
            COMMAND.main(args=[str(arg) for arg in args], prog_name="aid")
            code = 0
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else 0 if exit.code is None else 1
        except Exception as error:
            if not catch_exceptions:
                raise
            exception, code = error, 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        return Result(code, stdout.getvalue().decode(), stderr.getvalue().decode(), exception)
