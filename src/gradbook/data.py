"""Small seeded synthetic tasks: two spirals for MLPs, a long-memory sequence for RNNs."""

from __future__ import annotations

import numpy as np


def spirals(n: int, rng: np.random.Generator, noise: float = 0.1):
    """n points of two interleaved spirals in the plane, and their labels 0 or 1."""
    labels = rng.integers(0, 2, size=n)
    t = np.sqrt(rng.uniform(0.0, 1.0, size=n)) * 3.0 * np.pi  # sqrt spreads points evenly
    angle = t + np.pi * labels
    radius = t / (3.0 * np.pi)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return x + noise * rng.normal(size=x.shape) / 3.0, labels


def remember_first(n: int, steps: int, rng: np.random.Generator, input_dim: int = 1):
    """Sequences whose label is the sign of the first input; the rest is noise to ignore.

    The net must carry one bit from step 1 to the last step, so the gradient must travel back
    through every time step: the task that needs long memory.
    """
    labels = rng.integers(0, 2, size=n)
    x = 0.2 * rng.normal(size=(n, steps, input_dim))
    x[:, 0, :] = np.where(labels == 1, 1.0, -1.0)[:, None]
    return x, labels


def task_batch(kind: str, config, n: int, rng: np.random.Generator):
    """A batch of the synthetic task that fits `config` (shapes, loss)."""
    if kind == "rnn":
        x, labels = remember_first(n, config.steps, rng, config.input_dim)
    elif config.input_dim == 2:
        x, labels = spirals(n, rng)
    else:
        x = rng.normal(size=(n, config.input_dim))
        labels = (x.sum(axis=1) > 0).astype(int)
    if config.loss == "mse":
        targets = np.zeros((n, config.output_dim))
        targets[np.arange(n), labels % config.output_dim] = 1.0
        return x, targets
    return x, labels % config.output_dim
