#!/usr/bin/python3
"""The perceptron as a PyTorch user writes it: nn.Linear, nn.ReLU, nn.CrossEntropyLoss, optim.SGD.

    reference/torch_mlp.py --dataset=fashion --epochs=1 [--threads=1]

Same model, data, order, initial weights, flags, output and JSON record as the C++ stages
(common/trainer.cc), float32 on the CPU. Debian's PyTorch 1.13 hands its float matrix products
to libblas.so.3 (OpenBLAS) and runs everything else on its OpenMP threads, so --threads sets
both. PyTorch is optional: ./setup.sh --with-torch installs Debian's python3-torch.
"""
import os
import sys

import harness

# What --threads=0 means. Measured on the 2-core Zen 3 VM this project runs on (reference/
# README.md): one thread beat two by a wide margin, because PyTorch's OpenMP threads and
# OpenBLAS's threads spin and wait for each other on the same two cores. On a machine with
# more cores, try --threads=N and compare.
BEST_MEASURED_THREADS = 1
THREADS_HELP = ("PyTorch's and OpenBLAS's threads; 0 = %d, the fastest measured on this "
                "project's 2-core machine" % BEST_MEASURED_THREADS)


class TorchMlp(harness.Network):

    def __init__(self, torch, np, train_split, sizes):
        self.torch = torch
        nn = torch.nn
        # Copies: numpy's view of the file's bytes is read-only, which torch warns about.
        self.pixels = torch.tensor(train_split.pixels)
        self.labels = torch.tensor(train_split.labels, dtype=torch.int64)
        self.scale = float(harness.pixel_scale(np))  # a float32 value, held exactly
        layers = []
        for inputs, outputs in zip(sizes, sizes[1:]):
            layers += [nn.Linear(inputs, outputs), nn.ReLU()]
        self.model = nn.Sequential(*layers[:-1])  # no ReLU after the logits
        self.linears = [m for m in self.model if isinstance(m, nn.Linear)]
        self.loss = nn.CrossEntropyLoss()  # mean softmax cross-entropy over the batch
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)

    def set_parameters(self, parameters):
        with self.torch.no_grad():
            for linear, (w, b) in zip(self.linears, parameters):
                linear.weight.copy_(self.torch.from_numpy(w.T.copy()))  # nn.Linear: [out][in]
                linear.bias.copy_(self.torch.from_numpy(b))

    def train_step(self, samples, learning_rate):
        torch = self.torch
        index = torch.from_numpy(samples)
        x = self.pixels.index_select(0, index).float().mul_(self.scale)
        y = self.labels.index_select(0, index)
        logits = self.model(x)
        loss = self.loss(logits, y)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        for group in self.optimizer.param_groups:
            group["lr"] = float(learning_rate)  # smaller for a last, partial batch
        self.optimizer.step()
        correct = int((logits.argmax(dim=1) == y).sum())
        return loss.item(), correct

    def count_correct(self, split):
        torch = self.torch
        correct = 0
        with torch.no_grad():
            for first in range(0, split.count, 500):
                x = torch.from_numpy(split.pixels[first:first + 500].astype("float32"))
                logits = self.model(x.mul_(self.scale))
                labels = torch.from_numpy(split.labels[first:first + 500].astype("int64"))
                correct += int((logits.argmax(dim=1) == labels).sum())
        return correct


def cpu_capability(torch):
    """The SIMD PyTorch's own kernels picked at run time, from its build report."""
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage:" in line:
            return line.split(":", 1)[1].strip().lower()
    return "unknown"


def main(argv):
    config = harness.parse_command_line(
        argv, "trains the MNIST perceptron in PyTorch (the reference row).\n"
        "Example: reference/torch_mlp.py --dataset=fashion --epochs=1", THREADS_HELP)
    threads = config.threads or BEST_MEASURED_THREADS
    harness.set_blas_threads(threads)  # before torch loads OpenBLAS and OpenMP
    np = harness.import_or_fail(
        "numpy", "numpy", "./setup.sh installs Debian's python3-numpy for /usr/bin/python3")
    torch = harness.import_or_fail(
        "torch", "PyTorch", "./setup.sh --with-torch installs Debian's python3-torch (about "
        "600 MB) for /usr/bin/python3; run reference/torch_mlp.py directly")
    torch.set_num_threads(threads)
    _, blas = harness.blas_description()
    omp = torch.get_num_threads()
    details = "torch %s, %d OpenMP %s" % (torch.__version__, omp, "thread" if omp == 1 else
                                           "threads")
    if os.environ.get("OMP_WAIT_POLICY"):  # libgomp's waiting threads spin unless told
        details += " (OMP_WAIT_POLICY=%s)" % os.environ["OMP_WAIT_POLICY"]
    engine = {"gemm": "torch", "threads": threads,
              "details": "%s, products by %s" % (details, blas)}
    machine = harness.this_machine(harness.python_version(),
                                   "debian python3-torch: kernels " + cpu_capability(torch))
    sizes = harness.layer_sizes(config.hidden)
    return harness.run(np, "pytorch", config, lambda split: TorchMlp(torch, np, split, sizes),
                       engine, machine)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
