"""`aid demo`: a realistic relief drive, taken from the seed reports, in a fresh ledger file.

Phường 3, November 2021 (seed 004): benefactors give rice, noodles and cash; the ward buys
cooking oil and fish sauce, packs 350,000 ₫ bundles (a case of noodles, 10 kg rice, essentials
and cash) for its twelve group leaders (tổ trưởng), and stocks a 0 đồng shop.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from commands.language.words import _, say
from ledger.errors import Refused
from ledger.store.access import Address, open_ledger, open_log
from ledger.ward import names

if TYPE_CHECKING:  # the event store loads only when a command writes (aid --help stays fast)
    from ledger.service import Ledger

DEMO_ACTOR = "aid-demo"
DEFAULT_PATH = Path("aid-demo.db")

GROUP_LEADERS = [
    "Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Văn Tâm", "Phạm Thị Hoa", "Huỳnh Văn Phúc",
    "Võ Thị Lan", "Đặng Văn Minh", "Bùi Thị Thu", "Đỗ Văn Nam", "Hồ Thị Hạnh",
    "Ngô Văn Sơn", "Dương Thị Kim",
]
HOUSEHOLDS = [  # code, name, group, size, tier
    ("H01", "Lý Thị Bích", "Tổ 2", 1, 0),
    ("H02", "Phan Văn Lộc", "Tổ 5", 5, 1),
    ("H03", "Trương Thị Yến", "Tổ 5", 3, 1),
    ("H04", "Mai Văn Đức", "Tổ 8", 4, 2),
    ("H05", "Châu Thị Ngọc", "Tổ 11", 2, 2),
    ("H06", "Tạ Văn Khoa", "Tổ 11", 6, 3),
]




def demo(db: Annotated[Optional[Path], typer.Option(
        "--db", help="Demo ledger file (default ./aid-demo.db; only a demo file is replaced).")]
         = None) -> None:
    """Build a realistic drive in a fresh demo ledger and print its stock and cash."""
    path = db or DEFAULT_PATH
    _clear_previous_demo(path)
    sealer = _demo_key(path)
    ledger = open_ledger(Address(path=path), create=True)
    ledger.sealer = sealer
    try:
        build(ledger)
    finally:
        ledger.close()
    from commands.recording.writing import refresh

    refresh(Address(path=path))
    typer.echo(say("Demo drive of Phường 3 recorded in {path}", path=path) + "\n")
    from commands.reports.books import cash, stock

    typer.echo(_("Stock (tồn kho):"))
    stock(db=path)
    typer.echo("\n" + _("Cash book (sổ quỹ), đồng:"))
    cash(db=path)
    typer.echo("\n" + say("Try: aid history --db {path}   ·   aid bundle packable --db {path}",
                          path=path))


def _demo_key(path: Path):
    """The demo's households are sealed too: with the key AID_KEY_FILE names in the user's
    environment, else with a key file made next to the demo ledger (said so, with how to read
    the names) — never with the ward's own key that `aid init`'s settings file names: the demo's
    households would take keys in the real key file."""
    from commands.recording import settings
    from ledger.privacy.details import Sealer
    from ledger.privacy.pseudonym import district_key
    from ledger.privacy.ward_key import KeyFile, from_environment

    configured = None if settings.lent("AID_KEY_FILE") else from_environment()
    key_path = configured or path.with_name(path.stem + ".key")
    if key_path.exists():
        return Sealer(KeyFile.load(key_path), district_key())
    keys = KeyFile.create(key_path)
    typer.echo(say("made the demo's key file {key}: to see the names, export AID_KEY_FILE={key}",
                   key=key_path))
    return Sealer(keys, district_key())


def _clear_previous_demo(path: Path) -> None:
    """Remove an earlier demo; refuse to touch a ledger that is not a demo."""
    if not path.exists():
        return
    log = open_log(Address(path=path))
    try:
        first = next(iter(log.read(upto=1)), None)
    finally:
        log.close()
    if first is None or first.data.get("actor") != DEMO_ACTOR:
        raise Refused("{path} holds a ledger that is not a demo; aid demo never overwrites it: "
                      "choose another --db", path=path)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def build(ledger: Ledger) -> None:
    """Record the whole drive through the ledger's write API, as a treasurer would."""
    build_drive(ledger)
    demo_shop(ledger, DEMO_ACTOR)  # vouchers and pick-ups at the 0 đồng shop
    demo_round(ledger, DEMO_ACTOR)  # round R1: scarce noodles and fish sauce by tier
    demo_planning(ledger, DEMO_ACTOR)  # an expiring lot and a low-stock minimum


