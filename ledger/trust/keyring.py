"""The ward's keyring: which actor holds which public signing key, declared as events.

Kept out of the ward's own stream so entry ids, snapshots and every report stay as they were;
one small aggregate per ledger, saved (and sealed) like any other write. The first key declared
is the ward treasurer's and must be the writer's own key, so it is sealed by itself (proof that
whoever declared it holds it); every later declaration or revocation is sealed by a key already
declared, because once a ledger has keys every write must be.
"""

from __future__ import annotations

from dataclasses import KW_ONLY
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from ledger.errors import Refused
from ledger.ward.names import KEYRING_ID


class Keyring(Aggregate, created_event_name="Started"):
    """Declared keys: key id -> {actor, public, revoked}."""

    TOPIC = "ledger.keys:Keyring"

    class Created(Aggregate.Created):
        """Never recorded: the library names one on every aggregate."""

        TOPIC = "ledger.keys:Keyring.Created"

    @staticmethod
    def create_id(**_: Any) -> UUID:
        return KEYRING_ID

    class Started(Aggregate.Created):
        TOPIC = "ledger.keys:Keyring.Started"

        on: str

    def __init__(self, on: str) -> None:
        self.keys: dict[str, dict[str, Any]] = {}

    class Declared(Aggregate.Event):
        """`actor` signs with the key `key` (its public half: `public`, ed25519:base64). The
        first key's declaration also names the chain's link at `head_position`, the last event
        stored before it: signed with it, that link binds the whole history written before
        signing began (the ward's code among it), which no seal covers."""

        TOPIC = "ledger.keys:Keyring.Declared"

        on: str
        by: str
        actor: str
        key: str
        public: str
        _: KW_ONLY
        head_position: int | None = None  # stored only on the first declaration
        head: str | None = None

        def apply(self, keyring: Keyring) -> None:
            keyring.keys[self.key] = {"actor": self.actor, "public": self.public,
                                      "revoked": False}

    class Revoked(Aggregate.Event):
        """The key `key` signs nothing from now on (lost, or its holder left)."""

        TOPIC = "ledger.keys:Keyring.Revoked"

        on: str
        by: str
        key: str
        reason: str

        def apply(self, keyring: Keyring) -> None:
            keyring.keys[self.key]["revoked"] = True

    def holder(self, key: str) -> str | None:
        """The actor whose live key this is, or None (unknown or revoked)."""
        found = self.keys.get(key)
        return found["actor"] if found and not found["revoked"] else None

    def declare(self, actor: str, key: str, public: str, on: str, by: str,
                head: tuple[int, str] | None = None) -> None:
        """`head`: (position, link) of the chain's last event, for the first key."""
        if key in self.keys:
            raise Refused("key {key} is already declared, for {actor}", key=key,
                          actor=self.keys[key]["actor"])
        bound = {"head_position": head[0], "head": head[1]} if head else {}
        self.trigger_event(self.Declared, on=on, by=by, actor=actor, key=key, public=public,
                           **bound)
        if not head:  # declarations without one are stored as they always were
            for name in ("head_position", "head"):
                self.pending_events[-1].__dict__.pop(name, None)

    def revoke(self, key: str, reason: str, on: str, by: str) -> None:
        if self.holder(key) is None:
            raise Refused("key {key} is not a live key of this ledger; `aid audit verify` "
                          "lists them", key=key)
        if not any(k != key and not held.get("revoked") for k, held in self.keys.items()):
            raise Refused("key {key} is the last live key of this ledger: once a ledger signs, "
                          "every entry needs a live key, so revoking it would lock the ledger "
                          "for good; declare the next key first (`aid actor add NAME "
                          "--public-key FILE`), then revoke this one", key=key)
        self.trigger_event(self.Revoked, on=on, by=by, key=key, reason=reason)
