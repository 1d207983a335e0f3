"""Central finite differences: the reference every backward pass is checked against.

The five-point central stencil (error of order EPS^4) keeps both truncation and rounding error
far below the 1e-6 tolerance, even for the tiny gradients of a vanishing network.
"""

from __future__ import annotations

import numpy as np

from gradbook import losses

EPS = 1e-4


def _central(f) -> float:
    """f'(0) from f(-2e), f(-e), f(e), f(2e)."""
    return (-f(2 * EPS) + 8 * f(EPS) - 8 * f(-EPS) + f(-2 * EPS)) / (12 * EPS)


def loss_of(model, x, y, offsets=None) -> float:
    out, _ = model.forward(x, offsets=offsets)
    value, _ = losses.get(model.config.loss)(out, y)
    return value


def numeric_param_grad(model, name, x, y) -> np.ndarray:
    """dL/d(params[name]) by central differences, one entry at a time."""
    p = model.params[name]
    grad = np.zeros_like(p)
    for idx in np.ndindex(p.shape):
        old = p[idx]

        def at(step, idx=idx, old=old):
            p[idx] = old + step
            value = loss_of(model, x, y)
            p[idx] = old
            return value

        grad[idx] = _central(at)
    return grad


def numeric_state_grad(model, layer, shape, x, y) -> np.ndarray:
    """dL/dh for hidden layer (or time step) `layer`, by perturbing that layer's output."""
    grad = np.zeros(shape)
    for idx in np.ndindex(shape):
        unit = np.zeros(shape)
        unit[idx] = 1.0
        grad[idx] = _central(lambda step, unit=unit: loss_of(model, x, y, {layer: step * unit}))
    return grad


# Rounding noise in the stencil is about 1e-16 * loss / EPS, up to ~1e-11: a gradient array
# smaller than FLOOR is compared against FLOOR, so noise around a true zero is no error.
FLOOR = 1e-4


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / max(||a||, ||b||, FLOOR): one number for a whole array."""
    scale = max(np.linalg.norm(a), np.linalg.norm(b), FLOOR)
    return float(np.linalg.norm(a - b) / scale)
