"""What tools/compare measures and how it shows it: the rows, their check, and the table, JSON,
CSV, SVG chart, per-machine names and README section made from the results.

Everything here is a pure function of its inputs (no processes, no clock, no files), so that
compare_lib_test.py can check it on canned records. tools/compare runs the trainers.
"""
import csv
import io
import json
import math
import re

RECORD_SCHEMA = "mnist_perf.run/2"  # what the trainers write (common/report.h)
RESULT_SCHEMA = "mnist_perf.compare/1"  # what tools/compare writes

# A row is failed when its test accuracy is further than this from the reference row's
# (stage 1's), in accuracy fraction: 0.5 points.
ACCURACY_TOLERANCE = 0.005

# The blog's first run (numpy, 2016): 1 day and 18 hours.
BLOG_FIRST_RUN_SECONDS = (24 + 18) * 3600.0

README_BEGIN = "<!-- compare:begin -->"
README_END = "<!-- compare:end -->"
HEADLINE_BEGIN = "<!-- compare:headline:begin -->"
HEADLINE_END = "<!-- compare:headline:end -->"

# Kinds of change, in the order the story meets them, with the chart's colour for each.
KIND_COLOURS = {
    "baseline": "#7f7f7f",
    "algorithm + data type": "#1f77b4",
    "implementation": "#2ca02c",
    "control": "#9edae5",
    "library": "#ff7f0e",
    "parallelism": "#9467bd",
    "reference": "#8c564b",
}

LIBRARIES = ["openblas", "eigen", "xnnpack"]


def training_flops_per_sample(layers):
    """common::TrainingFlopsPerSample (common/model.cc): forward, weight gradient and input
    gradient products (none for the first layer), two flops per multiply-add."""
    pairs = list(zip(layers, layers[1:]))
    forward = sum(2.0 * a * b for a, b in pairs)
    return 2 * forward + sum(2.0 * a * b for a, b in pairs[1:])


# --- The rows --------------------------------------------------------------------------------


def row_specs(cores, stage_dirs):
    """Every row tools/compare knows, in table order.

    cores: this machine's core count (the all-cores rows run that many threads).
    stage_dirs: {stage number: directory name} of the stages this checkout has, e.g.
        {1: "stage1_naive", 2: "stage2_float"}; a stage not in it makes its rows absent.

    Each row is a dict: key, label, runner ("stage" with "stage" number, or "python" with
    "script" and "module"), flags (the row's own trainer flags), threads, idea, kind, base (the
    key of the row it changes one thing from: its "vs previous"), group (rows of one group show
    only their fastest: PyTorch at its best thread count).
    """

    def stage(n, key, label_suffix, flags, threads, idea, kind, base):
        name = stage_dirs.get(n, "stage%d" % n)
        return {
            "key": key,
            "label": name + (" " + label_suffix if label_suffix else ""),
            "runner": "stage",
            "stage": n,
            "stage_dir": stage_dirs.get(n),
            "flags": flags,
            "threads": threads,
            "idea": idea,
            "kind": kind,
            "base": base,
            "group": None,
        }

    def python(key, label, script, module, threads, idea, kind, base, group=None):
        return {
            "key": key,
            "label": label,
            "runner": "python",
            "script": script,
            "module": module,
            "flags": ["--threads=%d" % threads],
            "threads": threads,
            "idea": idea,
            "kind": kind,
            "base": base,
            "group": group,
        }

    all_cores = "×%d" % cores
    every_core = "both cores" if cores == 2 else "all %d cores" % cores
    rows = [
        stage(1, "stage1", "", [], 1,
              "doubles, one sample at a time through textbook loops", "baseline", None),
        stage(2, "stage2", "", [], 1,
              "float32, contiguous matrices, the whole batch as one matrix (GEMM in i-k-j loops)",
              "algorithm + data type", "stage1"),
        stage(3, "stage3", "", [], 1,
              "hand-written SIMD GEMM: register tiles, cache blocks, packing, run-time dispatch",
              "implementation", "stage2"),
        stage(4, "stage4-own", "own", ["--gemm=own", "--threads=1"], 1,
              "stage 3's GEMM behind stage 4's backend switch (should match stage 3)", "control",
              "stage3"),
    ]
    for lib in LIBRARIES:
        rows.append(stage(4, "stage4-" + lib, lib, ["--gemm=" + lib, "--threads=1"], 1,
                          "the matrix products handed to %s, one thread" % LIBRARY_NAMES[lib],
                          "library", "stage4-own"))
    rows.append(stage(5, "stage5-own-1", "own ×1", ["--gemm=own", "--threads=1"], 1,
                      "the threaded code on one thread (should match stage 4 own)", "control",
                      "stage4-own"))
    rows.append(stage(5, "stage5-own-all", "own " + all_cores,
                      ["--gemm=own", "--threads=%d" % cores], cores,
                      "the own GEMM on " + every_core, "parallelism", "stage5-own-1"))
    for lib in LIBRARIES:
        rows.append(stage(5, "stage5-%s-all" % lib, "%s %s" % (lib, all_cores),
                          ["--gemm=" + lib, "--threads=%d" % cores], cores,
                          "%s on %s" % (LIBRARY_NAMES[lib], every_core), "parallelism",
                          "stage4-" + lib))
    numpy_idea = "the same MLP in numpy (its BLAS does the products), %s"
    rows.append(python("numpy-1", "numpy ×1", "reference/numpy_mlp.py", "numpy", 1,
                       numpy_idea % "one thread", "reference", "stage4-openblas"))
    rows.append(python("numpy-all", "numpy " + all_cores, "reference/numpy_mlp.py", "numpy",
                       cores, numpy_idea % every_core, "reference", "numpy-1"))
    torch_idea = "the same MLP in PyTorch, at its best thread count (of 1 and %d)" % cores
    for key, threads in (("pytorch-1", 1), ("pytorch-all", cores)):
        rows.append(python(key, "pytorch ×%d" % threads, "reference/torch_mlp.py", "torch",
                           threads, torch_idea, "reference", "numpy-all", group="pytorch"))
    return rows


