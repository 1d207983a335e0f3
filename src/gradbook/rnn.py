"""A vanilla recurrent net unrolled in time, with backpropagation through time.

h_t = f(h_{t-1} W_hh + x_t W_xh + b) for t = 1..T, from h_0 = 0; the loss is taken on
h_T W_out + b_out. Going back one step multiplies the backward signal by diag(f'(z_t)) W_hh^T,
so its size after many steps is governed by W_hh's largest singular value (Pascanu et al. 2013).
"""

from __future__ import annotations

import numpy as np

from . import activations, init, random
from .config import RNNConfig
from .model import Model
from .trace import LayerPass


def scaled_orthogonal(n: int, rho: float, rng: random.Generator) -> np.ndarray:
    """A random n x n orthogonal matrix times rho: every singular value equals rho."""
    q, r = np.linalg.qr(rng.normal(size=(n, n)))
    return rho * q * np.sign(np.diag(r))  # the sign fix makes q uniformly distributed


class RNN(Model):
    """A seeded vanilla RNN built from an RNNConfig (or its fields as keyword arguments).

    >>> rnn = RNN(steps=40, hidden=32, activation="tanh", rho=1.5, seed=0)
    >>> trace = rnn.trace()  # one layer entry per time step, step 1 first
    """

    kind = "rnn"
    config_type = RNNConfig

    def _init_params(self, rng: random.Generator) -> dict[str, np.ndarray]:
        c = self.config
        return {
            "W_hh": scaled_orthogonal(c.hidden, c.rho, rng),
            "W_xh": init.weights("xavier", c.input_dim, c.hidden, rng),
            "b": np.zeros(c.hidden),
            "W_out": init.weights("xavier", c.hidden, c.output_dim, rng),
            "b_out": np.zeros(c.output_dim),
        }

    def weight_names(self) -> list[str]:
        return ["W_hh", "W_xh", "W_out"]

    def time_steps(self) -> int:
        return self.config.steps

    def forward(self, x: np.ndarray, offsets: dict[int, np.ndarray] | None = None):
        """Output for sequences x (batch, steps, input_dim), and the cache for backward.

        `offsets` adds a small array to chosen steps' hidden states (by step from 1), for tests.
        """
        p = self.params
        offsets = offsets or {}
        act = activations.get(self.config.activation)
        h = np.zeros((x.shape[0], self.config.hidden))
        steps = []
        for t in range(x.shape[1]):
            z = h @ p["W_hh"] + x[:, t] @ p["W_xh"] + p["b"]
            a = act.f(z)
            steps.append((h, z, a))  # h_{t-1}, z_t, h_t
            h = a + offsets[t + 1] if t + 1 in offsets else a
        return h @ p["W_out"] + p["b_out"], (steps, h, x)

    def backward(self, cache, dout: np.ndarray):
        """Parameter gradients and one LayerPass per time step (step 1 first), from dL/dout.

        Every step uses the same weights, so each adds its share to their gradients.
        """
        p = self.params
        act = activations.get(self.config.activation)
        steps, h_last, x = cache
        grads = {k: np.zeros_like(v) for k, v in p.items()}
        grads["W_out"] = h_last.T @ dout
        grads["b_out"] = dout.sum(axis=0)
        dh = dout @ p["W_out"].T
        passes = []
        for t in range(len(steps) - 1, -1, -1):
            h_prev, z, a = steps[t]
            dz = act.slope(z, a)  # a new array: dz = f'(z) * dh, multiplied in place
            dz *= dh
            dW_hh = h_prev.T @ dz  # this step's share of dL/dW_hh
            grads["W_hh"] += dW_hh
            grads["W_xh"] += x[:, t].T @ dz
            grads["b"] += dz.sum(axis=0)
            passes.append(LayerPass(dh, dW_hh, a, z, a, act))
            dh = dz @ p["W_hh"].T
        return grads, passes[::-1]
