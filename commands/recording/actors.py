"""`aid actor …`: signing keys, so that every entry says, verifiably, who wrote it.

`aid actor key init` makes the writer's own key (a file outside the ledger); `aid actor add`
declares an actor's public key in the ledger (the first one: the treasurer's own); from then on
every write is sealed (`ledger/trust/seals.py`) and `aid audit verify` reports anything not sealed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from commands.cli import options as o
from commands.language.words import say
from commands.recording.writing import dated
from ledger.errors import BadInput
from ledger.trust.signing_key import SigningKey, key_path

actor_app = typer.Typer(help="Who records: actors' signing keys (chữ ký số).",
                        no_args_is_help=True)
key_app = typer.Typer(help="Your own signing key, kept outside the ledger.", no_args_is_help=True)
actor_app.add_typer(key_app, name="key")




KeyFile = Annotated[Optional[Path], typer.Option(
    "--key-file", help="The signing key file (default: $AID_SIGNING_KEY_FILE, else "
                       "signing-key.pem in your configuration folder).", show_default=False)]


@key_app.command("init")
def key_init(key_file: KeyFile = None) -> None:
    """Make your signing key (Ed25519) and print its public half; back the file up."""
    made = SigningKey.create(key_file or key_path())
    typer.echo(say("signing key {key} written to {path}", key=made.key, path=made.path))
    typer.echo(say("public key: {public}", public=made.text))
    typer.echo(say("Back this file up now (USB stick, a sealed envelope): whoever holds it can "
                   "sign entries as you, and a lost key cannot be recovered, only revoked and "
                   "replaced. Never put it next to the ledger."))
    typer.echo(say("Next: the treasurer records it with `aid actor add NAME --public-key "
                   "{public}` (the treasurer's own key: `aid actor add NAME`).",
                   public=made.text))


@key_app.command("show")
def key_show(key_file: KeyFile = None) -> None:
    """Print your public key (to give to the treasurer); the private key stays in its file."""
    path = key_file or key_path()
    found = SigningKey.load(path)
    if found is None:
        raise BadInput("there is no signing key in {path}: make one with `aid actor key init`",
                       path=path)
    typer.echo(found.text)


@actor_app.command("add")
def add(name: Annotated[str, typer.Argument(help="The actor's name, as entries record it.")],
        public_key: Annotated[Optional[str], typer.Option(
            "--public-key", metavar="FILE|TEXT",
            help="Their public key (ed25519:…, from `aid actor key show`), or a file holding "
                 "it (default: your own key).", show_default=False)] = None,
        key_file: KeyFile = None, db: o.Db = None, actor: o.Actor = None,
        on: o.On = None) -> None:
    """Declare an actor's public signing key; from the first one on, every entry is signed."""
    from ledger.store.access import open_ledger

    ledger = open_ledger(o.address(db), key_file=key_file)
    day = o.on(on)
    try:
        key = ledger.declare_key(name, _key_text(public_key), day, o.actor(actor))
    finally:
        ledger.close()
    typer.echo(dated(say("declared key {key} for {actor}", key=key, actor=name), day))


@key_app.command("revoke")
def revoke(key: Annotated[str, typer.Argument(help="The key id (16 hex digits).")],
           reason: Annotated[str, typer.Option("--reason", help="Why: lost, left the team…")],
           key_file: KeyFile = None, db: o.Db = None, actor: o.Actor = None,
           on: o.On = None) -> None:
    """Stop accepting a key from now on (lost or its holder left); entries it signed stay."""
    from ledger.store.access import open_ledger

    ledger = open_ledger(o.address(db), key_file=key_file)
    day = o.on(on)
    try:
        revoked = ledger.revoke_key(key, reason, day, o.actor(actor))
    finally:
        ledger.close()
    typer.echo(dated(say("revoked key {key}", key=revoked), day))


def _key_text(value: str | None) -> str | None:
    """--public-key takes the key itself or a file holding it."""
    if value is None or value.strip().startswith(("ed25519:", "-----BEGIN")):
        return value
    path = Path(value)
    if not path.is_file():
        return value
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise BadInput("cannot read a public key from {path}", path=path) from None
