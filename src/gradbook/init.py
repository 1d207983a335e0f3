"""Weight initializations, named as the book names them.

Each returns a (fan_in, fan_out) matrix, because layers compute z = h @ W + b with the batch
along the first axis.
"""

from __future__ import annotations

import numpy as np

from . import random

NAMES = ("normal:STD", "standard", "xavier", "xavier-uniform", "he")


def parse(name: str) -> tuple[str, float | None]:
    """Split and check an init name: ("normal", std) for "normal:STD", else (name, None)."""
    if not isinstance(name, str):
        raise TypeError(f"init must be a string, one of {', '.join(NAMES)}; got {name!r}")
    if name.startswith("normal:"):
        text = name.split(":", 1)[1]
        try:
            std = float(text)
        except ValueError:
            raise ValueError(
                f"init {name!r}: the part after 'normal:' must be a positive number, "
                f"as in 'normal:0.01' (allowed: {', '.join(NAMES)})"
            ) from None
        if not (np.isfinite(std) and std > 0):
            raise ValueError(
                f"init {name!r}: the standard deviation must be positive and finite, "
                "as in 'normal:0.01'"
            )
        return "normal", std
    if name not in NAMES[1:]:
        raise ValueError(f"unknown init {name!r}: allowed values are {', '.join(NAMES)}")
    return name, None


def std_of(name: str, fan_in: int, fan_out: int) -> float:
    """The standard deviation of the weights that `name` draws, for a layer of this shape."""
    kind, std = parse(name)
    if kind == "normal":
        return std
    if kind == "standard":
        return 1.0 / np.sqrt(3.0 * fan_in)  # U(-a, a) has variance a^2 / 3, here a = 1/sqrt(n)
    if kind in ("xavier", "xavier-uniform"):
        return np.sqrt(2.0 / (fan_in + fan_out))
    return np.sqrt(2.0 / fan_in)  # he


def weights(name: str, fan_in: int, fan_out: int, rng: random.Generator) -> np.ndarray:
    """Draw a (fan_in, fan_out) weight matrix with the initialization called `name`."""
    kind, _ = parse(name)
    std = std_of(name, fan_in, fan_out)
    if kind in ("standard", "xavier-uniform"):
        limit = np.sqrt(3.0) * std
        return rng.uniform(-limit, limit, size=(fan_in, fan_out))
    return rng.normal(0.0, std, size=(fan_in, fan_out))
