"""Canned trainer records and a canned comparison, for the tests of tools/compare's output."""
import compare_lib

MACHINE = {"cpu": "AMD EPYC", "cpu_family": 25, "cpu_model": 1, "simd": "avx2", "cores": 2,
           "compiler": "gcc 12.2.0", "compiled_for": "x86-64 (sse2)"}
PEAK = {"one_core": 100.0, "all_cores": 190.0, "cores": 2}
LAYERS = [784, 128, 10]
SAMPLES = 60000


def record(stage, seconds, accuracy, gemm="own", threads=1, details="", samples=SAMPLES,
           loss=0.5):
    """A trainer's mnist_perf.run/2 record, as far as tools/compare reads it."""
    return {"schema": compare_lib.RECORD_SCHEMA, "stage": stage, "gemm": gemm,
            "threads": threads, "details": details, "dataset": "fashion",
            "train_samples": samples, "test_samples": 10000, "layers": LAYERS, "epochs": 1,
            "batch_size": 64, "learning_rate": 0.1, "seed": 1, "machine": MACHINE,
            "final_test_accuracy": accuracy, "train_seconds": seconds,
            "seconds_per_epoch": seconds, "per_epoch": [{"epoch": 1, "loss": loss}]}


def runs(*records):
    return {"runs": [{"record": r, "error": ""} for r in records], "scaled_from": None}


def canned_outcomes():
    """Stage 1 to 3 and two stage 4 libraries ran (three rounds each), stage 4's XNNPACK gave a
    wrong accuracy, stage 5 and numpy are absent, PyTorch ran at both thread counts."""
    avx2 = "kernel avx2 6x16"
    return {
        "stage1": runs(*(record("stage1_naive", s, 0.7914) for s in (9.0, 8.0, 8.5))),
        "stage2": runs(*(record("stage2_float", s, 0.7941) for s in (2.0, 1.9, 2.2))),
        "stage3": runs(*(record("stage3_simd", s, 0.7914, details=avx2) for s in (0.5, 0.4, 0.45))),
        "stage4-own": runs(*(record("stage4_blas", s, 0.7914, details=avx2) for s in (0.5, 0.5))),
        "stage4-openblas": runs(*(record("stage4_blas", s, 0.7920, gemm="openblas")
                                  for s in (0.25, 0.3, 0.2))),
        "stage4-eigen": {"runs": [{"record": None, "error": "exit code 1: error: loss is NaN"}],
                         "scaled_from": None},
        "stage4-xnnpack": runs(record("stage4_blas", 0.1, 0.50, gemm="xnnpack")),
        "stage5-own-1": {"absent": "no stage 5 in this checkout yet"},
        "numpy-1": {"absent": "Python module numpy not installed"},
        "pytorch-1": runs(record("pytorch", 3.0, 0.7930, gemm="torch")),
        "pytorch-all": runs(record("pytorch", 2.0, 0.7925, gemm="torch", threads=2)),
    }


def canned_result():
    """A whole comparison as tools/compare writes it, from canned_outcomes()."""
    specs = compare_lib.row_specs(2, {1: "stage1_naive", 2: "stage2_float", 3: "stage3_simd",
                                      4: "stage4_blas"})
    rows, reference = compare_lib.summarize(specs, canned_outcomes(), PEAK, 2, SAMPLES, LAYERS)
    machine = dict(MACHINE, slug="amd-epyc-zen3")
    return {
        "schema": compare_lib.RESULT_SCHEMA, "command": "tools/compare --save",
        "date": "2026-11-26", "build": "default", "build_flags": "default build: -O3",
        "rounds": 3, "order": "a fresh random order each round",
        "workload": {"dataset": "fashion", "train_samples": SAMPLES, "layers": LAYERS,
                     "batch_size": 64, "epochs": 1, "learning_rate": 0.1, "seed": 1,
                     "extra_flags": []},
        "machine": machine,
        "libraries": {"OpenBLAS": "0.3.21+ds-4", "PyTorch": None},
        "fma_peak": dict(PEAK), "reference_accuracy": reference, "rows": rows,
    }
