"""Every ward entry with its id, date, kind, actor and effect; a running balance for one bin.

Recipients appear by code only: this report is public-facing, the register is not.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ledger.errors import BadInput, Refused
from ledger.phrases import N_, Change, Money, Phrase
from ledger.store.access import EventLog, Record
from projections.books import ENTRIES


def entry(record: Record) -> dict[str, Any] | None:
    """The history line of one stored event, or None for events that are not ward entries;
    an event edited out of its kind's shape refuses the report in one line naming it."""
    try:
        return _line(record)
    except (LookupError, TypeError, ValueError, AttributeError):
        raise Refused("the ledger cannot be read: the event at position {position} (entry "
                      "{entry}) does not hold what its kind of entry holds (changed outside "
                      "aid?): run `aid audit verify`", position=record.position,
                      entry=record.version) from None


def _line(record: Record) -> dict[str, Any] | None:
    kind = ENTRIES.get(record.name)
    if kind is None:
        return None
    data = record.data
    stamp = data.get("timestamp")
    return {
        "id": record.version,
        "on": data["on"],
        "kind": kind,
        "actor": data["actor"],
        "recorded": stamp.get("_data_") if isinstance(stamp, dict) else stamp,
        "detail": detail(kind, data),
        "moves": data["moves"] if "moves" in data else [],
        "cash": data["cash"] if "moves" in data else {},
    }


def detail(kind: str, data: dict[str, Any]) -> Phrase:
    """A short account of the entry that names no recipient."""
    if kind in ("init", "item", "location", "donor", "bundle"):
        return Phrase("{code} {name}" if data.get("code") else "{name}",
                      code=data.get("code", ""), name=data["name"])
    return _DETAILS[kind](data)


def _receipt(data: dict[str, Any]) -> Phrase:
    if data["receipt"]:
        return Phrase(N_("from {donor}, receipt {receipt}"), donor=data["donor"],
                      receipt=data["receipt"])
    return Phrase(N_("from {donor}"), donor=data["donor"])


def _handout(data: dict[str, Any]) -> Phrase:
    if data.get("round"):
        return Phrase(N_("to {recipient} (round {round})"), recipient=data["recipient"],
                      round=data["round"])
    return Phrase(N_("to {recipient}"), recipient=data["recipient"])


def _fields(template: str, *names: str) -> Any:
    """An account made of the event's own fields."""
    return lambda data: Phrase(template, **{name: data[name] for name in names})


def _released(data: dict[str, Any], detail: Phrase) -> Phrase:
    """A count's or loss's detail, and what it released from rounds' reservations (goods that
    are gone are promised no more: ledger/ward/aggregate.py)."""
    if not data.get("reserved"):
        return detail
    return Phrase(N_("{detail}; released from round {rounds}: {change}"), detail=detail,
                  rounds=", ".join(sorted({name for name, *_ in data["reserved"]})),
                  change=_reserved_change(data))


def _reserved_change(data: dict[str, Any]) -> str:
    """What an entry's reservation moves change, item by item: "RICE -3, OIL +2"."""
    return ", ".join(f"{item} {delta:+}" for _, _, item, delta in data["reserved"])


