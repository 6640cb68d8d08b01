"""Issue #22: the ward's stored snapshots, which every write starts from, could be edited in the
database and no audit said so (the write side then allows and refuses by the edit). `aid audit
verify` and `aid audit check` now fold the ward from its first event and name every part of a
stored snapshot the fold does not give; `aid rebuild` takes the snapshot again from the events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from ledger.store.access import EventLog, locate, open_log
from ledger.ward.names import WARD_ID
from tests.commands.test_import import write_donations


@contextmanager
def database(ward, writable: bool = False) -> Iterator[EventLog]:
    """The ward's own database, as someone holding it would use it."""
    log = open_log(locate(environ=ward.env), writable=writable)
    try:
        yield log
    finally:
        log.close()


def snapshots(ward) -> list[tuple[int, dict]]:
    """(entry, stored JSON) of each stored snapshot of the ward."""
    with database(ward) as log:
        return [(version, json.loads(state))
                for version, _, state in log.snapshots(WARD_ID, limit=10_000)]


def store(ward, version: int, data: dict | None = None, topic: str | None = None) -> None:
    """Overwrite a stored snapshot."""
    with database(ward, writable=True) as log:
        p, table = log.paramstyle, log.snapshots_table
        if data is not None:
            state = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
            log.connection.execute(f"UPDATE {table} SET state = {p} WHERE originator_version "
                                   f"= {p}", (state, version))
        if topic is not None:
            log.connection.execute(f"UPDATE {table} SET topic = {p} WHERE originator_version "
                                   f"= {p}", (topic, version))


def delete_entry(ward, version: int) -> None:
    """Delete one of the ward's stored events."""
    with database(ward, writable=True) as log:
        p = log.paramstyle
        log.connection.execute(f"DELETE FROM {log.events_table} WHERE originator_id = {p} AND "
                               f"originator_version = {p}", (log._originator(WARD_ID), version))


def stocked(ward, tmp_path):
    """130 donations in one import: past the ward's hundredth entry, so it has a snapshot."""
    ward("import", "donations", str(write_donations(tmp_path / "d.csv", 130)))
    (version, _), = snapshots(ward)
    return version


def audit(ward):
    return ward.fails("audit", "verify"), ward.fails("audit", "check", "--format", "json")


def test_an_honest_ward_and_an_old_release_s_snapshot_have_no_finding(ward, tmp_path):
    version = stocked(ward, tmp_path)
    ward("give", "H1", "--from", "KHO", "--item", "RICE=3", "--on", "2021-11-20")
    verify, check = audit(ward)
    assert verify.code == 0 and "snapshot" not in verify.out, verify.out
    assert check.code == 0 and check.json()["failures"] == []
    # a snapshot taken by a release before lots, rounds and shops were kept lacks them: the
    # ward makes them on first use, and the audit does not call that a difference
    (_, data), = snapshots(ward)
    for part in ("lots", "rounds", "shops", "values", "reserved"):
        data["state"].pop(part, None)
    store(ward, version, data)
    assert audit(ward)[0].code == 0


def test_a_snapshot_taken_before_counts_were_kept_is_folded_again_once(ward, tmp_path):
    """The ward keeps the days each bin was counted (an entry dated before a standing count
    is refused). A snapshot of a release that kept none lacks them: the next write folds the
    ward from its events once and snapshots it with them, and the audit does not call the
    old snapshot's lack a difference."""
    ward("count", "KHO", "--item", "RICE=0", "--on", "2021-11-09")
    version = stocked(ward, tmp_path)  # a count, then 130 donations dated 10-14/11
    (_, data), = snapshots(ward)
    assert data["state"]["counted"] == {"KHO\tRICE": {"10": "2021-11-09"}}
    data["state"].pop("counted")
    store(ward, version, data)
    assert audit(ward)[0].code == 0 and audit(ward)[1].code == 0
    before = ward.snapshot()
    refused = ward.fails("donate", "D1", "--into", "KHO", "--item", "RICE=1", "--on",
                         "2021-11-08")
    assert refused.code == 1 and "counted on 2021-11-09 (entry 10)" in refused.err
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=1", "--on", "2021-11-09")
    assert [v for v, d in snapshots(ward) if "counted" in d["state"]]  # taken again, whole
    assert audit(ward)[0].code == 0 and audit(ward)[1].code == 0
    assert ward.snapshot() != before


