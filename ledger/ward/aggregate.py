"""A ward's ledger as one aggregate: every declaration and fact is one event in one stream.

One stream per ward means the event's version number is the entry id a treasurer types
(`aid reverse 42`), and concurrent writers serialise on it through optimistic concurrency.
The aggregate keeps only what its rules need (declared codes, balances by day), never
recipients' names, so snapshots stay small and free of personal details.

Every fact event carries its effect as plain data: `moves` ([location, item, delta], ...) and
`cash` (cash-book category -> delta). Projections and audits read the effect; they never need
to re-derive it from recipes or rules that may since have changed.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import KW_ONLY
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.utils import register_topic

from ledger.errors import BadInput, Refused, Shortage
from ledger.phrases import N_, Phrase
from ledger.values.inputs import known
from ledger.ward import daybook
from ledger.ward import lots as lotbook
from ledger.ward.cashbook import fund_change
from ledger.ward.drafts import active, draft
from ledger.ward.names import WARD_ID

LOCATION_KINDS = ("store", "shop")
KIND_WORDS = {"store": N_("store (kho)"), "shop": N_("shop (siêu thị 0 đồng)")}  # in refusals
KIND_NAMES = {"store": N_("store"), "shop": N_("shop")}  # a location's kind inside a sentence
TIERS = (0, 1, 2, 3)
SHORT = N_("not enough {item} at {location}: {held:,} {unit} available on {on} and after, "
           "{delta:,} needed")  # a stock that would go negative, whatever moves it
OPTIONAL = ("lots", "reserved", "expired_reason", "account", "bank_line",  # stored only when
            "top_up", "floor")  # a fact or a round has them; `account`: the bank account the
# fact's cash went into or came out of (ledger/bank/accounts.py), `bank_line`: the statement
# line a donation was recorded from; `top_up`, `floor`: a round's (ledger/ward/rounds.py)


def stored_names(*events: type) -> None:
    """Register events the ward records but another module defines under their stored names
    (`TOPIC`): stored events then resolve to them wherever the code lives (docs/format.md)."""
    for event in events:
        register_topic(event.TOPIC, event)


def bin_key(location: str, item: str) -> str:
    return f"{location}\t{item}"


class Ward(Aggregate, created_event_name="Opened"):
    """The ward's declarations and balances; the only place a fact can be refused."""

    TOPIC = "ledger.ward:Ward"

    class Created(Aggregate.Created):
        """Never recorded: the library names one on every aggregate."""

        TOPIC = "ledger.ward:Ward.Created"

    @staticmethod
    def create_id(**_: Any) -> UUID:
        return WARD_ID

    class Opened(Aggregate.Created):
        TOPIC = "ledger.ward:Ward.Opened"

        name: str
        on: str
        actor: str

    def __init__(self, name: str, on: str, actor: str) -> None:
        self.name = name
        self.items: dict[str, str] = {}  # code -> unit
        self.locations: dict[str, str] = {}  # code -> kind
        self.donors: dict[str, bool] = {}  # code -> anonymous
        self.recipients: dict[str, int] = {}  # code -> 1 (codes only: no personal details)
        self.bundles: dict[str, dict[str, Any]] = {}  # code -> {"items": {...}, "cash": n}
        self.bins: dict[str, daybook.DayBook] = {}  # "LOCATION\tITEM" -> day book
        self.fund: daybook.DayBook = {}
        self.reversed: dict[str, int] = {}  # str(entry) -> entry that reversed it
        # "LOCATION\tITEM" -> {str(entry): day} of its counts; a snapshot of a release that
        # kept none lacks it, and the write side folds the events again (ledger/service.py)
        self.counted: dict[str, dict[str, str]] = {}

    # ---- events ---------------------------------------------------------------------------

    class Declared(Aggregate.Event):
        """Something the ward handles was declared; facts may name it from now on."""

        TOPIC = "ledger.ward:Ward.Declared"

        on: str
        actor: str
        code: str
        name: str

    class ItemDeclared(Declared):
        TOPIC = "ledger.ward:Ward.ItemDeclared"

        unit: str
        value: int | None

        def apply(self, ward: Ward) -> None:
            ward.items[self.code] = self.unit
            ward.shop_prices()[self.code] = self.value  # 0 đồng shop prices

    class LocationDeclared(Declared):
        TOPIC = "ledger.ward:Ward.LocationDeclared"

        kind: str

        def apply(self, ward: Ward) -> None:
            ward.locations[self.code] = self.kind

    class DonorDeclared(Declared):
        TOPIC = "ledger.ward:Ward.DonorDeclared"

        anonymous: bool

        def apply(self, ward: Ward) -> None:
            ward.donors[self.code] = self.anonymous

    class RecipientDeclared(Declared):
        """The only event that holds a recipient's name and phone: sealed (`sealed`, see
        ledger/privacy/details.py; `name` empty, `phone` None), or in clear in ledgers recorded
        before encryption. `id_pseudonym` is the district pseudonym of the ID number, if any."""

        TOPIC = "ledger.ward:Ward.RecipientDeclared"

        group: str
        size: int
        tier: int
        phone: str | None
        sealed: dict[str, str] | None = None
        id_pseudonym: str | None = None

        def apply(self, ward: Ward) -> None:
            ward.recipients[self.code] = 1
            if getattr(self, "sealed", None):
                ward.keep_sealing_key_id(self.sealed["key"])

    class BundleDefined(Declared):
        TOPIC = "ledger.ward:Ward.BundleDefined"

        recipe: dict[str, int]
        cash: int

        def apply(self, ward: Ward) -> None:
            ward.bundles[self.code] = {"items": dict(self.recipe), "cash": self.cash}

    class Fact(Aggregate.Event):
        """Goods or cash moved; `moves` and `cash` say exactly how.

        Optional, stored only when present: `lots` ([location, item, expires, delta], the
        dated lots the moves came from or went to; the rest is undated), `reserved`
        ([round, location, item, delta], a round's reservation consumed or restored) and
        `expired_reason` (why expired goods were knowingly handed out)."""

        TOPIC = "ledger.ward:Ward.Fact"

        on: str
        actor: str
        moves: list[list[Any]]
        cash: dict[str, int]
        _: KW_ONLY
        lots: list[list[Any]] | None = None
        reserved: list[list[Any]] | None = None
        expired_reason: str | None = None
        account: str | None = None
        bank_line: str | None = None

        def apply(self, ward: Ward) -> None:
            _post(ward, self.on, self.moves, self.cash, self.lots, self.reserved)

    class Donated(Fact):
        TOPIC = "ledger.ward:Ward.Donated"

        donor: str
        location: str
        receipt: str | None
        note: str | None

    class Bought(Fact):
        TOPIC = "ledger.ward:Ward.Bought"

        location: str
        supplier: str | None

    class Packed(Fact):
        TOPIC = "ledger.ward:Ward.Packed"

        bundle: str
        count: int
        location: str

    class Unpacked(Fact):
        TOPIC = "ledger.ward:Ward.Unpacked"

        bundle: str
        count: int
        location: str

    class HandedOut(Fact):
        TOPIC = "ledger.ward:Ward.HandedOut"

        recipient: str
        location: str
        round: str | None  # the distribution round it belongs to, if any
        plan: str | None  # hash of the round's plan it applied, for auditors

    class Transferred(Fact):
        TOPIC = "ledger.ward:Ward.Transferred"

        source: str
        target: str

    class Adjusted(Fact):
        TOPIC = "ledger.ward:Ward.Adjusted"

        location: str
        reason: str

    class Counted(Fact):
        TOPIC = "ledger.ward:Ward.Counted"

        location: str
        counted: dict[str, int]
        variance_reason: str | None

        def apply(self, ward: Ward) -> None:
            super().apply(ward)
            for item in self.counted:
                days = ward.counted.setdefault(bin_key(self.location, item), {})
                days[str(self.originator_version)] = self.on

    class Reversed(Fact):
        TOPIC = "ledger.ward:Ward.Reversed"

        entry: int
        reason: str

        def apply(self, ward: Ward) -> None:
            super().apply(ward)
            ward.reversed[str(self.entry)] = self.originator_version

    class Coded(Aggregate.Event):
        """The ward's code in the district, fixed once: it names the ward's copy in the
        district's store (`aid sync`), so it can never change afterwards."""

        TOPIC = "ledger.ward:Ward.Coded"

        on: str
        actor: str
        code: str

        def apply(self, ward: Ward) -> None:
            ward.code = self.code

    # ---- declarations ---------------------------------------------------------------------

    def fix_code(self, code: str, on: str, actor: str) -> int:
        """Give the ward its district code; a second code is refused (the district's copy
        is named by the first)."""
        held = self.ward_code()
        if held:
            raise Refused("this ledger is already ward {held} in the district; a ward code "
                          "never changes", held=held)
        return self.emit(self.Coded, on=on, actor=actor, code=code)

    def declare_item(self, code: str, name: str, unit: str, value: int | None,
                     on: str, actor: str) -> int:
        self._unused_goods_code(code)
        if value is not None and value < 0:
            raise BadInput("value of {code} must be 0 or more đồng, not {value}",
                           code=code, value=value)
        return self.emit(self.ItemDeclared, on=on, actor=actor, code=code, name=name,
                          unit=_required(unit, "--unit"), value=value)

    def declare_location(self, code: str, name: str, kind: str, on: str, actor: str) -> int:
        self.unused(code, self.locations, N_("location"))
        if kind not in LOCATION_KINDS:
            raise BadInput("location kind must be one of {kinds}, not '{kind}'",
                           kinds=Phrase.join(", ", (Phrase(KIND_WORDS[k]) for k in LOCATION_KINDS)),
                           kind=kind)
        return self.emit(self.LocationDeclared, on=on, actor=actor, code=code, name=name,
                          kind=kind)

    def declare_donor(self, code: str, name: str, anonymous: bool, on: str, actor: str) -> int:
        self.unused(code, self.donors, N_("donor"))
        return self.emit(self.DonorDeclared, on=on, actor=actor, code=code, name=name,
                          anonymous=anonymous)

    def declare_recipient(self, code: str, name: str, group: str, size: int, tier: int,
                          phone: str | None, on: str, actor: str, *, sealer: Any = None,
                          id_number: str | None = None) -> int:
        """Declare a household; with a `sealer` (ledger/privacy/details.py) its name, phone and ID
        number are recorded only sealed under its own key, bound to its code and entry."""
        self.unused(code, self.recipients, N_("recipient"))
        if size < 1:
            raise BadInput("household size must be at least 1, not {size}", size=size)
        if tier not in TIERS:
            raise BadInput("tier must be one of 0, 1, 2, 3 (0 most urgent), not {tier}", tier=tier)
        if sealer is None:  # ledgers and tools from before encryption
            return self.emit(self.RecipientDeclared, on=on, actor=actor, code=code, name=name,
                              group=group, size=size, tier=tier, phone=phone)
        sealer.check(self.sealing_key_id())
        details = {"name": name, "phone": phone, "id_number": id_number}
        return self.emit(self.RecipientDeclared, on=on, actor=actor, code=code, name="",
                          group=group, size=size, tier=tier, phone=None,
                          sealed=sealer.seal(code, self.version + 1, details),
                          id_pseudonym=sealer.pseudonym(id_number))

    def define_bundle(self, code: str, name: str, recipe: dict[str, int], cash: int,
                      on: str, actor: str) -> int:
        self._unused_goods_code(code)
        for item in recipe:
            self.require(item, self.items, N_("item"))
        if not recipe and not cash:
            raise BadInput("bundle {code} needs at least one --item CODE=QTY or --cash", code=code)
        return self.emit(self.BundleDefined, on=on, actor=actor, code=code, name=name,
                          recipe=recipe, cash=cash)

    # ---- facts ----------------------------------------------------------------------------

    def donate(self, donor: str, location: str, cash: int, goods: dict[str, int],
               receipt: str | None, note: str | None, on: str, actor: str,
               expires: str | dict[str, str] | None = None, account: str | None = None,
               bank_line: str | None = None) -> int:
        self.require(donor, self.donors, N_("donor"))
        self.require(location, self.locations, N_("location"))
        self.items_only(goods)
        if not cash and not goods:
            raise BadInput("a donation needs --cash DONG and/or --item CODE=QTY")
        self._cash_account(account, cash)
        return self.fact(self.Donated, on, actor, _into(location, goods), {"received": cash},
                         lots=_dated(location, goods, expires),
                         donor=donor, location=location, receipt=receipt, note=note,
                         account=account, bank_line=bank_line)

    def buy(self, location: str, cash: int, goods: dict[str, int], supplier: str | None,
            on: str, actor: str, expires: str | dict[str, str] | None = None,
            account: str | None = None) -> int:
        self.require(location, self.locations, N_("location"))
        self.items_only(goods)
        if not goods:
            raise BadInput("a purchase needs at least one --item CODE=QTY")
        self._cash_account(account, cash)
        return self.fact(self.Bought, on, actor, _into(location, goods), {"spent": cash},
                         lots=_dated(location, goods, expires),
                         location=location, supplier=supplier, account=account)

    def pack(self, bundle: str, count: int, location: str, on: str, actor: str) -> int:
        moves, cash = self._packing(bundle, count, location)
        taken = {item: -delta for _, item, delta in moves if item != bundle}
        return self.fact(self.Packed, on, actor, moves, {"packed": cash},
                         lots=self.lots_out(location, taken, on, moves),
                         bundle=bundle, count=count, location=location)

    def unpack(self, bundle: str, count: int, location: str, on: str, actor: str) -> int:
        moves, cash = self._packing(bundle, count, location)
        held = daybook.lowest_from(self.bins.get(bin_key(location, bundle), {}), on)
        if count > held:  # the shortage every movement says, with advice for unpacking
            raise Shortage(SHORT, N_("{held:,} are packed there: unpack at most {held:,}")
                           if held > 0 else N_("none are packed there, so there is nothing "
                                               "to unpack"),
                           item=bundle, location=location, held=held,
                           unit=Phrase(N_("bundles")), on=on, delta=count)
        return self.fact(self.Unpacked, on, actor, _negated(moves), {"packed": -cash},
                          bundle=bundle, count=count, location=location)

    def give(self, recipient: str, location: str, bundles: dict[str, int],
             goods: dict[str, int], cash: int, on: str, actor: str,
             round: str | None = None, plan: str | None = None, lot: str | None = None,
             expired_reason: str | None = None, account: str | None = None) -> int:
        self.require(recipient, self.recipients, N_("recipient"))
        gone = self.forgotten_codes().get(recipient)
        if gone is not None:  # issue 22: forgotten on request, it receives nothing more
            raise Refused("household {recipient} was forgotten in entry {entry} and receives "
                          "nothing more; nothing was recorded", recipient=recipient, entry=gone)
        self._cash_account(account, cash)
        self.require(location, self.locations, N_("location"))
        self.items_only(goods)
        for code in bundles:
            self.require(code, self.bundles, N_("bundle"))
        if not bundles and not goods and not cash:
            raise BadInput("a hand-out needs --bundle CODE=N, --item CODE=QTY and/or --cash DONG")
        packed_cash = sum(n * self.bundles[code]["cash"] for code, n in bundles.items())
        moves = _out_of(location, {**bundles, **goods})
        book = {"given": cash + packed_cash, "packed": -packed_cash}
        return self.fact(self.HandedOut, on, actor, moves, book,
                         lots=self.lots_out(location, goods, on, moves, lot, expired_reason),
                         reserved=self._consumed(round, location, {**bundles, **goods}, on),
                         expired_reason=expired_reason,
                         recipient=recipient, location=location, round=round, plan=plan,
                         account=account)

    def transfer(self, source: str, target: str, goods: dict[str, int],
                 on: str, actor: str, lot: str | None = None,
                 expired_reason: str | None = None) -> int:
        """Move goods; the dated lots they leave `source` from arrive at `target` unchanged."""
        self.require(source, self.locations, N_("location"))
        self.require(target, self.locations, N_("location"))
        if source == target:
            raise BadInput("--from and --to are both {source}: a transfer needs two locations",
                           source=source)
        for item in goods:
            self._known_goods(item)
        if not goods:
            raise BadInput("a transfer needs at least one --item CODE=QTY")
        moves = _out_of(source, goods) + _into(target, goods)
        items = {item: qty for item, qty in goods.items() if item in self.items}
        out = self.lots_out(source, items, on, moves, lot, expired_reason)
        carried = out + [[target, item, expires, -delta] for _, item, expires, delta in out]
        return self.fact(self.Transferred, on, actor, moves, {}, lots=carried,
                         expired_reason=expired_reason, source=source, target=target)

    def adjust(self, location: str, changes: dict[str, int], reason: str,
               on: str, actor: str, lot: str | None = None) -> int:
        """Spoiled, lost or found goods; removals take the earliest-expiring lot first, expired
        lots included, so `--reason expired` writes off what has expired; found goods go into
        the named lot (undated without one)."""
        self.require(location, self.locations, N_("location"))
        self.items_only(changes, hint=N_("unpack bundles first, then adjust their items"))
        if not changes:
            raise BadInput("an adjustment needs at least one --item CODE=QTY")
        moves = [[location, item, qty] for item, qty in changes.items()]
        removed = {item: -qty for item, qty in changes.items() if qty < 0}
        found = {item: qty for item, qty in changes.items() if qty > 0}
        taken = self.lots_out(location, removed, on, moves, lot, expired_ok=True)
        return self.fact(self.Adjusted, on, actor, moves, {},
                         lots=taken + _dated(location, found, lot),
                         reserved=self._released(moves, on),
                         location=location, reason=_required(reason, "--reason"))

    def count(self, location: str, counted: dict[str, int], variance_reason: str | None,
              on: str, actor: str) -> int:
        self.require(location, self.locations, N_("location"))
        for item in counted:
            self._known_goods(item)
        if not counted:
            raise BadInput("a count needs at least one --item CODE=QTY")
        moves = []
        for item, qty in counted.items():
            books = daybook.balance(self.bins.get(bin_key(location, item), {}), on)
            if qty != books:
                moves.append([location, item, qty - books])
        if moves and not variance_reason:
            first = moves[0]
            raise Refused(
                "count differs from the books: {first} at {location} counted {counted}, "
                "books say {books} on {on}; recount, or record the difference "
                "with --variance-reason TEXT",
                first=first[1], location=location, counted=counted[first[1]],
                books=counted[first[1]] - first[2], on=on)
        bundle_moves = [m for m in moves if m[1] in self.bundles]
        if bundle_moves:
            raise Refused("bundle {bundle} count differs from the books: bundles hold cash, "
                          "so find them or record a hand-out; variances are for items",
                          bundle=bundle_moves[0][1])
        missing = {item: -delta for _, item, delta in moves if delta < 0}
        return self.fact(self.Counted, on, actor, moves, {},
                         lots=self.lots_out(location, missing, on, moves, expired_ok=True),
                         reserved=self._released(moves, on),
                         location=location, counted=counted,
                         variance_reason=variance_reason if moves else None)

    def reverse(self, original: Ward.Event, reason: str, actor: str) -> int:
        """Cancel a fact as of its own business date, so "as of" reports show the truth.

        Its lots are returned to the same lots; a reservation it consumed is restored while
        the round is still open (a closed round holds nothing)."""
        entry = original.originator_version
        if not isinstance(original, Ward.Fact):
            way = UNDONE_BY.get(type(original).__name__)
            raise Refused("entry {entry} is a declaration, not a fact; only facts can be reversed"
                          "{way}", entry=entry,
                          way=Phrase(HOW_INSTEAD, how=Phrase(way)) if way else "")
        if isinstance(original, Ward.Reversed):
            raise Refused("entry {entry} is itself a reversal; record the fact again instead",
                          entry=entry)
        if str(entry) in self.reversed:
            raise Refused("entry {entry} was already reversed by entry {by}",
                          entry=entry, by=self.reversed[str(entry)])
        self._counted_after(original)
        cash = {k: -v for k, v in original.cash.items()}
        lots = [[loc, item, expires, -delta] for loc, item, expires, delta in original.lots or ()]
        rounds = self.round_states()
        reserved = [[name, loc, item, -delta] for name, loc, item, delta in original.reserved or ()
                    if not rounds.get(name, {}).get("closed", True)]
        try:
            return self.fact(self.Reversed, original.on, actor, _negated(original.moves), cash,
                             lots=lots, reserved=reserved, entry=entry,
                             reason=_required(reason, "--reason"),
                             account=getattr(original, "account", None))
        except Shortage as refusal:
            raise Refused("cannot reverse entry {entry}: {cause}; what it brought in was already "
                          "used, so reverse the later entries first",
                          entry=entry, cause=refusal.shortage) from None

    # ---- rules ----------------------------------------------------------------------------

    def fact(self, event_class: type[Fact], on: str, actor: str, moves: list[list[Any]],
             cash: dict[str, int], *, lots: list[list[Any]] | None = None,
             reserved: list[list[Any]] | None = None, **details: Any) -> int:
        """Record a movement after checking no stock, lot, free stock or fund goes negative;
        returns its entry."""
        cash = {k: v for k, v in cash.items() if v}
        self._after_counts(on, moves)
        self._never_negative(on, moves, cash)
        self.check_lots(on, moves, lots or [])
        self.check_free(on, moves, reserved or [])
        return self.emit(event_class, on=on, actor=actor, moves=moves, cash=cash,
                         lots=lots or None, reserved=reserved or None, **details)

    def emit(self, event_class: type[Aggregate.Event], **fields: Any) -> int:
        """Record any ward event (declarations, or events defined in other ledger modules).

        Optional fields left empty are not stored, so a ledger that uses no lots or
        reservations stores exactly the bytes it stored before they existed."""
        if not fields.get("actor"):
            raise BadInput("who is recording this? give --actor NAME or set AID_ACTOR")
        drafts = active()
        if drafts is not None:  # a bulk writer builds the stored rows itself (ledger/ward/drafts.py)
            fields = {k: v for k, v in fields.items() if v is not None or k not in OPTIONAL}
            direct = _post_fields if event_class.apply is Ward.Fact.apply else None
            return draft(drafts, self, event_class, fields, direct)
        self.trigger_event(event_class, **fields)
        event = self.pending_events[-1]
        for name in OPTIONAL:
            if name in event.__dict__ and event.__dict__[name] is None:
                del event.__dict__[name]
        return self.version

    def _after_counts(self, on: str, moves: list[list[Any]]) -> None:
        """Refuse a movement dated before a standing count of its bin: a count says what was
        there, and an entry slipped in before it would make the books disagree with it."""
        for (location, item), delta in _net(moves).items():
            days = self.counted.get(bin_key(location, item))
            if not delta or not days:
                continue
            standing = [(day, int(entry)) for entry, day in days.items()
                        if entry not in self.reversed]
            if standing and on < max(standing)[0]:
                day, entry = max(standing)
                raise Refused("{item} at {location} was counted on {day} (entry {entry}): an "
                              "entry dated {on} would change what that count found; date it "
                              "{day} or later, or reverse that count first", item=item,
                              location=location, day=day, entry=entry, on=on)

    def _counted_after(self, original: Ward.Fact) -> None:
        """Refuse reversing a fact that a standing count took in: one recorded before the count
        and dated on or before its day. The reversal takes effect on the fact's own day, so it
        would change what the books held when the count was made, and the count would no longer
        say what was there (as an entry dated before it would, `_after_counts`)."""
        entry = original.originator_version
        for (location, item), delta in _net(original.moves).items():
            days = self.counted.get(bin_key(location, item))
            if not delta or not days:
                continue
            took = [(int(count), day) for count, day in days.items()
                    if count not in self.reversed and int(count) > entry and original.on <= day]
            if took:
                count, day = min(took)
                raise Refused("cannot reverse entry {entry}: {item} at {location} was counted on "
                              "{day} (entry {count}) after it was recorded, and reversing it "
                              "would change what that count found; record the correction on "
                              "{day} or later (`aid adjust {location} --item {item}=QTY "
                              "--reason …`, or a new count), or reverse that count first",
                              entry=entry, item=item, location=location, day=day, count=count)

    def _never_negative(self, on: str, moves: list[list[Any]], cash: dict[str, int]) -> None:
        """Refuse any fact after which a stock or the fund would be negative on some day."""
        for (location, item), delta in _net(moves).items():
            if delta < 0:
                held = daybook.lowest_from(self.bins.get(bin_key(location, item), {}), on)
                if held + delta < 0:
                    unit = self.items.get(item) or Phrase(N_("bundles"))
                    hint = (N_("pack more with `aid pack` or transfer them first")
                            if item in self.bundles
                            else N_("record the donation or transfer first"))
                    raise Shortage(
                        SHORT, hint, item=item, location=location, held=held, unit=unit, on=on,
                        delta=-delta)
        change = fund_change(cash)
        if change < 0:
            held = daybook.lowest_from(self.fund, on)
            if held + change < 0:
                raise Shortage("not enough cash in the ward fund: {held:,} đồng available on "
                               "{on} and after, {change:,} needed",
                               N_("record the cash donation first"), held=held, on=on,
                               change=-change)

    def check_lots(self, on: str, moves: list[list[Any]], lots: list[list[Any]]) -> None:
        """Refuse a fact after which a lot (a dated one, or the undated rest) would be
        negative on some day: reversing a donation whose lot was already handed out."""
        dated: dict[tuple[str, str, str], int] = defaultdict(int)
        for location, item, expires, delta in lots:
            dated[(location, item, expires)] += delta
        rest = _net(moves)
        for (location, item, expires), delta in dated.items():
            rest[(location, item)] = rest.get((location, item), 0) - delta
            book = self.lot_books().get(bin_key(location, item), {}).get(expires, {})
            if delta < 0 and daybook.lowest_from(book, on) + delta < 0:
                raise lotbook.short_in_lot(item, location, expires,
                                           daybook.lowest_from(book, on), on, -delta)
        for (location, item), delta in rest.items():
            key = bin_key(location, item)
            if delta < 0 and key in self.lot_books():
                book = lotbook.undated(self.bins.get(key, {}), self.lot_books()[key])
                if daybook.lowest_from(book, on) + delta < 0:
                    raise Shortage("not enough undated {item} at {location}: {held:,} available "
                                   "on {on} and after, {delta:,} needed",
                                   N_("name a dated lot with --lot"), item=item, location=location,
                                   held=daybook.lowest_from(book, on), on=on, delta=-delta)

    def check_free(self, on: str, moves: list[list[Any]], reserved: list[list[Any]]) -> None:
        """Refuse a fact that would take stock reserved for an open round (free stock, on hand
        less reserved, never goes negative); naming the rounds that hold it."""
        free = _net(moves)
        reserved_moves = [[location, item, delta] for _, location, item, delta in reserved]
        for location, item, delta in reserved_moves:
            free[(location, item)] = free.get((location, item), 0) - delta
        reserving = _net(reserved_moves)
        for (location, item), delta in free.items():
            key = bin_key(location, item)
            held = self.reserved_books().get(key, {})
            if delta >= 0 or (not held and (location, item) not in reserving):
                continue  # nothing reserved here: the bin's own check said it all
            left = daybook.lowest_from(daybook.difference(self.bins.get(key, {}), held), on)
            unit = self.items.get(item) or Phrase(N_("bundles"))
            if left + delta < 0 and not daybook.balance(held):
                raise Shortage("not enough free {item} at {location}: {free:,} {unit} free on "
                               "{on} and after, {needed:,} needed", item=item, location=location,
                               free=max(left, 0), unit=unit, on=on, needed=-delta)
            if left + delta < 0:
                raise Shortage("not enough free {item} at {location}: {free:,} {unit} free on "
                               "{on} and after, {needed:,} needed", N_("{reserved:,} {unit} are "
                               "reserved for round {rounds}: hand them out in that round, or "
                               "close it to release them"), item=item, location=location, free=max(left, 0),
                               unit=unit, on=on, needed=-delta,
                               reserved=daybook.balance(held), rounds=self.holders(location, item))

    def holders(self, location: str, item: str) -> str:
        """The open rounds holding a reservation of `item` at `location`, by code."""
        names = [name for name, state in sorted(self.round_states().items())
                 if state["location"] == location and state.get("reserved", {}).get(item)]
        return ", ".join(names) or "-"

    # ---- state that later releases added ------------------------------------------------
    # A ward restored from a snapshot taken before a release lacks what that release added,
    # so each piece is made on first use; these methods are the only ones that reach into the
    # ward's __dict__ for it (docs/format.md).

    def made_on_first_use(self) -> None:
        """Make every piece below now, as any write's first use would (the audit compares
        a snapshot taken after that use with a ward folded from its events)."""
        for make in (self.lot_books, self.reserved_books, self.round_states, self.shop_book,
                     self.shop_prices, self.forgotten_codes, self.bank_accounts):
            make()

    def lot_books(self) -> dict[str, lotbook.Lots]:
        """Dated lots per bin."""
        return self.__dict__.setdefault("lots", {})

    def reserved_books(self) -> dict[str, daybook.DayBook]:
        """Units reserved for open rounds per bin, by business date."""
        return self.__dict__.setdefault("reserved", {})

    def round_states(self) -> dict[str, dict[str, Any]]:
        """Rounds by code: their rules, reservations and whether they are closed."""
        return self.__dict__.setdefault("rounds", {})

    def shop_book(self) -> Any:
        """The 0 đồng shops' book (ledger/ward/shopbook.py)."""
        from ledger.ward import shopbook

        return self.__dict__.setdefault("shops", shopbook.empty())

    def shop_prices(self) -> dict[str, int]:
        """The 0 đồng shop's price of each item, in đồng."""
        return self.__dict__.setdefault("values", {})

    def forgotten_codes(self) -> dict[str, int]:
        """Forgotten households by code -> the entry that forgot them."""
        return self.__dict__.setdefault("forgotten", {})

    def bank_accounts(self) -> dict[str, str]:
        """The drive's bank accounts by code -> bank."""
        return self.__dict__.setdefault("accounts", {})

    def ward_code(self) -> str | None:
        """The district's code for this ward, once given (`aid ward code`)."""
        return self.__dict__.get("code")

    def sealing_key_id(self) -> str | None:
        """The id of the ward key that seals households' details, once one did."""
        return self.__dict__.get("key_id")

    def keep_sealing_key_id(self, key: str) -> None:
        self.__dict__["key_id"] = key

    def timezone_name(self, default: str) -> str:
        """The ward's IANA time zone, once recorded (`aid timezone`)."""
        return self.__dict__.get("timezone", default)

    def keep_timezone(self, name: str) -> None:
        self.__dict__["timezone"] = name

    def lots_out(self, location: str, goods: dict[str, int], on: str, moves: list[list[Any]],
                 lot: str | None = None, expired_reason: str | None = None,
                 expired_ok: bool = False) -> list[list[Any]]:
        """The dated lots that items leaving `location` come from (FEFO, or the named lot).

        Bins are checked first, so a plain shortage is refused with the usual words."""
        self._never_negative(on, moves, {})
        taken: list[list[Any]] = []
        for item, qty in goods.items():
            key = bin_key(location, item)
            if qty <= 0 or (key not in self.lot_books() and lot is None):
                continue
            taken += lotbook.take(location, item, qty, on, self.bins.get(key, {}),
                                  self.lot_books().get(key, {}), lot=lot,
                                  expired_ok=expired_ok or bool(expired_reason))
        return taken

    def _consumed(self, round: str | None, location: str, goods: dict[str, int],
                  on: str) -> list[list[Any]]:
        """What a round's hand-out takes from that round's reservation (never more than is
        left, and only once the reservation is in force)."""
        state = self.round_states().get(round or "")
        if not state or not state.get("reserved") or on < state.get("reserved_on", on):
            return []
        held = state["reserved"]
        return [[round, location, item, -min(qty, held[item])]
                for item, qty in goods.items() if held.get(item)]

    def _released(self, moves: list[list[Any]], on: str) -> list[list[Any]]:
        """What a count or a loss releases from open rounds' reservations: goods that are gone
        cannot stay promised, and a count is the truth, so the rounds holding them give up the
        shortfall (the one whose reservation starts last first: the latest round date) instead
        of the count being refused. Only from a round reserved on or before `on`: before it,
        nothing was held."""
        released: list[list[Any]] = []
        rounds = sorted(self.round_states().items(), reverse=True,
                        key=lambda pair: (pair[1].get("reserved_on", ""), pair[0]))
        for (location, item), delta in _net(moves).items():
            key = bin_key(location, item)
            held = self.reserved_books().get(key, {})
            if delta >= 0 or not daybook.balance(held):
                continue
            free = daybook.lowest_from(daybook.difference(self.bins.get(key, {}), held), on)
            short = -(free + delta)
            for name, state in rounds:
                has = (state.get("reserved") or {}).get(item, 0)
                if short <= 0 or not has or state["closed"] or state["location"] != location \
                        or on < state.get("reserved_on", on):
                    continue
                released.append([name, location, item, -min(short, has)])
                short -= min(short, has)
        return released

    def _packing(self, bundle: str, count: int, location: str) -> tuple[list[list[Any]], int]:
        self.require(bundle, self.bundles, N_("bundle"))
        self.require(location, self.locations, N_("location"))
        recipe = self.bundles[bundle]
        moves = _out_of(location, {item: qty * count for item, qty in recipe["items"].items()})
        moves.append([location, bundle, count])
        return moves, recipe["cash"] * count

    def require(self, code: str, declared: dict[str, Any], what: str) -> None:
        """Refuse an undeclared code, naming the declared codes nearest to it."""
        known(code, declared, what)

    def _known_goods(self, code: str) -> None:
        if code not in self.items and code not in self.bundles:
            self.require(code, {**self.items, **self.bundles}, N_("item"))

    def items_only(self, goods: dict[str, int],
                   hint: str = N_("give bundles with --bundle")) -> None:
        for code in goods:
            if code in self.bundles:
                raise BadInput("{code} is a bundle, not an item: {hint}", code=code,
                               hint=Phrase(hint))
            self.require(code, self.items, N_("item"))

    def unused(self, code: str, known: dict[str, Any], what: str) -> None:
        """Refuse a new code already declared, or one differing from a declared code only in
        case."""
        if code in known:
            raise Refused("{what} {code} is already declared; choose another code",
                          what=Phrase(what), code=code)
        twin = case_twin(code, known)
        if twin is not None:  # "rice" beside "RICE": two codes a reader cannot tell apart
            raise BadInput("{what} code '{code}' differs from the declared {twin} only in "
                           "case; codes must differ in more than case: use {twin}, or choose "
                           "another code", what=Phrase(what), code=code, twin=twin)

    def _cash_account(self, account: str | None, cash: int) -> None:
        """A fact's cash may name the bank account it went through (ledger/bank/accounts.py):
        a declared one, and only when there is cash."""
        if account is None:
            return
        self.require(account, self.bank_accounts(), N_("bank account"))
        if not cash:
            raise BadInput("--account {account} names where the cash went: give --cash too",
                           account=account)

    def _unused_goods_code(self, code: str) -> None:
        self.unused(code, self.items, N_("item"))
        self.unused(code, self.bundles, N_("bundle"))


