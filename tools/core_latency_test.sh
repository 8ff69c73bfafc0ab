#!/usr/bin/env bash
# core_latency's output as tools/compare reads it (the last line, JSON), and its one-line errors.
# The figure is only checked to be positive: timings are not asserted.
set -euo pipefail
core_latency=$1

out=$("$core_latency" --samples=3 --handoffs=2000)
json=$(echo "$out" | tail -n 1)
both=$(python3 -c 'import os; print(int({0, 1} <= os.sched_getaffinity(0)))')
python3 - "$json" "$both" <<'PY'
import json, sys
record, both = json.loads(sys.argv[1]), sys.argv[2] == "1"
assert record["cpus"] == [0, 1], record
if both:  # CPUs 0 and 1 are ours: a figure
    assert record["core_to_core_ns"] > 0, record
else:
    assert record["core_to_core_ns"] is None, record
PY
if [ "$both" = 1 ]; then
  echo "$out" | grep -q "^core-to-core latency, CPU 0 <-> CPU 1: [0-9]* ns one way (median of 3: " \
    || { echo "no latency line in: $out" >&2; exit 1; }
fi
# A CPU this process may not run on: a null figure, not a failure.
"$core_latency" --cpus=0,4096 | tail -n 1 | grep -q '"core_to_core_ns":null' \
  || { echo "--cpus=0,4096 did not give null" >&2; exit 1; }

expect_error() {  # expect_error MESSAGE ARGS...
  local message=$1
  shift
  if "$core_latency" "$@" 2>"$TEST_TMPDIR/err" >/dev/null; then
    echo "core_latency $* succeeded" >&2
    exit 1
  fi
  grep -q "^error: $message" "$TEST_TMPDIR/err" \
    || { echo "core_latency $*: $(cat "$TEST_TMPDIR/err")" >&2; exit 1; }
}
expect_error "--cpus=1,1: give two different CPUs" --cpus=1,1
expect_error "--cpus=0: give two different CPUs" --cpus=0
expect_error "--samples=0: must be 1 or more" --samples=0
expect_error "unexpected argument 'now'" now
echo "core_latency_test: passed"
