"""The command tree, each command made into a click command only when it is used.

typer turns every registered command into a click command (its options read from the
function's signature) each time `aid` starts, and importing every command's module took as
long again: together more than the command itself takes for most reports. `Deferred` holds
each command's name and where it is defined ("module:attribute", a function or a typer group)
and, the first time a command is asked for by name, imports its module and builds that command,
or that group with its subcommands; `aid --help`, the overview and the command reference ask for
all of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from typing import Any

import typer
import typer.main


class Deferred(MutableMapping[str, Any]):
    """A group's subcommands by name, in the order of `tree` ((name, "module:attribute")),
    built with the settings of `settings`; `on_build(command)` hears of each one as it is
    built."""

    def __init__(self, tree: Iterable[tuple[str, str]], settings: typer.Typer,
                 on_build: Callable[[Any], None] = lambda command: None) -> None:
        self.settings, self.on_build = settings, on_build
        self.infos: dict[str, str | None] = dict(tree)  # None: set from outside, already built
        self.built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self.built:
            where = self.infos[name]  # KeyError: no such command (`get` answers None)
            assert where is not None  # set from outside means built already
            self.built[name] = self._build(name, where)
            self.on_build(self.built[name])
        return self.built[name]

    def _build(self, name: str, where: str) -> Any:
        module, _, attribute = where.partition(":")
        target = getattr(importlib.import_module(module), attribute)
        holder, settings = typer.Typer(), self.settings
        if isinstance(target, typer.Typer):
            holder.add_typer(target, name=name)
            return typer.main.get_group_from_info(
                holder.registered_groups[0],
                pretty_exceptions_short=settings.pretty_exceptions_short,
                rich_markup_mode=settings.rich_markup_mode,
                suggest_commands=settings.suggest_commands)
        holder.command(name)(target)
        return typer.main.get_command_from_info(
            holder.registered_commands[0],
            pretty_exceptions_short=settings.pretty_exceptions_short,
            rich_markup_mode=settings.rich_markup_mode)

    def __setitem__(self, name: str, command: Any) -> None:
        self.infos.setdefault(name, None)
        self.built[name] = command

    def __delitem__(self, name: str) -> None:
        del self.infos[name]
        self.built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self.infos)

    def __len__(self) -> int:
        return len(self.infos)

    def __contains__(self, name: object) -> bool:
        return name in self.infos
