"""gradbook's own seeded generator, implemented identically here and in JavaScript.

The book (Python) and the lab (JavaScript, `_static/threejs/engine/random.js`) must draw the
same initial weights and the same data from the same seed, so neither can use its platform's
generator. This one is small enough to specify completely:

**Key.** A seed is an integer from 0 to 2**53 - 1 (the integers a JavaScript number holds
exactly). Split it into 32-bit halves lo = seed mod 2**32 and hi = seed // 2**32; the stream's
key is k0 = mix(lo ^ 0x9E3779B9), k1 = mix(hi ^ k0 ^ 0x85EBCA6B).

**Words.** The stream is a sequence of 32-bit words; word i (i = 0, 1, ..., 2**32 - 1) is
mix((mix(i ^ k0) + k1) mod 2**32). It depends only on the key and i (a counter-based
generator), so n words are computed at once as one numpy expression, and the JavaScript side
reproduces them with Math.imul and >>> 0. mix is a 32-bit integer hash of two multiply rounds,
x ^= x >> 16; x *= 0x21F0AAAD; x ^= x >> 15; x *= 0x735A2D97; x ^= x >> 15 (all mod 2**32),
with constants from Chris Wellons' published search for good 32-bit hashes ("hash prospector").
Each draw takes the next words of the stream and advances the counter past them.

**Uniform** in [0, 1): two words a, b give ((a >> 5) * 2**26 + (b >> 6)) / 2**53, all 53 bits
of a float64's mantissa, computed exactly. uniform(low, high) is low + (high - low) * u.

**Normal**: four words give two uniforms u1, u2, and z = sqrt(-2 log(1 - u1)) cos(2 pi u2)
(Box-Muller, keeping only the cosine so every value takes the same four words; 1 - u1 is in
(0, 1], so the log is finite). normal(loc, scale) is loc + scale * z. The integer and uniform
streams are bit-identical on both sides; log and cos come from each platform's maths library
(glibc or numpy's own loops here, V8's in the browser), which may round differently by an ulp
or so, so normals agree to about 1e-15 relative, not always bit for bit.

**Integers** in [low, high), with k = high - low from 1 to 2**32: a word w is accepted when
w < k * floor(2**32 / k) and then gives low + w mod k; other words are skipped (rejection, so
there is no modulo bias). A draw of n integers takes words until n have been accepted.

The API mirrors the parts of numpy's Generator that gradbook uses, so a `Generator` can be
passed wherever the simulator takes `rng`:

>>> rng = Generator(0)
>>> w = rng.normal(0.0, 0.5, size=(3, 4))
>>> x = rng.uniform(-1.0, 1.0, size=5)
>>> labels = rng.integers(0, 2, size=8)
"""

from __future__ import annotations

import numpy as np

MAX_SEED = 2**53 - 1
WORDS_PER_STREAM = 2**32

_U32 = np.uint32
_M1, _M2 = _U32(0x21F0AAAD), _U32(0x735A2D97)


def mix(x: np.ndarray) -> np.ndarray:
    """The 32-bit hash of the module docstring, applied elementwise to a uint32 array."""
    x = np.asarray(x, dtype=_U32).copy()
    x ^= x >> _U32(16)
    x *= _M1  # numpy wraps uint32 array products mod 2**32, as Math.imul does
    x ^= x >> _U32(15)
    x *= _M2
    x ^= x >> _U32(15)
    return x


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer from 0 to 2**53 - 1, got {seed!r}")
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be from 0 to 2**53 - 1 (exact in JavaScript), got {seed}")
    return int(seed)


def _shape(size) -> tuple[int, ...]:
    if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
        size = (int(size),)
    if not isinstance(size, tuple) or not all(
        isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0 for n in size
    ):
        raise TypeError(f"size must be None, a non-negative integer or a tuple of them: {size!r}")
    return tuple(int(n) for n in size)


class Generator:
    """A seeded stream of 32-bit words and the draws built on them (see the module docstring)."""

    def __init__(self, seed: int = 0):
        self.seed = _check_seed(seed)
        lo, hi = _U32(self.seed & 0xFFFFFFFF), _U32(self.seed >> 32)
        k0 = mix(np.array([lo ^ _U32(0x9E3779B9)]))[0]
        k1 = mix(np.array([hi ^ k0 ^ _U32(0x85EBCA6B)]))[0]
        self.key = (k0, k1)
        self.counter = 0  # index of the next unused word

    def __repr__(self) -> str:
        return f"gradbook.random.Generator(seed={self.seed}, counter={self.counter})"

    def words(self, n: int) -> np.ndarray:
        """The next n words of the stream as uint32, advancing past them."""
        if self.counter + n > WORDS_PER_STREAM:
            raise ValueError(
                f"this seed's stream holds 2**32 words and {self.counter} are used: "
                f"{n} more do not fit"
            )
        i = np.arange(self.counter, self.counter + n, dtype=np.uint64).astype(_U32)
        self.counter += n
        k0, k1 = self.key
        return mix(mix(i ^ k0) + k1)

    def _uniform01(self, n: int) -> np.ndarray:
        w = self.words(2 * n)
        a, b = w[0::2] >> _U32(5), w[1::2] >> _U32(6)
        return (a.astype(np.float64) * 67108864.0 + b.astype(np.float64)) / 9007199254740992.0

    @staticmethod
    def _out(values: np.ndarray, size):
        return float(values[0]) if size is None else values.reshape(_shape(size))

    def random(self, size=None):
        """Uniform floats in [0, 1)."""
        n = 1 if size is None else int(np.prod(_shape(size)))
        return self._out(self._uniform01(n), size)

    def uniform(self, low: float = 0.0, high: float = 1.0, size=None):
        """Uniform floats in [low, high): low + (high - low) * u."""
        n = 1 if size is None else int(np.prod(_shape(size)))
        return self._out(low + (high - low) * self._uniform01(n), size)

    def normal(self, loc: float = 0.0, scale: float = 1.0, size=None):
        """Normal floats with mean loc and standard deviation scale (Box-Muller, cosine only)."""
        n = 1 if size is None else int(np.prod(_shape(size)))
        u = self._uniform01(2 * n)
        z = np.sqrt(-2.0 * np.log(1.0 - u[0::2])) * np.cos(2.0 * np.pi * u[1::2])
        return self._out(loc + scale * z, size)

    def integers(self, low: int, high: int | None = None, size=None):
        """Integers in [low, high) (or [0, low) if high is None), without modulo bias."""
        if high is None:
            low, high = 0, low
        k = int(high) - int(low)
        if not 1 <= k <= WORDS_PER_STREAM:
            raise ValueError(f"integers needs 1 <= high - low <= 2**32, got [{low}, {high})")
        n = 1 if size is None else int(np.prod(_shape(size)))
        limit = (WORDS_PER_STREAM // k) * k  # words at or above this would favour small values
        taken: list[np.ndarray] = []
        have = 0
        while have < n:  # each round draws only as many words as values are still missing
            w = self.words(n - have).astype(np.int64)
            w = w[w < limit]
            taken.append(w % k)
            have += w.size
        values = np.concatenate(taken) + int(low) if taken else np.zeros(0, dtype=np.int64)
        return int(values[0]) if size is None else values.reshape(_shape(size))
