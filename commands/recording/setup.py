"""Starting a ledger: `aid init`; the ward's settings: `aid timezone`, and `aid ward code` for a
ledger started without a code."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from commands.cli import options as o
from commands.language.words import say
from commands.recording import settings
from commands.recording.writing import record
from ledger.errors import LedgerError

Timezone = Annotated[Optional[str], typer.Option(
    "--timezone", help="The ward's time zone for printed times (default: Asia/Ho_Chi_Minh).",
    show_default=False)]

ward_app = typer.Typer(help="The ward itself: its district code (mã phường) for `aid sync`.",
                       no_args_is_help=True)




def init(ward: Annotated[str, typer.Option("--ward", help="The ward's name, e.g. 'Phường 3'.")],
         district_code: Annotated[Optional[str], typer.Option(
             "--code", help="The ward's code in the district, e.g. P3: fixed for good; needed "
                            "by `aid sync`.", show_default=False)] = None,
         zone: Timezone = None, db: o.Db = None, actor: o.Actor = None,
         on: o.On = None,
         sign: Annotated[bool, typer.Option(
             "--sign/--no-sign", envvar="AID_INIT_SIGN", show_envvar=False, show_default=False,
             help="Make (or reuse) your signing key and declare it, so every entry is signed "
                  "from the first day (default); --no-sign leaves that for `aid actor add`.")]
         = True) -> None:
    """Start a ward's ledger in one step: the ledger, the ward key (households' names), your
    signing key and its declaration, and a settings file so later commands need no variable."""
    from ledger.ward.zones import DEFAULT, set_timezone
    from ledger.ward.zones import zone as checked

    chosen = checked(zone) if zone is not None else DEFAULT  # refused before anything is made
    who = o.actor(actor)  # refused before anything is made
    config = settings.path()
    _key_files_checked(ward, signing=bool(sign and who))  # refused before anything is made

    def write(ledger):
        opened = ledger.init(ward, o.on(on), who, district_code)
        if chosen == DEFAULT:
            return opened
        return [opened, set_timezone(ledger, chosen, o.on(on), who)]

    with _nothing_left_if_refused(o.address(db)):  # the keys too: all of it, or nothing
        record(db, write, create=True)
        key_file = _ward_key(ward)
        if sign and who:
            _declare_own_key(db, who, o.on(on))
    if config.exists():
        typer.echo(say("settings kept as they were in {path}", path=config))
        return
    chosen_db = None if db is None and any(os.environ.get(v) for v in settings.LEDGER_VARIABLES) \
        else (db or Path(_default_db())).expanduser().resolve()
    values = {"db": str(chosen_db) if chosen_db else "", "actor": who if actor else "",
              "key_file": str(key_file) if key_file else ""}
    if any(values.values()):
        settings.write(values, config)
        typer.echo(say("settings written to {path}: later commands need no environment "
                       "variable", path=config))


@contextmanager
def _nothing_left_if_refused(where: Any) -> Iterator[None]:
    """A refused `aid init` (a ward code that is no code, a key file that cannot be made)
    leaves no ledger file behind: an empty one would read later as a ledger with no stock, not
    as no ledger at all, and a retry would be told the ward is already there."""
    made = where.path is not None and not where.path.exists()
    try:
        yield
    except LedgerError:
        if made:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{where.path}{suffix}").unlink(missing_ok=True)
        raise


def _default_db() -> str:
    from ledger.store.access import DEFAULT_DB

    return DEFAULT_DB


def _key_files_checked(ward: str, *, signing: bool) -> None:
    """The key files `aid init` will use, read before anything is written: a folder, or a file
    of another kind, is refused while there is still no ledger, so a retry starts clean."""
    from ledger.privacy.ward_key import KeyFile, from_environment
    from ledger.trust.signing_key import SigningKey, key_path

    ward_key = from_environment() or settings.data_dir() / f"{_slug(ward)}.key"
    if ward_key.exists():
        KeyFile.load(ward_key)
    if signing:
        SigningKey.load(key_path())


def _ward_key(ward: str) -> Path | None:
    """The ward key: AID_KEY_FILE's (made if missing), else one in the user's data folder;
    returns its path when `aid init` chose it (the settings file remembers it)."""
    from commands.households.privacy import _new_key
    from ledger.privacy.ward_key import KeyFile, from_environment

    configured = from_environment()
    if configured is not None:
        if configured.exists():
            KeyFile.load(configured)  # a wrong file is refused here, not at the first household
        else:
            _new_key(configured)
        return None
    folder = settings.data_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{_slug(ward)}.key"
    if path.exists():
        KeyFile.load(path)
        typer.echo(say("using the ward key {path}", path=path))
    else:
        _new_key(path)
    return path


def _slug(ward: str) -> str:
    from ledger.values.text import fold

    return re.sub(r"[^a-z0-9]+", "-", fold(ward)).strip("-") or "ward"


def _declare_own_key(db, who: str, on: str) -> None:
    """The writer's own signing key (made if missing), declared as the first key."""
    from commands.recording.writing import dated
    from ledger.store.access import open_ledger
    from ledger.trust.signing_key import SigningKey, key_path

    path = key_path()
    made = SigningKey.load(path)
    if made is None:
        made = SigningKey.create(path)
        typer.echo(say("signing key {key} written to {path}", key=made.key, path=made.path))
        typer.echo(say("Back this file up now (USB stick, a sealed envelope): whoever holds it "
                       "can sign entries as you, and a lost key cannot be recovered, only "
                       "revoked and replaced. Never put it next to the ledger."))
    ledger = open_ledger(o.address(db), key_file=path)
    try:
        key = ledger.declare_key(who, None, on, who)
    finally:
        ledger.close()
    typer.echo(dated(say("declared key {key} for {actor}", key=key, actor=who), on))


def timezone(zone: Annotated[str, typer.Argument(
                 metavar="ZONE", help="An IANA time zone name, e.g. Asia/Ho_Chi_Minh.")],
             db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Set the ward's time zone: printed pages show times on the ward's clock."""
    from ledger.ward.zones import set_timezone

    record(db, lambda ledger: set_timezone(ledger, zone, o.on(on), o.actor(actor)))


def code(district_code: Annotated[str, typer.Argument(
             metavar="CODE", help="The ward's code in the district, e.g. P3.")],
         db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Fix the ward's district code once, for a ledger created without --code."""
    record(db, lambda ledger: ledger.set_code(district_code, o.on(on), o.actor(actor)))


ward_app.command("code")(code)
