"""What signed entries cost: bulk import and `aid audit verify`, unsigned against signed.

One seal per write (one Ed25519 signature per import batch, plus a SHA-256 per stored row) should
leave bulk import within a few per cent of the unsigned path; verify hashes every row a second
time (once for the chain, once for the seals) and checks one signature per write. Prints
figures, asserts nothing. Run: `.venv/bin/python bench/bench_signing.py [--events 40000]`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ledger import bulk  # noqa: E402
from ledger.store.access import Address, open_ledger, open_log  # noqa: E402
from ledger.trust.signing_key import SigningKey  # noqa: E402
from projections.audit.signatures import SignatureCheck  # noqa: E402
from projections.audit.tamper import verify  # noqa: E402

ACTOR, DAY = "bench", "2021-11-01"


def ledger_with_rows(folder: Path, events: int, signed: bool) -> tuple[Address, float]:
    """A new ledger, its key declared if `signed`; the seconds an import of `events` took."""
    address = Address(path=folder / f"{'signed' if signed else 'plain'}.db")
    key_file = folder / "key.pem"
    if signed and not key_file.exists():
        SigningKey.create(key_file)
    ledger = open_ledger(address, create=True, key_file=key_file)
    ledger.init("Phường Bench", DAY, ACTOR)
    ledger.add_item("RICE", "Gạo", "kg", 15000, DAY, ACTOR)
    ledger.add_location("KHO", "Kho", "store", DAY, ACTOR)
    ledger.add_donor("D1", "Donor", False, DAY, ACTOR)
    if signed:
        ledger.declare_key(ACTOR, None, DAY, ACTOR)
    rows = bulk.donation_rows([(n + 2, {"receipt": f"R{n}", "date": DAY, "donor": "D1",
                                        "location": "KHO", "cash": "1000", "items": "RICE=5"})
                               for n in range(events // 2)], ACTOR)
    start = time.perf_counter()
    bulk.write(ledger, rows, batch=1000)
    seconds = time.perf_counter() - start
    ledger.close()
    return address, seconds


def verify_seconds(address: Address) -> tuple[float, float]:
    """(chain only, chain and seals) over the same stored rows."""
    log = open_log(address)
    try:
        start = time.perf_counter()
        verify(log.stored(), log.links())
        chain = time.perf_counter() - start
        start = time.perf_counter()
        seals = SignatureCheck()
        verify(seals.watch(log.stored()), log.links())
        found = seals.finish()
        both = time.perf_counter() - start
    finally:
        log.close()
    assert not found.problems
    return chain, both


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=40_000)
    events = parser.parse_args().events
    with tempfile.TemporaryDirectory() as folder:
        plain, plain_s = ledger_with_rows(Path(folder), events, signed=False)
        signed, signed_s = ledger_with_rows(Path(folder), events, signed=True)
        print(f"bulk import of {events:,} events (batches of 1,000 rows)")
        print(f"  unsigned {events / plain_s:10,.0f} events/s")
        print(f"  signed   {events / signed_s:10,.0f} events/s   ({signed_s / plain_s:.2f}× the "
              "time)")
        for name, address in (("unsigned", plain), ("signed", signed)):
            chain, both = verify_seconds(address)
            print(f"verify {name:8}  chain {events / chain:10,.0f} events/s   chain and seals "
                  f"{events / both:10,.0f} events/s")


if __name__ == "__main__":
    main()
