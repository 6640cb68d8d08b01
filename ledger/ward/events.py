"""Every module that defines an event the ward records, imported together.

The library resolves a stored event's name (`TOPIC`) to its class only once the class exists,
so the application imports this before it reads a stored event (docs/format.md).
"""

from ledger.bank import events as bank  # the drive's bank accounts (issue 25)
from ledger.ward import (
    aggregate,
    personal,
    register,
    rounds,
    thresholds,
    vouchers,
    zones,
)

MODULES = (aggregate, personal, register, rounds, thresholds, vouchers, zones, bank)
