#!/usr/bin/python3
"""Times the Python references next to stage 3 and prints a Markdown table of medians.

    reference/time_references.py [--runs 3] [--stages stage1_naive,stage3_simd] [--no-torch]
                                 [--threads 1,2] [-- trainer flags...]

Default workload: the timing workload of the project's READMEs (MNIST, 60,000 samples,
784-128-10, batch 64, 1 epoch, seed 1; `-- --dataset=fashion` for Fashion-MNIST). Rows: each
C++ stage given (one thread, its default build), numpy on 1 and 2 OpenBLAS threads, PyTorch on
1 and 2 threads (and 2 with OMP_WAIT_POLICY=passive) when installed; times are compared with the
last C++ stage given. Runs are interleaved round by round, so a slow spell on a shared machine
hits every row alike; each cell is the median over the rounds. The JSON records are kept in
results/raw/references/. tools/compare puts numpy and PyTorch (at its best thread count only)
into the project's whole table; this script shows every thread count.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

# Trainer flags after -- come later on the command line, and the last value of a flag wins.
WORKLOAD = ["--dataset=mnist", "--epochs=1", "--hidden=128", "--batch_size=64", "--seed=1"]
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def has_torch():
    try:
        __import__("torch")
        return True
    except ImportError:
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stages", default="stage1_naive,stage3_simd",
                        help="C++ stages to time alongside, comma separated")
    parser.add_argument("--threads", default="1,2", help="thread counts of the references")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    parser.add_argument("flags", nargs="*", help="extra trainer flags (after --)")
    args = parser.parse_args()
    stages = [s for s in args.stages.split(",") if s]
    threads = [int(t) for t in args.threads.split(",")]

    rows = []  # (label, command, extra environment)
    with tempfile.TemporaryDirectory() as tmp:
        if stages:
            subprocess.run(["bazel", "build"] + ["//%s:train" % s for s in stages], cwd=ROOT,
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for stage in stages:
                binary = os.path.join(tmp, stage)
                shutil.copy(os.path.join(ROOT, "bazel-bin", stage, "train"), binary)
                rows.append((stage, [binary], {}))
        scripts = ["numpy_mlp.py"] + ([] if args.no_torch or not has_torch() else ["torch_mlp.py"])
        for script in scripts:
            for t in threads:
                command = [os.path.join(HERE, script), "--threads=%d" % t]
                rows.append(("%s --threads=%d" % (script, t), command, {}))
                if script == "torch_mlp.py" and t > 1:
                    # libgomp's threads spin while they wait; on a busy machine they spin away
                    # the time slices the working threads need (see README.md).
                    rows.append(("OMP_WAIT_POLICY=passive %s --threads=%d" % (script, t),
                                 command, {"OMP_WAIT_POLICY": "passive"}))

        results_dir = os.path.join(ROOT, "results", "raw", "references")
        os.makedirs(results_dir, exist_ok=True)
        records = {label: [] for label, _, _ in rows}
        for run in range(args.runs):
            for label, command, env in rows:
                name = label.replace("OMP_WAIT_POLICY=passive ", "passive-")
                out = os.path.join(results_dir, "%s-run%d.json" % (
                    name.replace(" --threads=", "-t").replace(".py", ""), run + 1))
                subprocess.run(command + WORKLOAD + args.flags + ["--json_out=" + out],
                               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=dict(os.environ, **env))
                with open(out) as f:
                    records[label].append(json.load(f))
                print("run %d/%d %s: %.2f s" % (run + 1, args.runs, label,
                                                 records[label][-1]["train_seconds"]),
                      file=sys.stderr)

    first = records[rows[0][0]][0]
    print("%s (family %d model %d), %d cores; %s" % (
        first["machine"]["cpu"], first["machine"]["cpu_family"], first["machine"]["cpu_model"],
        first["machine"]["cores"], " ".join(WORKLOAD + args.flags)))
    print()
    base_label = stages[-1] if stages else rows[0][0]
    base = statistics.median(r["seconds_per_epoch"] for r in records[base_label])
    print("| row | gemm, threads | s/epoch (median of %d) | GFLOP/s | time vs %s | test acc. | "
          "runs (s) |" % (args.runs, base_label))
    print("|---|---|---|---|---|---|---|")
    for label, _, _ in rows:
        rs = records[label]
        seconds = statistics.median(r["seconds_per_epoch"] for r in rs)
        print("| %s | %s, %d | %.2f | %.1f | %.2fx | %.2f%% | %s |" % (
            label, rs[0]["gemm"], rs[0]["threads"], seconds,
            statistics.median(r["gflops"] for r in rs), seconds / base,
            100 * rs[0]["final_test_accuracy"],
            ", ".join("%.2f" % r["seconds_per_epoch"] for r in rs)))


if __name__ == "__main__":
    main()
