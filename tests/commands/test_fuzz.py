"""Fuzzing every recording and import command (issue 17): whatever a hostile or careless user
types — huge, negative, non-ASCII digits, control characters, long, empty, Vietnamese in NFD —
aid answers 0, 1 or 2, never a traceback; a refusal leaves the ledger exactly as it was; an
acceptance leaves every report printable.

Each example runs on a fresh copy of one small template ledger, through tests/cli.py's runner (far
faster than a process per example); the examples are bounded so the suite stays well under a
minute in CI.
"""

from __future__ import annotations

import shutil
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli import invoke
from tests.conftest import Ledger, _env

RUNS = settings(max_examples=30, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.function_scoped_fixture])
CODES = ["RICE", "NOODLE", "B350", "KHO", "SHOP", "D1", "H1", "H2"]
NFD = unicodedata.normalize("NFD", "Nguyễn Thị Hường, Tổ 3")

# Text a careless or hostile user might type into any field.
nasty = st.one_of(
    st.sampled_from(CODES + ["", " ", "\x00", "R\x00X", "\x1b[2J", "\u202eevil", "٥", "５",
                             NFD, "x" * 300, "=", "A=B=C", "'; DROP TABLE x;--"]),
    st.text(max_size=12),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=190, max_size=210),
)
# What a number field might receive.
bad_numbers = st.one_of(
    st.integers(-10**3, 10**4).map(str),
    st.integers(-10**31, 10**31).map(str),
    st.sampled_from(["", " ", "0", "-0", "٥", "５", "1.000", "1,000", "1.000.000.000.000.001",
                     "1e3", "1_000", "+7", "0x10", "1" * 5000, "NaN", "10**30"]),
)
bad_dates = st.one_of(st.sampled_from(["", " ", "２０２１-11-05", "31/02/2021", "9999-12-31",
                                       "0001-01-01", "17/11/202"]), st.dates().map(str))


def sometimes(good: st.SearchStrategy, bad: st.SearchStrategy) -> st.SearchStrategy:
    """Mostly a value a treasurer would type (so facts get recorded and reports run over
    them), one time in four a hostile one."""
    return st.one_of(good, good, good, bad)


good_texts = st.sampled_from(["Gạo", NFD, "Chị Lan", "Tổ 2", "x" * 200, "hỏng 5 kg"])
texts = sometimes(good_texts, nasty)
new_codes = sometimes(st.sampled_from(["OIL", "D2", "H9", "B1", "Nước_mắm", "X" * 40]), nasty)
good_numbers = st.one_of(st.integers(1, 30).map(str),
                         st.sampled_from(["1.000", "350,000", "1000000000",
                                          "1.000.000.000.000.000"]))
numbers = sometimes(good_numbers, bad_numbers)
good_dates = st.dates(date(2021, 11, 1), date(2022, 1, 31)).flatmap(
    lambda d: st.sampled_from([d.isoformat(), d.strftime("%d/%m/%Y")]))
dates = sometimes(good_dates, bad_dates)
pair = st.builds(lambda code, qty: f"{code}={qty}",
                 sometimes(st.sampled_from(["RICE", "NOODLE"]), nasty), numbers)
good_pair = st.builds(lambda code, qty: f"{code}={qty}", st.sampled_from(["RICE", "NOODLE"]),
                      st.integers(1, 30))
bundle_pair = st.builds(lambda qty: f"B350={qty}", numbers)


def _option(name: str, values: st.SearchStrategy) -> st.SearchStrategy:
    """Either no such option, or the option with one fuzzed value."""
    return st.one_of(st.just([]), values.map(lambda value: [name, value]))


def _command(head: list[str], *options: st.SearchStrategy) -> st.SearchStrategy:
    return st.tuples(*options).map(lambda parts: head + [w for part in parts for w in part])


