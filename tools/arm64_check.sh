#!/usr/bin/env bash
# The ARM path, checked on this x86-64 machine. Learners run the stages on arm64 laptops, where
# only the portable kernel is built (stage 3's BUILD selects the x86 ones by CPU). Debian's
# Bazel 4.2.3 has no arm64 toolchain here, so this script does what an arm64 build would do:
#   1. compiles every C++ file of the workspace but the x86-only kernels with Debian's cross
#      compiler, with .bazelrc's flags (a file that only builds on x86 fails here);
#   2. links the tests of the portable path against Debian's arm64 libraries and runs them under
#      qemu-user: what each test needs comes from `bazel query`, so nothing is listed twice.
# Stages 4 and 5 are compiled, not run: Debian's XNNPACK cannot be installed for two
# architectures at once. Emulated code runs many times slower, so the default tests are those
# that check the portable path's loaders, arithmetic and training, not the whole suite.
#
#   ./setup.sh --with-arm64                           # once: cross compiler, qemu, arm64 libraries
#   tools/arm64_check.sh                              # compile everything, run the default tests
#   tools/arm64_check.sh //stage2_float:network_test  # compile everything, run these tests
set -euo pipefail
cd "$(dirname "$0")/.."

CXX=aarch64-linux-gnu-g++
LIB=/usr/lib/aarch64-linux-gnu
if ! command -v "$CXX" >/dev/null || ! command -v qemu-aarch64 >/dev/null ||
  [ ! -e "$LIB/libgtest.a" ] || [ ! -e "$LIB/libabsl_base.so" ]; then
  echo "arm64_check: the cross compiler, qemu-user or Debian's arm64 libraries are missing:" \
    "run ./setup.sh --with-arm64 first" >&2
  exit 1
fi

TESTS=("$@")
if [ ${#TESTS[@]} -eq 0 ]; then
  # Not //common:pages_test: qemu-user takes madvise() as a no-op, so no buffer is ever advised
  # for huge pages under it (the test skips on arm64 kernels whose huge pages are not 2 MiB).
  TESTS=(//common:idx_test //common:dataset_test //common:trainer_test
    //stage1_naive:network_test //stage2_float:network_test //stage3_simd:gemm_test
    //stage3_simd:network_test)
fi

# The default build's flags, read from .bazelrc (no -march: the baseline of the architecture, so
# on arm64 the portable kernel's vectors are NEON; asserts stay on), with the include paths of
# third_party/system.BUILD for arm64.
mapfile -t FLAGS < <(sed -n 's/^build --c\(xx\)\{0,1\}opt=//p' .bazelrc)
FLAGS+=(-I. -isystem /usr/include/eigen3 -isystem /usr/include/aarch64-linux-gnu/openblas-pthread)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

query() { bazel query --noshow_progress --noshow_loading_progress "$1" 2>/dev/null; }
# //pkg:file.cc -> pkg/file.cc
to_paths() { grep '^//.*\.cc$' | sed 's|^//||; s|:|/|'; }
X86_ONLY='labels(srcs, attr(target_compatible_with, "x86_64", //...))'
mapfile -t x86_only < <(query "$X86_ONLY" | to_paths)
mapfile -t sources < <(git ls-files '*.cc' | grep -vxF -f <(printf '%s\n' "${x86_only[@]}"))

# ccache, if installed (setup.sh --with-arm64 installs it), keeps each object by the hash of its
# preprocessed source and flags: a run after a change recompiles only the files it touched.
# It is left out if it cannot work here (its cache directory not writable, say).
LAUNCHER=$(command -v ccache || true)
if [ -n "$LAUNCHER" ] && ! "$LAUNCHER" "$CXX" -x c++ -c /dev/null -o "$OUT/probe.o" 2>/dev/null; then
  echo "arm64_check: ccache fails here (\`ccache -p\` shows its settings); compiling without it" >&2
  LAUNCHER=
fi
echo "arm64_check: compiling ${#sources[@]} files for arm64 (${#x86_only[@]} x86-only kernels left" \
  "out)${LAUNCHER:+, through ccache}"
compile() { # source -> $OUT/<source>.o; prints the file's name if it fails
  mkdir -p "$OUT/$(dirname "$1")"
  $LAUNCHER "$CXX" "${FLAGS[@]}" -c "$1" -o "$OUT/${1%.cc}.o" 2>"$OUT/${1%.cc}.log" || echo "$1"
}
export -f compile
export CXX OUT LAUNCHER
export FLAGS_STRING="${FLAGS[*]}"
failed=$(printf '%s\n' "${sources[@]}" | xargs -P "$(nproc)" -I{} bash -c \
  'FLAGS=($FLAGS_STRING); compile "$1"' _ {})
if [ -n "$failed" ]; then
  for f in $failed; do
    echo "arm64_check: $f does not compile for arm64:" >&2
    head -20 "$OUT/${f%.cc}.log" >&2
  done
  exit 1
fi
# Warnings do not fail the check (the x86 build does not stop at them either), but show.
warnings=$(find "$OUT" -name '*.log' -size +0 -exec cat {} +)
[ -z "$warnings" ] || printf 'arm64_check: warnings on arm64:\n%s\n' "$warnings" >&2

# Debian's arm64 libraries, as third_party/system.BUILD wraps the amd64 ones.
LIBS=("$LIB/libgtest_main.a" "$LIB/libgmock.a" "$LIB/libgtest.a" "$LIB"/libabsl_*.so "$LIB/libz.so"
  -pthread)
status=0
for test in "${TESTS[@]}"; do
  mapfile -t files < <(query "kind('source file', deps($test)) except $X86_ONLY" | to_paths)
  if [ ${#files[@]} -eq 0 ]; then
    echo "arm64_check: $test: no such test, or no C++ source" >&2
    exit 1
  fi
  binary="$OUT/bin/${test//[\/:]/_}"
  mkdir -p "$OUT/bin"
  objects=("${files[@]/#/$OUT/}")
  "$CXX" -o "$binary" "${objects[@]/%.cc/.o}" "${LIBS[@]}"
  start=$(date +%s)
  # On arm64 the default kernel is the portable one: suites instantiated for both run once.
  if TEST_TMPDIR=$(mktemp -d -p "$OUT") qemu-aarch64 "$binary" --gtest_brief=1 \
    --gtest_filter=-*/default >"$binary.log" 2>&1; then
    echo "arm64_check: $test passed on arm64 (qemu, $(($(date +%s) - start)) s)"
  else
    echo "arm64_check: $test FAILED on arm64 (qemu):" >&2
    tail -30 "$binary.log" >&2
    status=1
  fi
done
exit $status
