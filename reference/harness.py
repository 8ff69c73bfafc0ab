"""What the numpy and PyTorch references share with the C++ trainers, written once in Python.

The flags, their checks and error lines (common/flags.cc), the IDX data (common/idx.cc,
common/dataset.cc), the initial weights and epoch order (common/rng.cc via rng.py), the training
loop (common/trainer.cc), the machine (common/machine.cc) and the report and JSON record
(common/report.cc). A reference brings only its network: see Network below.

Nothing here imports numpy at load time: OpenBLAS reads its thread count from the environment
when numpy first loads it, so a trainer parses its flags and sets the environment first.
"""
import datetime
import gzip
import math
import os
import signal
import sys
import time

import rng

IMAGE_PIXELS = 28 * 28
CLASSES = 10
MAX_WIDTH = 65536
MAX_IDX_ITEMS = 10_000_000
DIVERGED_LOSS = 1000
MNIST_DIR = "/usr/local/share/datasets/mnist"
FASHION_DIR = "/usr/share/datasets/fashion-mnist"
SCHEMA = "mnist_perf.run/2"


class UsageError(Exception):
    """A problem the user can fix; main() prints it as one `error: ...` line and exits 1."""


def fail(message):
    print("error: %s" % message, file=sys.stderr)
    sys.exit(1)


# ---- Flags (common/flags.cc) -----------------------------------------------------------------

FLAGS = {  # name: (default, help)
    "dataset": ("mnist", "mnist or fashion (ignored with --data_dir)"),
    "data_dir": ("", "directory with train-/t10k- images-idx3-ubyte and labels-idx1-ubyte "
                     "(optionally .gz), e.g. the official MNIST files"),
    "epochs": (5, "passes over the training data"),
    "batch_size": (64, "samples per SGD step"),
    "learning_rate": (0.1, "SGD step size"),
    "hidden": ("128", "hidden layer widths, comma separated, e.g. 256,128"),
    "seed": (1, "seed of the initial weights and of the shuffle"),
    "limit": (0, "train on the first N samples only (0: all)"),
    "json_out": ("", "also write the result record (JSON) to this file"),
    "threads": (0, "threads to compute on; 0 = this trainer's default (see its --help)"),
}


class Config:
    """common::TrainConfig."""

    def __init__(self):
        for name, (default, _) in FLAGS.items():
            setattr(self, name, default)
        self.hidden = [128]


def usage(program, about, threads_help):
    lines = ["%s: %s" % (program, about), "", "Flags (--flag=default  what it sets):"]
    for name, (default, text) in FLAGS.items():
        lines.append("  --%s=%s  %s" % (name, default, threads_help if name == "threads" else text))
    return "\n".join(lines)


def _whole_number(name, text, low, high, hint):
    try:
        value = int(text, 10)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise UsageError("--%s=%s: %s" % (name, text, hint))
    return value


def parse_hidden(text):
    widths = []
    for part in text.split(","):
        try:
            width = int(part, 10)
        except ValueError:
            width = 0
        if not 1 <= width <= MAX_WIDTH:
            raise UsageError("--hidden=%s: each width must be a whole number from 1 to 65536, "
                             "e.g. 256,128" % text)
        widths.append(width)
    return widths


def parse_flags(argv):
    """Flags as absl takes them (--flag=value or --flag value), checked as ValidateConfig does.

    Returns a Config, None for --help, or raises UsageError naming the flag.
    """
    c = Config()
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg in ("--help", "-h", "--helpfull"):
            return None
        if not arg.startswith("-") or arg in ("-", "--"):
            raise UsageError("unexpected argument '%s': options are --flag=value" % arg)
        name, has_value, text = arg.lstrip("-").partition("=")
        if name not in FLAGS:
            raise UsageError("unknown flag --%s: the flags are --%s" % (name, ", --".join(FLAGS)))
        if not has_value:
            if not args:
                raise UsageError("--%s needs a value: --%s=VALUE" % (name, name))
            text = args.pop(0)
        if name in ("dataset", "data_dir", "json_out"):
            setattr(c, name, text)
        elif name == "hidden":
            c.hidden = parse_hidden(text)
        elif name == "learning_rate":
            try:
                c.learning_rate = float(text)
            except ValueError:
                c.learning_rate = math.nan
            if not (c.learning_rate > 0 and math.isfinite(c.learning_rate)):
                raise UsageError("--learning_rate=%s: must be a positive number, e.g. 0.1" % text)
        elif name == "seed":
            c.seed = _whole_number(name, text, 0, 2**64 - 1,
                                   "must be a whole number from 0 to 18446744073709551615")
        elif name == "epochs":
            c.epochs = _whole_number(name, text, 1, 2**31 - 1, "must be at least 1")
        elif name == "batch_size":
            c.batch_size = _whole_number(name, text, 1, 2**31 - 1, "must be at least 1")
        elif name == "limit":
            c.limit = _whole_number(name, text, 0, 2**31 - 1, "must be 0 (all samples) or more")
        elif name == "threads":
            c.threads = _whole_number(name, text, 0, 4096,
                                      "must be 0 (this trainer's default) or more")
    if c.limit > 0 and c.batch_size > c.limit:
        raise UsageError("--batch_size=%d is larger than --limit=%d" % (c.batch_size, c.limit))
    return c


