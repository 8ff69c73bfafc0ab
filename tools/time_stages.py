#!/usr/bin/env python3
"""Times every stage's trainer on one workload and prints a Markdown table of medians.

    tools/time_stages.py [--runs 3] [--configs default,native] [-- trainer flags...]

Default workload: Fashion-MNIST, 60,000 samples, 784-128-10, batch 64, 1 epoch, one thread.
Runs are interleaved (stage by stage, round by round) so that a slow spell on a shared machine
hits every stage alike; each cell is the median over the rounds. The raw JSON records are kept
in results/ for whoever wants to plot them.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

STAGES = ["stage1_naive", "stage2_float", "stage3_simd"]
WORKLOAD = ["--dataset=fashion", "--epochs=1", "--hidden=128", "--batch_size=64"]


def build(config, root, out_dir):
    """Builds every trainer under `config` and copies the binaries out of bazel-bin."""
    flags = [] if config == "default" else ["--config=" + config]
    targets = ["//%s:train" % s for s in STAGES]
    subprocess.run(["bazel", "build", "-c", "opt"] + flags + targets, cwd=root, check=True,
                   stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    binaries = {}
    for stage in STAGES:
        binaries[stage] = os.path.join(out_dir, "%s-%s" % (stage, config))
        shutil.copy(os.path.join(root, "bazel-bin", stage, "train"), binaries[stage])
    return binaries


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--configs", default="default,native")
    parser.add_argument("flags", nargs="*", help="extra trainer flags (after --)")
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    results_dir = os.path.join(root, "results")
    os.makedirs(results_dir, exist_ok=True)

    with tempfile.TemporaryDirectory() as tmp:
        configs = args.configs.split(",")
        binaries = {c: build(c, root, tmp) for c in configs}
        records = {}
        for run in range(args.runs):
            for config in configs:
                for stage in STAGES:
                    out = os.path.join(results_dir, "%s-%s-run%d.json" % (stage, config, run + 1))
                    subprocess.run([binaries[config][stage]] + WORKLOAD + args.flags +
                                   ["--json_out=" + out], check=True, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
                    with open(out) as f:
                        records.setdefault((config, stage), []).append(json.load(f))
                    print("run %d/%d %s %s: %.2f s" % (run + 1, args.runs, config, stage,
                          records[(config, stage)][-1]["train_seconds"]), file=sys.stderr)

    print("| stage | build | s/epoch (median of %d) | GFLOP/s | vs stage 1 | vs previous | "
          "test acc. | runs (s) |" % args.runs)
    print("|---|---|---|---|---|---|---|---|")
    for config in configs:
        medians = {}
        for i, stage in enumerate(STAGES):
            rs = records[(config, stage)]
            seconds = [r["train_seconds"] for r in rs]
            medians[stage] = statistics.median(seconds)
            gflops = statistics.median(r["per_epoch"][-1]["gflops"] for r in rs)
            previous = medians[STAGES[i - 1]] / medians[stage] if i else 1.0
            details = rs[0]["details"]
            print("| %s%s | %s | %.2f | %.1f | %.1fx | %.1fx | %.2f%% | %s |" % (
                stage, " (%s)" % details if details else "", config, medians[stage], gflops,
                medians[STAGES[0]] / medians[stage], previous,
                100 * rs[0]["final_test_accuracy"], ", ".join("%.2f" % s for s in seconds)))


if __name__ == "__main__":
    main()
