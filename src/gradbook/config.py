"""Small, immutable, checked descriptions of what to build and how to train it.

A configuration plus a seed fixes every number gradbook produces, bit for bit.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from . import activations, init, losses

MAX_DEPTH = 200
MAX_WIDTH = 2048
MAX_TIME_STEPS = 500
RNN_ACTIVATIONS = ("tanh", "linear")


def _check_int(name: str, value, low: int, high: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if value < low or (high is not None and value > high):
        allowed = f"from {low} to {high}" if high is not None else f"{low} or more"
        raise ValueError(f"{name} must be {allowed}, got {value}")


def _check_bool(name: str, value) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")


def _check_positive(name: str, value, allow_zero: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    ok = value >= 0 if allow_zero else value > 0
    if not (math.isfinite(value) and ok):
        kind = "zero or more" if allow_zero else "greater than zero"
        raise ValueError(f"{name} must be a finite number {kind}, got {value!r}")


@dataclass(frozen=True)
class MLPConfig:
    """A multilayer perceptron: `depth` hidden layers of `width` units each.

    Every hidden layer computes z = h W + b, optionally batch-normalizes z, applies the
    activation, and, with `residual`, adds its input back (h_next = h + f(z)) wherever the
    widths match. The output layer is linear and the loss is taken on it.
    """

    depth: int = 10
    width: int = 32
    activation: str = "tanh"
    init: str = "xavier"
    batchnorm: bool = False
    residual: bool = False
    input_dim: int = 2
    output_dim: int = 2
    loss: str = "cross_entropy"
    leaky_slope: float = 0.01  # slope of leaky_relu for z < 0
    bn_eps: float = 1e-5  # added to the batch variance before the square root

    def __post_init__(self) -> None:
        _check_int("depth", self.depth, 1, MAX_DEPTH)
        _check_int("width", self.width, 1, MAX_WIDTH)
        _check_int("input_dim", self.input_dim, 1, MAX_WIDTH)
        _check_int("output_dim", self.output_dim, 1, MAX_WIDTH)
        activations.get(self.activation, self.leaky_slope)
        init.parse(self.init)
        _check_bool("batchnorm", self.batchnorm)
        _check_bool("residual", self.residual)
        losses.get(self.loss)
        if self.loss == "cross_entropy" and self.output_dim < 2:
            raise ValueError("cross_entropy needs output_dim of 2 or more (one logit per class)")
        _check_positive("leaky_slope", self.leaky_slope, allow_zero=True)
        _check_positive("bn_eps", self.bn_eps, allow_zero=True)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RNNConfig:
    """A vanilla recurrent net, h_t = f(h_{t-1} W_hh + x_t W_xh + b), unrolled over `steps`.

    W_hh starts as a random orthogonal matrix times `rho`, so every singular value, the largest
    included, equals `rho`. The loss is taken on a linear read-out of the last hidden state.
    """

    steps: int = 50
    hidden: int = 32
    activation: str = "tanh"
    rho: float = 1.0  # largest singular value of the recurrent matrix at initialization
    input_dim: int = 1
    output_dim: int = 2
    loss: str = "cross_entropy"

    def __post_init__(self) -> None:
        _check_int("steps", self.steps, 1, MAX_TIME_STEPS)
        _check_int("hidden", self.hidden, 1, MAX_WIDTH)
        _check_int("input_dim", self.input_dim, 1, MAX_WIDTH)
        _check_int("output_dim", self.output_dim, 1, MAX_WIDTH)
        if self.activation not in RNN_ACTIVATIONS:
            raise ValueError(
                f"unknown RNN activation {self.activation!r}: allowed values are "
                f"{', '.join(RNN_ACTIVATIONS)}"
            )
        _check_positive("rho", self.rho)
        losses.get(self.loss)
        if self.loss == "cross_entropy" and self.output_dim < 2:
            raise ValueError("cross_entropy needs output_dim of 2 or more (one logit per class)")

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class TrainConfig:
    """Plain SGD with optional momentum and gradient clipping on the model's synthetic task.

    `clip_norm` rescales the whole gradient (all parameters as one vector) to that norm when it
    is larger; `clip_value` clamps every entry to [-clip_value, clip_value].
    """

    steps: int = 200
    lr: float = 0.1
    momentum: float = 0.0
    batch_size: int = 64
    clip_norm: float | None = None
    clip_value: float | None = None
    record_every: int = 10  # keep a full trace every this many steps (and the last one)

    def __post_init__(self) -> None:
        _check_int("steps", self.steps, 1, 100_000)
        _check_positive("lr", self.lr)
        _check_positive("momentum", self.momentum, allow_zero=True)
        if self.momentum >= 1:
            raise ValueError(f"momentum must be below 1, got {self.momentum}")
        _check_int("batch_size", self.batch_size, 1, 100_000)
        if self.clip_norm is not None:
            _check_positive("clip_norm", self.clip_norm)
        if self.clip_value is not None:
            _check_positive("clip_value", self.clip_value)
        _check_int("record_every", self.record_every, 1)

    def as_dict(self) -> dict:
        return asdict(self)
