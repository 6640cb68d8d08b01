"""The district's own read models (issue #27) and item catalogue (issue #24).

Folded at each sync in the transaction that copies the rows; reports read them; `aid district
rebuild` recomputes them from the copies and names any difference. District figures must equal
the sum of the wards' own reports on both paths.
"""

from __future__ import annotations

import psycopg

from tests.ledger.test_sync import make_ward, more_gifts, own_drive


def own_figures(wards):
    return ({code: w("cash", "--format", "json").json() for code, w in wards.items()},
            [{"ward": code, **row} for code, w in wards.items()
             for row in w("stock", "--format", "json").json()])


def district_figures(ward, url):
    cash = ward("district", "cash", "--url", url, "--format", "json").json()
    stock = ward("district", "stock", "--url", url, "--format", "json").json()
    return {k: v for k, v in cash.items() if k != "total"}, stock


def test_incremental_and_rebuilt_figures_equal_the_wards_own(district, tmp_path):
    wards = {"P1": make_ward(tmp_path / "p1.db", "P1"),
             "P2": make_ward(tmp_path / "p2.db", "P2", more_gifts)}
    for ward in wards.values():
        ward("sync", "--to", district, "--batch", "7")
    assert district_figures(wards["P1"], district) == own_figures(wards)
    # more entries, a reversal among them, synced incrementally
    p1 = wards["P1"]
    p1("donate", "MTTQ", "--into", "KHO", "--item", "RICE=40", "--cash", "400000",
       "--on", "2021-11-25")
    entry = p1.entry("give", "H01", "--from", "KHO", "--item", "RICE=3", "--on", "2021-11-25")
    p1("reverse", str(entry), "--reason", "wrong household")
    p1("sync", "--to", district, "--batch", "1")
    assert district_figures(p1, district) == own_figures(wards)
    coverage = p1("district", "coverage", "--url", district, "--format", "json").json()
    rebuilt = p1("district", "rebuild", "--url", district)
    assert rebuilt.out.strip() == "rebuilt the read models of 2 wards" and rebuilt.err == ""
    assert district_figures(p1, district) == own_figures(wards)
    assert p1("district", "coverage", "--url", district, "--format", "json").json() == coverage


def test_rebuild_names_a_stored_model_that_was_edited(district, tmp_path):
    ward = make_ward(tmp_path / "p1.db", "P1")
    ward("sync", "--to", district)
    honest = ward("district", "cash", "--url", district, "--format", "json").json()
    with psycopg.connect(district) as conn:  # someone with the district's database edits
        conn.execute("UPDATE aid_district_folded SET books = jsonb_set(books, "
                     "'{cash,received}', '{\"2021-11-19\": 90000000}')")
        conn.execute("DELETE FROM aid_district_facts WHERE kind = 'give'")
    # from a sweep: the reports printed the edited figures (the statement beside the digest
    # head of a valid copy) and the next sync folded on top of them; now each refuses
    ward("donate", "MTTQ", "--into", "KHO", "--cash", "5000", "--on", "2021-11-25")
    tampered = ("the district's stored figures of ward P1 do not match their checksum "
                "(changed outside aid?): run `aid district rebuild`")
    for args in (("district", "cash", "--url", district), ("district", "stock", "--url",
                 district), ("district", "statement", "--url", district),
                 ("sync", "--to", district)):
        refused = ward.fails(*args)
        assert refused.code == 1 and tampered in refused.err, (args, refused.err)
        assert len(refused.err.strip().splitlines()) == 1 and "90.000.000" not in refused.out
    refused = ward.fails("district", "rebuild", "--url", district)
    assert refused.code == 1
    assert ("ward P1: the stored read models differed from its events: books (stock and "
            "cash), which no longer match their checksum, hand-outs and donations; rebuilt"
            ) in refused.err
    assert ward("district", "cash", "--url", district, "--format", "json").json() == honest
    assert ward("district", "rebuild", "--url", district).err == ""
    ward("sync", "--to", district)
    assert district_figures(ward, district) == own_figures({"P1": ward})


