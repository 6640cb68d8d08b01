"""A progress bar for long work (imports, rebuilds) that only a person at a terminal sees."""

from __future__ import annotations

import sys
from collections.abc import Callable

import typer


class progress:
    """A progress bar on a terminal; silent when stderr is not one (scripts, CI, pipes).

    Use as `with progress(total, "label") as advance: ... advance(n)`. Short work (at most
    `quiet_below` steps) shows nothing either: a bar that flashes by only adds noise.
    """

    def __init__(self, total: int, label: str, quiet_below: int = 2000) -> None:
        self.bar = typer.progressbar(length=total, label=label, file=sys.stderr) \
            if sys.stderr.isatty() and total > quiet_below else None

    def __enter__(self) -> Callable[[int], None]:
        if self.bar is None:
            return lambda n: None
        self.bar.__enter__()
        return self.bar.update

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)