LIBRARY_NAMES = {"openblas": "OpenBLAS", "eigen": "Eigen", "xnnpack": "XNNPACK"}


# --- From records to rows --------------------------------------------------------------------


def check_record(record, expected_samples, scaled_from):
    """Why one run's record cannot be trusted, or "" when it can."""
    if record.get("schema") != RECORD_SCHEMA:
        return "record schema %r, expected %r" % (record.get("schema"), RECORD_SCHEMA)
    numbers = [record.get("seconds_per_epoch"), record.get("final_test_accuracy")]
    numbers += [e.get("loss") for e in record.get("per_epoch", [])]
    if any(not isinstance(x, (int, float)) or not math.isfinite(x) for x in numbers):
        return "a NaN or missing number in the record"
    if record["seconds_per_epoch"] <= 0:
        return "no training time in the record"
    samples = record.get("train_samples")
    want = scaled_from or expected_samples
    if want and samples != want:
        return "trained on %s samples, not %s" % (samples, want)
    return ""


def summarize(specs, outcomes, fma_peak, cores, train_samples, layers):
    """The table's rows from what each row's runs gave.

    outcomes: {key: {"absent": reason}} for a row that could not run, or
        {key: {"runs": [{"record": dict or None, "error": str}], "scaled_from": N or None,
        "note": optional text}}: one entry per round; error is the failed run's message
        (non-zero exit, no record).
    fma_peak: {"one_core": GFLOP/s, "all_cores": GFLOP/s} (either may be None).
    train_samples: the full epoch's sample count (stage 1 on a subset is scaled to it).
    layers: e.g. [784, 128, 10].

    Returns (rows, reference): the row dicts in spec order (groups reduced to their fastest),
    and {"key", "label", "test_accuracy"} of the row every accuracy was checked against.
    """
    rows = []
    for spec in specs:
        row = {k: spec[k] for k in ("key", "label", "idea", "kind", "base", "group")}
        row.update(status="ok", reason="", gemm=None, threads=spec["threads"], details="",
                   seconds=[], median=None, min=None, max=None, scaled_from=None,
                   test_accuracy=None, gflops=None, peak_gflops=None, percent_of_peak=None,
                   vs_stage1=None, vs_previous=None, previous=None, runs=0, note="")
        outcome = outcomes.get(spec["key"], {"absent": "not run"})
        if "absent" in outcome:
            row.update(status="absent", reason=outcome["absent"])
            rows.append(row)
            continue
        scaled_from = outcome.get("scaled_from")
        row["scaled_from"] = scaled_from
        row["runs"] = len(outcome["runs"])
        row["note"] = outcome.get("note", "")
        problems, accuracies = [], []
        for run in outcome["runs"]:
            record = run.get("record")
            problem = run.get("error") or ("no record" if record is None else "")
            if not problem:
                problem = check_record(record, train_samples, scaled_from)
            if problem:
                problems.append(problem)
                continue
            scale = train_samples / float(scaled_from) if scaled_from else 1.0
            row["seconds"].append(record["seconds_per_epoch"] * scale)
            accuracies.append(record["final_test_accuracy"])
            row.update(gemm=record.get("gemm"), threads=record.get("threads", row["threads"]),
                       details=record.get("details", ""))
        if problems:
            row.update(status="failed", reason=problems[0])
        if row["seconds"]:
            row["median"] = median(row["seconds"])
            row["min"], row["max"] = min(row["seconds"]), max(row["seconds"])
            row["test_accuracy"] = median(accuracies)
        rows.append(row)

    reference = _reference_row(rows)
    for row in rows:
        if row["status"] != "ok" or not reference:
            continue
        if row is not reference and row["scaled_from"] is None:
            off = abs(row["test_accuracy"] - reference["test_accuracy"])
            if off > ACCURACY_TOLERANCE:
                row.update(status="failed", reason="test accuracy %.2f %% is %.2f points off "
                           "%s's %.2f %%" % (100 * row["test_accuracy"], 100 * off,
                                             reference["label"], 100 * reference["test_accuracy"]))
    rows = _fastest_of_groups(rows)

    by_key = {row["key"]: row for row in rows}
    flops = training_flops_per_sample(layers) * train_samples
    stage1 = by_key.get("stage1")
    for row in rows:
        if row["status"] != "ok":
            continue
        row["gflops"] = flops / row["median"] / 1e9
        row["peak_gflops"] = _peak_for(row["threads"], fma_peak, cores)
        if row["peak_gflops"]:
            row["percent_of_peak"] = 100 * row["gflops"] / row["peak_gflops"]
        if stage1 and stage1["status"] == "ok":
            row["vs_stage1"] = stage1["median"] / row["median"]
        base = _nearest_ok_base(row, by_key, specs)
        if base:
            row["vs_previous"], row["previous"] = base["median"] / row["median"], base["label"]
    ref = None
    if reference:
        ref = {k: reference[k] for k in ("key", "label", "test_accuracy")}
    return rows, ref


