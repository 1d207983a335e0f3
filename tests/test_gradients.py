"""Every backward pass against central finite differences: each gradient array within 1e-6 of
its own size, from the small networks of every kind to the deep vanishing and exploding ones the
book is about, and a check that rejects a gradient 1% wrong."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gradbook import MLP, RNN, activations, data
from gradcheck import EXTENDED, KINK_STEP, MAX_STEP, analytic_grads, errors, numeric_grads

TOL = 1e-6
# The deep networks' first-layer gradients are about 1e-11 of the loss; even in long double the
# stencil then gives them only about 2e-6 relative accuracy. A 1% error is still 1000 x this.
DEEP_TOL = 1e-5
ACTIVATIONS = activations.NAMES


def _batch(model, n=5, seed=1):
    return data.task_batch(model.kind, model.config, n, np.random.default_rng(seed))


def _min_abs_preactivation(model, x) -> float:
    _, (layers, _) = model.forward(x)
    return min(float(np.min(np.abs(layer.z))) for layer in layers)


def _max_step(model) -> float:
    return (
        KINK_STEP if getattr(model.config, "activation", "") in ("relu", "leaky_relu") else MAX_STEP
    )


def _zero_in_theory(model) -> list[tuple[str, int]]:
    """Gradients that are exactly 0, so that only rounding is left to compare. Batch norm
    subtracts the batch mean, so it removes any shift of its input: its own layer's bias b, and,
    through a linear activation and no skip, the layer below's beta."""
    c = model.config
    if not getattr(c, "batchnorm", False):
        return []
    names = [(f"b{l}", l) for l in range(1, c.depth + 1)]
    if c.activation == "linear":
        names += [(f"beta{l}", l) for l in range(1, c.depth) if not model.has_skip(l + 1)]
    return names


def _without_zeros(model, analytic, numeric):
    """Check that both sides find the zero gradients zero (against the largest gradient of
    their layer), and leave them out of the comparison: there is no size to compare with."""
    for name, l in _zero_in_theory(model):
        scale = max(np.linalg.norm(analytic[f"{k}{l}"]) for k in ("W", "gamma", "dh"))
        for side in (analytic, numeric):
            assert np.linalg.norm(side.pop(name)) <= 1e-9 * scale, name


def gradient_errors(model, x, y) -> dict[str, float]:
    """Each gradient array's relative error against finite differences, by name."""
    trace = model.loss_and_trace(x, y)
    analytic = analytic_grads(trace)
    numeric = numeric_grads(model, x, y, trace, _max_step(model))
    _without_zeros(model, analytic, numeric)
    return errors(analytic, numeric)


def check_model(model, x, y):
    errs = gradient_errors(model, x, y)
    bad = {name: f"{e:.1e}" for name, e in errs.items() if not e < TOL}
    assert not bad, f"relative errors above {TOL}: {bad}"


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_mlp_matches_finite_differences(activation, loss):
    # The first seed whose pre-activations all stay clear of ReLU's kink at 0, where the
    # derivative does not exist and finite differences straddle two slopes.
    for seed in range(100):
        net = MLP(depth=3, width=4, activation=activation, init="xavier", loss=loss, seed=seed)
        x, y = _batch(net)
        if _min_abs_preactivation(net, x) > 1e-2:
            break
    else:
        pytest.fail("no seed below 100 keeps clear of the kink")
    check_model(net, x, y)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "linear"])
def test_batchnorm_matches_finite_differences(activation):
    net = MLP(depth=3, width=4, activation=activation, batchnorm=True, seed=4)
    net.params["gamma2"] = np.array([0.5, 1.5, -1.0, 2.0])  # exercise gamma and beta too
    net.params["beta1"] = np.array([0.1, -0.2, 0.3, 0.0])
    x, y = _batch(net, n=6)
    check_model(net, x, y)


