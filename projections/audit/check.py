"""`aid audit check`: every ledger rule, re-checked over the whole stored history.

The write side refuses bad facts; this replays what is actually stored (an auditor trusts the
file, not the program that wrote it) and lists every failure, like `hledger check`: entries
missing or out of order, no actor, bad dates, unknown codes, movements that do not balance or
do not match their kind, reversals of reversals and double reversals, counts that differ from
the books without a variance reason, and stock or cash that is negative on some date.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from ledger.phrases import C_, N_, Phrase, english
from ledger.ward import daybook, lots
from ledger.ward.cashbook import CATEGORIES, fund_change
from ledger.ward.names import WARD_ID
from projections.books import KINDS, Books
from projections.events import Lookup, WardEvent, is_fact

WARD = WARD_ID.hex
DECLARATIONS = {"item": "items", "location": "locations", "donor": "donors",
                "recipient": "recipients", "bundle": "bundles"}
DECLARED_AGAIN = {  # kind -> the finding, one whole sentence per kind for the translators
    "item": N_("entry {entry} declares item {code} again"),
    "location": N_("entry {entry} declares location {code} again"),
    "donor": N_("entry {entry} declares donor {code} again"),
    "recipient": N_("entry {entry} declares recipient {code} again"),
    "bundle": N_("entry {entry} declares bundle {code} again"),
}
# The rule a finding breaks: a code in JSON and CSV ("balance"), a word for people in the
# reader's language in the table and the workbook (a phrase: its str is the code)
RULES = {english(text): Phrase(text) for text in (
    C_("audit rule", "readable"), C_("audit rule", "actor"), C_("audit rule", "date"),
    C_("audit rule", "kind"), C_("audit rule", "entries"), C_("audit rule", "declaration"),
    C_("audit rule", "balance"), C_("audit rule", "code"), C_("audit rule", "receipt"),
    C_("audit rule", "reason"), C_("audit rule", "count"), C_("audit rule", "reversal"),
    C_("audit rule", "negative"), C_("audit rule", "read model"))}
UNDECLARED = {  # what an entry names -> the finding when it was never declared
    "item": N_("entry {entry} names item {code}, never declared before it"),
    "location": N_("entry {entry} names location {code}, never declared before it"),
    "donor": N_("entry {entry} names donor {code}, never declared before it"),
    "recipient": N_("entry {entry} names recipient {code}, never declared before it"),
}


class Checker:
    """Replays the ward's events in order against the books as they stood, noting failures."""

    def __init__(self, lookup: Lookup | None = None) -> None:
        """`lookup(entry)` reads an earlier entry's fields again from the store when a reversal
        needs its original; without it every fact is kept in memory for that."""
        self.books = Books()
        self.failures: list[dict[str, Any]] = []
        self.lookup = lookup
        self.facts: dict[int, tuple[str, dict[str, Any]]] = {}  # entry -> (kind, data)
        self.fact_kinds = bytearray()  # with a lookup: entry -> 1 a fact, 2 a reversal, 0 not
        self.reversed_by = FirstSeen(int)  # reversed entry -> the first reversal of it
        self.receipts = FirstSeen(str)  # receipt number -> the first donation with it
        self.next_entry = 1
        self.entries = 0
        # counts as recorded: (event, location, item, what the books held the day before)
        self.counts: list[tuple[WardEvent, str, str, int]] = []
        self.count_entries: set[int] = set()
        self.reversed_counts: set[Any] = set()  # a count reversed no longer stands

    def fail(self, event: WardEvent | None, rule: str, problem: Phrase) -> None:
        self.failures.append({
            "entry": event.entry if event else None,
            "position": event.position if event else None,
            "on": event.data.get("on") if event else None,
            "rule": RULES[rule], "problem": problem})

    def run(self, events: Iterable[WardEvent | str]) -> list[dict[str, Any]]:
        try:
            for event in events:
                if isinstance(event, str):
                    self.fail(None, "readable", event)
                    continue
                self.entries += 1
                self.visit(event)
        finally:
            self.receipts.close()
            self.reversed_by.close()
        self.negative_balances()
        self.counts_still_hold()
        return self.failures

    def visit(self, event: WardEvent) -> None:
        self._order(event)
        data, kind = event.data, KINDS.get(event.name)
        if not str(data.get("actor") or "").strip():
            self.fail(event, "actor", Phrase(N_("entry {entry} does not say who recorded it"),
                                             entry=event.entry))
        if not _is_date(data.get("on")):
            self.fail(event, "date", Phrase(N_("entry {entry} has no valid business date ({on})"),
                                            entry=event.entry, on=repr(data.get("on"))))
            return
        if is_fact(data):
            if kind is None:
                self.fail(event, "kind", Phrase(N_("entry {entry} is a fact of unknown kind "
                                                   "{kind}: stock and cash reports ignore it"),
                                                entry=event.entry, kind=event.name))
                return
            if not self._shape(event):
                return
            self.fact(event, kind)
            self._remember(event.entry, kind, data)
        elif kind in DECLARATIONS:
            self.declaration(event, kind)
        try:
            self.books.apply(event.name, data)
        except (KeyError, TypeError, ValueError) as error:
            self.fail(event, "readable", Phrase(N_("entry {entry} lacks a field its kind needs "
                                                   "({error})"),
                                                entry=event.entry, error=str(error)))

    def _order(self, event: WardEvent) -> None:
        if event.entry > self.next_entry:
            missing = range(self.next_entry, event.entry)
            told = (N_("entries {missing} missing before entry {entry} (deleted?)")
                    if len(missing) > 1 else
                    N_("entry {missing} missing before entry {entry} (deleted?)"))
            self.fail(event, "entries", Phrase(told, missing=_span(missing), entry=event.entry))
        elif event.entry < self.next_entry:
            self.fail(event, "entries", Phrase(N_("entry {entry} is stored out of order, after "
                                                  "entry {previous}"),
                                               entry=event.entry, previous=self.next_entry - 1))
        self.next_entry = max(self.next_entry, event.entry + 1)

    def declaration(self, event: WardEvent, kind: str) -> None:
        code = event.data.get("code")
        known = self.books.state[DECLARATIONS[kind]]
        goods = {**self.books.state["items"], **self.books.state["bundles"]}
        if code in known or (kind in ("item", "bundle") and code in goods):
            self.fail(event, "declaration", Phrase(DECLARED_AGAIN[kind], entry=event.entry,
                                                   code=code))
        if kind == "bundle":
            for item in event.data.get("recipe", {}):
                self._known(event, item, self.books.state["items"], "item")

    # ---- facts ------------------------------------------------------------------------------

    def _shape(self, event: WardEvent) -> bool:
        moves, cash = event.data["moves"], event.data["cash"]
        good = isinstance(moves, list) and all(
            isinstance(m, list) and len(m) == 3 and isinstance(m[0], str)
            and isinstance(m[1], str) and _whole(m[2]) for m in moves)
        good = good and isinstance(cash, dict) and all(
            k in CATEGORIES and _whole(v) for k, v in cash.items())
        if not good:
            self.fail(event, "balance", Phrase(N_("entry {entry} has malformed moves or cash: "
                                                  "{moves} {cash}"),
                                               entry=event.entry, moves=repr(moves),
                                               cash=repr(cash)))
        return good

    def fact(self, event: WardEvent, kind: str) -> None:
        data, s = event.data, self.books.state
        for location, item, _ in data["moves"]:
            self._known(event, location, s["locations"], "location")
            self._known(event, item, {**s["items"], **s["bundles"]}, "item")
        check = getattr(self, f"_{kind}", None)
        if check is not None:
            check(event, data)

    def _known(self, event: WardEvent, code: Any, known: dict[str, Any], what: str) -> bool:
        if code in known:
            return True
        self.fail(event, "code", Phrase(UNDECLARED[what], entry=event.entry, code=repr(code)))
        return False

    def _expect(self, event: WardEvent, moves: list[list[Any]], cash: dict[str, int],
                what: Phrase) -> None:
        """The entry's moves and cash must be exactly what its kind and details imply."""
        differences = _differences(_net(moves), _net(event.data["moves"]), " ".join)
        differences += _differences(_cash(cash), _cash(event.data["cash"]), _cash_account)
        if differences:
            self.fail(event, "balance", Phrase(N_("entry {entry} does not balance as {what}: "
                                                  "{differences}"),
                                               entry=event.entry, what=what,
                                               differences=Phrase.join("; ", differences)))

    def _inflow(self, event: WardEvent, data: dict[str, Any], category: str,
                what: Phrase) -> None:
        goods = [m for m in data["moves"] if m[0] == data.get("location") and m[2] > 0]
        self._expect(event, goods, {category: max(data["cash"].get(category, 0), 0)}, what)

    def _donate(self, event: WardEvent, data: dict[str, Any]) -> None:
        self._known(event, data.get("donor"), self.books.state["donors"], "donor")
        self._inflow(event, data, "received", Phrase(N_("a donation into {location}"),
                                                     location=str(data.get("location"))))
        receipt = data.get("receipt")
        if receipt:
            first = self.receipts.claim(receipt, event.entry)
            if first is not None:
                self.fail(event, "receipt", Phrase(N_("entry {entry} uses receipt {receipt}, "
                                                      "already used by entry {first}"),
                                                   entry=event.entry, receipt=receipt,
                                                   first=first))

    def _buy(self, event: WardEvent, data: dict[str, Any]) -> None:
        self._inflow(event, data, "spent", Phrase(N_("a purchase into {location}"),
                                                  location=str(data.get("location"))))

    def _fee(self, event: WardEvent, data: dict[str, Any]) -> None:
        """A bank fee moves no goods and only the fund's `fees`, out of it."""
        self._expect(event, [], {"fees": max(data["cash"].get("fees", 0), 0)},
                     Phrase(N_("a bank fee paid from {account}"),
                            account=str(data.get("account"))))

    def _pack(self, event: WardEvent, data: dict[str, Any], sign: int = 1) -> None:
        bundle = self.books.state["bundles"].get(data.get("bundle"))
        count, location = data.get("count"), data.get("location")
        if bundle is None or not _whole(count) or count <= 0:
            self.fail(event, "balance", Phrase(N_("entry {entry} packs {count} of unknown or "
                                                  "undeclared bundle {bundle}"),
                                               entry=event.entry, count=repr(count),
                                               bundle=repr(data.get("bundle"))))
            return
        moves = [[location, item, -sign * qty * count] for item, qty in bundle["recipe"].items()]
        moves.append([location, data["bundle"], sign * count])
        what = N_("packing {count} × {bundle}") if sign > 0 else N_("unpacking {count} × {bundle}")
        self._expect(event, moves, {"packed": sign * bundle["cash"] * count},
                     Phrase(what, count=count, bundle=data["bundle"]))

    def _unpack(self, event: WardEvent, data: dict[str, Any]) -> None:
        self._pack(event, data, sign=-1)

    def _give(self, event: WardEvent, data: dict[str, Any]) -> None:
        self._known(event, data.get("recipient"), self.books.state["recipients"], "recipient")
        bundles = self.books.state["bundles"]
        moves = [m for m in data["moves"] if m[0] == data.get("location") and m[2] < 0]
        bundle_cash = sum(-m[2] * bundles[m[1]]["cash"] for m in moves if m[1] in bundles)
        direct = data["cash"].get("given", 0) - bundle_cash
        self._expect(event, moves, {"given": max(direct, 0) + bundle_cash,
                                    "packed": -bundle_cash},
                     Phrase(N_("a hand-out from {location}"), location=data.get("location")))

    def _transfer(self, event: WardEvent, data: dict[str, Any]) -> None:
        source, target = data.get("source"), data.get("target")
        out = [m for m in data["moves"] if m[0] == source and m[2] < 0 and source != target]
        self._expect(event, out + [[target, item, -qty] for _, item, qty in out], {},
                     Phrase(N_("a transfer {source} → {target}"), source=source, target=target))

    def _adjust(self, event: WardEvent, data: dict[str, Any]) -> None:
        if not str(data.get("reason") or "").strip():
            self.fail(event, "reason", Phrase(N_("entry {entry} adjusts stock without a reason"),
                                              entry=event.entry))
        moves = [m for m in data["moves"]
                 if m[0] == data.get("location") and m[1] in self.books.state["items"]]
        self._expect(event, moves, {}, Phrase(N_("an adjustment at {location}"),
                                              location=data.get("location")))

    def _count(self, event: WardEvent, data: dict[str, Any]) -> None:
        location, on = data.get("location"), data["on"]
        counted = data.get("counted") or {}
        implied = []
        self.count_entries.add(event.entry)
        for item, qty in counted.items():
            self.counts.append((event, location, item,
                                self.books.quantity(location, item, _day_before(on))))
            difference = qty - self.books.quantity(location, item, on)
            if difference:
                implied.append([location, item, difference])
                if not str(data.get("variance_reason") or "").strip():
                    self.fail(event, "count", Phrase(
                        N_("entry {entry} counts {counted} {item} at {location} on {on}, the "
                           "books then said {books}, and no variance reason is given"),
                        entry=event.entry, counted=qty, item=item, location=location, on=on,
                        books=qty - difference))
        self._expect(event, implied, {}, Phrase(N_("the count at {location}"), location=location))

    def counts_still_hold(self) -> None:
        """A count says what was there. An entry dated before its day but recorded after it
        changes what the books say was there, and the count (and its variance) no longer
        match them: found by what the books held the day before, then and now."""
        for event, location, item, then in self.counts:
            now = self.books.quantity(location, item, _day_before(event.data["on"]))
            if now != then and event.entry not in self.reversed_counts:
                self.fail(event, "count", Phrase(
                    N_("entry {entry} counted {item} at {location} on {on}; entries dated "
                       "before that day and recorded after the count changed what the books "
                       "held by {change:+,}: recount, or reverse those entries"),
                    entry=event.entry, item=item, location=location, on=event.data["on"],
                    change=now - then))

    def _remember(self, entry: int, kind: str, data: dict[str, Any]) -> None:
        """Note an entry as a fact a reversal may name: one byte each when facts can be read
        again (memory stays flat over a million entries), else the whole fact."""
        if self.lookup is None:
            self.facts[entry] = (kind, data)
            return
        if entry >= len(self.fact_kinds):
            self.fact_kinds.extend(bytes(entry + 1 - len(self.fact_kinds)))
        self.fact_kinds[entry] = 2 if kind == "reverse" else 1

    def _original(self, target: Any) -> tuple[str, dict[str, Any]] | None:
        """The earlier fact `target` names, or None if it is not one."""
        if self.lookup is None:
            return self.facts.get(target)
        if type(target) is not int or not 0 < target < len(self.fact_kinds) \
                or not self.fact_kinds[target]:
            return None
        found = self.lookup(target)
        if found is None:
            return None
        return ("reverse" if self.fact_kinds[target] == 2 else "fact"), found[1]

    def _reverse(self, event: WardEvent, data: dict[str, Any]) -> None:
        target = data.get("entry")
        if type(target) is int and target in self.count_entries:
            self.reversed_counts.add(target)
        original = self._original(target)
        if original is None:
            self.fail(event, "reversal", Phrase(N_("entry {entry} reverses entry {target}, which "
                                                   "is not an earlier fact"),
                                                entry=event.entry, target=target))
            return
        kind, before = original
        if kind == "reverse":
            self.fail(event, "reversal", Phrase(N_("entry {entry} reverses entry {target}, "
                                                   "itself a reversal"),
                                                entry=event.entry, target=target))
        first = self.reversed_by.claim(int(target), event.entry)  # an int equal to target
        if first is not None:
            self.fail(event, "reversal", Phrase(N_("entry {entry} reverses entry {target} again "
                                                   "(already reversed by entry {first})"),
                                                entry=event.entry, target=target, first=first))
        if data["on"] != before["on"]:
            self.fail(event, "reversal", Phrase(N_("entry {entry} reverses entry {target} dated "
                                                   "{original} but is dated {on}"),
                                                entry=event.entry, target=target,
                                                original=before["on"], on=data["on"]))
        self._expect(event, [[loc, item, -q] for loc, item, q in before["moves"]],
                     {k: -v for k, v in before["cash"].items()},
                     Phrase(N_("reversing entry {target}"), target=target))

    # ---- balances over time -----------------------------------------------------------------

    def negative_balances(self) -> None:
        """Stock per bin and the fund must not be negative at the end of any day."""
        for location, items in sorted(self.books.state["bins"].items()):
            for item, book in sorted(items.items()):
                self._never_negative(book, Phrase(N_("{item} at {location}"), item=item,
                                                  location=location))
                self._planned_never_negative(location, item, book)
        cash = self.books.state["cash"]
        fund: dict[str, int] = defaultdict(int)
        for category in CATEGORIES:
            for day, delta in cash.get(category, {}).items():  # "fees" once a fee is recorded
                fund[day] += fund_change({category: delta})
        self._never_negative(dict(fund), Phrase(N_("the ward fund (đồng)")))

    def _planned_never_negative(self, location: str, item: str, book: daybook.DayBook) -> None:
        """Each lot, the undated rest, and free stock (on hand less reserved) are never
        negative either: the same rules the ward enforces with the same day books."""
        state = self.books.state
        dated = state["lots"].get(location, {}).get(item, {})
        for expires, lot in sorted(dated.items()):
            self._never_negative(lot, Phrase(N_("{item} at {location}, lot {lot}"), item=item,
                                             location=location, lot=expires))
        if dated:  # without dated lots the undated lot is the bin, checked already
            self._never_negative(lots.undated(book, dated), Phrase(
                N_("undated {item} at {location}"), item=item, location=location))
        held = state["reserved"].get(location, {}).get(item, {})
        free = book
        for reserved in held.values():
            self._never_negative(reserved, Phrase(N_("{item} reserved at {location}"),
                                                  item=item, location=location))
            free = daybook.difference(free, reserved)
        if held:
            self._never_negative(free, Phrase(N_("free {item} at {location}"), item=item,
                                              location=location))

    def _never_negative(self, book: daybook.DayBook, what: Phrase) -> None:
        running, first, lowest = 0, None, 0
        for day in sorted(book):
            running += book[day]
            if running < 0 and first is None:
                first = day
            lowest = min(lowest, running)
        if first is not None:
            self.failures.append({"entry": None, "position": None, "on": first,
                                  "rule": RULES["negative"],
                                  "problem": Phrase(N_("{what} is negative from {day} (lowest "
                                                       "{lowest:,})"),
                                                    what=what, day=first, lowest=lowest)})


