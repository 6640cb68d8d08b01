"""`aid sync` and `aid district …` against a real PostgreSQL district store.

Each test gets a district database of its own (the `district` fixture, dropped afterwards);
wards are real SQLite ledgers built with the demo drive's core and driven through the CLI.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest
from conftest import Ledger, _env

from ledger.store.access import Address, open_ledger, open_log, table_prefix
from ledger.trust.chain import originator_text


def make_ward(path: Path, code: str | None, extra=None) -> Ledger:
    """A ward ledger with the demo drive's core, its district code, then `extra(ledger)`."""
    from commands.recording.demo import build_drive

    writer = open_ledger(Address(path=path), create=True)
    try:
        build_drive(writer)
        if code:
            writer.set_code(code, "2021-11-22", "tester")
        if extra:
            extra(writer)
    finally:
        writer.close()
    return Ledger(_env(AID_DB=str(path)), "sqlite", path)


def rows_of(address: Address) -> list[tuple]:
    """Every stored row with its link, comparable across SQLite and PostgreSQL."""
    log = open_log(address)
    try:
        with log.snapshot():  # one read: a killed sync's last commit may land in between
            links = dict(log.links())
            return [(p, originator_text(o), v, t, s, links.get(p))
                    for p, o, v, t, s in log.stored()]
    finally:
        log.close()


def copy_of(url: str, code: str) -> list[tuple]:
    return rows_of(Address(url=url, ward=table_prefix(code)))


def more_gifts(ledger) -> None:
    """Ward 2's different data: another donor's rice and cash, two more hand-outs."""
    ledger.donate("MTTQ", "KHO", 3_000_000, {"RICE": 200}, "PT-0101", None, "2021-11-23", "t")
    ledger.give("H05", "KHO", {}, {"RICE": 20}, 200_000, "2021-11-24", "t")
    ledger.give("H06", "SHOP0D", {}, {"RICE": 5}, 0, "2021-11-24", "t")


def own_drive(ledger) -> None:
    """Ward 3's different data: another donation, and a household only ward 3 has (X9)."""
    ledger.donate("DNT", "KHO", 1_000_000, {"NOODLE": 5}, "PT-0201", None, "2021-11-23", "t")
    ledger.add_recipient("X9", "Hộ X9", "Tổ 1", 2, 1, None, "2021-11-23", "t")
    ledger.give("X9", "KHO", {}, {"NOODLE": 1}, 0, "2021-11-23", "t")


