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
