"""Ledgers written by earlier releases open with this one: a ward's ledger outlives every upgrade.

Each folder `tests/fixtures/ledger-<release>` holds a ledger made by that release's own code with
`tests/fixtures/make_ledger.sh` (signed entries, encrypted households, dated lots, a round with a
reservation, vouchers, a reversal, a forgotten household, a revoked key), its key files, a digest
and the output of every report in `tests/fixtures/reports.txt` as that release printed it. Every
later release keeps the folder and adds its own.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import Ledger, _env

FIXTURES = Path(__file__).parents[1] / "fixtures"
RELEASES = sorted(p.name for p in FIXTURES.glob("ledger-*"))
REPORTS = [line for line in (FIXTURES / "reports.txt").read_text().splitlines()
           if line and not line.startswith("#")]
# Figures a later release prints differently on purpose, because the release that made the
# fixture printed them wrong: per release and report, the JSON keys (dotted) as printed now, and
# why. Everything else in the report still reads as that release printed it.
CORRECTED = {(c["release"], c["report"]): c
             for c in json.loads((FIXTURES / "corrections.json").read_text())}


@pytest.fixture(params=RELEASES)
def old(request, tmp_path) -> Path:
    """A copy of the release's ledger (a test must never change the committed file)."""
    folder = tmp_path / request.param
    shutil.copytree(FIXTURES / request.param, folder)
    for key in [*folder.glob("*.key"), *folder.glob("*.pem")]:
        key.chmod(0o600)  # git keeps 0644; aid refuses key files others may read
    return folder


@pytest.fixture
def aid(old) -> Ledger:
    """The CLI on the copy, as the treasurer who made it."""
    return Ledger(_env(AID_DB=str(old / "ledger.db"), AID_KEY_FILE=str(old / "ward.key"),
                       AID_SIGNING_KEY_FILE=str(old / "lan.pem"), AID_ACTOR="Chị Lan"),
                  "sqlite", old / "ledger.db")


def stored(folder: Path) -> list[tuple[int, str, bytes]]:
    with sqlite3.connect(folder / "ledger.db") as connection:
        return connection.execute(
            "SELECT rowid, topic, state FROM stored_events ORDER BY rowid").fetchall()


@pytest.mark.parametrize("number", range(1, len(REPORTS) + 1))
def test_every_report_reads_as_the_release_printed_it(old, aid, number, today, monkeypatch):
    """Run on a day of the drive (`today`: 30/11/2021): a report asked for now counts lots
    expired by today as not free (issue 24), so in 2026 the fixture's rice of 31/12/2021 is
    rightly no longer free; on the drive's own days it reads as the release printed it. Release
    0.1 printed its vouchers' status after they expired (2026), while a voucher valid to
    31/12/2021 is live on 30/11/2021, so its voucher reports run on today's date; later
    releases print their reports on that day (tests/fixtures/on_day.py)."""
    line = REPORTS[number - 1]
    if old.name == "ledger-0.1" and line.startswith(("voucher list", "shop report")):
        monkeypatch.undo()
    result = aid(*line.split(), ok=False)
    printed = corrected(old.name, number, timeless((old / "reports" / f"{number}.out").read_text()))
    assert as_printed(timeless(result.out), printed) == printed, line
    assert result.code == int((old / "reports" / f"{number}.rc").read_text()), line


def corrected(release: str, number: int, printed: Any) -> Any:
    """What the release printed, with the keys `corrections.json` corrects as printed now; a
    correction of a key that was printed right is stale, and fails."""
    for path, value in CORRECTED.get((release, number), {"keys": {}})["keys"].items():
        *parents, last = path.split(".")
        holder = printed
        for key in parents:
            holder = holder[key]
        assert holder[last] != value, f"{release} report {number}: {path} needs no correction"
        holder[last] = value
    return printed


def as_printed(now: object, then: object) -> object:
    """Today's JSON cut to the keys the release printed: a later release may add keys (as the
    JSON contracts allow, `checkpoint` on the statement), never drop or change one."""
    if isinstance(now, dict) and isinstance(then, dict):
        return {k: as_printed(now[k], v) if k in now else "<dropped>" for k, v in then.items()}
    if isinstance(now, list) and isinstance(then, list) and len(now) == len(then):
        return [as_printed(a, b) for a, b in zip(now, then)]
    return now


def timeless(out: str) -> object:
    """A report without the moment its digest was taken (`taken`: the clock, not the ledger)."""
    if not out.startswith(("{", "[")):
        return out

    def drop(value: object) -> object:
        if isinstance(value, dict):
            return {k: drop(v) for k, v in value.items() if k != "taken"}
        return [drop(v) for v in value] if isinstance(value, list) else value

    return drop(json.loads(out))


# what each release's ledger holds: stored rows, signed events, the ward's version
HOLDS = {"ledger-0.1": (125, 21, 98), "ledger-0.2": (159, 40, 113)}


def test_the_old_digest_verifies(old, aid):
    result = aid("audit", "verify", "--digest", str(old / "digest.json"))
    assert f"signatures: {HOLDS[old.name][1]} events signed" in result.out


def test_every_stored_event_reads_back_through_the_library(old):
    """The library resolves each stored name to a class of today's code (nothing is looked up
    by module path), and the ward replays from its snapshot and from its first event alike."""
    from ledger.store import claims  # noqa: F401 - written by the application, never read
    from ledger.store.access import locate, open_ledger
    from ledger.trust import keyring, seals  # noqa: F401 - loaded only by ledgers that sign

    ledger = open_ledger(locate(old / "ledger.db"))
    try:
        events = [ledger.mapper.to_domain_event(item)
                  for item in ledger.recorder.select_notifications(start=1, limit=10_000)]
        rows, _signed, version = HOLDS[old.name]
        assert len(events) == len(stored(old)) == rows
        ward = ledger.repository.get(events[0].originator_id)  # from its snapshot
        replayed = None
        for event in events:
            if event.originator_id == ward.id:
                replayed = event.mutate(replayed)
        assert ward.version == replayed.version == version
        assert replayed.name == ward.name == "Phường 3"
        assert replayed.bins == ward.bins and replayed.fund == ward.fund
    finally:
        ledger.close()