def test_three_wards_sum_to_the_district(district, tmp_path):
    wards = {"P1": make_ward(tmp_path / "p1.db", "P1"),
             "P2": make_ward(tmp_path / "p2.db", "P2", more_gifts),
             "P3": make_ward(tmp_path / "p3.db", "P3", own_drive)}
    for ward in wards.values():
        sent = ward("sync", "--to", district, "--batch", "25").out
        assert "sent positions 1–25 (25 events)" in sent
    stock = wards["P1"]("district", "stock", "--url", district, "--format", "json").json()
    assert stock == [{"ward": code, **row} for code, ward in wards.items()
                     for row in ward("stock", "--format", "json").json()]
    cash = wards["P1"]("district", "cash", "--url", district, "--format", "json").json()
    own = {code: ward("cash", "--format", "json").json() for code, ward in wards.items()}
    assert {k: v for k, v in cash.items() if k != "total"} == own
    assert cash["total"]["received"] == 25_000_000 * 3 + 3_000_000 + 1_000_000 == sum(
        book["received"] for book in own.values())
    assert cash["total"]["balance"] == sum(book["balance"] for book in own.values())
    rice = [r for r in wards["P1"]("district", "stock", "--url", district, "--total",
                                   "--format", "json").json() if r["item"] == "RICE"]
    assert rice == [{"item": "RICE", "name": "Gạo", "quantity": 343 + 518 + 343, "unit": "kg",
                     "reserved": 0, "free": 343 + 518 + 343, "wards": 3}]
    for code, ward in wards.items():  # each copy is the ward's ledger, row for row and link
        assert copy_of(district, code) == rows_of(Address(path=ward.path))
    statement = wards["P1"]("district", "statement", "--url", district, "--format",
                            "json").json()
    for row in statement:  # each ward's digest head, as the ward's own digest says it
        digest = wards[row["ward"]]("audit", "digest", "--format", "json").json()
        assert (row["events"], row["head"]) == (digest["events"], digest["head"])
        assert row["received"] == own[row["ward"]]["received"]
        assert row["balance"] == own[row["ward"]]["balance"]
    assert [(r["ward"], r["households"], r["handouts"]) for r in statement] == [
        ("P1", 16, 16), ("P2", 18, 18), ("P3", 17, 17)]
    coverage = wards["P1"]("district", "coverage", "--url", district, "--format",
                           "json").json()
    assert {"ward": "P3", "group": "Tổ 1", "tier": 1, "households": 1, "served": 1} in coverage
    assert {"ward": "P2", "group": "Tổ 11", "tier": 2, "households": 1, "served": 1} in coverage
    assert {"ward": "P1", "group": "Tổ 11", "tier": 2, "households": 1, "served": 0} in coverage
    assert sum(r["served"] for r in coverage) == 16 + 18 + 17
    late = wards["P1"]("district", "coverage", "--url", district, "--from", "2021-11-23",
                       "--to", "2021-11-24", "--format", "json").json()
    assert [(r["ward"], r["group"], r["tier"], r["households"], r["served"]) for r in late
            if r["served"]] == [("P2", "Tổ 11", 2, 1, 1), ("P2", "Tổ 11", 3, 2, 1),
                                ("P3", "Tổ 1", 1, 1, 1)]  # H05, H06 on the 24th; X9 the 23rd
    assert sum(r["households"] for r in late) == sum(r["households"] for r in coverage)


def test_the_statement_names_a_copy_edited_in_the_districts_database(district, tmp_path):
    """Someone with the district's database (a superuser can switch the guard off) changes a
    hand-out in ward P1's copy: the statement still prints every ward, names the position,
    and exits 1; the honest copy of P2 is not flagged."""
    import psycopg

    wards = {"P1": make_ward(tmp_path / "p1.db", "P1"),
             "P2": make_ward(tmp_path / "p2.db", "P2", more_gifts)}
    for ward in wards.values():
        ward("sync", "--to", district)
    honest = wards["P1"]("district", "statement", "--url", district)
    assert honest.err == ""
    prefix = table_prefix("P1")
    with psycopg.connect(district) as conn:
        conn.execute("SET session_replication_role = replica")  # the guard's triggers off
        (position,) = conn.execute(f"SELECT min(notification_id) FROM {prefix}_events WHERE "
                                   "topic LIKE '%HandedOut'").fetchone()
        conn.execute(f"UPDATE {prefix}_events SET state = replace(state::text, '\\x', "
                     "'\\x20')::bytea WHERE notification_id = %s", (position,))
    edited = wards["P1"].fails("district", "statement", "--url", district, "--format", "json")
    assert edited.code == 1
    assert [row["ward"] for row in edited.json()] == ["P1", "P2"]
    assert edited.err.strip().splitlines() == [
        f"aid: warning: the district's copy of ward P1 has a broken chain at position "
        f"{position}; see `aid audit verify` with AID_WARD=P1"]


