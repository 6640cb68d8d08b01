"""What the treasurer writes: starting a ledger and its settings, declaring what the ward
handles, recording facts one by one or from spreadsheets, and signing keys."""
