"""The households' side of the drive: the register of households (who is eligible, in which
tổ and tier), the fair allocation of scarce goods among them, the rounds that hand goods out,
and the 0 đồng shop's vouchers and pick-ups. Read models only: every write is the ward's
(`ledger/ward/`)."""
