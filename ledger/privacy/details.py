"""Sealing a household's personal details (name, phone, ID number) for the ledger.

Each household's details are encrypted with AES-GCM under its own data key (kept in the key
file, `ledger/privacy/ward_key.py`). The associated data binds a ciphertext to its household code and
its entry, so a ciphertext copied onto another household or another entry does not open: the
swap is caught even though the ledger holds no key. Everything else in every event stays in
clear, and the hash chain covers the ciphertext as stored, so audits need no key.
"""

from __future__ import annotations

import json
import os
from typing import Any

from ledger.errors import BadInput, Refused
from ledger.privacy.pseudonym import pseudonym
from ledger.privacy.ward_key import KeyFile, b64, unb64

DETAILS = ("name", "phone", "id_number")


def _aad(code: str, entry: int) -> bytes:
    return f"aid-ledger details\x00{code}\x00{entry}".encode("utf-8")


class Sealer:
    """Seals and opens households' details with one ward's key file (and, for ID numbers, the
    district's pseudonym key)."""

    def __init__(self, keys: KeyFile, district_key: bytes | None = None) -> None:
        self.keys = keys
        self.district_key = district_key

    @property
    def key_id(self) -> str:
        return self.keys.key_id

    def prepare(self, codes: list[str]) -> None:
        """Make data keys for these households before their details are sealed (one write of
        the key file for a whole import)."""
        self.keys.ensure(codes)

    def seal(self, code: str, entry: int, details: dict[str, Any]) -> dict[str, str]:
        """{"key": key id, "box": base64(nonce + ciphertext)} for entry `entry` of `code`."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        data_key = self.keys.data_key(code)
        if data_key is None:
            self.prepare([code])
            data_key = self.keys.data_key(code)
        plain = json.dumps({k: details.get(k) for k in DETAILS}, ensure_ascii=False,
                           sort_keys=True).encode("utf-8")
        nonce = os.urandom(12)
        box = AESGCM(data_key).encrypt(nonce, plain, _aad(code, entry))
        return {"key": self.key_id, "box": b64(nonce + box)}

    def pseudonym(self, id_number: str | None) -> str | None:
        """The district pseudonym of an ID number, when both are given (issue 14's contract)."""
        if not id_number or self.district_key is None:
            return None
        return pseudonym(self.district_key, id_number)

    def check(self, ledger_key_id: str | None) -> None:
        """Refuse a key file that is not the one this ledger's details were sealed with."""
        if ledger_key_id is not None and ledger_key_id != self.key_id:
            raise BadInput("{path} is not this ledger's key file (key {mine}, the ledger's is "
                           "{theirs}); nothing was written: point AID_KEY_FILE at the ward's key",
                           path=self.keys.path, mine=self.key_id, theirs=ledger_key_id)

    def open(self, code: str, entry: int, sealed: dict[str, str]) -> dict[str, Any] | None:
        """The details, or None when this key file holds no data key for the household (it was
        forgotten). Refuses a wrong key file, and a ciphertext that does not belong here."""
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self.check(sealed.get("key"))
        data_key = self.keys.data_key(code)
        if data_key is None:
            return None
        box = unb64(sealed["box"])
        try:
            plain = AESGCM(data_key).decrypt(box[:12], box[12:], _aad(code, entry))
        except InvalidTag:
            raise Refused("the details of {code} in entry {entry} do not open with its key: "
                          "they were altered or moved from another entry; run `aid audit "
                          "verify`", code=code, entry=entry) from None
        return json.loads(plain.decode("utf-8"))


def from_environment(required: bool = True) -> Sealer | None:
    """The sealer for `AID_KEY_FILE` (and `AID_DISTRICT_KEY_FILE`), or None when no key file
    is configured and none is `required`."""
    from ledger.privacy.pseudonym import district_key
    from ledger.privacy.ward_key import from_environment as key_path

    path = key_path()
    if path is None:
        if required:
            raise BadInput("households' names and phones are encrypted: set AID_KEY_FILE to "
                           "the ward's key file (make one with `aid key init`)")
        return None
    return Sealer(KeyFile.load(path), district_key())
