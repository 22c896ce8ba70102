#!/usr/bin/python3
"""Get and set per call from Python: kvstore against a plain dict (the
floor), redis-py over a unix socket, and multiprocessing.Manager().dict().
Not a test: prints a Markdown table for docs/benchmarks.md.

  ./bazelw build //python:kvstore.so
  PYTHONPATH=bazel-bin/python /usr/bin/python3 python/bench.py

Starts its own redis-server (Debian's, if installed) on a unix socket in a
temporary directory, and stops it (the process it started, by pid) at the
end, also on failure. The store it creates is destroyed likewise.
"""

import multiprocessing
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import kvstore

KEYS = [("key:%06d" % i) for i in range(1000)]
VALUE = "v" * 16
ROUNDS = {"dict": 2000, "kvstore": 500, "redis-py": 10, "Manager().dict()": 5}
REPEATS = 5
# Interleaved rounds of kvstore against the dict (see paired_ratios).
PAIRED_ROUNDS = 1001
PAIRED_PASSES = 5


def per_call_ns(fn, rounds):
    """Best of REPEATS runs of `rounds` passes over KEYS, in ns per call."""
    best = None
    for _ in range(REPEATS):
        start = time.perf_counter_ns()
        for _ in range(rounds):
            fn()
        elapsed = (time.perf_counter_ns() - start) / (rounds * len(KEYS))
        best = elapsed if best is None else min(best, elapsed)
    return best


def paired_ratios(floor, fn, passes):
    """kvstore / dict ns per call, one ratio per round: each round times a
    slice of `passes` passes of each, in an order that alternates, so that
    a busy phase of a shared machine slows both alike. Returns the sorted
    ratios."""
    ratios = []
    for r in range(PAIRED_ROUNDS):
        times = {}
        order = (floor, fn) if r % 2 == 0 else (fn, floor)
        for f in order:
            start = time.perf_counter_ns()
            for _ in range(passes):
                f()
            times[f] = time.perf_counter_ns() - start
        ratios.append(times[fn] / times[floor])
    return sorted(ratios)


def mapping_ops(m):
    keys = KEYS

    def get():
        for k in keys:
            m[k]

    def set_():
        for k in keys:
            m[k] = VALUE

    return get, set_


def redis_ops(r):
    keys = KEYS

    def get():
        for k in keys:
            r.get(k)

    def set_():
        for k in keys:
            r.set(k, VALUE)

    return get, set_


def start_redis(tmp):
    server = shutil.which("redis-server")
    if server is None:
        return None, None
    # Before the server starts: without redis-py (python3-redis) nothing
    # is left running.
    import redis
    sock = os.path.join(tmp, "redis.sock")
    proc = subprocess.Popen(
        [server, "--port", "0", "--unixsocket", sock, "--save", "",
         "--appendonly", "no", "--dir", tmp],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(unix_socket_path=sock)
    deadline = time.monotonic() + 30
    while True:
        try:
            client.ping()
            return proc, client
        except redis.exceptions.ConnectionError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                proc.wait()
                raise RuntimeError("redis-server did not start")
            time.sleep(0.01)


def main():
    results = {}
    name = "/kvbench_py_%d_%s" % (os.getpid(), uuid.uuid4().hex[:8])
    tmp = tempfile.mkdtemp(prefix="kvstore-pybench-")
    redis_proc = None
    manager = None
    try:
        plain = {}
        results["dict"] = mapping_ops(plain)
        store = kvstore.Store(name, create=True, capacity=4096)
        results["kvstore"] = mapping_ops(store)
        redis_proc, client = start_redis(tmp)
        if client is not None:
            results["redis-py"] = redis_ops(client)
        manager = multiprocessing.Manager()
        results["Manager().dict()"] = mapping_ops(manager.dict())

        table = []
        for label, (get, set_) in results.items():
            rounds = ROUNDS[label]
            set_()  # Fill first, so that every get hits.
            table.append((label, per_call_ns(get, rounds),
                          per_call_ns(set_, rounds)))
        paired = {}
        for i, what in ((0, "get"), (1, "set")):
            paired[what] = paired_ratios(results["dict"][i],
                                         results["kvstore"][i], PAIRED_PASSES)
    finally:
        if manager is not None:
            manager.shutdown()
        if redis_proc is not None:
            redis_proc.terminate()
            try:
                redis_proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                redis_proc.kill()
                redis_proc.wait()
        try:
            kvstore.destroy(name)
        except kvstore.NotFoundError:
            pass
        shutil.rmtree(tmp, ignore_errors=True)

    floor_get, floor_set = table[0][1], table[0][2]
    print("Python %s, %s, %d CPUs; %d keys, %d-byte str values; best of %d"
          % (platform.python_version(), platform.machine(), os.cpu_count(),
             len(KEYS), len(VALUE), REPEATS))
    print()
    print("| peer | get ns/call | set ns/call | get vs dict | set vs dict |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, get_ns, set_ns in table:
        print("| %s | %.0f | %.0f | %.1fx | %.1fx |"
              % (label, get_ns, set_ns, get_ns / floor_get,
                 set_ns / floor_set))
    print()
    print("kvstore / dict, interleaved (%d rounds of %d passes each): "
          "median (quartiles)" % (PAIRED_ROUNDS, PAIRED_PASSES))
    for what, ratios in paired.items():
        n = len(ratios)
        print("  %s: %.2fx (%.2f-%.2f)"
              % (what, ratios[n // 2], ratios[n // 4], ratios[3 * n // 4]))
    kv = dict((r[0], r) for r in table)
    if "redis-py" in kv:
        print()
        print("kvstore vs redis-py: get %.0fx faster, set %.0fx faster"
              % (kv["redis-py"][1] / kv["kvstore"][1],
                 kv["redis-py"][2] / kv["kvstore"][2]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
