"""A database that cannot be used is one line in the reader's language, naming what was typed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from commands.cli.main import app
from tests.conftest import PG_SKIP, PG_URL


def stock(url: str, lang: str) -> tuple[int, str]:
    done = CliRunner().invoke(app, ["--lang", lang, "stock"], env={"AID_DATABASE_URL": url})
    return done.exit_code, done.stderr


def free_port() -> int:
    with socket.socket() as probe:  # bound, then closed: nothing listens there after
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("lang, said", [
    ("en", "aid: cannot use the database: nothing answers at 127.0.0.1:{port}: is PostgreSQL "
           "running there, on that port?\n"),
    ("vi", "aid: không dùng được cơ sở dữ liệu: không có gì trả lời tại 127.0.0.1:{port}: "
           "PostgreSQL có đang chạy ở đó, đúng cổng đó không?\n")])
def test_a_server_that_is_not_running(lang, said):
    port = free_port()
    assert stock(f"postgresql://postgres@127.0.0.1:{port}/test", lang) == (
        1, said.format(port=port))


def test_a_host_that_does_not_exist():
    code, err = stock("postgresql://postgres@no-such-host.invalid:5432/test", "vi")
    assert (code, err) == (1, "aid: không dùng được cơ sở dữ liệu: không có máy nào tên "
                              "'no-such-host.invalid': hãy kiểm tra tên máy (host) trong địa chỉ\n")


@pytest.mark.skipif(PG_URL is None, reason=PG_SKIP)
def test_a_mistyped_database_or_user_on_a_real_server():
    parts = urlsplit(PG_URL)
    server = f"{parts.hostname}:{parts.port or 5432}"
    code, err = stock(parts._replace(path="/aid_no_such_database").geturl(), "vi")
    assert (code, err) == (1, f"aid: không dùng được cơ sở dữ liệu: máy chủ tại {server} không "
                              "có cơ sở dữ liệu 'aid_no_such_database': hãy kiểm tra tên đó "
                              "trong địa chỉ, hoặc nhờ người quản trị tạo nó\n")
    where = parts.netloc.rsplit("@", 1)[-1]
    code, err = stock(parts._replace(netloc=f"aid_no_such_role@{where}").geturl(), "en")
    assert (code, err) == (1, f"aid: cannot use the database: the server at {server} knows no "
                              "user 'aid_no_such_role': check the user in the address\n")


def test_anything_else_keeps_the_databases_own_first_line():
    from commands.language.words import activate, message
    from ledger.store.errors import refused

    activate("vi")
    try:
        said = message(refused(RuntimeError("disk full\nDETAIL: more")))
    finally:
        activate("en")
    assert said == "aid: cơ sở dữ liệu từ chối: disk full"


def test_a_file_that_is_not_a_ledger_or_a_folder_given_as_one(tmp_path):
    noise = tmp_path / "ảnh.db"
    noise.write_bytes(bytes(range(256)) * 8)
    for path, said in ((noise, "tệp này không phải sổ (không phải cơ sở dữ liệu SQLite)"),
                       (tmp_path, "không mở hay đọc được tệp sổ (là thư mục")):
        done = CliRunner().invoke(app, ["--lang", "vi", "stock", "--db", str(path)])
        assert done.exit_code == 1 and done.stderr.startswith(
            f"aid: không dùng được cơ sở dữ liệu: {said}"), done.stderr
        assert done.stderr.count("\n") == 1
    assert noise.read_bytes() == bytes(range(256)) * 8  # untouched


def test_why_a_file_could_not_be_used_is_said_in_the_readers_words(tmp_path):
    """The operating system's reasons are English; the usual ones are said in Vietnamese."""
    binary = tmp_path / "ảnh.bin"
    binary.write_bytes(b"\xc4\xff\x00" * 10)
    for args, said in (
            (["receipt", "verify", str(tmp_path)], "đó là một thư mục, không phải tệp"),
            (["receipt", "verify", str(binary)], "đó không phải văn bản UTF-8")):
        done = CliRunner().invoke(app, ["--lang", "vi", *args])
        assert done.exit_code == 2 and said in done.stderr, done.stderr
        assert done.stderr.count("\n") == 1


def test_writing_into_a_missing_folder_or_one_that_takes_no_files_is_one_line(ward, tmp_path):
    """Every -o (pages, proofs, QR codes, sheets): the same words, exit 2, nothing written."""
    ward("bank", "account", "add", "VCB1", "--bank", "VCB", "--number", "1029990042", "--name",
         "UBMTTQ PHUONG 3")
    ward("round", "open", "R1", "--from", "KHO", "--item", "RICE", "--ration", "RICE=1")
    for target in (tmp_path / "missing" / "x", Path("/proc/aid-x")):
        for args, suffix in ((["bank", "qr", "VCB1"], ".png"), (["audit", "statement"], ".html"),
                             (["audit", "statement"], ".pdf"), (["round", "sheet", "R1"], ".csv"),
                             (["stock"], ".xlsx")):
            path = target.with_suffix(suffix)
            done = ward.fails(*args, "-o", str(path))
            assert done.code == 2 and done.err.startswith(f"aid: cannot write {path}: "), \
                (args, done.err)
            assert done.err.count("\n") == 1 and not path.exists()


