"""Tests of tools/compare's table, JSON, CSV, SVG, machine line and README section, on canned
records (compare_testdata.py): formatting, speedups, failed and absent rows. No timings."""
import csv
import io
import json
import math
import os
import sys
import unittest
import xml.etree.ElementTree as ElementTree

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare_lib  # noqa: E402
import compare_testdata as data  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"


def by_label(result):
    return {row["label"]: row for row in result["rows"]}


class FlopsAndFormatTest(unittest.TestCase):

    def test_training_flops_match_common_model(self):
        # Forward 2*(784*128 + 128*10) = 203,264; weight gradients the same; input gradient of
        # the second layer 2*128*10.
        self.assertEqual(compare_lib.training_flops_per_sample([784, 128, 10]), 409088)
        two_hidden = 2 * 2 * (784 * 256 + 256 * 128 + 128 * 10) + 2 * (256 * 128 + 128 * 10)
        self.assertEqual(compare_lib.training_flops_per_sample([784, 256, 128, 10]), two_hidden)

    def test_seconds_keep_three_significant_digits(self):
        cases = {151.2: "151", 12.34: "12.3", 8.724: "8.72", 0.4631: "0.463", 0.05123: "0.0512",
                 None: "–"}
        for seconds, text in cases.items():
            self.assertEqual(compare_lib.fmt_seconds(seconds), text)

    def test_speedups_and_durations(self):
        self.assertEqual(compare_lib.fmt_speedup(4.25), "4.2×")
        self.assertEqual(compare_lib.fmt_speedup(18.89), "18.9×")
        self.assertEqual(compare_lib.fmt_speedup(153.4), "153×")
        self.assertEqual(compare_lib.fmt_duration(151200), "1 day 18 hours")
        self.assertEqual(compare_lib.fmt_duration(250), "4 minutes 10 seconds")
        self.assertEqual(compare_lib.fmt_duration(52.4), "52 seconds")
        self.assertEqual(compare_lib.fmt_duration(3600), "1 hour")