recording = st.one_of(
    st.builds(lambda d, rest: ["donate", d] + rest, sometimes(st.just("D1"), nasty),
              _command(["--into", "KHO"], _option("--cash", numbers), _option("--item", pair),
                       _option("--receipt", texts), _option("--note", texts),
                       _option("--on", dates))),
    _command(["buy", "--into", "KHO"], _option("--cash", numbers), _option("--item", pair),
             _option("--supplier", texts)),
    _command(["pack", "B350", "--at", "KHO"], _option("--count", numbers), _option("--on", dates)),
    st.builds(lambda r, rest: ["give", r, "--from", "KHO"] + rest,
              sometimes(st.sampled_from(["H1", "H2"]), nasty),
              _command([], _option("--bundle", bundle_pair), _option("--item", pair),
                       _option("--cash", numbers), _option("--on", dates))),
    _command(["transfer", "--from", "KHO", "--to", "SHOP"], _option("--item", pair)),
    _command(["adjust", "KHO"], _option("--item", pair), _option("--reason", texts)),
    _command(["count", "KHO"], _option("--item", pair), _option("--variance-reason", texts)),
    st.builds(lambda e, r: ["reverse", e, "--reason", r], sometimes(st.just("10"), bad_numbers),
              texts),
    st.builds(lambda c, n, u, v: ["item", "add", c, "--name", n, "--unit", u, "--value", v],
              new_codes, texts, texts, numbers),
    st.builds(lambda c, n: ["donor", "add", c, "--name", n], new_codes, texts),
    st.builds(lambda c, n, g, size, tier: ["recipient", "add", c, "--name", n, "--group", g,
                                           "--size", size, "--tier", tier],
              new_codes, texts, texts, numbers, sometimes(st.sampled_from("0123"), bad_numbers)),
    st.builds(lambda c, n, p, cash: ["bundle", "define", c, "--name", n, "--item", p,
                                     "--cash", cash], new_codes, texts, pair, numbers),
    st.builds(lambda value, every, slot: ["voucher", "issue", "H1", "--shop", "SHOP", "--value",
                                          value, "--every", every, "--slot", slot],
              numbers, numbers, texts),
    _command(["shop", "price", "SHOP"], _option("--item", pair)),
    st.builds(lambda actor: ["--actor", actor, "donate", "D1", "--into", "KHO", "--cash", "5"],
              texts),
    _command(["unpack", "B350", "--at", "KHO"], _option("--count", numbers)),
    st.builds(lambda c, n, k: ["location", "add", c, "--name", n, "--kind", k], new_codes, texts,
              sometimes(st.sampled_from(["store", "shop"]), nasty)),
    st.builds(lambda t, label: ["tier", "label", t, label],
              sometimes(st.sampled_from("0123"), bad_numbers), texts),
    st.builds(lambda code, reason: ["recipient", "exclude", code, "--reason", reason],
              sometimes(st.just("H2"), nasty), texts),
    st.builds(lambda voucher, item: ["pickup", voucher, "--item", item],
              sometimes(st.just("7KQ-M2X-9TB"), nasty), pair),
    st.builds(lambda r, rest: ["round", "open", r, "--from", "KHO"] + rest,
              sometimes(st.just("R1"), nasty),
              _command([], _option("--bundle", st.just("B350")), _option("--cap", numbers),
                       _option("--group", texts), _option("--on", dates))),
)

REPORTS = [["stock"], ["cash"], ["history"], ["bundle", "packable"], ["audit", "check"],
           ["audit", "reconcile"], ["--lang", "vi", "audit", "statement", "--format", "html"],
           ["--lang", "vi", "recipient", "list"], ["voucher", "list"],
           ["report", "drive", "--format", "json"]]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """One small ward, built once: items, a store and a shop, a donor, households, a bundle,
    stock and cash."""
    path = tmp_path_factory.mktemp("fuzz") / "template.db"
    ward = Ledger(_env(AID_DB=str(path)), "sqlite", path)
    ward("init", "--ward", "Phường 3", "--on", "2021-11-01")
    ward("item", "add", "RICE", "--name", "Gạo", "--unit", "kg", "--value", "15000")
    ward("item", "add", "NOODLE", "--name", "Mì gói", "--unit", "case", "--value", "100000")
    ward("location", "add", "KHO", "--name", "Kho phường")
    ward("location", "add", "SHOP", "--name", "Siêu thị 0 đồng", "--kind", "shop")
    ward("donor", "add", "D1", "--name", "Công ty Gạo Việt")
    ward("recipient", "add", "H1", "--name", "Nguyễn Văn A", "--group", "Tổ 1", "--size", "4")
    ward("recipient", "add", "H2", "--name", "Trần Thị B", "--group", "Tổ 10", "--size", "2")
    ward("bundle", "define", "B350", "--name", "Phần quà", "--item", "RICE=10", "--item",
         "NOODLE=1", "--cash", "100000")
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=100", "--item", "NOODLE=10",
         "--cash", "5000000", "--on", "2021-11-02")
    return path


