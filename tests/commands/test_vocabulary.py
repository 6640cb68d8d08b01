"""Vietnamese all the way: every command of the README and of the topic pages it points to
(docs/*.md), of the guides by role (docs/guides/, each run on a copy of the demo) and the demo,
run with `--lang vi`, must print no English word of the product's own vocabulary.

The vocabulary is not a hand list: it is every word of every English text in the catalog
(the msgids of aid.po, which `catalog check` keeps equal to what the code can print), less the
words a Vietnamese translation keeps as they are (codes, command names, SQLite, PDF …: found
in the msgstrs themselves) and a few codes below. The outputs are searched for those words in
lower case, as whole words: codes (RICE, KHO), options (--item), paths, `commands` and
machine output (--format json/csv, which stay English by contract) are not sentences.
"""

from __future__ import annotations

import json
import re
import shlex
import sqlite3
from contextlib import closing
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from commands.cli.main import app
from commands.language.catalog import po_path
from tests.cli import invoke

ROOT = Path(__file__).resolve().parents[2]
# codes and technical names that stay as they are in Vietnamese text
CODES = {"sqlite", "pdf", "csv", "json", "xlsx", "html", "qr", "id", "vietqr", "napas", "url",
         "postgresql", "chromium", "chrome", "edge", "utc", "ods", "toml", "aid", "ledger",
         "ward", "iana", "asia", "ho_chi_minh", "sha", "ed25519", "gini", "ok"}
# English words still printed in Vietnamese, each with where it comes from (none left since
# issue 23 closed). The test fails on any word not listed here, and on a listed word that no
# longer appears (remove it then).
KNOWN: dict[str, str] = {}

WORD = re.compile(r"(?<![\w\-./\\:@=+#'%{])[a-z]{3,}(?![\w\-./\\:@=(}])")


@cache
def vocabulary() -> frozenset[str]:
    with po_path("vi").open("rb") as file:
        catalog = read_po(file)
    english, kept = set(), set()
    for message in catalog:
        if not message.id or not isinstance(message.id, str):
            continue
        english |= set(_words(message.id))
        kept |= set(_words(message.string or ""))
    with po_path("vi", "messages").open("rb") as file:
        for message in read_po(file):
            kept |= set(_words(message.string or "")) if isinstance(message.string, str) else set()
    return frozenset(english - kept - CODES)


@cache
def commands() -> frozenset[str]:
    """The command and group names (`aid give`, `aid stock`): typed as they are, like codes."""
    from typer.main import get_command

    names: set[str] = set()

    def walk(group) -> None:
        for name, command in getattr(group, "commands", {}).items():
            names.update(part.lower() for part in re.findall(r"[A-Za-z]{3,}", name))
            walk(command)

    walk(get_command(app))
    return frozenset(names)


def _words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[A-Za-z]{3,}", _prose(text))]


def _prose(text: str) -> str:
    """The sentence words of a text: without `commands`, {fields}, --options, paths, URLs."""
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\baid(?: [a-z][\w-]*)+", " ", text)  # a command line: aid give, aid stock
    text = re.sub(r"(?m)^  [a-z][\w-]*(?=  )", " ", text)  # a command in --help's list
    text = re.sub(r"<[^<>]*>|\[[^\[\]]*\]", " ", text)  # option choices, [defaults]
    text = re.sub(r"\{[^{}]*\}", " ", text)
    text = re.sub(r"(?<!\w)--?[A-Za-z][\w-]*", " ", text)
    text = re.sub(r"\S*[/\\]\S*", " ", text)  # paths and URLs
    text = re.sub(r"\S+\.(?:db|key|pem|csv|xlsx|html|pdf|json|toml|ods)\b", " ", text)
    return text


def english_words(output: str, given: frozenset[str] = frozenset()) -> set[str]:
    """The vocabulary's words found in one output, as sentence words; `given`: the user's own
    data (a unit typed as `--unit case` is theirs to print)."""
    return {w for w in WORD.findall(_prose(output)) if w in vocabulary() and w not in given}


