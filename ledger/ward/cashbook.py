"""The cash book's categories and how each moves the ward fund.

received = spent + fees + given + packed + balance, always: the balance is derived, never
stored. `fees` (bank fees, `aid bank fee`) came later than the others: the books keep it only
once a fee is recorded, so a ledger without one reads and prints exactly as before
(`ALWAYS` are the categories every cash book has).
"""

CATEGORIES = ("received", "spent", "fees", "given", "packed")
ALWAYS = tuple(category for category in CATEGORIES if category != "fees")


def fund_change(cash: dict[str, int]) -> int:
    """How a fact's cash-book entries move the ward fund balance."""
    get = cash.get
    return (get("received", 0) - get("spent", 0) - get("fees", 0) - get("given", 0)
            - get("packed", 0))
