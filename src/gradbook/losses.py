"""Losses on the network's output, each returning the loss and dL/d(output) together."""

from __future__ import annotations

import numpy as np

from . import names

NAMES = ("cross_entropy", "mse")


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy over the batch, and its gradient with respect to the logits."""
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_z = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_p = shifted - log_z
    loss = -log_p[np.arange(n), labels].mean()
    dlogits = np.exp(log_p)
    dlogits[np.arange(n), labels] -= 1.0
    return float(loss), dlogits / n


def mse(outputs: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """Half the squared error summed over outputs, averaged over the batch, and its gradient."""
    n = outputs.shape[0]
    diff = outputs - targets
    return float(0.5 * np.sum(diff * diff) / n), diff / n


def get(name: str):
    """The loss function called `name`: one of NAMES, in any case, with "-" or "_"."""
    return {"cross_entropy": cross_entropy, "mse": mse}[names.canonical(name, "loss", NAMES)]
