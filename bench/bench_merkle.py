"""What the Merkle tree costs at a million events: appends, disk, and one proof of each kind.

Appends 1,000,000 leaf hashes through a `Frontier` into the ledger's own node table
(`ledger/store/tree.py`'s `NodeTable`, as the writers keep it) in a temporary
file, one transaction per batch (as bulk imports write), then reopens the file and times what a
receipt and a checkpoint need: one inclusion proof, one consistency proof, the root, and resuming
the frontier (issue 26's bound: under 0.5 s each beyond start-up). Prints figures, asserts
nothing. Run: `.venv/bin/python bench/bench_merkle.py [--quick] [--leaves N] [--batch N]`.
"""

from __future__ import annotations

import argparse
import random
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from ledger.store.tree import NodeTable  # noqa: E402
from ledger.trust import checkpoint  # noqa: E402
from ledger.trust.merkle import (  # noqa: E402
    Frontier,
    consistency_proof_from_store,
    inclusion_proof_from_store,
    leaf_hash,
    root_from_store,
    verify_consistency,
    verify_inclusion,
)


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="10,000 leaves, for CI")
    parser.add_argument("--batch", type=int, default=5_000, help="leaves per transaction")
    parser.add_argument("--seed", type=int, default=26)
    args = parser.parse_args()
    n = 10_000 if args.quick else args.leaves
    rng = random.Random(args.seed)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tree.db"
        connection = sqlite3.connect(path)
        store = NodeTable(connection, "aid_merkle")
        store.create()
        connection.commit()
        frontier = Frontier()
        hashing = appending = writing = 0.0
        for first in range(0, n, args.batch):
            count = min(args.batch, n - first)
            start = time.perf_counter()
            leaves = [leaf_hash(b"stored event %d" % i) for i in range(first, first + count)]
            hashed = time.perf_counter()
            rows = frontier.extend(leaves)
            appended = time.perf_counter()
            store.put(rows)
            connection.commit()
            written = time.perf_counter()
            hashing += hashed - start
            appending += appended - hashed
            writing += written - appended
        top = frontier.root()
        rows = connection.execute(f"SELECT count(*) FROM {store.table}").fetchone()[0]
        connection.close()
        size = path.stat().st_size
        total = hashing + appending + writing
        print(f"leaves: {n:,} in batches of {args.batch:,}; nodes stored: {rows:,}")
        print(f"append: {n / total:,.0f} events/s overall ({total:.2f} s: leaf hashing "
              f"{hashing:.2f} s, frontier {appending:.2f} s, SQLite writes and commits "
              f"{writing:.2f} s); frontier alone {n / appending:,.0f} leaves/s")
        print(f"database: {size / 1e6:,.1f} MB ({size / n:.1f} bytes per event); frontier "
              f"{len(frontier.hashes)} hashes")

        # A new connection, as a command would open it: only the rows a query reads.
        connection = sqlite3.connect(path)
        store = NodeTable(connection, "aid_merkle")
        resumed, resume_time = timed(Frontier.from_store, n, store)
        assert resumed.hashes == frontier.hashes
        root, root_time = timed(root_from_store, n, store)
        assert root == top
        index = rng.randrange(n)
        proof, inclusion_time = timed(inclusion_proof_from_store, index, n, store)
        ok = verify_inclusion(index, n, leaf_hash(b"stored event %d" % index), proof, root)
        first_size = rng.randrange(1, n) if n > 1 else 1
        old_root = root_from_store(first_size, store)
        consistency, consistency_time = timed(consistency_proof_from_store, first_size, n, store)
        ok_c = verify_consistency(first_size, n, old_root, root, consistency)
        key = Ed25519PrivateKey.from_private_bytes(bytes(32))
        start = time.perf_counter()
        note = checkpoint.sign(checkpoint.make("bench.example/ward", n, root_from_store(n, store)),
                               "bench.example/ward", key)
        checkpoint_time = time.perf_counter() - start
        print(f"inclusion proof of leaf {index:,} at n = {n:,}: {inclusion_time * 1e3:.2f} ms, "
              f"{len(proof)} hashes, verifies: {ok}")
        print(f"consistency proof {first_size:,} -> {n:,}: {consistency_time * 1e3:.2f} ms, "
              f"{len(consistency)} hashes, verifies: {ok_c}")
        print(f"root: {root_time * 1e3:.2f} ms; signed checkpoint (root + make + sign): "
              f"{checkpoint_time * 1e3:.2f} ms, {len(note.encode())} bytes; frontier resumed from "
              f"the store: {resume_time * 1e3:.2f} ms")
        # Many random queries: the slowest matters for the 0.5 s bound, not the lucky one.
        times = []
        for _ in range(200):
            i = rng.randrange(n)
            times.append(timed(inclusion_proof_from_store, i, n, store)[1])
            m = rng.randrange(1, n) if n > 1 else 1
            times.append(timed(consistency_proof_from_store, m, n, store)[1])
        times.sort()
        print(f"200 random proofs of each kind: median {times[len(times) // 2] * 1e3:.2f} ms, "
              f"slowest {times[-1] * 1e3:.2f} ms")
        connection.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
