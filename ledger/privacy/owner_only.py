"""Key files readable by their owner only (issue #22, finding 9).

Like ssh with a private key, aid refuses a key file that other users of the machine may read
(any group or world permission bit): the ward key opens every household's name, a signing key
signs as its actor. The refusal says the one command that fixes it. Windows has no such mode
bits (its files are guarded by ACLs), so the check is POSIX only.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ledger.errors import BadInput

SHARED = 0o077  # any permission for the group or the others


def refuse_if_shared(path: Path) -> None:
    """Refuse `path` if users other than its owner may read, write or run it."""
    if os.name == "nt":
        return
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return  # reading it already said what was wrong, or will
    if mode & SHARED:
        shown = format(mode, "04o")
        raise BadInput("{path} is open to other users (mode {mode}); a key file must be "
                       "readable by its owner only: run `chmod 600 {path}`", path=path,
                       mode=shown)


def open_private(path: Path, flags: int) -> int:
    """`os.open(path, flags | O_CREAT, 0o600)`, and mode 0600 even when the file was there
    before with a looser mode (a temporary file left by a stopped write)."""
    descriptor = os.open(path, flags | os.O_CREAT, 0o600)
    if hasattr(os, "fchmod"):
        try:
            os.fchmod(descriptor, 0o600)
        except OSError:
            os.close(descriptor)
            raise
    return descriptor
