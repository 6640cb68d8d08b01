"""Trust: what proves the ledger was not altered: chain links, Merkle tree, seals, signatures."""