def test_functions_put_first_on_the_search_path_do_not_vouch_for_an_edited_copy(district,
                                                                                tmp_path):
    """The statement's chain check runs in the district's PostgreSQL; an aggregate `bool_and`
    that always answers true, or a `sha256` that returns anything, in a schema put before
    PostgreSQL's own on the district's search path, is not what the check calls."""
    import psycopg

    ward = make_ward(tmp_path / "p1.db", "P1")
    ward("sync", "--to", district)
    with psycopg.connect(district, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        (position,) = conn.execute(f"SELECT min(notification_id) FROM {table_prefix('P1')}"
                                   "_events WHERE topic LIKE '%HandedOut'").fetchone()
        conn.execute(f"UPDATE {table_prefix('P1')}_events SET state = replace(state::text, "
                     "'\\x', '\\x20')::bytea WHERE notification_id = %s", (position,))
        conn.execute("CREATE SCHEMA evil")
        conn.execute("CREATE FUNCTION evil.yes(boolean, boolean) RETURNS boolean LANGUAGE sql "
                     "AS 'SELECT true'")
        conn.execute("CREATE AGGREGATE evil.bool_and(boolean) (SFUNC = evil.yes, STYPE = "
                     "boolean, INITCOND = 'true')")
        conn.execute("CREATE FUNCTION evil.sha256(bytea) RETURNS bytea LANGUAGE sql AS "
                     "'SELECT ''\\x00''::bytea'")
        conn.execute(f"ALTER DATABASE {district.rsplit('/', 1)[1]} SET search_path = evil, "
                     "pg_catalog, public")
    edited = ward.fails("district", "statement", "--url", district)
    assert edited.code == 1
    assert f"ward P1 has a broken chain at position {position}" in edited.err


def test_the_same_household_code_in_two_wards_is_two_households(district, tmp_path):
    """Issue #24: P1's H02 and P3's H02 are different households (each ward numbers its own);
    the district matches households only by the keyed pseudonym of an ID number."""
    one = make_ward(tmp_path / "p1.db", "P1")
    three = make_ward(tmp_path / "p3.db", "P3", lambda w: (
        own_drive(w), w.give("H02", "KHO", {}, {"RICE": 5}, 0, "2021-11-21", "t")))
    one("sync", "--to", district)
    three("sync", "--to", district)
    found = one("district", "duplicates", "--url", district, "--format", "json")
    assert found.json() == []
    assert one("district", "duplicates", "--url", district).out.strip() == \
        "no household was served by two wards"


def test_sync_is_idempotent_and_status_says_how_far_behind(district, tmp_path):
    ward = make_ward(tmp_path / "p1.db", "P1")
    assert "not synced yet; 60 events to send" in ward("sync", "--status", "--to", district).out
    ward("sync", "--to", district)
    again = ward("sync", "--to", district).out
    assert again.strip() == "ward P1: the district is up to date (position 60)"
    ward("donate", "MTTQ", "--into", "KHO", "--cash", "100000", "--on", "2021-11-25")
    status = ward("sync", "--status", "--to", district).out
    assert "holds up to position 60" in status and ": 1 events behind" in status
    said = ward("--lang", "vi", "sync", "--status", "--to", district).out
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d giờ Việt Nam\)", said)  # the ward's clock
    assert not re.search(r"\d{4}-\d\d-", said)
    ward("sync", "--to", district)
    assert copy_of(district, "P1") == rows_of(Address(path=ward.path))


def test_the_district_says_when_a_ward_synced_as_the_ward_does(district, tmp_path):
    """One sync, one moment: `aid district wards` and `aid district checkpoints` show when a
    ward synced on that ward's own clock, as its `aid sync --status` does (a sync at 00:36 in
    Hà Nội was "07/12 17:36 UTC" in the district's tables, "08/12 00:36" in the ward's); a ward
    on another clock is shown on its own. CSV and JSON keep the UTC stamp."""
    moment = r"(\d\d/\d\d/\d{4} \d\d:\d\d giờ [^\s)]+(?: Nam)?)"
    wards = {}
    for code, zone in (("P1", None), ("P2", "Asia/Bangkok")):
        wards[code] = make_ward(tmp_path / f"{code}.db", code)
        if zone:
            wards[code]("timezone", zone)
        wards[code]("sync", "--to", district)
    one = wards["P1"]
    for code, zone in (("P1", "giờ Việt Nam"), ("P2", "giờ Asia/Bangkok")):
        status = wards[code]("--lang", "vi", "sync", "--status", "--to", district).out
        when = re.search(r"đồng bộ lúc " + moment, status).group(1)
        assert when.endswith(zone), status
        listed = one("--lang", "vi", "district", "wards", "--url", district).out
        assert re.search(rf"^{code} .* {re.escape(when)}\s*$", listed, re.M), (when, listed)
        witnessed = one("--lang", "vi", "district", "checkpoints", "--url", district).out
        assert re.search(rf"^{code} .* {re.escape(when)}\s*$", witnessed, re.M), witnessed
    assert "(UTC)" not in listed and "đồng bộ lúc" in listed.splitlines()[0]
    english = one("district", "wards", "--url", district).out
    assert "(Asia/Ho_Chi_Minh)" in english and "(Asia/Bangkok)" in english
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", one(
        "district", "wards", "--url", district, "--format", "csv").out)


