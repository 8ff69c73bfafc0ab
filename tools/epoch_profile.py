#!/usr/bin/env python3
"""Where a training epoch's time goes: perf samples inside common::Train, grouped by function.

    tools/epoch_profile.py [--top 15] TRAINER [trainer flags...]
    tools/epoch_profile.py bazel-bin/stage4_blas/train --dataset=fashion --epochs=1 --gemm=openblas

Runs the trainer under `perf record` with DWARF call stacks (libraries such as OpenBLAS keep no
frame pointers), keeps the samples whose stack passes through common::Train but not through
common::Accuracy (the test-set evaluation after each epoch), and prints each function's share of
them, with the network's method that called it: `sgemm_kernel_ZEN`, called from
`stage4::Network::TrainStep`, is OpenBLAS's kernel working for the training step. Data loading and
start-up are left out. Complements `train --profile`, which times our code's parts but sees a
library's product as one. Sampling: shares are good to about a percent; the run itself is slower
while perf records.
"""
import argparse
import collections
import os
import subprocess
import sys
import tempfile


def samples(perf_data):
    """Yields each sample's stack as a list of (symbol, dso), the leaf first."""
    script = subprocess.run(["perf", "script", "-i", perf_data, "-F", "ip,sym,dso"],
                            check=True, capture_output=True, text=True).stdout
    for block in script.split("\n\n"):
        frames = []
        for line in block.strip().splitlines():
            parts = line.strip().split(None, 1)  # "<ip> <symbol> (<dso>)"
            if len(parts) < 2:
                continue
            symbol, _, dso = parts[1].rpartition(" (")
            frames.append((symbol or "[unknown]", os.path.basename(dso.rstrip(")"))))
        if frames:
            yield frames


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("trainer", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if not args.trainer:
        parser.error("name the trainer binary, e.g. bazel-bin/stage4_blas/train")
    trainer_dso = os.path.basename(args.trainer[0])
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "perf.data")
        subprocess.run(["perf", "record", "-q", "-F", "2000", "--call-graph=dwarf,16384", "-o",
                        data] + args.trainer, check=True, stdout=subprocess.DEVNULL)
        counts, by_caller, lost = collections.Counter(), collections.Counter(), collections.Counter()
        total = 0
        for frames in samples(data):
            symbols = [s for s, _ in frames]
            if len(frames) == 1 and frames[0][1] != "[kernel.kallsyms]":
                lost["%s (%s)" % frames[0]] += 1  # no unwind information: cannot tell where
                continue
            if "common::Train" not in symbols:
                continue
            if any(s.startswith("common::Accuracy") for s in symbols):
                continue
            total += 1
            leaf, leaf_dso = frames[0]
            # The nearest method of the network (or the loop itself) says what the leaf worked for.
            caller = next((s for s in symbols[1:] if "Network::" in s or s == "common::Train"), "")
            name = "%s (%s)" % (leaf[:70], leaf_dso) if leaf_dso != trainer_dso else leaf[:70]
            counts[(name, caller[:50] if caller != leaf else "")] += 1
            by_caller[leaf if leaf == "common::Train" or "Network::" in leaf else caller] += 1
    if total == 0:
        sys.exit("epoch_profile: no samples inside common::Train; is perf allowed to record?")
    print("%d samples in the training loop (test evaluation and loading left out)\n" % total)
    print("| share | in (the network's method, or the loop itself) |\n|---|---|")
    for caller, n in by_caller.most_common():
        print("| %.1f %% | %s |" % (100.0 * n / total, caller or "?"))
    print("\n| share | function | called from |\n|---|---|---|")
    for (name, caller), n in counts.most_common(args.top):
        print("| %.1f %% | %s | %s |" % (100.0 * n / total, name, caller))
    if lost:
        # Assembly routines without unwind tables (OpenBLAS's sgemm_beta, for one) leave a
        # stack of one frame: whether they ran in the epoch, the evaluation or the loading is
        # unknown, so they are only listed, as a share of the epoch's samples.
        print("\nnot in the table (perf could not unwind their stack; from anywhere in the run):")
        for name, n in lost.most_common(5):
            print("  %s: %d samples, %.1f %% of the epoch's count" % (name, n, 100.0 * n / total))


if __name__ == "__main__":
    main()
