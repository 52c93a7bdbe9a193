"""What the personal freshness walk keeps between writes: the contents of app/core/kept.Kept stores, taken
once every page was viewed on the matrix's world and put back whenever the world is (`Walker.rebuild`).
The world comes back with the same rows and data-version tokens, so this is the state the same views
would leave again, without rendering each page once more before every write."""


class KeptState:
    def __init__(self, *stores):
        self._taken = [(store, store.entries()) for store in stores]

    def put_back(self):
        for store, entries in self._taken:
            store.clear()
            for key, value in entries:  # in the same order: least recently used first
                store.put(key, value)