# how a declaration is undone, by its event's class name (ledger/ward/*: the stored names)
HOW_INSTEAD = N_("; {how}")  # marked apart: inside Refused(…) the catalog's reader misses it
UNDONE_BY = {
    "VoucherIssued": N_("cancel the voucher instead: `aid voucher cancel CODE --reason TEXT`"),
    "RoundOpened": N_("close the round instead: `aid round close CODE`"),
    "RoundReserved": N_("close the round to release it (`aid round close CODE`), or reserve "
                        "its new plan"),
    "ShopPriced": N_("set the price again: `aid shop price SHOP --item CODE=DONG`"),
    "RecipientExcluded": N_("bring the household back: `aid recipient include CODE`"),
    "RecipientIncluded": N_("leave the household out again: `aid recipient exclude CODE`"),
    "RecipientTierChanged": N_("move it back: `aid recipient tier CODE TIER`"),
    "ThresholdSet": N_("set the minimum again: `aid item threshold CODE`"),
}

_FOLDED: dict[int, tuple[dict[str, Any], int, dict[str, str]]] = {}


def case_twin(code: str, known: dict[str, Any]) -> str | None:
    """The declared code equal to `code` but for case, if any. Codes are only ever added, so
    the case-folded index of each dict is kept here (never in the aggregate: snapshots stay as
    they were) and extended by the codes added since; a declaration costs O(1), not O(codes)."""
    cached = _FOLDED.get(id(known))
    if cached is None or cached[0] is not known or cached[1] > len(known):
        if len(_FOLDED) > 16:
            _FOLDED.clear()
        cached = (known, 0, {})
    _dict, size, folded = cached
    for added in itertools.islice(known, size, None):
        folded.setdefault(added.casefold(), added)
    _FOLDED[id(known)] = (known, len(known), folded)
    return folded.get(code.casefold())


