"""The ward's key file: the ward key and every household's data key, outside the ledger.

Why outside: the ledger is append-only and gets copied (backups, auditors). Forgetting a
household must make its details unreadable in every copy, including backups taken before, so
the one thing forgetting destroys — the household's data key — must never be written into the
ledger. It lives here, wrapped (AES-GCM) by the ward key, and `destroy` removes it.

The file is small JSON, written atomically (a temporary file renamed over it, after fsync) and
only under an exclusive lock, so two commands adding households at once never lose a key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ledger.errors import BadInput
from ledger.phrases import said
from ledger.privacy.owner_only import open_private, refuse_if_shared

FORMAT = "aid-ledger ward key 1"
KEY_BYTES = 32


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def key_id(ward_key: bytes) -> str:
    """A public fingerprint of the ward key, stored with every sealed record, so a wrong key
    file is recognised before anything is decrypted or written."""
    return hmac.new(ward_key, b"aid-ledger key id", hashlib.sha256).hexdigest()[:16]


class KeyFile:
    """The ward key and the households' wrapped data keys (code -> nonce + ciphertext)."""

    def __init__(self, path: Path, ward_key: bytes, households: dict[str, str]) -> None:
        self.path = path
        self.ward_key = ward_key
        self.households = households
        self.key_id = key_id(ward_key)

    # ---- opening and creating -------------------------------------------------------------

    @classmethod
    def create(cls, path: Path) -> KeyFile:
        """A new ward key; refuses to replace an existing file (that would lose every key)."""
        if path.exists():
            raise BadInput("{path} already exists: aid never replaces a key file (the names it "
                           "protects would be lost); choose another path", path=path)
        keys = cls(path, os.urandom(KEY_BYTES), {})
        with keys._locked():
            keys._write()
        return keys

    @classmethod
    def load(cls, path: Path) -> KeyFile:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            refuse_if_shared(path)
            if data.get("format") != FORMAT:
                raise ValueError(data.get("format"))
            ward_key = unb64(data["key"])
            if len(ward_key) != KEY_BYTES:
                raise ValueError("length")
            return cls(path, ward_key, dict(data.get("households", {})))
        except FileNotFoundError:
            raise BadInput("no key file at {path}: make one with `aid key init`, or point "
                           "AID_KEY_FILE at the ward's key file", path=path) from None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            raise BadInput("{path} is not an aid-ledger key file; point AID_KEY_FILE at the "
                           "ward's key file", path=path) from None

    # ---- household data keys --------------------------------------------------------------

    def data_key(self, code: str) -> bytes | None:
        """The household's data key, or None if this file has none (forgotten, or another
        key file made it)."""
        wrapped = self.households.get(code)
        if wrapped is None:
            return None
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        box = unb64(wrapped)
        return AESGCM(self.ward_key).decrypt(box[:12], box[12:], _wrap_aad(code))

    def ensure(self, codes: Iterable[str]) -> None:
        """Give each household without one a new data key, in one locked write; never
        replaces a key (details sealed under it would be lost)."""
        wanted = [c for c in dict.fromkeys(codes) if c not in self.households]
        if not wanted:
            return
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        wrapper = AESGCM(self.ward_key)
        with self._locked():
            self._reread()
            for code in wanted:
                if code not in self.households:
                    nonce = os.urandom(12)
                    sealed = wrapper.encrypt(nonce, os.urandom(KEY_BYTES), _wrap_aad(code))
                    self.households[code] = b64(nonce + sealed)
            self._write()

    def destroy(self, code: str) -> bool:
        """Crypto-shredding: remove the household's data key for good; True if it was here."""
        with self._locked():
            self._reread()
            present = self.households.pop(code, None) is not None
            if present:
                self._write()
        return present

    # ---- the file ---------------------------------------------------------------------------

    def _reread(self) -> None:
        if self.path.exists():
            fresh = KeyFile.load(self.path)
            if fresh.key_id != self.key_id:
                raise BadInput("{path} was replaced by another key while in use; nothing was "
                               "written", path=self.path)
            self.households = fresh.households

    def _write(self) -> None:
        data = {"format": FORMAT, "key": b64(self.ward_key), "key_id": self.key_id,
                "households": dict(sorted(self.households.items()))}
        temporary = self.path.with_name(self.path.name + ".tmp")
        descriptor = open_private(temporary, os.O_WRONLY | os.O_TRUNC)  # 0600 even if left
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """An exclusive lock on a companion file (the key file itself is replaced on write),
        the same on Linux, macOS and Windows (filelock: flock there, msvcrt.locking here)."""
        from filelock import FileLock, Timeout

        where = self.path.with_name(self.path.name + ".lock")
        try:  # a folder that takes no files would look to filelock like a lock held forever;
            # the probe leaves nothing behind (where there is no fcntl, the lock IS the file)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(where, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
            where.unlink()
        except FileExistsError:
            pass
        except OSError as error:
            raise BadInput("cannot keep the ward's key at {path}: {problem}", path=self.path,
                           problem=said(error)) from None
        lock = FileLock(where, mode=0o600, timeout=120)
        try:
            lock.acquire()
        except Timeout:
            raise BadInput("{path} is locked by another command for over two minutes; if none "
                           "is running, delete {path}.lock", path=self.path) from None
        try:
            yield
        finally:
            lock.release()


def _wrap_aad(code: str) -> bytes:
    """A wrapped data key opens only as the key of the household it was made for."""
    return b"aid-ledger data key\x00" + code.encode("utf-8")


def from_environment(environ: dict[str, str] | Any = None) -> Path | None:
    """Where the ward's key file is (`AID_KEY_FILE`), or None if none is configured."""
    env = os.environ if environ is None else environ
    value = env.get("AID_KEY_FILE")
    return Path(value) if value else None
