"""The hand-written entry points (python/fast_paths.cc) of store[k], k in
store, store.get and store[k] = v behave exactly as pybind11's methods they
stand in front of: for every key and value type, hit or miss, expired entry,
keyword arguments, closed or uninitialised store, and subclasses."""

import time

import pytest

import kvstore


class Str(str):
    pass


class Bytes(bytes):
    pass


class Int(int):
    pass


# Keys the fast paths take (exact str, bytes) and those they pass on.
KEYS = ["plain", b"raw\x00key", Str("sub"), Bytes(b"subbytes"), "\udcfe"]


@pytest.mark.parametrize("key", KEYS)
def test_every_key_type_reads_back_through_every_read(store, key):
    store[key] = "v"
    assert store[key] == "v"
    assert key in store
    assert store.get(key) == "v"
    assert store.get(key, 1) == "v"
    assert store.get(key=key, default=1) == "v"
    del store[key]
    assert key not in store
    assert store.get(key) is None
    assert store.get(key, 7) == 7
    assert store.get(key, default=8) == 8
    with pytest.raises(kvstore.NotFoundError):
        store[key]


@pytest.mark.parametrize(
    "value", ["s", "\u2603" * 20, b"\x00b", 5, -(2**63), 2.5, True, False,
              Int(3), Str("sub"), bytearray(b"ba")])
def test_every_value_type_is_written_as_before(store, value):
    store["k"] = value
    got = store["k"]
    assert got == value
    # Subclasses come back as their base type; bytearray as bytes.
    assert type(got) in (str, bytes, int, float, bool)


def test_bad_keys_and_values_raise_the_same_errors_and_change_nothing(store):
    store["k"] = 1
    for bad_key in (1, None, 2.5):
        with pytest.raises(TypeError):
            store[bad_key]
        with pytest.raises(TypeError):
            bad_key in store
        with pytest.raises(TypeError):
            store.get(bad_key)
        with pytest.raises(TypeError):
            store[bad_key] = 1
    with pytest.raises(kvstore.InvalidArgumentError):
        store[""]
    with pytest.raises(kvstore.InvalidArgumentError):
        store[""] = 1
    with pytest.raises(kvstore.InvalidArgumentError):
        store["x" * 5000] = 1  # Longer than max_key_bytes.
    with pytest.raises(OverflowError):
        store["k"] = 2**63
    with pytest.raises(TypeError):
        store["k"] = object()
    with pytest.raises(kvstore.InvalidArgumentError):
        store["k"] = "v" * 1000  # Longer than max_value_bytes.
    assert store["k"] == 1


def test_get_checks_its_arguments_like_any_method(store):
    with pytest.raises(TypeError):
        store.get()
    with pytest.raises(TypeError):
        store.get("a", 1, 2)
    with pytest.raises(TypeError):
        store.get("a", nonsense=1)


def test_a_miss_or_hit_counts_once(store):
    store["here"] = 1
    before = store.stats()
    with pytest.raises(KeyError) as info:
        store["gone"]
    assert store.name in str(info.value)
    assert "gone" not in store
    assert store.get("gone") is None
    assert store["here"] == 1 and "here" in store and store.get("here") == 1
    after = store.stats()
    assert after["misses"] - before["misses"] == 3
    assert after["hits"] - before["hits"] == 3


def test_an_expired_entry_is_read_through_the_lock(store):
    store.set("t", "soon", ttl=0.05)
    store["kept"] = "v"
    deadline = time.monotonic() + 10
    while "t" in store and time.monotonic() < deadline:
        time.sleep(0.01)
    assert "t" not in store
    assert store.get("t") is None
    with pytest.raises(KeyError):
        store["t"]
    assert store["kept"] == "v"


def assign(store, key, value):
    store[key] = value  # Through the type's slot, as a program writes it.


