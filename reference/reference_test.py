#!/usr/bin/python3
"""The Python references against the C++ project: same generator, same initial weights, and the
same losses and accuracies as //stage1_naive:train on a few batches of real data.

    reference_test.py STAGE1_TRAINER        (bazel test //reference:reference_test)

Runs under Debian's /usr/bin/python3 (the interpreter python3-numpy and python3-torch install
into). The generator tests need nothing else; the numpy tests skip, saying why, when numpy is
missing, and the PyTorch tests when torch is (CI installs numpy, not PyTorch).
"""
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

import harness  # noqa: E402
import rng  # noqa: E402

STAGE1 = None  # the stage 1 trainer binary, from the command line


def has_module(name):
    try:
        __import__(name)
        return True
    except ImportError:
        return False


HAS_NUMPY = has_module("numpy")
HAS_TORCH = HAS_NUMPY and has_module("torch")
NO_NUMPY = "numpy is not installed for %s: ./setup.sh installs python3-numpy" % sys.executable
NO_TORCH = ("PyTorch is not installed for %s: ./setup.sh --with-torch installs python3-torch" %
            sys.executable)


def float32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def run(command, *args, env=None):
    """(exit code, stdout, stderr) of a trainer; the environment as a user would have it."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", **(env or {}))
    done = subprocess.run(list(command) + list(args), capture_output=True, text=True, env=env,
                          timeout=600)
    return done.returncode, done.stdout, done.stderr


class OpenBlasCoreTest(unittest.TestCase):
    """Which OpenBLAS kernels count as a fallback (tools/compare then sets OPENBLAS_CORETYPE)."""

    def test_fallback_kernels_are_replaced_by_what_the_cpu_runs(self):
        better = harness.better_openblas_core
        self.assertEqual(better("Prescott", ["sse3", "avx2", "fma", "avx512f"]), "SkylakeX")
        self.assertEqual(better("Sandybridge", ["avx", "avx2", "fma"]), "Haswell")

    def test_kernels_that_suit_the_cpu_are_kept(self):
        better = harness.better_openblas_core
        self.assertIsNone(better("Zen", ["avx2", "fma", "avx512f"]))
        self.assertIsNone(better("SkylakeX", ["avx2", "fma", "avx512f"]))
        self.assertIsNone(better("Prescott", ["sse3"]))  # an old CPU: old kernels are right


class Mt19937_64Test(unittest.TestCase):

    def test_standard_check_value(self):
        # The C++ standard ([rand.predef]): the 10000th output of a default-constructed
        # std::mt19937_64 is 9981545732273789042.
        engine = rng.Mt19937_64()
        for _ in range(9999):
            engine()
        self.assertEqual(engine(), 9981545732273789042)

    def test_first_outputs_match_libstdcxx(self):
        # Printed by std::mt19937_64 (GCC 12): default seed 5489, then seed 1.
        self.assertEqual(rng.Mt19937_64()(), 14514284786278117030)
        engine = rng.Mt19937_64(1)
        self.assertEqual([engine(), engine(), engine()],
                         [2469588189546311528, 2516265689700432462, 8323445853463659930])

    def test_seeds_are_taken_modulo_2_to_the_64(self):
        self.assertEqual(rng.Mt19937_64(2**64 + 1)(), rng.Mt19937_64(1)())


class RngTest(unittest.TestCase):
    """The golden values of common/model_test.cc (Rng.GoldenNormals, Rng.GoldenShuffle)."""

    def test_golden_normals(self):
        r = rng.Rng(1)
        self.assertEqual([r.normal(), r.normal(), r.normal()],
                         [1.3128515289855616, 1.2506039211781215, 1.228521999961057])

    def test_golden_shuffle(self):
        values = list(range(10))
        rng.Rng(1).shuffle(values)
        self.assertEqual(values, [1, 7, 3, 9, 4, 0, 5, 2, 6, 8])

    def test_below_stays_in_range(self):
        r = rng.Rng(5)
        for n in (1, 2, 3, 10, 1000003, 2**63 + 1, 2**64 - 1):
            for _ in range(200):
                self.assertLess(r.below(n), n)

    def test_uniform_in_open_unit_interval(self):
        r = rng.Rng(17)
        draws = [r.uniform() for _ in range(20000)]
        self.assertTrue(all(0 < u < 1 for u in draws))
        self.assertAlmostEqual(sum(draws) / len(draws), 0.5, delta=0.01)

    def test_he_weights_are_rng_normals_in_order(self):
        # Layer 0 takes the first 784 * 16 normals, layer 1 the next 16 * 10 (InitParameters).
        layers = rng.he_weights([784, 16, 10], 3)
        r = rng.Rng(3)
        self.assertEqual(layers[0], [math.sqrt(2 / 784) * r.normal() for _ in range(784 * 16)])
        self.assertEqual(layers[1], [math.sqrt(2 / 16) * r.normal() for _ in range(16 * 10)])

    def test_golden_first_weights(self):
        # common/model_test.cc InitParameters.GoldenFirstWeights.
        he0 = math.sqrt(2.0 / 784)
        first = [float32(w) for w in rng.he_weights([784, 128, 10], 1)[0][:3]]
        self.assertEqual(first, [float32(he0 * 1.3128515289855616),
                                 float32(he0 * 1.2506039211781215),
                                 float32(he0 * 1.228521999961057)])


class FlagsTest(unittest.TestCase):

    def test_defaults_are_the_cpp_trainers(self):
        c = harness.parse_flags([])
        self.assertEqual((c.dataset, c.epochs, c.batch_size, c.learning_rate, c.hidden, c.seed,
                          c.limit, c.threads), ("mnist", 5, 64, 0.1, [128], 1, 0, 0))

    def test_both_spellings(self):
        c = harness.parse_flags(["--hidden=256,128", "--epochs", "2",
                                 "--seed=18446744073709551615"])
        self.assertEqual((c.hidden, c.epochs, c.seed), ([256, 128], 2, 2**64 - 1))

    def test_flops_match_common_model(self):
        # common/model_test.cc Flops.Training.
        self.assertEqual(harness.training_flops_per_sample([784, 128, 10]), 409088.0)


@unittest.skipUnless(HAS_NUMPY, NO_NUMPY)
class InitParametersTest(unittest.TestCase):

    def test_float32_he_weights_and_zero_biases(self):
        import numpy as np
        params = harness.init_parameters(np, [784, 128, 10], 1)
        (w0, b0), (w1, b1) = params
        self.assertEqual((w0.shape, w0.dtype, w1.shape, b0.shape, b1.shape),
                         ((784, 128), np.float32, (128, 10), (128,), (10,)))
        self.assertFalse(b0.any() or b1.any())
        he0 = math.sqrt(2.0 / 784)
        self.assertEqual(w0[0, :3].tolist(), [float32(he0 * 1.3128515289855616),
                                              float32(he0 * 1.2506039211781215),
                                              float32(he0 * 1.228521999961057)])
        self.assertAlmostEqual(float(w0.std()), he0, delta=0.02 * he0)


class MatchesStage1:
    """A reference trained on a few batches of Fashion-MNIST gives stage 1's losses and
    accuracies (doubles there, float32 here) for the same flags."""

    SCRIPT = None
    STAGE = None

    def compare(self, *flags, threads=1):
        tmp = tempfile.mkdtemp()
        ours_json, theirs_json = os.path.join(tmp, "ours.json"), os.path.join(tmp, "theirs.json")
        code, out, err = run([os.path.join(HERE, self.SCRIPT)], "--dataset=fashion", *flags,
                             "--threads=%d" % threads, "--json_out=" + ours_json)
        self.assertEqual(code, 0, err)
        code, _, err = run([STAGE1], "--dataset=fashion", *flags, "--json_out=" + theirs_json)
        self.assertEqual(code, 0, err)
        with open(ours_json) as f:
            text = f.read()
        # The record: written to the file and printed as the last line, as the C++ trainer does.
        self.assertEqual(out.splitlines()[-1] + "\n", text)
        ours = json.loads(text)
        with open(theirs_json) as f:
            theirs = json.load(f)
        self.assertEqual(ours["schema"], "mnist_perf.run/2")
        self.assertEqual(ours["stage"], self.STAGE)
        self.assertEqual(sorted(ours), sorted(theirs))
        self.assertEqual(sorted(ours["machine"]), sorted(theirs["machine"]))
        for key in ("dataset", "train_samples", "test_samples", "layers", "epochs", "batch_size",
                    "learning_rate", "seed", "limit"):
            self.assertEqual(ours[key], theirs[key], key)
        self.assertEqual(len(ours["per_epoch"]), len(theirs["per_epoch"]))
        samples = ours["train_samples"]
        for a, b in zip(ours["per_epoch"], theirs["per_epoch"]):
            self.assertAlmostEqual(a["loss"], b["loss"], delta=1e-3 * b["loss"])
            self.assertAlmostEqual(a["train_accuracy"], b["train_accuracy"], delta=2.5 / samples)
            self.assertAlmostEqual(a["test_accuracy"], b["test_accuracy"], delta=0.001)
        return ours, out, err

    def test_a_few_batches(self):
        ours, out, _ = self.compare("--limit=640", "--epochs=2")
        self.assertEqual(ours["threads"], 1)
        # The human lines of common::TrainerMain.
        lines = out.splitlines()
        self.assertRegex(lines[0], r"^%s \(gemm \w+, 1 thread, .*\): 784-128-10 perceptron on "
                         r"fashion \(640 train / 10000 test samples from .*\), batch 64, "
                         r"learning rate 0.1, 2 epochs$" % self.STAGE)
        self.assertRegex(lines[1], r"^epoch 1/2  loss \d\.\d{4}  train \d+\.\d\d%  test "
                         r"\d+\.\d\d%  \d+\.\d\d s  \d+ samples/s  \d+\.\d\d GFLOP/s$")
        self.assertRegex(lines[3], r"^%s: test accuracy \d+\.\d\d%% after 2 epochs, .* per epoch "
                         r"on .*cores" % self.STAGE)

    def test_partial_last_batch_and_two_hidden_layers(self):
        # 600 = 9 * 64 + 24: the last step is scaled by 24/64 (common/trainer.h).
        self.compare("--limit=600", "--hidden=32,16", "--batch_size=64", "--learning_rate=0.05",
                     "--seed=7")


@unittest.skipUnless(HAS_NUMPY, NO_NUMPY)
class NumpyMatchesStage1(MatchesStage1, unittest.TestCase):
    SCRIPT = "numpy_mlp.py"
    STAGE = "numpy"

    def test_threads_reach_openblas(self):
        ours, _, _ = self.compare("--limit=128", "--epochs=1", threads=2)
        self.assertEqual(ours["gemm"], "openblas", ours["details"])
        self.assertEqual(ours["threads"], 2)
        self.assertIn("2 threads", ours["details"])  # what OpenBLAS itself reports


@unittest.skipUnless(HAS_TORCH, NO_TORCH)
class TorchMatchesStage1(MatchesStage1, unittest.TestCase):
    SCRIPT = "torch_mlp.py"
    STAGE = "pytorch"


def expect_error(test, want, command, *args, env=None):
    """Bad input: one `error: ...` line on stderr, exit 1, as the C++ trainers do."""
    code, _, err = run(command, *args, env=env)
    test.assertEqual(code, 1, err)
    test.assertEqual(len(err.splitlines()), 1, err)
    test.assertTrue(err.startswith("error: "), err)
    test.assertIn(want, err)


NUMPY_MLP = os.path.join(HERE, "numpy_mlp.py")
TORCH_MLP = os.path.join(HERE, "torch_mlp.py")


class CommandLineErrorsTest(unittest.TestCase):
    """Caught before numpy is imported, so these run without it too."""

    def test_bad_flags(self):
        for want, flag in [("--epochs=0", "--epochs=0"), ("--epochs=abc", "--epochs=abc"),
                           ("--batch_size=-3", "--batch_size=-3"),
                           ("--learning_rate=0", "--learning_rate=0"),
                           ("--hidden=12,,3", "--hidden=12,,3"), ("--seed=-1", "--seed=-1"),
                           ("--threads=-1", "--threads=-1"), ("unknown flag --gemm", "--gemm=own"),
                           ("unexpected argument 'stray'", "stray"),
                           ("--epochs needs a value", "--epochs")]:
            for script in (NUMPY_MLP, TORCH_MLP):
                with self.subTest(flag=flag, script=os.path.basename(script)):
                    expect_error(self, want, [script], flag)
        expect_error(self, "larger than --limit", [NUMPY_MLP], "--limit=10", "--batch_size=64")

    def test_missing_numpy(self):
        # -S leaves Debian's dist-packages off the path: as if python3-numpy were not there.
        for script in (NUMPY_MLP, TORCH_MLP):
            expect_error(self, "numpy is not installed", [sys.executable, "-S", script])


@unittest.skipUnless(HAS_NUMPY, NO_NUMPY)
class RunErrorsTest(unittest.TestCase):

    def test_bad_data(self):
        tmp = tempfile.mkdtemp()
        os.mkdir(os.path.join(tmp, "empty"))
        os.mkdir(os.path.join(tmp, "corrupt"))
        with open(os.path.join(tmp, "corrupt", "train-images-idx3-ubyte"), "wb") as f:
            f.write(b"not an idx file")
        with open(os.path.join(tmp, "corrupt", "train-labels-idx1-ubyte"), "wb") as f:
            f.write(b"\x00\x00\x08\x01\x00\x00\x00\x02\x01\x02")
        expect_error(self, "--dataset=cifar is unknown", [NUMPY_MLP], "--dataset=cifar")
        expect_error(self, "no train-images-idx3-ubyte[.gz] in %s/empty: pass --data_dir" % tmp,
                     [NUMPY_MLP], "--data_dir=%s/empty" % tmp)
        expect_error(self, "bad magic number", [NUMPY_MLP], "--data_dir=%s/corrupt" % tmp)
        expect_error(self, "cannot write --json_out", [NUMPY_MLP], "--dataset=fashion",
                     "--limit=64", "--json_out=%s/no/such/dir.json" % tmp)

    def test_divergence(self):
        expect_error(self, "training diverged", [NUMPY_MLP], "--dataset=fashion", "--limit=640",
                     "--learning_rate=1e6")

    def test_missing_torch(self):
        # A torch module that fails to import, ahead of the real one (if any) on the path.
        fake = tempfile.mkdtemp()
        with open(os.path.join(fake, "torch.py"), "w") as f:
            f.write("raise ImportError('No module named torch (simulated)')\n")
        expect_error(self, "./setup.sh --with-torch", [TORCH_MLP], "--epochs=1",
                     env={"PYTHONPATH": fake})


def main():
    global STAGE1
    if len(sys.argv) < 2:
        sys.exit("usage: reference_test.py STAGE1_TRAINER [unittest args]")
    STAGE1 = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)


if __name__ == "__main__":
    main()
