#!/bin/bash
# Runs //bench:compare at smoke size so that the comparison keeps building
# and running. Asserts that every system ran and the report renders; never
# asserts any timing.
set -euo pipefail

compare="$1"
out="${TEST_TMPDIR:-$(mktemp -d)}/smoke"
mkdir -p "$out"

"$compare" --smoke --out_dir="$out" >"$out/stdout.txt" &
pid=$!
wait "$pid"
cat "$out/stdout.txt"

for want in kvstore bare boost lmdb absl floor "kvstore get / floor" \
  "ratio to bare" "kvstore incr / bare incr" "get p99.9" "batch 16"; do
  grep -q -- "$want" "$out/stdout.txt" || { echo "missing '$want'"; exit 1; }
done
grep -q '^| get 1k |' "$out/benchmarks.md" || { echo "no table in md"; exit 1; }
grep -q '^## Ratios to the bare table' "$out/benchmarks.md" ||
  { echo "no ratios in md"; exit 1; }
# Nothing left behind in /dev/shm or /tmp by this run.
left=$(ls /dev/shm /tmp | grep -E "^kvstore-bench-([a-z]+-)?$pid[-.]" || true)
if [ -n "$left" ]; then
  echo "left behind: $left"
  exit 1
fi
echo PASS
