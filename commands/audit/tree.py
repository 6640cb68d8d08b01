"""`aid audit checkpoint` and `aid audit consistency`: the ledger's Merkle tree, for anyone to hold.

A checkpoint is the tree's size and root signed by the treasurer (C2SP signed note); a
consistency proof shows a later checkpoint only added to an earlier one. Both read the ledger
read-only (docs/audit.md, "Checkpoints").
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Iterator, Optional

import typer

from commands.cli import options as o
from commands.language.words import say
from ledger.errors import BadInput, Refused
from ledger.phrases import N_, Phrase, said
from ledger.store.access import EventLog, open_log


class NoteFormat(str, Enum):
    text = "text"
    json = "json"


FormatChoice = Annotated[NoteFormat, typer.Option("--format", help="Output format.")]
NoteOutput = Annotated[Optional[Path], typer.Option(
    "--output", "-o", metavar="FILE", help="Write to FILE instead of printing.",
    callback=o.to_folder, show_default=False)]




def note_text(value: str, what: str = N_("checkpoint")) -> str:
    """A checkpoint given as a file name, its text, or the JSON `aid audit checkpoint
    --format json` printed (its `note`)."""
    return read_note(value, what)[0]


def read_note(value: str, what: str = N_("checkpoint")) -> tuple[str, list[str]]:
    """`note_text`, and the verifier keys of its signers when the JSON gives them (`vkeys`).
    The checkpoint may also come inside what someone outside was handed: a donor's receipt
    (its JSON or its .html page), the statement's JSON or its printed .html page."""
    text = value
    if "\n" not in value and len(value) < 4096:
        path = Path(value)
        if not path.exists():
            raise BadInput("no {what} file {value}", what=Phrase(what), value=value)
        if path.is_file() and path.stat().st_size > MAX_HELD:
            raise BadInput("{value} holds {size:,} bytes: a checkpoint, a receipt or a "
                           "statement's page is far smaller; give the file you kept",
                           value=value, size=path.stat().st_size)
        try:
            text = _embedded(path.read_text(encoding="utf-8").removeprefix("\ufeff"))
        except (OSError, UnicodeDecodeError) as error:
            raise BadInput("cannot read {value}: {error}", value=value, error=said(error)) from None
    vkeys: list[str] = []
    if text.lstrip().startswith(("{", "[")) or text.strip() in ("null", "true", "false"):
        try:
            found = json.loads(text)
            text = found["note"] if "note" in found else found["checkpoint"]
            text.encode()  # a string, not null (a statement of a ledger with no events)
            vkeys = [str(key) for key in found.get("vkeys") or []]
        except (ValueError, KeyError, TypeError, AttributeError):
            raise BadInput("{value} is JSON without a checkpoint note", value=value[:60]) \
                from None
    # as editors and shells hand it over: a byte-order mark, Windows line ends (a lone \r
    # left where `$(cat note.txt)` dropped the last newline), blank lines after its end
    text = re.sub(r"\r\n?", "\n", text.removeprefix("\ufeff"))
    if text.strip():
        text = text.rstrip("\n") + "\n"
    return text, vkeys


MAX_HELD = 64 * 2**20  # bytes of a file handed over as a checkpoint (a statement's page: ~1 MB)
# a signed checkpoint inside a page (the printed statement shows it under its QR code)
NOTE_IN_PAGE = re.compile(r"aid-ledger/\S+\n\d+\n[A-Za-z0-9+/]+=*\n\n"  # origin, size, root
                          r"(?:\u2014 \S+ [A-Za-z0-9+/]+=*(?:\n|$))+")  # — signer signature


def _embedded(text: str) -> str:
    """The receipt inside a receipt's .html page (the page checks it when opened), the
    checkpoint inside a statement's page; any other text as it is."""
    if 'id="receipt-data"' in text:
        start = text.index('id="receipt-data"')
        return text[text.index(">", start) + 1:text.index("</script>", start)].replace("<\\/",
                                                                                      "</")
    if text.lstrip().startswith("<"):
        found = {note.rstrip("\n") + "\n"
                 for note in NOTE_IN_PAGE.findall(html.unescape(text).replace("\r\n", "\n"))}
        if len(found) > 1:
            raise BadInput("that page holds {count} different checkpoints: give the one you "
                           "kept as a file or text", count=len(found))
        if found:
            return found.pop()
    return text