def _post(ward: Ward, on: str, moves: list[list[Any]], cash: dict[str, int],
          lots: list[list[Any]] | None, reserved: list[list[Any]] | None) -> None:
    """A fact's effect on the ward's day books, lots and reservations (what `Fact.apply`
    does)."""
    for location, item, delta in moves:
        daybook.post(ward.bins.setdefault(bin_key(location, item), {}), on, delta)
    change = fund_change(cash)
    if change:
        daybook.post(ward.fund, on, change)
    post_lots(ward, on, lots)
    post_reserved(ward, on, reserved)


def _post_fields(ward: Ward, fields: dict[str, Any]) -> None:
    _post(ward, fields["on"], fields["moves"], fields["cash"], fields.get("lots"),
          fields.get("reserved"))


def _into(location: str, goods: dict[str, int]) -> list[list[Any]]:
    return [[location, item, qty] for item, qty in goods.items()]


def _out_of(location: str, goods: dict[str, int]) -> list[list[Any]]:
    return [[location, item, -qty] for item, qty in goods.items()]


def _dated(location: str, goods: dict[str, int],
           expires: str | dict[str, str] | None) -> list[list[Any]]:
    """The dated lots a delivery fills: every item dated `expires`, or each item by its own
    date when `expires` maps items to dates (items it does not name stay undated)."""
    if isinstance(expires, dict):
        return [[location, item, expires[item], qty] for item, qty in goods.items()
                if expires.get(item)]
    return [[location, item, expires, qty] for item, qty in goods.items()] if expires else []