def test_a_forked_ward_is_refused_with_its_position(district, tmp_path):
    ward = make_ward(tmp_path / "p1.db", "P1")
    ward("sync", "--to", district)
    backup = tmp_path / "backup.db"
    shutil.copy(ward.path, backup)
    for n in range(3):
        ward("donate", "MTTQ", "--into", "KHO", "--cash", str(1000 + n), "--on", "2021-11-25")
    ward("sync", "--to", district)
    held = copy_of(district, "P1")
    assert len(held) == 63

    older = Ledger(_env(AID_DB=str(backup)), "sqlite", backup)
    stale = older.fails("sync", "--to", district)
    assert stale.code == 1
    assert "up to position 63, this ledger only up to 60: it is an older copy" in stale.err
    assert "older copy" in older.fails("sync", "--status", "--to", district).err
    older("donate", "DNT", "--into", "KHO", "--cash", "999", "--on", "2021-11-25")
    forked = older.fails("sync", "--to", district)
    assert forked.code == 1
    assert "departs from the district's copy of ward P1 at position 61: it is a fork" \
        in forked.err
    assert "Traceback" not in forked.err
    assert "departs from the district's copy of ward P1 at position 61 (a fork)" in older.fails(
        "sync", "--status", "--to", district).err
    assert copy_of(district, "P1") == held


def test_two_laptops_claiming_one_ward_are_refused(district, tmp_path):
    make_ward(tmp_path / "a.db", "P1")("sync", "--to", district)
    other = make_ward(tmp_path / "b.db", "P1")
    refused = other.fails("sync", "--to", district)
    assert refused.code == 1
    assert "the district holds another history for ward P1 from position 1" in refused.err


def test_a_ledger_without_a_code_is_told_how_to_give_one(district, tmp_path):
    ward = make_ward(tmp_path / "p1.db", None)
    refused = ward.fails("sync", "--to", district)
    assert refused.code == 2
    assert refused.err.strip() == ("aid: this ledger has no ward code yet: give it one with "
                                   "`aid ward code CODE` (once; the district knows the ward by "
                                   "it)")
    ward("ward", "code", "p1")
    assert ward.fails("ward", "code", "P2").err.strip() == (
        "aid: this ledger is already ward P1 in the district; a ward code never changes")
    ward("sync", "--to", district)
    assert len(copy_of(district, "P1")) == 60
    assert ward.fails("sync", "--to", "sqlite:///x.db").code == 2


def test_a_ward_whose_own_chain_was_edited_is_refused_there(district, tmp_path):
    ward = make_ward(tmp_path / "p1.db", "P1")
    ward("sync", "--to", district)
    ward("donate", "MTTQ", "--into", "KHO", "--cash", "1000", "--on", "2021-11-25")
    ward("donate", "MTTQ", "--into", "KHO", "--cash", "2000", "--on", "2021-11-25")
    with sqlite3.connect(ward.path) as conn:  # someone edits the last entry's amount by hand
        conn.execute("UPDATE stored_events SET state = replace(state, '2000', '9000') "
                     "WHERE rowid = 62")
    refused = ward.fails("sync", "--to", district, "--batch", "1")
    assert refused.code == 1
    assert refused.out == ""  # checked before anything is sent (issue #22, finding 4)
    assert "this ledger does not verify (position 62: the event does not match the link " \
        "stored with it" in refused.err
    assert len(copy_of(district, "P1")) == 60


def test_init_with_a_code(tmp_path, district):
    ward = Ledger(_env(AID_DB=str(tmp_path / "n.db")), "sqlite", tmp_path / "n.db")
    assert ward("init", "--ward", "Phường 9", "--code", "p-9").out.strip().endswith(
        "— recorded entry 1")
    assert [line["kind"] for line in ward("history", "--format", "json").json()] == [
        "init", "ward code"]
    assert "ward P-9: sent 2 events" in ward("sync", "--to", district).out
    assert ward.fails("init", "--ward", "X", "--code", "bad code",
                      "--db", str(tmp_path / "m.db")).code == 2


