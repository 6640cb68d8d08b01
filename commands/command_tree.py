"""The command tree, each command made into a click command only when it is used.

typer turns every registered command into a click command (its options read from the
function's signature) each time `aid` starts: about 80 ms for some 95 commands, more than the
command itself takes for most reports. `Deferred` holds the registrations and builds one
command, or one group with its subcommands, the first time it is asked for by name; `aid
--help`, the overview and the command reference ask for all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

import typer
import typer.main
from typer.models import CommandInfo, TyperInfo


class Deferred(MutableMapping[str, Any]):
    """A group's subcommands by name, in the order they were registered (commands, then
    groups, as typer orders them), built from `source` with the settings of `settings`;
    `on_build(command)` hears of each command as it is built."""

    def __init__(self, source: typer.Typer, settings: typer.Typer,
                 on_build: Callable[[Any], None] = lambda command: None) -> None:
        self.settings, self.on_build = settings, on_build
        self.infos: dict[str, CommandInfo | TyperInfo | None] = {}
        for command in source.registered_commands:
            name = command.name or typer.main.get_command_name(command.callback.__name__)
            self.infos[name] = command
        for group in source.registered_groups:
            self.infos[group.name or group.typer_instance.info.name] = group
        self.built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self.built:
            info = self.infos[name]  # KeyError: no such command (`get` answers None)
            self.built[name] = self._build(info)
            self.on_build(self.built[name])
        return self.built[name]

    def _build(self, info: CommandInfo | TyperInfo | None) -> Any:
        settings = self.settings
        if isinstance(info, CommandInfo):
            return typer.main.get_command_from_info(
                info, pretty_exceptions_short=settings.pretty_exceptions_short,
                rich_markup_mode=settings.rich_markup_mode)
        return typer.main.get_group_from_info(
            info, pretty_exceptions_short=settings.pretty_exceptions_short,
            rich_markup_mode=settings.rich_markup_mode,
            suggest_commands=settings.suggest_commands)

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
