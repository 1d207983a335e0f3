"""A multilayer perceptron with exact backpropagation, in matrix form.

Each hidden layer: z = h W + b, then optional batch norm, then a = f(z), then optionally
h_next = h + a (residual). Forward and backward for each piece sit next to each other.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from . import activations, batchnorm, init, random
from .config import MLPConfig
from .model import Model


class MLP(Model):
    """A seeded MLP built from an MLPConfig (or the same fields as keyword arguments).

    >>> net = MLP(depth=20, width=64, activation="sigmoid", init="xavier", seed=0)
    >>> trace = net.trace()
    >>> print(trace.table())  # doctest: +SKIP
    """

    kind = "mlp"
    config_type = MLPConfig

    def _init_params(self, rng: random.Generator) -> dict[str, np.ndarray]:
        c = self.config
        dims = [c.input_dim] + [c.width] * c.depth
        params = {}
        for l in range(1, c.depth + 1):
            params[f"W{l}"] = init.weights(c.init, dims[l - 1], dims[l], rng)
            params[f"b{l}"] = np.zeros(dims[l])
            if c.batchnorm:
                params[f"gamma{l}"] = np.ones(dims[l])
                params[f"beta{l}"] = np.zeros(dims[l])
        # The read-out is always Xavier: the experiment is about the hidden layers.
        params["W_out"] = init.weights("xavier", c.width, c.output_dim, rng)
        params["b_out"] = np.zeros(c.output_dim)
        return params

    def weight_names(self) -> list[str]:
        """The weight matrix feeding each hidden layer, first layer first."""
        return [f"W{l}" for l in range(1, self.config.depth + 1)]

    def has_skip(self, l: int) -> bool:
        """Whether hidden layer l adds its input back (only where the widths match)."""
        c = self.config
        width_in = c.input_dim if l == 1 else c.width
        return c.residual and width_in == c.width

    def forward(self, x: np.ndarray, offsets: dict[int, np.ndarray] | None = None):
        """Output of the network for inputs x (batch, input_dim), and the cache for backward.

        `offsets` adds a small array to chosen hidden layers' outputs (by index from 1): how the
        tests check dL/dh against finite differences.
        """
        c, p = self.config, self.params
        offsets = offsets or {}
        act = activations.get(c.activation, c.leaky_slope)
        h, cache = x, []
        for l in range(1, c.depth + 1):
            z = h @ p[f"W{l}"]
            z += p[f"b{l}"]
            bn = None
            if c.batchnorm:
                z_in = z
                z, bn, _ = batchnorm.forward(z_in, p[f"gamma{l}"], p[f"beta{l}"], c.bn_eps)
            a = act.f(z)
            h_next = h + a if self.has_skip(l) else a
            if l in offsets:
                h_next = h_next + offsets[l]
            cache.append((h, z, a, bn))
            h = h_next
        out = h @ p["W_out"] + p["b_out"]
        return out, (cache, h)

    def backward(self, cache, dout: np.ndarray):
        """Parameter gradients and per-layer arrays, from dL/d(output)."""
        c, p = self.config, self.params
        act = activations.get(c.activation, c.leaky_slope)
        layers, h_top = cache
        grads = {"W_out": h_top.T @ dout, "b_out": dout.sum(axis=0)}
        dh = dout @ p["W_out"].T
        dhs, dWs, hs, slopes, sat = [], [], [], [], []
        for l in range(c.depth, 0, -1):
            h_in, z, a, bn = layers[l - 1]
            dhs.append(dh)
            hs.append(h_in + a if self.has_skip(l) else a)
            # Slopes and saturation are only read by some readers of a trace: kept lazily, so a
            # deep pass holds (and the kernel zero-fills) one array fewer per layer.
            slopes.append(partial(act.slope, z, a))
            sat.append(partial(act.saturated, z, a))
            dz = act.slope(z, a)  # a new array: dz = dh * f'(z), multiplied in place
            dz *= dh
            if bn is not None:
                dz, grads[f"gamma{l}"], grads[f"beta{l}"] = batchnorm.backward(dz, bn)
            grads[f"W{l}"] = h_in.T @ dz
            grads[f"b{l}"] = dz.sum(axis=0)
            dWs.append(grads[f"W{l}"])
            dh_in = dz @ p[f"W{l}"].T
            # The skip path hands the gradient down unchanged: dL/dh_l = dL/dh_{l+1} (I + dF/dh).
            dh = dh_in + dh if self.has_skip(l) else dh_in
        rev = [lst[::-1] for lst in (dhs, dWs, hs, slopes, sat)]
        return grads, rev
