"""`aid audit trace` in flat memory: the streamed replay of one donation (`trace_donation`) tells
exactly the story the full `Tracer` tells, for every donation of random ledgers with back-dated
entries, transfers, packing and unpacking, dated lots, reversals and hand-outs recorded before
their goods arrive; and the command prints the same text as with the full replay."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands.audit.auditor import _not_a_donation
from ledger.errors import Refused
from ledger.store.access import Address, locate, open_ledger, open_log
from projections.audit import trace as tracing
from projections.audit.trace import donation, trace, trace_donation
from projections.events import ward_events
from tests.projections.test_audit_checks import record_movement, write_history

ACTOR = "prop"
DAYS = ["2021-11-10", "2021-11-11", "2021-11-12", "2021-11-13"]
EXPIRES = st.sampled_from([None, "2021-11-30", "2021-12-31"])
DAY, LOCATION = st.sampled_from(DAYS), st.sampled_from(["KHO", "SHOP"])
ITEM, GOODS = st.sampled_from(["RICE", "NOODLE"]), st.sampled_from(["RICE", "NOODLE", "B"])
OPERATIONS = st.lists(st.one_of(
    st.tuples(st.just("donate"), LOCATION, ITEM, st.integers(0, 30),
              st.sampled_from([0, 20_000]), DAY, EXPIRES),
    st.tuples(st.just("buy"), LOCATION, ITEM, st.integers(1, 20), DAY, EXPIRES),
    st.tuples(st.just("pack"), LOCATION, st.integers(1, 4), DAY),
    st.tuples(st.just("unpack"), LOCATION, st.integers(1, 3), DAY),
    st.tuples(st.just("give"), st.sampled_from(["H1", "H2", "H3"]), LOCATION, GOODS,
              st.integers(0, 8), st.sampled_from([0, 5_000]), DAY),
    st.tuples(st.just("transfer"), LOCATION, GOODS, st.integers(1, 12), DAY),
    st.tuples(st.just("adjust"), LOCATION, ITEM, st.integers(-20, 5), DAY),
    st.tuples(st.just("drain"), LOCATION, ITEM, DAY),
    st.tuples(st.just("late"), LOCATION, ITEM, st.integers(1, 4), st.sampled_from(DAYS[1:])),
    st.tuples(st.just("late packing"), LOCATION, st.integers(1, 3), st.sampled_from(DAYS[1:]),
              st.sampled_from(["keep", "give", "unpack"])),
    st.tuples(st.just("reverse"), st.integers(0, 60)),
), min_size=3, max_size=40)


def new_ward(path: Path):
    """Two locations with goods, a fund, packed bundles and three households in two groups."""
    writer = open_ledger(Address(path=path), create=True)
    day = "2021-11-01"
    writer.init("P", day, ACTOR)
    writer.add_item("RICE", "Gạo", "kg", None, day, ACTOR)
    writer.add_item("NOODLE", "Mì", "case", None, day, ACTOR)
    writer.add_location("KHO", "Kho", "store", day, ACTOR)
    writer.add_location("SHOP", "Shop", "shop", day, ACTOR)
    writer.add_donor("D1", "Công ty", False, day, ACTOR)
    writer.add_donor("D2", "Nhà hảo tâm", True, day, ACTOR)
    for n, group in ((1, "Tổ 1"), (2, "Tổ 1"), (3, "Tổ 2")):
        writer.add_recipient(f"H{n}", f"Hộ {n}", group, 3, 3, None, day, ACTOR)
    writer.define_bundle("B", "Phần quà", {"RICE": 2, "NOODLE": 1}, 10_000, day, ACTOR)
    for location, donor in (("KHO", "D1"), ("SHOP", "D2")):
        writer.donate(donor, location, 100_000, {"RICE": 40, "NOODLE": 20}, "R-" + location,
                      None, "2021-11-10", ACTOR)
        writer.pack("B", 3, location, "2021-11-10", ACTOR)
    return writer


def record(writer, operation, facts: list[int]) -> None:
    kind, *args = operation
    if kind == "donate":
        location, item, qty, cash, day, expires = args
        facts.append(writer.donate("D1", location, cash, {item: qty} if qty else {}, None, None,
                                   day, ACTOR, expires=expires))
    elif kind == "buy":
        location, item, qty, day, expires = args
        facts.append(writer.buy(location, 10_000, {item: qty}, None, day, ACTOR,
                                expires=expires))
    elif record_movement(writer, kind, args, facts, ACTOR):
        pass
    elif kind == "drain":
        drain(writer, *args, facts)
    elif kind == "late":
        late(writer, *args, facts)
    elif kind == "late packing":
        late_packing(writer, *args, facts)
    elif facts:
        facts.append(writer.reverse(facts[args[0] % len(facts)], "mistake", ACTOR))


def drain(writer, location: str, item: str, day: str, facts: list[int]) -> None:
    """Write off all the stock `day` and later allow: back-dated, it empties the bin in the
    replay before same-day takers recorded earlier, who then wait for the next goods in."""
    try:
        writer.adjust(location, {item: -10**6}, "flooded", day, ACTOR)
    except Refused as refusal:
        held = refusal.fields.get("held")
        if held:
            facts.append(writer.adjust(location, {item: -held}, "flooded", day, ACTOR))


def late(writer, location: str, item: str, qty: int, day: str, facts: list[int]) -> None:
    """A hand-out recorded before the donation that covers it the same day, then the stock
    there written off on the first day: replayed by date, the hand-out waits for the goods."""
    facts.append(writer.give("H2", location, {}, {item: qty}, 0, day, ACTOR))
    facts.append(writer.donate("D2", location, 0, {item: qty}, None, None, day, ACTOR))
    drain(writer, location, item, DAYS[0], facts)


def late_packing(writer, location: str, count: int, day: str, then: str,
                 facts: list[int]) -> None:
    """The same for a packing: its bundles wait to be filled, and may be handed out or
    unpacked, every bundle there, before the goods arrive."""
    facts.append(writer.pack("B", count, location, day, ACTOR))
    if then != "keep":
        every_bundle(writer, then, location, day, facts)
    needs = {"RICE": 2 * count, "NOODLE": count}
    facts.append(writer.donate("D2", location, 0, needs, None, None, day, ACTOR))
    for item in needs:
        drain(writer, location, item, DAYS[0], facts)


def every_bundle(writer, then: str, location: str, day: str, facts: list[int]) -> None:
    """Hand out (to H3) or unpack every bundle `location` holds from `day` on."""
    record = {"give": lambda n: writer.give("H3", location, {"B": n}, {}, 0, day, ACTOR),
              "unpack": lambda n: writer.unpack("B", n, location, day, ACTOR)}[then]
    try:
        record(10**6)
    except Refused as refusal:
        if refusal.fields.get("held"):
            facts.append(record(refusal.fields["held"]))


def stored_events(path: Path) -> list:
    log = open_log(Address(path=path))
    try:
        return [e for e in ward_events(log.stored()) if not isinstance(e, str)]
    finally:
        log.close()


def assert_same_stories(events: list) -> None:
    """Every entry (and one past the last): the same story, or the same reason for none; and
    every donation traced together with all the others in one replay (a donor's search)
    tells the same story as alone."""
    full = trace(events)
    entries = range(0, max(e.entry for e in events) + 2)
    together = trace_donation(iter(events), *entries)
    for entry in entries:
        streamed = trace_donation(iter(events), entry)
        assert donation(streamed, entry) == donation(full, entry), entry
        assert donation(together, entry) == donation(full, entry), entry
        if not donation(full, entry):
            said, told = _not_a_donation(streamed, entry), _not_a_donation(full, entry)
            assert (str(said), said.args) == (str(told), told.args), entry


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OPERATIONS)
def test_streamed_trace_tells_every_donation_as_the_full_replay(operations):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "prop.db"
        write_history(new_ward(path), record, operations)
        assert_same_stories(stored_events(path))


def test_bundle_handed_out_before_its_rice_arrives(tmp_path):
    """Replayed by date: everything at KHO is written off on the 11th (recorded later,
    back-dated), so on the 12th the packing waits for rice and noodles, the bundle is handed
    out still waiting, and the donation recorded after them fills it: that household got the
    donation's goods, in the bundle, and the full and streamed replays both say so."""
    path = tmp_path / "aid.db"
    writer = new_ward(path)
    try:
        writer.pack("B", 1, "KHO", "2021-11-12", ACTOR)
        given_out = writer.give("H3", "KHO", {"B": 4}, {}, 0, "2021-11-12", ACTOR)
        late = writer.donate("D2", "KHO", 0, {"RICE": 10, "NOODLE": 5}, "LATE", None,
                             "2021-11-12", ACTOR)
        writer.adjust("KHO", {"RICE": -34, "NOODLE": -17}, "flooded", "2021-11-11", ACTOR)
        writer.give("H1", "KHO", {}, {"RICE": 5}, 0, "2021-11-13", ACTOR)
        writer.unpack("B", 1, "SHOP", "2021-11-13", ACTOR)
    finally:
        writer.close()
    events = stored_events(path)
    flows = donation(trace_donation(iter(events), late), late)["flows"]
    assert [(f["item"], f["quantity"], f["to"], f["entry"], f["via"]) for f in flows] == [
        ("RICE", 2, "given", given_out, "B"), ("NOODLE", 1, "given", given_out, "B"),
        ("RICE", 5, "given", given_out + 3, None), ("NOODLE", 4, "held", None, None),
        ("RICE", 3, "held", None, None)]
    assert_same_stories(events)


@pytest.fixture
def demo(sqlite_ledger):
    return sqlite_ledger.drive(whole=True)


def test_the_command_prints_what_the_full_replay_printed(demo, monkeypatch):
    """Every format, every donation of the demo, and the refusals of other entries: the text
    is the one the full replay gives (the command run again with `Tracer` in its place)."""
    log = open_log(locate(environ=demo.env))
    try:
        events = [e for e in ward_events(log.stored()) if not isinstance(e, str)]
    finally:
        log.close()
    donations = [e.entry for e in events if e.name == "Ward.Donated"]
    asked = [(entry, fmt) for entry in donations for fmt in ("table", "json", "csv")]
    handed_out = next(e.entry for e in events if e.name == "Ward.HandedOut")
    asked += [(entry, "table") for entry in (0, 3, handed_out, events[-1].entry + 1)]
    streamed = [run(demo, entry, fmt) for entry, fmt in asked]
    monkeypatch.setattr(tracing, "trace_donation", lambda events, _: trace(events))
    assert streamed == [run(demo, entry, fmt) for entry, fmt in asked]
    assert sum(result[0] == 0 for result in streamed) == 3 * len(donations)


def run(ledger, entry: int, fmt: str) -> tuple[int, str, str]:
    result = ledger.fails("audit", "trace", str(entry), "--format", fmt)
    return result.code, result.out, result.err
