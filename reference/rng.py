"""The generator behind every stage's initial weights and epoch order, in pure Python.

common/rng.cc draws from std::mt19937_64 and spells out its own uniform, Box-Muller normal and
Fisher-Yates shuffle, so that every C++ standard library gives the same numbers. This module
spells out the same steps (and mt19937_64 itself, as the C++ standard defines it), so the numpy
and PyTorch references start from the same weights and see the same batches as the C++ stages.

Pure Python is slow: about a microsecond per 64-bit draw, so He-initializing the 784-128-10
model (203,264 draws) takes a few tenths of a second and one epoch's shuffle of 60,000 samples
about a tenth. The trainers therefore draw each epoch's order before its timer starts; the C++
shuffle, inside its timer, costs well under 1 % of an epoch.
"""
import math

_MASK64 = (1 << 64) - 1
_N = 312  # state words
_M = 156  # the middle word of the recurrence
_MATRIX_A = 0xB5026F5AA96619E9
_UPPER = 0xFFFFFFFF80000000  # the top 33 bits (w - r, with r = 31)
_LOWER = 0x000000007FFFFFFF
_INIT_MULTIPLIER = 6364136223846793005
_TWO_PI = 6.283185307179586
_LARGEST_BELOW_ONE = float.fromhex("0x1.fffffffffffffp-1")  # 1 - 2^-53
_TWO_TO_MINUS_53 = 2.0**-53


class Mt19937_64:
    """std::mt19937_64: the 64-bit Mersenne Twister with the C++ standard's parameters."""

    def __init__(self, seed=5489):  # 5489 is the standard's default seed
        state = [seed & _MASK64]
        for i in range(1, _N):
            previous = state[-1]
            state.append((_INIT_MULTIPLIER * (previous ^ (previous >> 62)) + i) & _MASK64)
        self._state = state
        # The bound __next__ of an endless generator: the cheapest call Python offers.
        self.next = self._words().__next__

    def _words(self):
        """Regenerates all 312 state words at once, then yields them tempered, forever."""
        mt = self._state
        while True:
            for i in range(_N):
                y = (mt[i] & _UPPER) | (mt[(i + 1) % _N] & _LOWER)
                mt[i] = mt[(i + _M) % _N] ^ (y >> 1) ^ (_MATRIX_A if y & 1 else 0)
            for y in mt:
                y ^= (y >> 29) & 0x5555555555555555
                y ^= (y << 17) & 0x71D67FFFEDA60000
                y ^= (y << 37) & 0xFFF7EEE000000000
                yield y ^ (y >> 43)

    def __call__(self):
        """The next 64-bit output."""
        return self.next()


class Rng:
    """common::Rng: the same methods, giving the same numbers for the same seed."""

    def __init__(self, seed):
        self._draw = Mt19937_64(seed).next

    def below(self, n):
        """Uniform in [0, n), unbiased (rejection of the incomplete last block)."""
        limit = _MASK64 - _MASK64 % n
        while True:
            x = self._draw()
            if x < limit:
                return x % n

    def uniform(self):
        """Uniform in (0, 1): 53 random bits, shifted off zero by half a step."""
        return min(((self._draw() >> 11) + 0.5) * _TWO_TO_MINUS_53, _LARGEST_BELOW_ONE)

    def normal(self):
        """Standard normal, Box-Muller, one value per call (radius drawn first, as in C++)."""
        radius = math.sqrt(-2.0 * math.log(self.uniform()))
        return radius * math.cos(_TWO_PI * self.uniform())

    def shuffle(self, values):
        """Fisher-Yates, in place."""
        below = self.below
        for i in range(len(values), 1, -1):
            j = below(i)
            values[i - 1], values[j] = values[j], values[i - 1]


# common/trainer.cc seeds the shuffle's own stream with seed ^ this, so the order does not
# depend on how many weights were drawn.
SHUFFLE_SEED_XOR = 0x5EED5EED5EED5EED


def he_weights(sizes, seed):
    """common::InitParameters' weights as Python floats (float64), layer after layer.

    Returns one flat list per layer, row-major [inputs][outputs]: stddev * Rng(seed).normal()
    in double, which the caller rounds to float32 (the C++ code's static_cast<float>). Biases
    are zero. Rng.normal inlined: the same operations in the same order, three times faster.
    """
    draw = Mt19937_64(seed).next
    sqrt, log, cos = math.sqrt, math.log, math.cos
    layers = []
    for inputs, outputs in zip(sizes, sizes[1:]):
        stddev = sqrt(2.0 / inputs)
        weights = []
        for _ in range(inputs * outputs):
            radius = sqrt(-2.0 * log(min(((draw() >> 11) + 0.5) * _TWO_TO_MINUS_53,
                                         _LARGEST_BELOW_ONE)))
            angle = _TWO_PI * min(((draw() >> 11) + 0.5) * _TWO_TO_MINUS_53, _LARGEST_BELOW_ONE)
            weights.append(stddev * (radius * cos(angle)))
        layers.append(weights)
    return layers
