"""The one bounded store behind everything a worker keeps in memory between requests: values kept
per data version (app/core/version_cache.py), kept fragments (fragments.py), the bodies and
headers of shared pages (shared_body.py), the list's filter forms, the ballot page's body and the
page cache's answers. The least recently used entry goes first; a worker's threads share it."""

import threading
from collections import OrderedDict


class Kept:
    def __init__(self, limit):
        self.limit = limit
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self):
        return len(self._entries)

    def get(self, key):
        """The value kept under `key`, now the most recently used; None when there is none."""
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key, value):
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.limit:
                self._entries.popitem(last=False)

    def made(self, key, make, version=None):
        """The value kept under `key` for `version`, else make()'s, kept in place of one made for
        another version."""
        hit = self.get(key)
        if hit is not None and hit[0] == version:
            return hit[1]
        value = make()
        self.put(key, (version, value))
        return value

    def clear(self):
        with self._lock:
            self._entries.clear()

    def entries(self):
        """A copy of what is kept, least recently used first (for a test to put back with put())."""
        with self._lock:
            return list(self._entries.items())
