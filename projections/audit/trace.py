"""`aid audit trace`: where a donation's goods and cash went, first in, first out.

Every bin (an item at a location, and the ward fund for cash) is a queue of lots, each lot
remembering where it came from (a donation, a purchase, goods found in a count). Facts are
replayed by business date, then entry id: a hand-out takes the oldest lots first; a transfer
moves lots, origins and all, to the back of the target's queue; packing fills each bundle with
the oldest lots of its recipe (and cash from the fund), so a bundle handed out carries its exact
contents to the household; unpacking puts them back. A reversal and its original are left out
together (the reversal takes effect on the original's date, so the corrected history is the one
without both). When a day's entries take before they put (allowed: the ledger checks end-of-day
balances), the taker waits in line and is paid by the next lot in: nothing is ever split into
fractions, so every attribution is a whole number and they sum exactly.

Where facts name dated lots (issue 16: expiry dates, first-expiring-first), each lot is a queue
of its own: goods leave from the lot the ledger says they left from, so a donation's noodles
are followed through transfers to the very household or write-off that took that lot; undated
goods stay one queue per bin, first in, first out, as before.

The result is a list of flows: (origin entry, item, quantity, where it went). Deterministic and
replayable from the stored events alone.

`Tracer` follows every lot of every origin and keeps it all (tests use it as the reference);
`aid audit trace` asks about one donation, so `trace_donation` replays the same way with memory
that does not grow with the ledger: facts are sorted on disk, lots of every other origin merge
into runs, and only the destinations that received some of the donation are kept.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ledger.values.text import sort_key
from ledger.ward.cashbook import fund_change
from projections.books import KINDS, Books
from projections.dated import in_date_order
from projections.events import WardEvent, is_fact

CASH = "cash"  # the item name of the ward fund's đồng in flows
FUND = ("", CASH)
Origin = tuple[str, int]  # ("donation" | "purchase" | "found" | "other", entry)


@dataclass(eq=False)
class Unit:
    """One packed bundle and exactly what went into it."""

    bundle: str
    entry: int
    contents: list[tuple[Origin, str, int]] = field(default_factory=list)
    released_at: str | None = None  # unpacked here: later arrivals go back to the shelf


@dataclass(eq=False)
class Destination:
    """Where goods left the ward's hands: a household, a loss, a purchase, something else."""

    to: str  # given | lost | spent | fees | other
    entry: int
    on: str
    location: str
    recipient: str | None = None
    items: list[tuple[Origin, str, int]] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)


class Bin:
    """A FIFO queue of lots, and of takers still waiting for goods."""

    def __init__(self) -> None:
        self.lots: deque[list[Any]] = deque()
        self.waiting: deque[list[Any]] = deque()

    def put(self, token: Any, quantity: int) -> None:
        while quantity and self.waiting:
            sink, need = self.waiting[0]
            n = min(quantity, need)
            quantity -= n
            if n == need:
                self.waiting.popleft()
            else:
                self.waiting[0][1] -= n
            sink(token, n)
        if quantity:
            self.lots.append([token, quantity])

    def take(self, quantity: int, sink: Any) -> None:
        while quantity and self.lots:
            token, have = self.lots[0]
            n = min(quantity, have)
            quantity -= n
            if n == have:
                self.lots.popleft()
            else:
                self.lots[0][1] -= n
            sink(token, n)
        if quantity:
            self.waiting.append([sink, quantity])


def lot_moves(data: dict[str, Any]) -> list[tuple[str, str, str, int]]:
    """A fact's moves split by lot: (location, item, expires, delta), the dated parts its
    `lots` name first, then the undated rest ("" as the lot)."""
    dated: dict[tuple[str, str], int] = {}
    parts = []
    for location, item, expires, delta in data.get("lots") or ():
        parts.append((location, item, expires, delta))
        dated[(location, item)] = dated.get((location, item), 0) + delta
    for location, item, delta in data["moves"]:
        rest = delta - dated.pop((location, item), 0)
        if rest:
            parts.append((location, item, "", rest))
    return parts


