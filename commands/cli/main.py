"""The `aid` entry point: the command tree, and one place that turns mistakes into one line.

Heavy modules (the event store, tabulate) are imported by the commands that need them, so
`aid --version` and `aid --help` start as fast as typer itself.
"""

from __future__ import annotations

import re
import sys
from typing import Annotated, Any, Optional

import typer
from typer._click import exceptions as click_exceptions
from typer.core import TyperGroup

from commands.cli import options
from commands.cli.command_tree import Deferred
from commands.language import words as language
from commands.recording import settings
from ledger.errors import BadInput, LedgerError

VERSION = "0.1.0"


class AidGroup(TyperGroup):
    """Prints refusals and usage mistakes as one line on stderr, never a traceback; builds
    each command only when it is used (commands/cli/command_tree.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = Deferred(TREE, app, on_build=_in_language)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # the names, without building the commands

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        _own_completion(self)
        try:
            # the settings file of `aid init` and the reader's language, for this command only
            with settings.applied(), language.spoken():
                args = self._speak(sys.argv[1:] if args is None else list(args))
                result = super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                                      standalone_mode=False, **extra)
            code = result if isinstance(result, int) else 0
        except LedgerError as error:
            code = _fail(f"aid: {language.message(error)}", error.exit_code)
        except click_exceptions.NoArgsIsHelpError as error:  # a group without its command
            where = error.ctx.command_path if error.ctx else "aid"
            code = _fail(error.format_message().rstrip("\n") + "\n" + language.say(
                "(see `{where} --help`)", where=where), 2)
        except click_exceptions.UsageError as error:
            where = error.ctx.command_path if error.ctx else "aid"
            message = _usage(error.format_message().rstrip("."))
            code = _fail(language.say("{where}: {message} (see `{where} --help`)", where=where,
                                      message=message), 2)
        except click_exceptions.ClickException as error:
            code = _fail(f"aid: {error.format_message()}", error.exit_code)
        except typer.Abort:
            code = _fail("aid: " + language._("aborted"), 1)
        except ModuleNotFoundError as error:  # an optional part that was not installed
            code = _fail(_missing(error), 1)
        except Exception as error:  # the database said no: permissions, disk full, server down
            from ledger.store.errors import from_database, refused

            if not from_database(error):
                raise
            code = _fail(language.message(refused(error)), 1)
        if standalone_mode:
            sys.exit(code)
        return code

    def _speak(self, args: list[str]) -> list[str]:
        """Activate the reader's language before anything is printed, help included; `--lang`
        may stand anywhere before `--`, so it is taken out here rather than by one command."""
        given, rest = _take_lang(args)
        rest = _formats(rest)
        try:
            chosen = language.resolve(given)
        except LedgerError:  # an unknown language: refused in the one the environment chose
            language.activate(language.refusing(given))
            raise
        language.activate(chosen)
        from commands.language.helptexts import translate

        translate(self, language._)
        return rest


# click's own words for usage mistakes (it has no catalog): the leading phrase is translated
CLICK_PHRASES = (language.N_("Missing option"), language.N_("Missing argument"),
                 language.N_("Missing parameter"), language.N_("No such option"),
                 language.N_("Invalid value for"), language.N_("Did you mean"),
                 language.N_("Got unexpected extra argument(s)"),  # typer's own click
                 language.N_("Got unexpected extra arguments"),
                 language.N_("Got unexpected extra argument"),
                 language.N_("Possible options"))


# click's sentences that carry values: each said again in the reader's language
CLICK_SENTENCES = (
    (re.compile(r"'(?P<value>[^']*)' is not one of (?P<choices>.+?)\.?$"),
     language.N_("'{value}' is not one of {choices}")),
    (re.compile(r"(?P<value>\S+) is not in the range (?P<range>\S+?)\.?$"),
     language.N_("{value} is not in the range {range}")),
    (re.compile(r"'(?P<value>[^']*)' is not a valid (?:integer|int)(?: range)?\.?$"),
     language.N_("'{value}' is not a whole number")),
    (re.compile(r"Option '(?P<option>[^']+)' requires an argument\.?"),
     language.N_("option '{option}' needs a value after it")),
    (re.compile(r"Option '(?P<option>[^']+)' requires (?P<count>\d+) arguments\.?"),
     language.N_("option '{option}' needs {count} values after it")),
)


def _usage(message: str) -> str:
    """A usage mistake as click words it, in the reader's language: its phrases and its
    sentences that carry values (a missing argument's name is already the reader's word for
    it: commands/language/helptexts.py)."""
    for pattern, template in CLICK_SENTENCES:
        message = pattern.sub(lambda found, said=template: language.say(
            said, **{**found.groupdict(), **_range(found.groupdict()),
                     **_choices(found.groupdict())}), message)
    for phrase in CLICK_PHRASES:
        if phrase in message:
            message = message.replace(phrase, language._(phrase))
    return message


def _choices(fields: dict[str, str]) -> dict[str, Any]:
    """click's refusal of a choice (only --format's are choices): the value as the reader typed
    it ("trang", not the "html" it was read as), the choices as the reader may type them
    ("'bảng', 'csv', 'json'")."""
    from commands.language.helptexts import typed_word

    if "choices" not in fields:
        return {}
    return {"value": options.typed_format(fields["value"]),
            "choices": re.sub(r"'([^']*)'", lambda found: "'" + typed_word(
                found[1], language._) + "'", fields["choices"])}


def _range(fields: dict[str, str]) -> dict[str, Any]:
    """click's "1<=x<=10000" said in words ("from 1 to 10,000", "từ 1 đến 10.000")."""
    from commands.language.helptexts import RANGE, range_phrase

    found = RANGE.fullmatch(fields.get("range") or "")
    if found is None:
        return {}
    return {"range": range_phrase(found)}


