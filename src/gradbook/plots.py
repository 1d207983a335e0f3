"""Figures for the book. Each function draws on an `ax` it is given and returns its artists.

The functions that take a `trace` or a `run` also draw a real network's recorded run
(`gradbook.runfile.RecordedRun`, from `gradbook.torch` or `runfile.load`) and its steps
(`run.last`, `run.step(n)`), which have the same attributes; such a run records some steps only,
so the x axis of a run's plot is the training step, not a count of records.

Every colour that stands for a gradient's size comes from `colorscale`, by the rule the 3D
scene uses (dots, bars and the colourbar alike), so a colour in a figure means the same size as
in the scene. This module needs matplotlib; `import gradbook` loads it only on first use of
`gradbook.plots`.

>>> import matplotlib.pyplot as plt  # doctest: +SKIP
>>> from gradbook import MLP, plots
>>> fig, ax = plt.subplots()  # doctest: +SKIP
>>> plots.gradient_profile(ax, MLP(depth=20, activation="sigmoid").trace())  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.ticker import FuncFormatter, MaxNLocator

from . import activations, colorscale, spec, text
from .trace import HIST_EDGES, Trace
from .train import TrainingRun

_INK = "#374151"  # reference lines and annotations
_DASHES = ["-", "--", "-.", ":"]  # one per curve, where colours alone may not differ enough
_MARKERS = ["o", "s", "^", "D"]
LOSS_CEILING = 1e12  # loss_curve's top when a loss explodes past it


def _colors(values) -> list[str]:
    return [colorscale.color_of(v) for v in np.ravel(values)]


class _LayerLocator(MaxNLocator):
    """Ticks at whole layer numbers, from 1 to the last layer drawn: there is no layer 2.5, no
    hidden layer 0, and none past the last (which the axis's margin would otherwise show)."""

    def __init__(self):
        super().__init__(integer=True, steps=[1, 2, 5, 10])

    def tick_values(self, vmin, vmax):
        ticks = super().tick_values(vmin, vmax)
        last = self.axis.get_data_interval()[1] + 0.5 if self.axis is not None else np.inf
        return ticks[(ticks >= 1) & (ticks <= last)]


def add_colorbar(fig, ax, label: str = "gradient size (fixed scale)"):
    """The book's colour legend: powers of ten on the fixed log scale."""
    mappable = ScalarMappable(norm=colorscale.norm(), cmap=colorscale.cmap())
    bar = fig.colorbar(mappable, ax=ax, pad=0.02)
    ticks = 10.0 ** np.arange(colorscale.LOG10_MIN, colorscale.LOG10_MAX + 1, 2)
    bar.set_ticks(ticks)
    bar.set_label(label)
    return bar


def _layer_axis(trace, simulated: str) -> str:
    """The x label for layers: the simulator's hidden layers, or a recorded run's layers."""
    return getattr(trace, "layer_axis", simulated)


def _step_numbers(run) -> np.ndarray:
    """The training step of each record: every step for a simulator run, the recorded ones
    for a recorded run."""
    numbers = getattr(run, "step_numbers", None)
    return np.arange(len(run.steps)) if numbers is None else np.asarray(numbers)


def gradient_profile(ax, trace: Trace, label: str | None = None, line_color: str = _INK):
    """Gradient size at each hidden layer, output on the right, on a log scale.

    Markers are coloured by size on the fixed scale; the line joins them.
    """
    layers = np.arange(1, len(trace) + 1)
    norms = trace.grad_norms
    (line,) = ax.plot(layers, norms, color=line_color, lw=1.5, label=label, zorder=1)
    dots = ax.scatter(layers, norms, c=_colors(norms), s=46, edgecolors=_INK, lw=0.6, zorder=2)
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(_LayerLocator())
    ax.set_xlabel(_layer_axis(trace, "hidden layer (1 = nearest the input)"))
    ax.set_ylabel("gradient size |dL/dh|")
    return line, dots


def factor_chain(ax, trace: Trace):
    """Each layer's factor as a bar (log scale, 1 marked) and the running product as a line."""
    layers = np.arange(1, len(trace) + 1)
    bars = ax.bar(
        layers,
        trace.factors,
        color=_colors(trace.grad_norms),
        edgecolor=_INK,
        lw=0.5,
        label="this layer's factor",
    )
    (line,) = ax.plot(
        layers, trace.products, "o-", color=_INK, ms=4, label="running product from the output"
    )
    ax.axhline(1.0, color=_INK, lw=0.8, ls=":")
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(_LayerLocator())
    ax.set_xlabel(_layer_axis(trace, "hidden layer") + " (the backward pass runs right to left)")
    ax.set_ylabel("factor, and product of factors")
    # Above the axes: on a log scale the bars rise from the bottom edge, so any place inside
    # would cover bars or the product's line.
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1), frameon=False, borderaxespad=0.3)
    return bars, line