def test_rebuild_refuses_a_copy_whose_chain_is_broken(district, tmp_path):
    """From a sweep: a donation edited in the district's copy (its trigger disabled), then
    `aid district rebuild` stored the edited figures as the ward's, and cash and stock
    printed them with exit 0. The rebuild checks the copy's chain first: a broken copy is
    named, its stored models are left as they were, and the other wards are rebuilt."""
    one = make_ward(tmp_path / "p1.db", "P1")
    two = make_ward(tmp_path / "p2.db", "P2")
    for ward in (one, two):
        ward("sync", "--to", district)
    honest = one("district", "cash", "--url", district, "--format", "json").json()
    with psycopg.connect(district) as conn:
        table = conn.execute("SELECT prefix FROM aid_sync_wards WHERE code = 'P1'"
                             ).fetchone()[0] + "_events"
        conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        conn.execute(f"UPDATE {table} SET state = convert_to(replace(convert_from(state, "
                     "'UTF8'), '\"received\":', '\"received\":9'), 'UTF8') WHERE topic = "
                     "'ledger.ward:Ward.Donated'")
        conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    rebuilt = one.fails("district", "rebuild", "--url", district)
    assert rebuilt.code == 1 and rebuilt.err.startswith(
        "aid: ward P1: the district's copy has a broken chain at position ")
    assert "so its read models were not rebuilt from it" in rebuilt.err
    assert "rebuilt the read models of 2 wards" in rebuilt.out
    assert one("district", "cash", "--url", district, "--format", "json").json() == honest


