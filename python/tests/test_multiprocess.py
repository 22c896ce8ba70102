"""The module across real processes (multiprocessing, fork and spawn) and
threads: the GIL is released while a call waits."""

import multiprocessing
import threading

import pytest

import kvstore
import mp_workers

PROCESSES = 4
TIMES = 300


@pytest.fixture(params=["fork", "spawn"])
def context(request):
    return multiprocessing.get_context(request.param)


def run_all(context, target, args_list):
    procs = [context.Process(target=target, args=args) for args in args_list]
    for p in procs:
        p.start()
    try:
        for p in procs:
            p.join(timeout=120)
    finally:
        for p in procs:  # Only the processes this test started.
            if p.is_alive():
                p.kill()
                p.join()
    return [p.exitcode for p in procs]


def test_increments_from_many_processes_all_count(name, context):
    kvstore.Store(name, create=True).close()
    codes = run_all(context, mp_workers.add,
                    [(name, "counter", TIMES + i) for i in range(PROCESSES)])
    assert codes == [0] * PROCESSES
    store = kvstore.Store(name)
    assert store["counter"] == sum(TIMES + i for i in range(PROCESSES))
    assert sorted(store.keys(prefix="worker:")) == sorted(
        "worker:%d" % (TIMES + i) for i in range(PROCESSES))


def test_a_store_object_crosses_to_other_processes(name, context):
    store = kvstore.Store(name, create=True)
    codes = run_all(context, mp_workers.add_through,
                    [(store, "n", TIMES)] * PROCESSES)
    assert codes == [0] * PROCESSES
    assert store["n"] == TIMES * PROCESSES


def test_get_or_compute_computes_once_across_processes(name, context):
    kvstore.Store(name, create=True).close()
    with context.Pool(PROCESSES) as pool:
        results = pool.starmap(mp_workers.compute_once,
                               [(name, "k")] * (PROCESSES * 2))
    assert results == ["computed"] * (PROCESSES * 2)
    assert kvstore.Store(name)["computations"] == 1


def test_a_waiting_get_or_compute_lets_other_threads_run(store):
    started = threading.Event()
    release = threading.Event()
    results = {}

    def first():
        def compute():
            started.set()
            # Blocks with the GIL released (Event.wait) until main says so.
            release.wait(60)
            return "first"
        results["first"] = store.get_or_compute("k", compute, wait=60)

    def second():
        results["second"] = store.get_or_compute(
            "k", lambda: "second", wait=60)

    a = threading.Thread(target=first)
    a.start()
    assert started.wait(60)
    b = threading.Thread(target=second)
    b.start()
    # This thread runs Python while `b` waits inside the store call: were
    # the GIL held there, it would not get here until `b` gave up.
    release.set()
    a.join(60)
    b.join(60)
    assert results == {"first": "first", "second": "first"}


def test_reads_see_every_change_another_process_made(store, name, context):
    # The reads in between keep their objects (test_fast_paths.py); none
    # may survive a change made elsewhere.
    for i in range(20):
        store["k%d" % i] = "v%d" % i
    for round_ in range(3):
        before = {("k%d" % i): store["k%d" % i] for i in range(20)}
        assert all(store.get(k) is not None for k in before)
        changes = [("set", "k%d" % i, "r%d-%d" % (round_, i))
                   for i in range(0, 20, 3)]
        changes += [("del", "k%d" % i) for i in range(1, 20, 6)]
        changes += [("expire", "k%d" % i, 3600) for i in range(2, 20, 6)]
        assert run_all(context, mp_workers.change, [(name, changes)]) == [0]
        expected = dict(before)
        for change in changes:
            if change[0] == "set":
                expected[change[1]] = change[2]
            elif change[0] == "del":
                expected.pop(change[1], None)
        for i in range(20):
            key = "k%d" % i
            assert store.get(key) == expected.get(key), key
            assert (key in store) == (key in expected)
        for key in list(before):
            if key not in expected:
                store[key] = "back"
