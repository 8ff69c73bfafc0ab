#!/usr/bin/env bash
# The trainer binary (any stage: common::TrainerMain) on bad input: one line on stderr, exit 1,
# never a crash or a hang. And one tiny real run whose JSON record is written and well formed.
# Usage: trainer_cli_test.sh TRAINER
set -u
trainer=$1
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fashion=/usr/share/datasets/fashion-mnist
failures=0
cases=0

# [VMEM_KB=N] expect_error WHAT_STDERR_MUST_CONTAIN TRAINER_ARGS...   (VMEM_KB: ulimit -v)
expect_error() {
  local want=$1
  shift
  cases=$((cases + 1))
  (if [ -n "${VMEM_KB:-}" ]; then ulimit -v "$VMEM_KB"; fi; exec timeout 120 "$trainer" "$@") \
    >"$tmp/out" 2>"$tmp/err" </dev/null
  local code=$? lines
  lines=$(wc -l <"$tmp/err")
  if [ "$code" -ne 1 ] || [ "$lines" -ne 1 ] || ! grep -qF -- "$want" "$tmp/err"; then
    echo "FAIL: $* -> exit $code, $lines stderr lines: $(head -c 300 "$tmp/err")"
    failures=$((failures + 1))
  fi
}

asan=false
if ldd "$trainer" 2>/dev/null | grep -q libasan; then asan=true; fi

# ---- Flags ----------------------------------------------------------------------------------------
expect_error "--epochs=0" --epochs=0
expect_error "--batch_size=-3" --batch_size=-3
expect_error "--learning_rate=0" --learning_rate=0
expect_error "--learning_rate=1e-46: must be a positive number" --learning_rate=1e-46
expect_error "(a normal float)" --learning_rate=1e39
expect_error "--hidden=12,,3" --hidden=12,,3
expect_error "--epochs=abc: expected a whole number" --epochs=abc
expect_error "--epochs needs a value, e.g. --epochs=5" --epochs
expect_error "--learning_rate needs a value" --learning_rate --epochs=1
expect_error "unknown flag '--no_such_flag=1'" --no_such_flag=1
expect_error "unknown flag '--flagfile=/etc/passwd'" --flagfile=/etc/passwd
expect_error "unexpected argument 'stray'" stray
expect_error "--dataset=cifar" --dataset=cifar
# What the user typed comes back escaped: one line, no terminal control sequence.
expect_error 'error: --dataset=two\nlines is unknown' --dataset=$'two\nlines'
expect_error 'in \x1b[2Jcleared: ' --data_dir=$'\e[2Jcleared'
expect_error "--gemm=eigen" --gemm=eigen
expect_error "--threads=2" --threads=2
expect_error "--threads=-1" --threads=-1
expect_error "larger than --limit" --dataset=fashion --limit=10 --batch_size=64

# --help: every flag with its default, on stdout, exit 0.
cases=$((cases + 1))
if "$trainer" --help >"$tmp/out" 2>"$tmp/err"; then
  for flag in --batch_size=64 '--data_dir=""' --dataset=mnist --epochs=5 '--gemm=""' \
      --hidden=128 '--json_out=""' --learning_rate=0.1 --limit=0 --profile=false --seed=1 \
      --threads=0; do
    grep -qF -- "  $flag " "$tmp/out" || { echo "FAIL: --help does not list $flag"; failures=$((failures + 1)); }
  done
  [ -s "$tmp/err" ] && { echo "FAIL: --help wrote to stderr"; failures=$((failures + 1)); }
else
  echo "FAIL: --help exited $?"
  failures=$((failures + 1))
fi

# ---- --json_out: checked before training --------------------------------------------------------
mkdir -p "$tmp/a_directory"
expect_error "cannot write --json_out=$tmp/no/such/dir.json: no directory" \
  --dataset=fashion --limit=64 --json_out="$tmp/no/such/dir.json"
