#!/bin/sh
# Runs the Python tests (python/tests) with Debian's python3 and pytest
# against the module built by Bazel. Arguments go to pytest.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
module_dir="$here"
export PYTHONPATH="$module_dir"
# The typed store tests create their store with this C++ program.
export KVSTORE_TYPED_HELPER="$here/../tests/typed/make_players_store"
# Under --config=asan the module is instrumented but python3 is not: the
# sanitizer runtimes must be loaded first. Python's own allocations are not
# ours to leak-check.
if ldd "$here/kvstore.so" | grep -q libasan; then
  LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
  export LD_PRELOAD
  export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"
fi
cd "$here/tests"
exec /usr/bin/python3 -m pytest -q -p no:cacheprovider "$@" .
