"""A multilayer perceptron with exact backpropagation, in matrix form.

Hidden layer l computes z = h W + b, then optional batch norm, then a = f(z); its output is
h_next = a. A residual block (`residual`, where the widths match) ends in a linear layer, as
ResNet's do, and adds its input back: h_next = h + (a R + r). The rows of h are the examples.
Backward runs the same steps in reverse, each turning dL/d(its output) into dL/d(its input):

    da = dh R^T,  dR = a^T dh,  dr = sum of dh over the batch     (residual blocks only)
    dz = f'(z) * da                     (the activation; batch norm's backward follows if used)
    dW = h^T dz,  db = sum of dz over the batch,  dh_below = dz W^T
    dh_below += dh                      (the skip path hands the gradient down unchanged)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import activations, batchnorm, init, random
from .config import MLPConfig
from .model import Model
from .trace import LayerPass


def dense_forward(h: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """z = h W + b."""
    z = h @ W
    z += b  # in place: one array fewer per layer
    return z


def dense_backward(dz: np.ndarray, h: np.ndarray, W: np.ndarray):
    """dL/dh, dL/dW and dL/db from dL/dz."""
    return dz @ W.T, h.T @ dz, dz.sum(axis=0)


class _Layer(NamedTuple):
    """What a hidden layer's forward keeps for its backward."""

    h: np.ndarray  # its input
    z: np.ndarray  # the activation's input (after batch norm, if any)
    a: np.ndarray  # f(z)
    bn: tuple | None  # batch norm's cache, or None without batch norm
    h_next: np.ndarray  # its output


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
        # Residual blocks' last layers are drawn last, so a residual network's W and read-out are
        # those of the plain network with the same seed.
        for l in range(1, c.depth + 1):
            if self.has_skip(l):
                params[f"R{l}"] = init.weights(c.init, c.width, c.width, rng)
                params[f"r{l}"] = np.zeros(c.width)
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
        h, layers = x, []
        for l in range(1, c.depth + 1):
            z = dense_forward(h, p[f"W{l}"], p[f"b{l}"])
            bn = None
            if c.batchnorm:
                z, bn = batchnorm.forward(z, p[f"gamma{l}"], p[f"beta{l}"], c.bn_eps)
            a = act.f(z)
            h_next = h + dense_forward(a, p[f"R{l}"], p[f"r{l}"]) if self.has_skip(l) else a
            layers.append(_Layer(h, z, a, bn, h_next))
            h = h_next + offsets[l] if l in offsets else h_next
        out = dense_forward(h, p["W_out"], p["b_out"])
        return out, (layers, h)

    def backward(self, cache, dout: np.ndarray):
        """Parameter gradients and one LayerPass per hidden layer (first first), from dL/dout."""
        c, p = self.config, self.params
        act = activations.get(c.activation, c.leaky_slope)
        layers, h_top = cache
        grads = {}
        dh, grads["W_out"], grads["b_out"] = dense_backward(dout, h_top, p["W_out"])
        passes = []
        for l in range(c.depth, 0, -1):
            h, z, a, bn, h_next = layers[l - 1]
            da = dh
            if self.has_skip(l):
                da, grads[f"R{l}"], grads[f"r{l}"] = dense_backward(dh, a, p[f"R{l}"])
            dz = act.slope(z, a)  # a new array: dz = f'(z) * da, multiplied in place
            dz *= da
            if bn is not None:
                dz, grads[f"gamma{l}"], grads[f"beta{l}"] = batchnorm.backward(dz, bn)
            dh_below, grads[f"W{l}"], grads[f"b{l}"] = dense_backward(dz, h, p[f"W{l}"])
            passes.append(LayerPass(dh, grads[f"W{l}"], h_next, z, a, act))
            dh = dh_below + dh if self.has_skip(l) else dh_below
        return grads, passes[::-1]