class SummarizeTest(unittest.TestCase):

    def setUp(self):
        self.result = data.canned_result()
        self.rows = by_label(self.result)

    def test_medians_ranges_and_speedups(self):
        stage1, stage2, stage3 = (self.rows[s] for s in ("stage1_naive", "stage2_float",
                                                         "stage3_simd"))
        self.assertEqual((stage1["median"], stage1["min"], stage1["max"]), (8.5, 8.0, 9.0))
        self.assertEqual(stage1["vs_stage1"], 1.0)
        self.assertIsNone(stage1["vs_previous"])
        self.assertAlmostEqual(stage2["vs_stage1"], 4.25)
        self.assertAlmostEqual(stage3["vs_stage1"], 8.5 / 0.45)
        self.assertAlmostEqual(stage3["vs_previous"], 2.0 / 0.45)
        self.assertEqual(stage3["previous"], "stage2_float")
        openblas = self.rows["stage4_blas openblas"]
        self.assertAlmostEqual(openblas["vs_previous"], 2.0)
        self.assertEqual(openblas["previous"], "stage4_blas own")

    def test_gflops_and_fraction_of_the_right_peak(self):
        stage3 = self.rows["stage3_simd"]
        self.assertAlmostEqual(stage3["gflops"], 409088 * 60000 / 0.45 / 1e9)
        self.assertAlmostEqual(stage3["percent_of_peak"], stage3["gflops"])  # peak 100 GFLOP/s
        torch = self.rows["pytorch ×2"]
        self.assertEqual(torch["peak_gflops"], 190.0)  # threaded: the all-core peak
        self.assertAlmostEqual(torch["percent_of_peak"], 100 * torch["gflops"] / 190.0)

    def test_a_run_that_failed_fails_its_row(self):
        eigen = self.rows["stage4_blas eigen"]
        self.assertEqual(eigen["status"], "failed")
        self.assertIn("loss is NaN", eigen["reason"])
        self.assertIsNone(eigen["median"])
        self.assertIsNone(eigen["gflops"])

    def test_a_wrong_accuracy_fails_its_row_and_hides_its_speed(self):
        xnnpack = self.rows["stage4_blas xnnpack"]
        self.assertEqual(xnnpack["status"], "failed")
        self.assertIn("29.14 points off stage1_naive's 79.14 %", xnnpack["reason"])
        self.assertIsNone(xnnpack["vs_stage1"])
        self.assertIsNone(xnnpack["gflops"])

    def test_accuracy_within_half_a_point_passes(self):
        self.assertEqual(self.rows["stage2_float"]["status"], "ok")  # 0.27 points off

    def test_a_nan_in_the_record_fails_its_row(self):
        specs = compare_lib.row_specs(2, {1: "stage1_naive", 2: "stage2_float"})[:2]
        outcomes = {"stage1": data.runs(data.record("stage1_naive", 8.0, 0.79)),
                    "stage2": data.runs(data.record("stage2_float", 2.0, 0.79, loss=math.nan))}
        rows, _ = compare_lib.summarize(specs, outcomes, data.PEAK, 2, 60000, data.LAYERS)
        self.assertEqual(rows[1]["status"], "failed")
        self.assertIn("NaN", rows[1]["reason"])

    def test_a_different_workload_fails_its_row(self):
        specs = compare_lib.row_specs(2, {1: "stage1_naive"})[:1]
        outcomes = {"stage1": data.runs(data.record("stage1_naive", 8.0, 0.79, samples=8004))}
        rows, _ = compare_lib.summarize(specs, outcomes, data.PEAK, 2, 60000, data.LAYERS)
        self.assertEqual(rows[0]["status"], "failed")
        self.assertIn("8004 samples, not 60000", rows[0]["reason"])

    def test_absent_rows_stay_absent(self):
        self.assertEqual(self.rows["numpy ×1"]["status"], "absent")
        self.assertIn("numpy not installed", self.rows["numpy ×1"]["reason"])
        self.assertEqual(self.rows["stage5 own ×2"]["status"], "absent")  # stage 5 not there

    def test_previous_skips_failed_and_absent_rows(self):
        # PyTorch builds on numpy (absent here), which builds on stage 4's OpenBLAS.
        torch = self.rows["pytorch ×2"]
        self.assertEqual(torch["previous"], "stage4_blas openblas")
        self.assertAlmostEqual(torch["vs_previous"], 0.25 / 2.0)

    def test_a_group_shows_only_its_fastest_member(self):
        self.assertNotIn("pytorch ×1", self.rows)
        self.assertIn("pytorch ×1 3 s", self.rows["pytorch ×2"]["note"])

    def test_a_group_member_twice_as_slow_in_round_one_is_dropped(self):
        specs = compare_lib.row_specs(2, {})
        slow = compare_lib.slow_group_members(
            specs, {"pytorch-1": 0.8, "pytorch-all": 2.4, "numpy-1": 0.5, "numpy-all": 9.0})
        self.assertEqual(list(slow), ["pytorch-all"])  # numpy rows are no group
        self.assertIn("pytorch ×1", slow["pytorch-all"])
        self.assertEqual(compare_lib.slow_group_members(
            specs, {"pytorch-1": 0.8, "pytorch-all": 1.5}), {})

    def test_a_dropped_member_is_noted_with_its_rounds(self):
        specs = [s for s in compare_lib.row_specs(2, {}) if s["group"] == "pytorch"]
        outcomes = {"pytorch-1": data.runs(data.record("pytorch", 0.79, 0.93),
                                           data.record("pytorch", 0.81, 0.93)),
                    "pytorch-all": data.runs(data.record("pytorch", 2.4, 0.93))}
        rows, _ = compare_lib.summarize(specs, outcomes, data.PEAK, 2, 60000, data.LAYERS)
        self.assertEqual([r["label"] for r in rows], ["pytorch ×1"])
        self.assertIn("pytorch ×2 2.4 s (1 of 2 rounds: then dropped", rows[0]["note"])

    def test_a_note_from_the_thread_count_trial_reaches_the_table(self):
        specs = [s for s in compare_lib.row_specs(2, {}) if s["group"] == "pytorch"]
        trial = "its thread count chosen by a 3,200-sample trial (pytorch ×1 0.05 s, ×2 4.7 s)"
        outcomes = {"pytorch-1": dict(data.runs(data.record("pytorch", 2.5, 0.79)), note=trial),
                    "pytorch-all": {"absent": "slower than pytorch-1 in the thread-count trial"}}
        rows, _ = compare_lib.summarize(specs, outcomes, data.PEAK, 2, 60000, data.LAYERS)
        self.assertEqual([r["label"] for r in rows], ["pytorch ×1"])
        result = dict(data.canned_result(), rows=rows)
        self.assertIn("- pytorch ×1: " + trial + ".", compare_lib.render_markdown(result))

    def test_stage1_on_a_subset_is_scaled_and_not_the_accuracy_reference(self):
        specs = compare_lib.row_specs(2, {1: "stage1_naive", 2: "stage2_float"})[:2]
        outcomes = {
            "stage1": {"runs": [{"record": data.record("stage1_naive", 1.5, 0.70, samples=10000),
                                 "error": ""}], "scaled_from": 10000},
            "stage2": data.runs(data.record("stage2_float", 2.0, 0.79)),
        }
        rows, reference = compare_lib.summarize(specs, outcomes, data.PEAK, 2, 60000,
                                                data.LAYERS)
        self.assertEqual(rows[0]["status"], "ok")
        self.assertAlmostEqual(rows[0]["median"], 9.0)  # 1.5 s for 10,000 of 60,000 samples
        self.assertAlmostEqual(rows[1]["vs_stage1"], 4.5)
        self.assertEqual(reference["label"], "stage2_float")


