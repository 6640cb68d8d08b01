"""Trust: what proves the ledger was not altered: chain links, seals, signing keys, the keyring."""
