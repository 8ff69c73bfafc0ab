#!/usr/bin/env python3
"""Trains stages over data sets and seeds and checks that test accuracy is smooth and good.

    tools/accuracy_sweep.py [--stages stage3_simd,...] [--datasets mnist,fashion]
                            [--seeds 1-5] [--epochs 10] [--config default|native] [-- flags...]

For every stage, data set and seed: one run of `bazel run //STAGE:train` (built once per
stage, the binary run directly) with --epochs, --dataset and --seed, the default model
(784-128-10, batch 64, learning rate 0.1). Per run it reports the test accuracy after every
epoch, the largest drop from one epoch to the next, and the accuracy after one epoch, as a
Markdown table; then a verdict against issue 8's "Done when":
  - no drop larger than 1.5 points between consecutive epochs, in any run;
  - after one epoch, at least 80 % on Fashion-MNIST and 93 % on MNIST, for every seed.
Exit status 0 when every run meets both, 1 otherwise. Records are kept in results/sweep/.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

MAX_DROP_POINTS = 1.5
ONE_EPOCH_MINIMUM = {"mnist": 93.0, "fashion": 80.0}


def seeds_from(text):
    """'1-5' -> [1, 2, 3, 4, 5]; '1,3' -> [1, 3]."""
    seeds = []
    for part in text.split(","):
        if "-" in part:
            low, high = part.split("-")
            seeds.extend(range(int(low), int(high) + 1))
        else:
            seeds.append(int(part))
    return seeds


def build(stage, config, root, out_dir):
    flags = [] if config == "default" else ["--config=" + config]
    subprocess.run(["bazel", "build"] + flags + ["//%s:train" % stage], cwd=root, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    binary = os.path.join(out_dir, "%s-%s" % (stage, config))
    shutil.copy(os.path.join(root, "bazel-bin", stage, "train"), binary)
    return binary


def largest_drop(accuracies):
    """The largest fall, in points, from one epoch to the next (0 if it never falls)."""
    drops = [a - b for a, b in zip(accuracies, accuracies[1:])]
    return max([0.0] + drops)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stages", default="stage3_simd")
    parser.add_argument("--datasets", default="mnist,fashion")
    parser.add_argument("--seeds", default="1-5")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--config", default="default", help="default or native")
    parser.add_argument("flags", nargs="*", help="extra trainer flags (after --)")
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    results = os.path.join(root, "results", "sweep")
    os.makedirs(results, exist_ok=True)
    stages = args.stages.split(",")
    datasets = args.datasets.split(",")
    seeds = seeds_from(args.seeds)

    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        binaries = {s: build(s, args.config, root, tmp) for s in stages}
        for stage in stages:
            for dataset in datasets:
                for seed in seeds:
                    out = os.path.join(results, "%s-%s-%s-seed%d.json" % (
                        stage, args.config, dataset, seed))
                    command = [binaries[stage], "--dataset=" + dataset, "--seed=%d" % seed,
                               "--epochs=%d" % args.epochs, "--json_out=" + out] + args.flags
                    done = subprocess.run(command, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.PIPE, text=True)
                    run = {"stage": stage, "dataset": dataset, "seed": seed}
                    if done.returncode != 0:
                        run["error"] = done.stderr.strip().splitlines()[-1:] or ["exit %d" % done.returncode]
                        print("%s %s seed %d: FAILED: %s" % (stage, dataset, seed, run["error"][0]),
                              file=sys.stderr)
                    else:
                        with open(out) as f:
                            record = json.load(f)
                        run["accuracies"] = [100 * e["test_accuracy"] for e in record["per_epoch"]]
                        run["seconds"] = record["seconds_per_epoch"]
                        run["details"] = record["details"]
                        print("%s %s seed %d: %s" % (stage, dataset, seed, " ".join(
                            "%.2f" % a for a in run["accuracies"])), file=sys.stderr)
                    runs.append(run)

    print("Build: %s. %d epochs, 784-128-10, batch 64, learning rate 0.1%s." % (
        args.config, args.epochs, (", " + " ".join(args.flags)) if args.flags else ""))
    print()
    print("| stage | data | seed | 1 epoch | largest drop (points) | final | test accuracy per epoch (%) |")
    print("|---|---|---|---|---|---|---|")
    failures = []
    for run in runs:
        name = "%s %s seed %d" % (run["stage"], run["dataset"], run["seed"])
        if "error" in run:
            print("| %s | %s | %d | | | | run failed: %s |" % (run["stage"], run["dataset"], run["seed"],
                                                            run["error"][0]))
            failures.append("%s: the run failed" % name)
            continue
        acc = run["accuracies"]
        drop = largest_drop(acc)
        print("| %s | %s | %d | %.2f | %.2f | %.2f | %s |" % (
            run["stage"], run["dataset"], run["seed"], acc[0], drop, acc[-1],
            ", ".join("%.2f" % a for a in acc)))
        if drop > MAX_DROP_POINTS:
            failures.append("%s: test accuracy fell by %.2f points between epochs" % (name, drop))
        minimum = ONE_EPOCH_MINIMUM.get(run["dataset"])
        if minimum is not None and acc[0] < minimum:
            failures.append("%s: %.2f %% after one epoch, below %.0f %%" % (name, acc[0], minimum))
    print()
    if failures:
        print("Verdict: FAIL (%d of the criteria not met)" % len(failures))
        for failure in failures:
            print("- " + failure)
        return 1
    print("Verdict: PASS: no drop above %.1f points between epochs; one epoch reaches %s." % (
        MAX_DROP_POINTS, ", ".join("%s >= %.0f %%" % (d, ONE_EPOCH_MINIMUM[d]) for d in datasets
                                   if d in ONE_EPOCH_MINIMUM)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