class OutputTest(unittest.TestCase):

    def setUp(self):
        self.result = data.canned_result()

    def test_machine_line(self):
        lines = compare_lib.machine_lines(self.result)
        text = "\n".join(lines)
        for part in ("AMD EPYC (family 25 model 1, Zen 3)", "avx2", "2 cores",
                     "100.0 GFLOP/s on one core, 190.0 on all cores", "gcc 12.2.0",
                     "default build: -O3", "2026-11-26", "OpenBLAS 0.3.21+ds-4",
                     "PyTorch not installed", "stage3_simd kernel avx2 6x16"):
            self.assertIn(part, text)

    def test_machine_line_names_an_intel_vms_core(self):
        self.result["machine"].update(cpu="Intel(R) Xeon(R) Processor", cpu_family=6,
                                      cpu_model=207, simd="avx512")
        self.assertIn("Intel(R) Xeon(R) Processor (family 6 model 207, Emerald Rapids), avx512",
                      compare_lib.machine_lines(self.result)[0])

    def test_the_table_names_the_commit_it_measured(self):
        self.result["source"] = {"commit": "47144af", "changed": []}
        self.assertIn("on 2026-11-26 at commit 47144af.", compare_lib.render_markdown(self.result))
        self.result["source"]["changed"] = ["stage3_simd/gemm.cc"]
        self.assertIn("at commit 47144af with uncommitted changes to stage3_simd/gemm.cc.",
                      compare_lib.render_markdown(self.result))
        self.assertIn("at commit 47144af with uncommitted changes to stage3_simd/gemm.cc",
                      compare_lib.render_svg(self.result))

    def test_machine_line_says_when_openblas_was_given_its_kernels(self):
        self.result["openblas_coretype"] = {"chosen": "Prescott", "set": "SkylakeX"}
        self.assertIn("OpenBLAS does not know this CPU and chose its Prescott kernels, so every "
                      "row ran with OPENBLAS_CORETYPE=SkylakeX",
                      "\n".join(compare_lib.machine_lines(self.result)))
        self.result["openblas_coretype"] = {"set": "Haswell"}
        self.assertIn("every row ran with the OPENBLAS_CORETYPE=Haswell you set",
                      "\n".join(compare_lib.machine_lines(self.result)))

    def test_machine_line_says_how_busy_the_machine_was(self):
        self.result["load_average"] = {"start": 11.25, "end": 9.5}
        self.assertIn("1-minute load average 11.2 at the start, 9.5 at the end",
                      compare_lib.machine_lines(self.result)[1])

    def test_machine_line_says_how_far_apart_the_cores_were(self):
        self.result["core_to_core_ns"] = [64, 230, 61, 212, 66]
        self.assertIn("core-to-core latency 61–230 ns (median 66 of 5 readings",
                      compare_lib.machine_lines(self.result)[1])
        self.result["core_to_core_ns"] = []
        self.assertNotIn("core-to-core", "\n".join(compare_lib.machine_lines(self.result)))

    def test_steal_time_from_proc_stat(self):
        before = compare_lib.steal_ticks(
            "cpu  7285896 1006 1038362 2348433 43175 0 12729 34019 0 0\n"
            "cpu0 3601177 506 463196 1280546 20413 0 283 17207 0 0\n"
            "cpu1 3684719 499 575166 1067887 22761 0 12446 16812 0 0\nintr 1 2 3\n")
        self.assertEqual(before, {"cpu0": 17207, "cpu1": 16812})
        after = {"cpu0": 17215, "cpu1": 16842}
        self.assertEqual(compare_lib.steal_between(before, after, 100, 250.0),
                         {"stolen": 0.38, "wall": 250.0, "cpus": 2})
        self.assertIsNone(compare_lib.steal_between({}, {}, 100, 250.0))  # no /proc/stat
        self.assertIsNone(compare_lib.steal_between(before, {"cpu0": 17215}, 100, 250.0))

    def test_machine_line_says_how_much_time_the_host_took(self):
        self.result["steal_seconds"] = {"stolen": 0.38, "wall": 250.0, "cpus": 2}
        self.assertIn("hypervisor steal 0.4 s of the run's 250 s on 2 CPUs",
                      compare_lib.machine_lines(self.result)[1])
        del self.result["steal_seconds"]
        self.assertNotIn("steal", "\n".join(compare_lib.machine_lines(self.result)))

    def test_machine_line_says_how_many_peak_measurements(self):
        self.result["fma_peak"]["one_core_measured"] = [91.0, 100.0, 97.5, 99.0]
        self.assertIn("100.0 GFLOP/s on one core, 190.0 on all cores (best of 4)",
                      compare_lib.machine_lines(self.result)[0])

    def test_markdown_table(self):
        text = compare_lib.render_markdown(self.result, chart_link="amd-epyc-zen3.svg")
        lines = text.splitlines()
        self.assertEqual(lines[0], "# AMD EPYC (Zen 3): one epoch of Fashion-MNIST")
        table = [l for l in lines if l.startswith("| ")]
        self.assertEqual(len(table), 1 + len(self.result["rows"]))  # header + one per row
        self.assertTrue(all(l.count(" | ") == 9 for l in table))  # ten columns, no stray "|"
        stage3 = next(l for l in table if l.startswith("| stage3_simd |"))
        self.assertIn("| 0.450 (0.400–0.500) | 18.9× | 4.4× vs stage2_float | 54.5 | 55 % | "
                      "79.14 % |", stage3)
        self.assertIn("gemm own, 1 thread, kernel avx2 6x16", stage3)
        xnnpack = next(l for l in table if l.startswith("| stage4_blas xnnpack |"))
        self.assertIn("**failed**: test accuracy 50.00 %", xnnpack)
        self.assertNotIn("0.100", xnnpack)  # its time is not shown
        self.assertIn("| absent: Python module numpy not installed |", text)
        self.assertIn("AMD EPYC (family 25 model 1, Zen 3)", text)
        self.assertIn("Measured with `tools/compare --save` on 2026-11-26.", text)
        self.assertIn("![seconds per epoch, log scale](amd-epyc-zen3.svg)", text)

    def test_scaled_stage1_is_marked(self):
        self.result["rows"][0]["scaled_from"] = 10000
        text = compare_lib.render_markdown(self.result)
        self.assertIn("8.50 (8.00–9.00) †", text)
        self.assertIn("† stage1_naive ran on the first 10,000 samples", text)

    def test_csv(self):
        rows = list(csv.DictReader(io.StringIO(compare_lib.render_csv(self.result))))
        self.assertEqual(len(rows), len(self.result["rows"]))
        stage3 = next(r for r in rows if r["row"] == "stage3_simd")
        self.assertEqual((stage3["seconds_median"], stage3["speedup_vs_stage1"],
                          stage3["test_accuracy_percent"], stage3["status"]),
                         ("0.45", "18.89", "79.14", "ok"))
        eigen = next(r for r in rows if r["row"] == "stage4_blas eigen")
        self.assertEqual((eigen["status"], eigen["seconds_median"]), ("failed", ""))

    def test_json_round_trip(self):
        text = compare_lib.render_json(self.result)
        self.assertEqual(json.loads(text), self.result)

    def test_svg(self):
        svg = compare_lib.render_svg(self.result)
        root = ElementTree.fromstring(svg)  # well-formed XML
        self.assertEqual(root.tag, SVG + "svg")
        bars = {}
        texts = [t.text for t in root.iter(SVG + "text")]
        for rect in root.iter(SVG + "rect"):
            title = rect.find(SVG + "title")
            if title is not None:
                bars.setdefault(title.text, []).append(float(rect.get("width")))
        ok = [r for r in self.result["rows"] if r["status"] == "ok"]
        self.assertEqual(sum(len(v) for v in bars.values()), len(ok))  # one bar per passing row
        # Log axis: stage 1 (8.5 s) against stage 2 (2.0 s) and stage 3 (0.45 s).
        baseline, = bars["baseline"]
        step, = bars["algorithm + data type"]
        simd, = bars["implementation"]
        axis = baseline - step
        self.assertAlmostEqual((step - simd) / axis, math.log(2.0 / 0.45) / math.log(8.5 / 2.0),
                               places=2)  # widths are written to 0.1 px
        self.assertIn("18.9×", texts)
        self.assertIn("79.14 %", texts)
        self.assertTrue(any(t.startswith("FAILED: test accuracy 50.00 %") for t in texts))
        self.assertIn("absent: Python module numpy not installed", texts)
        self.assertTrue(any("AMD EPYC (family 25 model 1, Zen 3)" in t for t in texts))

    def test_svg_escapes_text(self):
        self.result["rows"][5]["reason"] = "error: <bad> & worse"
        root = ElementTree.fromstring(compare_lib.render_svg(self.result))
        self.assertIn("FAILED: error: <bad> & worse", [t.text for t in root.iter(SVG + "text")])