def _take_lang(args: list[str]) -> tuple[str | None, list[str]]:
    """(the last --lang value, the arguments without it); after `--` everything is kept."""
    given, rest, index = None, [], 0
    while index < len(args):
        word = args[index]
        if word == "--":
            rest += args[index:]
            break
        if word == "--lang" and index + 1 < len(args):
            given, index = args[index + 1], index + 2
            continue
        if word.startswith("--lang="):
            given = word.split("=", 1)[1]
        else:
            rest.append(word)
        index += 1
    return given, rest


# --format's values as a Vietnamese treasurer types them (marks and case optional)
FORMAT_WORDS = {"bang": "table", "trang": "html", "trang web": "html", "van ban": "text",
                "chu": "text"}


def _formats(args: list[str]) -> list[str]:
    """--format's value in any case ("CSV"), or in Vietnamese ("bảng": table), as the code
    click knows; after `--` everything is kept as typed. What was typed is remembered: click's
    refusal of a value it does not know quotes it (`_usage`)."""
    said, index = list(args), 0
    options.TYPED_FORMATS.clear()
    while index < len(said) and said[index] != "--":
        word = said[index]
        if word == "--format" and index + 1 < len(said):
            said[index + 1] = _format(said[index + 1])
        elif word.startswith("--format="):
            said[index] = "--format=" + _format(word.split("=", 1)[1])
        index += 1
    return said


def _format(typed: str) -> str:
    code = options.spoken(typed, FORMAT_WORDS)
    if code != typed:
        options.TYPED_FORMATS[code] = typed
    return code


EXTRAS = {"psycopg": "postgres", "psycopg_pool": "postgres", "psycopg_binary": "postgres"}


def _missing(error: ModuleNotFoundError) -> str:
    """One line for a module that is not installed, naming what to install."""
    named = error.name or next(iter(re.findall(r"No module named '([^']+)'", str(error))), "")
    module = named.split(".")[0] or str(error)
    extra = EXTRAS.get(module)
    if extra:
        return language.say("aid: PostgreSQL needs the {extra} extra, which is not installed: "
                            "pip install -c constraints.txt -e '.[{extra}]' (missing module "
                            "{module})", extra=extra, module=module)
    return language.say("aid: the module {module} is not installed: reinstall aid-ledger "
                        "(pip install -c constraints.txt -e .)", module=module)


COMPLETION = ("install_completion", "show_completion")  # typer's two options on the root
SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")  # the shells typer writes completion for


def _own_completion(root: Any) -> None:
    """typer's --install-completion and --show-completion, saying what they did through the
    catalog (typer prints "bash completion installed in …" in English whatever the reader's
    language): the same scripts, installed in the same places by typer's own functions."""
    for param in root.params:
        if param.name in COMPLETION:
            param.callback = _completion(install=param.name == COMPLETION[0])


def _completion(install: bool) -> Any:
    def callback(ctx: Any, param: Any, value: Any) -> Any:
        import os

        from typer import _completion_shared as shared

        if not value or ctx.resilient_parsing:
            return value
        if isinstance(value, str):  # the shell named (typer's tests turn detection off)
            shell: str | None = getattr(value, "value", value)
        elif os.getenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION"):
            shell = None
        else:
            shell = shared._get_shell_name()
        if shell is None:
            raise BadInput("cannot tell which shell this is: completion is written for bash, "
                           "zsh, fish and PowerShell")
        if shell not in SHELLS:
            raise BadInput("completion is written for bash, zsh, fish and PowerShell, not for "
                           "{shell}", shell=shell)
        prog = ctx.find_root().info_name or "aid"
        variable = "_{}_COMPLETE".format(prog.replace("-", "_").upper())
        if install:
            shell, path = shared.install(shell=shell, prog_name=prog, complete_var=variable)
            typer.echo(language.say("{shell} completion installed in {path}", shell=shell,
                                    path=path))
            typer.echo(language._("Completion will take effect once you restart the terminal."))
        else:
            typer.echo(shared.get_completion_script(prog_name=prog, complete_var=variable,
                                                    shell=shell))
        raise typer.Exit()

    return callback