class Copy:
    """A fresh copy of the template, driven as a user would, exceptions caught as the shell
    would see them."""

    def __init__(self, template: Path, where: Path) -> None:
        where.mkdir(parents=True, exist_ok=True)
        self.path = where / "aid.db"
        shutil.copyfile(template, self.path)
        self.env = _env(AID_DB=str(self.path))
        self.ward = Ledger(self.env, "sqlite", self.path)

    def run(self, args: list[str]) -> int:
        result = invoke(args, env=self.env)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"aid {args!r} raised {result.exception!r}") \
                from result.exception
        assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.stderr)
        assert "Traceback" not in result.stderr, (args, result.stderr)
        if result.exit_code:
            assert len(result.stderr.strip().splitlines()) >= 1, args
        return result.exit_code

    def check(self, args: list[str]) -> None:
        """Run `args`; a refusal changed nothing, an acceptance left every report printable."""
        before = self.ward.snapshot()
        if self.run(args):
            assert self.ward.snapshot() == before, f"aid {args!r} was refused but wrote"
            return
        for report in REPORTS:
            assert self.run(report) == 0, (args, report)


@given(args=recording)
@RUNS
def test_recording_commands_never_crash_and_refusals_write_nothing(template, tmp_path_factory,
                                                                   args):
    Copy(template, tmp_path_factory.mktemp("ex")).check(args)


good_donation = st.fixed_dictionaries({
    "receipt": st.text(alphabet="PT-0123456789", min_size=1, max_size=8), "date": good_dates,
    "donor": st.just("D1"), "location": st.just("KHO"), "cash": good_numbers,
    "items": st.lists(good_pair, max_size=2, unique_by=lambda p: p.split("=")[0]).map("; ".join),
    "note": st.one_of(st.just(""), good_texts)})
good_handout = st.fixed_dictionaries({
    "slip": st.just(""), "date": good_dates, "recipient": st.sampled_from(["H1", "H2"]),
    "location": st.just("KHO"), "bundles": st.just(""), "items": good_pair, "cash": st.just("")})
bad_donation = st.fixed_dictionaries({
    "receipt": sometimes(st.text(alphabet="PT-0123456789", min_size=1, max_size=8), nasty),
    "date": dates, "donor": sometimes(st.just("D1"), nasty),
    "location": sometimes(st.just("KHO"), nasty), "cash": numbers,
    "items": st.one_of(pair, st.lists(pair, max_size=3).map("; ".join)),
    "note": st.one_of(st.just(""), texts)})
bad_handout = st.fixed_dictionaries({
    "slip": st.one_of(st.just(""), texts), "date": dates,
    "recipient": sometimes(st.sampled_from(["H1", "H2"]), nasty),
    "location": sometimes(st.just("KHO"), nasty), "bundles": st.one_of(st.just(""), bundle_pair),
    "items": st.one_of(st.just(""), pair), "cash": st.one_of(st.just(""), numbers)})


@given(rows=st.lists(st.tuples(new_codes, texts, texts, numbers,
                                sometimes(st.sampled_from("0123"), bad_numbers)), max_size=3))
@RUNS
def test_household_imports_never_crash_and_refusals_write_nothing(template, tmp_path_factory,
                                                                   rows):
    where = tmp_path_factory.mktemp("ex")
    file = where / "households.csv"
    file.write_text(_csv([dict(zip(HOUSEHOLD_COLUMNS, row)) for row in rows],
                         HOUSEHOLD_COLUMNS), encoding="utf-8")
    Copy(template, where).check(["recipient", "import", str(file)])


HOUSEHOLD_COLUMNS = ["code", "name", "group", "size", "tier"]
DONATION_COLUMNS = ["receipt", "date", "donor", "location", "cash", "items", "note"]
HANDOUT_COLUMNS = ["slip", "date", "recipient", "location", "bundles", "items", "cash"]


def _csv(rows: list[dict[str, str]], columns: list[str]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@given(kind=st.sampled_from(["donations", "handouts"]), data=st.data())
@RUNS
def test_imports_never_crash_and_refusals_write_nothing(template, tmp_path_factory, kind, data):
    good, bad = ((good_donation, bad_donation) if kind == "donations"
                 else (good_handout, bad_handout))
    rows = data.draw(st.lists(st.one_of(good, good, bad), min_size=1, max_size=4)
                     if data.draw(st.booleans()) else st.lists(good, max_size=3))
    columns = DONATION_COLUMNS if kind == "donations" else HANDOUT_COLUMNS
    where = tmp_path_factory.mktemp("ex")
    file = where / f"{kind}.csv"
    file.write_text(_csv(rows, columns), encoding="utf-8")
    Copy(template, where).check(["import", kind, str(file)])
