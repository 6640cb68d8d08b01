"""The auditor's commands (read-only): checks, reconciliation, traces, the printed statement,
the Merkle checkpoints, donors' receipts and witnesses."""
