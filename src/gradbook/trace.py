"""What one forward and backward pass reveals, layer by layer.

A `Trace` holds, for each hidden layer (or RNN time step), first layer first: the backward
signal dL/dh, its norm, the layer's factor and the running product from the output, dL/dW,
the activation slope and statistics, each unit's backward-signal size, and histograms on one
fixed log10 grid shared by every layer and scenario.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

import numpy as np

from .activations import Activation

# One grid for every histogram in the book: quarter-decade bins of |value| from 1e-16 to 1e8.
HIST_EDGES = np.linspace(-16.0, 8.0, 97)


@dataclass(frozen=True)
class Histogram:
    """Counts of log10|value| on HIST_EDGES, plus what falls outside the grid."""

    counts: np.ndarray
    below: int  # nonzero but under 1e-16
    above: int  # finite but over 1e8
    zero: int
    nonfinite: int
    edges: np.ndarray = field(default_factory=lambda: HIST_EDGES)


def log_histogram(values: np.ndarray) -> Histogram:
    """Histogram of log10|values| on the shared grid."""
    a = np.abs(np.asarray(values, dtype=float)).ravel()
    finite = np.isfinite(a)
    positive = a[finite & (a > 0)]
    with np.errstate(divide="ignore"):
        logs = np.log10(positive)
    counts, _ = np.histogram(logs, bins=HIST_EDGES)
    return Histogram(
        counts=counts,
        below=int(np.sum(logs < HIST_EDGES[0])),
        above=int(np.sum(logs > HIST_EDGES[-1])),
        zero=int(np.sum(a[finite] == 0)),
        nonfinite=int(np.sum(~finite)),
    )


# Sums of squares inside these bounds lost nothing to overflow or to underflow of the whole.
_PLAIN_SUM = (1e-280, 1e280)


def norm(x: np.ndarray) -> float:
    """The 2-norm of all entries of x, scaled first so that entries near 1e300 stay finite.

    The plain sum of squares is tried first (one pass, no scaling): training takes some fifty
    norms a step, so this is most of a run's bookkeeping. Only when that sum overflowed, or is
    so small that whole entries may have underflowed, is it done again with scaling.
    """
    a = np.asarray(x, dtype=float).ravel()
    if a.size == 0:
        return 0.0
    with np.errstate(all="ignore"):
        plain = float(np.dot(a, a))
    if _PLAIN_SUM[0] < plain < _PLAIN_SUM[1]:
        return math.sqrt(plain)
    with np.errstate(all="ignore"):
        a = np.atleast_1d(np.abs(np.asarray(x, dtype=float)))  # a new array: scaled in place
        if a.size == 0:
            return 0.0
        biggest = np.max(a)
        if not np.isfinite(biggest) or biggest == 0:
            return float(np.nan if np.isnan(a).any() else biggest)
        a /= biggest
        return float(biggest * np.sqrt(np.sum(np.square(a, out=a))))


def _quiet(method):
    """A cached property computed with numpy's floating-point warnings off: inf is data here."""

    def wrapper(self):
        with np.errstate(all="ignore"):
            return method(self)

    wrapper.__name__ = method.__name__
    wrapper.__doc__ = method.__doc__
    return cached_property(wrapper)


def _ratio(top: float, bottom: float) -> float:
    """top / bottom, where 0/0 is nan and x/0 is inf, without numpy warnings."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(top) / np.float64(bottom))


class LayerPass(NamedTuple):
    """What one hidden layer (or time step) leaves behind in a forward and backward pass: all a
    model's backward hands the trace, which derives the rest (norms, factors, slopes) from it."""

    dh: np.ndarray  # dL/dh: the backward signal reaching this layer's output, (batch, units)
    dW: np.ndarray  # dL/dW for the weights that feed this layer
    h: np.ndarray  # the layer's output, (batch, units)
    z: np.ndarray  # the activation's input (after batch norm, if any)
    a: np.ndarray  # f(z)
    activation: Activation


@dataclass(frozen=True, eq=False, repr=False)
class LayerTrace:
    """One hidden layer (or one time step) in one backward pass. `index` counts from 1.

    The arrays are those of its LayerPass; everything else is computed from them when first read
    (a deep trace's readers mostly want the norms, so a slope is never computed unasked).
    """

    index: int
    # The fields of LayerPass, in its order:
    dh: np.ndarray
    dW: np.ndarray
    h: np.ndarray
    z: np.ndarray
    a: np.ndarray
    activation: Activation
    grad_norm: float  # the norm of dh over the whole batch
    factor: float  # grad_norm / grad_norm of the layer above (the output for the top layer)
    product: float  # grad_norm / output gradient norm: the factors multiplied together

    def __repr__(self) -> str:
        return (
            f"LayerTrace(index={self.index}, grad_norm={self.grad_norm:.3e}, "
            f"factor={self.factor:.3e}, product={self.product:.3e}, units={self.dh.shape[-1]})"
        )

    @_quiet
    def weight_grad_norm(self) -> float:
        return norm(self.dW)

    @_quiet
    def slope(self) -> np.ndarray:
        """f'(z) for each example and unit."""
        return self.activation.slope(self.z, self.a)

    @_quiet
    def mean_slope(self) -> float:
        return float(np.mean(np.abs(self.slope)))

    @_quiet
    def activation_mean(self) -> float:
        return float(np.mean(self.h))

    @_quiet
    def activation_std(self) -> float:
        return float(np.std(self.h))

    @_quiet
    def spread(self) -> float:
        """How different the examples look here: each unit's standard deviation across the
        batch, averaged over the units. Near 0, every example reaches the layer above alike."""
        return float(np.mean(np.std(self.h, axis=0)))

    @_quiet
    def saturated(self) -> float:
        """The share of (example, unit) pairs whose unit is saturated."""
        return float(np.mean(self.activation.is_saturated(self.z, self.a)))

    @_quiet
    def dead(self) -> float:
        """The share of this layer's units that pass no gradient for any example of the batch:
        slope exactly 0 everywhere (a ReLU unit whose input is never positive). Such a unit's
        weights get no gradient at all, so it stops learning. Always 0 for sigmoid and tanh."""
        return float(np.mean(np.all(self.slope == 0, axis=0)))

    @_quiet
    def neuron_grad(self) -> np.ndarray:
        """Each unit's backward-signal size: the norm of its column of dL/dh over the batch."""
        return np.sqrt(np.sum(self.dh * self.dh, axis=0))

    @_quiet
    def dh_hist(self) -> Histogram:
        return log_histogram(self.dh)

    @_quiet
    def dW_hist(self) -> Histogram:
        return log_histogram(self.dW)