def read_json(value: str, what: str) -> Any:
    """A JSON file someone hands over (a receipt, also inside its .html page; a proof), or
    one line saying what is wrong with it."""
    path = Path(value)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput("no {what} file {value}", what=Phrase(what), value=value) from None
    except (OSError, UnicodeDecodeError) as error:
        raise BadInput("cannot read {value}: {error}", value=value, error=said(error)) from None
    if path.suffix.lower() in (".html", ".htm"):
        text = _embedded(text)
    for attempt in (text, text.replace("\r", "").replace("\n", "")):  # copied off paper:
        try:  # lines broken inside a value join back (JSON needs no raw line break)
            return json.loads(attempt)
        except ValueError:
            continue
    raise BadInput("{value} is not a JSON {what}", value=value, what=Phrase(what))


@contextmanager
def ledger_tree(db: Path | None) -> Iterator[tuple[EventLog, Any]]:
    """The ledger, read-only, and its tree as of one moment."""
    from ledger.store.tree import LedgerTree, TreeMismatch

    log = open_log(o.address(db))
    try:
        with log.snapshot():
            try:
                tree = LedgerTree(log)
            except TreeMismatch as error:
                raise Refused("the ledger's stored Merkle tree holds {tree} events but does not "
                              "match its {events} stored events (changed outside aid?): run "
                              "`aid audit verify`", tree=error.tree, events=error.events) \
                    from None
            try:
                yield log, tree
            finally:
                tree.close()
    finally:
        log.close()


def signed_checkpoint(log: EventLog, tree: Any) -> dict[str, Any]:
    """The ledger's checkpoint now, signed with the writer's key: origin, size, root, note.
    Only of a ledger that verifies: the treasurer's signature on a forged event, or on a root
    the events do not give, would turn what `aid audit verify` catches into a proof a donor
    holds. The first signing on a machine reads every event (seconds at a million); the next
    ones only what came after (`commands/audit/remembered.py`)."""
    from commands.audit import remembered
    from ledger.trust import checkpoint, heads
    from ledger.trust.signing_key import SigningKey, key_path
    from projections.audit.public import check_history

    origin = heads.origin_of(log)
    own = SigningKey.load(key_path())
    root = tree.root()
    body = checkpoint.make(origin, tree.size, root)
    keys = heads.declared_keys(log)
    mine = heads.signer(keys, own)  # refused first when there is no live key to sign with
    history = check_history(log, since=remembered.recall(own, origin))
    if not history.sound:
        raise Refused("the ledger does not verify (first bad position {position}), so it was "
                      "not signed: a checkpoint or receipt signed now would vouch for what was "
                      "changed; run `aid audit verify`", position=history.first_bad())
    note = checkpoint.sign(body, mine.name, own.private)
    if history.reached is not None:
        remembered.keep(own, origin, history.reached)
    vkeys = [key.vkey() for key in heads.signers(note, keys)]
    return {"origin": origin, "size": tree.size, "root": root.hex(), "note": note,
            "vkeys": vkeys}  # who signed it: what a witness checks the signature with


def write_or_print(text: str, output: Path | None, told: str) -> None:
    if output is None:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    from commands.output.printing import writing

    with writing(output):
        output.write_text(text, encoding="utf-8")
    typer.echo(told)


def checkpoint_command(fmt: FormatChoice = NoteFormat.text, output: NoteOutput = None,
                       db: o.Db = None) -> None:
    """Print the ledger's signed checkpoint (its Merkle tree's size and root, signed with
    your key): publish it, give it to the district, print it on the statement."""
    with ledger_tree(db) as (log, tree):
        found = signed_checkpoint(log, tree)
    text = (json.dumps(found, ensure_ascii=False, indent=2) + "\n"
            if fmt is NoteFormat.json else found["note"])
    write_or_print(text, output, say("checkpoint of {size} events written to {path}",
                                     size=found["size"], path=output))


