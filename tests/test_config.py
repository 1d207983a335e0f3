"""Bad input through the Python API: ValueError or TypeError naming what is allowed."""

from __future__ import annotations

import numpy as np
import pytest

from gradbook import MLP, RNN, MLPConfig, RNNConfig, TrainConfig, scenarios, train
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
    with pytest.raises(ValueError, match="batch_size must be 1 or more"):
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


def test_batch_norm_refuses_a_batch_of_one():
    net = MLP(depth=2, width=3, batchnorm=True)
    with pytest.raises(ValueError, match="batch norm needs at least 2 examples"):
        net.trace(batch_size=1)
    assert net.trace(batch_size=2).is_finite


def test_other_bad_calls():
    with pytest.raises(TypeError, match="seed must be a non-negative integer"):
        MLP(seed=-1)
    with pytest.raises(TypeError, match="either an MLPConfig or its fields"):
        MLP(MLPConfig(), depth=3)
    with pytest.raises(TypeError, match="model must be a gradbook MLP or RNN"):
        train("not a model")
    with pytest.raises(ValueError, match="unknown scenario 'nope': allowed values are"):
        scenarios.get("nope")
    with pytest.raises(TypeError, match="non-empty list of scenario ids"):
        build_payload("sigmoid-vanishing")