def parse_command_line(argv, about, threads_help):
    """parse_flags for main(): prints --help, and turns a UsageError into `error: ...`, exit 1."""
    # Like the C++ trainers, end quietly when stdout's reader goes away (`... | head -1`).
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        config = parse_flags(argv[1:])
    except UsageError as e:
        fail(e)
    if config is None:
        print(usage(os.path.basename(argv[0]), about, threads_help))
        sys.exit(0)
    return config


def import_or_fail(module, what, how):
    """Imports `module`, or stops with one line naming this interpreter and what to install."""
    try:
        return __import__(module)
    except ImportError as e:
        fail("%s is not installed for %s (%s): %s" % (what, sys.executable, e, how))


# ---- Data (common/idx.cc, common/dataset.cc) --------------------------------------------------


def _read_idx(path, rank):
    """The dimensions and payload bytes of an IDX file, plain or gzipped; UsageError if bad."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except OSError as e:  # gzip.BadGzipFile and truncated streams are OSErrors (EOFError below)
        raise UsageError("%s: cannot read (%s): the file is corrupt, download it again" %
                         (path, e.strerror or e))
    except EOFError:
        raise UsageError("%s: gzip stream ends early: truncated, download it again" % path)
    truncated = "%s: file ends in the middle of the header: truncated, download it again" % path
    if len(raw) < 4:
        raise UsageError(truncated)
    if raw[0] != 0 or raw[1] != 0:
        raise UsageError("%s: not an IDX file (bad magic number)" % path)
    if raw[2] != 0x08:
        raise UsageError("%s: IDX element type 0x%x is not unsigned bytes (0x08)" % (path, raw[2]))
    if raw[3] != rank:
        raise UsageError("%s: IDX file has %d dimensions, expected %d (%s)" %
                         (path, raw[3], rank, "an images file" if rank == 3 else "a labels file"))
    if len(raw) < 4 + 4 * rank:
        raise UsageError(truncated)
    dims = [int.from_bytes(raw[4 + 4 * d:8 + 4 * d], "big") for d in range(rank)]
    for d, size in enumerate(dims):
        if size == 0:
            raise UsageError("%s: dimension %d is zero" % (path, d))
        if size > MAX_IDX_ITEMS:
            raise UsageError("%s: dimension %d is %d, an absurd size: the header is corrupt" %
                             (path, d, size))
    payload = memoryview(raw)[4 + 4 * rank:]
    total = math.prod(dims)
    if len(payload) < total:
        raise UsageError("%s: file ends in the middle of the data: truncated, download it again" %
                         path)
    if len(payload) > total:
        raise UsageError("%s: has more bytes than its header announces: not a valid IDX file" %
                         path)
    return dims, payload


def _how_to_get(name):
    if name == "fashion":
        return "install Debian's dataset-fashion-mnist (./setup.sh does)"
    if name == "mnist":
        return "run ./setup.sh, or pass --data_dir=DIR holding the official MNIST IDX files"
    return "pass --data_dir=DIR holding <train|t10k>-<images-idx3|labels-idx1>-ubyte[.gz]"


class Split:
    """Images as the bytes of the file, uint8 [count][784], and their labels, uint8 [count]."""

    def __init__(self, pixels, labels):
        self.pixels = pixels
        self.labels = labels

    @property
    def count(self):
        return len(self.labels)


def _load_split(np, directory, prefix, how):
    paths = []
    for name in (prefix + "-images-idx3-ubyte", prefix + "-labels-idx1-ubyte"):
        found = [p for p in (os.path.join(directory, name), os.path.join(directory, name + ".gz"))
                 if os.access(p, os.R_OK)]
        if not found:
            raise UsageError("no %s[.gz] in %s: %s" % (name, directory, how))
        paths.append(found[0])
    dims, payload = _read_idx(paths[0], 3)
    if dims[1:] != [28, 28]:
        raise UsageError("%s: images are %dx%d, but the model takes 28x28" %
                         (paths[0], dims[1], dims[2]))
    pixels = np.frombuffer(payload, dtype=np.uint8).reshape(dims[0], IMAGE_PIXELS)
    _, payload = _read_idx(paths[1], 1)
    labels = np.frombuffer(payload, dtype=np.uint8)
    bad = np.flatnonzero(labels >= CLASSES)
    if bad.size:
        raise UsageError("%s: label %d at index %d is outside 0..9" %
                         (paths[1], labels[bad[0]], bad[0]))
    if len(pixels) != len(labels):
        raise UsageError("%s holds %d images but %s holds %d labels: the files do not belong "
                         "together" % (paths[0], len(pixels), paths[1], len(labels)))
    return Split(pixels, labels)


def load_dataset(np, name, data_dir):
    """(name, directory, train Split, test Split) as common::LoadDataset finds them."""
    if not data_dir and name not in ("mnist", "fashion"):
        raise UsageError("--dataset=%s is unknown: use mnist or fashion (or --data_dir)" % name)
    name = "custom" if data_dir else name
    directory = data_dir or (MNIST_DIR if name == "mnist" else FASHION_DIR)
    how = _how_to_get(name)
    return (name, directory, _load_split(np, directory, "train", how),
            _load_split(np, directory, "t10k", how))


def pixel_scale(np):
    """What a pixel byte is multiplied by: the C++ code's 1.0f / 255, a float32 division."""
    return np.float32(1) / np.float32(255)