DEPOSITED = N_("cash box → {account}, {amount:,} đồng{note}")  # the detail of a bank deposit
WITHDRAWN = N_("{account} → cash box, {amount:,} đồng{note}")  # and of a withdrawal
_DETAILS = {
    "recipient": lambda data: Phrase(N_("{code} group {group}, {size} people, tier {tier}"),
                                     code=data["code"], group=data["group"] or "-",
                                     size=data["size"], tier=data["tier"]),
    "donate": _receipt,
    "buy": lambda data: (Phrase(N_("from {supplier}"), supplier=data["supplier"])
                         if data["supplier"] else Phrase(N_("purchase"))),
    "pack": _fields("{count} × {bundle}", "count", "bundle"),
    "unpack": _fields("{count} × {bundle}", "count", "bundle"),
    "give": _handout,
    "transfer": _fields("{source} → {target}", "source", "target"),
    "adjust": lambda data: _released(data, Phrase("{reason}", reason=data["reason"])),
    "count": lambda data: _released(data, Phrase(N_("variance: {reason}"),
                                                 reason=data["variance_reason"])
                                    if data["variance_reason"] else
                                    Phrase(N_("matches the books"))),
    "reverse": _fields(N_("reverses entry {entry}: {reason}"), "entry", "reason"),
    "price": lambda data: Phrase("{shop} {prices}", shop=data["shop"], prices=Phrase.join(
        ", ", (Phrase("{item} {value:,}", item=k, value=Money(v))
               for k, v in data["prices"].items()))),
    "voucher": _fields(N_("{code} for {recipient} at {shop}, {value:,} đồng"),
                       "code", "recipient", "shop", "value"),
    "pickup": _fields(N_("voucher {voucher} of {recipient}, {value:,} đồng"),
                      "voucher", "recipient", "value"),
    "cancel": _fields(N_("voucher {code}: {reason}"), "code", "reason"),
    "tier": _fields(N_("{code} to tier {tier}: {reason}"), "code", "tier", "reason"),
    "exclude": _fields(N_("{code} excluded: {reason}"), "code", "reason"),
    "include": _fields(N_("{code} included: {reason}"), "code", "reason"),
    "recipient change": lambda data: Phrase(N_("{code} group {group}, {size} people: {reason}"),
                                            code=data["code"], group=data["group"] or "-",
                                            size=data["size"], reason=data["reason"]),
    "tier label": _fields(N_("tier {tier} is '{label}'"), "tier", "label"),
    "timezone": _fields(N_("printed times in {timezone}"), "timezone"),
    "round open": lambda data: Phrase(N_("{round} from {location}, {policy}"),
                                      round=data["round"], location=data["location"],
                                      policy=Phrase(POLICY_WORDS.get(data["policy"],
                                                                     data["policy"]))),
    "round close": _fields("{round}", "round"),
    "seal": _fields(N_("{code}: details sealed"), "code"),
    "encrypt": _fields(N_("{households} households' details sealed in entries {first}-{last}"),
                       "households", "first", "last"),
    "forget": _fields(N_("{code} forgotten: {reason}"), "code", "reason"),
    "round reserve": lambda data: Phrase(
        N_("{round} holds {change} (plan {plan})"), round=data["round"], plan=data["plan"][:12],
        change=_reserved_change(data)),
    "threshold": _fields(N_("{item} at {location}: minimum {minimum:,}"), "item", "location",
                         "minimum"),
    "ward code": _fields("{code}", "code"),
    "account": _fields(N_("{code}: {bank} account {number}, {name}"), "code", "bank", "number",
                       "name"),
    "statement": _fields(N_("{account}: {file}, {added} new of {lines} lines"), "account",
                         "file", "added", "lines"),
    "cash moved": lambda data: Phrase(
        DEPOSITED if data["amount"] > 0 else WITHDRAWN, account=data["account"],
        amount=abs(data["amount"]), note=Phrase(N_(": {note}"), note=data["note"])
        if data.get("note") else ""),
    "fee": lambda data: Phrase(
        N_("{account} paid {amount:,} đồng{note}"), account=data["account"],
        amount=data["cash"].get("fees", 0), note=Phrase(N_(": {note}"), note=data["note"])
        if data.get("note") else ""),
}
POLICY_WORDS = {"tiered": N_("tiered"), "equal": N_("equal"),  # English: the codes themselves
                "per-capita": N_("per-capita")}
# What each kind of entry is called where people read it (tables, the line a write prints);
# JSON and CSV keep the codes on the left.
KIND_WORDS = {
    "init": N_("ward opened"), "item": N_("item declared"), "location": N_("location declared"),
    "donor": N_("donor declared"), "recipient": N_("household declared"),
    "bundle": N_("bundle defined"), "donate": N_("donation"), "buy": N_("purchase"),
    "pack": N_("packing"), "unpack": N_("unpacking"), "give": N_("hand-out"),
    "transfer": N_("stock transfer"), "adjust": N_("adjustment"), "count": N_("stock count"),
    "reverse": N_("reversal"), "ward code": N_("ward code set"), "price": N_("shop prices"),
    "voucher": N_("voucher issued"), "pickup": N_("voucher pick-up"),
    "cancel": N_("voucher cancelled"), "tier": N_("tier changed"),
    "exclude": N_("household excluded"), "include": N_("household included"),
    "recipient change": N_("household changed"), "tier label": N_("tier named"),
    "timezone": N_("time zone set"), "seal": N_("details sealed"),
    "encrypt": N_("details encrypted"), "forget": N_("household forgotten"),
    "round open": N_("round opened"), "round close": N_("round closed"),
    "round reserve": N_("stock held for a round"), "threshold": N_("low-stock minimum set"),
    "account": N_("bank account declared"), "statement": N_("bank statement imported"),
    "cash moved": N_("cash deposited in or withdrawn from the bank"), "fee": N_("bank fee"),
}
# cash moved one way or the other: a deposit and a withdrawal, each called by its own name
# where its line is shown (its detail says which it is)
CASH_MOVED = {DEPOSITED: N_("cash deposited in the bank"),
              WITHDRAWN: N_("cash withdrawn from the bank")}


