"""Gradient clipping: by global norm (all parameters as one vector) and by value."""

from __future__ import annotations

import numpy as np

from .trace import global_norm


def clip_by_global_norm(grads: dict[str, np.ndarray], threshold: float):
    """If the global norm exceeds `threshold`, scale every gradient by threshold / norm.

    Returns the (possibly new) gradients, the norm before clipping and whether it clipped.
    The direction of the whole gradient is kept; only its length changes (Pascanu et al. 2013).
    """
    norm = global_norm(grads)
    if not np.isfinite(norm) or norm <= threshold:
        return grads, norm, False
    scale = threshold / norm
    return {k: g * scale for k, g in grads.items()}, norm, True


def clip_by_value(grads: dict[str, np.ndarray], limit: float):
    """Clamp every entry to [-limit, limit]; return the gradients and whether any entry moved."""
    clipped = {k: np.clip(g, -limit, limit) for k, g in grads.items()}
    changed = any(bool(np.any(np.abs(g) > limit)) for g in grads.values())
    return clipped, changed
