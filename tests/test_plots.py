"""Figures draw with the book's fixed colour scale and label what they show."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import importlib
import pydoc
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

import gradbook
from gradbook import RNN, colorscale, plots, scenarios, spec, text

# Inferno's published entries 15, 128 and 240 of 256: the table's first, middle and last colours
# (tests/test_export.py explains them). The figures must show exactly these at these sizes.
FIRST, MIDDLE, LAST = "#0a0722", "#bc3754", "#f2ea69"
KNOWN = {1e-14: FIRST, 1e-5: MIDDLE, 1e4: LAST, 1e-30: FIRST, 1e9: LAST}


@dataclass
class _Sizes:
    """Just what the profile and factor figures read from a trace, with sizes chosen by hand."""

    grad_norms: np.ndarray
    factors: np.ndarray
    products: np.ndarray

    def __len__(self) -> int:
        return len(self.grad_norms)


def _known_sizes() -> _Sizes:
    sizes = np.array(list(KNOWN))
    return _Sizes(sizes, np.full(len(sizes), 0.5), 0.5 ** np.arange(len(sizes), 0, -1))


def test_gradient_profile_colours_each_layer_by_its_size(ax):
    _, dots = plots.gradient_profile(ax, _known_sizes())
    assert [to_hex(c) for c in dots.get_facecolors()] == list(KNOWN.values())
    assert ax.get_yscale() == "log"


def test_factor_bars_wear_the_colour_of_their_layers_gradient(ax):
    bars, _ = plots.factor_chain(ax, _known_sizes())
    assert [to_hex(b.get_facecolor()) for b in bars] == list(KNOWN.values())


@pytest.mark.parametrize("depth", [3, 12, 20, 50])
@pytest.mark.parametrize("draw", [plots.gradient_profile, plots.factor_chain])
def test_layers_are_labelled_with_whole_layer_numbers(draw, depth):
    # Not 0.0, 2.5, 5.0: a hidden layer is a whole number from 1 to the depth.
    fig, ax = plt.subplots()
    draw(ax, gradbook.MLP(depth=depth, width=4, seed=0).trace(batch_size=8))
    fig.canvas.draw()
    ticks = ax.get_xticks()
    labels = [label.get_text() for label in ax.get_xticklabels()]
    plt.close(fig)
    assert len(ticks) >= 2
    assert all(t == int(t) and 1 <= t <= depth for t in ticks), ticks
    assert labels == [str(int(t)) for t in ticks]


def test_the_factor_chains_legend_covers_no_bar_and_no_point():
    # Bars on a log scale rise from the bottom edge and the product falls across the whole
    # width, so matplotlib's "best" place inside the axes lay over the bars.
    fig, ax = plt.subplots()
    bars, line = plots.factor_chain(ax, scenarios.get("sigmoid-vanishing").build().trace())
    fig.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    points = ax.transData.transform(line.get_xydata())
    plt.close(fig)
    assert not any(legend.overlaps(bar.get_window_extent()) for bar in bars)
    assert not any(legend.contains(x, y) for x, y in points)
    assert fig.bbox.contains(legend.x0, legend.y0) and fig.bbox.contains(legend.x1, legend.y1)


def test_the_colourbar_shows_each_colour_over_the_sizes_that_get_it():
    # The dots' rule is round(t * 255); matplotlib's own lookup would floor t * 256, up to one
    # entry apart. Sizes a third of an entry either side of each entry's centre, and at the
    # centre, must be drawn in the bar as the dots draw them.
    fig, ax = plt.subplots()
    bar = plots.add_colorbar(fig, ax)
    lo, hi = colorscale.LOG10_MIN, colorscale.LOG10_MAX
    offsets = np.arange(256)[:, None] + np.array([-0.3, 0.0, 0.3])
    sizes = 10.0 ** (lo + np.clip(offsets.ravel() / 255, 0, 1) * (hi - lo))
    in_bar = [to_hex(c) for c in bar.cmap(bar.norm(sizes))]
    assert in_bar == [colorscale.color_of(v) for v in sizes]
    assert [to_hex(bar.cmap(bar.norm(v))) for v in KNOWN] == list(KNOWN.values())
    plt.close(fig)


def test_colorbar_ticks_are_powers_of_ten():
    fig, ax = plt.subplots()
    bar = plots.add_colorbar(fig, ax)
    ticks = np.log10(bar.get_ticks())
    np.testing.assert_allclose(ticks, np.round(ticks))
    assert ticks[0] == colorscale.LOG10_MIN and ticks[-1] == colorscale.LOG10_MAX
    plt.close(fig)


def test_loss_curve_marks_the_first_nonfinite_step(ax):
    run = scenarios.trained("rnn-exploding").record
    artists = plots.loss_curve(ax, run)
    assert artists[1].get_xdata()[0] == run.first_nonfinite_step
    assert "NaN" in artists[2].get_text() or "infinite" in artists[2].get_text()


def test_over_time_reference_is_rho_to_the_steps_back(ax):
    trace = RNN(steps=10, hidden=4, activation="linear", rho=1.3).trace()
    _, ref = plots.over_time(ax, trace, 1.3)
    np.testing.assert_allclose(ref.get_ydata(), trace.grad_norms, rtol=1e-9)


def test_histograms_and_update_ratios(ax):
    trace = scenarios.trained("relu-he").record.traces[0]
    assert len(plots.histograms(ax, trace, "dW", layers=[0, 5])) == 2
    with pytest.raises(ValueError, match="'dh' or 'dW'"):
        plots.histograms(ax, trace, "W")
    fig, ax2 = plt.subplots()
    lines = plots.update_ratios(ax2, scenarios.trained("relu-he").record, ["W1"])
    healthy = lines[-1]
    assert healthy.get_ydata()[0] == spec.HEALTHY_UPDATE_RATIO
    # Its label says the value the line is drawn at, as the prose writes numbers ("10⁻³").
    assert f"({text.readable(healthy.get_ydata()[0])})" in healthy.get_label()
    plt.close(fig)


def test_first_layer_shares_draw_one_bar_per_network(ax):
    traces = {
        sid: scenarios.trained(sid).record.traces[0] for sid in ["sigmoid-vanishing", "relu-he"]
    }
    bars = plots.first_layer_shares(ax, traces)
    # The share is |dL/dh| at layer 1 over |dL/d(output)|, computed here from the raw gradient.
    shares = [np.linalg.norm(t.layers[0].dh) / t.output_grad_norm for t in traces.values()]
    # Each bar starts at 0 (a share of 1) and is as long as the share's number of decades.
    np.testing.assert_allclose([bar.get_x() for bar in bars], 0.0)
    np.testing.assert_allclose([bar.get_width() for bar in bars], np.log10(shares), rtol=1e-12)
    assert shares[0] < 1e-3 < shares[1]  # the sigmoid network's share is the smaller one
    assert bars[0].get_width() < -3  # so its bar points left, past three decades


def test_histogram_curves_differ_by_more_than_colour(ax):
    trace = scenarios.trained("sigmoid-vanishing").record.traces[0]
    lines = plots.histograms(ax, trace, "dh", layers=[0, 3, 7, 11])
    assert len({(line.get_linestyle(), line.get_marker()) for line in lines}) == 4


def test_histograms_can_tell_layers_apart_by_colour(ax):
    trace = scenarios.trained("sigmoid-vanishing").record.traces[0]
    lines = plots.histograms(ax, trace, "dW", layers=[0, 3, 7, 11], by_layer=True)
    assert [line.get_color() for line in lines] == list(plots.LAYER_COLORS)
    with pytest.raises(ValueError, match="at most 4 layers"):
        plots.histograms(ax, trace, "dW", layers=range(5), by_layer=True)


def test_first_layer_shares_write_notes_and_shade_the_band(ax):
    traces = {"a": scenarios.trained("relu-he").record.traces[0]}
    plots.first_layer_shares(ax, traces, notes={"a": "99% right"}, band=(0.1, 100))
    assert [t.get_text() for t in ax.texts] == ["99% right"]
    (shade,) = ax.patches[:1]  # drawn first, under the bars
    np.testing.assert_allclose(shade.get_x(), -1.0)


def test_a_learner_finds_the_figures_from_the_package():
    assert "plots" in gradbook.__all__ and "plots" in dir(gradbook)
    assert gradbook.plots is importlib.import_module("gradbook.plots")
    text = pydoc.render_doc(gradbook, renderer=pydoc.plaintext)
    assert "gradbook.plots" in text and "gradient_profile" in text


def test_an_exploding_loss_leaves_the_top_of_the_plot_and_still_draws(ax):
    for sid in ["exploding-init", "rnn-exploding"]:
        plots.loss_curve(ax, scenarios.trained(sid).record, label=sid)
    assert ax.get_ylim()[1] == plots.LOSS_CEILING
    ax.figure.canvas.draw()  # log ticks over 1e100 would overflow here
