"""Weight initializations, named as the book names them.

Each returns a (fan_in, fan_out) matrix, because layers compute z = h @ W + b with the batch
along the first axis.
"""

from __future__ import annotations

import numpy as np

from . import names, random

NORMAL_PREFIX = "normal:"  # "normal:0.3": normal weights with that standard deviation
NAMES = (f"{NORMAL_PREFIX}STD", "standard", "xavier", "xavier-uniform", "he")


def canonical(name: str) -> str:
    """The init called `name`, spelled as in NAMES (any case, "-" or "_": "Xavier_Uniform" is
    "xavier-uniform"); "normal:STD" keeps its number as written. Errors list NAMES."""
    if isinstance(name, str) and name.lower().startswith("normal:"):
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
        return f"normal:{text}"
    return names.canonical(name, "init", NAMES)  # "normal:STD" itself was handled above


def parse(name: str) -> tuple[str, float | None]:
    """Split and check an init name: ("normal", std) for "normal:STD", else (name, None)."""
    name = canonical(name)
    if name.startswith("normal:"):
        return "normal", float(name.split(":", 1)[1])
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
