"""Traces: factors, products, per-unit sizes and the shared histogram grid."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from gradbook import HIST_EDGES, MLP, TrainConfig, scenarios, train
from gradbook.trace import log_histogram, norm


def test_factors_multiply_to_the_running_product():
    trace = MLP(depth=8, width=16, activation="sigmoid", seed=0).trace()
    np.testing.assert_allclose(np.cumprod(trace.factors[::-1])[::-1], trace.products, rtol=1e-12)
    np.testing.assert_allclose(trace.products, trace.grad_norms / trace.output_grad_norm)


def test_per_layer_statistics():
    trace = MLP(depth=3, width=16, activation="tanh", seed=0).trace(batch_size=128)
    layer = trace.layers[1]
    assert layer.dh.shape == (128, 16) and layer.dW.shape == (16, 16)
    np.testing.assert_allclose(np.linalg.norm(layer.neuron_grad), layer.grad_norm, rtol=1e-12)
    assert layer.mean_slope == pytest.approx(np.mean(1 - layer.h**2))
    assert layer.activation_mean == pytest.approx(layer.h.mean())
    assert layer.activation_std == pytest.approx(layer.h.std())
    assert 0 <= layer.saturated <= 1


def test_saturation_of_a_large_initialization():
    trace = MLP(depth=4, width=64, activation="tanh", init="normal:1.0", seed=0).trace()
    assert trace.layers[-1].saturated > 0.5  # |tanh| > 0.97 for most units


def test_histograms_share_one_fixed_grid():
    a = MLP(depth=3, width=8, activation="sigmoid", seed=0).trace()
    b = MLP(depth=5, width=32, activation="relu", init="he", seed=1).trace()
    for layer in (*a.layers, *b.layers):
        for hist in (layer.dh_hist, layer.dW_hist):
            assert hist.edges is HIST_EDGES
            total = hist.counts.sum() + hist.below + hist.above + hist.zero + hist.nonfinite
            assert total == hist_size(layer, hist)


def hist_size(layer, hist):
    return layer.dh.size if hist is layer.dh_hist else layer.dW.size


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
    text = MLP(depth=3, width=4, seed=0).trace().table()
    lines = text.splitlines()
    assert lines[0].split() == ["layer", "grad", "norm", "factor", "product"]
    assert [line.split()[0] for line in lines[1:4]] == ["1", "2", "3"]
    assert "e-" in lines[1] or "e+" in lines[1]


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
