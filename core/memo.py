"""Short-lived per-process memory for lookups on the hot submission path.

A busy survey answers hundreds of submissions a second with the same survey
row, service points and quota cells; re-reading them each time cost more than
storing the response. Each entry lives a few seconds, so an edit made in the
admin reaches every worker within that time (and the worker that made it at
once, through :func:`forget`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")
SECONDS = 5.0
MAX_ENTRIES = 10_000

# key -> (expiry on the monotonic clock, value). A plain dict: one get and one
# set are atomic under the GIL, and two threads loading the same key at once
# only do the work twice.
store: dict[Hashable, tuple[float, object]] = {}


def remember(key: Hashable, load: Callable[[], T], seconds: float = SECONDS) -> T:
    """The value stored under ``key`` if still fresh, else ``load()`` stored."""
    now = time.monotonic()
    hit = store.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]  # type: ignore[return-value]
    value = load()
    if len(store) > MAX_ENTRIES:
        store.clear()
    store[key] = (now + seconds, value)
    return value


def forget(key: Hashable) -> None:
    store.pop(key, None)