def slope_curves(ax, names=("sigmoid", "tanh", "relu"), z=None):
    """f'(z) for each named activation: the activation's part of every layer's factor."""
    z = np.linspace(-6, 6, 601) if z is None else z
    lines = []
    for name in names:
        act = activations.get(name)
        slope = act.slope(z, act.f(z))
        (line,) = ax.plot(z, slope, lw=2, label=f"{name}' (at most {act.max_slope:g})")
        lines.append(line)
    ax.set_xlabel("input to the activation, z")
    ax.set_ylabel("slope f'(z)")
    ax.legend(frameon=False)
    return lines


def loss_curve(ax, run: TrainingRun, label: str | None = None, **style):
    """Loss per training step (log scale), with the first non-finite step marked."""
    steps = _step_numbers(run)
    losses = run.losses
    finite = np.isfinite(losses)
    (line,) = ax.plot(steps[finite], losses[finite], label=label, **style)
    artists = [line]
    k = run.first_nonfinite_step
    if k is not None:
        artists.append(ax.axvline(k, color=line.get_color(), ls="--", lw=1))
        artists.append(
            ax.annotate(
                f"step {k}: loss is {'NaN' if np.isnan(losses[steps == k][0]) else 'infinite'}",
                (k, 1),
                xycoords=("data", "axes fraction"),
                xytext=(4, -14 * (1 + len(ax.texts))),  # stack the labels of several curves
                textcoords="offset points",
                color=line.get_color(),
            )
        )
    ax.set_yscale("log")
    # An exploding loss can reach 1e100 and beyond, where matplotlib's log ticks overflow while
    # drawing: such a curve leaves the top of the plot instead. Callers may set their own limits.
    bottom, top = ax.get_ylim()
    if top > LOSS_CEILING:
        ax.set_ylim(min(bottom, LOSS_CEILING / 10), LOSS_CEILING)
    ax.set_xlabel("training step")
    ax.set_ylabel("loss")
    return artists


def norms_over_training(ax, run: TrainingRun, layers=None):
    """Gradient size of chosen layers over training: do early layers ever wake up?"""
    norms = run.grad_norms
    layers = [0, norms.shape[1] - 1] if layers is None else layers
    names = getattr(run, "layer_names", None)
    steps = _step_numbers(run)
    lines = []
    for i in layers:
        label = f"layer {i + 1}" if names is None else f"layer {i + 1}: {names[i]}"
        (line,) = ax.plot(steps, norms[:, i], label=label)
        lines.append(line)
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("gradient size |dL/dh|")
    ax.legend(frameon=False)
    return lines


def over_time(ax, trace: Trace, rho: float | None = None):
    """An RNN's gradient size at each time step, with rho^t counted back from the last step."""
    t = np.arange(1, len(trace) + 1)
    norms = trace.grad_norms
    artists = [
        ax.scatter(
            t, norms, c=_colors(norms), s=30, edgecolors=_INK, lw=0.5, zorder=2, label="measured"
        )
    ]
    if rho is not None:
        back = t[-1] - t
        (ref,) = ax.plot(
            t, norms[-1] * rho**back, color=_INK, lw=1, ls="--", label=f"{rho:g} ^ (steps back)"
        )
        artists.append(ref)
    ax.set_yscale("log")
    ax.set_xlabel("time step (the loss is taken after the last one)")
    ax.set_ylabel("gradient size |dL/dh_t|")
    ax.legend(frameon=False)
    return artists


# Colours that tell up to four layers apart at a glance (ColorBrewer's Dark2, colour-blind safe).
LAYER_COLORS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a")