def test_a_closed_store_refuses_every_fast_call(store):
    store.close()
    for call in (lambda: store["k"], lambda: "k" in store,
                 lambda: store.get("k"), lambda: assign(store, "k", 1)):
        with pytest.raises(kvstore.FailedPreconditionError):
            call()


def test_an_uninitialised_store_is_a_type_error(store):
    bare = kvstore.Store.__new__(kvstore.Store)
    for call in (lambda: bare["k"], lambda: "k" in bare,
                 lambda: bare.get("k"), lambda: assign(bare, "k", 1)):
        with pytest.raises(TypeError):
            call()


def test_a_subclass_behaves_like_the_store(name):
    class Mine(kvstore.Store):
        pass

    s = Mine(name, create=True)
    s["k"] = "v"
    assert s["k"] == "v" and "k" in s and s.get("k") == "v"
    assert s.get("no", 1) == 1
    s.close()


def test_an_unchanged_value_read_twice_may_be_the_same_object(store):
    store["k"] = "v" * 16
    first = store["k"]
    assert store["k"] is first
    assert store.get("k") is first


def test_a_changed_value_is_never_an_older_object(store, name):
    # Same key, same length, other bytes; then another type with the same
    # bytes; then the same key in another store with another value.
    for value in ("a" * 16, "b" * 16, b"b" * 16, "b" * 16, "\u2603", ""):
        store["k"] = value
        for read in (lambda: store["k"], lambda: store.get("k")):
            got = read()
            assert got == value and type(got) is type(value)
    other = kvstore.Store(name + "_other", create=True, capacity=10)
    try:
        other["k"] = "x" * 16
        store["k"] = "y" * 16
        assert other["k"] == "x" * 16
        assert store["k"] == "y" * 16
        assert other.get("k") == "x" * 16
    finally:
        other.close()
        kvstore.destroy(name + "_other")


def test_a_value_written_by_another_handle_is_read_fresh(store, name):
    writer = kvstore.Store(name)
    try:
        for n in range(200):
            writer["k"] = "%016d" % n
            assert store["k"] == "%016d" % n
    finally:
        writer.close()


def test_a_reused_object_is_dropped_by_every_change_from_another_handle(
        store, name):
    # A read made the object; each change through another handle (another
    # process would do the same, test_multiprocess.py) makes the next read
    # see the store, not the object.
    writer = kvstore.Store(name)
    try:
        store["k"] = "v" * 16
        first = store["k"]
        writer["k"] = "v" * 16  # The same bytes, written again.
        again = store["k"]
        assert again == first and again is not first
        writer.expire("k", 3600)
        assert store["k"] == "v" * 16 and store.ttl("k") > 3000
        store["k"]
        del writer["k"]
        assert "k" not in store
        assert store.get("k") is None
        with pytest.raises(KeyError):
            store["k"]
        writer["k"] = 7
        assert store["k"] == 7 and type(store["k"]) is int
    finally:
        writer.close()


def test_a_reused_object_expires_with_its_entry(store):
    store.set("t", "soon", ttl=0.05)
    store["t"]  # Keeps the object.
    deadline = time.monotonic() + 10
    while store.get("t") is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert store.get("t") is None
    assert "t" not in store
    with pytest.raises(KeyError):
        store["t"]


def test_numbers_are_reused_and_a_key_is_its_bytes(store):
    store["n"] = 10**12
    store["f"] = 2.5
    assert store["n"] is store["n"]
    assert store["f"] is store.get("f")
    # "k" and b"k" are the same key; an equal str of another object too.
    store["k"] = b"bytes"
    assert store[b"k"] == b"bytes" and store["k"] == b"bytes"
    assert store["".join(["k"])] == b"bytes"
    store[b"k"] = "now str"
    assert store["k"] == "now str"


def test_reused_objects_count_as_hits(store):
    store["k"] = "v"
    store["k"]
    before = store.stats()["hits"]
    for _ in range(10):
        store["k"]
        assert "k" in store
    assert store.stats()["hits"] - before == 20
