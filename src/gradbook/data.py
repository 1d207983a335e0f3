"""Small seeded synthetic tasks: concentric circles for MLPs, a long-memory sequence for RNNs.

Training batches are drawn fresh at every step from the run's own generator; the held-out set
is one fixed sample from a generator of its own (`HELD_OUT_SEED`), the same for every network
of a given shape, so accuracies can be compared across networks.
"""

from __future__ import annotations

import numpy as np

from . import random

HELD_OUT_SIZE = 512  # examples in the held-out set that accuracy is measured on
HELD_OUT_SEED = 2_147_483_647  # a seed no training run uses by default


def circles(n: int, rng: random.Generator, noise: float = 0.1, inner: float = 0.5):
    """n points on two concentric circles (radius `inner` is class 1, radius 1 class 0),
    jittered by Gaussian noise, and their labels. No straight line separates the classes: a
    network must bend its boundary into a ring."""
    labels = rng.integers(0, 2, size=n)
    angle = rng.uniform(0.0, 2.0 * np.pi, size=n)
    radius = np.where(labels == 1, inner, 1.0)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return x + noise * rng.normal(size=x.shape), labels


def remember_first(n: int, steps: int, rng: random.Generator, input_dim: int = 1):
    """Sequences whose label is the sign of the first input; the rest is noise to ignore.

    The net must carry one bit from step 1 to the last step, so the gradient must travel back
    through every time step: the task that needs long memory.
    """
    labels = rng.integers(0, 2, size=n)
    x = 0.2 * rng.normal(size=(n, steps, input_dim))
    x[:, 0, :] = np.where(labels == 1, 1.0, -1.0)[:, None]
    return x, labels


def task_examples(kind: str, config, n: int, rng: random.Generator):
    """n examples of the synthetic task that fits `config`, and their class labels."""
    if kind == "rnn":
        return remember_first(n, config.steps, rng, config.input_dim)
    if config.input_dim == 2:
        return circles(n, rng)
    x = rng.normal(size=(n, config.input_dim))
    return x, (x.sum(axis=1) > 0).astype(int)


def targets_for(config, labels: np.ndarray):
    """What the loss compares the output with: class labels, or one-hot rows for mse."""
    labels = labels % config.output_dim
    if config.loss == "mse":
        targets = np.zeros((len(labels), config.output_dim))
        targets[np.arange(len(labels)), labels] = 1.0
        return targets
    return labels


def task_batch(kind: str, config, n: int, rng: random.Generator):
    """A batch of the synthetic task that fits `config` (shapes, loss): inputs and targets."""
    x, labels = task_examples(kind, config, n, rng)
    return x, targets_for(config, labels)


def held_out(kind: str, config):
    """The fixed held-out set for networks of this shape: inputs and class labels."""
    x, labels = task_examples(kind, config, HELD_OUT_SIZE, random.Generator(HELD_OUT_SEED))
    return x, labels % config.output_dim
