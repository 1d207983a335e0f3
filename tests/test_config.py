"""Bad input through the Python API: ValueError or TypeError naming what is allowed."""

from __future__ import annotations

import numpy as np
import pytest

from gradbook import (
    MLP,
    RNN,
    MLPConfig,
    RNNConfig,
    TrainConfig,
    config,
    data,
    losses,
    scenarios,
    train,
)
from gradbook.export import build_payload


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"depth": 0}, ValueError, "depth must be from 1 to 200"),
        ({"depth": 201}, ValueError, "depth must be from 1 to 200"),
        ({"depth": 2.5}, TypeError, "depth must be an integer"),
        ({"depth": True}, TypeError, "depth must be an integer"),
        ({"width": -3}, ValueError, "width must be from 1 to 2048"),
        ({"width": 4096}, ValueError, "width must be from 1 to 2048"),
        ({"activation": "softplus"}, ValueError, "sigmoid, tanh, relu, leaky_relu, linear"),
        ({"activation": None}, TypeError, "activation must be a string"),
        ({"init": "kaiming"}, ValueError, "normal:STD, standard, xavier, xavier-uniform, he"),
        ({"init": "normal:-1"}, ValueError, "must be positive"),
        ({"init": "normal:abc"}, ValueError, "as in 'normal:0.01'"),
        ({"batchnorm": "yes"}, TypeError, "batchnorm must be True or False"),
        ({"loss": "hinge"}, ValueError, "cross_entropy, mse"),
        ({"output_dim": 1}, ValueError, "cross_entropy needs output_dim of 2 or more"),
        ({"bn_eps": -1.0}, ValueError, "bn_eps must be a finite number zero or more"),
    ],
)
def test_bad_mlp_fields_name_what_is_allowed(fields, error, message):
    with pytest.raises(error, match=message):
        MLPConfig(**fields)
    with pytest.raises(error, match=message):
        MLP(**fields)


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"steps": 0}, ValueError, "steps must be from 1 to 500"),
        ({"steps": 501}, ValueError, "steps must be from 1 to 500"),
        ({"activation": "relu"}, ValueError, "allowed values are tanh, linear"),
        ({"rho": 0}, ValueError, "rho must be a finite number greater than zero"),
        ({"rho": float("nan")}, ValueError, "rho must be a finite number"),
        ({"hidden": "8"}, TypeError, "hidden must be an integer"),
    ],
)
def test_bad_rnn_fields_name_what_is_allowed(fields, error, message):
    with pytest.raises(error, match=message):
        RNNConfig(**fields)


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"lr": 0}, ValueError, "lr must be a finite number greater than zero"),
        ({"lr": float("inf")}, ValueError, "lr must be a finite number"),
        ({"momentum": 1.0}, ValueError, "momentum must be below 1"),
        ({"clip_norm": -1}, ValueError, "clip_norm must be a finite number greater than zero"),
        ({"batch_size": 0}, ValueError, "batch_size must be from 1"),
        ({"steps": "10"}, TypeError, "steps must be an integer"),
    ],
)
def test_bad_training_fields_name_what_is_allowed(fields, error, message):
    with pytest.raises(error, match=message):
        TrainConfig(**fields)


def test_configs_are_immutable():
    config = MLPConfig()
    with pytest.raises(AttributeError):
        config.depth = 3


def test_bad_batches_are_refused_with_the_expected_shape():
    net = MLP(depth=2, width=3)
    with pytest.raises(ValueError, match=r"x must have shape \('batch', 2\)"):
        net.trace(np.zeros((4, 3)), np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match="class labels must be from 0 to 1"):
        net.trace(np.zeros((4, 2)), np.array([0, 1, 2, 0]))
    with pytest.raises(TypeError, match="integer class labels"):
        net.trace(np.zeros((4, 2)), np.array([0.5, 1, 0, 0]))
    with pytest.raises(TypeError, match="pass both x and y"):
        net.trace(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="batch_size must be from 1 to 100000"):
        net.trace(batch_size=0)
    rnn = RNN(steps=5, hidden=3)
    with pytest.raises(ValueError, match=r"x must have shape \('batch', 5, 1\)"):
        rnn.trace(np.zeros((4, 6, 1)), np.zeros(4, dtype=int))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_inputs_are_refused_not_traced_into_nan(bad):
    """Overflow inside a network is data; a NaN fed in is a mistake, said at once."""
    x = np.zeros((4, 2))
    x[1, 0] = bad
    with pytest.raises(ValueError, match="x must hold finite numbers only; it has 1 NaN"):
        MLP(depth=2, width=3).trace(x, np.array([0, 1, 0, 1]))
    xs = np.zeros((4, 5, 1))
    xs[2, 3, 0] = bad
    with pytest.raises(ValueError, match="x must hold finite numbers only"):
        RNN(steps=5, hidden=3).trace(xs, np.array([0, 1, 0, 1]))
    y = np.zeros((4, 2))
    y[0, 1] = bad
    with pytest.raises(ValueError, match="y must hold finite numbers only"):
        MLP(depth=2, width=3, loss="mse").trace(np.zeros((4, 2)), y)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_batch_norm_refuses_batches_too_small_to_normalize_over(n):
    net = MLP(depth=2, width=3, batchnorm=True)
    with pytest.raises(ValueError, match=f"at least 4 examples in a batch, got {n}: it normalizes"):
        net.trace(batch_size=n)
    with pytest.raises(ValueError, match="at least 4 examples"):
        train(MLP(depth=2, width=3, batchnorm=True), steps=1, batch_size=n)
    assert net.trace(batch_size=4).is_finite
    assert MLP(depth=2, width=3).trace(batch_size=n).is_finite  # without batch norm, any size