def test_a_copy_synced_before_models_existed_is_folded_when_read(district, tmp_path):
    ward = make_ward(tmp_path / "p1.db", "P1")
    ward("sync", "--to", district)
    with psycopg.connect(district) as conn:  # as an older release left it: no models
        for table in ("aid_district_folded", "aid_district_households",
                      "aid_district_facts"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("DROP TABLE aid_district_items")
    assert district_figures(ward, district) == own_figures({"P1": ward})


def test_the_item_catalogue_adds_the_same_goods_across_wards(district, tmp_path):
    def gao(ledger):
        ledger.add_item("GAO", "Gạo tẻ", "kg", 15000, "2021-11-20", "t")
        ledger.donate("MTTQ", "KHO", 0, {"GAO": 289}, None, None, "2021-11-21", "t")

    one = make_ward(tmp_path / "p1.db", "P1", gao)
    three = make_ward(tmp_path / "p3.db", "P3", own_drive)
    for ward in (one, three):
        ward("sync", "--to", district)
    before = one("district", "stock", "--url", district, "--total", "--format", "json")
    assert {row["item"] for row in before.json()} >= {"GAO", "RICE"}
    assert before.err == ""  # no catalogue yet: nothing to list
    assert one.fails("district", "item", "map", "P1-GAO", "--url", district).code == 2
    for slip, said in (("P9:GAO=RICE", "the district holds no ward P9; did you mean P3 or P1?"),
                       ("P1:GOA=RICE", "unknown item 'GOA'; did you mean GAO")):
        refused = one.fails("district", "item", "map", slip, "--url", district)
        assert refused.code == 2 and said in refused.err, refused.err  # a typo maps nothing
    said = one("district", "item", "map", "p1:GAO=RICE", "--url", district)
    assert said.out.strip() == "district item RICE: counts ward P1's GAO"
    assert said.err == ""  # honest: rice in kg onto rice in kg
    after = one("district", "stock", "--url", district, "--total", "--format", "json")
    rice = [row for row in after.json() if row["item"] == "RICE"]
    own = sum(row["quantity"] for w in (one, three)
              for row in w("stock", "--format", "json").json() if row["item"] in ("RICE", "GAO"))
    assert [row["quantity"] for row in rice] == [own]
    # from a sweep: the total took P1's name for its GAO ("Gạo tẻ"), not the district item's
    assert [row["name"] for row in rice] == [next(
        row["name"] for row in three("stock", "--format", "json").json() if row["item"] == "RICE")]
    assert "GAO" not in {row["item"] for row in after.json()}
    assert "P1:NOODLE" in after.err and "P3:NOODLE" in after.err and "GAO" not in after.err
    listed = one("district", "item", "list", "--url", district, "--format", "json").json()
    assert listed == [{"ward": "P1", "item": "GAO", "district_item": "RICE"}]
    # adversarial: rice in kg mapped onto noodles in cases is said, and kept apart per unit
    slip = one("district", "item", "map", "P1:GAO=NOODLE", "--url", district)
    assert "P1 counts GAO in kg, other wards count NOODLE in thùng" in slip.err
    again = one("district", "item", "map", "P1:GAO=RICE", "--url", district)
    assert "(it counted as district item NOODLE until now)" in again.out  # a re-map is said
    # from a sweep: `rice` beside `RICE` became two lines of the same rice in every total
    twin = one.fails("district", "item", "map", "P1:GAO=rice", "--url", district)
    assert twin.code == 2 and "differs only in case from RICE" in twin.err
    one("district", "item", "map", "P1:GAO=GẠO", "--url", district)  # its own item renamed:
    one("district", "item", "map", "P1:GAO=Gạo", "--url", district)  # no other counts it
    one("district", "item", "map", "P1:GAO=RICE", "--url", district)
    assert one("district", "item", "list", "--url", district, "--format", "json").json() == listed


def test_a_batch_rolled_back_is_folded_again_from_what_the_district_stored(district, tmp_path):
    """The sync's fold keeps a ward's models in memory between batches; a batch whose
    transaction rolled back must not stay counted in the models the next sync starts from."""
    from ledger.district.models import DistrictModels
    from ledger.store.access import Address, open_log
    from projections.district import Folder, WardModel

    make_ward(tmp_path / "p1.db", "P1")
    log = open_log(Address(path=tmp_path / "p1.db"))
    try:
        rows = list(log.stored())
    finally:
        log.close()
    once = WardModel("P1")
    once.fold(rows)
    with psycopg.connect(district, autocommit=True) as conn:
        folder = Folder()
        folder.start(conn, "P1", "aid_p1")
        folder.save(conn, "P1", folder.fold(rows[:10]))
        with conn.transaction():
            folder.save(conn, "P1", folder.fold(rows[10:20]))
            raise psycopg.Rollback()
        again = Folder()  # the next sync
        again.start(conn, "P1", "aid_p1")
        again.save(conn, "P1", again.fold(rows[10:]))
        stored = WardModel("P1", DistrictModels(conn).load("P1"))
        facts = conn.execute("SELECT count(*) FROM aid_district_facts").fetchone()[0]
    assert stored.position == rows[-1][0]
    assert stored.document() == once.document()
    assert facts == len(once.facts)


def test_books_stored_with_their_households_by_an_earlier_release_are_not_a_difference(
        district, tmp_path):
    """The district now stores each ward's books without their register of households (its
    households table holds them); a district synced by the release before, whose documents
    still carry it, rebuilds without naming a difference that is not one."""
    import json

    from ledger.store.access import Address, open_log
    from projections.district import WardModel

    ward = make_ward(tmp_path / "p1.db", "P1")
    ward("sync", "--to", district)
    log = open_log(Address(path=tmp_path / "p1.db"))
    try:
        full = WardModel("P1")
        full.fold(log.stored())
    finally:
        log.close()
    assert full.books.state["recipients"]
    with psycopg.connect(district) as conn:  # as that release left them: no checksums
        conn.execute("UPDATE aid_district_folded SET books = jsonb_set(books, '{recipients}', "
                     "%s::jsonb)", (json.dumps(full.books.state["recipients"]),))
        conn.execute("ALTER TABLE aid_district_folded DROP COLUMN checksum")
    assert district_figures(ward, district) == own_figures({"P1": ward})  # checksums made
    honest = ward("district", "rebuild", "--url", district)
    assert honest.err == "" and honest.out.strip() == "rebuilt the read models of 1 ward"


def coverage_of(ward, url, *period):
    return {(r["ward"], r["group"], r["tier"]): (r["households"], r["served"]) for r in ward(
        "district", "coverage", "--url", url, *period, "--format", "json").json()}


def test_coverage_of_the_whole_drive_counts_hand_outs_kept_per_household(district, tmp_path):
    """Over the whole drive coverage reads each household's count of hand-outs, kept by the
    fold; it must say what the hand-outs themselves say (the dated path), also after a hand-out
    is reversed in a later sync, and after an earlier release's district gains the counts."""
    ward = make_ward(tmp_path / "p1.db", "P1")
    ward("sync", "--to", district)
    ever = ("--from", "2000-01-01", "--to", "2099-12-31")
    before = coverage_of(ward, district)
    assert before == coverage_of(ward, district, *ever)
    served = sum(n for _, n in before.values())
    again = ward.entry("give", "H01", "--from", "KHO", "--item", "RICE=1", "--on", "2021-11-25")
    first = ward.entry("give", "H05", "--from", "KHO", "--item", "RICE=1", "--on", "2021-11-25")
    ward("sync", "--to", district, "--batch", "1")
    assert sum(n for _, n in coverage_of(ward, district).values()) == served + 1  # H05, not H01
    ward("reverse", str(again), "--reason", "counted twice")
    ward("sync", "--to", district)
    assert sum(n for _, n in coverage_of(ward, district).values()) == served + 1  # H01 still
    entry = first
    ward("reverse", str(entry), "--reason", "wrong household")
    ward("sync", "--to", district)
    assert coverage_of(ward, district) == before == coverage_of(ward, district, *ever)
    with psycopg.connect(district) as conn:  # as the release before left it: no counts
        conn.execute("ALTER TABLE aid_district_households DROP COLUMN served")
    assert coverage_of(ward, district) == before
    assert ward("district", "rebuild", "--url", district).err == ""


def test_rebuild_names_an_edited_count_of_hand_outs(district, tmp_path):
    ward = make_ward(tmp_path / "p1.db", "P1")
    ward("sync", "--to", district)
    honest = coverage_of(ward, district)
    with psycopg.connect(district) as conn:
        conn.execute("UPDATE aid_district_households SET served = 0")
    assert coverage_of(ward, district) != honest  # the report reads the stored counts
    refused = ward.fails("district", "rebuild", "--url", district)
    assert refused.code == 1 and "hand-outs per household; rebuilt" in refused.err
    assert coverage_of(ward, district) == honest


def bank_fees(ledger) -> None:
    """A ward that keeps its cash in a bank account and paid two fees, one reversed later."""
    from ledger.bank.accounts import declare_account, pay_fee

    declare_account(ledger, "VCB1", "VCB", "1029990042", "UBMTTQ PHUONG 1", "2021-11-22", "t")
    pay_fee(ledger, "VCB1", 11_000, "THU PHI SMS", "2021-11-23", "t")
    pay_fee(ledger, "VCB1", 55_000, "PHI QUAN LY TAI KHOAN", "2021-11-24", "t")


def test_bank_fees_leave_the_district_cash_the_sum_of_the_wards(district, tmp_path):
    wards = {"P1": make_ward(tmp_path / "p1.db", "P1", bank_fees),
             "P2": make_ward(tmp_path / "p2.db", "P2", more_gifts)}  # no fee: as before
    p1 = wards["P1"]
    without = make_ward(tmp_path / "p0.db", None)("cash", "--format", "json").json()
    p1("reverse", str(p1("history", "--format", "json").json()[-1]["id"]), "--reason",
       "refunded")
    own = p1("cash", "--format", "json").json()
    assert (own["fees"], own["balance"]) == (11_000, without["balance"] - 11_000)
    assert "fees" not in wards["P2"]("cash", "--format", "json").json()
    for ward in wards.values():
        ward("sync", "--to", district)
    cash = p1("district", "cash", "--url", district, "--format", "json").json()
    assert district_figures(p1, district) == own_figures(wards)
    assert cash["total"]["fees"] == 11_000
    assert cash["total"]["balance"] == sum(cash[code]["balance"] for code in wards)
    assert "bank fees" in p1("district", "cash", "--url", district).out
    rows = p1("district", "statement", "--url", district, "--format", "json").json()
    assert [row.get("fees") for row in rows] == [11_000, 0]
    assert p1("district", "rebuild", "--url", district).err == ""
    assert district_figures(p1, district) == own_figures(wards)