# ---- the scanner itself: what it must catch, what it must never flag -------------------

def test_the_scanner_catches_the_issues_examples():
    for sample, word in (("có phải ý bạn là TT03 or TT02", None),
                         ("chỉ có 7 bundles", "bundles"),
                         ("trạng thái: not yet", "yet"),
                         ("30.000.000 đồng cash", "cash"),
                         ("Phần quà 350.000 ₫ (bundle)", "bundle")):
        found = english_words(sample)
        if word is not None:
            assert word in found, (sample, found)
    assert "not" in vocabulary() and "received" in vocabulary()


def test_the_scanner_leaves_codes_paths_options_and_vietnamese_alone():
    honest = ("nhận ủng hộ: từ MEKONG, số phiếu thu PT-0001 (KHO RICE +500), ngày 12/11/2021 — "
              "đã ghi bút toán 16\nxem `aid give --help`; --item RICE=5; tệp ./aid-demo.db, "
              "khóa /tmp/x/phuong-3.key; https://example.org/cong-khai; SQLite, PDF, JSON, QR")
    assert english_words(honest) == set()


# ---- the README and the demo in Vietnamese ------------------------------------------------

SKIP = ("aid serve", "aid sync", "aid audit verify --digest")  # a server, a district, a file


def readme_commands(path: Path = ROOT / "README.md") -> list[list[str]]:
    """The `aid` lines of the ```sh blocks of the README (or of another page), as arguments."""
    text = path.read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.DOTALL):
        for line in block.splitlines():
            line = line.split("  #")[0].strip().rstrip("\\").strip()
            for part in line.split("&&"):
                part = part.strip()
                if not part.startswith("aid ") or part.startswith(SKIP):
                    continue
                if ">" in part or "…" in part or "--format" in part:
                    continue  # machine output (English by contract) or a placeholder
                found.append(shlex.split(part)[1:])
    return found


# the README, then the topic pages it points to (docs/recording.md, docs/rounds.md …): read as one
# page, so a section moved out of the README keeps its commands in the check, run as before on the
# first day's ledger (after the README's own) and on the demo
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def page_commands() -> list[list[str]]:
    """The `aid` lines of the ```sh blocks of the README and of every topic page, in order."""
    return [args for page in PAGES for args in readme_commands(page)]


GUIDES = sorted((ROOT / "docs" / "guides").glob("*.md"))  # one user guide per role

# `aid demo` draws new voucher codes each time: the guides name the codes of the demo they were
# written against, and each is replaced by the code the test's demo gave the same household
# (its latest voucher, when the guide issues a new one)
GUIDE_VOUCHERS = {"0AC-MVJ-EX5": "H01", "MRV-A00-EJK": "H02", "4BZ-806-TMB": "H03",
                  "XGB-K7M-7N1": "H04", "CBQ-5F6-8M6": "H05"}


def guide_commands(env: dict[str, str], guide: Path) -> dict[str, str]:
    """Every command of one guide, in order, against the ledger in `env` (a copy of the demo,
    as a reader following the guide has): its outputs, by command line."""
    outputs = {}
    for args in readme_commands(guide):
        if any(arg in GUIDE_VOUCHERS for arg in args):
            held = {}  # each household's latest voucher in this ledger
            for voucher in sorted(json.loads(run(env, ["voucher", "list", "--format", "json"])),
                                  key=lambda voucher: voucher["entry"]):
                held[voucher["recipient"]] = voucher["code"]
            args = [held.get(GUIDE_VOUCHERS.get(arg, ""), arg) for arg in args]
        outputs[f"{guide.name}: " + " ".join(args)] = run(env, args)
    return outputs


def run(env: dict[str, str], args: list[str]) -> str:
    result = invoke(["--lang", "vi", *args], env=env, catch_exceptions=False)
    assert "Traceback" not in result.stdout + result.stderr, args
    return result.stdout + result.stderr


