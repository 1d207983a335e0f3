"""The one colour scale of the book: fixed, absolute, log10, shared by figures and scene.

A gradient of size v gets the colour at (log10 v - LOG10_MIN) / (LOG10_MAX - LOG10_MIN) along
the table, clamped at both ends. The range never changes with the data, so a colour means the
same size in every figure, in every scenario and at every moment of the scene.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import ListedColormap, LogNorm, to_hex

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
    cmap = colormaps[COLORMAP]
    return tuple(to_hex(cmap(x)) for x in np.linspace(_SAMPLE_FROM, _SAMPLE_TO, size))


def cmap() -> ListedColormap:
    """The table as a matplotlib colormap, with NaN drawn in NAN_COLOR."""
    return ListedColormap(table(), name=f"gradbook-{COLORMAP}").with_extremes(bad=NAN_COLOR)


def norm() -> LogNorm:
    """The fixed log normalization that goes with cmap()."""
    return LogNorm(vmin=10.0**LOG10_MIN, vmax=10.0**LOG10_MAX, clip=True)


def color_of(value: float) -> str:
    """The hex colour of one magnitude, by the same rule as the scene's JavaScript."""
    v = float(value)
    if np.isnan(v):
        return NAN_COLOR
    if np.isinf(v) and v > 0:
        return INF_COLOR
    colors = _sampled(TABLE_SIZE)
    if v <= 0:
        return colors[0]
    t = (np.log10(v) - LOG10_MIN) / (LOG10_MAX - LOG10_MIN)
    # round() takes a tie to the even neighbour; the scene's colorscale.js does the same, and
    # ties are common because unit sizes arrive as log10 values with one decimal.
    return colors[round(float(np.clip(t, 0.0, 1.0)) * (len(colors) - 1))]
