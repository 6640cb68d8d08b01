"""The district's reports: each ward's own projections over its synced copy, then summed.

Nothing here has rules of its own: a ward's stock and cash are that ward's `Books`, its
hand-outs and donations the facts its statement counts (reversals left out, voucher pick-ups
counted as hand-outs), its households the `Register`, each folded at sync into the district's
read models (`WardModel`). The district adds them up, so its figures are by construction the
sum of what each ward's own `aid stock` and `aid cash` say.

Households are named by code only. Two wards' households are matched only by the keyed
pseudonym of an ID number (`id_pseudonym`, an HMAC the ward stores in clear when an ID number
is given), never by code (each ward numbers its own households) nor by name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any

from ledger.district.models import (
    Changes,
    DistrictModels,
    Fact,
    Stored,
    Tampered,
    checksum,
    copy_log,
    handouts_per_household,
)
from ledger.errors import Refused
from ledger.phrases import N_, Phrase
from ledger.store.decoding import dumps
from ledger.values.text import sort_key
from ledger.ward import names
from ledger.ward.cashbook import CATEGORIES
from projections.books import Books
from projections.events import WardEvent
from projections.households.register import Register

CASH_LINES = (*CATEGORIES, "balance")  # "fees": a ward's book has it once it records a fee


def stock_total(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The district's stock per item and unit (wards may count one item in different units)."""
    totals: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        total = totals.setdefault((row["item"], row["unit"]), {
            "item": row["item"], "name": row["name"], "quantity": 0, "unit": row["unit"],
            "reserved": 0, "free": 0, "wards": set()})
        for figure in ("quantity", "reserved", "free"):
            total[figure] += row[figure]
        total["wards"].add(row["ward"])
    return [{**total, "wards": len(total["wards"])} for _, total in sorted(totals.items())]


# ---- the district's own read models, folded at each sync (issue #27) -----------------------
#
# Per ward: its books (stock and cash by business date: `Books.state`) with the position they
# reach, its households' group and tier, the keyed pseudonyms of their ID numbers, and its
# hand-outs and donations (reversed entries removed). Folded by `aid sync` in the transaction
# that copies the rows, from the copied events themselves (never from the ward's stored read
# models); reports read them and fold only what is newer; `aid district rebuild` recomputes
# them from the copies. Memory holds one ward's models at a time, never a ward's events. The
# tables they are stored in are the district store's (`ledger/district/models.py`).


class WardModel:
    """One ward's district read models, in memory while they are folded."""

    def __init__(self, code: str, stored: Stored | None = None) -> None:
        stored = stored or Stored()
        self.code, self.position = code, stored.position
        self.books = Books(stored.books)
        self.books.state.setdefault("recipients", {})  # stored without them (`document`)
        self.register = Register()
        for household, (group, tier) in stored.households.items():
            self.register.households[household] = {
                "code": household, "name": None, "group": group, "size": 0, "tier": tier,
                "excluded": False}
        self.changed: set[str] = set()
        self.pseudonyms: dict[str, str] = {}
        self.facts: dict[int, Fact] = {}  # entry -> (kind, party, date)
        self.deleted: set[int] = set()

    def fold(self, rows: Iterable[tuple[int, Any, int, str, bytes]]) -> None:
        """Fold stored rows (a list, or a stream read once)."""
        from projections.events import ward_events

        def tracked() -> Iterator[tuple[int, Any, int, str, bytes]]:
            for row in rows:
                self.position = max(self.position, row[0])
                yield row

        for event in ward_events(tracked()):
            if not isinstance(event, str):
                self.see(event)

    def see(self, event: WardEvent) -> None:
        from projections.audit.statement import STANDARD
        from projections.books import KINDS
        from projections.events import is_fact

        name, data = event.name, event.data
        self.books.apply(name, data)
        if name in REGISTER_EVENTS and data.get("code") in self.register.households \
                or name == names.RECIPIENT_DECLARED:
            self.register.apply(name, data, event.entry)
            self.changed.add(data["code"])
        pseudonym = data.get("id_pseudonym")
        household = data.get("recipient") or data.get("code")
        if pseudonym and household:
            self.pseudonyms[household] = pseudonym
        kind = KINDS.get(name)
        if not kind or not is_fact(data):
            return
        if kind == "reverse":
            self.facts.pop(data.get("entry"), None)
            self.deleted.add(data.get("entry"))
            return
        if kind not in STANDARD and data.get("recipient"):
            kind = "give"
        if kind == "give":
            self.facts[event.entry] = ("give", data["recipient"], data["on"])
        elif kind == "donate":
            self.facts[event.entry] = ("donate", data.get("donor", ""), data["on"])

    def document(self) -> dict[str, Any]:
        """The books as the district stores them: without their register of households, which
        the households table holds (it was five sixths of each ward's document, read by
        every report)."""
        return {key: value for key, value in self.books.state.items() if key != "recipients"}

    def households(self) -> dict[str, tuple[str, int]]:
        return {code: (h["group"], h["tier"]) for code, h in self.register.households.items()}

    def changes(self) -> Changes:
        """What this fold changed since the last call, for the store to write."""
        homes = self.households()  # once: per code it was quadratic in the register
        document = self.document()
        found = Changes(self.position, dumps(document).decode(),
                        checksum(self.code, self.position, document),
                        {c: homes[c] for c in self.changed},
                        self.pseudonyms, self.facts, self.deleted)
        self.changed, self.pseudonyms, self.facts, self.deleted = set(), {}, {}, set()
        return found