def held_root(tree: Any, note: Any, label: str, vouched: bool = True) -> None:
    """Refuse (exit 1) unless this ledger's tree at the checkpoint's size has its root; a
    checkpoint no live key of this ledger signed (`vouched` false) proves nothing, so one the
    ledger does not hold is refused as such (exit 2), never reported as a rewrite."""
    if not vouched and (note.size > tree.size or tree.root(note.size) != note.root):
        raise BadInput("this ledger does not hold the {label} checkpoint ({size} events, root "
                       "{root}), and no live key of this ledger signed it: anyone can write "
                       "such a note, so it proves nothing; give a checkpoint `aid audit "
                       "checkpoint` printed", label=label, size=note.size,
                       root=note.root.hex()[:16])
    if note.size > tree.size:
        raise Refused("the {label} checkpoint is of {size} events but this ledger holds only "
                      "{events}: it was cut short, or the checkpoint is of a later copy",
                      label=label, size=note.size, events=tree.size)
    if tree.root(note.size) != note.root:
        raise Refused("this ledger does not hold the {label} checkpoint ({size} events, root "
                      "{root}): its first {size} events have root {ours}; history before it "
                      "was changed", label=label, size=note.size, root=note.root.hex()[:16],
                      ours=tree.root(note.size).hex()[:16])


def consistency(old: Annotated[str, typer.Argument(
                    metavar="OLD", help="The older checkpoint: a file, or its text.")],
                new: Annotated[str, typer.Argument(
                    metavar="NEW", help="The newer checkpoint: a file, or its text.")],
                fmt: FormatChoice = NoteFormat.text, output: NoteOutput = None,
                db: o.Db = None) -> None:
    """Prove that the NEW checkpoint only adds events to the OLD one (RFC 9162 consistency
    proof): whoever holds OLD checks it without the ledger."""
    from ledger.trust import heads
    from ledger.trust.merkle import verify_consistency

    texts = {"OLD": note_text(old), "NEW": note_text(new)}
    first = heads.parse_note(texts["OLD"], N_("OLD"))
    second = heads.parse_note(texts["NEW"], N_("NEW"))
    if first.size > second.size:
        raise BadInput("OLD is of {first} events, NEW of {second}: give the older one first",
                       first=first.size, second=second.size)
    with ledger_tree(db) as (log, tree):
        origin = heads.origin_of(log)
        labels = {"OLD": Phrase(N_("OLD")), "NEW": Phrase(N_("NEW"))}  # said in the language
        for label, note in (("OLD", first), ("NEW", second)):
            if not heads.same_ledger(note.origin, origin):
                raise BadInput("the {label} checkpoint is of another ledger ({theirs}); this "
                               "one is {ours}", label=labels[label], theirs=note.origin,
                               ours=origin)
        declared = heads.declared_keys(log)
        for label, note in (("OLD", first), ("NEW", second)):
            held_root(tree, note, labels[label],
                      vouched=bool(_vouching(texts[label], note, declared)))
        proof = tree.consistency(first.size, second.size)
    if not verify_consistency(first.size, second.size, first.root, second.root, proof):
        raise Refused("the ledger's stored Merkle tree gives a proof that does not verify: "
                      "it is damaged; run `aid audit verify`")
    found = {"first_size": first.size, "second_size": second.size,
             "first_root": first.root.hex(), "second_root": second.root.hex(),
             "proof": [p.hex() for p in proof]}
    if fmt is NoteFormat.json:
        text = json.dumps(found, indent=2) + "\n"
    else:
        text = "".join([say("checkpoint of {first} events (root {a}) is a prefix of the "
                            "checkpoint of {second} events (root {b}); proof of {count} "
                            "hashes:", first=first.size, a=first.root.hex()[:16],
                            second=second.size, b=second.root.hex()[:16],
                            count=len(proof)) + "\n"] + [p.hex() + "\n" for p in proof])
    write_or_print(text, output, say("consistency proof written to {path}", path=output))


CheckpointOption = Annotated[Optional[list[str]], typer.Option(
    "--checkpoint", metavar="FILE|TEXT",
    help="A checkpoint held outside the ledger (its text or file, a donor's receipt, the "
         "statement's JSON or page): the ledger's first events must have its root "
         "(repeatable).",
    show_default=False)]


VkeyOption = Annotated[Optional[list[str]], typer.Option(
    "--vkey", metavar="NAME+ID+KEY",
    help="The ward's verifier key, held outside the ledger (the `vkeys` of `aid audit "
         "checkpoint --format json`, as the ward published it): a --checkpoint it signed is "
         "evidence even if this ledger no longer declares that key (repeatable).",
    show_default=False)]


def verifier_keys(values: list[str] | None) -> list[Any]:
    """The --vkey values, parsed, or one line saying which one is not a verifier key."""
    from ledger.trust import checkpoint

    keys = []
    for text in values or ():
        try:
            keys.append(checkpoint.parse_vkey(text))
        except ValueError as error:
            raise BadInput("--vkey {key} is not a verifier key: {error}", key=text[:60],
                           error=said(error)) from None
    return keys