def layer_sizes(hidden):
    return [IMAGE_PIXELS] + list(hidden) + [CLASSES]


def training_flops_per_sample(sizes):
    """common::TrainingFlopsPerSample: three products per layer, none for the image's gradient."""
    forward = sum(2.0 * a * b for a, b in zip(sizes, sizes[1:]))
    return 2 * forward + sum(2.0 * a * b for a, b in zip(sizes[1:], sizes[2:]))


# ---- Machine (common/machine.cc) --------------------------------------------------------------


def _cpuinfo(key):
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                name, colon, value = line.partition(":")
                if colon and name.strip() == key:
                    return value.strip()
    except OSError:
        pass
    return ""


def _cpuinfo_number(key):
    try:
        return int(_cpuinfo(key))
    except ValueError:
        return -1


def this_machine(compiler, compiled_for):
    """common::ThisMachine's fields. The trainer names its interpreter and libraries' build."""
    flags = set(_cpuinfo("flags").split())
    machine = os.uname().machine
    if machine == "x86_64":
        simd = ("avx512" if "avx512f" in flags else
                "avx2" if {"avx2", "fma"} <= flags else "sse2")
    else:
        simd = "neon" if machine == "aarch64" else "none"
    return {
        "cpu": _cpuinfo("model name") or "unknown CPU",
        "cpu_family": _cpuinfo_number("cpu family"),
        "cpu_model": _cpuinfo_number("model"),
        "simd": simd,
        "cores": os.cpu_count() or 1,
        "compiler": compiler,
        "compiled_for": compiled_for,
    }


def machine_line(m):
    line = m["cpu"]
    if m["cpu_family"] >= 0:
        line += " (family %d model %d)" % (m["cpu_family"], m["cpu_model"])
    return "%s, %s, %d %s; %s, built for %s" % (line, m["simd"], m["cores"],
                                                 "core" if m["cores"] == 1 else "cores",
                                                 m["compiler"], m["compiled_for"])


def python_version():
    return "python %d.%d.%d" % sys.version_info[:3]