def test_edited_stock_in_the_snapshot_is_named_and_rebuild_takes_it_again(ward, tmp_path):
    version = stocked(ward, tmp_path)
    (_, data), = snapshots(ward)
    bins = data["state"]["bins"]["KHO\tRICE"]
    day = sorted(bins)[-1]
    real = bins[day]
    bins[day] = real + 1000
    store(ward, version, data)
    verify, check = audit(ward)
    finding = (f"the ward's snapshot at entry {version}: stock › KHO › RICE › {day}: stored "
               f"{real + 1000}, recomputed from the events {real} (every write starts from it: "
               "run `aid rebuild`)")
    assert verify.code == 1 and finding in verify.out, verify.out
    assert check.code == 1 and [(f["rule"], f["problem"]) for f in check.json()["failures"]] \
        == [("read model", finding)]
    held = ward("stock", "--format", "json").json()
    rice = next(row["quantity"] for row in held if row["item"] == "RICE")
    ward("rebuild")
    assert [entry for entry, _ in snapshots(ward)] == [version]  # taken again from the events
    assert audit(ward)[0].code == 0
    refused = ward.fails("give", "H1", "--from", "KHO", "--item", f"RICE={rice + 1}",
                         "--on", "2021-11-20")
    assert refused.code != 0 and "not enough" in refused.err  # the edit no longer counts


def test_a_snapshot_added_part_and_an_unreadable_one_are_named(ward, tmp_path):
    version = stocked(ward, tmp_path)
    (_, data), = snapshots(ward)
    data["state"]["forgotten"] = {"H1": 5}  # a household "forgotten" that never was
    store(ward, version, data)
    finding = (f"the ward's snapshot at entry {version}: forgotten households › H1: stored 5, "
               "recomputed from the events —")
    assert finding in audit(ward)[0].out
    store(ward, version, topic="nowhere:Nothing")
    verify = audit(ward)[0]
    assert verify.code == 1 and (f"the ward's snapshot at entry {version} cannot be checked"
                                 in verify.out) and "Traceback" not in verify.out + verify.err


def test_every_kind_of_write_snapshotted_at_once_has_no_finding(ledger, monkeypatch):
    """Honest, and exhaustive in kinds: the whole demo (declarations, gifts, bundles, hand-outs,
    a count, vouchers and pick-ups, a round with its reservations, dated lots, minimums), then
    a time zone, a bank account, a forgotten household, with the ward snapshotted after every
    write: each snapshot is what the fold gives (what a write made on first use included)."""
    from ledger.service import Ledger as Application
    from ledger.ward.aggregate import Ward

    monkeypatch.setattr(Application, "snapshotting_intervals", {Ward: 1})
    ledger.drive(whole=True)
    ledger("timezone", "Asia/Bangkok")
    ledger("bank", "account", "add", "VCB1", "--bank", "VCB", "--number", "1029990042",
           "--name", "UBMTTQ PHUONG 3")
    ledger("bank", "fee", "VCB1", "--cash", "11000", "--note", "THU PHI SMS")
    fee = ledger.entry("bank", "fee", "VCB1", "--cash", "55000")
    ledger("reverse", str(fee), "--reason", "refunded")
    ledger("recipient", "forget", "H06", "--reason", "moved away")
    taken = snapshots(ledger)
    assert len(taken) > 60 and taken[-1][0] == max(entry for entry, _ in taken)
    verify = ledger.fails("audit", "verify")
    assert verify.code == 0 and "snapshot" not in verify.out, verify.out + verify.err
    assert ledger("audit", "check", "--format", "json").json()["failures"] == []


def test_a_part_the_fold_holds_missing_from_the_snapshot_is_named(ward, tmp_path):
    """A part a later release added may be missing from an older snapshot only while the fold
    has it empty (as the ward makes it on first use): a snapshot without the forgotten
    households would let a household be forgotten twice, one without the stock would break
    every write."""
    ward("recipient", "forget", "H2", "--reason", "moved away")
    version = stocked(ward, tmp_path)
    (_, data), = snapshots(ward)
    forgotten = data["state"].pop("forgotten")
    store(ward, version, data)
    verify, check = audit(ward)
    finding = (f"the ward's snapshot at entry {version}: forgotten households: stored —, "
               f"recomputed from the events {json.dumps(forgotten)}")
    assert verify.code == 1 and finding in verify.out, verify.out
    assert check.code == 1 and finding in check.json()["failures"][0]["problem"]
    del data["state"]["bins"]
    store(ward, version, data)
    assert f"the ward's snapshot at entry {version}: stock: stored —" in audit(ward)[0].out