def held_checkpoints(log: EventLog, values: list[str] | None,
                     given: Sequence[Any] = ()) -> list[tuple[bool, Any]]:
    """`aid audit verify --checkpoint`: each checkpoint checked against the events themselves
    (their own pass over the stored rows, in a snapshot of its own). `given`: the ward's
    verifier keys held outside the ledger (--vkey); a checkpoint one of them signed is evidence
    though this ledger does not declare it (a ledger cut back to before its declaration)."""
    from ledger.trust import heads
    from projections.audit.checkpoints import findings

    if not values:
        return []
    texts = [note_text(value) for value in values]
    notes = [heads.parse_note(text) for text in texts]
    origin = heads.origin_of(log)
    declared = heads.declared_keys(log)
    renamed: list[tuple[bool, Any]] = []
    ours, revoked, outside = [], [], []
    for text, note in zip(texts, notes):
        if heads.same_ledger(note.origin, origin):
            held = _signed_here(text, note, declared, given, log)
            ours.append(note)
            outside.append(held)
            vouchers = _vouching(text, note, declared)  # none live: see _after_revocation
            revoked.append(vouchers if all(key.revoked for key in vouchers) else [])
            continue
        # this ledger's identity is its first event: a checkpoint its own treasurer signed
        # under another identity means that event was rewritten (or the key signs elsewhere)
        signer = next(iter(_vouching(text, note, declared)), None)
        if signer is None:
            raise BadInput("that checkpoint is of another ledger ({theirs}); this one is "
                           "{ours}: pass this ledger's own checkpoint", theirs=note.origin,
                           ours=origin)
        renamed.append((False, Phrase(N_(
            "the checkpoint of {size} events signed by {name}, a key this ledger declares, "
            "names ledger {theirs}, and this one is {ours}: the ledger's first event (its "
            "identity) was rewritten, or that key signs another ledger too"),
            size=note.size, name=signer.name, theirs=note.origin, ours=origin)))
    if not ours:
        return renamed
    with log.snapshot():
        found = findings(log.stored(), ours)
    return renamed + [(ok, _by_outside_key(text, held) if held else
                       text if ok or not keys else _after_revocation(text, keys))
                      for (ok, text), keys, held in zip(found, revoked, outside)]


def _by_outside_key(finding: Any, keys: list[Any]) -> Phrase:
    """A checkpoint's finding, vouched for only by the ward's key given from outside (--vkey),
    which this ledger does not declare: said with the key, whatever the finding."""
    from ledger.trust.seal_bytes import key_id

    key = keys[0]
    return Phrase(N_("{finding} (signed by {name}, key id {id}: the ward's key you gave, which "
                     "this ledger does not declare)"), finding=finding, name=key.name,
                  id=key_id(key.public_key))


def _after_revocation(finding: Any, keys: list[Any]) -> Phrase:
    """A checkpoint the ledger does not hold, vouched for only by keys revoked since: a note
    carries no time, so one signed before the revocation and one forged afterwards by whoever
    holds the key look the same; the finding says both."""
    key = keys[0]
    return Phrase(N_("{finding}; but it is signed only by {name}, revoked at position "
                     "{position}: whoever holds that key now can write such a note, so either "
                     "the ledger was rewritten or the note is forged"), finding=finding,
                  name=key.name, position=key.revoked_at)


def _vouching(text: str, note: Any, declared: list[Any]) -> list[Any]:
    """The declared keys whose valid signature vouches for this checkpoint: a key counts only
    for a tree that holds its declaration and ends before its revocation (aid signs the
    ledger's current size with a live key; any other was signed by someone else)."""
    from ledger.trust import heads

    return [key for key in heads.signers(text, declared) if key.signs_for(note.size)]


