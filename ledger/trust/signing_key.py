"""A writer's own signing key: an Ed25519 private key in a file outside the ledger.

The file is `AID_SIGNING_KEY_FILE`, else `signing-key.pem` in the user's configuration folder
(`$XDG_CONFIG_HOME/aid-ledger`, `~/.config/aid-ledger`, or `%APPDATA%\\aid-ledger`). It never
enters the ledger, so a copy of the ledger file cannot sign anything; only its public half is
declared in the ledger (`ledger/trust/keyring.py`). `cryptography` is imported only when a key is used.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from ledger.errors import BadInput, Refused
from ledger.phrases import said
from ledger.privacy.owner_only import refuse_if_shared
from ledger.trust.seal_bytes import key_id, public_text

KEY_FILE_NAME = "signing-key.pem"


def key_path(environ: dict[str, str] | None = None) -> Path:
    """Where this user's signing key lives."""
    env = os.environ if environ is None else environ
    if env.get("AID_SIGNING_KEY_FILE"):
        return Path(env["AID_SIGNING_KEY_FILE"]).expanduser()
    if env.get("XDG_CONFIG_HOME"):
        folder = Path(env["XDG_CONFIG_HOME"])
    elif os.name == "nt" and env.get("APPDATA"):
        folder = Path(env["APPDATA"])
    else:
        folder = Path.home() / ".config"
    return folder / "aid-ledger" / KEY_FILE_NAME


class SigningKey:
    """An Ed25519 private key and the names of its public half."""

    def __init__(self, private: object, path: Path) -> None:
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        self.private, self.path = private, path
        self.public: bytes = private.public_key().public_bytes(  # type: ignore[attr-defined]
            Encoding.Raw, PublicFormat.Raw)
        self.key = key_id(self.public)
        self.text = public_text(self.public)

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)  # type: ignore[attr-defined]

    @classmethod
    def load(cls, path: Path) -> SigningKey | None:
        """The key in `path`, or None when there is no such file."""
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise BadInput("cannot read the signing key {path}: {error}", path=path,
                           error=said(error)) from None
        refuse_if_shared(path)  # like ssh: a key others may read is not used
        try:
            private = load_pem_private_key(data, password=None)
        except (ValueError, TypeError):
            private = None
        if not isinstance(private, Ed25519PrivateKey):
            raise BadInput("{path} is not an Ed25519 signing key made by `aid actor key init`",
                           path=path)
        return cls(private, path)

    @classmethod
    def create(cls, path: Path) -> SigningKey:
        """A new key in a new file readable by its owner only; never replaces a key."""
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import (
            Encoding,
            NoEncryption,
            PrivateFormat,
        )

        existing = cls.load(path)
        if existing is not None:
            raise Refused("there is already a signing key in {path} (key {key}); aid never "
                          "replaces one", path=path, key=existing.key)
        private = Ed25519PrivateKey.generate()
        pem = private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(pem)
        except OSError as error:
            raise BadInput("cannot write the signing key {path}: {error}", path=path,
                           error=said(error)) from None
        return cls(private, path)


def parse_public(text: str) -> bytes:
    """A public key as `aid actor key show` prints it (`ed25519:BASE64`), or in PEM."""
    text = text.strip()
    if text.startswith("-----BEGIN PUBLIC KEY-----"):
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        from cryptography.hazmat.primitives.serialization import (
            Encoding,
            PublicFormat,
            load_pem_public_key,
        )

        try:
            loaded = load_pem_public_key(text.encode())
        except ValueError:
            loaded = None
        if isinstance(loaded, Ed25519PublicKey):
            return loaded.public_bytes(Encoding.Raw, PublicFormat.Raw)
    elif text.startswith("ed25519:"):
        try:
            raw = base64.b64decode(text.removeprefix("ed25519:"), validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) == 32:
            return raw
    raise BadInput("'{text}' is not a public key: pass what `aid actor key show` prints "
                   "(ed25519:…), or a file holding it", text=text[:60])
