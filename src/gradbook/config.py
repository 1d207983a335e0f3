"""Small, immutable, checked descriptions of what to build and how to train it.

A configuration plus a seed fixes every number gradbook produces, bit for bit.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from . import activations, init, losses, names

# The limits of every integer option, for the configs here, the models and the command line.
MAX_DEPTH = 200  # hidden layers of an MLP
MAX_WIDTH = 2048  # units per layer, and input and output sizes
MAX_TIME_STEPS = 500  # steps an RNN is unrolled over
MAX_BATCH_SIZE = 100_000
MAX_TRAIN_STEPS = 100_000
MAX_SEED = 2**32 - 1
# `gradbook trace` keeps about ten float64 arrays of depth x width x batch-size numbers, and the
# network a few of depth x width x width: it traces at most this many depth x width x (batch size
# + width), about 1.5 GB. Each limit above alone allows a million times more.
MAX_TRACE_NUMBERS = 20_000_000
# Batch norm fixes each unit's mean and spread over the batch, which leaves the gradient n - 2 of
# a batch's n directions: with 2 examples every unit is -1 or +1 and the gradient through the
# batch statistics cancels (layer 1 of the book's network gets 1e-11 of what it gets at 64);
# with 3 it swings 40- to 90-fold from one batch to the next (10th to 90th percentile), with 4
# 9- to 18-fold, with 64 2- to 3-fold.
MIN_BATCHNORM_BATCH = 4
RNN_ACTIVATIONS = ("tanh", "linear")
MODEL_KINDS = ("mlp", "rnn")  # MLPConfig's and RNNConfig's models


def check_int(name: str, value, low: int, high: int | None = None) -> int:
    """`value` as an int if it is a whole number from `low` to `high` (None: no upper limit).

    A TypeError for anything but an integer (True and False are not numbers here), a ValueError
    naming the allowed range otherwise.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if value < low or (high is not None and value > high):
        allowed = f"from {low} to {high}" if high is not None else f"{low} or more"
        raise ValueError(f"{name} must be {allowed}, got {value}")
    return int(value)


def _set(config, name: str, value) -> None:
    """Store a checked field's canonical value ("Leaky-ReLU" as "leaky_relu", 3 for numpy's 3) in
    a frozen config, from its __post_init__."""
    object.__setattr__(config, name, value)


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

    Every hidden layer computes z = h W + b, optionally batch-normalizes z and applies the
    activation: h_next = f(z). With `residual`, each layer whose input is as wide as its output
    (every layer but the first, whose input is the 2-D point, unless input_dim == width) becomes
    a residual block that ends in a linear layer, as ResNet's blocks do, and adds its input back:
    h_next = h + f(z) R + r, with R (width x width) drawn by `init` and r zero. A branch that
    ended in the activation would add a positive number at every layer for sigmoid, and h would
    drift upward with depth. The output layer is linear and the loss is taken on it.
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
    leaky_slope: float = activations.LEAKY_SLOPE  # slope of leaky_relu for z < 0
    bn_eps: float = 1e-5  # added to the batch variance before the square root

    def __post_init__(self) -> None:
        _set(self, "depth", check_int("depth", self.depth, 1, MAX_DEPTH))
        _set(self, "width", check_int("width", self.width, 1, MAX_WIDTH))
        _set(self, "input_dim", check_int("input_dim", self.input_dim, 1, MAX_WIDTH))
        _set(self, "output_dim", check_int("output_dim", self.output_dim, 1, MAX_WIDTH))
        _set(self, "activation", names.canonical(self.activation, "activation", activations.NAMES))
        _set(self, "init", init.canonical(self.init))
        _check_bool("batchnorm", self.batchnorm)
        _check_bool("residual", self.residual)
        _set(self, "loss", names.canonical(self.loss, "loss", losses.NAMES))
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
        _set(self, "steps", check_int("steps", self.steps, 1, MAX_TIME_STEPS))
        _set(self, "hidden", check_int("hidden", self.hidden, 1, MAX_WIDTH))
        _set(self, "input_dim", check_int("input_dim", self.input_dim, 1, MAX_WIDTH))
        _set(self, "output_dim", check_int("output_dim", self.output_dim, 1, MAX_WIDTH))
        _set(
            self, "activation", names.canonical(self.activation, "RNN activation", RNN_ACTIVATIONS)
        )
        _check_positive("rho", self.rho)
        _set(self, "loss", names.canonical(self.loss, "loss", losses.NAMES))
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
        _set(self, "steps", check_int("steps", self.steps, 1, MAX_TRAIN_STEPS))
        _check_positive("lr", self.lr)
        _check_positive("momentum", self.momentum, allow_zero=True)
        if self.momentum >= 1:
            raise ValueError(f"momentum must be below 1, got {self.momentum}")
        _set(self, "batch_size", check_int("batch_size", self.batch_size, 1, MAX_BATCH_SIZE))
        if self.clip_norm is not None:
            _check_positive("clip_norm", self.clip_norm)
        if self.clip_value is not None:
            _check_positive("clip_value", self.clip_value)
        _set(self, "record_every", check_int("record_every", self.record_every, 1))

    def as_dict(self) -> dict:
        return asdict(self)