@dataclass(frozen=True, eq=False, repr=False)
class Trace:
    """A whole forward and backward pass: the loss, the output gradient and every layer."""

    kind: str  # "mlp" or "rnn"
    loss: float
    output_grad_norm: float  # norm of dL/d(output) over the batch: where the backward pass starts
    layers: tuple[LayerTrace, ...]  # first hidden layer (or time step 1) first
    grads: dict[str, np.ndarray]  # dL/d(parameter) for every parameter, by name

    def __len__(self) -> int:
        return len(self.layers)

    def __repr__(self) -> str:
        name = "time steps" if self.kind == "rnn" else "hidden layers"
        return (
            f"Trace(kind={self.kind!r}, loss={self.loss:.6g}, {len(self)} {name}, "
            f"output_grad_norm={self.output_grad_norm:.3e})"
        )

    @property
    def grad_norms(self) -> np.ndarray:
        return np.array([layer.grad_norm for layer in self.layers])

    @property
    def weight_grad_norms(self) -> np.ndarray:
        return np.array([layer.weight_grad_norm for layer in self.layers])

    @property
    def factors(self) -> np.ndarray:
        return np.array([layer.factor for layer in self.layers])

    @property
    def products(self) -> np.ndarray:
        return np.array([layer.product for layer in self.layers])

    @property
    def dead_shares(self) -> np.ndarray:
        """Each layer's share of dead units (`LayerTrace.dead`), first layer first."""
        return np.array([layer.dead for layer in self.layers])

    @property
    def saturated_shares(self) -> np.ndarray:
        """Each layer's share of saturated (example, unit) pairs, first layer first."""
        return np.array([layer.saturated for layer in self.layers])

    @property
    def spreads(self) -> np.ndarray:
        """Each layer's spread across the batch (`LayerTrace.spread`), first layer first."""
        return np.array([layer.spread for layer in self.layers])

    @property
    def global_grad_norm(self) -> float:
        """The norm of all parameter gradients taken together as one vector."""
        return global_norm(self.grads)

    @property
    def is_finite(self) -> bool:
        return bool(np.isfinite(self.loss)) and all(
            bool(np.all(np.isfinite(g))) for g in self.grads.values()
        )

    def table(self) -> str:
        """A readable per-layer table, first hidden layer first, in scientific notation."""
        name = "step" if self.kind == "rnn" else "layer"
        lines = [f"{name:>6}  {'grad norm':>10}  {'factor':>10}  {'product':>10}"]
        for layer in self.layers:
            lines.append(
                f"{layer.index:>6}  {layer.grad_norm:>10.3e}  "
                f"{layer.factor:>10.3e}  {layer.product:>10.3e}"
            )
        lines.append(f"{'output':>6}  {self.output_grad_norm:>10.3e}")
        lines.append(f"loss {self.loss:.6g}")
        shown = [self.loss, self.output_grad_norm]
        for layer in self.layers:
            shown += [layer.grad_norm, layer.factor, layer.product]
        if not np.all(np.isfinite(shown)):
            lines.append(
                "note: inf is a number too large for float64 (it overflowed); nan is no number "
                "at all (0/0 or inf/inf, e.g. the factor of a layer whose gradient is exactly 0)"
            )
        return "\n".join(lines)


def global_norm(grads: dict[str, np.ndarray]) -> float:
    """The norm of every array in `grads` taken together as one long vector."""
    return norm(np.array([norm(g) for g in grads.values()]))


def assemble(kind: str, loss: float, dout: np.ndarray, grads: dict, passes) -> Trace:
    """A Trace from a backward pass: dL/d(output), the parameter gradients and one LayerPass per
    hidden layer (or time step), first layer first. Factors and products are worked out here."""
    out_norm = norm(dout)
    norms = [norm(p.dh) for p in passes]
    above = [*norms[1:], out_norm]
    layers = tuple(
        LayerTrace(
            i + 1,
            *p,
            grad_norm=norms[i],
            factor=_ratio(norms[i], above[i]),
            product=_ratio(norms[i], out_norm),
        )
        for i, p in enumerate(passes)
    )
    return Trace(kind=kind, loss=float(loss), output_grad_norm=out_norm, layers=layers, grads=grads)
