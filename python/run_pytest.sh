#!/bin/sh
# Runs the Python tests (python/tests) with Debian's python3 and pytest
# against the module built by Bazel. Arguments go to pytest.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
module_dir="$here"
export PYTHONPATH="$module_dir"
# The typed store tests create their store with this C++ program.
export KVSTORE_TYPED_HELPER="$here/make_typed_store"
cd "$here/tests"
exec /usr/bin/python3 -m pytest -q -p no:cacheprovider "$@" .