@pytest.mark.parametrize("batchnorm", [False, True])
def test_residual_matches_finite_differences(batchnorm):
    net = MLP(depth=4, width=3, activation="tanh", residual=True, batchnorm=batchnorm, seed=5)
    assert not net.has_skip(1) and net.has_skip(2)  # 2 inputs -> 3 units: no skip on layer 1
    assert "R1" not in net.params and net.params["R2"].shape == (3, 3)
    net.params["r3"] = np.array([0.2, -0.1, 0.4])  # r starts at zero: give it a value too
    x, y = _batch(net, n=6)
    check_model(net, x, y)


def test_residual_on_first_layer_when_widths_match():
    net = MLP(depth=2, width=2, input_dim=2, activation="sigmoid", residual=True, seed=6)
    assert net.has_skip(1)
    x, y = _batch(net)
    check_model(net, x, y)


@pytest.mark.parametrize("activation", ["tanh", "linear"])
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_rnn_matches_finite_differences(activation, loss):
    rnn = RNN(steps=5, hidden=3, activation=activation, rho=0.9, loss=loss, seed=7)
    x, y = _batch(rnn, n=4)
    check_model(rnn, x, y)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    depth=st.integers(1, 3),
    width=st.integers(1, 4),
    activation=st.sampled_from(ACTIVATIONS),
    init=st.sampled_from(["xavier", "xavier-uniform", "he", "standard", "normal:0.7"]),
    batchnorm=st.booleans(),
    residual=st.booleans(),
    loss=st.sampled_from(["cross_entropy", "mse"]),
    seed=st.integers(0, 2**16),
)
def test_random_small_mlps_match_finite_differences(
    depth, width, activation, init, batchnorm, residual, loss, seed
):
    net = MLP(
        depth=depth,
        width=width,
        activation=activation,
        init=init,
        batchnorm=batchnorm,
        residual=residual,
        loss=loss,
        seed=seed,
    )
    x, y = _batch(net, n=4, seed=seed + 1)
    if batchnorm:
        # One unit per layer: batch norm normalizes away the scale of each 1 x 1 weight, so its
        # gradient is 0 up to rounding and has no size to compare with.
        assume(width > 1)
        # With near-constant inputs the batch variance is ~0 and the finite differences lose
        # their precision, not the analytic gradient.
        _, (layers, _) = net.forward(x)
        assume(
            all(
                np.min(np.std(layer.h @ net.params[f"W{l}"], axis=0)) > 1e-2
                for l, layer in enumerate(layers, start=1)
            )
        )
    if activation in ("relu", "leaky_relu"):
        assume(_min_abs_preactivation(net, x) > 1e-2)  # stay clear of the kink at 0
    check_model(net, x, y)


@settings(max_examples=15, deadline=None)
@given(
    steps=st.integers(1, 6),
    hidden=st.integers(1, 4),
    activation=st.sampled_from(["tanh", "linear"]),
    rho=st.floats(0.3, 1.5),
    seed=st.integers(0, 2**16),
)
def test_random_small_rnns_match_finite_differences(steps, hidden, activation, rho, seed):
    rnn = RNN(steps=steps, hidden=hidden, activation=activation, rho=rho, seed=seed)
    x, y = _batch(rnn, n=3, seed=seed + 1)
    check_model(rnn, x, y)


# The networks the book is about, deep enough (12 layers, 40 steps) for their gradients to
# vanish or explode, small enough (4 to 8 units, a batch of 4 to 6) to difference every entry.
# Each is checked as it is, then with one gradient array made 1% wrong.
DEEP = {
    "vanishing sigmoid, standard init": (
        lambda: MLP(depth=12, width=4, activation="sigmoid", init="standard", seed=0),
        4,
    ),
    "exploding ReLU, std 1": (
        lambda: MLP(depth=12, width=8, activation="relu", init="normal:1.0", seed=3),
        4,
    ),
    "sigmoid with batch norm": (
        lambda: MLP(depth=12, width=4, activation="sigmoid", init="standard", batchnorm=True),
        6,
    ),
    "sigmoid with residual blocks": (
        lambda: MLP(depth=12, width=4, activation="sigmoid", init="standard", residual=True),
        4,
    ),
    "vanishing tanh RNN, 40 steps": (
        lambda: RNN(steps=40, hidden=4, activation="tanh", rho=0.8, seed=0),
        4,
    ),
    "exploding linear RNN, 40 steps": (
        lambda: RNN(steps=40, hidden=4, activation="linear", rho=1.2, seed=0),
        4,
    ),
}
needs_extended = pytest.mark.skipif(
    not EXTENDED, reason="this platform's long double is float64: too coarse for 1e-11 gradients"
)