def build_drive(ledger: Ledger) -> None:
    """The drive's core — declarations, gifts, bundles, hand-outs, a count — whose figures
    stay fixed as the demo grows (the audit tests rely on them)."""
    a = DEMO_ACTOR
    ledger.init("Phường 3", "2021-11-10", a)
    for code, name, unit, value in (
        ("RICE", "Gạo", "kg", 15_000), ("NOODLE", "Mì gói (thùng 30 gói)", "thùng", 100_000),
        ("OIL", "Dầu ăn 1 lít", "chai", 40_000), ("FISHSAUCE", "Nước mắm", "chai", 10_000),
    ):
        ledger.add_item(code, name, unit, value, "2021-11-10", a)
    ledger.add_location("KHO", "Kho UBND phường 3", "store", "2021-11-10", a)
    ledger.add_location("SHOP0D", "Siêu thị 0 đồng khu phố 2", "shop", "2021-11-10", a)
    for code, name, anonymous in (
        ("MEKONG", "Công ty TNHH Gạo Mekong", False),
        ("DNT", "Hội Doanh nhân trẻ", False),
        ("MTTQ", "Ủy ban MTTQVN phường 3", False),
        ("NHT01", "Nhà hảo tâm", True),
    ):
        ledger.add_donor(code, name, anonymous, "2021-11-10", a)
    for number, name in enumerate(GROUP_LEADERS, start=1):
        ledger.add_recipient(f"TT{number:02d}", name, f"Tổ {number}", 4, 3, None,
                             "2021-11-10", a)
    for code, name, group, size, tier in HOUSEHOLDS:
        ledger.add_recipient(code, name, group, size, tier, None, "2021-11-10", a)
    ledger.define_bundle("B350", "Phần quà 350.000 ₫ cho tổ trưởng",
                         {"NOODLE": 1, "RICE": 10, "OIL": 1, "FISHSAUCE": 1}, 50_000,
                         "2021-11-10", a)

    ledger.donate("MEKONG", "KHO", 0, {"RICE": 500}, "PT-0001", "500 kg gạo", "2021-11-12", a)
    ledger.donate("DNT", "KHO", 0, {"NOODLE": 40}, "PT-0002", None, "2021-11-13", a)
    ledger.donate("NHT01", "KHO", 20_000_000, {}, "PT-0003", None, "2021-11-13", a)
    ledger.donate("MTTQ", "KHO", 5_000_000, {}, "PT-0004", None, "2021-11-15", a)
    ledger.buy("KHO", 1_200_000, {"OIL": 30}, "Đại lý Tường An", "2021-11-15", a)
    ledger.buy("KHO", 300_000, {"FISHSAUCE": 30}, "Chợ phường 3", "2021-11-15", a)
    ledger.pack("B350", 12, "KHO", "2021-11-16", a)
    for number in range(1, 13):
        ledger.give(f"TT{number:02d}", "KHO", {"B350": 1}, {}, 0, "2021-11-17", a)

    ledger.transfer("KHO", "SHOP0D", {"RICE": 100, "NOODLE": 10, "OIL": 10}, "2021-11-18", a)
    ledger.give("H01", "SHOP0D", {}, {"RICE": 10, "OIL": 1}, 0, "2021-11-19", a)
    ledger.give("H02", "SHOP0D", {}, {"RICE": 15, "NOODLE": 1}, 0, "2021-11-19", a)
    ledger.give("H03", "SHOP0D", {}, {"RICE": 10, "NOODLE": 1}, 0, "2021-11-20", a)
    ledger.give("H04", "KHO", {}, {}, 500_000, "2021-11-20", a)
    ledger.count("KHO", {"RICE": 278}, "2 kg gạo bị ẩm mốc", "2021-11-21", a)


