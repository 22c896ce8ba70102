"""kvstore.Store from Python: values, the mapping protocol, errors, ttl,
conditional writes, scans, get_or_compute, pickling."""

import math
import pickle

import pytest

import kvstore


@pytest.mark.parametrize(
    "value",
    ["", "hello", "h\u00e9llo \u2603", "nul\0inside", b"", b"\x00\xff",
     0, -1, 2**63 - 1, -(2**63), 0.0, -2.5, math.inf, True, False],
)
def test_values_round_trip_with_their_type(store, value):
    store["k"] = value
    got = store["k"]
    assert got == value and type(got) is type(value)


def test_nan_round_trips(store):
    store["k"] = math.nan
    assert math.isnan(store["k"])


def test_bytes_like_values_come_back_as_bytes(store):
    store["a"] = bytearray(b"xy")
    store["b"] = memoryview(b"zw")
    assert store["a"] == b"xy" and store["b"] == b"zw"


def test_str_and_bytes_keys_name_the_same_entry(store):
    store["key"] = 1
    assert store[b"key"] == 1
    store["\udcff"] = "surrogate"  # Round-trips through surrogateescape.
    assert store[b"\xff"] == "surrogate"
    assert "\udcff" in list(store)


def test_mapping_protocol(store):
    assert len(store) == 0 and "a" not in store
    store["a"] = 1
    store["b"] = 2
    assert "a" in store and len(store) == 2
    assert sorted(store) == ["a", "b"]
    assert sorted(store.items()) == [("a", 1), ("b", 2)]
    assert sorted(store.values()) == [1, 2]
    del store["a"]
    assert "a" not in store and len(store) == 1
    with pytest.raises(KeyError):
        del store["a"]


def test_missing_key_is_a_key_error_and_get_takes_a_default(store):
    with pytest.raises(KeyError) as info:
        store["missing"]
    assert isinstance(info.value, kvstore.NotFoundError)
    assert isinstance(info.value, kvstore.Error)
    assert info.value.code == "NOT_FOUND"
    assert store.name in str(info.value)
    assert store.get("missing") is None
    assert store.get("missing", 7) == 7
    assert store.delete("missing") is False


def test_unsupported_values_are_type_errors_and_change_nothing(store):
    store["k"] = "old"
    for bad in ([1], {"a": 1}, None, object()):
        with pytest.raises(TypeError):
            store["k"] = bad
    with pytest.raises(TypeError):
        store[1] = "int key"
    with pytest.raises(OverflowError):
        store["k"] = 2**63
    assert store["k"] == "old"


def test_bad_keys_and_values_are_invalid_argument(store):
    with pytest.raises(kvstore.InvalidArgumentError) as info:
        store[""] = 1
    assert isinstance(info.value, ValueError)
    with pytest.raises(kvstore.InvalidArgumentError):
        store["x" * 5000] = 1  # max_key_bytes is 4096.
    with pytest.raises(kvstore.InvalidArgumentError):
        store["k"] = "x" * 1000  # max_value_bytes is 256.
    with pytest.raises(kvstore.InvalidArgumentError):
        store.set("k", 1, ttl=0)
    with pytest.raises(kvstore.InvalidArgumentError):
        store.set("k", 1, ttl=math.nan)
    assert len(store) == 0


def test_incr_adds_ints_and_floats_and_refuses_other_types(store):
    assert store.incr("n") == 1
    assert store.incr("n", 41) == 42
    assert store.incr("f", 0.5) == 0.5
    store["s"] = "text"
    with pytest.raises(TypeError) as info:
        store.incr("s")
    assert isinstance(info.value, kvstore.TypeMismatchError)
    assert isinstance(info.value, kvstore.FailedPreconditionError)
    assert "string" in str(info.value)
    store["max"] = 2**63 - 1
    with pytest.raises(kvstore.OutOfRangeError):
        store.incr("max")
    assert store["max"] == 2**63 - 1


def test_ttl_expire_persist(store):
    store.set("k", "v", ttl=60)
    assert 0 < store.ttl("k") <= 60
    store.persist("k")
    assert store.ttl("k") is None
    store.expire("k", 3600)
    assert 60 < store.ttl("k") <= 3600
    with pytest.raises(kvstore.InvalidArgumentError):
        store.expire("k", None)
    with pytest.raises(KeyError):
        store.ttl("missing")
    with pytest.raises(KeyError):
        store.expire("missing", 1)