@cache
def deep(name: str):
    """The network, its batch, its trace and its finite-difference gradients (once per run)."""
    build, n = DEEP[name]
    model = build()
    x, y = _batch(model, n=n, seed=2)
    trace = model.loss_and_trace(x, y)
    numeric = numeric_grads(model, x, y, trace, _max_step(model))
    return model, x, y, trace, numeric


def _errors(model, analytic, numeric):
    analytic, numeric = dict(analytic), dict(numeric)
    _without_zeros(model, analytic, numeric)
    return errors(analytic, numeric)


@needs_extended
@pytest.mark.parametrize("name", list(DEEP))
def test_deep_networks_match_finite_differences(name):
    model, x, _, trace, numeric = deep(name)
    if model.kind == "mlp" and model.config.activation == "relu":
        assert _min_abs_preactivation(model, x) > 100 * KINK_STEP  # the stencil meets no kink
    errs = _errors(model, analytic_grads(trace), numeric)
    bad = {k: f"{e:.1e}" for k, e in errs.items() if not e < DEEP_TOL}
    assert not bad, f"relative errors above {DEEP_TOL}: {bad}"


def test_the_deep_networks_do_vanish_and_explode():
    """What makes the checks above hard: the first layer's gradient, as a share of the output's."""
    share = {name: deep(name)[3].products[0] for name in DEEP}
    assert share["vanishing sigmoid, standard init"] < 1e-8
    assert share["exploding ReLU, std 1"] > 1e2
    assert share["vanishing tanh RNN, 40 steps"] < 1e-3
    assert share["exploding linear RNN, 40 steps"] > 1e2
    # And the arrays are tiny where FLOOR = 1e-4, the old check's absolute floor, saw nothing.
    _, _, _, trace, _ = deep("vanishing sigmoid, standard init")
    assert np.linalg.norm(trace.grads["W1"]) < 1e-9


@needs_extended
@pytest.mark.parametrize(
    ("name", "array"),
    [
        ("vanishing sigmoid, standard init", "W1"),
        ("vanishing sigmoid, standard init", "b1"),
        ("vanishing sigmoid, standard init", "dh1"),
        ("exploding ReLU, std 1", "W1"),
        ("sigmoid with batch norm", "gamma1"),
        ("sigmoid with residual blocks", "R2"),
        ("vanishing tanh RNN, 40 steps", "dh1"),
        ("exploding linear RNN, 40 steps", "W_hh"),
    ],
)
def test_a_gradient_one_percent_wrong_is_rejected(name, array):
    model, _, _, trace, numeric = deep(name)
    wrong = analytic_grads(trace)
    wrong[array] = wrong[array] * 1.01
    errs = _errors(model, wrong, numeric)
    assert errs[array] > 100 * DEEP_TOL
    assert all(e < DEEP_TOL for k, e in errs.items() if k != array)  # and nothing else


@needs_extended
def test_a_backward_pass_with_a_slope_one_percent_too_big_is_rejected(monkeypatch):
    """A wrong backward pass, not a wrong array: the sigmoid's slope 1% too big in every layer.
    The top layer's dL/dh is still right (it does not use the slope); everything below is not."""
    model, x, y, _, numeric = deep("vanishing sigmoid, standard init")
    sigmoid = activations.get("sigmoid")
    wrong = replace(sigmoid, slope=lambda z, a: 1.01 * sigmoid.slope(z, a))
    monkeypatch.setattr(activations, "get", lambda name, leaky_slope=0.01: wrong)
    errs = _errors(model, analytic_grads(model.loss_and_trace(x, y)), numeric)
    assert errs["dh12"] < DEEP_TOL
    assert all(errs[k] > 100 * DEEP_TOL for k in errs if k not in ("dh12", "W_out", "b_out"))