def median(values):
    ordered = sorted(values)
    n = len(ordered)
    return ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2.0


def _reference_row(rows):
    """Stage 1 when it ran a full epoch and passed its own checks; otherwise the first such row
    (stage 1 on a subset reaches another accuracy than a full epoch does)."""
    for row in rows:
        if row["status"] == "ok" and row["scaled_from"] is None:
            return row
    return None


# A member of a group (PyTorch at 1 and at all cores) this much slower than the group's fastest
# in the first round is not timed again: on a busy 2-core machine PyTorch's OpenMP threads can
# take several times as long as one thread, and timing them 6 more times would teach nothing.
SLOW_MEMBER_FACTOR = 2.0


def slow_group_members(specs, first_round):
    """{key: seconds} of round 1 -> {key: why} for the group members to time no more."""
    groups = {}
    for spec in specs:
        if spec["group"] and spec["key"] in first_round:
            groups.setdefault(spec["group"], []).append(spec)
    slow = {}
    for members in groups.values():
        fastest = min(members, key=lambda s: first_round[s["key"]])
        limit = SLOW_MEMBER_FACTOR * first_round[fastest["key"]]
        for spec in members:
            if first_round[spec["key"]] > limit:
                slow[spec["key"]] = "more than %g× slower than %s in round 1" % (
                    SLOW_MEMBER_FACTOR, fastest["label"])
    return slow


def _fastest_of_groups(rows):
    """Keeps one row per group: the fastest that passed (else the first), noting the others."""
    kept, seen = [], set()
    for row in rows:
        group = row["group"]
        if group is None:
            kept.append(row)
            continue
        if group in seen:
            continue
        seen.add(group)
        members = [r for r in rows if r["group"] == group]
        ok = [r for r in members if r["status"] == "ok"]
        best = min(ok, key=lambda r: r["median"]) if ok else members[0]
        if not ok:
            best["label"] = group  # no thread count ran: the group is what is missing
        others = [r for r in members if r is not best and r["status"] != "absent"]
        if others:
            best["note"] = "fastest of its thread counts; also ran: " + ", ".join(
                "%s %s%s" % (r["label"], "%.3g s" % r["median"] if r["median"] else r["status"],
                             "" if r["runs"] >= best["runs"] else
                             " (%d of %d rounds: then dropped as more than %g× slower)" % (
                                 r["runs"], best["runs"], SLOW_MEMBER_FACTOR))
                for r in others)
        kept.append(best)
    return kept


def _peak_for(threads, fma_peak, cores):
    if not threads or threads <= 1:
        return fma_peak.get("one_core")
    all_cores = fma_peak.get("all_cores")
    if all_cores is None:
        return None
    return all_cores * min(threads, cores) / float(cores)