expect_error "it is a directory" --dataset=fashion --limit=64 --json_out="$tmp/a_directory"
expect_error "it is a character device" --dataset=fashion --limit=64 --json_out=/dev/full
expect_error "cannot create a file in /proc" --dataset=fashion --limit=64 --json_out=/proc/version
if [ "$(id -u)" -ne 0 ]; then
  mkdir -p "$tmp/read_only" && chmod 555 "$tmp/read_only"
  expect_error "Permission denied" --dataset=fashion --limit=64 --json_out="$tmp/read_only/r.json"
fi

# ---- Data files ---------------------------------------------------------------------------------
# A fresh directory of links to Fashion-MNIST's four files, for a case to replace one of them.
bad_dir() {
  local dir=$tmp/data_$1
  mkdir -p "$dir"
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    ln -sf "$fashion/$f.gz" "$dir/$f.gz"
  done
  echo "$dir"
}
mkdir -p "$tmp/empty" "$tmp/corrupt"
printf 'not an idx file' >"$tmp/corrupt/train-images-idx3-ubyte"
printf '\x00\x00\x08\x01\x00\x00\x00\x02\x01\x02' >"$tmp/corrupt/train-labels-idx1-ubyte"
expect_error "no train-images-idx3-ubyte" --data_dir="$tmp/empty"
expect_error "bad magic number" --data_dir="$tmp/corrupt"

# Not regular files: a FIFO must not hang the loader (timeout 120 in expect_error), nor a device.
d=$(bad_dir fifo) && rm "$d/train-labels-idx1-ubyte.gz" && mkfifo "$d/train-labels-idx1-ubyte"
expect_error "train-labels-idx1-ubyte: is a FIFO, not a regular file" --data_dir="$d"
d=$(bad_dir device) && rm "$d/t10k-labels-idx1-ubyte.gz" && ln -s /dev/zero "$d/t10k-labels-idx1-ubyte"
expect_error "t10k-labels-idx1-ubyte: is a character device" --data_dir="$d"
d=$(bad_dir directory) && rm "$d/t10k-images-idx3-ubyte.gz" && mkdir "$d/t10k-images-idx3-ubyte"
expect_error "t10k-images-idx3-ubyte: is a directory" --data_dir="$d"

# Gzip integrity, on the real 29 KB training labels (larger than zlib's 16 KiB read buffer).
labels=$fashion/train-labels-idx1-ubyte.gz
for cut in 1 4 8; do
  d=$(bad_dir cut$cut) && rm "$d/train-labels-idx1-ubyte.gz"
  head -c -$cut "$labels" >"$d/train-labels-idx1-ubyte.gz"
  expect_error "train-labels-idx1-ubyte.gz: the gzip stream is cut short" --data_dir="$d" --limit=64
done
d=$(bad_dir crc) && rm "$d/train-labels-idx1-ubyte.gz"
python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[-8] ^= 1; sys.stdout.buffer.write(b)' \
  "$labels" >"$d/train-labels-idx1-ubyte.gz"
expect_error "(incorrect data check): the file is corrupt" --data_dir="$d" --limit=64
d=$(bad_dir flip) && rm "$d/train-labels-idx1-ubyte.gz"
python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[-100] ^= 16; sys.stdout.buffer.write(b[:-5])' \
  "$labels" >"$d/train-labels-idx1-ubyte.gz"
expect_error "train-labels-idx1-ubyte.gz: " --data_dir="$d" --limit=64
d=$(bad_dir zeros) && rm "$d/train-labels-idx1-ubyte.gz"
{ cat "$labels"; head -c 100 /dev/zero; } >"$d/train-labels-idx1-ubyte.gz"
expect_error "has 100 bytes after the end of its gzip stream" --data_dir="$d" --limit=64
d=$(bad_dir garbage) && rm "$d/train-labels-idx1-ubyte.gz"
{ cat "$labels"; printf 'garbage'; } >"$d/train-labels-idx1-ubyte.gz"
expect_error "has 7 bytes after the end of its gzip stream" --data_dir="$d" --limit=64

