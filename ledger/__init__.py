"""The write side of aid-ledger: events, the ward aggregate, its rules and the application service.

Nothing here imports `projections` or `commands`.
"""