def test_duplicates_by_id_pseudonym_never_by_name(district):
    """Matching on `id_pseudonym`, the clear HMAC of an ID number that the privacy work
    (issue 12) stores on a household's event; planted here as the field itself, folded into
    the district's models as a sync folds it. Households with one name but different
    pseudonyms and codes are two households."""
    import psycopg

    from ledger.district.models import DistrictModels
    from projections.district import WardModel, duplicate_rows
    from projections.events import WardEvent

    def ward(conn, code, households, gifts) -> None:
        model = WardModel(code)
        for n, (household, pseudonym) in enumerate(households, start=1):
            model.see(WardEvent(n, n, "Ward.RecipientDeclared", {
                "code": household, "name": "Nguyễn Văn A", "group": "Tổ 1", "size": 1,
                "tier": 0, **({"id_pseudonym": pseudonym} if pseudonym else {})}))
        for n, (household, on) in enumerate(gifts):
            model.see(WardEvent(100 + n, 100 + n, "Ward.HandedOut", {
                "recipient": household, "on": on, "moves": [], "cash": {"given": 1000}}))
        model.position = 100 + len(gifts)
        DistrictModels(conn).save(code, model.changes())

    same = "ab" * 32
    with psycopg.connect(district, autocommit=True) as conn:
        DistrictModels(conn).ensure()
        ward(conn, "P1", [("A7", same), ("A8", "cd" * 32)], [("A7", "2021-11-19"),
                                                             ("A8", "2021-11-19")])
        ward(conn, "P2", [("B3", same), ("B4", "ef" * 32)], [("B3", "2021-11-20"),
                                                             ("B4", "2021-11-20")])
        found = list(duplicate_rows(conn, ["P1", "P2"], None, None))
        assert found == [{"match": "id", "key": same, "wards": "P1, P2",
                          "households": "P1:A7, P2:B3", "first": "2021-11-19",
                          "last": "2021-11-20"}]
        assert list(duplicate_rows(conn, ["P1", "P2"], "2021-11-20", "2021-11-20")) == []


def test_one_person_listed_by_two_wards_is_found_by_the_id_pseudonym(district, tmp_path):
    """End to end: two wards record the same ID number under their own codes, with the
    district's pseudonym key; the district matches them without ever holding the number."""
    import psycopg

    from ledger.privacy.pseudonym import load_district_key, pseudonym

    key = tmp_path / "district.key"
    wards = {}
    for code, household in (("P1", "A7"), ("P2", "B3")):
        path = tmp_path / f"{code}.db"
        make_ward(path, code)
        ward = Ledger(_env(AID_DB=str(path), AID_DISTRICT_KEY_FILE=str(key)), "sqlite", path)
        if not key.exists():
            ward("key", "init", "--district")
        ward("recipient", "add", household, "--name", "Trần Thị Canary", "--group", "Tổ 1",
             "--id-number", "079 123 456 789", "--on", "2021-11-19")
        ward("give", household, "--from", "KHO", "--item", "RICE=5", "--on", "2021-11-21")
        ward("sync", "--to", district)
        wards[code] = ward
    found = wards["P1"].fails("district", "duplicates", "--url", district, "--format", "json")
    assert [row for row in found.json() if row["match"] == "id"] == [{
        "match": "id", "key": pseudonym(load_district_key(key), "079123456789"),
        "wards": "P1, P2", "households": "P1:A7, P2:B3", "first": "2021-11-21",
        "last": "2021-11-21"}]
    table = wards["P1"].fails("--lang", "vi", "district", "duplicates", "--url", district).out
    assert "số CCCD (đã mã hóa)" in table and " id " not in table  # in words, for people
    listed = wards["P1"]("--lang", "vi", "district", "wards", "--url", district).out
    assert " giờ Việt Nam" in listed and not re.search(r"\d{4}-\d\d-\d\dT", listed)
    with psycopg.connect(district) as conn:
        stored = b"".join(bytes(state) for (state,) in conn.execute(
            "SELECT state FROM aid_p1_events UNION ALL SELECT state FROM aid_p2_events"))
    for secret in ("079 123 456 789", "079123456789", "Canary"):
        assert secret.encode() not in stored


