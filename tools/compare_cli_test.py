"""tools/compare as a user meets it without measuring: --from a saved result, and bad input."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare_lib  # noqa: E402
import compare_testdata as data  # noqa: E402

COMPARE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "compare")


def compare(*args):
    return subprocess.run([sys.executable, COMPARE] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True)


class CompareCliTest(unittest.TestCase):

    def test_from_a_saved_result_prints_and_writes_everything(self):
        with tempfile.TemporaryDirectory() as tmp:
            saved = os.path.join(tmp, "saved.json")
            with open(saved, "w") as f:
                json.dump(data.canned_result(), f)
            out = os.path.join(tmp, "out")
            done = compare("--from", saved, "--out", out)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(done.stdout, compare_lib.render_markdown(data.canned_result()))
            self.assertEqual(sorted(os.listdir(out)), ["amd-epyc-zen3.csv", "amd-epyc-zen3.json",
                                                       "amd-epyc-zen3.md", "amd-epyc-zen3.svg"])
            with open(os.path.join(out, "amd-epyc-zen3.json")) as f:
                self.assertEqual(json.load(f), data.canned_result())

    def test_bad_input_is_one_line_and_exit_1(self):
        with tempfile.TemporaryDirectory() as tmp:
            not_a_result = os.path.join(tmp, "record.json")
            with open(not_a_result, "w") as f:
                json.dump({"schema": compare_lib.RECORD_SCHEMA}, f)
            cases = [
                (["--rounds", "0"], "error: --rounds=0: at least 1"),
                (["--stage1-limit", "-5"], "error: --stage1-limit=-5"),
                (["--rows", "stage[", "--no-run"], "error: --rows=stage[ is not a regular"),
                (["--rows", "stage1", "--save"], "error: --save keeps this machine's whole"),
                (["--from", os.path.join(tmp, "missing.json")], "error: cannot read --from="),
                (["--from", not_a_result], "is not a mnist_perf.compare/1 file"),
            ]
            for args, message in cases:
                done = compare(*args)
                self.assertEqual(done.returncode, 1, args)
                self.assertEqual(len(done.stderr.strip().splitlines()), 1, done.stderr)
                self.assertIn(message, done.stderr)


if __name__ == "__main__":
    unittest.main()
