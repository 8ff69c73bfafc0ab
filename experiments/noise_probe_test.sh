#!/usr/bin/env bash
# noise_probe's rounds, summary and JSON, and its one-line errors. Rates are only checked to be
# positive: timings are not asserted.
set -euo pipefail
probe=$1

out=$("$probe" --rounds=3 --kib=16)
[ "$(echo "$out" | grep -c '^round ')" = 3 ] || { echo "not 3 rounds in: $out" >&2; exit 1; }
echo "$out" | grep -q '^reads .* GB/s; multiply-adds .* GFLOP/s$' \
  || { echo "no summary line in: $out" >&2; exit 1; }
python3 - "$(echo "$out" | tail -n 1)" <<'PY'
import json, sys
record = json.loads(sys.argv[1])
assert record["kib"] == 16, record
for key in ("read_gb_per_s", "arithmetic_gflops"):
    assert len(record[key]) == 3 and min(record[key]) > 0, record
PY

for args in "--rounds=0|--rounds=0: must be 1 or more" "--kib=-4|--kib=-4: must be 1 to 1048576" \
  "--kib=2000000|--kib=2000000: must be 1 to 1048576" \
  "now|unexpected argument 'now'"; do
  if "$probe" "${args%%|*}" 2>"$TEST_TMPDIR/err" >/dev/null; then
    echo "noise_probe ${args%%|*} succeeded" >&2
    exit 1
  fi
  grep -qF "error: ${args#*|}" "$TEST_TMPDIR/err" \
    || { echo "noise_probe ${args%%|*}: $(cat "$TEST_TMPDIR/err")" >&2; exit 1; }
done
echo "noise_probe_test: passed"
