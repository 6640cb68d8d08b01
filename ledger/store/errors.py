"""What a back end's error means, read from its codes, never from the words of its message."""

from __future__ import annotations

SQLITE_BUSY, SQLITE_LOCKED = 5, 6  # primary result codes (the low byte of an extended code)
POSTGRES_RETRY = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not free


def busy(error: BaseException) -> bool:
    """Whether a failed write met another writer's lock, so trying again may succeed: the
    library wraps the driver's error, which carries the database's own code."""
    cause = error.__cause__ or error
    code = getattr(cause, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED)
    return getattr(cause, "sqlstate", None) in POSTGRES_RETRY