class MachineSlugTest(unittest.TestCase):

    def test_slugs(self):
        cases = [
            (("AMD EPYC", 25, 1), "amd-epyc-zen3"),
            (("AMD EPYC 7R13 Processor", 25, 0x01), "amd-epyc-zen3"),
            (("AMD EPYC 9R14 96-Core Processor", 25, 0x11), "amd-epyc-zen4"),
            (("AMD Ryzen 9 5950X 16-Core Processor", 25, 0x21), "amd-ryzen-zen3"),
            (("AMD Ryzen 9 7950X 16-Core Processor", 25, 0x61), "amd-ryzen-zen4"),
            (("AMD Ryzen 7 7840U w/ Radeon 780M Graphics", 25, 0x74), "amd-ryzen-zen4"),
            (("AMD EPYC 9B45", 26, 2), "amd-epyc-zen5"),
            (("AMD EPYC 7742 64-Core Processor", 23, 0x31), "amd-epyc-zen2"),
            (("AMD EPYC", 25, 0x90), "amd-epyc-family25-model144"),
            (("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", 6, 106),
             "intel-xeon-platinum-8375c"),
            (("11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz", 6, 140), "intel-core-i7-1165g7"),
            (("Intel(R) Xeon(R) Processor", 6, 207), "intel-xeon-emerald-rapids"),
            (("Intel(R) Xeon(R) Processor", 6, 0x8F), "intel-xeon-sapphire-rapids"),
            (("Intel(R) Xeon(R) Processor", 6, 0x55), "intel-xeon"),
            (("unknown CPU", -1, -1), "unknown-cpu"),
            (("", -1, -1), "unknown-cpu"),
        ]
        for args, slug in cases:
            self.assertEqual(compare_lib.cpu_slug(*args), slug, args)


