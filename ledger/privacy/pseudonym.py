"""A keyed pseudonym of a household's ID number, for finding one person listed by two wards.

The district gives every ward the same 32 random bytes (`AID_DISTRICT_KEY_FILE`, made by
`aid key init --district`). The pseudonym is HMAC-SHA256 under that key of the ID number
written one way (NFC, no spaces, upper case), so two wards get the same pseudonym for the same
number while neither the ledger nor its copies reveal the number: reversing it needs both the
district key and a guess of the number. It is stored in clear and stays after a household is
forgotten (it names no one without the district key).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import unicodedata
from pathlib import Path

from ledger.errors import BadInput
from ledger.privacy.owner_only import refuse_if_shared

KEY_BYTES = 32


def normalised(id_number: str) -> str:
    """The one way an ID number is written before it is keyed: NFC, no spaces, upper case."""
    text = unicodedata.normalize("NFC", id_number)
    return "".join(text.split()).upper()


def pseudonym(district_key: bytes, id_number: str) -> str:
    """Hex HMAC-SHA256(district key, normalised ID number)."""
    return hmac.new(district_key, normalised(id_number).encode("utf-8"),
                    hashlib.sha256).hexdigest()


def create_district_key(path: Path) -> None:
    """32 random bytes, readable by the owner only; never replaces an existing file."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BadInput("{path} already exists: aid never replaces a key file; choose another "
                       "path", path=path) from None
    with os.fdopen(descriptor, "wb") as out:
        out.write(os.urandom(KEY_BYTES))


def load_district_key(path: Path) -> bytes:
    try:
        key = path.read_bytes()
    except OSError:
        raise BadInput("cannot read the district key file {path} (AID_DISTRICT_KEY_FILE)",
                       path=path) from None
    refuse_if_shared(path)
    if len(key) != KEY_BYTES:
        raise BadInput("{path} is not a district key file (32 bytes, made by `aid key init "
                       "--district`)", path=path)
    return key


def district_key(environ: dict[str, str] | None = None) -> bytes | None:
    """The district key from `AID_DISTRICT_KEY_FILE`, or None when none is configured."""
    env = os.environ if environ is None else environ
    value = env.get("AID_DISTRICT_KEY_FILE")
    return load_district_key(Path(value)) if value else None
