#!/bin/bash
# Builds and runs bazel_consumer/, a Bazel workspace that depends on this
# one through local_repository, in a temporary directory with its own Bazel
# server and output base (both removed at the end). Run by .ci/run (phase
# "consumers"); exits 0 if both programs built and counted right.
#
# Usage: tests/install/bazel_consumer/check.sh [KVSTORE_CHECKOUT]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kvstore=$(cd "${1:-$here/../../..}" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/kvstore-bazel-consumer.XXXXXX")
store="/kvtest_bazel_consumer_$$_${RANDOM}"
bazel="bazel --output_user_root=$work/root"

cleanup() {
  rm -f "/dev/shm$store"  # shm_unlink, as kvstore destroy does.
  (cd "$work/ws" 2>/dev/null && $bazel shutdown >/dev/null 2>&1)
  chmod -R u+w "$work" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/ws"
sed "s|@KVSTORE@|$kvstore|g" "$here/WORKSPACE.in" > "$work/ws/WORKSPACE"
cp "$here/BUILD.in" "$work/ws/BUILD"
cp "$here/bazelrc.in" "$work/ws/.bazelrc"
cp "$here/main.cc" "$here/main.c" "$work/ws/"
cd "$work/ws" || exit 1

$bazel build //:consumer //:c_consumer || { echo "consumers: build FAILED"; exit 1; }
out1=$(bazel-bin/consumer "$store") && out2=$(bazel-bin/c_consumer "$store")
rc=$?
if [ "$rc" -ne 0 ] || [ "$out1" != "runs 1" ] || [ "$out2" != "runs 2" ]; then
  echo "consumers: the programs printed '$out1' and '$out2' (exit $rc)"
  exit 1
fi
echo "consumers: a local_repository workspace built and ran against kvstore"
exit 0