class ReadmeTest(unittest.TestCase):

    def test_replace_between_markers(self):
        text = "intro\n<!-- compare:begin -->\nold\n<!-- compare:end -->\noutro\n"
        new = compare_lib.replace_between(text, compare_lib.README_BEGIN, compare_lib.README_END,
                                          "new table")
        self.assertEqual(new, "intro\n<!-- compare:begin -->\nnew table\n<!-- compare:end -->\n"
                         "outro\n")
        with self.assertRaises(ValueError):
            compare_lib.replace_between("no markers", compare_lib.README_BEGIN,
                                        compare_lib.README_END, "x")

    def test_section_from_every_machine(self):
        zen3 = compare_lib.render_markdown(data.canned_result(), chart_link="amd-epyc-zen3.svg")
        section = compare_lib.readme_results_section(
            [("amd-epyc-zen4", "# Zen 4 table\n"), ("amd-epyc-zen3", zen3)],
            "tools/compare --update-readme", "2026-11-26")
        self.assertIn("Generated by `tools/compare --update-readme` on 2026-11-26", section)
        self.assertLess(section.index("### AMD EPYC (Zen 3)"), section.index("### Zen 4 table"))
        self.assertIn("](results/amd-epyc-zen3.svg)", section)

    def test_headline_from_the_fastest_row(self):
        line = compare_lib.headline([data.canned_result()])
        # Fastest passing row: stage 4 OpenBLAS, 0.25 s per epoch -> 250 s for 1,000 epochs;
        # XNNPACK's 0.1 s failed its check and does not count.
        self.assertIn("1 day 18 hours", line)
        self.assertIn("**4 minutes 10 seconds** with the fastest row, stage4_blas openblas "
                      "(0.250 s per epoch on AMD EPYC (Zen 3)", line)
        self.assertIn("run `tools/compare --save --update-readme`", compare_lib.headline([]))


if __name__ == "__main__":
    unittest.main()
