"""Functions that multiprocessing runs in other processes (importable by
name, as the spawn start method requires)."""

import kvstore


def add(name, key, times):
    """Adds 1 to `key` `times` times and writes one key of its own."""
    store = kvstore.Store(name)
    for _ in range(times):
        store.incr(key)
    store["worker:%d" % times] = "done"
    store.close()


def add_through(store, key, times):
    """The same through a Store passed to the process (pickled by name under
    spawn, inherited under fork)."""
    for _ in range(times):
        store.incr(key)


def compute_once(name, key):
    """Asks for `key` with get_or_compute; the computation counts itself."""
    store = kvstore.Store(name)

    def compute():
        store.incr("computations")
        return "computed"

    return store.get_or_compute(key, compute, wait=60)


def change(name, changes):
    """Applies `changes`, ("set", key, value), ("del", key) or ("expire",
    key, seconds), to the store `name`."""
    store = kvstore.Store(name)
    for change in changes:
        if change[0] == "set":
            store[change[1]] = change[2]
        elif change[0] == "del":
            del store[change[1]]
        else:
            store.expire(change[1], change[2])
    store.close()