def loaded_blas():
    """The real path of the BLAS library this process has mapped (numpy's libblas.so.3 is
    Debian's alternatives symlink: OpenBLAS, BLIS or the reference BLAS), or ""."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "/" in line}
    except OSError:
        return ""
    for key in ("openblas", "blis", "libmkl", "libblas"):
        for path in sorted(paths):
            if key in os.path.basename(path):
                return os.path.realpath(path)
    return ""


def openblas_info(path):
    """("OpenBLAS 0.3.21", "Zen", threads) if `path` is OpenBLAS, else None."""
    import ctypes
    try:
        lib = ctypes.CDLL(path)
        lib.openblas_get_config.restype = ctypes.c_char_p
        lib.openblas_get_corename.restype = ctypes.c_char_p
    except (OSError, AttributeError):
        return None
    config = lib.openblas_get_config().decode().split()
    return (" ".join(config[:2]), lib.openblas_get_corename().decode(),
            lib.openblas_get_num_threads())


# OpenBLAS's x86-64 kernels that use neither AVX2 nor AVX-512 (common/machine.cc has the same
# list for the C++ trainers; tools/compare uses this one).
OLD_OPENBLAS_CORES = {"Katmai", "Coppermine", "Northwood", "Prescott", "Banias", "Atom", "Core2",
                      "Penryn", "Dunnington", "Nehalem", "Opteron", "Opteron(SSE3)", "Barcelona",
                      "Nano", "Sandybridge", "Bobcat"}


def cpu_flags():
    """This CPU's flags from /proc/cpuinfo ("avx2", "avx512f", ...); [] where there is none."""
    try:
        with open("/proc/cpuinfo") as f:
            return next((l.split(":", 1)[1].split() for l in f if l.startswith("flags")), [])
    except OSError:
        return []


def better_openblas_core(chosen, flags):
    """The OPENBLAS_CORETYPE that gives a CPU with these flags the kernels it can run, when
    OpenBLAS `chose` old ones because it does not know the CPU (Debian's 0.3.21 gives an Emerald
    Rapids its SSE3 "Prescott" kernels), else None."""
    if chosen not in OLD_OPENBLAS_CORES:
        return None
    if "avx512f" in flags:
        return "SkylakeX"
    if "avx2" in flags and "fma" in flags:
        return "Haswell"
    return None


def openblas_core_note(core):
    """"; OpenBLAS does not know this CPU, OPENBLAS_CORETYPE=..." when OpenBLAS chose old kernels
    for this CPU, else ""."""
    better = better_openblas_core(core, cpu_flags())
    if better is None:
        return ""
    return "; OpenBLAS does not know this CPU, OPENBLAS_CORETYPE=%s gives it its %s kernels" % (
        better, "AVX-512" if better == "SkylakeX" else "AVX2")


def blas_description():
    """("openblas", "OpenBLAS 0.3.21 (Zen kernels, 2 threads)") for the loaded BLAS."""
    path = loaded_blas()
    if not path:
        return "unknown", "BLAS not found in this process"
    info = openblas_info(path)
    if info:
        version, core, threads = info
        return "openblas", "%s (%s kernels, %d %s%s)" % (version, core, threads,
                                                         "thread" if threads == 1 else "threads",
                                                         openblas_core_note(core))
    name = os.path.basename(path)
    if "blis" in name:
        return "blis", path
    if "mkl" in name:
        return "mkl", path
    return "blas", "%s (a reference BLAS? see update-alternatives --display libblas.so.3-*)" % path


def set_blas_threads(threads):
    """Must run before numpy (or torch) is imported: OpenBLAS reads these once, when loaded."""
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                 "BLIS_NUM_THREADS"):
        os.environ[name] = str(threads)


# ---- Report (common/report.cc) ----------------------------------------------------------------


def epoch_line(s, epochs):
    return ("epoch %d/%d  loss %.4f  train %.2f%%  test %.2f%%  %.2f s  %.0f samples/s  "
            "%.2f GFLOP/s" % (s["epoch"], epochs, s["loss"], 100 * s["train_accuracy"],
                              100 * s["test_accuracy"], s["seconds"], s["samples_per_second"],
                              s["gflops"]))


def engine_line(engine):
    threads = engine["threads"]
    return "gemm %s, %d %s%s" % (engine["gemm"], threads, "thread" if threads == 1 else "threads",
                                 ", " + engine["details"] if engine["details"] else "")


def _quote(text):
    out = ['"']
    for c in text:
        if c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 0x20:
            out.append("\\u%04x" % ord(c))
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def _number(value):
    return "%.6g" % value


