"""Windows 10/11 without a Windows machine (issue 23 item 9): the portable paths, tested here.

- No `fcntl` (Windows has none): the ward key's lock, the first day and the key tests run in a
  child pytest whose `sitecustomize` makes `fcntl` unimportable.
- Edge and Chrome where Windows installs them: `find_chromium` on a faked Windows, its
  Program Files and Local AppData pointing at a folder holding fake browsers.
- Vietnamese file names and CRLF files: a household list "hộ được duyệt.csv" with Windows line
  endings and a byte-order mark, into a ledger in a folder named in Vietnamese.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from commands.output import printing

ROOT = Path(__file__).resolve().parents[1]
NO_FCNTL = '''import sys
class _NoFcntl:
    def find_spec(self, name, path=None, target=None):
        if name == "fcntl":
            raise ModuleNotFoundError("No module named 'fcntl'", name=name)
        return None
sys.meta_path.insert(0, _NoFcntl())
sys.modules.pop("fcntl", None)
'''


def test_the_key_file_and_the_first_day_work_without_fcntl(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(NO_FCNTL, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": f"{site}{os.pathsep}{ROOT}"}
    env.pop("PYTEST_XDIST_WORKER", None)
    probe = subprocess.run([sys.executable, "-c", "import fcntl"], env=env,
                           capture_output=True, text=True, check=False)
    assert probe.returncode != 0 and "fcntl" in probe.stderr  # the block holds
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider",
         "-W", "ignore::UserWarning", "tests/commands/test_first_day.py", "tests/ledger/test_privacy.py",
         "-k", "not postgres and not missing_postgresql"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "[100%]" in done.stdout  # tests ran (pytest exits 5 when none is collected)


def test_edge_and_chrome_are_found_where_windows_installs_them(tmp_path):
    def install(folder: str, below: str) -> Path:
        path = tmp_path / folder / Path(*below.split("\\"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"MZ")
        return path

    env = {"ProgramFiles": str(tmp_path / "Program Files"),
           "ProgramFiles(x86)": str(tmp_path / "Program Files (x86)"),
           "LOCALAPPDATA": str(tmp_path / "AppData" / "Local")}
    assert printing.find_chromium(env, system="windows") in (None, *_on_path())
    chrome = install("AppData/Local", r"Google\Chrome\Application\chrome.exe")
    assert printing.find_chromium(env, system="windows") == str(chrome)
    edge = install("Program Files (x86)", r"Microsoft\Edge\Application\msedge.exe")
    assert printing.find_chromium(env, system="windows") == str(edge)  # Edge comes first
    assert printing.find_chromium({**env, "AID_CHROMIUM": str(chrome)},
                                  system="windows") == str(chrome)


def _on_path() -> tuple[str, ...]:
    import shutil

    return tuple(found for name in printing.WINDOWS_NAMES if (found := shutil.which(name)))


def test_vietnamese_file_names_and_crlf_lists(sqlite_ledger, tmp_path):
    folder = tmp_path / "Phường 3 — sổ"
    folder.mkdir()
    sqlite_ledger.env["AID_DB"] = str(folder / "sổ quỹ.db")
    sqlite_ledger("init", "--ward", "Phường 3")
    listing = folder / "hộ được duyệt.csv"
    listing.write_bytes("\ufeffcode,name,group,size,tier\r\nH1,Nguyễn Văn Ánh,Tổ 1,4,1\r\n"
                        "H2,Trần Thị Bích,Tổ 2,2,2\r\n".encode("utf-8"))
    sqlite_ledger("recipient", "import", str(listing))
    import json

    rows = json.loads(sqlite_ledger("recipient", "list", "--format", "json").out)
    assert [(r["code"], r["name"], r["group"]) for r in rows] == [
        ("H1", "Nguyễn Văn Ánh", "Tổ 1"), ("H2", "Trần Thị Bích", "Tổ 2")]
