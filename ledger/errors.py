"""The two ways the ledger says no, each mapped to the exit code scripts rely on."""


class LedgerError(Exception):
    """A mistake a user can make; the message says what was wrong and how to fix it."""

    exit_code = 1


class BadInput(LedgerError):
    """Malformed value, unknown code or missing ledger: exit 2."""

    exit_code = 2


class Refused(LedgerError):
    """Well-formed, but a ledger rule forbids it (stock would go negative, receipt reused…): exit 1."""

    exit_code = 1
