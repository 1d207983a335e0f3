"""Activation functions, each with its slope f'(z) beside it.

The slope is the "activation part" of every layer's factor in the backward pass, so each
activation also states its largest possible slope and what counts as a saturated unit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import names

Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    """f(z), its slope written in terms of z and a = f(z), and when a unit counts as saturated."""

    name: str
    f: Callable[[Array], Array]
    slope: Callable[[Array, Array], Array]  # (z, a) -> f'(z); a saves recomputing f
    max_slope: float
    is_saturated: Callable[[Array, Array], Array]  # (z, a) -> bool array, True where saturated
    leaky_slope: float | None = None  # leaky_relu's slope for z < 0; None for the others

    def __reduce__(self):
        # Pickled by name (its functions are lambdas), so a trained scenario can be cached.
        return (get, (self.name,) if self.leaky_slope is None else (self.name, self.leaky_slope))


def _sigmoid(z: Array) -> Array:
    # 0.5 (1 + tanh(z/2)) equals 1 / (1 + e^-z) but never overflows for large |z|.
    return 0.5 * (1.0 + np.tanh(0.5 * z))


# The slopes below fill one new array in place: a deep trace makes hundreds of them.
def _sigmoid_slope(a: Array) -> Array:
    s = 1.0 - a
    s *= a
    return s


def _tanh_slope(a: Array) -> Array:
    s = np.asarray(np.square(a))  # an array even for a single number
    np.subtract(1.0, s, out=s)
    return s


# A sigmoid or tanh unit counts as saturated when its output a is outside (low, high): near
# sigmoid's 0 or 1, or tanh's -1 or 1, the slope is under an eighth of its best value.
SATURATED_OUTSIDE = {"sigmoid": (0.03, 0.97), "tanh": (-0.97, 0.97)}


def _outside(a: Array, low: float, high: float) -> Array:
    return (a < low) | (a > high)


def _leaky(alpha: float) -> Activation:
    return Activation(
        name="leaky_relu",
        f=lambda z: np.where(z > 0, z, alpha * z),
        slope=lambda z, a: np.where(z > 0, 1.0, alpha),
        max_slope=1.0,
        is_saturated=lambda z, a: np.zeros(np.shape(z), dtype=bool),
        leaky_slope=alpha,
    )


SIGMOID = Activation(
    name="sigmoid",
    f=_sigmoid,
    slope=lambda z, a: _sigmoid_slope(a),
    max_slope=0.25,
    is_saturated=lambda z, a: _outside(a, *SATURATED_OUTSIDE["sigmoid"]),
)

TANH = Activation(
    name="tanh",
    f=np.tanh,
    slope=lambda z, a: _tanh_slope(a),
    max_slope=1.0,
    is_saturated=lambda z, a: _outside(a, *SATURATED_OUTSIDE["tanh"]),
)

RELU = Activation(
    name="relu",
    f=lambda z: np.maximum(z, 0.0),
    slope=lambda z, a: (z > 0).astype(float),
    max_slope=1.0,
    # A ReLU unit that is off passes no gradient at all: "saturated" in the same sense.
    is_saturated=lambda z, a: z <= 0,
)

LINEAR = Activation(
    name="linear",
    f=lambda z: z,
    slope=lambda z, a: np.ones_like(z),
    max_slope=1.0,
    is_saturated=lambda z, a: np.zeros(np.shape(z), dtype=bool),
)

NAMES = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
LEAKY_SLOPE = 0.01  # leaky_relu's slope for z < 0 unless a config says otherwise


def get(name: str, leaky_slope: float = LEAKY_SLOPE) -> Activation:
    """The activation called `name`: one of NAMES, in any case, with "-" or "_"."""
    name = names.canonical(name, "activation", NAMES)
    if name == "leaky_relu":
        return _leaky(leaky_slope)
    return {"sigmoid": SIGMOID, "tanh": TANH, "relu": RELU, "linear": LINEAR}[name]
