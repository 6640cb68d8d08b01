"""A treasurer's first day: `aid init` in one step, then recording with no environment variable
(issue 23 item 8), and every write saying what it recorded, on which date (item 5)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import invoke

ROOT = Path(__file__).resolve().parents[2]


def aid(*args: str, env: dict[str, str] | None = None):
    return invoke(args, env=env or {}, catch_exceptions=False)


@pytest.fixture
def newcomer(monkeypatch, tmp_path):
    """A machine with nothing configured: no AID_* variable, its own user folders."""
    for name in ("AID_DB", "AID_DATABASE_URL", "AID_ACTOR", "AID_KEY_FILE", "AID_WARD",
                 "AID_SIGNING_KEY_FILE", "AID_INIT_SIGN", "AID_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    work = tmp_path / "sổ phường"  # a Vietnamese folder name
    work.mkdir()
    monkeypatch.chdir(work)
    return tmp_path


def test_init_does_the_first_day_in_one_step(newcomer, monkeypatch):
    made = aid("init", "--ward", "Phường 3", "--actor", "Chị Lan", "--on", "01/11/2021")
    assert made.exit_code == 0, made.stderr
    config = newcomer / "config" / "aid-ledger" / "config.toml"
    key = newcomer / "data" / "aid-ledger" / "phuong-3.key"
    signing = newcomer / "config" / "aid-ledger" / "signing-key.pem"
    assert config.is_file() and key.is_file() and signing.is_file()
    assert "BACK UP THIS FILE NOW" in made.stdout and "declared key" in made.stdout
    if os.name == "posix":
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    text = config.read_text(encoding="utf-8")
    assert 'actor = "Chị Lan"' in text and "phuong-3.key" in text and "aid.db" in text
    # later commands, from another folder, with no variable: the settings file is enough
    monkeypatch.chdir(newcomer)
    assert aid("item", "add", "RICE", "--name", "Gạo", "--unit", "kg").exit_code == 0
    added = aid("recipient", "add", "H1", "--name", "Nguyễn Văn A")  # needs the ward key
    assert added.exit_code == 0, added.stderr
    history = aid("history", "--format", "json")
    assert [line["actor"] for line in __import__("json").loads(history.stdout)] == ["Chị Lan"] * 3
    verified = aid("audit", "verify")
    assert verified.exit_code == 0 and "signed from position" in verified.stdout


def test_a_refused_init_leaves_no_ledger_behind(newcomer):
    """From a sweep: `--code "bad code"` was refused after the file was made; the empty file
    then read as a ledger with no stock. Now nothing is left, and the next init works."""
    refused = aid("init", "--ward", "Phường 3", "--code", "bad code", "--db", "y.db",
                  "--no-sign")
    assert refused.exit_code == 2 and "is not a valid ward code" in refused.stderr
    assert not list(Path.cwd().glob("y.db*"))
    assert aid("stock", "--db", "y.db").exit_code == 2  # no ledger, said as such
    assert aid("init", "--ward", "Phường 3", "--code", "P3", "--db", "y.db",
               "--no-sign").exit_code == 0


@pytest.mark.parametrize("variable", ["AID_KEY_FILE", "AID_SIGNING_KEY_FILE"])
def test_a_key_file_that_is_a_folder_is_refused_before_the_ledger_is_made(newcomer, variable,
                                                                         monkeypatch):
    """From a sweep: the ledger was written first, then the key file refused; the retry with a
    good one was told the ledger already held the ward. Now nothing is made, and it works."""
    folder = newcomer / "keys"
    folder.mkdir()
    monkeypatch.setenv(variable, str(folder))
    refused = aid("init", "--ward", "Phường 9", "--actor", "Chị Lan", "--db", "p9.db")
    assert refused.exit_code == 2 and refused.stderr.count("\n") == 1, refused.stderr
    said = "cannot read the signing key" if variable == "AID_SIGNING_KEY_FILE" else folder
    assert refused.stderr.startswith(f"aid: {said}"), refused.stderr
    assert "recorded" not in refused.stdout and not list(Path.cwd().glob("p9.db*"))
    assert not (newcomer / "config" / "aid-ledger" / "config.toml").exists()
    monkeypatch.setenv(variable, str(newcomer / "good.key"))
    again = aid("init", "--ward", "Phường 9", "--actor", "Chị Lan", "--db", "p9.db")
    assert again.exit_code == 0, again.stderr


def test_a_key_that_cannot_be_made_takes_the_new_ledger_with_it(newcomer, monkeypatch):
    """A key file refused only when it is made, after the ledger: the ledger goes too."""
    monkeypatch.setenv("AID_SIGNING_KEY_FILE", "/proc/aid-signing-key.pem")
    refused = aid("init", "--ward", "Phường 9", "--actor", "Chị Lan", "--db", "p9.db")
    assert refused.exit_code == 2 and "cannot write the signing key" in refused.stderr
    assert not list(Path.cwd().glob("p9.db*"))


def test_variables_and_options_win_over_the_settings_file(newcomer, monkeypatch):
    assert aid("init", "--ward", "Phường 3", "--actor", "Chị Lan", "--no-sign").exit_code == 0
    other = newcomer / "other.db"
    assert aid("init", "--ward", "Phường 4", "--db", other, "--no-sign").exit_code == 0
    assert "settings kept" in aid("init", "--ward", "Phường 5", "--db", newcomer / "5.db",
                                  "--no-sign").stdout
    monkeypatch.setenv("AID_DB", str(other))
    monkeypatch.setenv("AID_ACTOR", "Anh Minh")
    aid("item", "add", "RICE", "--name", "Gạo", "--unit", "kg")
    import json

    lines = json.loads(aid("history", "--format", "json").stdout)
    assert lines[-1]["kind"] == "item" and lines[-1]["actor"] == "Anh Minh"
    monkeypatch.delenv("AID_DB")
    home = json.loads(aid("history", "--format", "json").stdout)
    assert [line["kind"] for line in home] == ["init"]  # the file's ledger: nothing added
    assert json.loads(aid("history", "--format", "json", "--db", other).stdout)[-1]["kind"] \
        == "item"


def test_a_broken_settings_file_is_one_line(newcomer, monkeypatch):
    config = newcomer / "broken.toml"
    config.write_text('db = "unclosed\n', encoding="utf-8")
    monkeypatch.setenv("AID_CONFIG", str(config))
    result = aid("stock")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "not valid TOML" in result.stderr


def test_init_keeps_using_the_variables_it_is_given(ledger):
    """The tests' and scripts' way (AID_DB, AID_KEY_FILE set): the same ledger as before, no
    second key made, the key file checked at once."""
    out = ledger("init", "--ward", "Phường 3").out
    assert out.splitlines()[0].endswith("recorded entry 1")
    assert "wrote the ward key" not in out


def test_every_write_says_what_and_when_with_the_entry_last(ward):
    said = ward("--lang", "vi", "donate", "D1", "--into", "KHO", "--item", "RICE=500",
                "--receipt", "PT-0001", "--on", "12/11/2021").out.strip()
    assert said.startswith("nhận ủng hộ: từ D1, số phiếu thu PT-0001 (KHO RICE +500), "
                           "ngày 12/11/2021 — đã ghi bút toán "), said
    assert said.split()[-1].isdigit()
    english = ward("give", "H1", "--from", "KHO", "--item", "RICE=5", "--on", "2021-11-13").out
    assert english.strip().startswith("hand-out: to H1 (KHO RICE -5), on 13 Nov 2021 — "
                                      "recorded entry ")
    assert ward.entry("transfer", "--from", "KHO", "--to", "SHOP", "--item", "RICE=1") > 0


def test_a_location_kind_in_vietnamese(ward):
    said = ward("--lang", "vi", "location", "add", "CH2", "--name", "Cửa hàng 0 đồng", "--kind",
                "cửa hàng").out
    assert said.startswith("khai báo địa điểm: CH2 Cửa hàng 0 đồng, ngày "), said
    ward("shop", "price", "CH2", "--item", "RICE=15000")  # only a shop takes prices
    said = ward("--lang", "vi", "location", "add", "K2", "--name", "Kho 2", "--kind", "kho").out
    assert said.startswith("khai báo địa điểm: K2 Kho 2, ngày "), said


def test_a_missing_postgresql_driver_is_one_line_naming_the_extra(tmp_path):
    """`aid sync` (or any PostgreSQL ledger) after the plain install: no traceback."""
    blocker = tmp_path / "site"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(BLOCK.format(names=("psycopg", "psycopg_pool")),
                                              encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": f"{blocker}{os.pathsep}{ROOT}", "AID_LANG": "en",
           "AID_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "AID_WARD": "p3"}
    for args in (["init", "--ward", "Phường 3", "--no-sign"], ["stock"],
                 ["sync", "--to", "postgresql://nobody@127.0.0.1:1/district"]):
        done = subprocess.run([sys.executable, "-m", "commands", *args], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
        assert done.stderr.count("\n") == 1 and "'.[postgres]'" in done.stderr, done.stderr


BLOCK = '''import sys
class _Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {names!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None
sys.meta_path.insert(0, _Block())
'''


def test_the_demo_never_takes_the_wards_own_key(newcomer):
    """After `aid init`, the settings file names the ward's real key: `aid demo` must make a
    key of its own, leaving the real key file byte for byte as it was (the demo's forty
    households would otherwise take keys in it, beside the ward's own)."""
    assert aid("init", "--ward", "Phường 3", "--actor", "Chị Lan", "--no-sign").exit_code == 0
    key = newcomer / "data" / "aid-ledger" / "phuong-3.key"
    before = key.read_bytes()
    demo = aid("demo", "--db", newcomer / "demo.db")
    assert demo.exit_code == 0, demo.stderr
    assert key.read_bytes() == before
    assert (newcomer / "demo.key").is_file() and "made the demo's key file" in demo.stdout


def test_the_settings_file_points_a_vietnamese_reader_to_the_treasurers_guide(newcomer):
    """Issue 23: in Vietnamese the file's comment pointed to the README's English section "A
    treasurer's first day"; it names the guide in Vietnamese, which exists."""
    made = aid("--lang", "vi", "init", "--ward", "Phường 3", "--actor", "Chị Lan")
    assert made.exit_code == 0, made.stderr
    config = newcomer / "config" / "aid-ledger" / "config.toml"
    comment = " ".join(line.lstrip("# ") for line in config.read_text(encoding="utf-8")
                       .splitlines() if line.startswith("#"))
    assert "docs/guides/thu-quy.md" in comment and "treasurer" not in comment, comment
    assert (ROOT / "docs" / "guides" / "thu-quy.md").is_file()
    english = newcomer / "en.toml"
    made = aid("init", "--ward", "Phường 4", "--db", str(newcomer / "4.db"),
               env={"AID_CONFIG": str(english)})
    assert made.exit_code == 0, made.stderr
    assert "A treasurer's first day" in english.read_text(encoding="utf-8")
