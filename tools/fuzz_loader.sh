#!/usr/bin/env bash
# Fuzzes the IDX/gzip loader (common/idx.cc, common/input_file.cc, common/pages.cc) with
# libFuzzer, under AddressSanitizer and UndefinedBehaviorSanitizer, for SECONDS (default 60) on
# one core.
#
#   tools/fuzz_loader.sh [SECONDS]
#
# Bazel's toolchain is GCC, which has no libFuzzer, so this builds the target with Debian's
# clang (clang-14 and libclang-rt-14-dev, installed by ./setup.sh) outside Bazel. The target is
# tools/idx_fuzzer.cc; the contract it checks is fuzz::CheckLoaders (testing/idx_fuzz.h). Seeds:
# slices of the installed MNIST and Fashion-MNIST, plain and gzip, the malformed files of the
# loader's tests (fuzz::SeedInputs), and every earlier finding (testing/fuzz_regressions/).
# The corpus grows in $FUZZ_DIR (default /tmp/mnist_perf_fuzz) from run to run. A finding is
# written to $FUZZ_DIR/findings/: copy it into testing/fuzz_regressions/, fix the loader, and
# `bazel test //testing:idx_fuzz_test` replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
dir=${FUZZ_DIR:-/tmp/mnist_perf_fuzz}
mkdir -p "$dir/corpus" "$dir/seeds" "$dir/findings"
clang=$(command -v clang++-14 || command -v clang++ || true)
[ -n "$clang" ] || { echo "fuzz: clang++ missing: run ./setup.sh" >&2; exit 1; }

echo "fuzz: building $dir/idx_fuzzer with $($clang --version | head -n 1)"
# The sanitizers and libFuzzer's coverage instrument our sources; Debian's Abseil and zlib are
# linked as they are (all of Abseil, as third_party/system.BUILD does), this machine's own: with
# another architecture's packages installed too (setup.sh --with-arm64), lib/*-linux-gnu/ has both.
triplet=$(gcc -dumpmachine)
"$clang" -std=c++17 -O1 -g -fno-omit-frame-pointer \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -I. \
  tools/idx_fuzzer.cc testing/idx_fuzz.cc common/idx.cc common/input_file.cc common/pages.cc \
  -o "$dir/idx_fuzzer" /usr/lib/"$triplet"/libabsl_*.so -lz

IDX_FUZZ_WRITE_SEEDS="$dir/seeds" "$dir/idx_fuzzer"
echo "fuzz: fuzzing for $seconds s (corpus $dir/corpus)"
# -max_len: the largest seed (MNIST's 60,000 labels, gzipped) fits; -rss_limit_mb: a loader that
# believed a header and allocated gigabytes is a finding; -timeout: so is one stuck input.
status=0
"$dir/idx_fuzzer" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
  -print_final_stats=1 -artifact_prefix="$dir/findings/" \
  "$dir/corpus" "$dir/seeds" testing/fuzz_regressions 2>"$dir/log" || status=$?
grep -E "^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|^#[0-9]+ +DONE" \
  "$dir/log" || true
if [ "$status" -ne 0 ]; then
  tail -n 40 "$dir/log" >&2
  echo "fuzz: FOUND A PROBLEM (exit $status); the input is in $dir/findings/: copy it into testing/fuzz_regressions/" >&2
  exit 1
fi
echo "fuzz: no finding (log: $dir/log)"