def test_the_district_store_itself_refuses_a_link_that_does_not_continue(district, tmp_path):
    """Whatever writes to the district, PostgreSQL recomputes each link (a trigger), and
    refuses any change but a sync's appends: an ordinary command pointed at a copy included."""
    import psycopg

    ward = make_ward(tmp_path / "p1.db", "P1")
    ward("sync", "--to", district)
    held = copy_of(district, "P1")
    with psycopg.connect(district) as conn:
        conn.execute("SET LOCAL aid.sync = 'on'")  # as a sync does
        conn.execute("INSERT INTO aid_p1_events (notification_id, originator_id, "
                     "originator_version, topic, state) VALUES (61, %s, 999, 'x', 'y')",
                     (uuid.uuid4(),))
        with pytest.raises(psycopg.errors.RaiseException, match="position 61 does not "
                                                                 "continue the chain"):
            conn.execute("INSERT INTO aid_p1_chain VALUES (61, %s)", ("0" * 64,))
    with psycopg.connect(district) as conn, pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute("SET LOCAL aid.sync = 'on'")
        conn.execute("INSERT INTO aid_p1_chain VALUES (5, %s)", ("0" * 64,))  # no doubles
    for change in ("DELETE FROM aid_p1_events", "UPDATE aid_p1_chain SET link = link",
                   "TRUNCATE aid_p1_events CASCADE"):
        with psycopg.connect(district) as conn, pytest.raises(
                psycopg.errors.RaiseException, match="only `aid sync` appends to it"):
            conn.execute("SET LOCAL aid.sync = 'on'")
            conn.execute(change)
    on_the_copy = Ledger(_env(AID_DATABASE_URL=district, AID_WARD="P1"), "postgres")
    refused = on_the_copy.fails("donate", "MTTQ", "--into", "KHO", "--cash", "5",
                                "--on", "2021-11-25")
    assert refused.code == 1 and "only `aid sync` appends to it" in refused.err
    assert copy_of(district, "P1") == held


def _batch(conn, rows, chain):
    """Insert event rows and chain links into P1's copy as one sync's statements would."""
    conn.execute("SET LOCAL aid.sync = 'on'")
    with conn.cursor() as cursor:
        cursor.executemany("INSERT INTO aid_p1_events (notification_id, originator_id, "
                           "originator_version, topic, state) VALUES (%s, %s, %s, %s, %s)", rows)
        cursor.execute("INSERT INTO aid_p1_chain SELECT * FROM unnest(%s::bigint[], %s::text[])",
                       ([p for p, _ in chain], [link for _, link in chain]))


def _forged(start: int, count: int) -> list[tuple]:
    return [(start + n, uuid.uuid4(), 1, "x", f"forged {n}".encode()) for n in range(count)]


@pytest.mark.parametrize(("bad", "message"), [
    ("link", "position 62 does not continue the chain"),
    ("garbage", "position 62 does not continue the chain"),
    ("event", "no event at position 62 for its link")])
def test_the_guard_names_the_first_bad_link_of_a_batch(district, tmp_path, bad, message):
    """Adversarial: in a batch of three, the middle link is wrong (the third continues from
    it, so only the second fails), is not a link at all, or the middle event is missing: the
    district refuses the whole batch, naming position 62. Honest: the same batch with true
    links is accepted."""
    import psycopg

    from ledger.trust.chain import links

    ward = make_ward(tmp_path / "p1.db", "P1")
    ward("sync", "--to", district)
    held = copy_of(district, "P1")
    rows = _forged(61, 3)
    with psycopg.connect(district) as conn:
        last = conn.execute("SELECT link FROM aid_p1_chain WHERE position = 60").fetchone()[0]
        true = links(last, [(p, originator_text(o), v, t, s) for p, o, v, t, s in rows])
    wrong = [true[0], (62, "f" * 64), links("f" * 64, [(63, originator_text(rows[2][1]),
                                                         *rows[2][2:])])[0]]
    garbage = [true[0], (62, "not a link"), true[2]]
    with psycopg.connect(district) as conn, pytest.raises(psycopg.errors.RaiseException,
                                                          match=message):
        _batch(conn, [rows[0], rows[2]] if bad == "event" else rows,
               {"link": wrong, "garbage": garbage, "event": true}[bad])
    assert copy_of(district, "P1") == held
    with psycopg.connect(district) as conn:
        _batch(conn, rows, true)
    assert len(copy_of(district, "P1")) == len(held) + 3


