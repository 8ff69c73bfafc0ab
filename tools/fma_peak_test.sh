#!/usr/bin/env bash
# fma_peak's output as tools/compare reads it (the last line, JSON), with --threads, and its
# one-line errors. Figures are only checked to be positive: timings are not asserted.
set -euo pipefail
fma_peak=$1

for threads in 1 2; do
  out=$("$fma_peak" --threads=$threads --seconds=0.05)
  json=$(echo "$out" | tail -n 1)
  python3 - "$json" "$threads" <<'PY'
import json, sys
record, threads = json.loads(sys.argv[1]), int(sys.argv[2])
assert record["threads"] == threads, record
widths = record["fma_peak_gflops"]
assert any(v for v in widths.values()), record
assert all(v is None or v > 0 for v in widths.values()), record
PY
  who="$threads threads at once"
  [ "$threads" = 1 ] && who="1 core"
  echo "$out" | grep -q "^fp32 FMA peak, $who, " \
    || { echo "no peak line for --threads=$threads in: $out" >&2; exit 1; }
done
# --threads=0 means all cores.
"$fma_peak" --threads=0 --seconds=0.05 | tail -n 1 | grep -q "\"threads\":$(nproc)}" \
  || { echo "--threads=0 did not run on all $(nproc) cores" >&2; exit 1; }

expect_error() {  # expect_error MESSAGE ARGS...
  local message=$1
  shift
  if "$fma_peak" "$@" 2>"$TEST_TMPDIR/err" >/dev/null; then
    echo "fma_peak $* succeeded" >&2
    exit 1
  fi
  grep -q "^error: $message" "$TEST_TMPDIR/err" \
    || { echo "fma_peak $*: $(cat "$TEST_TMPDIR/err")" >&2; exit 1; }
}
expect_error "--threads=-1: must be 0" --threads=-1
expect_error "--seconds=0: must be more than 0" --seconds=0
expect_error "unexpected argument 'fast'" fast
echo "fma_peak_test: passed"
