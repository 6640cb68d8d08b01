"""The cash book's categories and how each moves the ward fund.

received = spent + given + packed + balance, always: the balance is derived, never stored.
"""

CATEGORIES = ("received", "spent", "given", "packed")


def fund_change(cash: dict[str, int]) -> int:
    """How a fact's cash-book entries move the ward fund balance."""
    get = cash.get
    return get("received", 0) - get("spent", 0) - get("given", 0) - get("packed", 0)
