"""A separate process recording hand-outs as fast as it can, for the concurrency tests.

Usage: python -m tests.workers.handouts OUT.json COUNT RECIPIENT  (ledger from AID_DB or
AID_DATABASE_URL/AID_WARD). Writes {"acknowledged": [entry ids], "refused": [messages]}.
"""

import json
import sys

from ledger.errors import LedgerError
from ledger.store.access import locate, open_ledger


def main(out: str, count: int, recipient: str) -> None:
    ledger = open_ledger(locate())
    acknowledged, refused = [], []
    for _ in range(count):
        try:
            acknowledged.append(ledger.give(recipient, "KHO", {}, {"RICE": 1}, 0,
                                            "2021-11-20", f"worker-{recipient}"))
        except LedgerError as error:
            refused.append(str(error))
    ledger.close()
    with open(out, "w") as file:
        json.dump({"acknowledged": acknowledged, "refused": refused}, file)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
