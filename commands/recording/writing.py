"""Running one write against the ledger, then bringing the stored read models up to date."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from commands.cli.options import address
from commands.language.words import current, day, entry_span, say
from ledger.store.access import Address, open_ledger, open_log, writer_log

if TYPE_CHECKING:  # the event store loads only when a command writes
    from ledger.service import Ledger


def record(db: Path | None, write: Callable[[Ledger], Any], *, create: bool = False) -> Any:
    """Open the ledger, make one write, print "recorded entry N" (N is the id to reverse)."""
    where = address(db)
    ledger = open_ledger(where, create=create)
    try:
        entry = write(ledger)
        refresh(where, lag=LAG, ledger=ledger)
        said = recorded(where, entry, ledger)  # on the writer's connection
    finally:
        ledger.close()
    typer.echo(said)
    return entry


def recorded(where: Address, entry: int | list[int], ledger: Ledger | None = None) -> str:
    """One line: what was recorded and on which date, ending with the entry id (the last word,
    for scripts): "donation: from MEKONG, receipt PT-0001 (KHO RICE +500), on 12 Nov 2021 —
    recorded entry 16"; just "recorded entry 16" if the entry cannot be read back. Read back
    through the `ledger` that wrote it when given (PostgreSQL: no second connection)."""
    entries = entry if isinstance(entry, list) else [entry]
    done = (say("recorded entry {entry}", entry=entries[0]) if len(entries) == 1
            else say("recorded {span}", span=entry_span(entries)))
    try:
        lines = _read_back(where, entries, ledger)
    except Exception:  # noqa: BLE001 - the entry is recorded; its summary is a courtesy
        lines = []
    if not lines:
        return done
    if len({line["on"] for line in lines}) > 1:  # entries of several days: each says its own
        what = "; ".join(say("{what}, on {day}", what=_summary(line),
                             day=day(line["on"], current())) for line in lines)
        return say("{what} — {done}", what=what, done=done)
    what = "; ".join(_summary(line) for line in lines)
    return say("{what}, on {day} — {done}", what=what, day=day(lines[0]["on"], current()),
               done=done)


def dated(what: str, on: str) -> str:
    """A write that is not an entry of the ward's history (a signing key declared or revoked:
    the keyring's, which `aid history` does not list and `aid reverse` cannot undo) in the
    one line of `recorded`, without an entry id: "declared key … for Chị Lan, on 07/12/2026"."""
    return say("{what}, on {day}", what=what, day=day(on, current()))


def _summary(line: dict[str, Any]) -> str:
    from projections.history import effect, kind_word

    moved = effect(line)
    text = say("{kind}: {detail}", kind=kind_word(line["kind"], line["detail"]),
               detail=line["detail"])
    return say("{text} ({moved})", text=text, moved=moved) if moved else text


def _read_back(where: Address, entries: list[int], ledger: Ledger | None = None
               ) -> list[dict[str, Any]]:
    """The history lines of the entries just written (among the last stored events)."""
    from projections.history import entry as history_entry

    wanted = set(entries)
    with (writer_log(ledger, where) if ledger is not None else closing(open_log(where))) as log:
        head = log.head()
        found = {}
        for record in log.read(after=max(0, head - 50 - 5 * len(wanted)), ward_only=True):
            if record.version in wanted:
                line = history_entry(record)
                if line is not None:
                    found[record.version] = line
    return [found[number] for number in entries if number in found]


def announce(db: Path | None, entry: int | list[int]) -> None:
    """Print the one line of `recorded` for a write made outside `record`."""
    typer.echo(recorded(address(db), entry))


LAG = 100  # events readers may fold in memory before a writer stores the models again


def refresh(where: Address, lag: int = 0, ledger: Ledger | None = None) -> None:
    """Fold new events into the stored read models once they lag `lag` events or more behind
    (readers fold the rest in memory, so a single write stays cheap). A crash here loses
    nothing: the next refresh, or `aid rebuild`, catches up from the last stored position.
    Given the `ledger` just written, reuse its connection (PostgreSQL: one per command)."""
    from projections.store import ReadModels  # loaded by the commands that write

    with (writer_log(ledger, where) if ledger is not None
          else closing(open_log(where, writable=True))) as log:
        models = ReadModels(log)
        behind = models.behind()
        if behind is None or behind > lag:
            models.refresh()
