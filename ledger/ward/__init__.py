"""The ward aggregate and every event it records, with the plain books its rules keep.

Light on purpose: the read side imports the pure books (`daybook`, `lots`, `cashbook`)
without loading the event-sourcing library. `ledger.service` imports every event module, so
that each stored name resolves (docs/format.md).
"""
