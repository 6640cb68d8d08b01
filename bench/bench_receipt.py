"""`aid audit checkpoint` and `aid receipt` on a ledger of a million events (issue 26's bound:
under 0.5 s each beyond start-up).

Makes a real signed ledger with the CLI (init, a key, a donation), then appends synthetic rows
(copies of that donation under fresh aggregate ids) straight into `stored_events`, with their
chain links, a seal by the treasurer's key per batch and their Merkle nodes through a
`Frontier`, as the recorders would have written them (a signer checks the history before it
signs: the ledger must verify); then times each command in this process (after imports) and in
a fresh process against `aid --version` (start-up): the first signing on a machine, which
checks the whole history, and the next ones, which check only what came after the last
(`commands/audit/remembered.py`). Prints figures, asserts nothing.
Run: `.venv/bin/python bench/bench_receipt.py [--quick] [--events N]`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ledger.store.tree import NodeTable, leaf_of  # noqa: E402
from ledger.trust.merkle import Frontier  # noqa: E402

AID = str(Path(sys.executable).parent / "aid")


def run(env: dict[str, str], *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([AID, *args], env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def best(env: dict[str, str], *args: str, times: int = 3) -> float:
    return min(run(env, *args) for _ in range(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="10,000 events")
    args = parser.parse_args()
    total = 10_000 if args.quick else args.events
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "aid.db"
        env = {**os.environ, "AID_DB": str(db), "AID_ACTOR": "lan", "AID_LANG": "en",
               "AID_SIGNING_KEY_FILE": str(Path(folder) / "lan.pem"),
               "AID_INIT_SIGN": "1"}  # `aid init` makes and declares lan's key, as for a ward
        for command in (["init", "--ward", "Phường 3", "--on", "2021-11-01"],
                        ["item", "add", "RICE", "--name", "Gạo", "--unit", "kg"],
                        ["location", "add", "KHO", "--name", "Kho"],
                        ["donor", "add", "D1", "--name", "Cty"],
                        ["donate", "D1", "--into", "KHO", "--item", "RICE=10", "--cash",
                         "500000", "--receipt", "R-1", "--on", "2021-11-02"]):
            subprocess.run([AID, *command], env=env, check=True, capture_output=True)
        start = time.perf_counter()
        append_signed(db, Path(folder) / "lan.pem", total)
        print(f"{total:,} events written in {time.perf_counter() - start:.1f} s "
              f"({db.stat().st_size / 1e6:.0f} MB)")
        start = time.perf_counter()  # the read models as writers keep them: up to date
        subprocess.run([AID, "rebuild"], env=env, check=True, capture_output=True)
        print(f"read models stored (aid rebuild) in {time.perf_counter() - start:.1f} s")
        os.environ.update(env)  # the same commands in this process: no start-up, less noise
        from commands.audit.receipt import make_receipt
        from commands.audit.tree import ledger_tree, signed_checkpoint

        def checkpoint_now() -> None:
            with ledger_tree(None) as (log, tree):
                signed_checkpoint(log, tree)

        remembered = Path(folder) / "checked"  # beside the key: where the last check ended
        began = time.perf_counter()
        checkpoint_now()
        print(f"in process: first checkpoint on this machine (the whole history checked) "
              f"{time.perf_counter() - began:.3f} s")
        for name, function in (("checkpoint", checkpoint_now),
                               ("receipt", lambda: make_receipt(5, None))):
            times = []
            for _ in range(3):
                began = time.perf_counter()
                function()
                times.append(time.perf_counter() - began)
            print(f"in process: {name} {min(times):.3f} s (best of 3; the check resumed)")
        startup = best(env, "--version")
        checkpoint = best(env, "audit", "checkpoint")
        receipt = best(env, "receipt", "5", "--format", "json")
        shutil.rmtree(remembered)
        first = run(env, "audit", "checkpoint")
        print(f"start-up (aid --version): {startup:.3f} s")
        print(f"aid audit checkpoint: {checkpoint:.3f} s, {checkpoint - startup:.3f} s beyond "
              "start-up")
        print(f"aid receipt 5 --format json: {receipt:.3f} s, {receipt - startup:.3f} s beyond "
              "start-up")
        print(f"aid audit checkpoint, the first on this machine: {first:.3f} s, "
              f"{first - startup:.3f} s beyond start-up")


def append_signed(db: Path, key_file: Path, total: int) -> None:
    """Copies of the ledger's donation under fresh aggregate ids until it holds `total` events,
    20,000 to a write: each write chained, sealed with the treasurer's key (the next seal
    number), and its Merkle nodes stored, as the recorders store a write."""
    from eventsourcing.persistence import StoredEvent

    from ledger.service import Ledger
    from ledger.trust.chain import link
    from ledger.trust.identity import identity
    from ledger.trust.seal_bytes import SEAL_TOPIC
    from ledger.trust.seals import make
    from ledger.trust.signing_key import SigningKey

    key = SigningKey.load(key_file)
    mapper = Ledger({"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    connection = sqlite3.connect(db)
    stored = connection.execute("SELECT rowid, originator_id, originator_version, topic, "
                                "state FROM stored_events ORDER BY rowid").fetchall()
    ours = identity(stored[0])
    number = max(json.loads(row[4]).get("number", 0) for row in stored if row[3] == SEAL_TOPIC)
    previous = connection.execute("SELECT link FROM aid_chain WHERE position = ?",
                                  (stored[-1][0],)).fetchone()[0]
    nodes = NodeTable(connection, "aid_merkle")
    frontier = Frontier.from_store(len(stored), nodes)
    topic, state = next(row for row in reversed(stored) if row[3].endswith("Donated"))[3:]
    position = stored[-1][0]
    while frontier.size < total:
        events = [StoredEvent(uuid.uuid4(), 1, topic, state)
                  for _ in range(min(20_000, total - frontier.size - 1))]
        number += 1
        seal = mapper.to_stored_event(make(events, "", "lan", key.key, key.sign,
                                           identity=ours, number=number))
        rows, links = [], []
        for event in [*events, seal]:
            position += 1
            row = (position, event.originator_id.hex, event.originator_version, event.topic,
                   event.state)
            previous = link(previous, row)
            rows.append(row)
            links.append((position, previous))
        connection.executemany("INSERT INTO stored_events (rowid, originator_id, "
                               "originator_version, topic, state) VALUES (?, ?, ?, ?, ?)", rows)
        connection.executemany("INSERT INTO aid_chain (position, link) VALUES (?, ?)", links)
        nodes.put(frontier.extend([leaf_of(row) for row in rows]))
        connection.commit()
    connection.close()


if __name__ == "__main__":
    main()
