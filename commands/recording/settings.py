"""The user's own settings file, written by `aid init`, so that no environment variable is needed.

    # ~/.config/aid-ledger/config.toml (Linux), ~/Library/Application Support/aid-ledger (macOS),
    # %APPDATA%\\aid-ledger (Windows): platformdirs' user config folder; $AID_CONFIG overrides it
    db = "/home/lan/phuong3.db"
    actor = "Chị Lan"
    key_file = "/home/lan/.local/share/aid-ledger/phuong-3.key"

Each setting is the default of one environment variable (`db` of AID_DB, `actor` of AID_ACTOR,
`key_file` of AID_KEY_FILE, `signing_key_file` of AID_SIGNING_KEY_FILE, `lang` of AID_LANG):
a variable that is set wins over the file, and an option (`--db`, `--actor`, `--lang`) over
both. `applied` lends the file's values to the environment for the length of one command only,
so nothing leaks into the next command run in the same process (the tests' CliRunner).
"""

from __future__ import annotations

import os
import textwrap
import tomllib
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path

from ledger.errors import BadInput
from ledger.phrases import N_, said

APP = "aid-ledger"
FILE_NAME = "config.toml"
VARIABLES = {"db": "AID_DB", "actor": "AID_ACTOR", "key_file": "AID_KEY_FILE",
             "signing_key_file": "AID_SIGNING_KEY_FILE", "lang": "AID_LANG"}
# a ledger named by any of these is not overridden by the file's `db`
LEDGER_VARIABLES = ("AID_DB", "AID_DATABASE_URL")


def config_dir() -> Path:
    """The user's configuration folder for aid-ledger (XDG_CONFIG_HOME honoured on Linux)."""
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP, appauthor=False, roaming=True))


def data_dir() -> Path:
    """The user's data folder for aid-ledger: where `aid init` keeps the ward key."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP, appauthor=False, roaming=True))


def path(environ: MutableMapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    given = env.get("AID_CONFIG")
    return Path(given).expanduser() if given else config_dir() / FILE_NAME


def read(where: Path | None = None) -> dict[str, str]:
    """The settings in the file (none when there is no file); a broken file is one line, exit 2."""
    where = where or path()
    try:
        raw = where.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return {}
    except OSError as error:
        raise BadInput("cannot read the settings file {path}: {error}", path=where,
                       error=said(error)) from None
    try:
        found = tomllib.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise BadInput("the settings file {path} is not valid TOML ({error}): fix or delete it",
                       path=where, error=error) from None
    return {key: str(value) for key, value in found.items()
            if key in VARIABLES and isinstance(value, str) and value}


def write(settings: dict[str, str], where: Path | None = None) -> Path:
    """Write the file (UTF-8, LF, TOML basic strings), replacing what was there atomically."""
    where = where or path()
    where.parent.mkdir(parents=True, exist_ok=True)
    from commands.language.words import _, say

    said = say("aid-ledger settings, written by `aid init`; environment variables and options "
               "win over them (see {guide}).", guide=_(GUIDE))
    lines = [f"# {line}" for line in textwrap.wrap(said, 96)]  # in the reader's language
    lines += [f"{key} = {_quoted(value)}" for key, value in settings.items() if value]
    temporary = where.with_name(where.name + ".tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    os.replace(temporary, where)
    return where


# where a reader of the file learns more: the README's section in English, the treasurer's
# guide (docs/guides/thu-quy.md) in Vietnamese, as the catalog says
GUIDE = N_("README, \"A treasurer's first day\"")


def _quoted(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c >= " " else f"\\u{ord(c):04x}" for c in escaped) + '"'


_LENT: set[str] = set()  # the variables `applied` lends for the command running now


def lent(variable: str) -> bool:
    """Whether `variable` comes from the settings file, not from the user's environment
    (the demo must not take the ward's real key from the settings of `aid init`)."""
    return variable in _LENT


@contextmanager
def applied(environ: MutableMapping[str, str] | None = None) -> Iterator[dict[str, str]]:
    """The file's settings as environment defaults while one command runs, then as before."""
    env = os.environ if environ is None else environ
    settings = read(path(env))
    lent: dict[str, str | None] = {}
    for key, value in settings.items():
        variable = VARIABLES[key]
        if key == "db" and any(env.get(name) for name in LEDGER_VARIABLES):
            continue
        if not env.get(variable):
            lent[variable] = env.get(variable)
            env[variable] = value
    _LENT.update(lent)
    try:
        yield settings
    finally:
        _LENT.difference_update(lent)
        for variable, before in lent.items():
            if before is None:
                env.pop(variable, None)
            else:
                env[variable] = before
