#!/usr/bin/python3
"""The blog post's approach: the perceptron in numpy, float32, whole batches as matrix products.

    reference/numpy_mlp.py --dataset=fashion --epochs=1 [--threads=1]

Same model, data, order, initial weights, flags, output and JSON record as the C++ stages
(common/trainer.cc), so its row sits in the same table. numpy hands every product to the BLAS
it is linked to: on Debian, libblas.so.3, which is OpenBLAS once libopenblas0 is installed.
--threads sets OpenBLAS's thread count (0 = all cores); numpy's own elementwise work runs on
one thread whatever it is. The shebang is Debian's python3, where python3-numpy lives.
"""
import os
import sys

import harness

THREADS_HELP = "OpenBLAS threads; 0 = all cores"


class NumpyMlp(harness.Network):
    """The training step as a numpy user writes it: three products per layer, in place where
    numpy lets us, so that what is timed is mostly the BLAS and numpy's own loops."""

    def __init__(self, np, train_split):
        self.np = np
        self.pixels = train_split.pixels
        self.labels = train_split.labels
        self.scale = harness.pixel_scale(np)
        self.layers = []

    def set_parameters(self, parameters):
        self.layers = [(w.copy(), b.copy()) for w, b in parameters]

    def _forward(self, x):
        """Logits, and the input of every layer (the hidden ones after their ReLU)."""
        np = self.np
        inputs = [x]
        for w, b in self.layers[:-1]:
            h = x @ w
            h += b
            np.maximum(h, 0, out=h)
            inputs.append(h)
            x = h
        w, b = self.layers[-1]
        logits = x @ w
        logits += b
        return logits, inputs

    def _floats(self, pixels):
        return self.np.multiply(pixels, self.scale, dtype=self.np.float32)

    def train_step(self, samples, learning_rate):
        np = self.np
        n = len(samples)
        labels = self.labels[samples]
        logits, inputs = self._forward(self._floats(self.pixels[samples]))
        correct = int(np.count_nonzero(logits.argmax(axis=1) == labels))
        # Softmax cross-entropy, shifted by the largest logit so exp() cannot overflow.
        rows = np.arange(n)
        top = logits.max(axis=1, keepdims=True)
        delta = np.exp(logits - top)
        sums = delta.sum(axis=1, keepdims=True)
        per_sample = top[:, 0] + np.log(sums[:, 0]) - logits[rows, labels]
        loss = float(per_sample.sum(dtype=np.float64)) / n
        # dLoss/dlogits = (softmax - one_hot) / n, as the loss is the batch mean.
        delta /= sums
        delta[rows, labels] -= 1
        delta /= np.float32(n)
        for layer in range(len(self.layers) - 1, -1, -1):
            w, b = self.layers[layer]
            x = inputs[layer]
            weight_gradient = x.T @ delta
            bias_gradient = delta.sum(axis=0)
            if layer > 0:
                delta = delta @ w.T  # with the weights before this step's update
                delta *= x > 0  # ReLU passes no gradient where it output zero
            weight_gradient *= learning_rate
            w -= weight_gradient
            bias_gradient *= learning_rate
            b -= bias_gradient
        return loss, correct

    def count_correct(self, split):
        correct = 0
        for first in range(0, split.count, 500):
            logits, _ = self._forward(self._floats(split.pixels[first:first + 500]))
            correct += int(self.np.count_nonzero(logits.argmax(axis=1) ==
                                                 split.labels[first:first + 500]))
        return correct


def numpy_build(np):
    """numpy's SIMD: what it was compiled for, and up to what it dispatches on this CPU."""
    try:
        from numpy.core._multiarray_umath import (__cpu_baseline__, __cpu_dispatch__,
                                                  __cpu_features__)
    except ImportError:
        return "numpy's baseline"
    used = [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]
    return "%s, dispatching up to %s" % ((__cpu_baseline__ or ["none"])[-1].lower(),
                                         (used or ["nothing"])[-1].lower())


def main(argv):
    config = harness.parse_command_line(
        argv, "trains the MNIST perceptron in numpy (the reference row).\n"
        "Example: reference/numpy_mlp.py --dataset=fashion --epochs=1", THREADS_HELP)
    threads = config.threads or os.cpu_count() or 1
    harness.set_blas_threads(threads)  # before numpy loads OpenBLAS
    np = harness.import_or_fail(
        "numpy", "numpy", "./setup.sh installs Debian's python3-numpy for /usr/bin/python3; "
        "run reference/numpy_mlp.py directly (its shebang is /usr/bin/python3)")
    gemm, blas = harness.blas_description()
    engine = {"gemm": gemm, "threads": threads,
              "details": "numpy %s, %s" % (np.__version__, blas)}
    machine = harness.this_machine(harness.python_version(),
                                   "debian python3-numpy: " + numpy_build(np))
    return harness.run(np, "numpy", config, lambda split: NumpyMlp(np, split), engine, machine)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
