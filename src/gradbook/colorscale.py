"""The one colour scale of the book: fixed, absolute, log10, shared by figures and scene.

A gradient of size v gets table[round(t * (len(table) - 1))], t = (log10 v - LOG10_MIN) /
(LOG10_MAX - LOG10_MIN) clamped to [0, 1], with ties rounded to the even entry. That is the rule
of `color_of`, of the colourbar (`cmap` and `norm` reproduce it) and of the scene's
colorscale.js, which the payload schema states. The range never changes with the data, so a
colour means the same size in every figure, in every scenario and at every moment of the scene.

matplotlib is imported only when the table is first sampled, so that `import gradbook` and the
command line need numpy alone.
"""

from __future__ import annotations

from functools import cache

import numpy as np

LOG10_MIN = -14  # smaller gradients all look like this: as good as dead
LOG10_MAX = 4  # larger ones all look like this: exploded
COLORMAP = "inferno"  # perceptually uniform, monotonic in lightness: safe for colour-blind readers
# The darkest and palest ends of inferno vanish into a dark or a white background; these limits
# keep every colour of the table visible on both.
_SAMPLE_FROM, _SAMPLE_TO = 0.06, 0.94
TABLE_SIZE = 256
INF_COLOR = "#22d3ee"  # cyan: a hue inferno never uses, so an overflow cannot pass for a size
NAN_COLOR = "#e5e7eb"  # pale neutral grey: "no number at all", unlike any size and unlike
# the scene's dark "not reached yet"


def table(size: int = TABLE_SIZE) -> list[str]:
    """The colour table as hex strings, smallest magnitude first."""
    return list(_sampled(size))


@cache
def _sampled(size: int) -> tuple[str, ...]:
    # Sampled once: color_of runs for every dot and bar of every figure.
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap = colormaps[COLORMAP]
    return tuple(to_hex(cmap(x)) for x in np.linspace(_SAMPLE_FROM, _SAMPLE_TO, size))


def index_of_log10(log10v: float, size: int = TABLE_SIZE) -> int:
    """The table entry of a finite log10 magnitude; -inf (an exact zero) is entry 0."""
    if log10v == -np.inf:
        return 0
    t = (float(log10v) - LOG10_MIN) / (LOG10_MAX - LOG10_MIN)
    # round() takes a tie to the even neighbour; the scene's colorscale.js does the same, and
    # ties are common because unit sizes arrive as log10 values with one decimal.
    return round(min(1.0, max(0.0, t)) * (size - 1))


def color_of_log10(log10v: float) -> str:
    """The hex colour of a magnitude given as its log10 (as the payload carries unit sizes)."""
    v = float(log10v)
    if np.isnan(v):
        return NAN_COLOR
    if v == np.inf:
        return INF_COLOR
    return _sampled(TABLE_SIZE)[index_of_log10(v)]


def color_of(value: float) -> str:
    """The hex colour of one magnitude, by the same rule as the scene's JavaScript."""
    v = float(value)
    if np.isnan(v) or v < 0:  # a negative number is not a magnitude: flagged, as the scene does
        return NAN_COLOR
    with np.errstate(divide="ignore"):
        return color_of_log10(np.log10(v))  # log10(0) = -inf: the bottom entry


def cmap():
    """A matplotlib colormap that, with `norm()`, gives every value its `color_of` colour.

    A matplotlib colormap of N entries picks entry floor(t * N), where `color_of` picks
    round(t * (TABLE_SIZE - 1)). With N = 2 * (TABLE_SIZE - 1) entries, entry j covering
    t in [j / N, (j + 1) / N), the two agree when entry j holds table[(j + 1) // 2]: so the
    colourbar shows each colour over exactly the sizes that get it (exact ties aside).
    """
    from matplotlib.colors import ListedColormap

    colors = _sampled(TABLE_SIZE)
    fine = [colors[(j + 1) // 2] for j in range(2 * (TABLE_SIZE - 1))]
    return ListedColormap(fine, name=f"gradbook-{COLORMAP}").with_extremes(
        bad=NAN_COLOR, under=colors[0], over=colors[-1]
    )


def norm():
    """The fixed log normalization that goes with cmap()."""
    from matplotlib.colors import LogNorm

    return LogNorm(vmin=10.0**LOG10_MIN, vmax=10.0**LOG10_MAX, clip=True)
