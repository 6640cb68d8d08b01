"""The `aid` command line: parse, call the ledger or a projection, print."""