REGISTER_EVENTS = {names.SEALED, names.FORGOTTEN, names.TIER_CHANGED, names.EXCLUDED,
                   names.INCLUDED, names.RECIPIENT_CHANGED}


class Folder:
    """`aid sync`'s fold (ledger/district/sync.py's `Fold`): the ward's models read once
    before the batches, each batch folded in memory while the one before is being written, and
    its changes written in the transaction that copies it (so the models always reach exactly
    what the copy holds; loading and parsing a ward's books for every batch of 5,000 events
    cost as much as folding them)."""

    def __init__(self) -> None:
        self.model: WardModel | None = None

    def start(self, connection: Any, code: str, prefix: str, fresh: bool = False) -> None:
        """The models as stored, after folding what a copy synced by an earlier release
        holds beyond them; none when `fresh` (the copy is new, or replaces another ledger's,
        whose models are forgotten with it)."""
        models = DistrictModels(connection)
        models.ensure()
        if fresh:
            self.model = WardModel(code)
            return
        catch_up(connection, code, prefix)
        self.model = WardModel(code, models.load(code))

    def fold(self, rows: list[tuple[int, Any, int, str, bytes]]) -> Changes:
        if self.model is None:
            raise RuntimeError("Folder.start comes first")
        self.model.fold(rows)
        return self.model.changes()

    def save(self, connection: Any, code: str, changes: Changes) -> None:
        DistrictModels(connection).save(code, changes)


def caught_up(connection: Any, code: str, prefix: str) -> WardModel:
    """The ward's stored models, with whatever the copy holds beyond them folded first (a copy
    synced before the district kept models; a sync always folds what it copies)."""
    return catch_up(connection, code, prefix) or WardModel(
        code, DistrictModels(connection).load(code, households=False))


def catch_up(connection: Any, code: str, prefix: str) -> WardModel | None:
    """Fold what the copy holds beyond the ward's stored models, if anything, and return the
    models then; None when they were up to date, found without loading them (reports that
    read only the SQL tables, coverage and duplicates, need not load every ward's books)."""
    models = DistrictModels(connection)
    models.ensure()
    head = models.copy_head(prefix)
    if models.position(code) >= head:
        return None
    with models.locked(prefix):
        model = WardModel(code, models.load(code))
        if model.position < head:
            model.fold(copy_log(connection, prefix).stored(model.position, head))
            models.save(code, model.changes())
    return model


def catch_up_all(connection: Any, wards: list[tuple[str, str, str]]) -> dict[str, str]:
    """Fold what any ward's copy holds beyond its stored models; returns {code: prefix}."""
    models = DistrictModels(connection)
    models.ensure()
    prefixes = {code: prefix for code, _name, prefix in wards}
    for code in models.behind(list(prefixes)):
        catch_up(connection, code, prefixes[code])
    return prefixes


def stored_models(connection: Any, wards: list[tuple[str, str, str]]) -> Iterator[WardModel]:
    """Every ward's stored books, in the order of `wards` ((code, name, table prefix)): the
    wards whose models do not reach their copy are caught up first (a copy synced before the
    district kept models), then all are read in one stream (flat memory)."""
    prefixes = catch_up_all(connection, wards)
    for code, position, books in DistrictModels(connection).books(list(prefixes)):
        yield WardModel(code, Stored(position, books))


def coverage_rows(connection: Any, codes: list[str], start: str | None,
                  end: str | None) -> list[dict[str, Any]]:
    """`coverage` from the stored models: per ward, group and tier, households registered and
    served (over the drive, or in the period)."""
    cells: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for ward, group, tier, households, got in DistrictModels(connection).coverage(
            codes, start, end):
        cells[ward].append({"ward": ward, "group": group, "tier": tier,
                            "households": households, "served": got})
    return [row for code in codes for row in sorted(
        cells[code], key=lambda row: (sort_key(row["group"]), row["tier"]))]


