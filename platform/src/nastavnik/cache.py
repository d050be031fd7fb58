"""A small in-process cache of what a dashboard shows for one snapshot.

A snapshot's rows never change: a recompute writes new ones with a new ``computed_at``. So the figures
read for (scope, filters, snapshot date, time of computation, targets) can be kept and served again
without reading them back, and a recompute or a new target is a new key, never a stale answer. Only
readers who see the same rows reach one key (the region's staff for a region; its staff and the
municipality's coordinator for a municipality), so sharing an entry shares nothing they could not read.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock
from typing import Any


class LruCache:
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Any) -> Any | None:
        if self.size <= 0:
            return None
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Any, value: Any) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