def test_a_snapshot_of_something_else_is_named(ward, tmp_path):
    version = stocked(ward, tmp_path)
    (_, data), = snapshots(ward)
    data["topic"] = "eventsourcing.domain:Aggregate"  # a write would start from a bare aggregate
    store(ward, version, data)
    named = (f"the ward's snapshot at entry {version} cannot be checked: it is not a snapshot "
             "of the ward")
    assert named in audit(ward)[0].out
    (_, data), = snapshots(ward)
    data["topic"] = "ledger.ward:Ward"
    store(ward, version, data, topic="ledger.ward:Ward.Reversed")  # the row's class forged
    assert named in audit(ward)[0].out


def test_a_snapshot_past_the_last_event_stops_writes_until_rebuild(ward, tmp_path):
    """A write starting from a snapshot beyond the ward's events would record its entry past
    a gap (and sign it): the write side refuses, writing nothing; `aid rebuild` puts the
    snapshot back where the events are."""
    version = stocked(ward, tmp_path)
    with database(ward, writable=True) as log:
        p, table = log.paramstyle, log.snapshots_table
        log.connection.execute(f"INSERT INTO {table} (originator_id, originator_version, topic, "
                               f"state) SELECT originator_id, {p}, topic, state FROM {table}",
                               (version + 60,))
    before = ward.snapshot()
    refused = ward.fails("give", "H1", "--from", "KHO", "--item", "RICE=1", "--on",
                         "2021-11-20")
    assert refused.code == 1 and (f"the ward's stored snapshot is at entry {version + 60}, past "
                                  "its last event") in refused.err
    assert ward.snapshot() == before
    assert f"snapshot at entry {version + 60} cannot be checked" in audit(ward)[0].out
    ward("rebuild")
    assert [entry for entry, _ in snapshots(ward)] == [version]
    assert ward.entry("give", "H1", "--from", "KHO", "--item", "RICE=1", "--on",
                      "2021-11-20") == version + 1
    assert audit(ward)[0].code == 0


def test_rebuild_refuses_a_history_with_a_gap_and_changes_nothing(ward, tmp_path):
    version = stocked(ward, tmp_path)
    delete_entry(ward, 50)
    before = snapshots(ward)
    refused = ward.fails("rebuild")
    assert refused.code == 1 and refused.err.strip() == (
        "aid: the ward's events skip from entry 49 to entry 51: its history is broken (run "
        "`aid audit check`); the stored snapshots are left as they were")
    assert snapshots(ward) == before and before[0][0] == version


def test_a_value_of_another_type_is_named(ward, tmp_path):
    """500.0 equals 500 in Python, and a write starting from it would record a decimal move
    (then blamed on the treasurer): a leaf of another type is a difference."""
    version = stocked(ward, tmp_path)
    (_, data), = snapshots(ward)
    bins = data["state"]["bins"]["KHO\tRICE"]
    day = sorted(bins)[-1]
    bins[day] = float(bins[day])
    store(ward, version, data)
    assert (f"the ward's snapshot at entry {version}: stock › KHO › RICE › {day}: stored "
            f"{float(bins[day])}, recomputed from the events {int(bins[day])}") in \
        audit(ward)[0].out


def test_rebuild_and_the_audit_name_a_missing_first_entry(ward, tmp_path):
    version = stocked(ward, tmp_path)
    delete_entry(ward, 1)
    refused = ward.fails("rebuild")
    assert refused.code == 1 and refused.err.strip() == (
        "aid: the ward's events skip from entry 0 to entry 2: its history is broken (run "
        "`aid audit check`); the stored snapshots are left as they were")
    assert (f"the ward's snapshot at entry {version} cannot be checked: the ward's events skip "
            "from entry 0 to entry 2") in audit(ward)[0].out