def duplicate_rows(connection: Any, codes: list[str], start: str | None,
                   end: str | None) -> Iterator[dict[str, Any]]:
    """`duplicates` from the stored models, streamed: households served by two or more wards
    in the period with the same keyed pseudonym of their ID number. Never by household code:
    P1's TT01 and P3's TT01 are two households (issue #24)."""
    for key, wards, households, first, last in DistrictModels(connection).duplicates(
            codes, start, end):
        yield {"match": "id", "key": key, "wards": ", ".join(sorted(wards)),
               "households": ", ".join(sorted(households)), "first": first, "last": last}


def statement_line(model: WardModel, counts: tuple[int, int, int], name: str,
                   start: str | None, end: str | None) -> dict[str, Any]:
    """`statement_row` from the stored models."""
    books = model.books
    after = books.cash(end)
    before = (books.cash((date.fromisoformat(start) - timedelta(days=1)).isoformat())
              if start else dict.fromkeys(CASH_LINES, 0))
    donations, handouts, households = counts
    return {"ward": model.code, "name": name, "donations": donations, "handouts": handouts,
            "households": households,
            **{line: after[line] - before.get(line, 0) for line in CATEGORIES
               if line in after},  # "fees" only once the ward recorded a fee
            "balance": after["balance"]}


def rebuild(connection: Any, code: str, prefix: str) -> list[Phrase]:
    """Recompute the ward's models from its copy, replace the stored ones, and return what
    differed (empty: the stored models were right)."""
    models = DistrictModels(connection)
    models.ensure()
    differences = []
    with models.locked(prefix):
        log = copy_log(connection, prefix)
        _refuse_a_broken_copy(log, code)
        fresh = WardModel(code)
        fresh.fold(log.stored())
        try:
            stored = WardModel(code, models.load(code))
        except Tampered:  # the books were edited: compare the rest with what they say
            stored = WardModel(code, Stored(fresh.position, fresh.document(),
                                            models.load(code, households=True, checked=False
                                                        ).households))
            differences.append(Phrase(N_("books (stock and cash), which no longer match their "
                                         "checksum")))
        if stored.position != fresh.position:
            differences.append(Phrase(N_("position {stored}, where the copy reaches {fresh}"),
                                      stored=stored.position, fresh=fresh.position))
        if stored.document() != fresh.document():
            differences.append(Phrase(N_("books (stock and cash)")))
        if stored.households() != fresh.households():
            differences.append(Phrase(N_("households (group and tier)")))
        if models.served(code) != handouts_per_household(fresh.facts):
            differences.append(Phrase(N_("hand-outs per household")))
        if models.pseudonyms(code) != fresh.pseudonyms:
            differences.append(Phrase(N_("ID pseudonyms")))
        if models.facts(code) != fresh.facts:
            differences.append(Phrase(N_("hand-outs and donations")))
        models.forget(code)
        fresh.changed = set(fresh.register.households)
        models.save(code, fresh.changes())
    return differences


def _refuse_a_broken_copy(log: Any, code: str) -> None:
    """Models are rebuilt only from a copy whose chain holds (checked by the server, as the
    district statement checks it): folded from an event edited in the district's database,
    they would store its figures as the ward's, and every report would print them."""
    from projections.audit.tamper import verify

    head = log.head()
    if not head or log.chain_holds(head):
        return
    checked = verify(log.encoded(upto=head), log.links(upto=head))
    raise Refused("ward {code}: the district's copy has a broken chain at position {position} "
                  "(edited in the district's database?), so its read models were not rebuilt "
                  "from it; restore the district's database from a backup", code=code,
                  position=checked.first_bad())


def mapped_total(rows: list[dict[str, Any]], mapping: dict[tuple[str, str], str]
                 ) -> tuple[list[dict[str, Any]], list[str]]:
    """`stock_total` with each ward's item code read through the district's catalogue (the
    same goods add up across wards), and the ward:item codes the catalogue does not map,
    when it maps anything (codes equal to a district item count as mapped)."""
    targets = set(mapping.values())
    unmapped = sorted({f"{row['ward']}:{row['item']}" for row in rows
                       if mapping and (row["ward"], row["item"]) not in mapping
                       and row["item"] not in targets})
    renamed = [{**row, "item": mapping.get((row["ward"], row["item"]), row["item"])}
               for row in rows]
    own = {row["item"]: row["name"] for row in rows  # a ward's name for the district's code
           if row["item"] in targets and (row["ward"], row["item"]) not in mapping}
    return [{**total, "name": own.get(total["item"], total["name"])}
            for total in stock_total(renamed)], unmapped
