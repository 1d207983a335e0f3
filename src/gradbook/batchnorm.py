"""Batch normalization in training mode, forward and exact backward side by side.

The backward pass goes through the batch mean and variance: they depend on every example in
the batch, so treating them as constants would give the wrong gradient (Ioffe and Szegedy 2015).
"""

from __future__ import annotations

import numpy as np


def forward(z: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float):
    """y = gamma * (z - mean_B) / sqrt(var_B + eps) + beta, and what backward needs."""
    mean, var = z.mean(axis=0), z.var(axis=0)
    inv_std = 1.0 / np.sqrt(var + eps)
    z_hat = (z - mean) * inv_std
    return gamma * z_hat + beta, (z_hat, inv_std, gamma)


def backward(dy: np.ndarray, cache):
    """dL/dz, dL/dgamma and dL/dbeta from dL/dy, through the batch statistics."""
    z_hat, inv_std, gamma = cache
    n = dy.shape[0]
    dgamma = np.sum(dy * z_hat, axis=0)
    dbeta = dy.sum(axis=0)
    dz_hat = dy * gamma
    # d(mean) and d(var) terms folded together: the standard closed form.
    dz = (inv_std / n) * (n * dz_hat - dz_hat.sum(axis=0) - z_hat * np.sum(dz_hat * z_hat, axis=0))
    return dz, dgamma, dbeta