def test_a_guard_switched_off_in_the_database_is_made_again_at_the_next_sync(district,
                                                                            tmp_path):
    """Someone replaces the district's link check with one that accepts anything (or the
    district keeps an earlier release's), and lets the other run with the caller's search path
    (where a function or operator of the same name could stand in for PostgreSQL's): the next
    `aid sync` makes this release's again, which then refuses a forged link."""
    import psycopg

    ward = make_ward(tmp_path / "p1.db", "P1")
    ward("sync", "--to", district)
    with psycopg.connect(district) as conn:
        conn.execute("CREATE OR REPLACE FUNCTION aid_sync_check_links() RETURNS trigger "
                     "LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$")
        conn.execute("ALTER FUNCTION aid_sync_only() RESET search_path")
    ward("donate", "MTTQ", "--into", "KHO", "--cash", "5", "--on", "2021-11-25")
    ward("sync", "--to", district)
    with psycopg.connect(district) as conn, pytest.raises(psycopg.errors.RaiseException,
                                                          match="does not continue"):
        settings = conn.execute("SELECT array_agg(DISTINCT array_to_string(proconfig, ';')) "
                                "FROM pg_proc WHERE proname LIKE 'aid_sync_%'").fetchone()[0]
        assert settings == ["search_path=pg_catalog, pg_temp"]
        head = conn.execute("SELECT max(position) FROM aid_p1_chain").fetchone()[0]
        _batch(conn, _forged(head + 1, 1), [(head + 1, "0" * 64)])


def test_a_ward_on_either_backend_syncs(ward, district):
    """The conftest's ward, on SQLite and on a PostgreSQL ledger of its own."""
    from ledger.store.access import locate

    ward("donate", "D1", "--into", "KHO", "--item", "RICE=50", "--receipt", "R1",
         "--on", "2021-11-10")
    ward("ward", "code", "P7")
    assert "ward P7: sent" in ward("sync", "--to", district).out
    assert copy_of(district, "P7") == rows_of(locate(environ=ward.env))
    [listed] = ward("district", "wards", "--url", district, "--format", "json").json()
    assert (listed["ward"], listed["name"], listed["position"]) == (
        "P7", "Phường 3", len(copy_of(district, "P7")))
    assert ward("district", "stock", "--url", district, "--format", "json").json() == [
        {"ward": "P7", **row} for row in ward("stock", "--format", "json").json()]


def test_a_role_that_may_not_remake_the_guard_is_told_who_may(district, tmp_path):
    """A district whose wards sync as roles of their own, after an upgrade (or a change) left
    the guard's function not this release's: a role that does not own it is refused in one
    line naming the owner, with nothing sent, rather than syncing past a stale check."""
    import psycopg

    from ledger.district.sync import District
    from ledger.errors import Refused

    ward = make_ward(tmp_path / "p1.db", "P1")
    ward("sync", "--to", district)
    from urllib.parse import urlparse

    role = f"aid_ward_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(district, autocommit=True) as conn:
        conn.execute("ALTER FUNCTION aid_sync_check_links() RESET search_path")
        conn.execute(f"CREATE ROLE {role} LOGIN")
        owner = conn.execute("SELECT current_user").fetchone()[0]
    address = urlparse(district)
    as_role = address._replace(netloc=f"{role}@{address.hostname}:{address.port or 5432}")
    try:
        other = District(as_role.geturl())
        try:
            with pytest.raises(Refused, match=rf"only its owner, role {owner}, may make it"):
                other.prepare()
        finally:
            other.close()
        District(district).prepare()  # its owner's next sync makes it again
        with psycopg.connect(district) as conn:
            assert conn.execute("SELECT proconfig FROM pg_proc WHERE proname = "
                                "'aid_sync_check_links'").fetchone()[0] == [
                "search_path=pg_catalog, pg_temp"]
    finally:
        with psycopg.connect(district, autocommit=True) as conn:
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE {role}")


