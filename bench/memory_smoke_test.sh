#!/bin/bash
# Runs //bench:memory_bench and //bench:hit_rate at tiny sizes so that they
# keep building and running (each checks the store with Verify and exits
# non-zero on any inconsistency). Asserts no timing; writes nothing.
set -euo pipefail

memory_bench="$1"
hit_rate="$2"

"$memory_bench" --entries=5000 --churn_ops=5000 --churn_slacks=1.02 &
pid=$!
wait "$pid"
"$hit_rate" --keys=2000 --requests=20000 --budgets=5,25 &
pid2=$!
wait "$pid2"

# Nothing left behind in /dev/shm by either run.
left=$(ls /dev/shm | grep -E "^kvstore-(bench-memory|hitrate)-($pid|$pid2)(-|$)" || true)
if [ -n "$left" ]; then
  echo "left behind: $left"
  exit 1
fi
echo PASS