class FirstSeen:
    """Which entry first used each key (a receipt number, a reversed entry), for "already used
    by entry N" findings. The newest keys are held in a dict and moved, a batch at a time, to a
    private temporary SQLite file (as projections/dated.py sorts facts), so a million receipts
    do not grow memory; a fixed bitmap of their hashes spares the file a question about most
    keys never seen. Only keys of type `kind` (ints within SQLite's 64 bits) go to disk: any
    other value, which only a forged ledger holds, stays in memory and is compared as Python
    compares it, as before."""

    BATCH = 5000
    BITS = 1 << 23  # the bitmap: 1 MB, about 3% false alarms at 250,000 keys on disk

    def __init__(self, kind: type) -> None:
        self.kind = kind
        self.recent: dict[Any, int] = {}
        self.odd: dict[Any, int] = {}
        self.db: sqlite3.Connection | None = None
        self.stored = bytearray()  # bit hash(key) % BITS set: the key may be in the file

    def claim(self, key: Any, entry: int) -> int | None:
        """The entry that used `key` first, or None: then `entry` is that first one."""
        if not self._on_disk(key):
            first = self.odd.get(key)
            self.odd.setdefault(key, entry)
            return first
        first = self.recent.get(key)
        if first is None and self.db is not None:
            first = self._stored(key)
        if first is None:
            self.recent[key] = entry
            if len(self.recent) >= self.BATCH:
                self._spill()
        return first

    def _on_disk(self, key: Any) -> bool:
        if type(key) is not self.kind:
            return False
        if self.kind is int:
            return bool(-2**63 <= key < 2**63)
        return key.isascii() or _utf8(key)

    def _stored(self, key: Any) -> int | None:
        bit = hash(key) % self.BITS
        if not self.stored[bit >> 3] & (1 << (bit & 7)):
            return None
        assert self.db is not None
        row = self.db.execute("SELECT entry FROM seen WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _spill(self) -> None:
        if self.db is None:
            self.db = sqlite3.connect("")  # "": a temporary database on disk, not in memory
            self.db.execute("CREATE TABLE seen (key PRIMARY KEY, entry INTEGER) WITHOUT ROWID")
            self.stored = bytearray(self.BITS // 8)
        for key in self.recent:
            bit = hash(key) % self.BITS
            self.stored[bit >> 3] |= 1 << (bit & 7)
        self.db.executemany("INSERT INTO seen VALUES (?, ?)", self.recent.items())
        self.recent.clear()

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
            self.stored = bytearray()


def _utf8(text: str) -> bool:
    """Whether SQLite can store `text` (a lone surrogate, which JSON allows, it cannot)."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def check(events: Iterable[WardEvent | str],
          lookup: Lookup | None = None) -> tuple[int, list[dict[str, Any]]]:
    """(entries checked, failures) over the ward's whole history (see `Checker` for `lookup`)."""
    checker = Checker(lookup)
    failures = checker.run(events)
    return checker.entries, failures


def _day_before(on: str) -> str:
    return date.fromordinal(date.fromisoformat(on).toordinal() - 1).isoformat()


def _is_date(value: Any) -> bool:
    try:
        return isinstance(value, str) and date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _net(moves: list[list[Any]]) -> dict[tuple[str, str], int]:
    net: Counter[tuple[str, str]] = Counter()
    for location, item, delta in moves:
        net[(location, item)] += delta
    return {key: value for key, value in net.items() if value}


def _cash(cash: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in sorted(cash.items()) if v}


def _differences(implied: dict[Any, int], recorded: dict[Any, int],
                 label: Any) -> list[Phrase]:
    return [Phrase(N_("{account} records {recorded:+,}, should be {implied:+,}"),
                   account=label(key), recorded=recorded.get(key, 0), implied=implied.get(key, 0))
            for key in sorted(set(implied) | set(recorded), key=str)
            if implied.get(key, 0) != recorded.get(key, 0)]


def _cash_account(category: str) -> Phrase:
    """"cash received": the category is one of the words history.CASH_WORDS marks."""
    from projections.history import cash_word

    return Phrase(N_("cash {category}"), category=cash_word(category))


def _span(numbers: range) -> str:
    return str(numbers[0]) if len(numbers) == 1 else f"{numbers[0]}–{numbers[-1]}"