class Tracer:
    """Replays the ward's facts through FIFO bins; `flows()` says where every lot went."""

    def __init__(self) -> None:
        self.books = Books()
        self.bins: dict[tuple[str, str, str], Bin] = {}
        self.destinations: list[Destination] = []
        self.origins: dict[Origin, dict[str, Any]] = {}
        self.kinds: dict[int, str | None] = {}  # entry -> kind, for explaining what it is
        self.annulled: set[int] = set()

    def bin(self, location: str, item: str, lot: str = "") -> Bin:
        return self.bins.setdefault((location, item, lot), Bin())

    def run(self, events: Iterable[WardEvent]) -> Tracer:
        facts = []
        for event in events:
            self.books.apply(event.name, event.data)
            self.kinds[event.entry] = KINDS.get(event.name)
            if is_fact(event.data):
                facts.append(event)
        reversals = [e for e in facts if KINDS.get(e.name) == "reverse"]
        self.annulled = {e.data.get("entry") for e in reversals} | {e.entry for e in reversals}
        for event in sorted(facts, key=lambda e: (e.data["on"], e.entry)):
            if event.entry not in self.annulled:
                self.fact(event, KINDS.get(event.name))
        return self

    # ---- facts ----------------------------------------------------------------------------

    def fact(self, event: WardEvent, kind: str | None) -> None:
        data = event.data
        handler = getattr(self, f"_{kind}", None) if kind else None
        if handler is not None:
            handler(event, data)
            return
        source = "found" if kind in ("adjust", "count") else "other"
        to = "lost" if source == "found" else "other"
        if data.get("recipient"):
            to = "given"
        self._loose(event, data, source, to)

    def _loose(self, event: WardEvent, data: dict[str, Any], source: str, to: str) -> None:
        """Increases are new lots from this entry; decreases go to one destination."""
        origin = self._origin(event, source)
        for location, item, lot, delta in lot_moves(data):
            if delta > 0:
                self.bin(location, item, lot).put(origin, delta)
            else:
                self.bin(location, item, lot).take(-delta, self._sink(event, to, location, item))
        change = fund_change(data["cash"])
        if change > 0:
            self.bin(*FUND).put(origin, change)
        elif change < 0:
            self.bin(*FUND).take(-change, self._sink(event, to, data.get("location", ""), CASH))

    def _donate(self, event: WardEvent, data: dict[str, Any]) -> None:
        self._loose(event, data, "donation", "other")

    def _buy(self, event: WardEvent, data: dict[str, Any]) -> None:
        self._loose(event, data, "purchase", "spent")

    def _fee(self, event: WardEvent, data: dict[str, Any]) -> None:
        self._loose(event, data, "other", "fees")  # a bank's fee: cash that left, not a purchase

    def _transfer(self, event: WardEvent, data: dict[str, Any]) -> None:
        target = data.get("target", "")
        for location, item, lot, delta in lot_moves(data):
            if delta < 0 and location != target:
                arrive = self.bin(target, item, lot)
                self.bin(location, item, lot).take(-delta, arrive.put)

    def _pack(self, event: WardEvent, data: dict[str, Any]) -> None:
        count, location, bundle = data["count"], data["location"], data["bundle"]
        if not isinstance(count, int) or count <= 0:
            self._loose(event, data, "other", "other")
            return
        units = [self._unit(bundle, event.entry) for _ in range(count)]
        takes = [(self.bin(loc, item, lot), item, -delta)
                 for loc, item, lot, delta in lot_moves(data) if delta < 0]
        takes.append((self.bin(*FUND), CASH, data["cash"].get("packed", 0)))
        for shelf, item, total in takes:
            for i, unit in enumerate(units):  # whole shares, exact even if uneven
                share = total * (i + 1) // count - total * i // count
                if share:
                    shelf.take(share, self._filler(unit, item, share))
        for unit in units:
            self.bin(location, bundle).put(unit, 1)

    def _unit(self, bundle: str, entry: int) -> Unit:
        return Unit(bundle, entry)

    def _filler(self, unit: Unit, item: str, share: int) -> Any:
        """What fills `unit` with `share` of `item` as the goods come."""
        def fill(origin: Origin, n: int) -> None:
            if unit.released_at is None:
                unit.contents.append((origin, item, n))
            else:
                self._shelf(unit.released_at, item).put(origin, n)
        return fill

    def _shelf(self, location: str, item: str) -> Bin:
        return self.bin(*FUND) if item == CASH else self.bin(location, item)

    def _unpack(self, event: WardEvent, data: dict[str, Any]) -> None:
        location = data["location"]

        def unpack(unit: Unit, _: int) -> None:
            unit.released_at = location
            for origin, item, n in unit.contents:
                self._shelf(location, item).put(origin, n)
            unit.contents = []
        self.bin(location, data["bundle"]).take(data["count"], unpack)

    def _give(self, event: WardEvent, data: dict[str, Any]) -> None:
        for location, item, lot, delta in lot_moves(data):
            if delta < 0:
                self.bin(location, item, lot).take(-delta,
                                                   self._sink(event, "given", location, item))
        direct = data["cash"].get("given", 0) + data["cash"].get("packed", 0)
        if direct > 0:
            self.bin(*FUND).take(direct, self._sink(event, "given", data["location"], CASH))

    # ---- where lots come from and go --------------------------------------------------------

    def _origin(self, event: WardEvent, source: str) -> Origin:
        origin = (source, event.entry)
        self.origins.setdefault(origin, {"on": event.data["on"], "kind": KINDS.get(event.name),
                                         "data": event.data})
        return origin

    def _sink(self, event: WardEvent, to: str, location: str, item: str) -> Any:
        place = Destination(to, event.entry, event.data["on"], location,
                            event.data.get("recipient"))
        self.destinations.append(place)

        def receive(token: Any, n: int) -> None:
            if isinstance(token, Unit):
                place.units.append(token)
            else:
                place.items.append((token, item, n))
        return receive

    # ---- results ------------------------------------------------------------------------------

    def flows(self) -> list[dict[str, Any]]:
        """Every attributed quantity: its origin, item, amount and where it is now."""
        groups = self.books.state["recipients"]
        out = []

        def add(origin: Origin | None, item: str, n: int, to: str, entry: int | None,
                on: str | None, location: str, recipient: str | None, via: Unit | None) -> None:
            out.append(_flow(groups, origin, item, n, to, entry, on, location, recipient, via))

        for place in self.destinations:
            args = (place.to, place.entry, place.on, place.location, place.recipient)
            for origin, item, n in place.items:
                add(origin, item, n, *args, None)
            for unit in place.units:
                for origin, item, n in unit.contents:
                    add(origin, item, n, *args, unit)
        for (location, item, _lot), shelf in sorted(self.bins.items()):
            for token, n in shelf.lots:
                if isinstance(token, Unit):
                    for origin, content, k in token.contents:
                        add(origin, content, k, "held", None, None, location, None, token)
                else:
                    add(token, item, n, "held", None, None, location, None, None)
            for _, n in shelf.waiting:
                add(None, item, n, "short", None, None, location, None, None)
        return out


