"""Figures draw with the book's fixed colour scale and label what they show."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

from gradbook import RNN, colorscale, plots, scenarios


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_gradient_profile_colours_each_layer_by_its_size(ax):
    trace = scenarios.run("sigmoid-vanishing").run.traces[0]
    _, dots = plots.gradient_profile(ax, trace)
    drawn = [to_hex(c) for c in dots.get_facecolors()]
    assert drawn == [colorscale.color_of(v) for v in trace.grad_norms]
    assert ax.get_yscale() == "log"


def test_colorbar_ticks_are_powers_of_ten():
    fig, ax = plt.subplots()
    bar = plots.add_colorbar(fig, ax)
    ticks = np.log10(bar.get_ticks())
    np.testing.assert_allclose(ticks, np.round(ticks))
    assert ticks[0] == colorscale.LOG10_MIN and ticks[-1] == colorscale.LOG10_MAX
    plt.close(fig)


def test_loss_curve_marks_the_first_nonfinite_step(ax):
    run = scenarios.run("rnn-exploding").run
    artists = plots.loss_curve(ax, run)
    assert artists[1].get_xdata()[0] == run.first_nonfinite_step
    assert "NaN" in artists[2].get_text() or "infinite" in artists[2].get_text()


def test_over_time_reference_is_rho_to_the_steps_back(ax):
    trace = RNN(steps=10, hidden=4, activation="linear", rho=1.3).trace()
    _, ref = plots.over_time(ax, trace, 1.3)
    np.testing.assert_allclose(ref.get_ydata(), trace.grad_norms, rtol=1e-9)


def test_histograms_and_update_ratios(ax):
    trace = scenarios.run("relu-he").run.traces[0]
    assert len(plots.histograms(ax, trace, "dW", layers=[0, 5])) == 2
    with pytest.raises(ValueError, match="'dh' or 'dW'"):
        plots.histograms(ax, trace, "W")
    fig, ax2 = plt.subplots()
    lines = plots.update_ratios(ax2, scenarios.run("relu-he").run, ["W1"])
    assert lines[-1].get_ydata()[0] == plots.HEALTHY_UPDATE_RATIO
    plt.close(fig)


def test_first_layer_shares_draw_one_bar_per_network(ax):
    traces = {sid: scenarios.run(sid).run.traces[0] for sid in ["sigmoid-vanishing", "relu-he"]}
    bars = plots.first_layer_shares(ax, traces)
    widths = [bar.get_width() for bar in bars]
    assert widths == [t.products[0] for t in traces.values()]
    assert ax.get_xscale() == "log"