def test_conditional_writes(store):
    assert store.set_if_absent("k", "a") is True
    assert store.set_if_absent("k", "b") is False
    assert store.replace("missing", "b") is False and "missing" not in store
    assert store.replace("k", "b") is True
    assert store.compare_and_set("k", "zz", "c") is False
    assert store.compare_and_set("k", "b", "c") is True
    with pytest.raises(KeyError):
        store.compare_and_set("missing", "b", "c")
    value, version, ttl = store.get_entry("k")
    assert value == "c" and ttl is None
    assert store.compare_version_and_set("k", version + 1000, "d") is False
    assert store.compare_version_and_set("k", version, "d") is True
    assert store.pop("k") == "d"
    assert store.pop("k", None) is None
    with pytest.raises(KeyError):
        store.pop("k")


def test_scan_pages_through_every_prefixed_entry(store):
    for i in range(300):
        store["p:%03d" % i] = i
    store["other"] = 0
    seen = {}
    cursor = 0
    while True:
        cursor, entries = store.scan(cursor, prefix="p:", count=50)
        seen.update(entries)
        if cursor == 0:
            break
    assert seen == {"p:%03d" % i: i for i in range(300)}
    assert sorted(store.keys(prefix="p:")) == sorted(seen)


def test_get_or_compute_computes_once_and_keeps_errors_out(store):
    calls = []

    def compute():
        calls.append(1)
        return "computed"

    assert store.get_or_compute("k", compute, ttl=60) == "computed"
    assert store.get_or_compute("k", compute) == "computed"
    assert len(calls) == 1 and 0 < store.ttl("k") <= 60

    def fail():
        raise RuntimeError("no value today")

    with pytest.raises(RuntimeError, match="no value today"):
        store.get_or_compute("bad", fail)
    assert "bad" not in store
    with pytest.raises(TypeError):
        store.get_or_compute("bad", lambda: [1, 2])
    assert "bad" not in store


def test_open_errors(name):
    with pytest.raises(kvstore.NotFoundError):
        kvstore.Store(name)
    with pytest.raises(kvstore.InvalidArgumentError):
        kvstore.Store("no-slash", create=True)
    with pytest.raises(kvstore.InvalidArgumentError):
        kvstore.Store(name, create=True, eviction="lru")
    with pytest.raises(kvstore.InvalidArgumentError):
        kvstore.Store(name, create=True, capacity=0)
    kvstore.Store(name, create=True).close()
    with pytest.raises(kvstore.AlreadyExistsError):
        kvstore.Store(name, create=True, exclusive=True)


def test_created_with_options(name):
    with kvstore.Store(name, create=True, capacity=10, memory=8192,
                       max_key_bytes=16, max_value_bytes=32, eviction="clock",
                       mode=0o640) as s:
        stats = s.stats()
        assert stats["capacity"] == 10 and stats["max_key_bytes"] == 16
        assert stats["max_value_bytes"] == 32 and stats["data_bytes"] == 8192
        assert stats["eviction"] == "clock" and stats["mode"] == 0o640
        for i in range(50):  # Evicts instead of filling up.
            s[str(i)] = i
        assert len(s) <= 10
        s.verify()


def test_a_write_into_fragmented_memory_compacts(name):
    # Eight 1 KiB blocks fill 8 KiB; every other one deleted leaves 4 KiB
    # free in 1 KiB holes. A 3 KiB value moves blocks to join them.
    with kvstore.Store(name, create=True, memory=8192) as s:
        for i in range(8):
            s["k%d" % i] = chr(ord("a") + i) * 1000
        for i in range(0, 8, 2):
            del s["k%d" % i]
        assert s.stats()["largest_storable"] < 3000
        s["big"] = "z" * 3000
        stats = s.stats()
        assert stats["compactions"] == 1 and stats["compacted_bytes"] >= 1024
        assert s["big"] == "z" * 3000
        assert all(s["k%d" % i] == chr(ord("a") + i) * 1000
                   for i in range(1, 8, 2))
        s.verify()


def test_closed_store_refuses_calls(store):
    store.close()
    assert store.closed
    with pytest.raises(kvstore.FailedPreconditionError):
        store["k"] = 1


def test_pickles_as_its_name(store):
    store["k"] = "v"
    copy = pickle.loads(pickle.dumps(store))
    assert copy.name == store.name and copy["k"] == "v"


def test_destroy(name):
    kvstore.Store(name, create=True).close()
    kvstore.destroy(name)
    with pytest.raises(kvstore.NotFoundError):
        kvstore.destroy(name)
