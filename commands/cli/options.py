"""Options shared by many commands, and the helpers that open the ledger behind them."""

from __future__ import annotations

import getpass
import os
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from commands.language.words import say
from ledger.errors import BadInput
from ledger.store.access import Address, locate
from ledger.values.dates import happened, parse_date
from ledger.values.inputs import text
from ledger.ward import lots

Db = Annotated[Optional[Path], typer.Option(
    "--db", help="Ledger file (default: $AID_DB, else ./aid.db; $AID_DATABASE_URL for PostgreSQL).",
    show_default=False)]
Actor = Annotated[Optional[str], typer.Option(
    "--actor", help="Who records this (default: $AID_ACTOR, else your OS user name).",
    show_default=False)]
On = Annotated[Optional[str], typer.Option(
    "--on", help="Business date, 2021-11-17 or 17/11/2021 (default: today).", show_default=False)]
AsOf = Annotated[Optional[str], typer.Option(
    "--as-of", help="Report as of the end of this date (entries dated that day included).",
    show_default=False)]
Items = Annotated[Optional[list[str]], typer.Option(
    "--item", help="CODE=QTY, repeatable.", show_default=False)]
Expires = Annotated[Optional[str], typer.Option(
    "--expires", help="Last day the goods may be used (their lot), 31/12/2021; default: undated.",
    show_default=False)]
Lot = Annotated[Optional[str], typer.Option(
    "--lot", help="Take from the lot expiring on this date ('undated', or in Vietnamese 'không "
                  "ghi hạn', for undated goods) instead of the earliest-expiring first.",
    show_default=False)]
AllowExpired = Annotated[bool, typer.Option(
    "--allow-expired", help="Hand out goods past their expiry date (needs --reason).")]
ExpiredReason = Annotated[Optional[str], typer.Option(
    "--reason", help="Why expired goods are handed out (with --allow-expired).",
    show_default=False)]


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


FormatOption = Annotated[Format, typer.Option("--format", help="Output format.")]


def to_folder(path: Path | None) -> Path | None:
    """Refuse an --output whose folder is missing before any work is done: a command that
    records entries and then writes a file must not record them and fail at the file."""
    if path is not None and not path.parent.is_dir():  # the words of every other -o
        raise BadInput("cannot write {path}: there is no folder {folder}", path=path,
                       folder=path.parent)
    if path is not None and path.is_dir():
        raise BadInput("cannot write {path}: it is a folder; name a file", path=path)
    return path


def _spreadsheet(path: Path | None) -> Path | None:
    """Refuse an --output that is not a workbook, or has no folder, before any work is done."""
    if path is not None and path.suffix.lower() != ".xlsx":
        raise typer.BadParameter(say("'{name}' must end in .xlsx: --output writes a workbook "
                                     "(other formats print to the screen, see --help)",
                                     name=path.name))
    return to_folder(path)


Output = Annotated[Optional[Path], typer.Option(
    "--output", "-o", help="Write the report to FILE.xlsx (typed cells) instead of printing it.",
    callback=_spreadsheet, show_default=False)]


def address(db: Path | None) -> Address:
    return locate(db)


def actor(given: str | None) -> str:
    """--actor, else AID_ACTOR, else the OS user: every entry says who recorded it."""
    if given is not None:
        return text(given, "--actor")
    if os.environ.get("AID_ACTOR"):
        return text(os.environ["AID_ACTOR"], "AID_ACTOR")
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def on(given: str | None) -> str:
    return happened(given)


def as_of(given: str | None) -> str | None:
    """None (every entry) when not given; `--as-of ''` is refused like any other bad date."""
    return parse_date(given) if given is not None else None


def expires(given: str | None) -> str | None:
    return parse_date(given) if given is not None else None


def lot(given: str | None) -> str | None:
    """A named lot: its expiry date, or 'undated' / 'không ghi hạn' (the lot of goods recorded
    without one)."""
    if given is None:
        return None
    return "" if spoken(given, UNDATED) == "undated" else parse_date(given)


UNDATED = {"-": "undated", "khong ghi han": "undated", "khong han": "undated",
           "khong co han": "undated"}


def spoken(given: str, words: dict[str, str]) -> str:
    """A word from a fixed set as typed, in English (the code) or in Vietnamese with or
    without its marks ("chia đều", "chia deu"): the code, else what was typed."""
    from ledger.values.text import words_of

    return words.get(words_of(given), given.strip().lower())


# --format's value as click got it -> as the reader typed it ("html" <- "trang"; commands/cli/main.py
# reads --format before click does): a refusal quotes what was typed
TYPED_FORMATS: dict[str, str] = {}


def typed_format(value: str) -> str:
    """--format's value as the reader typed it."""
    return TYPED_FORMATS.get(value, value)


def expired_reason(allow: bool, reason: str | None) -> str | None:
    """The reason for handing out expired goods; --allow-expired and --reason go together."""
    if reason is not None and not allow:
        raise BadInput("--reason goes with --allow-expired: add it to hand out expired goods")
    return lots.expired_reason(reason or "") if allow else None


def load_drive(db: Path | None):
    """Books, register and rounds, replayed from the stored events."""
    from ledger.store.access import open_log
    from projections.households.rounds import Drive

    log = open_log(address(db))
    try:
        return Drive.replay(log.read())
    finally:
        log.close()


def sealer(required: bool = True):
    """The ward's sealer from AID_KEY_FILE (None when none is configured and not required)."""
    from ledger.privacy.details import from_environment

    return from_environment(required=required)


def revealed(register):
    """The register with its names opened by the ward's key; one line, exit 2, without it
    (when it holds sealed names)."""
    return register.reveal(sealer(required=False))