@pytest.fixture
def first_day(tmp_path, monkeypatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)
    return {"AID_DB": str(tmp_path / "phuong3.db"), "AID_ACTOR": "Chị Lan",
            "AID_DATABASE_URL": "", "AID_KEY_FILE": str(tmp_path / "phuong3.key")}


EXTRA = [  # reports the README and its pages name without their command line in a block
    [], ["--help"], ["audit", "reconcile"], ["audit", "check"], ["audit", "trace", "12"],
    ["audit", "statement"], ["report", "drive"], ["alerts"], ["expiring"], ["recipient", "list"],
    ["voucher", "list"], ["round", "status", "R1"], ["round", "plan", "R1"], ["round", "list"],
    ["history"], ["cash"], ["bundle", "list"], ["item", "list"], ["location", "list"],
    ["donor", "list"], ["tier", "list"], ["shop", "report", "SHOP0D"],
    ["give", "TT03", "--from", "KHO", "--item", "GAO=1"],  # a near-miss code: "did you mean"
    ["give", "H01", "--from", "KHO", "--bundle", "B350=9999"],  # more bundles than packed
    ["audit", "digest"], ["audit", "trace", "33"], ["audit", "trace", "31"],
    ["voucher", "issue", "H01", "--shop", "KHO", "--value", "1"], ["location", "add", "CH1",
                                                                    "--name", "Cửa hàng", "--kind",
                                                                    "cửa hàng"],
]


def test_the_readme_the_guides_and_the_demo_speak_vietnamese(first_day, tmp_path, monkeypatch):
    outputs: dict[str, str] = {}
    for args in page_commands():
        outputs[" ".join(args)] = run(first_day, args)
    demo = {**first_day, "AID_DB": str(tmp_path / "demo.db"),
            "AID_KEY_FILE": str(tmp_path / "demo.key")}
    outputs["demo"] = run(demo, ["demo", "--db", demo["AID_DB"]])
    guides = {}  # each guide runs in a folder of its own, on a copy of the demo as built
    for guide in GUIDES:
        folder = tmp_path / "guides" / guide.stem
        folder.mkdir(parents=True)
        with closing(sqlite3.connect(demo["AID_DB"])) as source, \
                closing(sqlite3.connect(folder / "guide.db")) as copy:
            source.backup(copy)
        guides[guide] = {**demo, "AID_DB": str(folder / "guide.db")}
    for args in page_commands() + EXTRA:
        outputs["demo: " + " ".join(args)] = run(demo, args)
    for guide, env in guides.items():
        monkeypatch.chdir(tmp_path / "guides" / guide.stem)
        outputs.update(guide_commands(env, guide))
    for page in tmp_path.rglob("*.html"):  # the printed pages the commands wrote
        outputs[str(page.relative_to(tmp_path))] = re.sub(r"<[^>]+>", " ", re.sub(
            r"<(style|script)[^>]*>.*?</\1>", " ", page.read_text(encoding="utf-8"), flags=re.DOTALL))
    typed = page_commands() + EXTRA + [args for guide in GUIDES
                                         for args in readme_commands(guide)]
    given = frozenset(w.lower() for args in typed for arg in args
                      if not arg.startswith("-") for w in re.findall(r"[A-Za-z]{3,}", arg))
    found: dict[str, set[str]] = {}
    for where, output in outputs.items():
        for word in english_words(output, given):
            found.setdefault(word, set()).add(where)
    new = {word: sorted(places)[:3] for word, places in found.items() if word not in KNOWN}
    assert not new, "English words in Vietnamese output:\n" + "\n".join(
        f"  {word!r} in {places}" for word, places in sorted(new.items()))
    gone = sorted(set(KNOWN) - set(found))
    assert not gone, f"no longer printed, remove from KNOWN: {gone}"
