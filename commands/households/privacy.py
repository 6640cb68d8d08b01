"""Households' privacy: `aid key init` (the ward's key, the district's pseudonym key, sealing
details recorded in clear) and `aid recipient forget` (crypto-shredding)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from commands.cli import options as o
from commands.language.words import _, entry_span, say
from commands.recording.writing import announce, refresh
from ledger.errors import BadInput

KeyPath = Annotated[Optional[Path], typer.Option(
    "--file", help="Where to write the key (default: $AID_KEY_FILE, or $AID_DISTRICT_KEY_FILE "
                   "with --district).", show_default=False)]




def init(file: KeyPath = None,
         district: Annotated[bool, typer.Option(
             "--district", help="Make the district's pseudonym key for ID numbers (32 random "
                                "bytes, shared by the district with each ward).")] = False,
         encrypt_existing: Annotated[bool, typer.Option(
             "--encrypt-existing", help="Also seal the names and phones this ledger holds in "
                                        "clear (recorded before encryption).")] = False,
         db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Make the ward's key file (or the district's key); print what to back up."""
    variable = "AID_DISTRICT_KEY_FILE" if district else "AID_KEY_FILE"
    path = file or (Path(os.environ[variable]) if os.environ.get(variable) else None)
    if path is None:
        raise BadInput("where should the key go? give --file PATH or set {variable}",
                       variable=variable)
    if district:
        from ledger.privacy.pseudonym import create_district_key

        create_district_key(path)
        typer.echo(say("wrote the district key to {path}", path=path))
        typer.echo(_("Give the same file to every ward of the district, by hand; keep a copy "
                     "offline. Without it ID numbers cannot be matched across wards."))
        return
    if encrypt_existing and path.exists():
        _encrypt_existing(path, db, actor, on)
        return
    _new_key(path)
    if encrypt_existing:
        _encrypt_existing(path, db, actor, on)


def _new_key(path: Path) -> None:
    from ledger.privacy.ward_key import KeyFile

    keys = KeyFile.create(path)
    typer.echo(say("wrote the ward key to {path} (key {key})", path=path, key=keys.key_id))
    typer.echo(_("BACK UP THIS FILE NOW, on a USB stick kept apart from the ledger: without it "
                 "nobody can read the households' names, phones and ID numbers, ever. Keep it "
                 "off any copy of the ledger you give away. After `aid recipient forget`, "
                 "replace old copies of it with the current file."))


def _encrypt_existing(path: Path, db: Path | None, actor: str | None, on: str | None) -> None:
    from ledger.privacy.details import Sealer
    from ledger.privacy.pseudonym import district_key
    from ledger.privacy.ward_key import KeyFile
    from ledger.store.access import open_ledger
    from ledger.ward.personal import encrypt_existing

    seal = Sealer(KeyFile.load(path), district_key())
    ledger = open_ledger(o.address(db))
    ledger.sealer = seal
    try:
        entries = encrypt_existing(ledger, seal, lambda: o.load_drive(db).register.unsealed(),
                                   o.on(on), o.actor(actor))
    finally:
        ledger.close()
    refresh(o.address(db))
    if not entries:
        typer.echo(_("nothing to encrypt: no household's details are held only in clear"))
        return
    typer.echo(say("recorded {span}: {count} households' details sealed", span=entry_span(
        entries), count=len(entries) - 1))
    typer.echo(_("The earlier entries still hold those names in clear, in this file and in "
                 "every backup: see docs/privacy.md for moving to a fresh ledger and "
                 "disposing of old copies."))


def forget(code: str,
           reason: Annotated[str, typer.Option(
               "--reason", help="Why (the request, its date); never the person's name.")],
           db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Erase a household's name, phone and ID number for good (destroys its key); its code
    and what it received stay in the books."""
    from ledger.store.access import open_ledger
    from ledger.values.inputs import code as clean_code
    from ledger.ward.personal import forget as forget_household

    seal = o.sealer(required=True)
    day, household = o.on(on), clean_code(code)
    held = household in seal.keys.households
    ledger = open_ledger(o.address(db))
    ledger.sealer = seal
    try:
        entry = forget_household(ledger, code, reason, seal, lambda: _waiting(db), day,
                                 o.actor(actor))
    finally:
        ledger.close()
    refresh(o.address(db))
    register = _register(db)
    if held:
        typer.echo(say("{code}: key destroyed; its name, phone and ID number can no longer be "
                       "read in this ledger or any copy of it", code=household))
    elif household in register.sealed:
        typer.echo(say("warning: {path} holds no key for {code}; run this forget again with "
                       "the key file that does, to destroy it there", path=seal.keys.path,
                       code=household))
    clear = register.clear.get(household)
    if clear and clear["name"]:
        typer.echo(say("warning: entry {entry} was recorded before encryption and still holds "
                       "its name in clear (see docs/privacy.md)", entry=clear["entry"]))
    announce(db, entry)


def _waiting(db: Path | None) -> dict[str, list[str]]:
    """Open rounds -> households whose planned hand-out has not been made."""
    from projections.households.rounds import status

    drive = o.load_drive(db)
    return {code: status(drive, code)["not_received"]
            for code, rules in drive.log.rounds.items() if not rules.get("closed")}


def _register(db: Path | None):

    return o.load_drive(db).register


# ---- the groups of `aid` this module holds ------------------------------------------------------

key_app = typer.Typer(help="The ward's encryption key for households' details (khóa).",
                      no_args_is_help=True)
key_app.command("init")(init)
