"""A ledger's identity: something no other ledger can share, for everything signed to bind.

A ward's name is not enough: a practice ledger, or last year's drive, can take the same name,
and a signed write copied from it would verify here (issue #22). The identity is the chain link
of the ledger's first stored event (its `Ward.Opened`: the ward's name, the moment it was
recorded to the microsecond, the ward aggregate's id): anyone holding the ledger recomputes it,
and two ledgers share it only if they share their first event byte for byte.
"""

from __future__ import annotations

from typing import Any

from ledger.trust.chain import GENESIS, link


def identity(first_row: tuple[int, Any, int, str, bytes]) -> str:
    """The identity of the ledger whose first stored row is `first_row` (64 hex digits)."""
    return link(GENESIS, first_row)


def of_log(log: Any) -> str | None:
    """The identity of the ledger behind an `EventLog` (ledger/store/access.py), or None
    while it stores nothing."""
    first = next(iter(log.stored(batch=1)), None)
    return None if first is None else identity(first)


def origin(identity_hex: str, ward_code: str | None = None) -> str:
    """The origin line of the ledger's checkpoints (C2SP tlog-checkpoint): a schema-like name,
    the ward's district code when it has one, and the identity, so no two ledgers share it."""
    prefix = f"aid-ledger/{ward_code}" if ward_code else "aid-ledger"
    return f"{prefix}/{identity_hex[:32]}"
