"""The recipients register (danh sách hộ nhận): households as they stand now, with names.

This is the one read model that holds names; reports other than the register and the signed
receipt list name households by code.
"""

from __future__ import annotations

from typing import Any

from ledger.tiers import DEFAULT_LABELS
from ledger.text import fold, matches, sort_key


class Register:
    """Households by code (name, group, size, tier, excluded) and the ward's tier labels."""

    def __init__(self) -> None:
        self.households: dict[str, dict[str, Any]] = {}
        self.labels: dict[int, str] = dict(DEFAULT_LABELS)

    def apply(self, name: str, data: dict[str, Any]) -> None:
        """Fold one stored event; events that do not touch the register are ignored."""
        if name == "Ward.RecipientDeclared":
            self.households[data["code"]] = {
                "code": data["code"], "name": data["name"], "group": data["group"],
                "size": data["size"], "tier": data["tier"], "excluded": False}
        elif name == "RecipientTierChanged":
            self.households[data["code"]]["tier"] = data["tier"]
        elif name in ("RecipientExcluded", "RecipientIncluded"):
            self.households[data["code"]]["excluded"] = name == "RecipientExcluded"
        elif name == "RecipientChanged":
            self.households[data["code"]].update(group=data["group"], size=data["size"])
        elif name == "TierLabelled":
            self.labels[data["tier"]] = data["label"]

    def rows(self, groups: list[str] | None = None, tiers: list[int] | None = None,
             search: str | None = None) -> list[dict[str, Any]]:
        """Households in Vietnamese alphabetical order of name, filtered.

        Groups match without case or tone marks ("to 1" finds "Tổ 1"); the search looks in
        codes and names the same way.
        """
        wanted = {fold(g) for g in groups or []}
        found = [
            {**h, "label": self.labels[h["tier"]]} for h in self.households.values()
            if (not wanted or fold(h["group"]) in wanted)
            and (not tiers or h["tier"] in tiers)
            and (not search or matches(search, h["name"]) or matches(search, h["code"]))
        ]
        return sorted(found, key=lambda h: (sort_key(h["name"]), sort_key(h["code"])))

    def eligible(self, groups: list[str], tiers: list[int]) -> dict[str, dict[str, Any]]:
        """Households a round with these filters serves: in its groups and tiers, not excluded."""
        return {h["code"]: h for h in self._within(groups, tiers) if not h["excluded"]}

    def excluded(self, groups: list[str], tiers: list[int]) -> list[dict[str, Any]]:
        """Households within a round's filters that the register excludes."""
        return [h for h in self._within(groups, tiers) if h["excluded"]]

    def _within(self, groups: list[str], tiers: list[int]) -> list[dict[str, Any]]:
        wanted = {fold(g) for g in groups}
        return [h for h in self.households.values()
                if (not wanted or fold(h["group"]) in wanted) and (not tiers or h["tier"] in tiers)]