def _nearest_ok_base(row, by_key, specs):
    """The row this one builds on, or that row's own base when it did not run or failed."""
    bases = {s["key"]: s["base"] for s in specs}
    key = row["base"]
    while key:
        base = by_key.get(key)
        if base is not None and base["status"] == "ok" and base is not row:
            return base
        key = bases.get(key)
    return None


# --- The machine ------------------------------------------------------------------------------


# Intel's server cores by family 6 model, where a VM's "Intel(R) Xeon(R) Processor" names none.
# (Model 0x55 is left out: Skylake-SP and Cascade Lake share it, and only the stepping tells.)
_INTEL_FAMILY6 = {
    0x6A: "icelake-sp", 0x6C: "icelake-sp",
    0x8F: "sapphire-rapids",
    0xCF: "emerald-rapids",
    0xAD: "granite-rapids", 0xAE: "granite-rapids",
}


def microarchitecture(vendor_or_model, family, model):
    """The core's generation from family/model ("zen3", "emerald-rapids"), or None where we
    cannot tell."""
    name = vendor_or_model.lower()
    if family is None or model is None:
        return None
    if "intel" in name:
        return _INTEL_FAMILY6.get(model) if family == 6 else None
    if "amd" not in name:
        return None
    if family == 23:
        return "zen2" if model >= 0x30 else "zen1"
    if family == 25:
        if 0x00 <= model <= 0x0F or 0x20 <= model <= 0x5F:
            return "zen3"
        if 0x10 <= model <= 0x1F or 0x60 <= model <= 0x7F or 0xA0 <= model <= 0xAF:
            return "zen4"
        return None
    if family == 26:
        return "zen5"
    return None