def test_new_entries_extend_an_old_ledger_with_the_same_stored_names(old, aid):
    before = stored(old)
    aid("donate", "MEKONG", "--into", "KHO", "--item", "RICE=10", "--receipt", "PT-3000",
        "--on", "28/11/2021")
    after = stored(old)
    assert after[:len(before)] == before  # not a byte of history rewritten
    names = {topic for _, topic, _ in after[len(before):]}
    assert "ledger.ward:Ward.Donated" in names
    assert names <= {topic for _, topic, _ in before}  # no new spelling of an old event
    aid("audit", "verify", "--digest", str(old / "digest.json"))
    stock = {(r["location"], r["item"]): r["quantity"]
             for r in aid("stock", "--format", "json").json()}
    previous = {(r["location"], r["item"]): r["quantity"]
                for r in json.loads((old / "reports" / "1.out").read_text())}
    assert stock[("KHO", "RICE")] == previous[("KHO", "RICE")] + 10


def test_every_event_class_has_a_frozen_stored_name():
    """Each event the code can record names itself with `TOPIC`, and the list of names only
    grows: renaming one would orphan every ledger that stored it (docs/format.md)."""
    frozen = (FIXTURES / "topics.txt").read_text().split()
    names = stored_names()
    assert sorted(set(frozen) - set(names)) == [], "a stored name was removed"
    assert names == sorted(frozen), "a new event needs its name added to topics.txt"


def test_readers_spell_the_keyrings_names_as_it_stores_them():
    """Readers that must not load the event library (a write on an unsigned ledger) spell the
    keyring's stored names themselves; they are the keyring's own."""
    from ledger.trust import heads
    from ledger.trust.keyring import Keyring
    from ledger.trust.seal_bytes import KEY_DECLARED

    assert KEY_DECLARED == heads.DECLARED == Keyring.Declared.TOPIC
    assert heads.REVOKED == Keyring.Revoked.TOPIC


# names the library gives aggregates and the base classes of their events: never a stored row
NEVER_STORED = {f"ledger.{name}" for name in (
    "ward:Ward", "ward:Ward.Created", "ward:Ward.Declared", "ward:Ward.Fact",
    "banklines:Line", "banklines:Line.Created", "claims:Claim", "claims:Claim.Created",
    "keys:Keyring", "keys:Keyring.Created", "seals:Seal", "seals:Seal.Created")}
# recorded only when a ledger begun in clear is encrypted (`aid key init --encrypt-existing`);
# the fixtures' households are sealed from the start
NOT_IN_A_FIXTURE = {"ledger.privacy:RecipientSealed", "ledger.privacy:DetailsEncrypted"}


def test_every_kind_of_event_is_stored_in_a_fixture_ledger():
    """A kind of event no fixture holds is a format no test reads back: a release that adds
    one adds a fixture ledger holding it (tests/fixtures/make_ledger.sh)."""
    held = {topic for release in RELEASES for _, topic, _ in stored(FIXTURES / release)}
    frozen = set((FIXTURES / "topics.txt").read_text().split())
    assert sorted(frozen - NEVER_STORED - NOT_IN_A_FIXTURE - held) == []


def stored_names() -> list[str]:
    """The name of every event and aggregate class defined in `ledger/` (the library wraps
    nested event classes in subclasses: the one a name resolves to is the one recorded)."""
    import importlib
    import pkgutil

    from eventsourcing.domain import BaseAggregate, CanMutateAggregate
    from eventsourcing.utils import resolve_topic

    import ledger

    for module in pkgutil.walk_packages(ledger.__path__, "ledger."):
        importlib.import_module(module.name)
    names: set[str] = set()
    pending = [CanMutateAggregate, BaseAggregate]
    while pending:
        for cls in pending.pop().__subclasses__():
            pending.append(cls)
            if cls.__module__.startswith("ledger.") and cls.__name__ != "Event":
                assert getattr(cls, "TOPIC", None), f"{cls.__qualname__} has no TOPIC"
                if resolve_topic(cls.TOPIC) is cls:
                    names.add(cls.TOPIC)
    return sorted(names)


def test_the_read_side_names_every_ward_event_as_it_is_stored():
    """`ledger/ward/names.py` (what projections match on) spells each ward event exactly as
    its `TOPIC` stores it, and misses none."""
    from ledger.ward import names

    ward_topics = {name for name in stored_names()
                   if name.startswith(("ledger.ward:Ward.", "ledger.register:", "ledger.rounds:",
                                       "ledger.vouchers:", "ledger.privacy:", "ledger.zones:",
                                       "ledger.thresholds:", "ledger.bank:"))}
    short = {topic.rpartition(":")[2] for topic in ward_topics} - {
        "Ward", "Ward.Created", "Ward.Declared", "Ward.Fact"}  # never recorded themselves
    spelled = {value for key, value in vars(names).items()
               if key.isupper() and key != "WARD" and isinstance(value, str)}  # not the ids
    assert spelled == short
    assert {names.short(topic) for topic in ward_topics} == {
        topic.rpartition(":")[2] for topic in ward_topics}
    assert names.WARD + names.DONATED in ward_topics and names.WARD + names.OPENED in ward_topics