# ---- Memory -------------------------------------------------------------------------------------
# A valid header of 10,000,000 images, in a valid 7.6 MB gzip (one member for the header, then
# 1,000 members of 10,000 blank images each), and 10,000,000 labels: 7.9 GB to hold.
d=$(bad_dir huge) && rm "$d"/train-*
python3 - "$d" <<'PY'
import gzip, struct, sys
d = sys.argv[1]
blank = gzip.compress(bytes(784 * 10000), 9)
with open(d + "/train-images-idx3-ubyte.gz", "wb") as f:
    f.write(gzip.compress(struct.pack(">4BIII", 0, 0, 8, 3, 10000000, 28, 28)))
    for _ in range(1000):
        f.write(blank)
with open(d + "/train-labels-idx1-ubyte.gz", "wb") as f:
    f.write(gzip.compress(struct.pack(">4BI", 0, 0, 8, 1, 10000000) + bytes(10000000), 9))
PY
# The same, plain and sparse: with --limit only the first 64 images are read and kept.
p=$(bad_dir huge_plain) && rm "$p"/train-*
gzip -dc "$d/train-labels-idx1-ubyte.gz" >"$p/train-labels-idx1-ubyte"
printf '\x00\x00\x08\x03\x00\x98\x96\x80\x00\x00\x00\x1c\x00\x00\x00\x1c' >"$p/train-images-idx3-ubyte"
truncate -s $((16 + 784 * 10000000)) "$p/train-images-idx3-ubyte"
# An AddressSanitizer build maps terabytes of shadow memory and cannot start under `ulimit -v`;
# it gets the cases that do not need one.
if ! $asan; then
  VMEM_KB=2000000 expect_error "needs about 8.0 GB of memory (data 7.9 GB, model" --data_dir="$d"
  VMEM_KB=2000000 expect_error "is available (ulimit -v): train on fewer samples with --limit=N" \
    --data_dir="$p"
  VMEM_KB=8000000 expect_error "is available (ulimit -v): use a smaller --hidden" \
    --dataset=fashion --hidden=65536,65536
  # Blank images teach nothing, so the run trains and then ends at chance level.
  VMEM_KB=2000000 expect_error "chance level" --data_dir="$p" --limit=64 --epochs=1 --hidden=8
else
  expect_error "chance level" --data_dir="$p" --limit=64 --epochs=1 --hidden=8
fi
# Without a ulimit: refused for what the machine has (a model of about 106 GB).
expect_error "use a smaller --hidden" --dataset=fashion --hidden=65536,65536

# ---- Runs that go wrong -------------------------------------------------------------------------
expect_error "diverged" --dataset=fashion --limit=640 --learning_rate=1e6
# Every ReLU dies: the run ends at 10 %, chance level.
expect_error "is chance level (one class in 10): the network learned nothing; the learning rate is likely too high" \
  --limit=1280 --epochs=1 --hidden=32 --learning_rate=5

# ---- A tiny real run: exit 0, the last stdout line and the file are the same JSON record. ------
cases=$((cases + 1))
if "$trainer" --dataset=fashion --limit=256 --epochs=1 --hidden=16 --json_out="$tmp/run.json" \
    >"$tmp/out" 2>"$tmp/err"; then
  if ! tail -n 1 "$tmp/out" | cmp -s - "$tmp/run.json" ||
     ! grep -q '"schema":"mnist_perf.run/2"' "$tmp/run.json" ||
     ! grep -q '"train_samples":256,' "$tmp/run.json"; then
    echo "FAIL: JSON record: $(cat "$tmp/run.json")"
    failures=$((failures + 1))
  fi
  if ls -a "$tmp" | grep -q '^\.run\.json\..*\.tmp$'; then
    echo "FAIL: the temporary record file was left behind"
    failures=$((failures + 1))
  fi
else
  echo "FAIL: tiny run exited non-zero: $(cat "$tmp/err")"
  failures=$((failures + 1))
fi

echo "$((cases - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