def _flow(groups: dict[str, Any], origin: Origin | None, item: str, n: int, to: str,
          entry: int | None, on: str | None, location: str, recipient: str | None,
          via: Unit | None) -> dict[str, Any]:
    """One row of `flows()`: `groups` are the books' recipients, for the household's group."""
    return {"source": origin[0] if origin else "unattributed",
            "source_entry": origin[1] if origin else None, "item": item,
            "quantity": n, "to": to, "entry": entry, "on": on,
            "location": location, "recipient": recipient,
            "group": groups.get(recipient, {}).get("group") if recipient else None,
            "via": via.bundle if via else None,
            "packed_in": via.entry if via else None}


# ---- one donation, with memory that does not grow with the ledger ----------------------------


@dataclass(frozen=True)
class Merged:
    """Lots the traced donation has no part in, one run per stretch of a queue: loose goods or
    cash of any other origin (`contents` None), or bundles that each hold exactly `contents`
    ((item, quantity) pairs), none of it from the donation. Only quantities matter for them."""

    contents: tuple[tuple[str, int], ...] | None = None


ELSEWHERE = Merged()  # goods or cash from anywhere but the traced donation


@dataclass(eq=False)
class TracedUnit(Unit):
    """A bundle followed while it may hold some of the donation: `pending` fills still wait
    for goods, `traced` once some is inside, `place` (its number, the destination) once it left
    the ward's hands."""

    pending: int = 0
    traced: bool = False
    place: tuple[int, Destination] | None = None

    def merged(self) -> Merged | None:
        """What this bundle is as a plain run, once none of the donation can be in it."""
        if self.pending or self.traced:
            return None
        totals: dict[str, int] = {}
        for _, item, n in self.contents:
            totals[item] = totals.get(item, 0) + n
        return Merged(tuple(sorted(totals.items())))