def to_json(r):
    """common::ToJson: the same fields in the same order, numbers printed the same way."""
    c = r["config"]
    m = r["machine"]
    epochs = r["epochs"]
    seconds = sum(e["seconds"] for e in epochs)
    samples = r["train_samples"] * len(epochs)
    gflops = samples * training_flops_per_sample(r["layers"]) / seconds / 1e9 if seconds else 0
    per_epoch = ",".join(
        '{"epoch":%d,"loss":%s,"train_accuracy":%s,"test_accuracy":%s,"seconds":%s,'
        '"samples_per_second":%s,"gflops":%s}' %
        (e["epoch"], _number(e["loss"]), _number(e["train_accuracy"]),
         _number(e["test_accuracy"]), _number(e["seconds"]), _number(e["samples_per_second"]),
         _number(e["gflops"])) for e in epochs)
    machine = ('{"cpu":%s,"cpu_family":%d,"cpu_model":%d,"simd":%s,"cores":%d,"compiler":%s,'
               '"compiled_for":%s}' % (_quote(m["cpu"]), m["cpu_family"], m["cpu_model"],
                                       _quote(m["simd"]), m["cores"], _quote(m["compiler"]),
                                       _quote(m["compiled_for"])))
    finished = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    return (
        '{"schema":%s,"stage":%s,"gemm":%s,"threads":%d,"details":%s,"dataset":%s,'
        '"data_dir":%s,"train_samples":%d,"test_samples":%d,"layers":[%s],"epochs":%d,'
        '"batch_size":%d,"learning_rate":%s,"seed":%d,"limit":%d,"machine":%s,'
        '"finished_at":%s,"final_test_accuracy":%s,"train_seconds":%s,'
        '"seconds_per_epoch":%s,"gflops":%s,"per_epoch":[%s]}' %
        (_quote(SCHEMA), _quote(r["stage"]), _quote(r["engine"]["gemm"]),
         r["engine"]["threads"], _quote(r["engine"]["details"]), _quote(r["dataset"]),
         _quote(r["data_dir"]), r["train_samples"], r["test_samples"],
         ",".join(str(s) for s in r["layers"]), c.epochs, c.batch_size,
         _number(c.learning_rate), c.seed, c.limit, machine, _quote(finished),
         _number(epochs[-1]["test_accuracy"] if epochs else 0), _number(seconds),
         _number(seconds / len(epochs) if epochs else 0), _number(gflops), per_epoch))


# ---- Training (common/trainer.cc) -------------------------------------------------------------


class Network:
    """What a reference implements. `parameters` are [(weights, bias)] as float32 numpy arrays,
    weights row-major [inputs][outputs] like common::Layer."""

    def set_parameters(self, parameters):
        raise NotImplementedError

    def train_step(self, samples, learning_rate):
        """One SGD step on the training samples at indices `samples` (an int64 numpy array):
        gathers them, runs forward and backward (mean softmax cross-entropy), updates the
        weights by `learning_rate` (a float32), and returns (mean loss, number classified right
        before the update)."""
        raise NotImplementedError

    def count_correct(self, split):
        """How many samples of `split` the network classifies right."""
        raise NotImplementedError


def init_parameters(np, sizes, seed):
    """common::InitParameters(sizes, seed), bit for bit."""
    return [(np.array(w, dtype=np.float64).astype(np.float32).reshape(inputs, outputs),
             np.zeros(outputs, dtype=np.float32))
            for w, inputs, outputs in zip(rng.he_weights(sizes, seed), sizes, sizes[1:])]


class _Progress:
    """A line that redraws itself on a terminal; in a log, one line every 10 seconds."""

    def __init__(self, epoch, epochs):
        self.tty = sys.stderr.isatty()
        self.epoch, self.epochs = epoch, epochs
        self.last = time.monotonic()

    def update(self, done, total, loss, start):
        now = time.monotonic()
        if now - self.last < (0.25 if self.tty else 10):
            return
        self.last = now
        rate = done / max(1e-9, now - start)
        sys.stderr.write("%sepoch %d/%d  %3d%%  loss %.4f  %.0f samples/s  eta %.0f s%s" %
                         ("\r" if self.tty else "", self.epoch, self.epochs, 100 * done // total,
                          loss, rate, (total - done) / rate, "\033[K" if self.tty else "\n"))

    def close(self):
        if self.tty:
            sys.stderr.write("\r\033[K")