def test_numbers_beyond_what_a_ledger_holds_are_refused_in_one_line(ward, tmp_path):
    for args, said in ((["receipt", "99999999999999999999"], "there is no entry"),
                       (["expiring", "--within", "3000000"], "--within must be at most 36,500")):
        done = ward.fails(*args)
        assert done.code == 2 and said in done.err and done.err.count("\n") == 1, done.err
    binary = tmp_path / "digest.txt"
    binary.write_bytes(b"\xbe\xef" * 20)
    done = ward.fails("audit", "verify", "--digest", str(binary))
    assert done.code == 2 and "it is not text in UTF-8" in done.err, done.err


@pytest.mark.parametrize("url", ["postgresql://", "postgresql://postgres@127.0.0.1:5432",
                                 "postgres://127.0.0.1/"])
def test_a_district_address_without_its_database_is_refused_before_connecting(ward, url):
    """libpq would take a database named after the user and sync into it, without a word."""
    done = ward.fails("sync", "--to", url)
    assert done.code == 2 and "name the district's database in its address" in done.err
    assert ward.fails("district", "wards", "--url", url).code == 2


def test_a_key_file_where_no_file_can_be_made_is_refused_at_once(tmp_path):
    """Not a two-minute wait for a lock no one holds, then the wrong reason."""
    done = subprocess.run([sys.executable, "-m", "commands", "key", "init", "--file",
                           "/proc/aid-ward.key"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "AID_LANG": "en"}, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("aid: cannot keep the ward's key at /proc/aid-ward.key: ")


def test_a_checkpoint_given_as_a_folder_or_a_huge_file_is_one_line(ward, tmp_path):
    done = ward.fails("audit", "verify", "--checkpoint", str(tmp_path))
    assert done.code == 2 and "it is a folder, not a file" in done.err
    huge = tmp_path / "big.txt"
    with huge.open("wb") as out:
        out.truncate(65 * 2**20)  # sparse: no time, no disk
    done = ward.fails("audit", "verify", "--checkpoint", str(huge))
    assert done.code == 2 and "is far smaller" in done.err and done.err.count("\n") == 1


def test_a_write_to_a_file_that_is_not_a_ledger_leaves_it_as_it_was(tmp_path):
    """From a sweep: `--db` at an empty file or another program's SQLite database made the
    one into a database and switched the other to WAL; reads already refused both."""
    import sqlite3

    from tests.cli import invoke

    empty = tmp_path / "notes.csv"
    empty.write_bytes(b"")
    other = tmp_path / "o.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE t(x)")
    connection.close()
    before = other.read_bytes()
    for path in (empty, other):
        for args in (("donate", "MEKONG", "--into", "KHO", "--cash", "5"),
                     ("item", "add", "X", "--name", "x", "--unit", "kg")):
            done = invoke([*args, "--db", str(path)], env={"AID_ACTOR": "tester"})
            assert (done.exit_code, done.stderr) == (
                2, f"aid: {path} is not an aid-ledger file: create one with `aid init --ward "
                   "NAME`\n")
    done = invoke(["init", "--ward", "X", "--no-sign", "--db", str(other)])
    assert (done.exit_code, done.stderr) == (
        2, f"aid: {other} is another program's database, not an aid-ledger file: give `aid "
           "init` a new file with --db\n")
    assert empty.read_bytes() == b"" and other.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.csv", "o.sqlite"]
    assert invoke(["init", "--ward", "X", "--no-sign", "--db", str(empty)]).exit_code == 0


@pytest.mark.parametrize("url", ["postgresql://localhost:99999/x", "postgresql://localhost:abc/x",
                                 "postgresql://[::1/x", "postgresql://", "postgresql://localhost"])
def test_an_address_that_is_no_address_is_one_line_naming_it(url):
    """From a sweep: writes raised ValueError (a port out of range or no number, an unclosed
    bracket), and an address with no database read as "no ledger at None/"."""
    from tests.cli import invoke

    for args in (("donate", "MEKONG", "--into", "KHO", "--cash", "5"), ("stock",)):
        done = invoke(args, env={"AID_DATABASE_URL": url, "AID_DB": "", "AID_ACTOR": "tester"},
                      catch_exceptions=False)
        assert (done.exit_code, done.stderr) == (
            2, f"aid: AID_DATABASE_URL '{url}' is not an address aid can use: write it as "
               "postgresql://USER@HOST:PORT/DATABASE (a port is a number up to 65535)\n")
    if url.endswith("/x"):
        done = invoke(["district", "wards"], env={"AID_DISTRICT_URL": url},
                      catch_exceptions=False)
        assert (done.exit_code, done.stderr) == (
            2, f"aid: the district's address '{url}' is not one aid can use: write it as "
               "postgresql://USER@HOST:PORT/DISTRICT (a port is a number up to 65535)\n")


def test_a_write_to_a_server_that_is_not_running_is_refused_at_once_as_a_read_is():
    """From a sweep: reads said at once that nothing answers; writes waited 30 s on the
    library's pool, then said only "couldn't get a connection after 30.00 sec"."""
    import time

    from tests.cli import invoke

    port = free_port()
    started = time.monotonic()
    done = invoke(["item", "add", "X", "--name", "x", "--unit", "kg"],
                  env={"AID_DATABASE_URL": f"postgresql://postgres@127.0.0.1:{port}/test",
                       "AID_DB": "", "AID_ACTOR": "tester"}, catch_exceptions=False)
    assert (done.exit_code, done.stderr) == (
        1, f"aid: cannot use the database: nothing answers at 127.0.0.1:{port}: is PostgreSQL "
           "running there, on that port?\n")
    assert time.monotonic() - started < 10
