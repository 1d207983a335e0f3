"""What every gradbook network shares: building from a config, and tracing one batch.

A subclass names its `kind` and `config_type`, draws its parameters in `_init_params`, and
writes `forward` and `backward`; tracing, input checks and overflow handling live here once.
"""

from __future__ import annotations

import numpy as np

from . import data, losses, random
from .config import MAX_BATCH_SIZE, MAX_SEED, MIN_BATCHNORM_BATCH, TrainConfig, check_int
from .trace import Trace, assemble


class Model:
    kind: str  # "mlp" or "rnn"
    config_type: type

    def __init__(self, config=None, *, seed: int = 0, **fields):
        name = self.config_type.__name__
        if config is not None and fields:
            raise TypeError(f"pass either an {name} or its fields as keywords, not both")
        if config is not None and not isinstance(config, self.config_type):
            raise TypeError(f"config must be an {name}, got {type(config).__name__}")
        self.config = config if config is not None else self.config_type(**fields)
        self.seed = check_int("seed", seed, 0, MAX_SEED)
        self.params = self._init_params(random.Generator(self.seed))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.config!r}, seed={self.seed})"

    def _init_params(self, rng: random.Generator) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def time_steps(self) -> int | None:
        """How many steps an input sequence has, or None for a plain (batch, features) input."""
        return None

    def loss_and_trace(self, x: np.ndarray, y: np.ndarray) -> Trace:
        """One forward and backward pass on (x, y), as a Trace. Overflow stays in the numbers."""
        x, y = check_batch(x, y, self.config, self.time_steps())
        loss_fn = losses.get(self.config.loss)
        with np.errstate(all="ignore"):
            out, cache = self.forward(x)
            loss, dout = loss_fn(out, y)
            grads, passes = self.backward(cache, dout)
            return assemble(self.kind, loss, dout, grads, passes)

    def trace(
        self, x=None, y=None, *, batch_size: int = TrainConfig.batch_size, seed: int = 0
    ) -> Trace:
        """Trace one batch: (x, y) if given, else `batch_size` examples of the built-in task.

        The built-in batch is drawn as training draws its first one, with the same default size,
        so `trace(seed=s)` is step 0 of `gradbook.train(model, seed=s)`: one network, one set of
        numbers at step 0.
        """
        if x is None and y is None:
            check_int("batch_size", batch_size, 1, MAX_BATCH_SIZE)
            rng = random.Generator(check_int("seed", seed, 0, MAX_SEED))
            x, y = data.task_batch(self.kind, self.config, batch_size, rng)
        elif x is None or y is None:
            raise TypeError("pass both x and y, or neither to use the built-in task")
        return self.loss_and_trace(x, y)


def check_batch(x, y, config, time_steps: int | None = None):
    """x and y as arrays, checked against the model's shapes and loss."""
    x = np.asarray(x, dtype=float)
    shape = (
        ("batch", config.input_dim)
        if time_steps is None
        else ("batch", time_steps, config.input_dim)
    )
    if x.ndim != len(shape) or x.shape[1:] != shape[1:] or x.shape[0] < 1:
        raise ValueError(f"x must have shape {shape}, got {x.shape}")
    _check_finite("x", x)
    if getattr(config, "batchnorm", False) and x.shape[0] < MIN_BATCHNORM_BATCH:
        raise ValueError(
            f"batch norm needs at least {MIN_BATCHNORM_BATCH} examples in a batch, got "
            f"{x.shape[0]}: it normalizes each unit over the batch, which leaves the gradient "
            "n - 2 of n directions (with 2 examples every unit is -1 or +1 and the gradient "
            "cancels; with 3 it swings 40- to 90-fold between batches)"
        )
    y = np.asarray(y)
    if y.ndim == 0 or y.shape[0] != x.shape[0]:
        raise ValueError(f"x and y must hold the same number of examples: {len(x)} vs {y.shape}")
    if config.loss == "cross_entropy":
        if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
            raise TypeError("with cross_entropy, y must be a 1-D array of integer class labels")
        if y.min() < 0 or y.max() >= config.output_dim:
            raise ValueError(f"class labels must be from 0 to {config.output_dim - 1}")
    elif y.shape != (x.shape[0], config.output_dim):
        raise ValueError(f"with mse, y must have shape (batch, {config.output_dim}), got {y.shape}")
    else:
        _check_finite("y", y.astype(float))
    return x, y.astype(float) if config.loss == "mse" else y


def _check_finite(name: str, a: np.ndarray) -> None:
    """Bad data in, not overflow inside: the network never sees a NaN or inf it did not make."""
    bad = int(np.size(a) - np.count_nonzero(np.isfinite(a)))
    if bad:
        raise ValueError(
            f"{name} must hold finite numbers only; it has {bad} NaN or infinite values"
        )
