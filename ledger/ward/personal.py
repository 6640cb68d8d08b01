"""Households' privacy on the write side: forgetting a household, and sealing the details of
households recorded in clear before encryption.

Forgetting (crypto-shredding) records `RecipientForgotten` and then destroys the household's
data key in the key file. The event says who asked and why; the key's absence makes every copy
of the sealed details unreadable, including backups taken before. The household's code, group,
size, tier and everything it received stay, so stock, cash, plans and the chain are unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ledger.errors import BadInput, LedgerError, Refused
from ledger.phrases import N_
from ledger.values.inputs import code
from ledger.values.text import clean
from ledger.ward import shopbook
from ledger.ward.aggregate import Ward, stored_names
from ledger.ward.register import write_seen
from ledger.ward.vouchers import book

if TYPE_CHECKING:  # the application (ledger/service.py) imports this module
    from ledger.service import Ledger


class RecipientSealed(Ward.Event):
    """The sealed copy of details a household was declared with in clear (`aid key init
    --encrypt-existing`); from here on the register reads this copy."""

    TOPIC = "ledger.privacy:RecipientSealed"

    on: str
    actor: str
    code: str
    sealed: dict[str, str]
    id_pseudonym: str | None

    def apply(self, ward: Ward) -> None:
        ward.keep_sealing_key_id(self.sealed["key"])


class DetailsEncrypted(Ward.Event):
    """Marker: every household's details held in clear until here now also exist sealed; the
    clear copies stay in the entries named (history is never rewritten)."""

    TOPIC = "ledger.privacy:DetailsEncrypted"

    on: str
    actor: str
    households: int
    first: int
    last: int


class RecipientForgotten(Ward.Event):
    """A household's personal details were erased on request: its data key was destroyed."""

    TOPIC = "ledger.privacy:RecipientForgotten"

    on: str
    actor: str
    code: str
    reason: str

    def apply(self, ward: Ward) -> None:
        forgotten(ward)[self.code] = self.originator_version


stored_names(RecipientSealed, DetailsEncrypted, RecipientForgotten)


class AlreadyForgotten(LedgerError):
    def __init__(self, recipient: str, entry: int) -> None:
        super().__init__(recipient)
        self.recipient, self.entry = recipient, entry


def forgotten(ward: Ward) -> dict[str, int]:
    """Forgotten households by code -> the entry that forgot them (set lazily, so wards saved
    before forgetting existed still load)."""
    return ward.forgotten_codes()


def forget(ledger: Ledger, recipient: str, reason: str, sealer: Any,
           rounds_view: Callable[[], dict[str, list[str]]], on: str, actor: str) -> int:
    """Record the erasure, then destroy the data key; returns the entry.

    Refused while the household holds a live voucher, or an open round plans a hand-out to it
    that has not been made (`rounds_view()`: open round -> households still waiting). If a
    previous forget recorded its entry but stopped before the key was destroyed, forgetting
    again destroys it."""
    recipient = code(recipient, N_("recipient code"))
    why = clean(reason or "")
    if not why:
        raise BadInput("--reason must say why (e.g. 'yêu cầu của chủ hộ ngày 02/12/2026')")

    def change(ward: Ward, waiting: dict[str, list[str]]) -> int:
        ward.require(recipient, ward.recipients, N_("recipient"))
        sealer.check(ward.sealing_key_id())
        if recipient in forgotten(ward):
            raise AlreadyForgotten(recipient, forgotten(ward)[recipient])
        _not_held(ward, recipient, waiting, on)
        return ward.emit(RecipientForgotten, on=on, actor=clean(actor), code=recipient,
                         reason=why)

    try:
        entry = write_seen(ledger, rounds_view, change)
    except AlreadyForgotten as done:
        if not sealer.keys.destroy(recipient):
            raise Refused("{recipient} was already forgotten in entry {entry}; its key is gone",
                          recipient=recipient, entry=done.entry) from None
        return done.entry
    sealer.keys.destroy(recipient)
    return entry


def _not_held(ward: Ward, recipient: str, waiting: dict[str, list[str]], on: str) -> None:
    """Refuse while something still to be handed over is tied to the household."""
    shops = sorted(c for c, kind in ward.locations.items() if kind == "shop")
    for shop in shops:
        voucher = shopbook.held(book(ward), shop, recipient, on, ward.reversed)
        if voucher:
            raise Refused("{recipient} holds live voucher {voucher} at {shop}; cancel it first "
                          "(`aid voucher cancel {voucher} --reason …`), then forget",
                          recipient=recipient, voucher=voucher, shop=shop)
    for round_code in sorted(waiting):
        if recipient in waiting[round_code]:
            raise Refused("open round {round} plans a hand-out to {recipient} not yet made; "
                          "hand it out or close the round (`aid round close {round}`), then "
                          "forget", round=round_code, recipient=recipient)


def encrypt_existing(ledger: Ledger, sealer: Any,
                     clear_view: Callable[[], dict[str, dict[str, Any]]],
                     on: str, actor: str) -> list[int]:
    """Seal a copy of every household's details still held only in clear, then a marker.

    `clear_view()`: code -> {name, phone} of households declared in clear, not yet sealed and
    not forgotten. Returns the entries recorded ([] when there is nothing to seal)."""
    sealer.check(ledger.ward().sealing_key_id())  # a wrong key file gets no keys either
    sealer.prepare(sorted(clear_view()))

    def change(ward: Ward, clear: dict[str, dict[str, Any]]) -> list[int]:
        sealer.check(ward.sealing_key_id())
        entries = []
        for recipient in sorted(clear):
            details = {"name": clear[recipient]["name"], "phone": clear[recipient]["phone"]}
            entries.append(ward.emit(
                RecipientSealed, on=on, actor=clean(actor), code=recipient, id_pseudonym=None,
                sealed=sealer.seal(recipient, ward.version + 1, details)))
        if not entries:
            return []
        entries.append(ward.emit(DetailsEncrypted, on=on, actor=clean(actor),
                                 households=len(clear), first=entries[0], last=entries[-1]))
        return entries

    return write_seen(ledger, clear_view, change)