def test_the_batch_norm_minimum_is_where_the_gradient_stops_cancelling():
    """The reason for the limit, measured: with 2 examples each unit normalizes to -1 or +1 and
    the gradient through the batch statistics cancels, so layer 1 of the book's batch-norm
    network gets next to nothing; from 4 examples it gets a gradient of the usual size."""
    net = scenarios.get("batchnorm").build()
    x, y = data.task_batch("mlp", net.config, 64, np.random.default_rng(0))
    first = {n: batchnorm_layer1_share(net, x[:n], y[:n]) for n in (2, 4, 64)}
    assert first[2] < 1e-6 * first[64]
    assert first[4] > 0.05 * first[64]
    assert config.MIN_BATCHNORM_BATCH == 4


def batchnorm_layer1_share(net, x, y):
    """Layer 1's share of the output gradient, bypassing the batch-size check."""
    out, cache = net.forward(x)
    _, dout = losses.get(net.config.loss)(out, y)
    _, passes = net.backward(cache, dout)
    return np.linalg.norm(passes[0].dh) / np.linalg.norm(dout)


def test_other_bad_calls():
    with pytest.raises(ValueError, match="seed must be from 0 to 4294967295, got -1"):
        MLP(seed=-1)
    with pytest.raises(TypeError, match="seed must be an integer"):
        MLP(seed=1.5)
    with pytest.raises(ValueError, match="seed must be from 0"):
        MLP().trace(seed=-2)
    with pytest.raises(TypeError, match="either an MLPConfig or its fields"):
        MLP(MLPConfig(), depth=3)
    with pytest.raises(TypeError, match="model must be a gradbook MLP or RNN"):
        train("not a model")
    with pytest.raises(ValueError, match="unknown scenario 'nope': allowed values are"):
        scenarios.get("nope")
    with pytest.raises(TypeError, match="non-empty list of scenario ids"):
        build_payload("sigmoid-vanishing")


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ({"activation": "leaky-relu"}, {"activation": "leaky_relu"}),
        ({"activation": "Leaky_ReLU"}, {"activation": "leaky_relu"}),
        ({"activation": "TANH"}, {"activation": "tanh"}),
        ({"init": "xavier_uniform"}, {"init": "xavier-uniform"}),
        ({"init": "Xavier-Uniform"}, {"init": "xavier-uniform"}),
        ({"init": "HE"}, {"init": "he"}),
        ({"init": "Normal:0.5"}, {"init": "normal:0.5"}),
        ({"loss": "Cross-Entropy"}, {"loss": "cross_entropy"}),
        ({"loss": "MSE"}, {"loss": "mse"}),
    ],
)
def test_names_take_any_case_and_either_separator_and_are_stored_canonically(typed, canonical):
    assert MLPConfig(**typed) == MLPConfig(**canonical)
    [(field, value)] = canonical.items()
    assert getattr(MLPConfig(**typed), field) == value
    # The same network, bit for bit.
    a, b = MLP(**typed, depth=3, width=4, seed=1), MLP(**canonical, depth=3, width=4, seed=1)
    np.testing.assert_array_equal(a.trace().grads["W1"], b.trace().grads["W1"])


def test_rnn_names_are_canonical_too():
    assert RNNConfig(activation="Linear", loss="MSE") == RNNConfig(activation="linear", loss="mse")
    with pytest.raises(ValueError, match="unknown RNN activation 'relu': allowed values are tanh"):
        RNNConfig(activation="relu")


def test_check_int_is_the_one_integer_rule():
    assert config.check_int("n", np.int64(3), 1, 5) == 3
    assert type(config.check_int("n", np.int64(3), 1, 5)) is int
    assert (
        MLPConfig(depth=np.int32(4)).depth == 4 and type(MLPConfig(depth=np.int32(4)).depth) is int
    )
    with pytest.raises(ValueError, match="n must be 2 or more, got 1"):
        config.check_int("n", 1, 2)
    with pytest.raises(TypeError, match=r"n must be an integer, got float 2\.0"):
        config.check_int("n", 2.0, 1)
    with pytest.raises(TypeError, match="n must be an integer, got bool False"):
        config.check_int("n", False, 0)


def test_reprs_say_what_a_network_and_a_trace_are_without_arrays():
    net = MLP(depth=3, width=4, activation="relu", init="he", seed=7)
    assert repr(net) == f"MLP({net.config!r}, seed=7)"
    assert "depth=3" in repr(net) and "activation='relu'" in repr(net)
    rnn = RNN(steps=5, hidden=3, seed=2)
    assert repr(rnn).startswith("RNN(RNNConfig(steps=5, hidden=3,") and repr(rnn).endswith(
        "seed=2)"
    )
    trace = net.trace(batch_size=8)
    assert repr(trace) == (
        f"Trace(kind='mlp', loss={trace.loss:.6g}, 3 hidden layers, "
        f"output_grad_norm={trace.output_grad_norm:.3e})"
    )
    assert repr(rnn.trace(batch_size=8)).startswith("Trace(kind='rnn', loss=")
    assert "5 time steps" in repr(rnn.trace(batch_size=8))
    layer = trace.layers[1]
    assert repr(layer) == (
        f"LayerTrace(index=2, grad_norm={layer.grad_norm:.3e}, factor={layer.factor:.3e}, "
        f"product={layer.product:.3e}, units=4)"
    )
    for text in (repr(net), repr(trace), repr(layer)):
        assert "array" not in text and "[" not in text and "\n" not in text
