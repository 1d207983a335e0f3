"""Traces against numbers worked out by hand, the published ones, and training's first step."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from gradbook import HIST_EDGES, MLP, TrainConfig, scenarios, train
from gradbook.activations import SIGMOID
from gradbook.trace import log_histogram, norm


def _linear_chain():
    """Two linear layers of one unit, squared error, two examples: small enough to do by hand.

    x = (1, -2), W1 = 2, W2 = -3, W_out = 0.5, every bias 0, targets 0:
    h1 = (2, -4), h2 = (-6, 12), out = (-3, 6), L = (9 + 36) / 4 = 11.25,
    dL/dout = out / 2 = (-1.5, 3), dh2 = 0.5 dL/dout = (-0.75, 1.5), dh1 = -3 dh2 = (2.25, -4.5).
    """
    net = MLP(depth=2, width=1, input_dim=1, output_dim=1, activation="linear", loss="mse")
    net.params.update(W1=np.array([[2.0]]), W2=np.array([[-3.0]]), W_out=np.array([[0.5]]))
    return net.trace(np.array([[1.0], [-2.0]]), np.zeros((2, 1)))


def test_a_linear_chain_by_hand():
    trace = _linear_chain()
    assert trace.loss == 11.25
    np.testing.assert_array_equal(trace.layers[1].dh, [[-0.75], [1.5]])
    np.testing.assert_array_equal(trace.layers[0].dh, [[2.25], [-4.5]])
    np.testing.assert_array_equal(trace.layers[0].h, [[2.0], [-4.0]])
    # dW = h_below^T dz: 1 * 2.25 + (-2) * (-4.5) for W1, 2 * (-0.75) + (-4) * 1.5 for W2.
    assert trace.grads["W1"][0, 0] == 11.25 and trace.layers[0].dW[0, 0] == 11.25
    assert trace.grads["W2"][0, 0] == -7.5
    assert trace.grads["W_out"][0, 0] == 45.0  # (-6)(-1.5) + 12 * 3
    assert trace.output_grad_norm == pytest.approx(np.sqrt(11.25), rel=1e-15)
    # Each factor is the size of the weight above: |W_out| = 0.5 at layer 2, |W2| = 3 at layer 1.
    np.testing.assert_allclose(trace.factors, [3.0, 0.5], rtol=1e-15)
    np.testing.assert_allclose(trace.products, [1.5, 0.5], rtol=1e-15)


def test_per_unit_sizes_and_activation_statistics_by_hand():
    # One layer of two units, both fed x: h = (x, x); W_out = (1, 2)^T; targets 0; x = (1, -2).
    # out = 3x = (3, -6), dL/dout = out / 2 = (1.5, -3), dh = dL/dout W_out^T: unit 2 gets twice
    # unit 1's signal. Column norms: sqrt(1.5^2 + 3^2) = 3.354 and twice that.
    net = MLP(depth=1, width=2, input_dim=1, output_dim=1, activation="linear", loss="mse")
    net.params.update(W1=np.array([[1.0, 1.0]]), W_out=np.array([[1.0], [2.0]]))
    layer = net.trace(np.array([[1.0], [-2.0]]), np.zeros((2, 1))).layers[0]
    np.testing.assert_array_equal(layer.dh, [[1.5, 3.0], [-3.0, -6.0]])
    np.testing.assert_allclose(layer.neuron_grad, [np.sqrt(11.25), 2 * np.sqrt(11.25)])
    assert layer.grad_norm == 7.5  # sqrt(2.25 + 9 + 9 + 36)
    assert layer.activation_mean == -0.5  # mean of (1, 1, -2, -2)
    assert layer.activation_std == 1.5
    assert layer.spread == 1.5  # each unit is (1, -2) across the batch
    assert layer.mean_slope == 1.0 and layer.saturated == 0.0


@pytest.mark.parametrize(
    ("activation", "slopes", "saturated"),
    [
        # The slopes at z = 0, 1, 2, 4 (Glorot and Bengio 2010 plot them; these are rounded as
        # there). A unit counts as saturated when sigmoid is outside (0.03, 0.97), |tanh| > 0.97,
        # or ReLU is off: sigmoid(4) = 0.982 and tanh(4) = 0.9993 are; sigmoid(2) = 0.881 and
        # tanh(2) = 0.964 are not.
        ("sigmoid", [0.25, 0.197, 0.105, 0.018], 0.25),
        ("tanh", [1.0, 0.420, 0.071, 0.0013], 0.25),
        ("relu", [0.0, 1.0, 1.0, 1.0], 0.25),  # z = 0 is off
    ],
)
def test_slopes_and_saturation_at_known_points(activation, slopes, saturated):
    net = MLP(depth=1, width=1, input_dim=1, activation=activation)
    net.params["W1"] = np.array([[1.0]])  # z = x
    layer = net.trace(np.array([[0.0], [1.0], [2.0], [4.0]]), np.array([0, 1, 0, 1])).layers[0]
    for got, want in zip(layer.slope[:, 0], slopes, strict=True):
        decimals = len(str(want).split(".")[1])
        assert got == pytest.approx(want, abs=0.5 * 10**-decimals)
    assert layer.mean_slope == pytest.approx(np.mean(layer.slope))
    assert layer.saturated == saturated


def test_saturation_is_not_vanishing():
    """A 12 x 16 tanh network with weights of std 1: about 47% of its units are saturated, yet
    every factor is 1.25 to 2.45 and the gradient grows toward layer 1 (Poole et al. 2016;
    Schoenholz et al. 2017: the chaotic phase), measured on a batch of 256."""
    # Those numbers are one seed's; every seed tells the same story within a few percent.
    for seed in range(3):
        net = MLP(depth=12, width=16, activation="tanh", init="normal:1.0", seed=seed)
        trace = net.trace(batch_size=256)
        assert np.mean([layer.saturated for layer in trace.layers]) == pytest.approx(0.47, abs=0.04)
        assert 1.0 < trace.factors.min() and trace.factors.max() < 2.6
        assert trace.products[0] > 100


def test_forward_collapse_of_a_sigmoid_network_with_the_standard_init():
    """Too-small weights shrink the forward signal too: in a 12 x 16 sigmoid network each
    unit's spread across the batch falls from about 7e-2 at layer 1 to about 3e-11 at layer 12,
    so every example reaches the read-out alike (Glorot and Bengio 2010)."""
    trace = scenarios.get("sigmoid-vanishing").build().trace(batch_size=256)
    # One seed's numbers: layer 1 within 20% of FACTS.md's, layer 12 (ten decades further down)
    # within a factor of 2; and the fall is geometric, every layer below the one before.
    assert trace.layers[0].spread == pytest.approx(7e-2, rel=0.2)
    assert 1.5e-11 < trace.layers[-1].spread < 6e-11
    assert all(b.spread < a.spread for a, b in zip(trace.layers, trace.layers[1:], strict=False))


def test_residual_layers_output_the_input_plus_the_branch():
    """h_{l+1} = h_l + sigmoid(h_l W + b) R + r where the widths match; layer 1 (2 inputs, 3
    units) is plain. Worked out here from the parameters, not by the simulator's own code."""
    net = MLP(depth=4, width=3, activation="sigmoid", residual=True, seed=2)
    p = net.params
    p["r3"] = np.array([0.5, -0.25, 1.0])
    x = np.random.default_rng(0).normal(size=(5, 2))
    layers = net.trace(x, np.zeros(5, dtype=int)).layers

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    h = sigmoid(x @ p["W1"] + p["b1"])
    np.testing.assert_allclose(layers[0].h, h, rtol=1e-14)
    for l in (2, 3, 4):
        h = h + sigmoid(h @ p[f"W{l}"] + p[f"b{l}"]) @ p[f"R{l}"] + p[f"r{l}"]
        np.testing.assert_allclose(layers[l - 1].h, h, rtol=1e-13)
    assert set(p) >= {"R2", "r2", "R3", "r3", "R4", "r4"} and "R1" not in p
    assert net.weight_names() == ["W1", "W2", "W3", "W4"]


