#!/bin/bash
# //:install into a temporary prefix, then a Makefile project outside Bazel
# (consumer/) builds against it with pkg-config and runs; the Python module
# imports from its installed place; installing again changes nothing; the
# uninstall leaves no file behind. The store it uses is destroyed on exit,
# failed or not.
set -euo pipefail

runfiles=${TEST_SRCDIR:?}/kvstore
tmp=${TEST_TMPDIR:?}
prefix="$tmp/prefix"
store="/kvtest_install_$$_${RANDOM}${RANDOM}"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

cleanup() {
  "$runfiles/cli/kvstore" --store="$store" destroy >/dev/null 2>&1 || true
}
trap cleanup EXIT

# A sanitizer build (--config=asan) makes libraries that only instrumented
# programs can link; an install is of the normal build.
symbols=$(nm "$runfiles/libkvstore.a" 2>/dev/null || true)
if [[ "$symbols" == *" U __asan_"* ]]; then
  echo "SKIPPED: sanitizer build"
  exit 0
fi

listing() { (cd "$prefix" && find . \( -type f -o -type l \) | sort); }

"$runfiles/install" --prefix="$prefix" || fail "install"
expected="./bin/kvstore
./include/kvstore/c_api.h
./include/kvstore/c_api_typed.h
./include/kvstore/fixed_string.h
./include/kvstore/options.h
./include/kvstore/schema.h
./include/kvstore/schema_macros.h
./include/kvstore/snapshot.h
./include/kvstore/store.h
./include/kvstore/typed_map.h
./include/kvstore/typed_store.h
./include/kvstore/value.h
./lib/libkvstore.a
./lib/libkvstore.so
./lib/libkvstore.so.0
./lib/libkvstore.so.0.1.0
./lib/pkgconfig/kvstore.pc
./lib/python3.11/dist-packages/kvstore.cpython-311-x86_64-linux-gnu.so
./share/bash-completion/completions/kvstore
./share/man/man1/kvstore.1"
[ "$(listing)" = "$expected" ] || fail "installed files differ:
$(listing)"
first=$(cd "$prefix" && find . -type f -exec md5sum {} + | sort)
# The completion and the manual page are the tool's own.
cmp -s "$prefix/share/bash-completion/completions/kvstore" \
  <("$runfiles/cli/kvstore" completion bash) ||
  fail "the installed completion is not 'kvstore completion bash'"
cmp -s "$prefix/share/man/man1/kvstore.1" <("$runfiles/cli/kvstore" help --man) ||
  fail "the installed manual page is not 'kvstore help --man'"

# The Makefile project.
cp -r "$runfiles/tests/install/consumer" "$tmp/consumer"
chmod -R u+w "$tmp/consumer"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
make -s -C "$tmp/consumer" || fail "make against the install"
export LD_LIBRARY_PATH="$prefix/lib"
for program in cpp_shared c_shared cpp_static; do
  echo "running $program"
  "$tmp/consumer/$program" "$store" || fail "$program exited with $?"
done
out=$("$prefix/bin/kvstore" --store="$store" get runs)
[ "$out" = 3 ] || fail "the three programs counted to '$out', not 3"
needed=$(readelf -d "$tmp/consumer/cpp_static")
[[ "$needed" == *libkvstore* ]] && fail "cpp_static depends on libkvstore.so"

# The installed Python module sees the same store.
PYTHONPATH="$prefix/lib/python3.11/dist-packages" /usr/bin/python3 -c "
import sys, kvstore
assert kvstore.__file__.startswith('$prefix'), kvstore.__file__
assert kvstore.Store(sys.argv[1])['runs'] == 3
" "$store" || fail "python module"

# Idempotent.
"$runfiles/install" --prefix="$prefix" || fail "second install"
second=$(cd "$prefix" && find . -type f -exec md5sum {} + | sort)
[ "$first" = "$second" ] || fail "a second install changed the files"

"$runfiles/install" --prefix="$prefix" --uninstall || fail "uninstall"
left=$(cd "$prefix" && find . \( -type f -o -type l \))
[ -z "$left" ] || fail "uninstall left: $left"
"$runfiles/install" --prefix="$prefix" --uninstall || fail "second uninstall"
"$runfiles/install" --bogus 2>/dev/null && fail "a bad flag was accepted"
echo "PASS"
