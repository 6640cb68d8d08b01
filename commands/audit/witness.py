"""Witnesses (issue 26): `aid witness cosign NOTE --key FILE`, and what `aid sync` says of the
district's co-signature (the district's list is `aid district checkpoints`, commands/district.py).

The district witnesses every ward's checkpoint at `aid sync` (`ledger/district/witness.py`);
any other party (a newspaper, a neighbouring ward) co-signs a checkpoint it was given with its
own key: only one the ward signed, that extends the last one it co-signed
(`ledger/trust/witnessing.py`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from commands.audit.tree import read_json, read_note, write_or_print
from commands.cli import options as o
from commands.language.words import N_, say
from ledger.errors import BadInput
from ledger.phrases import said

witness_app = typer.Typer(help="Co-sign a ward's checkpoint as an independent witness.",
                          no_args_is_help=True)


def told_witnessed(found: Any) -> None:
    """What `aid sync` says once the district stored a new checkpoint (nothing if none)."""
    if found is None:
        return
    told = (N_("ward {code}: the district witnessed and co-signed its checkpoint ({size} "
               "events, root {root}…)") if found.cosigned else
            N_("ward {code}: the district checked its checkpoint ({size} events, root "
               "{root}…); not co-signed: the ward signs its entries and this checkpoint "
               "carries none of its signatures (sync with a declared key, "
               "AID_SIGNING_KEY_FILE)") if found.unsigned else
            N_("ward {code}: the district checked its checkpoint ({size} events, root "
               "{root}…); not co-signed: no district key (AID_WITNESS_KEY_FILE)"))
    typer.echo(say(told, code=found.code, size=found.size, root=found.root.hex()[:16]))


@witness_app.command("cosign")
def cosign(note: Annotated[str, typer.Argument(
               metavar="NOTE", help="The checkpoint to co-sign: a file, its text, or the JSON "
                                    "of `aid audit checkpoint --format json` (with the ward's "
                                    "keys).")],
           key: Annotated[Path, typer.Option(
               "--key", metavar="FILE", help="Your Ed25519 key (`aid actor key init "
                                             "--key-file FILE`).")],
           vkey: Annotated[Optional[list[str]], typer.Option(
               "--vkey", metavar="NAME+ID+KEY",
               help="The ward's verifier key, the first time (then remembered): the "
                    "checkpoint must carry its signature.", show_default=False)] = None,
           proof: Annotated[Optional[Path], typer.Option(
               "--consistency", metavar="FILE",
               help="The consistency proof from the checkpoint you co-signed last to this one "
                    "(`aid audit consistency OLD NEW --format json`).",
               show_default=False)] = None,
           name: Annotated[Optional[str], typer.Option(
               "--name", help="The name on your signature line (default: witness.<key id>).",
               show_default=False)] = None,
           output: Annotated[Optional[Path], typer.Option(
               "--output", "-o", metavar="FILE", help="Write the co-signed note to FILE.",
               callback=o.to_folder, show_default=False)] = None,
           fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text"
           ) -> None:
    """Add your signature to a checkpoint (C2SP signed note), only if the ward signed it and
    it extends the last one you co-signed (its consistency proof given); prints the co-signed
    note. What you co-signed is kept beside your key (FILE.witnessed.json)."""
    from ledger.district.witness import key_name, load_key
    from ledger.trust import checkpoint, heads, witnessing

    if fmt not in ("text", "json"):
        raise BadInput("--format is text or json, not '{fmt}'", fmt=o.typed_format(fmt))
    text, keys = read_note(note)
    parsed = heads.parse_note(text)
    private = load_key(key)
    if name is not None and (not name or "+" in name or any(c.isspace() or c < " " for c in name)):
        raise BadInput("--name is how the note names you: one word without spaces or '+', "
                       "e.g. --name ThanhTraP3, not '{name}'", name=name[:40])
    record = witnessing.load(witnessing.record_path(key))
    ledger = witnessing.identity(parsed)
    proven = read_json(str(proof), N_("consistency proof")) if proof is not None else None
    if proven is not None and not isinstance(proven, dict):
        raise BadInput("{path} is not a consistency proof (`aid audit consistency --format "
                       "json`)", path=proof)
    remembered = witnessing.check(text, parsed, list(vkey or []), proven, record.get(ledger),
                                  offered=keys)
    try:
        signed = checkpoint.sign(text, name or key_name(private, "witness"), private)
    except ValueError as error:
        raise BadInput("cannot co-sign: {error}", error=said(error)) from None
    witnessing.save(witnessing.record_path(key), {**record, ledger: remembered})
    out = (json.dumps({"origin": parsed.origin, "size": parsed.size, "root": parsed.root.hex(),
                       "note": signed}, ensure_ascii=False, indent=2) + "\n"
           if fmt == "json" else signed)
    write_or_print(out, output, say("co-signed checkpoint written to {path}", path=output))