def test_a_residual_branch_that_ends_linear_does_not_drift():
    """A branch that ended in the sigmoid would add a positive number at every layer, so the
    mean of h would climb with depth; ending in a zero-mean linear layer, it does not."""
    net = scenarios.get("residual").build()
    x = np.random.default_rng(1).normal(size=(256, 2))
    layers = net.trace(x, np.zeros(256, dtype=int)).layers
    assert all(abs(layer.activation_mean) < 1 for layer in layers)
    # The old block, h + sigmoid(h W + b), on the same weights: the mean climbs by about 0.5 (a
    # sigmoid unit's typical value) at every layer.
    p, h = net.params, layers[0].h
    means = [h.mean()]
    for l in range(2, 13):
        h = h + SIGMOID.f(h @ p[f"W{l}"] + p[f"b{l}"])
        means.append(h.mean())
    assert np.all(np.diff(means) > 0.25) and means[-1] > 5


def test_histograms_share_one_fixed_grid_and_count_every_entry():
    a = MLP(depth=3, width=8, activation="sigmoid", seed=0).trace()
    b = MLP(depth=5, width=32, activation="relu", init="he", seed=1).trace()
    for layer in (*a.layers, *b.layers):
        for hist, values in ((layer.dh_hist, layer.dh), (layer.dW_hist, layer.dW)):
            assert hist.edges is HIST_EDGES
            total = hist.counts.sum() + hist.below + hist.above + hist.zero + hist.nonfinite
            assert total == values.size


