#!/usr/bin/env bash
# The trainer binary (any stage: common::TrainerMain) on bad input: one line on stderr, exit 1,
# never a crash. And one tiny real run whose JSON record is written and well formed.
# Usage: trainer_cli_test.sh TRAINER
set -u
trainer=$1
tmp=${TEST_TMPDIR:-$(mktemp -d)}
failures=0

# expect_error WHAT_STDERR_MUST_CONTAIN TRAINER_ARGS...
expect_error() {
  local want=$1
  shift
  "$trainer" "$@" >"$tmp/out" 2>"$tmp/err"
  local code=$? lines
  lines=$(wc -l <"$tmp/err")
  if [ "$code" -ne 1 ] || [ "$lines" -ne 1 ] || ! grep -qF -- "$want" "$tmp/err"; then
    echo "FAIL: $* -> exit $code, $lines stderr lines: $(head -c 300 "$tmp/err")"
    failures=$((failures + 1))
  fi
}

mkdir -p "$tmp/empty" "$tmp/corrupt"
printf 'not an idx file' >"$tmp/corrupt/train-images-idx3-ubyte"
printf '\x00\x00\x08\x01\x00\x00\x00\x02\x01\x02' >"$tmp/corrupt/train-labels-idx1-ubyte"

expect_error "--epochs=0" --epochs=0
expect_error "--batch_size=-3" --batch_size=-3
expect_error "--learning_rate=0" --learning_rate=0
expect_error "--hidden=12,,3" --hidden=12,,3
expect_error "Illegal value 'abc'" --epochs=abc
expect_error "Unknown command line flag" --no_such_flag=1
expect_error "unexpected argument" stray
expect_error "--dataset=cifar" --dataset=cifar
expect_error "no train-images-idx3-ubyte" --data_dir="$tmp/empty"
expect_error "bad magic number" --data_dir="$tmp/corrupt"
expect_error "larger than --limit" --dataset=fashion --limit=10 --batch_size=64
expect_error "cannot write --json_out" --dataset=fashion --limit=64 --json_out="$tmp/no/such/dir.json"
expect_error "diverged" --dataset=fashion --limit=640 --learning_rate=1e6
expect_error "--gemm=eigen" --gemm=eigen
expect_error "--threads=2" --threads=2
expect_error "--threads=-1" --threads=-1

# A tiny real run: exit 0, the last stdout line and the file are the same JSON record.
if "$trainer" --dataset=fashion --limit=256 --epochs=1 --hidden=16 --json_out="$tmp/run.json" \
    >"$tmp/out" 2>"$tmp/err"; then
  if ! tail -n 1 "$tmp/out" | cmp -s - "$tmp/run.json" ||
     ! grep -q '"schema":"mnist_perf.run/2"' "$tmp/run.json" ||
     ! grep -q '"train_samples":256,' "$tmp/run.json"; then
    echo "FAIL: JSON record: $(cat "$tmp/run.json")"
    failures=$((failures + 1))
  fi
else
  echo "FAIL: tiny run exited non-zero: $(cat "$tmp/err")"
  failures=$((failures + 1))
fi

cases=$(grep -c '^expect_error ' "$0")
echo "$((cases + 1 - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