def _slugify(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def cpu_slug(cpu, family, model):
    """A file name for this machine's results: vendor, line and microarchitecture for AMD
    (family/model name the generation where a VM's "AMD EPYC" does not), the model name for
    Intel and others. "AMD EPYC", 25, 1 -> "amd-epyc-zen3"."""
    name = re.sub(r"\((R|TM|tm|r)\)", " ", cpu or "")
    name = re.sub(r"@.*$", " ", name)
    name = re.sub(r"\b(CPU|Processor|\d+-Core|with Radeon.*)\b", " ", name, flags=re.I)
    words = name.split()
    if words and words[0].lower() == "amd":
        line = words[1].lower() if len(words) > 1 else "cpu"
        if line == "ryzen" and len(words) > 2 and words[2].lower() == "threadripper":
            line = "threadripper"
        arch = microarchitecture(cpu, family, model)
        if arch is None:
            arch = "family%s-model%s" % (family, model)
        return "amd-%s-%s" % (_slugify(line), arch)
    lower = [w.lower() for w in words]
    if "intel" in lower:  # "11th Gen Intel Core i7-1165G7" -> intel-core-i7-1165g7
        words = words[lower.index("intel"):]
        arch = microarchitecture(cpu, family, model)
        if len(words) <= 2 and arch:  # a VM's bare "Intel Xeon": add what family/model say
            words.append(arch)
    slug = _slugify(" ".join(words))
    return slug if slug and slug != "unknown" else "unknown-cpu"


def machine_lines(result):
    """The machine line, as a few short lines (every table and chart carries them)."""
    m = result["machine"]
    arch = microarchitecture(m.get("cpu", ""), m.get("cpu_family"), m.get("cpu_model"))
    cpu = m.get("cpu", "unknown CPU")
    if m.get("cpu_family") is not None and m.get("cpu_family", -1) >= 0:
        cpu += " (family %s model %s%s)" % (m["cpu_family"], m["cpu_model"],
                                            ", " + _arch_name(arch) if arch else "")
    cores = m.get("cores")
    lines = ["%s, %s, %s %s" % (cpu, m.get("simd", "?"), cores, "core" if cores == 1 else "cores")]
    peak = result.get("fma_peak") or {}
    lines[0] += "; measured fp32 FMA peak %s GFLOP/s on one core, %s on all cores" % (
        _fmt_num(peak.get("one_core")), _fmt_num(peak.get("all_cores")))
    if len(peak.get("one_core_measured", [])) > 1:
        lines[0] += " (best of %d)" % len(peak["one_core_measured"])
    lines.append("%s, %s; %s" % (m.get("compiler", "?"), result.get("build_flags", "?"),
                                 result.get("date", "?")))
    load = result.get("load_average")
    if load:  # on a shared machine, how busy it was says how far to trust the figures
        lines[-1] += "; 1-minute load average %.1f at the start, %.1f at the end" % (
            load["start"], load["end"])
    latency = result.get("core_to_core_ns")
    if latency:  # on a VM the host moves the CPUs, and two-thread figures move with it
        low, high = min(latency), max(latency)
        spread = "%d" % low if low == high else "%d–%d" % (low, high)
        lines[-1] += "; core-to-core latency %s ns (median %d of %d readings, " \
            "`tools/core_latency`)" % (spread, sorted(latency)[len(latency) // 2], len(latency))
    steal = result.get("steal_seconds")
    if steal is not None:  # time the host ran something else on our virtual CPUs
        lines[-1] += "; hypervisor steal %.1f s of the run's %.0f s on %d CPUs (`/proc/stat`)" % (
            steal["stolen"], steal["wall"], steal["cpus"])
    libs = result.get("libraries") or {}
    if libs:
        lines.append("libraries: " + ", ".join(
            "%s %s" % (name, version or "not installed") for name, version in libs.items()))
    core = result.get("openblas_coretype")
    if core and core.get("chosen"):
        lines[-1] += "; OpenBLAS does not know this CPU and chose its %s kernels, so every row " \
            "ran with OPENBLAS_CORETYPE=%s" % (core["chosen"], core["set"])
    elif core:
        lines[-1] += "; every row ran with the OPENBLAS_CORETYPE=%s you set" % core["set"]
    kernels = [(r["label"], r["details"]) for r in result["rows"] if r.get("details")]
    if kernels:
        lines.append("kernels chosen: " + "; ".join("%s %s" % k for k in kernels))
    return lines


def steal_ticks(proc_stat):
    """{cpu: steal ticks} from the text of Linux's /proc/stat (8th number of each "cpuN" line:
    time the hypervisor ran something else while this virtual CPU had work), or {} if absent."""
    ticks = {}
    for line in proc_stat.splitlines():
        fields = line.split()
        if len(fields) > 8 and re.fullmatch(r"cpu\d+", fields[0]):
            ticks[fields[0]] = int(fields[8])
    return ticks


def steal_between(before, after, ticks_per_second, wall_seconds):
    """The steal time over a run from two steal_ticks() readings, for the result's JSON; None
    where /proc/stat had nothing to say (not Linux, or CPUs came and went)."""
    if not before or before.keys() != after.keys():
        return None
    stolen = sum(after[cpu] - before[cpu] for cpu in before) / ticks_per_second
    return {"stolen": stolen, "wall": wall_seconds, "cpus": len(before)}


def _arch_name(arch):
    """ "zen3" -> "Zen 3", "emerald-rapids" -> "Emerald Rapids", "icelake-sp" -> "Ice Lake-SP"."""
    if arch.startswith("zen"):
        return "Zen " + arch[3:]
    if arch == "icelake-sp":
        return "Ice Lake-SP"
    return arch.replace("-", " ").title()


# --- Formatting ---------------------------------------------------------------------------------


def _fmt_num(value, digits=1):
    return "–" if value is None else "%.*f" % (digits, value)


def fmt_seconds(seconds):
    """Three significant digits: 151, 12.3, 8.72, 0.463, 0.0512."""
    if seconds is None:
        return "–"
    if seconds >= 100:
        return "%.0f" % seconds
    if seconds >= 10:
        return "%.1f" % seconds
    if seconds >= 1:
        return "%.2f" % seconds
    return "%.*f" % (2 - int(math.floor(math.log10(max(seconds, 1e-9)))), seconds)


def fmt_speedup(ratio):
    if ratio is None:
        return "–"
    return "%.0f×" % ratio if ratio >= 100 else "%.1f×" % ratio


def fmt_percent(fraction):
    return "–" if fraction is None else "%.2f %%" % (100 * fraction)


def fmt_duration(seconds):
    """The two largest units: "1 day 18 hours", "4 minutes 10 seconds", "52 seconds"."""
    seconds = int(round(seconds))
    parts = []
    for name, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        count, seconds = divmod(seconds, size)
        if count or (name == "second" and not parts):
            parts.append("%d %s%s" % (count, name, "" if count == 1 else "s"))
    return " ".join(parts[:2])


def workload_line(result):
    w = result["workload"]
    epochs = w.get("epochs", 1)
    line = "%s, %s training samples, %s, batch %s, %s epoch%s, learning rate %s, seed %s" % (
        w.get("dataset"), "{:,}".format(w.get("train_samples", 0)),
        "-".join(str(x) for x in w.get("layers", [])), w.get("batch_size"), epochs,
        "" if epochs == 1 else "s", w.get("learning_rate"), w.get("seed"))
    if w.get("extra_flags"):
        line += "; trainer flags " + " ".join(w["extra_flags"])
    return line


def _engine(row):
    if row["status"] == "absent":
        return ""
    parts = []
    if row.get("gemm"):
        parts.append("gemm " + row["gemm"])
    threads = row.get("threads")
    if threads:
        parts.append("%d thread%s" % (threads, "" if threads == 1 else "s"))
    if row.get("details"):
        parts.append(row["details"])
    return ", ".join(parts)


def table_cells(row):
    """The figures of one row (s/epoch, vs stage 1, vs previous, GFLOP/s, % of peak, test
    accuracy): a failed or absent row shows why instead, a failed row is never shown as fast."""
    if row["status"] == "absent":
        return ["absent: " + row["reason"]] + [""] * 5
    if row["status"] == "failed":
        return ["**failed**: " + row["reason"]] + ["–"] * 5
    seconds = "%s (%s–%s)" % (fmt_seconds(row["median"]), fmt_seconds(row["min"]),
                              fmt_seconds(row["max"]))
    accuracy = fmt_percent(row["test_accuracy"])
    if row["scaled_from"]:
        seconds += " †"
        accuracy += " †"
    previous = ""
    if row["vs_previous"] is not None:
        previous = "%s vs %s" % (fmt_speedup(row["vs_previous"]), row["previous"])
    percent = "–" if row["percent_of_peak"] is None else "%.0f %%" % row["percent_of_peak"]
    return [seconds, fmt_speedup(row["vs_stage1"]), previous, _fmt_num(row["gflops"]), percent,
            accuracy]


def source_line(result):
    """" at commit 47144af" (the code the rows ran), with a warning when the tree had changes;
    "" for records from before compare kept it."""
    source = result.get("source")
    if not source:
        return ""
    return " at commit %s%s" % (source["commit"], " with uncommitted changes to %s" % (
        ", ".join(source["changed"][:5]) + (", ..." if len(source["changed"]) > 5 else ""))
        if source.get("changed") else "")


def render_markdown(result, heading_level=1, chart_link=None):
    """The table with its machine line, workload and command, as a Markdown document."""
    out = []
    m = result["machine"]
    arch = microarchitecture(m.get("cpu", ""), m.get("cpu_family"), m.get("cpu_model"))
    title = "%s %s%s: one epoch of %s" % ("#" * heading_level, m.get("cpu"),
                                          " (%s)" % _arch_name(arch) if arch else "",
                                          dataset_name(result))
    out += [title, ""]
    out += ["Machine: " + "  \n".join(machine_lines(result)), ""]
    out += ["Workload: %s; seconds of the training pass, median (min–max) of %d interleaved "
            "rounds, rows in %s." % (workload_line(result), result.get("rounds", 0),
                                     result.get("order", "?")), ""]
    out += ["Measured with `%s` on %s%s." % (result.get("command", "tools/compare"),
                                             result.get("date", "?"), source_line(result)), ""]
    header = ["row", "engine", "the one idea", "kind of change", "s/epoch: median (min–max)",
              "vs stage 1", "vs previous", "GFLOP/s", "% of FMA peak", "test accuracy"]
    out.append("| " + " | ".join(header) + " |")
    out.append("|" + "---|" * len(header))
    notes = []
    for row in result["rows"]:
        line = [row["label"], _engine(row), row["idea"], row["kind"]] + table_cells(row)
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in line) + " |")
        if row.get("note"):
            notes.append("%s: %s." % (row["label"], row["note"]))
        if row["scaled_from"] and row["status"] == "ok":
            notes.append("† %s ran on the first %s samples; its seconds are scaled to the full "
                         "%s-sample epoch and its accuracy is that of the subset." % (
                             row["label"], "{:,}".format(row["scaled_from"]),
                             "{:,}".format(result["workload"].get("train_samples", 0))))
    out.append("")
    peak = result.get("fma_peak") or {}
    ref = result.get("reference_accuracy")
    notes += [
        "vs previous: against the row this one changes one thing from (named).",
        "GFLOP/s: training FLOPs (`common::TrainingFlopsPerSample`) per second. %% of FMA peak: "
        "of one core's measured fp32 FMA peak (%s GFLOP/s) for one-thread rows, of all cores' "
        "(%s GFLOP/s) for threaded rows (`tools/fma_peak`)." % (
            _fmt_num(peak.get("one_core")), _fmt_num(peak.get("all_cores"))),
        "A row is failed when a run exits non-zero, its record holds a NaN, or its test accuracy "
        "is more than %.1f points off %s's." % (
            100 * ACCURACY_TOLERANCE, ref["label"] if ref else "stage 1"),
    ]
    out += ["- " + n for n in notes]
    if chart_link:
        out += ["", "![seconds per epoch, log scale](%s)" % chart_link]
    return "\n".join(out) + "\n"


CSV_COLUMNS = ["row", "key", "gemm", "threads", "details", "idea", "kind",
               "status", "reason", "runs", "seconds_median", "seconds_min", "seconds_max",
               "scaled_from_samples", "speedup_vs_stage1", "speedup_vs_previous", "previous_row",
               "gflops", "peak_gflops", "percent_of_peak", "test_accuracy_percent"]


def render_csv(result):
    """One line per row, numbers unformatted (rounded to what they can tell)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)

    def num(value, digits):
        return "" if value is None else round(value, digits)

    for row in result["rows"]:
        writer.writerow([
            row["label"], row["key"], row.get("gemm") or "", row.get("threads") or "",
            row.get("details") or "", row["idea"], row["kind"], row["status"], row["reason"],
            row["runs"], num(row["median"], 4), num(row["min"], 4), num(row["max"], 4),
            row["scaled_from"] or "", num(row["vs_stage1"], 2), num(row["vs_previous"], 2),
            row["previous"] or "", num(row["gflops"], 2), num(row["peak_gflops"], 1),
            num(row["percent_of_peak"], 1),
            num(None if row["test_accuracy"] is None else 100 * row["test_accuracy"], 2)
        ])
    return buffer.getvalue()


def render_json(result):
    return json.dumps(result, indent=1, ensure_ascii=False) + "\n"


# --- The chart ----------------------------------------------------------------------------------


def _escape(text):
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _wrap(text, width):
    """Splits at "; " or ", " so that each line stays under `width` characters."""
    lines, line = [], ""
    for piece in re.split(r"(?<=[;,]) ", text):
        if line and len(line) + 1 + len(piece) > width:
            lines.append(line)
            line = piece
        else:
            line = piece if not line else line + " " + piece
    if line:
        lines.append(line)
    return lines


DATASET_NAMES = {"mnist": "MNIST", "fashion": "Fashion-MNIST", "custom": "custom data"}


def dataset_name(result):
    name = result["workload"].get("dataset")
    return DATASET_NAMES.get(name, name)


def render_svg(result):
    """A horizontal bar per row: seconds per epoch on a log axis (shorter is faster), labelled
    with seconds, speedup over stage 1 and test accuracy; failed and absent rows are listed
    without a bar. Plain SVG 1.1 with no script, fonts or stylesheets to fetch."""
    rows = result["rows"]
    width, label_w, plot_w, row_h = 1000, 250, 440, 24
    left, top = label_w + 10, 84
    bottom = top + row_h * len(rows)
    columns = [("s/epoch", left + plot_w + 85), ("vs stage 1", left + plot_w + 170),
               ("test accuracy", left + plot_w + 270)]
    ok = [r for r in rows if r["status"] == "ok"]
    # Decades around the figures, with at least a factor 2 below the fastest so its bar shows.
    lo_exp = math.floor(math.log10(min((r["min"] for r in ok), default=0.1) / 2))
    hi_exp = max(math.ceil(math.log10(max((r["max"] for r in ok), default=10))), lo_exp + 1)

    def x_of(seconds):
        return left + plot_w * (math.log10(seconds) - lo_exp) / float(hi_exp - lo_exp)

    machine = []
    for line in machine_lines(result):
        machine += _wrap(line, 150)
    footnotes = ["† %s ran on the first %s samples, its time scaled to the full epoch" % (
        r["label"], "{:,}".format(r["scaled_from"])) for r in ok if r["scaled_from"]]
    footer = footnotes + machine + ["made by %s on %s%s" % (
        result.get("command", "tools/compare"), result.get("date", "?"), source_line(result))]
    height = bottom + 40 + 15 * len(footer)
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
           'font-family="DejaVu Sans, Verdana, Arial, sans-serif" font-size="12">' % (
               width, height, width, height),
           '<rect width="100%" height="100%" fill="#ffffff"/>']
    text = '<text x="%.1f" y="%.1f"%s>%s</text>'
    out.append(text % (10, 22, ' font-size="16" font-weight="bold"', _escape(
        "One epoch of %s, stage by stage: seconds per epoch (log scale; shorter is faster)" %
        dataset_name(result))))
    out.append(text % (10, 42, ' fill="#444"', _escape(
        "%s; median of %d interleaved rounds, whiskers min–max" % (workload_line(result),
                                                                  result.get("rounds", 0)))))
    for exp in range(lo_exp, hi_exp + 1):  # decades, labelled, and the 2 and 5 between them
        x = x_of(10.0 ** exp)
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#bbb"/>' % (
            x, top - 6, x, bottom))
        out.append(text % (x, top - 10, ' text-anchor="middle" fill="#444"',
                           "%g s" % (10.0 ** exp)))
        for minor in (2, 5) if exp < hi_exp else ():
            xm = x_of(minor * 10.0 ** exp)
            out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#eee"/>' % (
                xm, top, xm, bottom))
    for name, x in columns:
        out.append(text % (x, top - 10, ' text-anchor="end" fill="#444"', name))
    for i, row in enumerate(rows):
        y = top + i * row_h
        mid = y + row_h / 2.0 + 4  # baseline of a 12 px font centred in the row
        out.append(text % (label_w, mid, ' text-anchor="end"', _escape(row["label"])))
        if row["status"] == "ok":
            colour = KIND_COLOURS.get(row["kind"], "#555")
            out.append('<rect x="%d" y="%.1f" width="%.1f" height="%d" fill="%s"><title>%s'
                       '</title></rect>' % (left, y + 5, max(x_of(row["median"]) - left, 1),
                                            row_h - 10, colour, _escape(row["kind"])))
            out.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#222"/>' % (
                x_of(row["min"]), y + row_h / 2.0, x_of(row["max"]), y + row_h / 2.0))
            cells = [fmt_seconds(row["median"]) + (" †" if row["scaled_from"] else ""),
                     fmt_speedup(row["vs_stage1"]), fmt_percent(row["test_accuracy"])]
            for (_, x), cell in zip(columns, cells):
                out.append(text % (x, mid, ' text-anchor="end"', _escape(cell)))
        elif row["status"] == "failed":
            out.append(text % (left + 4, mid, ' fill="#c00000" font-weight="bold"',
                               _escape("FAILED: " + row["reason"])))
        else:
            out.append(text % (left + 4, mid, ' fill="#999"', _escape("absent: " + row["reason"])))
    y, x = bottom + 24, 10
    for kind in [k for k in KIND_COLOURS if any(r["kind"] == k for r in ok)]:
        out.append('<rect x="%d" y="%d" width="12" height="12" fill="%s"/>' % (
            x, y - 10, KIND_COLOURS[kind]))
        out.append(text % (x + 16, y, "", _escape(kind)))
        x += 28 + 7 * len(kind)
    for line in footer:
        y += 15
        out.append(text % (10, y, ' font-size="11" fill="#333"', _escape(line)))
    out.append("</svg>")
    return "\n".join(out) + "\n"


# --- The README ---------------------------------------------------------------------------------


def replace_between(text, begin, end, body):
    """text with what lies between the marker lines `begin` and `end` replaced by body."""
    start = text.find(begin)
    stop = text.find(end)
    if start < 0 or stop < 0 or stop < start:
        raise ValueError("the README has no %s ... %s markers" % (begin, end))
    return text[:start + len(begin)] + "\n" + body.rstrip("\n") + "\n" + text[stop:]


def readme_results_section(machine_files, command, date):
    """The README's results: every machine's table (results/<slug>.md, name and text), each
    with its chart, and the command and date that made the section."""
    out = ["*Generated by `%s` on %s from every `results/*.md`; do not edit by hand.*" % (
        command, date), ""]
    for slug, text in sorted(machine_files):
        text = re.sub(r"^# ", "### ", text.strip(), count=1)
        # The chart link is relative to results/ in the file, to the top in the README.
        text = text.replace("](%s.svg)" % slug, "](results/%s.svg)" % slug)
        out += [text, ""]
    return "\n".join(out)


def fastest_row(results):
    """(result, row) of the fastest passing row over every machine's result."""
    best = None
    for result in results:
        for row in result["rows"]:
            if row["status"] == "ok" and (best is None or row["median"] < best[1]["median"]):
                best = (result, row)
    return best


def headline(results):
    """The story in one sentence, from the measured tables."""
    best = fastest_row(results)
    if best is None:
        return ("The blog's first run took %s; run `tools/compare --save --update-readme` to "
                "measure how long 1,000 epochs take here." % fmt_duration(BLOG_FIRST_RUN_SECONDS))
    result, row = best
    per_sample = row["median"] / result["workload"]["train_samples"]
    total = 1000 * 60000 * per_sample
    m = result["machine"]
    arch = microarchitecture(m.get("cpu", ""), m.get("cpu_family"), m.get("cpu_model"))
    return ("The blog's first run took %s; here, 1,000 epochs of 60,000 samples take **%s** "
            "with the fastest row, %s (%s s per epoch on %s%s, measured by `tools/compare`)." % (
                fmt_duration(BLOG_FIRST_RUN_SECONDS), fmt_duration(total), row["label"],
                fmt_seconds(60000 * per_sample), m.get("cpu"),
                " (%s)" % _arch_name(arch) if arch else ""))
