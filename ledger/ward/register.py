"""The recipients register: importing the ward's approved list, tiers, exclusions, tier labels.

Changes to a household after it is declared (tier, exclusion, group, size) are ward events too,
so a round planned last week can be replayed exactly. None of these events holds a name: names
stay in the household's own declaration.

Deciding what an import changes needs the register as it stands (names, tiers, exclusions),
which the ward aggregate does not keep. `write_seen` reads that view and then writes only if
the ward has not moved since the view was read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ledger.errors import BadInput, LedgerError, Refused
from ledger.phrases import N_, Phrase
from ledger.values.inputs import (
    MAX_NOTE,
    MAX_PEOPLE,
    citizen_id,
    code,
    phone_number,
    text,
    whole,
)
from ledger.values.text import clean, words_of
from ledger.ward.aggregate import TIERS, Ward, stored_names

if TYPE_CHECKING:  # the application (ledger/service.py) imports this module
    from ledger.service import Ledger

COLUMNS = ("code", "name", "group", "size", "tier")
OPTIONAL = ("excluded", "phone", "id_number")
YES = {"1", "yes", "y", "true", "x", "có", "co", "đúng", "dung"}
NO = {"", "0", "no", "n", "false", "không", "khong", "sai"}
ATTEMPTS = 50


class RecipientTierChanged(Ward.Event):
    TOPIC = "ledger.register:RecipientTierChanged"

    on: str
    actor: str
    code: str
    tier: int
    reason: str


class RecipientExcluded(Ward.Event):
    """Another programme covers the household: rounds leave it out until it is included."""

    TOPIC = "ledger.register:RecipientExcluded"

    on: str
    actor: str
    code: str
    reason: str


class RecipientIncluded(Ward.Event):
    TOPIC = "ledger.register:RecipientIncluded"

    on: str
    actor: str
    code: str
    reason: str


class RecipientChanged(Ward.Event):
    """A household moved group or changed size (names never change: a code is one household)."""

    TOPIC = "ledger.register:RecipientChanged"

    on: str
    actor: str
    code: str
    group: str
    size: int
    reason: str


class TierLabelled(Ward.Event):
    TOPIC = "ledger.register:TierLabelled"

    on: str
    actor: str
    tier: int
    label: str


stored_names(RecipientTierChanged, RecipientExcluded, RecipientIncluded, RecipientChanged,
             TierLabelled)


class Stale(LedgerError):
    """The ward moved after a view was read; the caller reads it again."""


@dataclass(frozen=True)
class Row:
    """One household line of an import file."""

    line: int
    code: str
    name: str
    group: str
    size: int
    tier: int
    excluded: bool | None  # None: the file has no such column, so exclusions stay as they are
    phone: str | None = None
    id_number: str | None = None


def write_seen(ledger: Ledger, view: Callable[[], Any], change: Callable[[Ward, Any], Any]) -> Any:
    """Write a change decided from a read model, never from a stale one.

    The ward's version is taken before the view is read, and the change runs only if the
    ward still has that version when it is saved (the save itself is optimistic), so a
    concurrent writer makes us read again rather than act on what we saw.
    """
    for _ in range(ATTEMPTS):
        seen = ledger.ward().version
        data = view()

        def checked(ward: Ward, seen: int = seen, data: Any = data) -> Any:
            if ward.version != seen:
                raise Stale("the ledger changed while reading")
            return change(ward, data)

        try:
            return ledger.write(checked)
        except Stale:
            continue
    raise Refused("the ledger is busy with other writers; nothing was recorded, try again")


# ---- import ---------------------------------------------------------------------------------

def parse_rows(table: Iterable[tuple[int, dict[str, str]]], source: str,
               labels: dict[int, str] | None = None) -> list[Row]:
    """Check an import file's (line, {column: text}) rows (read by
    commands/recording/spreadsheets.py from .xlsx or CSV) into rows to record.

    All-or-nothing: every line is checked, and the first error (with how many more) is raised.
    """
    table = list(table)
    present = set(table[0][1]) if table else set(COLUMNS)
    missing = [c for c in COLUMNS if c not in present]
    if missing:
        raise BadInput("{source} line 1: missing column(s) {missing}; the header must be "
                       "code,name,group,size,tier[,excluded]",
                       source=source, missing=', '.join(missing))
    rows: list[Row] = []
    errors: list[tuple[int, LedgerError]] = []
    seen: dict[str, int] = {}
    says_excluded = "excluded" in present
    named = {words_of(label): tier for tier, label in (labels or {}).items()}
    for line, values in table:
        field = {key: values.get(key) or "" for key in (*COLUMNS, *OPTIONAL)}
        if not any(v.strip() for v in field.values()):
            continue
        try:
            row = _row(line, field, says_excluded, named)
        except BadInput as error:
            errors.append((line, error))
            continue
        if row.code in seen:
            errors.append((line, BadInput("code {code} is also on line {line}", code=row.code,
                                          line=seen[row.code])))
            continue
        seen[row.code] = line
        rows.append(row)
    if errors:
        _refuse_file(source, errors)
    if not rows:
        raise BadInput("{source} lists no households; nothing was imported", source=source)
    return rows


def _refuse_file(source: str, errors: list[tuple[int, LedgerError]]) -> None:
    """The first error, and on which lines the next few are, so one fix-up pass does it."""
    (line, error), others = errors[0], [str(n) for n, _ in errors[1:6]]
    if len(errors) > 6:
        others[-1] += "…"
    if len(others) == 1:
        raise BadInput("{source} line {line}: {error} (and one more, on line {other}); nothing "
                       "was imported: fix the file and import it again", source=source,
                       line=line, error=error, other=others[0])
    if others:
        raise BadInput("{source} line {line}: {error} (and {count} more, on lines {lines}); "
                       "nothing was imported: fix the file and import it again", source=source,
                       line=line, error=error, count=len(errors) - 1, lines=", ".join(others))
    raise BadInput("{source} line {line}: {error}; nothing was imported: fix the file and "
                   "import it again", source=source, line=line, error=error)


def _row(line: int, field: dict[str, str], says_excluded: bool = True,
         labels: dict[str, int] | None = None) -> Row:
    name = text(field["name"], N_("name"))
    given = re.sub(r"^\s*(?:mức|muc|tier)\s+", "", field["tier"] or "", flags=re.IGNORECASE)
    label = (labels or {}).get(words_of(given))  # "hộ nghèo", as the ward names it
    tier = label if label is not None else whole(given, N_("tier"), minimum=0)
    if tier not in TIERS:
        raise BadInput("tier must be 0, 1, 2 or 3 (0 most urgent), not {tier}", tier=tier)
    flag = clean(field.get("excluded", "")).lower()
    if flag not in YES | NO:
        raise BadInput("the column excluded must be empty, yes/1/x or no/0, not '{flag}'",
                       flag=flag)
    group = text(field["group"], N_("group")) if clean(field["group"] or "") else ""
    return Row(line, code(field["code"], N_("recipient code")), name, group,
               whole(field["size"] or "", N_("size"), maximum=MAX_PEOPLE), tier,
               flag in YES if says_excluded else None,
               phone_number(field["phone"] or None, N_("phone")),
               citizen_id(field["id_number"] or None, N_("ID number")))


def import_rows(ledger: Ledger, rows: list[Row], view: Callable[[], dict[str, dict[str, Any]]],
                source: str, on: str, actor: str, reason: str | None = None) -> list[int]:
    """Record what the file changes in one atomic write; [] when the register already matches.

    `view()` returns the register with names opened: code -> {name, group, size, tier,
    excluded, forgotten}. New households' details are sealed (their keys made in one write).
    `reason`: why each change is made, as the ledger keeps it ("import FILE" if not given; the
    command says it in the reader's language, as a treasurer would have typed it)."""
    reason = reason or f"import {source}"
    sealer, ward = ledger.details_sealer(), ledger.ward()
    sealer.check(ward.sealing_key_id())  # a wrong key file gets no keys either
    sealer.prepare([row.code for row in rows if row.code not in ward.recipients])

    def change(ward: Ward, register: dict[str, dict[str, Any]]) -> list[int]:
        entries: list[int] = []
        for row in rows:
            entries += _import_row(ward, row, register.get(row.code), reason, on, actor, sealer)
        if not entries:
            raise _Unchanged
        return entries

    try:
        return write_seen(ledger, view, change)
    except _Unchanged:
        return []


class _Unchanged(LedgerError):
    pass


def _import_row(ward: Ward, row: Row, known: dict[str, Any] | None, reason: str, on: str,
                actor: str, sealer: Any) -> list[int]:
    entries = []
    if known is None:
        entries.append(ward.declare_recipient(row.code, row.name, row.group, row.size, row.tier,
                                              row.phone, on, actor, sealer=sealer,
                                              id_number=row.id_number))
        known = {"name": row.name, "group": row.group, "size": row.size, "tier": row.tier,
                 "excluded": False}
    if known.get("forgotten"):
        raise Refused("{reason} line {line}: {code} was forgotten on request (entry {entry}); "
                      "take it off the file or give the household a new code; nothing was "
                      "imported", reason=reason, line=row.line, code=row.code,
                      entry=known["forgotten"])
    if known["name"] != row.name:
        raise Refused("{reason} line {line}: {code} is registered as '{name}', the file says "
                      "'{given}'; a code names one household for good: fix the file or give the "
                      "new household a new code; nothing was imported",
                      reason=reason, line=row.line, code=row.code, name=known['name'],
                      given=row.name)
    if (known["group"], known["size"]) != (row.group, row.size):
        entries.append(ward.emit(RecipientChanged, on=on, actor=actor, code=row.code,
                                 group=row.group, size=row.size, reason=reason))
    if known["tier"] != row.tier:
        entries.append(ward.emit(RecipientTierChanged, on=on, actor=actor, code=row.code,
                                 tier=row.tier, reason=reason))
    if row.excluded is not None and known["excluded"] != row.excluded:
        event = RecipientExcluded if row.excluded else RecipientIncluded
        entries.append(ward.emit(event, on=on, actor=actor, code=row.code, reason=reason))
    return entries


# ---- one household at a time ----------------------------------------------------------------

def set_tier(ledger: Ledger, recipient: str, tier: int, reason: str,
             view: Callable[[], dict[str, dict[str, Any]]], on: str, actor: str) -> int:
    """Move a household to another priority tier, with why."""
    recipient, reason = code(recipient, N_("recipient code")), _reason(reason)
    if tier not in TIERS:
        raise BadInput("tier must be 0, 1, 2 or 3 (0 most urgent), not {tier}", tier=tier)

    def change(ward: Ward, register: dict[str, dict[str, Any]]) -> int:
        ward.require(recipient, ward.recipients, N_("recipient"))
        if register[recipient]["tier"] == tier:
            raise Refused("{recipient} is already in tier {tier}; nothing to change",
                          recipient=recipient, tier=tier)
        return ward.emit(RecipientTierChanged, on=on, actor=clean(actor), code=recipient,
                         tier=tier, reason=reason)

    return write_seen(ledger, view, change)


def set_excluded(ledger: Ledger, recipient: str, excluded: bool, reason: str,
                 view: Callable[[], dict[str, dict[str, Any]]], on: str, actor: str) -> int:
    """Leave a household out of rounds (another programme covers it), or bring it back."""
    recipient, reason = code(recipient, N_("recipient code")), _reason(reason)

    def change(ward: Ward, register: dict[str, dict[str, Any]]) -> int:
        ward.require(recipient, ward.recipients, N_("recipient"))
        if register[recipient]["excluded"] == excluded:
            state = Phrase(N_("excluded") if excluded else N_("included"))
            raise Refused("{recipient} is already {state}; nothing to change",
                          recipient=recipient, state=state)
        event = RecipientExcluded if excluded else RecipientIncluded
        return ward.emit(event, on=on, actor=clean(actor), code=recipient, reason=reason)

    return write_seen(ledger, view, change)


def label_tier(ledger: Ledger, tier: int, label: str, on: str, actor: str) -> int:
    """Name a tier in the ward's own words (e.g. 'hộ nghèo, cận nghèo')."""
    if tier not in TIERS:
        raise BadInput("tier must be 0, 1, 2 or 3 (0 most urgent), not {tier}", tier=tier)
    if not clean(label or ""):
        raise BadInput("the tier label must not be empty")
    words = text(label, N_("the tier label"))
    return ledger.write(lambda ward: ward.emit(TierLabelled, on=on, actor=clean(actor),
                                               tier=tier, label=words))


def _reason(typed: str | None) -> str:
    if not clean(typed or ""):
        raise BadInput("--reason must say why (e.g. 'hộ cận nghèo theo danh sách 11/2021')")
    return text(typed, "--reason", limit=MAX_NOTE)