def histograms(ax, trace: Trace, which: str = "dh", layers=None, by_layer: bool = False):
    """Per-layer histograms of |dL/dh| or |dL/dW| on the shared log grid (Glorot and Bengio).

    Each curve is coloured by its layer's gradient size on the fixed scale, or, with
    `by_layer`, by its layer (`LAYER_COLORS`), for a figure where layers of about the same
    size must still be told apart."""
    if which not in ("dh", "dW"):
        raise ValueError(f"which must be 'dh' or 'dW', got {which!r}")
    layers = range(len(trace)) if layers is None else layers
    if by_layer and len(layers) > len(LAYER_COLORS):
        raise ValueError(f"by_layer colours at most {len(LAYER_COLORS)} layers, got {len(layers)}")
    centers = 10.0 ** ((HIST_EDGES[:-1] + HIST_EDGES[1:]) / 2)
    lines = []
    # Neighbouring layers can share a colour on the 18-decade scale, so each curve also gets
    # its own dash pattern and marker: the legend tells them apart in any theme or print.
    for k, i in enumerate(layers):
        layer = trace.layers[i]
        hist = layer.dh_hist if which == "dh" else layer.dW_hist
        if hist is None:  # a recorded run keeps histograms for a few steps only
            raise ValueError(
                f"no {which} histogram of layer {layer.index} at this step: a recorded run keeps "
                "histograms for a few steps only (the keys of run.histograms)"
            )
        share = hist.counts / max(hist.counts.sum(), 1)
        size = layer.grad_norm if which == "dh" else layer.weight_grad_norm
        color = LAYER_COLORS[k] if by_layer else colorscale.color_of(size)
        (line,) = ax.plot(
            centers,
            share,
            color=color,
            lw=1.6,
            ls=_DASHES[k % len(_DASHES)],
            marker=_MARKERS[k % len(_MARKERS)],
            markevery=6,
            ms=4,
            mec=_INK,
            mew=0.5,
            label=f"layer {layer.index}",
        )
        lines.append(line)
    ax.set_xscale("log")
    ax.set_xlabel("|dL/dh| per entry" if which == "dh" else "|dL/dW| per entry")
    ax.set_ylabel("share of entries")
    return lines


def update_ratios(ax, run: TrainingRun, names=None):
    """std(update) / std(W) per weight matrix over training, with a dashed line at the healthy
    ratio (spec.HEALTHY_UPDATE_RATIO), labelled with its value."""
    names = list(run.steps[0].update_ratios) if names is None else names
    steps = _step_numbers(run)
    lines = []
    for name in names:
        (line,) = ax.plot(steps, run.update_ratios(name), lw=1.2, label=name)
        lines.append(line)
    healthy = spec.HEALTHY_UPDATE_RATIO
    label = f"about right ({text.readable(healthy)})"
    lines.append(ax.axhline(healthy, color=_INK, ls="--", lw=1, label=label))
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("update size / weight size")
    return lines


def first_layer_shares(ax, traces: dict[str, Trace], notes=None, band=None):
    """One bar per network: how many powers of ten layer 1's gradient lost (left of 0) or
    gained (right) against the output's, so a bar's length is its number of decades.

    Bars start at 0 (a share of 1, a perfect hand-over) and are coloured by layer 1's actual
    gradient size on the fixed scale. `notes` (label -> text, e.g. the accuracy reached) are
    written beside each bar's end; `band` (low, high) shades that range of shares.
    """
    labels = list(traces)
    with np.errstate(divide="ignore", invalid="ignore"):
        decades = [float(np.log10(traces[k].products[0])) for k in labels]
    colors = [colorscale.color_of(traces[k].grad_norms[0]) for k in labels]
    if band is not None:
        low, high = band
        ax.axvspan(np.log10(low), np.log10(high), color=_INK, alpha=0.1, lw=0, zorder=0)
    bars = ax.barh(labels, decades, color=colors, edgecolor=_INK, lw=0.5)
    for label, bar in zip(labels, bars, strict=True):
        if notes is not None and label in notes:  # one column right of the plot, clear of bars
            ax.annotate(
                notes[label],
                (1.0, bar.get_y() + bar.get_height() / 2),
                xycoords=("axes fraction", "data"),
                xytext=(6, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                color=_INK,
            )
    ax.axvline(0.0, color=_INK, lw=0.8)
    ax.invert_yaxis()  # first network on top
    ax.xaxis.set_major_formatter(
        FuncFormatter(lambda v, _: "1" if v == 0 else f"$10^{{{v:g}}}$" if v == int(v) else "")
    )
    ax.set_xlabel("share of the output's gradient that reaches layer 1 (decades from 1)")
    return bars
