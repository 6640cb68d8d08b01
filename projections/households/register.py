"""The recipients register (danh sách hộ nhận): households as they stand now, with names.

This is the one read model that holds names; reports other than the register and the signed
receipt list name households by code. Names are sealed in the ledger (ledger/privacy/details.py): the
register keeps each household's sealed details and its entry, and `reveal` opens them in
memory with the ward's key; nothing opened is ever stored.
"""

from __future__ import annotations

from typing import Any

from ledger.errors import BadInput
from ledger.values.text import fold, matches, sort_key
from ledger.ward import names
from ledger.ward.tiers import DEFAULT_LABELS


class Register:
    """Households by code (name, group, size, tier, excluded) and the ward's tier labels."""

    def __init__(self) -> None:
        self.households: dict[str, dict[str, Any]] = {}
        self.labels: dict[int, str] = dict(DEFAULT_LABELS)
        self.sealed: dict[str, tuple[int, dict[str, str]]] = {}  # code -> (entry, envelope)
        self.clear: dict[str, dict[str, Any]] = {}  # declared in clear: code -> name, phone, entry
        self.forgotten: dict[str, int] = {}  # code -> the entry that forgot it
        self.revealed = False

    def apply(self, name: str, data: dict[str, Any], entry: int = 0) -> None:
        """Fold one stored event (`entry`: its entry id); events that do not touch the
        register are ignored."""
        if name == names.RECIPIENT_DECLARED:
            self.households[data["code"]] = {
                "code": data["code"], "name": data["name"] or None, "group": data["group"],
                "size": data["size"], "tier": data["tier"], "excluded": False}
            if data.get("sealed"):
                self.sealed[data["code"]] = (entry, data["sealed"])
            else:
                self.clear[data["code"]] = {"name": data["name"], "phone": data.get("phone"),
                                            "entry": entry}
        elif name == names.SEALED:
            self.sealed[data["code"]] = (entry, data["sealed"])
            self.households[data["code"]]["name"] = None
        elif name == names.FORGOTTEN:
            self.forgotten[data["code"]] = entry
            self.households[data["code"]]["name"] = ""
        elif name == names.TIER_CHANGED:
            self.households[data["code"]]["tier"] = data["tier"]
        elif name in (names.EXCLUDED, names.INCLUDED):
            self.households[data["code"]]["excluded"] = name == names.EXCLUDED
        elif name == names.RECIPIENT_CHANGED:
            self.households[data["code"]].update(group=data["group"], size=data["size"])
        elif name == names.TIER_LABELLED:
            self.labels[data["tier"]] = data["label"]

    def frozen(self) -> Register:
        """The register as it stands now, kept apart from later changes: what a round that
        closes now planned with, so its published figures never follow a later move."""
        kept = Register()
        kept.households = {code: dict(home) for code, home in self.households.items()}
        kept.labels, kept.forgotten = dict(self.labels), dict(self.forgotten)
        return kept

    def reveal(self, sealer: Any) -> Register:
        """Open the sealed names in memory with the ward's key (`ledger.privacy.details.Sealer`), so
        the register can be listed and searched. Refuses, in one line, without the key, with
        a wrong key, or with a key file that lacks a household's key."""
        waiting = [c for c in self.sealed if c not in self.forgotten]
        if waiting and sealer is None:
            raise BadInput("the names are encrypted: set AID_KEY_FILE to the ward's key file to "
                           "see them (reports by code need no key)")
        for code in waiting:
            entry, envelope = self.sealed[code]
            details = sealer.open(code, entry, envelope)
            if details is None:
                raise BadInput("the key file {path} has no key for household {code}: use the "
                               "key file that recorded it", path=sealer.keys.path, code=code)
            self.households[code]["name"] = details["name"]
        self.revealed = True
        return self

    def unsealed(self) -> dict[str, dict[str, Any]]:
        """Households whose details exist only in clear (recorded before encryption), not
        forgotten: what `aid key init --encrypt-existing` seals."""
        return {code: data for code, data in self.clear.items()
                if code not in self.sealed and code not in self.forgotten}

    def rows(self, groups: list[str] | None = None, tiers: list[int] | None = None,
             search: str | None = None) -> list[dict[str, Any]]:
        """Households in Vietnamese alphabetical order of name, filtered; forgotten households
        keep their code, group, size and tier, with an empty name.

        Groups match without case or tone marks ("to 1" finds "Tổ 1"); the search looks in
        codes and names the same way.
        """
        if not self.revealed:
            self.reveal(None)
        wanted = {fold(g) for g in groups or []}
        found = [
            {**h, "label": self.labels[h["tier"]], "forgotten": h["code"] in self.forgotten}
            for h in self.households.values()
            if (not wanted or fold(h["group"]) in wanted)
            and (not tiers or h["tier"] in tiers)
            and (not search or matches(search, h["name"]) or matches(search, h["code"]))
        ]
        return sorted(found, key=lambda h: (sort_key(h["name"]), sort_key(h["code"])))

    def eligible(self, groups: list[str], tiers: list[int], until: int | None = None
                 ) -> dict[str, dict[str, Any]]:
        """Households a round with these filters serves: in its groups and tiers, not excluded
        and not forgotten (a forgotten household has asked to leave the register: it is never
        planned, handed out to or given a voucher again). `until`, a closed round's closing
        entry: a household forgotten after it still counts, so the round's figures stay."""
        return {h["code"]: h for h in self.within(groups, tiers)
                if not h["excluded"] and not self._forgotten_before(h["code"], until)}

    def _forgotten_before(self, code: str, until: int | None) -> bool:
        entry = self.forgotten.get(code)
        return entry is not None and (until is None or entry < until)

    def excluded(self, groups: list[str], tiers: list[int]) -> list[dict[str, Any]]:
        """Households within a round's filters that the register excludes."""
        return [h for h in self.within(groups, tiers) if h["excluded"]]

    def within(self, groups: list[str], tiers: list[int]) -> list[dict[str, Any]]:
        """Households in these groups and tiers as they stand now (all when none given)."""
        wanted = {fold(g) for g in groups}
        return [h for h in self.households.values()
                if (not wanted or fold(h["group"]) in wanted) and (not tiers or h["tier"] in tiers)]