def train(np, network, config, train_split, test_split, show_progress=True):
    """common::Train: the same initial weights, epoch orders, batches and step sizes.

    One difference: each epoch's order is drawn before its timer starts, because the pure
    Python shuffle (rng.py) takes about 0.1-0.3 s for 60,000 samples, where the C++ shuffle
    inside the timer costs well under 1 % of an epoch.
    """
    sizes = layer_sizes(config.hidden)
    network.set_parameters(init_parameters(np, sizes, config.seed))
    shuffle_rng = rng.Rng(config.seed ^ rng.SHUFFLE_SEED_XOR)
    order = list(range(train_split.count))
    batch_size = config.batch_size
    history = []
    for epoch in range(1, config.epochs + 1):
        shuffle_rng.shuffle(order)
        epoch_order = np.array(order, dtype=np.int64)
        progress = _Progress(epoch, config.epochs) if show_progress else None
        start = time.monotonic()
        loss_sum = 0.0
        correct = 0
        count = train_split.count
        for first in range(0, count, batch_size):
            n = min(batch_size, count - first)
            # Every sample weighs the same: a last, partial batch of n < batch_size samples
            # takes a step of n / batch_size the size (common/trainer.h).
            step = np.float32(config.learning_rate * n / batch_size)
            loss, right = network.train_step(epoch_order[first:first + n], step)
            if not math.isfinite(loss) or loss > DIVERGED_LOSS:
                if progress:
                    progress.close()
                raise UsageError("training diverged: the loss became %g in epoch %d at sample "
                                 "%d; try a smaller --learning_rate (now %g)" %
                                 (loss, epoch, first, config.learning_rate))
            loss_sum += loss * n
            correct += right
            if progress:
                progress.update(first + n, count, loss_sum / (first + n), start)
        seconds = time.monotonic() - start
        if progress:
            progress.close()
        stats = {
            "epoch": epoch,
            "seconds": seconds,
            "loss": loss_sum / count,
            "train_accuracy": correct / count,
            "samples_per_second": count / seconds,
        }
        stats["gflops"] = stats["samples_per_second"] * training_flops_per_sample(sizes) / 1e9
        stats["test_accuracy"] = (network.count_correct(test_split) / test_split.count
                                  if test_split.count else 0.0)
        if show_progress:
            print(epoch_line(stats, config.epochs), flush=True)
        history.append(stats)
    return history


def run(np, stage, config, make_network, engine, machine):
    """common::TrainerMain after the flags: data, the first line, Train, the summary line and
    the JSON record. `make_network(train_split)` builds the network once the data is there;
    `engine` is its {"gemm", "threads", "details"} for the report."""
    try:
        dataset, directory, train_split, test_split = load_dataset(np, config.dataset,
                                                                   config.data_dir)
    except UsageError as e:
        fail(e)
    if 0 < config.limit < train_split.count:
        train_split = Split(train_split.pixels[:config.limit], train_split.labels[:config.limit])
    if config.batch_size > train_split.count:
        fail("--batch_size=%d is larger than the %d training samples" %
             (config.batch_size, train_split.count))
    json_file = None
    if config.json_out:  # a typo in its path should not cost a whole training run
        try:
            json_file = open(config.json_out, "w")
        except OSError:
            fail("cannot write --json_out=%s" % config.json_out)

    network = make_network(train_split)
    sizes = layer_sizes(config.hidden)
    record = {"stage": stage, "engine": engine, "config": config, "dataset": dataset,
              "data_dir": directory, "train_samples": train_split.count,
              "test_samples": test_split.count, "layers": sizes, "machine": machine}
    print("%s (%s): %s perceptron on %s (%d train / %d test samples from %s), batch %d, "
          "learning rate %g, %d epochs" %
          (stage, engine_line(record["engine"]), "-".join(str(s) for s in sizes), dataset,
           train_split.count, test_split.count, directory, config.batch_size,
           config.learning_rate, config.epochs), flush=True)
    try:
        record["epochs"] = train(np, network, config, train_split, test_split)
    except UsageError as e:
        fail(e)

    seconds = sum(e["seconds"] for e in record["epochs"])
    print("%s: test accuracy %.2f%% after %d epochs, %.3f s per epoch on %s" %
          (stage, 100 * record["epochs"][-1]["test_accuracy"], config.epochs,
           seconds / config.epochs, machine_line(machine)))
    # For programs: to --json_out, and to stdout when that is a pipe or a file (the last line).
    json = to_json(record)
    if not sys.stdout.isatty():
        print(json)
    sys.stdout.flush()
    if json_file:
        try:
            json_file.write(json + "\n")
            json_file.close()
        except OSError:
            fail("cannot write --json_out=%s" % config.json_out)
    return 0