def _signed_here(text: str, note: Any, declared: list[Any], given: Sequence[Any] = (),
                 log: EventLog | None = None) -> list[Any]:
    """A checkpoint is evidence about this ledger only with a valid signature by a key the
    ledger declares (`_vouching`), or by the ward's key given from outside (`given`, --vkey)
    that the ledger does not declare (returned: its history may have been cut back to before
    that key's declaration), and none by such a key that fails: anyone can write a note naming
    the ledger, with any size and root."""
    from ledger.trust import checkpoint

    for key in declared:  # signed-note: a known key's signature that fails rejects the note
        mine = checkpoint.key_hash(key.name, key.public)
        if any(s.name == key.name and s.key_hash == mine for s in note.signatures) and \
                not checkpoint.verify(text, key.name, key.public):
            raise BadInput("the checkpoint of {size} events carries a signature by {name}, a "
                           "key this ledger declares, that does not verify: it was altered",
                           size=note.size, name=key.name)
    for vkey in given:  # and so does one by the key the auditor holds
        if any(s.name == vkey.name and s.key_hash == vkey.key_hash for s in note.signatures) \
                and not checkpoint.verify_vkey(text, vkey):
            raise BadInput("the checkpoint of {size} events carries a signature by {name}, the "
                           "key you gave, that does not verify: it was altered",
                           size=note.size, name=vkey.name)
    if _vouching(text, note, declared):
        return []
    ours = {key.public for key in declared}  # the ledger's word on its own keys comes first
    outside = [vkey for vkey in given if vkey.public_key not in ours
               and checkpoint.verify_vkey(text, vkey)]
    if outside:
        return outside
    names = ", ".join(sorted({signature.name for signature in note.signatures}))
    ids = sorted({signature.name.rpartition(".")[2] for signature in note.signatures})
    known = {key.key for key in declared}
    if not note.signatures or log is None or not all(re.fullmatch(r"[0-9a-f]{16}", i)
                                                     for i in ids) or set(ids) <= known:
        raise BadInput("the checkpoint of {size} events is not validly signed by a live key "
                       "of this ledger (declared, and not revoked before it; it is signed as "
                       "{names}): it proves nothing about this ledger; if one of those is the "
                       "treasurer's key, run `aid audit verify --key KEY`: a ledger that no "
                       "longer declares it was stripped", size=note.size, names=names)
    events = log.count()  # signed by a key this ledger never declared: say what it would mean
    if note.size > events:
        raise BadInput("the checkpoint of {size} events is not validly signed by a live key "
                       "of this ledger (it is signed as {names}, key id {ids}, a key this "
                       "ledger does not declare), so by itself it proves nothing about this "
                       "ledger, which holds {events} events; but if {ids} is the ward's "
                       "published key, this ledger's history was cut short after event "
                       "{events}, that key's declaration with it: give the ward's verifier key "
                       "with --vkey NAME+ID+KEY (held outside the ledger) to have it checked",
                       size=note.size, names=names, ids=", ".join(ids), events=events)
    raise BadInput("the checkpoint of {size} events is not validly signed by a live key of this "
                   "ledger (it is signed as {names}, key id {ids}, a key this ledger does not "
                   "declare), so by itself it proves nothing about this ledger, which holds "
                   "{events} events; but if {ids} is the ward's published key, this ledger no "
                   "longer declares it: its history was rewritten or stripped of that key; give "
                   "the ward's verifier key with --vkey NAME+ID+KEY (held outside the ledger), "
                   "or its id with --key, to have it checked", size=note.size, names=names,
                   ids=", ".join(ids), events=events)


def report_checkpoints(held: list[tuple[bool, Any]], already_failed: bool) -> None:
    """Print each checkpoint's finding; exit 1 naming the first one the ledger does not hold."""
    from commands.language.words import message

    for _ok, text in held:
        typer.echo(message(text))
    failed = [text for ok, text in held if not ok]
    if failed and not already_failed:
        typer.echo(say("aid: the ledger does not hold a checkpoint taken earlier: {finding}",
                       finding=message(failed[0])), err=True)
        raise typer.Exit(1)


def statement_checkpoint(log: EventLog, checked: Any) -> str | None:
    """The checkpoint the printed statement shows: signed when the writer's key is a declared
    one and the statement's own read of every event (`checked`, its chain's verification)
    found nothing wrong; otherwise its unsigned text (what the tree says, not the treasurer's
    word). A statement whose figures come from an edited event never carries a signature,
    even when the signer's check, going on from its last signing, would not read that far
    back."""
    from ledger.errors import LedgerError
    from ledger.store.tree import LedgerTree, TreeMismatch
    from ledger.trust import checkpoint, heads

    try:
        tree = LedgerTree(log)
    except TreeMismatch:
        return None
    try:
        if not checked.problems:
            return signed_checkpoint(log, tree)["note"]
    except LedgerError:
        pass
    try:
        return checkpoint.make(heads.origin_of(log), tree.size, tree.root())
    finally:
        tree.close()
