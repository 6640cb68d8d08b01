"""The ward's events by name, as the read side matches them: the stored name after its colon.

Each event class states its whole stored name in `TOPIC` (docs/format.md); projections read
stored rows without the event-sourcing library and match on these short names instead of
spelling them again. `tests/ledger/test_fixture_ledgers.py` checks that they agree.
"""

from uuid import UUID, uuid5

# The ward aggregate's id and the keyring's, fixed for every ledger (stored in every row); here,
# beside the names, so that readers need not load the aggregate (and the event library) for them.
WARD_ID = uuid5(UUID("5d1c3c1e-8a3f-4c47-9a52-0b0b7c1e2a10"), "ward")
KEYRING_ID = uuid5(WARD_ID, "actor keys")  # the keyring aggregate's (ledger/trust/keyring.py)

WARD = "ledger.ward:"  # the stored names of the Ward class's own events begin so


def short(topic: str) -> str:
    """The name the read side matches on: a stored name after its colon
    ("ledger.ward:Ward.Donated" -> "Ward.Donated")."""
    return topic.rpartition(":")[2]


OPENED = "Ward.Opened"
ITEM_DECLARED = "Ward.ItemDeclared"
LOCATION_DECLARED = "Ward.LocationDeclared"
DONOR_DECLARED = "Ward.DonorDeclared"
RECIPIENT_DECLARED = "Ward.RecipientDeclared"
BUNDLE_DEFINED = "Ward.BundleDefined"
DONATED = "Ward.Donated"
BOUGHT = "Ward.Bought"
PACKED = "Ward.Packed"
UNPACKED = "Ward.Unpacked"
HANDED_OUT = "Ward.HandedOut"
TRANSFERRED = "Ward.Transferred"
ADJUSTED = "Ward.Adjusted"
COUNTED = "Ward.Counted"
REVERSED = "Ward.Reversed"
CODED = "Ward.Coded"
SHOP_PRICED = "ShopPriced"  # the 0 đồng shops (ledger/ward/vouchers.py)
VOUCHER_ISSUED = "VoucherIssued"
PICKED_UP = "PickedUp"
VOUCHER_CANCELLED = "VoucherCancelled"
TIER_CHANGED = "RecipientTierChanged"  # the register (ledger/ward/register.py)
EXCLUDED = "RecipientExcluded"
INCLUDED = "RecipientIncluded"
RECIPIENT_CHANGED = "RecipientChanged"
TIER_LABELLED = "TierLabelled"
ROUND_OPENED = "RoundOpened"  # rounds (ledger/ward/rounds.py)
ROUND_RESERVED = "RoundReserved"
ROUND_CLOSED = "RoundClosed"
TIMEZONE_SET = "TimezoneSet"  # the ward's clock (ledger/ward/zones.py)
SEALED = "RecipientSealed"  # households' details (ledger/ward/personal.py)
DETAILS_ENCRYPTED = "DetailsEncrypted"
FORGOTTEN = "RecipientForgotten"
THRESHOLD_SET = "ThresholdSet"  # low-stock minimums (ledger/ward/thresholds.py)
ACCOUNT_DECLARED = "AccountDeclared"  # the drive's bank accounts (ledger/bank/events.py)
STATEMENT_IMPORTED = "StatementImported"
CASH_MOVED = "CashMoved"  # cash box <-> bank account
FEE_PAID = "FeePaid"  # a bank fee taken from an account