def demo_shop(ledger: Ledger, actor: str) -> None:
    """`aid demo`'s shop: a price list, vouchers for H01–H03, pick-ups by H01 and H02."""
    from ledger.ward import vouchers

    vouchers.set_prices(ledger, "SHOP0D", {"OIL": 45_000}, "2021-11-21", actor)
    terms = vouchers.Terms(value=400_000, max_items=10, every=3, valid_from="2021-11-22",
                           valid_to="2021-12-31", slot="Thứ Hai và Thứ Năm, 8:00–10:00")
    issued = vouchers.issue_batch(ledger, ["H01", "H02", "H03"], "SHOP0D", terms,
                                  "2021-11-21", actor)
    code = {voucher.recipient: voucher.code for voucher in issued}
    vouchers.pickup(ledger, code["H01"], {"RICE": 5, "OIL": 1}, "2021-11-22", actor)
    vouchers.pickup(ledger, code["H02"], {"RICE": 10}, "2021-11-22", actor)
    vouchers.pickup(ledger, code["H01"], {"NOODLE": 1, "RICE": 2}, "2021-11-25", actor)


DEMO_LABELS = {0: "F0/F1, người già neo đơn, khuyết tật", 1: "Hộ nghèo, cận nghèo",
               2: "Mất thu nhập (lao động tự do, ở trọ)", 3: "Khác"}


def writer_drive(ledger: Ledger):
    """The drive as the writer's own store holds it (the demo has a ledger, not a path)."""
    import json

    from ledger.store.access import Record
    from projections.households.rounds import Drive

    found = ledger.recorder.select_notifications(start=1, limit=10**9)
    return Drive.replay(Record(n.id, names.short(n.topic), n.originator_version,
                               json.loads(n.state)) for n in found)


def demo_round(ledger: Ledger, actor: str = "aid-demo") -> None:
    """Round R1 of the demo: noodles and fish sauce, at most 2 each, too few for everyone.

    Tiers 0-2 are fully met and the group leaders (tier 3) share what is left; household
    H04 is absent on the day and stays "not yet received".
    """
    from ledger.ward.register import label_tier
    from ledger.ward.rounds import apply_plan
    from ledger.ward.rounds import open_round as open_it
    from projections.households.rounds import handouts
    from projections.households.rounds import plan as plan_of

    for tier_number, text in DEMO_LABELS.items():
        label_tier(ledger, tier_number, text, "2021-11-10", actor)
    open_it(ledger, "R1", "KHO", [], ["NOODLE", "FISHSAUCE"], "tiered", 2, 4,
            {"NOODLE": 1, "FISHSAUCE": 1}, [], [], "2021-11-22", actor)

    def planner():
        return handouts(plan_of(writer_drive(ledger), "R1"), [])

    apply_plan(ledger, "R1", planner, [], ["H04"], None, actor)


def demo_planning(ledger: Ledger, actor: str) -> None:
    """Milk that expires soon at the 0 đồng shop, and a minimum for rice at the store, so
    `aid stock --lots`, `aid expiring` and `aid alerts` have something to say in the demo."""
    from ledger.ward.thresholds import set_threshold

    ledger.add_item("MILK", "Sữa hộp 180 ml", "hộp", 7_000, "2021-11-22", actor)
    ledger.donate("DNT", "SHOP0D", 0, {"MILK": 48}, "PT-0010", "sữa hộp, HSD 01/12/2021",
                  "2021-11-22", actor, expires="2021-12-01")
    set_threshold(ledger, "RICE", "KHO", 300, "2021-11-22", actor)