def _net(moves: list[list[Any]]) -> dict[tuple[str, str], int]:
    net: dict[tuple[str, str], int] = defaultdict(int)
    for location, item, delta in moves:
        net[(location, item)] += delta
    return dict(net)


def post_lots(ward: Ward, on: str, lots: list[list[Any]] | None) -> None:
    """Fold a fact's dated lots into the ward's lot books; emptied books are dropped."""
    books = ward.lot_books()
    for location, item, expires, delta in lots or ():
        key = bin_key(location, item)
        lot = books.setdefault(key, {}).setdefault(expires, {})
        daybook.post(lot, on, delta)
        if not lot:
            del books[key][expires]
        if not books[key]:
            del books[key]


def post_reserved(ward: Ward, on: str, reserved: list[list[Any]] | None) -> None:
    """Fold reservation changes ([round, location, item, delta]) into the reserved day books
    and each round's reservation still held."""
    rounds = ward.round_states()
    for name, location, item, delta in reserved or ():
        daybook.post(ward.reserved_books().setdefault(bin_key(location, item), {}), on, delta)
        held = rounds[name].setdefault("reserved", {})
        held[item] = held.get(item, 0) + delta
        if not held[item]:
            del held[item]


def _negated(moves: list[list[Any]]) -> list[list[Any]]:
    return [[location, item, -delta] for location, item, delta in moves]


def _required(text: str | None, option: str) -> str:
    if not text or not text.strip():
        raise BadInput("{option} must not be empty", option=option)
    return text
