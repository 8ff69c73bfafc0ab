#!/usr/bin/env bash
# Test for tools/mnist_to_idx.js on a tiny fake `mnist` package.
# Usage: mnist_to_idx_test.sh [path/to/mnist_to_idx.js]   (needs node, gzip, od; NODE overrides node)
#
# Fixture: 3 digits per class, except class 7 with 5, so round-robin order is
# k=0: 0..9, k=1: 0..9, k=2: 0..9, k=3: 7 (train), k=4: 7 (the only test digit).
# => 31 train, 1 test. Pixel p of digit k of class c has byte (20c + 5k + p) % 256.
set -euo pipefail

CONVERTER="${1:-$(dirname "$0")/mnist_to_idx.js}"
NODE="${NODE:-node}"
WORK="$(mktemp -d "${TEST_TMPDIR:-/tmp}/mnist_to_idx_test.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
FAILS=0

check() {  # check <description> <actual> <expected>
  if [[ "$2" == "$3" ]]; then echo "ok   $1"; else echo "FAIL $1: got '$2', want '$3'"; FAILS=$((FAILS + 1)); fi
}

# make_pkg <dir> [override-js]: writes the fixture; override-js may mutate `data` for class `c`.
make_pkg() {
  mkdir -p "$1/src/digits"
  "$NODE" -e '
    const [dir, override] = process.argv.slice(1);
    for (let c = 0; c < 10; c++) {
      const data = [];
      for (let k = 0; k < (c === 7 ? 5 : 3); k++)
        for (let p = 0; p < 784; p++) data.push(Number((((20 * c + 5 * k + p) % 256) / 255).toFixed(3)));
      if (override) eval(override);
      require("fs").writeFileSync(`${dir}/src/digits/${c}.json`, JSON.stringify({ data }));
    }' "$1" "${2:-}"
}

hexhead() { gzip -dc "$1" | head -c "$2" | od -An -v -tx1 | tr -s ' \n' ' ' | sed 's/^ //;s/ $//'; }
# byte_at <gz file> <offset>: one decompressed byte as a decimal number.
byte_at() { gzip -dc "$1" | od -An -v -tu1 -j "$2" -N 1 | tr -d ' \n'; }

# --- good input ---
make_pkg "$WORK/good"
OUT="$WORK/out"
set +e; MSG="$("$NODE" "$CONVERTER" "$WORK/good" "$OUT" 2>"$WORK/err")"; RC=$?; set -e
check "good input exits 0" "$RC" "0"
check "good input summary" "$MSG" "mnist_to_idx: wrote 31 train + 1 test digits to $OUT (verified)"
check "good input quiet stderr" "$(cat "$WORK/err")" ""
check "output files (no temp leftovers)" "$(ls -A "$OUT" | tr '\n' ' ')" \
  "SOURCE.txt t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz "

check "train images header" "$(hexhead "$OUT/train-images-idx3-ubyte.gz" 16)" "00 00 08 03 00 00 00 1f 00 00 00 1c 00 00 00 1c"
check "train labels header" "$(hexhead "$OUT/train-labels-idx1-ubyte.gz" 8)" "00 00 08 01 00 00 00 1f"
check "test images header" "$(hexhead "$OUT/t10k-images-idx3-ubyte.gz" 16)" "00 00 08 03 00 00 00 01 00 00 00 1c 00 00 00 1c"
check "test labels header" "$(hexhead "$OUT/t10k-labels-idx1-ubyte.gz" 8)" "00 00 08 01 00 00 00 01"
check "train images size" "$(gzip -dc "$OUT/train-images-idx3-ubyte.gz" | wc -c)" "$((16 + 31 * 784))"
check "test images size" "$(gzip -dc "$OUT/t10k-images-idx3-ubyte.gz" | wc -c)" "$((16 + 784))"
check "train labels (round-robin order)" \
  "$(gzip -dc "$OUT/train-labels-idx1-ubyte.gz" | tail -c +9 | od -An -v -tu1 | tr -s ' \n' ' ' | sed 's/^ //;s/ $//')" \
  "$(echo {0..9} {0..9} {0..9} 7)"
check "test labels" "$(gzip -dc "$OUT/t10k-labels-idx1-ubyte.gz" | tail -c +9 | od -An -tu1 | tr -d ' \n')" "7"

# Pixel spot checks: byte at 16 + image*784 + p must be (20c + 5k + p) % 256.
check "train img 0 (c0 k0) px 0" "$(byte_at "$OUT/train-images-idx3-ubyte.gz" 16)" "0"
check "train img 0 (c0 k0) px 255" "$(byte_at "$OUT/train-images-idx3-ubyte.gz" $((16 + 255)))" "255"
check "train img 13 (c3 k1) px 100" "$(byte_at "$OUT/train-images-idx3-ubyte.gz" $((16 + 13 * 784 + 100)))" "165"
check "train img 30 (c7 k3) px 783" "$(byte_at "$OUT/train-images-idx3-ubyte.gz" $((16 + 30 * 784 + 783)))" "$(((140 + 15 + 783) % 256))"
check "test img 0 (c7 k4) px 783" "$(byte_at "$OUT/t10k-images-idx3-ubyte.gz" $((16 + 783)))" "$(((140 + 20 + 783) % 256))"
check "SOURCE.txt mentions package and subset" "$(grep -c -e 'mnist" 1.1.0' -e 'SUBSET' "$OUT/SOURCE.txt")" "2"

# --- bad inputs: exit 1, exactly one "mnist_to_idx: ..." line on stderr, and an
# existing good output dir left untouched ---
BEFORE="$(cat "$OUT"/* | cksum)"
expect_fail() {  # expect_fail <description> <package dir> <text the stderr line must contain>
  set +e; "$NODE" "$CONVERTER" "$2" "$OUT" >"$WORK/stdout" 2>"$WORK/err"; local rc=$?; set -e
  check "$1: exit code" "$rc" "1"
  check "$1: one stderr line" "$(wc -l <"$WORK/err" | tr -d ' ')" "1"
  check "$1: stderr names the problem" "$(grep -c "^mnist_to_idx: .*$3" "$WORK/err")" "1"
  check "$1: output untouched" "$(cat "$OUT"/* | cksum)" "$BEFORE"
}
make_pkg "$WORK/badval" 'if (c === 4) data[1000] = 0.1234;'
expect_fail "non-round-tripping value" "$WORK/badval" "bad value 0.1234"
make_pkg "$WORK/short" 'if (c === 2) data.pop();'
expect_fail "digit with 783 values" "$WORK/short" "data length 2351"
make_pkg "$WORK/string" 'if (c === 9) data[5] = "0.5";'
expect_fail "non-number value" "$WORK/string" "bad value \"0.5\""
make_pkg "$WORK/json"; echo '{"data": [0, 0.5,' >"$WORK/json/src/digits/3.json"
expect_fail "malformed JSON" "$WORK/json" "malformed JSON"
make_pkg "$WORK/nofile"; rm "$WORK/nofile/src/digits/6.json"
expect_fail "missing class file" "$WORK/nofile" "missing .*6.json"
expect_fail "missing input dir" "$WORK/does-not-exist" "input dir not found"

if ((FAILS)); then echo "mnist_to_idx_test: $FAILS check(s) FAILED"; exit 1; fi
echo "mnist_to_idx_test: all checks passed"
