"""Training: records, momentum, clipping, reproducibility and overflow handled as data."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gradbook import MLP, RNN, TrainConfig, data, train
from gradbook.train import held_out_accuracy


def _run(seed=0, **fields):
    net = MLP(depth=4, width=8, activation="tanh", seed=seed)
    return net, train(net, TrainConfig(steps=30, **fields), seed=seed)


def test_same_configuration_and_seed_are_bit_identical():
    net_a, a = _run(momentum=0.9)
    net_b, b = _run(momentum=0.9)
    np.testing.assert_array_equal(a.losses, b.losses)
    np.testing.assert_array_equal(a.grad_norms, b.grad_norms)
    for name in net_a.params:
        np.testing.assert_array_equal(net_a.params[name], net_b.params[name])
    _, c = _run(seed=1, momentum=0.9)
    assert not np.array_equal(a.losses, c.losses)


def test_training_learns_the_circles():
    net = MLP(depth=3, width=32, activation="relu", init="he", seed=0)
    run = train(net, steps=300, lr=0.1, momentum=0.9, record_every=100)
    assert run.losses[-20:].mean() < 0.5 * run.losses[0]
    assert run.recorded_steps == [0, 100, 200, 299]
    assert run.accuracy[0] < 0.7 and run.final_accuracy > 0.9


def test_held_out_accuracy_counts_correct_argmax_predictions():
    net = MLP(depth=2, width=8, activation="tanh", init="xavier", seed=0)
    x, labels = data.held_out("mlp", net.config)
    out, _ = net.forward(x)
    expected = np.mean(np.argmax(out, axis=1) == labels)
    assert held_out_accuracy(net, x, labels) == expected
    net.params["W_out"][:] = np.inf  # an overflowed network predicts nothing
    assert np.isnan(held_out_accuracy(net, x, labels))


def test_held_out_set_is_fixed_and_apart_from_training_batches():
    config = MLP(depth=2, width=8, seed=0).config
    x1, y1 = data.held_out("mlp", config)
    x2, y2 = data.held_out("mlp", config)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert x1.shape == (data.HELD_OUT_SIZE, 2) and 0.4 < y1.mean() < 0.6
    xb, _ = data.task_batch("mlp", config, 64, np.random.default_rng(0))
    assert not np.isin(xb, x1).any()


def test_each_step_records_what_the_book_plots():
    _net, run = _run()
    assert len(run.steps) == 30 and run.first_nonfinite_step is None
    record = run.steps[5]
    assert record.grad_norms.shape == (4,) and record.weight_grad_norms.shape == (4,)
    assert set(record.update_ratios) == {"W1", "W2", "W3", "W4"}
    assert all(0 < r < 1 for r in record.update_ratios.values())
    assert set(run.traces) == {0, 10, 20, 29}


def test_update_ratio_is_std_of_the_update_over_std_of_the_weights():
    net = MLP(depth=2, width=8, activation="tanh", seed=0)
    before = {k: v.copy() for k, v in net.params.items()}
    run = train(net, steps=1, lr=0.05)
    update = net.params["W1"] - before["W1"]
    assert run.steps[0].update_ratios["W1"] == pytest.approx(
        np.std(update) / np.std(before["W1"]), rel=1e-12
    )


def test_momentum_accumulates_the_velocity():
    net = MLP(depth=2, width=4, seed=0)
    start = {k: v.copy() for k, v in net.params.items()}
    run = train(net, steps=2, lr=0.1, momentum=0.5, record_every=1)
    g0, g1 = run.traces[0].grads["W1"], run.traces[1].grads["W1"]
    expected = start["W1"] - 0.1 * g0 - 0.1 * (0.5 * g0 + g1)
    np.testing.assert_allclose(net.params["W1"], expected, rtol=1e-12)


def test_clipping_by_value_bounds_every_entry_of_the_update():
    net = MLP(depth=6, width=16, activation="relu", init="normal:1.0", seed=0)
    start = {k: v.copy() for k, v in net.params.items()}
    run = train(net, steps=1, lr=1.0, clip_value=0.01)
    assert run.steps[0].clipped
    for name in net.params:
        assert np.max(np.abs(net.params[name] - start[name])) <= 0.01 + 1e-15


def test_clipping_by_norm_is_recorded_and_keeps_a_exploding_rnn_finite():
    rnn = RNN(steps=40, hidden=16, activation="linear", rho=1.1, loss="mse", seed=0)
    plain = train(rnn, steps=60, lr=0.01)
    assert plain.first_nonfinite_step is not None
    rnn = RNN(steps=40, hidden=16, activation="linear", rho=1.1, loss="mse", seed=0)
    clipped = train(rnn, steps=60, lr=0.01, clip_norm=1.0)
    assert clipped.first_nonfinite_step is None
    assert clipped.steps[0].clipped and clipped.steps[0].global_norm > 1.0
    assert clipped.losses[-1] < clipped.losses[0]


def test_overflow_stops_cleanly_without_warnings():
    net = MLP(depth=30, width=32, activation="linear", init="normal:3.0", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any numpy RuntimeWarning would raise here
        run = train(net, steps=20, lr=0.1)
    assert run.first_nonfinite_step is not None
    assert run.steps[-1].step == run.first_nonfinite_step