class Runs(Bin):
    """A bin whose lots of other origins merge with the lot before them: its length follows
    the traced donation's lots, not the ledger. (A bin has takers waiting only when it has no
    lots, so merging never jumps a waiting taker.)"""

    def put(self, token: Any, quantity: int) -> None:
        if isinstance(token, TracedUnit):
            token = token.merged() or token
        if isinstance(token, Merged) and self.lots and self.lots[-1][0] == token:
            self.lots[-1][1] += quantity
            return
        super().put(token, quantity)


class DonationTracer(Tracer):
    """`Tracer`'s replay for one donation (or a few, in one replay: a donor's search finds
    several transfers): `flows()` is exactly those donations' part of `Tracer.flows()`, but
    facts are sorted on disk, other origins merge into runs, and only destinations that
    received some of them are kept (`kinds` holds just the asked entries, for saying what one
    is when it is no donation)."""

    def __init__(self, *entries: int) -> None:
        super().__init__()
        self.focus: set[Origin] = {("donation", entry) for entry in entries}
        self.reached: dict[int, Destination] = {}  # number (order of creation) -> destination
        self.numbers = itertools.count()

    def bin(self, location: str, item: str, lot: str = "") -> Bin:
        found = self.bins.get((location, item, lot))
        if found is None:
            found = self.bins[(location, item, lot)] = Runs()
        return found

    def run(self, events: Iterable[WardEvent]) -> DonationTracer:
        spilled: list[bool] = []
        for event in in_date_order(self._facts(events, spilled)):
            if not spilled:  # in_date_order reads every fact before giving the first back
                raise RuntimeError("reversals must be known before the replay")
            if event.entry not in self.annulled:
                self.fact(event, KINDS.get(event.name))
        return self

    def _facts(self, events: Iterable[WardEvent], spilled: list[bool]) -> Iterator[WardEvent]:
        """The facts to sort; on the way, the books' declarations, the asked entry's kind, and
        the reversals with their originals (left out of the replay)."""
        asked = {entry for _, entry in self.focus}
        for event in events:
            kind = KINDS.get(event.name)
            if event.entry in asked:
                self.kinds[event.entry] = kind
            if not is_fact(event.data):
                self.books.apply(event.name, event.data)  # facts: the trace needs no balances
                continue
            if kind == "reverse":
                self.annulled.update((event.data.get("entry"), event.entry))
            yield event
        spilled.append(True)

    def _origin(self, event: WardEvent, source: str) -> Origin:
        if (source, event.entry) not in self.focus:
            return ELSEWHERE  # type: ignore[return-value]
        return super()._origin(event, source)

    def _sink(self, event: WardEvent, to: str, location: str, item: str) -> Any:
        number = next(self.numbers)
        place = Destination(to, event.entry, event.data["on"], location,
                            event.data.get("recipient"))

        def receive(token: Any, n: int) -> None:
            if isinstance(token, TracedUnit):  # one still filling (pending) or traced
                place.units.append(token)
                token.place = (number, place)
                if token.traced:
                    self.reached[number] = place
            elif token in self.focus:
                place.items.append((token, item, n))
                self.reached[number] = place
        return receive

    def _unit(self, bundle: str, entry: int) -> TracedUnit:
        return TracedUnit(bundle, entry)

    def _filler(self, unit: TracedUnit, item: str, share: int) -> Any:  # type: ignore[override]
        """Tracer._filler, also noting when the share is complete and when the donation is in."""
        left = share
        unit.pending += 1

        def fill(origin: Any, n: int) -> None:
            nonlocal left
            left -= n
            if not left:
                unit.pending -= 1
            if unit.released_at is not None:
                self._shelf(unit.released_at, item).put(origin, n)
                return
            unit.contents.append((origin, item, n))
            if origin in self.focus and not unit.traced:
                unit.traced = True
                if unit.place:  # handed out already: its destination now holds some
                    self.reached[unit.place[0]] = unit.place[1]
        return fill

    def _unpack(self, event: WardEvent, data: dict[str, Any]) -> None:
        location = data["location"]

        def unpack(token: Any, n: int) -> None:
            if isinstance(token, Merged):  # n plain bundles: their contents back on the shelf
                for item, k in token.contents:  # type: ignore[union-attr]
                    self._shelf(location, item).put(ELSEWHERE, k * n)
                return
            token.released_at = location
            for origin, item, k in token.contents:
                self._shelf(location, item).put(origin, k)
            token.contents = []
        self.bin(location, data["bundle"]).take(data["count"], unpack)

    def flows(self) -> list[dict[str, Any]]:
        """The traced donation's flows, in `Tracer.flows()` order."""
        groups, focus = self.books.state["recipients"], self.focus
        out = []
        for number in sorted(self.reached):
            place = self.reached[number]
            args = (place.to, place.entry, place.on, place.location, place.recipient)
            for origin, item, n in place.items:
                out.append(_flow(groups, origin, item, n, *args, None))
            for unit in place.units:
                out += [_flow(groups, origin, item, n, *args, unit)
                        for origin, item, n in unit.contents if origin in focus]
        for (location, item, _lot), shelf in sorted(self.bins.items()):
            for token, n in shelf.lots:
                if isinstance(token, TracedUnit):
                    out += [_flow(groups, origin, content, k, "held", None, None, location,
                                  None, token)
                            for origin, content, k in token.contents if origin in focus]
                elif token in focus:
                    out.append(_flow(groups, token, item, n, "held", None, None, location,
                                     None, None))
        return out


