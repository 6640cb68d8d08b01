"""Every ward entry with its id, date, kind, actor and effect; a running balance for one bin.

Recipients appear by code only: this report is public-facing, the register is not.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ledger.storage import Record

from .books import KINDS


def entry(record: Record) -> dict[str, Any] | None:
    """The history line of one stored event, or None for events that are not ward entries."""
    kind = KINDS.get(record.name)
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


def detail(kind: str, data: dict[str, Any]) -> str:
    """A short account of the entry that names no recipient."""
    if kind == "recipient":
        return f"{data['code']} group {data['group'] or '-'}, {data['size']} people, tier {data['tier']}"
    if kind in ("init", "item", "location", "donor", "bundle"):
        return f"{data.get('code', '')} {data['name']}".strip()
    parts = {
        "donate": lambda: f"from {data['donor']}" + (f", receipt {data['receipt']}" if data["receipt"] else ""),
        "buy": lambda: f"from {data['supplier']}" if data["supplier"] else "purchase",
        "pack": lambda: f"{data['count']} × {data['bundle']}",
        "unpack": lambda: f"{data['count']} × {data['bundle']}",
        "give": lambda: f"to {data['recipient']}" + (f" (round {data['round']})" if data.get("round") else ""),
        "transfer": lambda: f"{data['source']} → {data['target']}",
        "adjust": lambda: data["reason"],
        "count": lambda: f"variance: {data['variance_reason']}" if data["variance_reason"] else "matches the books",
        "reverse": lambda: f"reverses entry {data['entry']}: {data['reason']}",
        "price": lambda: f"{data['shop']} " + ", ".join(f"{k} {v:,}" for k, v in data["prices"].items()),
        "voucher": lambda: f"{data['code']} for {data['recipient']} at {data['shop']}, {data['value']:,} đồng",
        "pickup": lambda: f"voucher {data['voucher']} of {data['recipient']}, {data['value']:,} đồng",
        "cancel": lambda: f"voucher {data['code']}: {data['reason']}",
        "tier": lambda: f"{data['code']} to tier {data['tier']}: {data['reason']}",
        "exclude": lambda: f"{data['code']} excluded: {data['reason']}",
        "include": lambda: f"{data['code']} included: {data['reason']}",
        "recipient change": lambda: f"{data['code']} group {data['group'] or '-'}, "
                                    f"{data['size']} people: {data['reason']}",
        "tier label": lambda: f"tier {data['tier']} is '{data['label']}'",
        "round open": lambda: f"{data['round']} from {data['location']}, {data['policy']}",
        "round close": lambda: data["round"],
    }
    return parts[kind]()


def effect(line: dict[str, Any]) -> str:
    """Goods and cash moved, as "KHO RICE +500; received +1,000,000"."""
    goods = [f"{loc} {item} {delta:+,}" for loc, item, delta in line["moves"]]
    cash = [f"{category} {delta:+,}" for category, delta in line["cash"].items()]
    return "; ".join(goods + cash)


def history(lines: Iterable[dict[str, Any]], at: str | None = None, item: str | None = None,
            as_of: str | None = None) -> list[dict[str, Any]]:
    """Entries in id order; filtered to one location and item, in date order with a balance."""
    chosen = []
    for line in lines:
        if as_of is not None and line["on"] > as_of:
            continue
        if at is not None or item is not None:
            moves = [m for m in line["moves"]
                     if (at is None or m[0] == at) and (item is None or m[1] == item)]
            if not moves:
                continue
            line = {**line, "change": sum(m[2] for m in moves)}
        chosen.append(line)
    if at is not None and item is not None:
        chosen.sort(key=lambda line: (line["on"], line["id"]))
        running = 0
        for line in chosen:
            running += line["change"]
            line["balance"] = running
    return chosen