def test_log_histogram_counts_zeros_and_nonfinite_apart():
    hist = log_histogram(np.array([0.0, 1e-20, 1e-3, 1e-3, 1e9, np.inf, np.nan, -1e-3]))
    assert (hist.zero, hist.below, hist.above, hist.nonfinite) == (1, 1, 1, 2)
    assert hist.counts.sum() == 3
    bin_of = np.searchsorted(HIST_EDGES, -3.0, side="right") - 1
    assert hist.counts[bin_of] == 3


def test_norm_is_exact_where_squares_would_overflow():
    assert norm(np.array([3e200, 4e200])) == pytest.approx(5e200)
    assert norm(np.array([1.0, np.inf])) == np.inf
    assert np.isnan(norm(np.array([1.0, np.nan])))
    assert norm(np.zeros(3)) == 0.0


def test_table_lists_layers_first_to_last_in_scientific_notation():
    text = _linear_chain().table()
    lines = text.splitlines()
    assert lines[0].split() == ["layer", "grad", "norm", "factor", "product"]
    assert lines[1].split() == ["1", "5.031e+00", "3.000e+00", "1.500e+00"]
    assert lines[2].split() == ["2", "1.677e+00", "5.000e-01", "5.000e-01"]
    assert lines[3].split() == ["output", "3.354e+00"]
    assert lines[4] == "loss 11.25"


@pytest.mark.parametrize("scenario_id", list(scenarios.SCENARIOS))
def test_a_trace_is_step_0_of_the_training_run(scenario_id):
    """One network, one set of numbers: trace(seed=s) with its default batch is exactly the
    first step of train(..., seed=s), whether training uses its own defaults or the scenario's."""
    scenario = scenarios.get(scenario_id)
    trace = scenario.build().trace(seed=3)
    for training in (TrainConfig(steps=1), replace(scenario.training, steps=1)):
        step0 = train(scenario.build(), training, seed=3).traces[0]
        assert step0.loss == trace.loss
        assert step0.grads.keys() == trace.grads.keys()
        for name in trace.grads:
            np.testing.assert_array_equal(step0.grads[name], trace.grads[name])
        for ours, theirs in zip(trace.layers, step0.layers, strict=True):
            np.testing.assert_array_equal(ours.dh, theirs.dh)
            np.testing.assert_array_equal(ours.h, theirs.h)


@pytest.mark.parametrize("scale", [1.0, 1e200, 1e-200, 1e-160, 1e150])
def test_norm_is_right_at_every_scale_plain_or_scaled(scale):
    # 3-4-5 at every scale: the plain sum of squares where it is safe, the scaled one where the
    # squares overflow (1e200) or underflow (1e-160, 1e-200), and both at the edge (1e150).
    assert norm(np.array([3.0, 4.0]) * scale) == pytest.approx(5.0 * scale, rel=1e-15)
    assert norm(np.array([[3.0], [4.0]]) * scale) == pytest.approx(5.0 * scale, rel=1e-15)


def test_norm_of_nothing_zero_inf_and_nan():
    assert norm(np.array([])) == 0.0 and norm(np.zeros(3)) == 0.0
    assert norm(np.array([1.0, np.inf])) == np.inf
    assert np.isnan(norm(np.array([1.0, np.nan])))


def test_a_dead_unit_is_one_whose_slope_is_zero_for_every_example():
    """Two ReLU units, three examples: unit 1's input is never positive, unit 2's sometimes is."""
    net = MLP(depth=1, width=2, input_dim=1, output_dim=1, activation="relu", loss="mse")
    net.params.update(W1=np.array([[-1.0, 1.0]]), b1=np.array([0.0, -0.5]))
    trace = net.trace(np.array([[1.0], [2.0], [0.25]]), np.zeros((3, 1)))
    # unit 1: z = -1, -2, -0.25 (always off); unit 2: z = 0.5, 1.5, -0.25 (on for two of three)
    assert trace.layers[0].dead == 0.5
    np.testing.assert_array_equal(trace.dead_shares, [0.5])
    tanh = MLP(depth=3, width=4, activation="tanh", seed=0).trace()
    np.testing.assert_array_equal(tanh.dead_shares, [0.0, 0.0, 0.0])


def test_each_recorded_measures_every_recorded_step_in_order():
    run = train(MLP(depth=2, width=4, seed=0), TrainConfig(steps=7, record_every=3), seed=0)
    assert run.recorded_steps == [0, 3, 6]
    losses = run.each_recorded(lambda t: t.loss)
    np.testing.assert_array_equal(losses, [run.steps[s].loss for s in (0, 3, 6)])
    assert run.each_recorded(lambda t: t.spreads).shape == (3, 2)
