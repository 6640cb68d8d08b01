"""Pages the stock board computed a moment ago, reused while the ledger is exactly as it was.

Phones refresh every 30 s, many at once, and the public statement replays and verifies the
whole history: computed once per request, fifty phones on a large ledger would keep every server
thread busy with the same work. A page is reused only under a key that names the events it was
computed from (their count and last position, read in the same snapshot), so an answer never
lags behind a write; and for at most `ttl` seconds, so a day that turns or a row altered behind
the ledger's back shows up within one refresh. One computation per key at a time: the others
asking for it wait for its result instead of repeating it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class Recent(Generic[Value]):
    """At most `size` values, each kept `ttl` seconds; safe to share between threads."""

    def __init__(self, ttl: float, size: int = 64) -> None:
        self.ttl, self.size = ttl, size
        self._values: OrderedDict[Hashable, tuple[float, Value]] = OrderedDict()
        self._computing: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Value]) -> Value:
        """The value kept under `key`, else `compute()` (once, however many threads ask)."""
        found = self._fresh(key)
        if found is not None:
            return found[1]
        with self._lock:
            turn = self._computing.setdefault(key, threading.Lock())
        with turn:
            found = self._fresh(key)
            if found is not None:
                return found[1]
            value = compute()
            with self._lock:
                self._values[key] = (time.monotonic(), value)
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
                self._computing.pop(key, None)
            return value

    def _fresh(self, key: Hashable) -> tuple[float, Value] | None:
        with self._lock:
            found = self._values.get(key)
            if found is None or time.monotonic() - found[0] >= self.ttl:
                return None
            self._values.move_to_end(key)
            return found
