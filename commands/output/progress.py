"""A progress bar for long work (imports, rebuilds) that only a person at a terminal sees."""

from __future__ import annotations

import sys
from collections.abc import Callable

import typer

QUIET_BELOW = 2000  # steps: a bar that flashes by only adds noise


class progress:
    """A progress bar on a terminal; silent when stderr is not one (scripts, CI, pipes).

    Use as `with progress(total, "label") as advance: ... advance(n)`. Short work (at most
    QUIET_BELOW steps) shows nothing either.
    """

    def __init__(self, total: int, label: str) -> None:
        self.bar = typer.progressbar(length=total, label=label, file=sys.stderr) \
            if sys.stderr.isatty() and total > QUIET_BELOW else None

    def __enter__(self) -> Callable[[int], None]:
        if self.bar is None:
            return lambda n: None
        self.bar.__enter__()
        return self.bar.update

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)
