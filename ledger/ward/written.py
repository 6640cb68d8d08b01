"""What a change to the ward wrote: the value a write function returns to the application
(`ledger/service.py`), which saves it. Its own module so the ward's write functions need not
import the application that calls them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Written:
    """What a change wrote: its result (entry ids) and other aggregates to save with the ward."""

    result: Any
    aggregates: list[Any] = field(default_factory=list)
