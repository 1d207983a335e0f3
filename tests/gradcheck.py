"""Central finite differences: the reference every backward pass is checked against.

Each gradient array (a parameter's dL/dW, a layer's dL/dh) is compared with its own size, so the
1e-11 gradients that reach the first layers of a vanishing network are held to the same relative
accuracy as the output layer's. Two things make the differences that accurate:

- Each array gets its own step. The five-point stencil's rounding error is about u |L| / step
  (u: the precision, L: the loss) and its truncation error grows like step^4, by a factor that
  can be large (a batch-norm unit whose batch spread is 1e-2). So the step is the smallest
  whose rounding error stays below ROUNDING of the array's entries g: u (|L| + 1) / (ROUNDING g),
  a power of two (so that parameter + step is exact) between MIN_STEP and the caller's max_step.
  The smaller the gradient, the larger its step.
- The losses are computed in numpy's long double where it is wider than float64 (u = 1.1e-19 on
  x86-64 Linux against 2.2e-16), by running the model's own forward on long-double copies of its
  parameters and input, and a loss written out here. In float64 a 1e-11 gradient comes out of
  the stencil with errors up to 1e-3 of its size, too close to the 1% error a check must catch.

The analytic gradient's size picks the step only; whatever step is picked, the stencil stays
close to the true gradient, so a wrong analytic gradient cannot make itself pass.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

EXTENDED = np.finfo(np.longdouble).eps < np.finfo(np.float64).eps
DTYPE = np.longdouble if EXTENDED else np.float64
U = float(np.finfo(DTYPE).eps)
ROUNDING = 1e-9
MIN_STEP = 1e-8  # the perturbation itself is then exact to 1e-11 in long double
MAX_STEP = 0.05  # beyond this the step^4 term takes over (in a 12-layer sigmoid network)
# A kink (ReLU's at 0) inside the stencil's reach breaks the formula, so piecewise-linear
# networks take steps no larger than this; their gradients are not small enough to need more.
KINK_STEP = 1e-6


def loss_of(model, x, y, offsets=None) -> DTYPE:
    """The model's loss on (x, y) in DTYPE, its forward run on DTYPE copies of the parameters.

    `offsets` adds arrays to chosen hidden layers' outputs, as the model's forward does.
    """
    out, _ = model.forward(np.asarray(x, dtype=DTYPE), offsets=offsets)
    n = out.shape[0]
    if model.config.loss == "mse":
        diff = out - np.asarray(y, dtype=DTYPE)
        return np.sum(diff * diff) / (2 * n)  # half the squared error, averaged over the batch
    top = out.max(axis=1, keepdims=True)  # softmax cross-entropy, shifted so exp cannot overflow
    log_sum = np.log(np.sum(np.exp(out - top), axis=1)) + top[:, 0]
    return np.mean(log_sum - out[np.arange(n), y])


@contextmanager
def _extended(model):
    """The model with DTYPE copies of its parameters, which the stencil perturbs in place."""
    saved = model.params
    model.params = {k: v.astype(DTYPE) for k, v in saved.items()}
    try:
        yield model.params
    finally:
        model.params = saved


def step_for(analytic: np.ndarray, loss: float, max_step: float = MAX_STEP) -> float:
    """The stencil step for an array whose entries are about as large as `analytic`'s."""
    size = float(np.sqrt(np.mean(np.square(analytic))))
    if not size > 0:
        return max_step
    step = np.clip(U * (abs(loss) + 1) / (ROUNDING * size), MIN_STEP, max_step)
    return float(2.0 ** np.floor(np.log2(step)))


def _central(f, step: float) -> float:
    """f'(0) from f(-2 step), f(-step), f(step), f(2 step); error of order step^4."""
    e = DTYPE(step)
    # Differences first: a loss that does not change at all gives exactly 0.
    return float((8 * (f(e) - f(-e)) - (f(2 * e) - f(-2 * e))) / (12 * e))


def numeric_grads(model, x, y, trace, max_step: float = MAX_STEP) -> dict[str, np.ndarray]:
    """dL/d(parameter) for every parameter, and dL/dh for every hidden layer (or time step) l
    under the key f"dh{l}", by central differences: one entry at a time."""
    numeric = {}
    with _extended(model) as params:
        loss = float(loss_of(model, x, y))
        for name, p in params.items():
            step, grad = step_for(trace.grads[name], loss, max_step), np.zeros(p.shape)
            for idx in np.ndindex(p.shape):
                old = p[idx]

                def at(s, idx=idx, old=old, p=p):
                    p[idx] = old + s
                    value = loss_of(model, x, y)
                    p[idx] = old
                    return value

                grad[idx] = _central(at, step)
            numeric[name] = grad
        for layer in trace.layers:
            step, grad = step_for(layer.dh, loss, max_step), np.zeros(layer.dh.shape)
            for idx in np.ndindex(grad.shape):
                unit = np.zeros(grad.shape, dtype=DTYPE)
                unit[idx] = 1

                def at(s, l=layer.index, unit=unit):
                    return loss_of(model, x, y, {l: s * unit})

                grad[idx] = _central(at, step)
            numeric[f"dh{layer.index}"] = grad
    return numeric


def analytic_grads(trace) -> dict[str, np.ndarray]:
    """The trace's gradients under numeric_grads' keys."""
    return {**trace.grads, **{f"dh{layer.index}": layer.dh for layer in trace.layers}}


def rel_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """||analytic - numeric|| / ||numeric||: the error relative to the array's own size.

    0 when both are exactly zero (a ReLU layer that is off for every example), inf when only
    the finite differences are.
    """
    diff, size = np.linalg.norm(analytic - numeric), np.linalg.norm(numeric)
    if size == 0:
        return 0.0 if diff == 0 else float("inf")
    return float(diff / size)


def errors(analytic: dict, numeric: dict) -> dict[str, float]:
    """rel_error for every array, by name."""
    assert analytic.keys() == numeric.keys()
    return {name: rel_error(analytic[name], numeric[name]) for name in numeric}