def kind_word(kind: str, detail: object = None) -> Phrase:
    """The kind of an entry in words ("donation"), translated wherever it is shown; with the
    entry's `detail`, a bank deposit and a withdrawal by their own names."""
    if kind == "cash moved" and isinstance(detail, Phrase) and detail.template in CASH_MOVED:
        return Phrase(CASH_MOVED[detail.template])
    return Phrase(KIND_WORDS.get(kind, kind))


def not_a_donation(entry: int, kind: str | None) -> BadInput:
    """The refusal of a donation's receipt or trace for an entry of another kind, naming both
    kinds as `aid history` shows them."""
    if not kind:
        return BadInput("entry {entry} is not a donation; `aid history` shows donations as "
                        "“{donation}”", entry=entry, donation=kind_word("donate"))
    return BadInput("entry {entry} is not a donation: `aid history` shows it as “{kind}”, and "
                    "donations as “{donation}”", entry=entry, kind=kind_word(kind),
                    donation=kind_word("donate"))


CASH_WORDS = {"received": N_("received"), "spent": N_("spent"), "given": N_("given"),
              "packed": N_("packed"), "fees": N_("bank fees")}  # cash-book categories


def cash_word(category: str) -> Phrase:
    """A cash-book category in words ("bank fees" for `fees`), translated where shown."""
    return Phrase(CASH_WORDS.get(category, category))


def effect(line: dict[str, Any]) -> Phrase:
    """Goods and cash moved, as "KHO RICE +500; received +1,000,000"."""
    goods = [Phrase("{location} {item} {delta:+,}", location=loc, item=item, delta=delta)
             for loc, item, delta in line["moves"]]
    cash = [Phrase("{category} {delta}", category=cash_word(category), delta=Change(delta))
            for category, delta in line["cash"].items()]
    return Phrase.join("; ", goods + cash)


def history(lines: Iterable[dict[str, Any]], at: str | None = None, item: str | None = None,
            as_of: str | None = None) -> Iterator[dict[str, Any]]:
    """Entries as they come, one at a time; filtered to one location and item, each with the
    running balance, so give those in (date, id) order (ReadModels.history(by_date=True))."""
    balance = at is not None and item is not None
    running = 0
    for line in lines:
        if as_of is not None and line["on"] > as_of:
            continue
        if at is not None or item is not None:
            moves = [m for m in line["moves"]
                     if (at is None or m[0] == at) and (item is None or m[1] == item)]
            if not moves:
                continue
            line = {**line, "change": sum(m[2] for m in moves)}
        if balance:
            running += line["change"]
            line["balance"] = running
        yield line


def refuse_if_reversed(log: EventLog, entry: int, what: str) -> None:
    """Refuse to vouch for a donation the ward has reversed: a receipt (`what`) would prove a
    gift the ledger itself cancels."""
    from ledger.store.decoding import loads
    from ledger.ward import names

    for position, _topic, state in log.of_topics(names.WARD + names.REVERSED):
        data = loads(state)
        if data.get("entry") == entry:
            by = next(iter(log.stored(position - 1, position)))[2]
            raise Refused("entry {entry} was reversed by entry {by} ({reason}): a {what} would "
                          "prove a gift the ward has cancelled; give the one of the entry "
                          "recorded in its place", entry=entry, by=by, reason=data["reason"],
                          what=Phrase(what))