# ---- many batches: each written while the next is read and folded ---------------------------

def test_a_sync_in_many_batches_copies_and_folds_as_in_one(district, tmp_path):
    """Batches of 7: each is written by a thread of its own while the next is read and folded.
    The copy is the ward's rows, each batch is reported in order, and the models the sync
    folded are what a rebuild from the copy makes (it names no difference)."""
    ward = make_ward(tmp_path / "p1.db", "P1", more_gifts)
    said = ward("sync", "--to", district, "--batch", "7").out.splitlines()
    rows = rows_of(Address(path=tmp_path / "p1.db"))
    assert copy_of(district, "P1") == rows
    parts = [line for line in said if line.startswith("sent positions")]
    assert len(parts) == -(-len(rows) // 7) and parts[0] == "sent positions 1–7 (7 events)"
    assert said[-1] == f"ward P1: sent {len(rows)} events; the district holds it up to " \
        f"position {rows[-1][0]}"
    rebuilt = ward("district", "rebuild", "--url", district)
    assert rebuilt.err == "" and rebuilt.code == 0
    own = ward("stock", "--format", "json").json()
    assert [{k: v for k, v in row.items() if k != "ward"} for row in ward(
        "district", "stock", "--url", district, "--format", "json").json()] == own


def test_a_batch_the_district_refuses_ends_the_sync_at_the_batch_before(district, tmp_path):
    """A middle batch refused by the district's own check (a row edited with its link kept,
    sent without the ward's verify pass): the batches before it stay, with their models, and
    none after it is written, though the next was already read and folded."""
    from ledger.district.sync import sync
    from ledger.errors import Refused
    from projections.district import Folder

    make_ward(tmp_path / "p1.db", "P1")
    with sqlite3.connect(tmp_path / "p1.db") as conn:
        conn.execute("UPDATE stored_events SET state = replace(state, '\"on\"', '\"on\" ') "
                     "WHERE rowid = 40")
    log = open_log(Address(path=tmp_path / "p1.db"))
    try:
        with pytest.raises(Refused, match="does not continue at position 40"):
            sync(log, district, batch=7, fold=Folder())
    finally:
        log.close()
    held = copy_of(district, "P1")
    assert [row[0] for row in held] == list(range(1, 36))
    import psycopg

    with psycopg.connect(district) as conn:
        assert conn.execute("SELECT position FROM aid_district_folded").fetchone()[0] == 35


def test_two_syncs_of_one_ward_at_once_send_each_event_once(district, tmp_path):
    """Two syncs of the same ward in small batches, at once: each batch is written under the
    ward's lock, a sync that finds the copy moved goes on from where it is, and together they
    send every event exactly once, with the models a rebuild agrees with."""
    import threading

    from ledger.district.sync import sync
    from projections.district import Folder

    ward = make_ward(tmp_path / "p1.db", "P1", more_gifts)
    ward("sync", "--to", district, "--batch", "5")  # the code is bound: both may go on
    first = len(copy_of(district, "P1"))
    for n in range(40):
        ward("donate", "MTTQ", "--into", "KHO", "--cash", str(1000 + n), "--on", "2021-11-25")
    sent: list[int] = []
    failed: list[BaseException] = []

    def one() -> None:
        log = open_log(Address(path=tmp_path / "p1.db"))
        try:
            _, parts, _ = sync(log, district, batch=3, fold=Folder())
            sent.extend(part.count for part in parts)
        except BaseException as error:  # noqa: BLE001 - reported below
            failed.append(error)
        finally:
            log.close()

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failed == []
    rows = rows_of(Address(path=tmp_path / "p1.db"))
    assert copy_of(district, "P1") == rows
    assert sum(sent) == len(rows) - first  # each event sent once, by one sync or the other
    assert ward("district", "rebuild", "--url", district).err == ""