def _in_language(command: Any) -> None:
    """A command built after the reader's language was chosen: its help in that language,
    and its usage mistakes pointing to its own help."""
    from commands.language.helptexts import translate

    translate(command, language._)
    _naming_itself(command)


def _naming_itself(command: Any) -> None:
    """click's parser refuses an option without its value ("--at" alone) with no context: the
    refusal then named `aid`, not the command. Each command (and a group's, below it) now
    hands its own context to the mistakes its parser finds, so `aid stock --at` points to
    `aid stock --help`."""
    parse = command.parse_args

    def parse_args(ctx: Any, args: list[str]) -> Any:
        try:
            return parse(ctx, args)
        except click_exceptions.UsageError as error:
            if error.ctx is None:
                error.ctx = ctx
            raise

    command.parse_args = parse_args
    for child in getattr(command, "commands", {}).values():
        _naming_itself(child)


def _fail(message: str, code: int) -> int:
    typer.echo(message, err=True)
    return code


app = typer.Typer(
    cls=AidGroup,
    help="aid-ledger: an event-sourced ledger for a ward's mutual-aid drive "
         "(quỹ tương trợ phường). Every gift, bundle and hand-out is an immutable entry.",
    no_args_is_help=False,  # `aid` alone prints the overview (commands/reports/overview.py)
    invoke_without_command=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=True,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"aid-ledger {VERSION}")
        raise typer.Exit()


@app.callback()
def _root(ctx: typer.Context,
          version: Annotated[bool, typer.Option("--version", callback=_version,
                                                is_eager=True, help="Print the version.")] = False,
          lang: language.Lang = None, db: options.Db = None, actor: options.Actor = None,
          fmt: Annotated[Optional[str], typer.Option(
              "--format", help="Output format of the command that follows, as its --format.",
              show_default=False)] = None) -> None:
    """aid-ledger: record every gift, bundle and hand-out; ask what is left."""
    given = {name: value for name, value in (("db", db), ("actor", actor), ("fmt", fmt))
             if value is not None}
    if given and ctx.invoked_subcommand is not None:
        chosen = ctx.command.get_command(ctx, ctx.invoked_subcommand)
        ctx.default_map = {ctx.invoked_subcommand: _defaults(chosen, given)}
    if ctx.invoked_subcommand is None:
        from commands.reports import overview
        overview.show(ctx)


def _defaults(command: Any, given: dict[str, Any]) -> dict[str, Any]:
    """`aid --db X stock` means `aid stock --db X`: click's default map hands the options given
    before the subcommand to the command chosen, or every command below the group chosen, that
    takes them (given after it, they win)."""
    if not hasattr(command, "commands"):
        return {p.name: given[p.name] for p in command.params if p.name in given}
    return {name: _defaults(child, given) for name, child in command.commands.items()}


# Every command of `aid`, in the order `aid --help` lists them (commands, then groups), and
# where it is defined: its module is imported, and the command built, only when it is used
# (commands/cli/command_tree.py). A group holds its subcommands (and subgroups) itself.
TREE = [(name, f"commands.{where}") for name, where in (
    ("init", "recording.setup:init"), ("timezone", "recording.setup:timezone"),
    ("donate", "recording.record:donate"), ("buy", "recording.record:buy"),
    ("pack", "recording.record:pack"), ("unpack", "recording.record:unpack"),
    ("give", "recording.record:give"), ("transfer", "recording.record:transfer"),
    ("adjust", "recording.record:adjust"), ("count", "recording.record:count"),
    ("reverse", "recording.record:reverse"),
    ("stock", "reports.books:stock"), ("cash", "reports.books:cash"),
    ("history", "reports.books:history"), ("rebuild", "reports.books:rebuild"),
    ("demo", "recording.demo:demo"), ("pickup", "households.shop:pickup"),
    ("expiring", "reports.planning:expiring"), ("alerts", "reports.planning:alerts"),
    ("sync", "district:sync"), ("serve", "web.serve:serve"),
    ("ward", "recording.setup:ward_app"), ("item", "recording.declare:item_app"),
    ("location", "recording.declare:location_app"), ("donor", "recording.declare:donor_app"),
    ("recipient", "households.recipients:recipient_app"),
    ("bundle", "recording.declare:bundle_app"), ("import", "recording.importing:import_app"),
    ("audit", "audit.auditor:audit_app"), ("receipt", "audit.receipt:receipt_app"),
    ("actor", "recording.actors:actor_app"), ("shop", "households.shop:shop_app"),
    ("voucher", "households.shop:voucher_app"), ("tier", "households.recipients:tier_app"),
    ("round", "households.rounds:round_app"), ("report", "reports.drive:report_app"),
    ("key", "households.privacy:key_app"), ("district", "district:district_app"),
    ("witness", "audit.witness:witness_app"), ("bank", "bank:bank_app"),
)]


def main() -> None:
    app()