def trace(events: Iterable[WardEvent]) -> Tracer:
    return Tracer().run(events)


def trace_donation(events: Iterable[WardEvent], *entries: int) -> DonationTracer:
    """Where donation `entry` went (`donation()` tells its story), in flat memory; given
    several entries, where each went, in the same one replay."""
    return DonationTracer(*entries).run(events)


def donation(tracer: Tracer, entry: int) -> dict[str, Any]:
    """One donation's story: what was given, and where each part of it went."""
    origin = tracer.origins.get(("donation", entry))
    if origin is None:
        return {}
    data = origin["data"]
    donor = tracer.books.state["donors"].get(data["donor"], {})
    flows = [f for f in tracer.flows() if f["source"] == "donation" and f["source_entry"] == entry]
    donated = {item: delta for _, item, delta in data["moves"]}
    if data["cash"].get("received"):
        donated[CASH] = data["cash"]["received"]
    summary = []
    for item, quantity in donated.items():
        mine = [f for f in flows if f["item"] == item]
        row = {"item": item, "donated": quantity}
        for to in ("given", "held", "lost", "spent", "other"):
            row[to] = sum(f["quantity"] for f in mine if f["to"] == to)
        fees = sum(f["quantity"] for f in mine if f["to"] == "fees")
        if fees:  # only where a bank fee took some: ledgers without fees read as before
            row["fees"] = fees
        row["households"] = len({f["recipient"] for f in mine if f["to"] == "given"})
        row["groups"] = len({f["group"] for f in mine if f["to"] == "given"})
        summary.append(row)
    by_group: dict[tuple[str, str], dict[str, Any]] = {}
    for f in flows:
        if f["to"] == "given":
            row = by_group.setdefault((f["group"] or "", f["item"]), {
                "group": f["group"] or "", "item": f["item"], "quantity": 0, "households": set()})
            row["quantity"] += f["quantity"]
            row["households"].add(f["recipient"])
    groups = [{**row, "households": len(row["households"])}
              for _, row in sorted(by_group.items(), key=lambda kv: (sort_key(kv[0][0]),
                                                                      kv[0][1]))]
    return {"entry": entry, "on": data["on"], "donor": data["donor"],
            "donor_name": None if donor.get("anonymous") else donor.get("name"),
            "anonymous": bool(donor.get("anonymous")), "location": data["location"],
            "receipt": data.get("receipt"), "summary": summary, "groups": groups,
            "flows": flows}
