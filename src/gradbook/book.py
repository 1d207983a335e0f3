"""Helpers for the book's chapters, which also work in a downloaded notebook without Sphinx.

`glue` hands a number to the page's prose when the book is built (through myst-nb), and simply
returns the text when myst-nb is not installed, so a chapter runs anywhere gradbook does.
`claim` checks a sentence of prose against the simulator, so the build fails when they disagree.
"""

from __future__ import annotations

import html
import numbers

from . import export
from .text import readable


def glue(name: str, value, digits: int = 2) -> str:
    """Insert `value` into the prose as {glue:text}`name`; numbers are written for readers."""
    text = readable(value, digits) if isinstance(value, numbers.Real) else str(value)
    try:
        from myst_nb import glue as _glue
    except ImportError:
        return text
    _glue(name, text, display=False)
    return text


class ClaimError(AssertionError):
    """A sentence of the book that the simulator contradicts."""


def claim(sentence: str, holds) -> None:
    """Check one sentence of prose against the simulator: the build fails, quoting the
    sentence, when `holds` is false. One line per claim, beside the glue that prints its
    numbers, e.g. `claim("no better than a coin flip", abs(loss - np.log(2)) < 0.02)`."""
    if not bool(holds):
        raise ClaimError(f"the book says {sentence!r}, but the simulator disagrees")


class PayloadElement:
    """An inline <script type="application/json"> element that a notebook cell displays.

    Carrying the payload in the cell's own output keeps page and execution cache in step.
    """

    def __init__(self, payload: dict, element_id: str):
        self.text = export.dumps(payload)
        self.element_id = element_id

    def _repr_html_(self) -> str:
        # "</" would end the script element early; "<\\/" means the same to a JSON parser.
        body = self.text.replace("</", "<\\/")
        return (
            f'<script type="application/json" id="{html.escape(self.element_id)}">{body}</script>'
        )


def payload_html(payload: dict, element_id: str) -> PayloadElement:
    """Display this (the last line of a cell) to put the payload on the page."""
    return PayloadElement(payload, element_id)


def scene_data(scenario_ids: list[str], element_id: str) -> PayloadElement:
    """The payload for a chapter's scene, displayed inline (the cell's last expression)."""
    return payload_html(export.build_payload(scenario_ids), element_id)


def style() -> None:
    """Matplotlib settings shared by every figure in the book."""
    import matplotlib as mpl

    mpl.rcParams.update(
        {
            "figure.figsize": (7.0, 3.6),
            "figure.dpi": 110,
            "savefig.dpi": 110,
            "font.size": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.25,
            "legend.frameon": False,
            "figure.constrained_layout.use": True,
            # Drop path vertices closer than a pixel to the line: a 1,000-step loss curve then
            # weighs about a third less in SVG, with no visible change.
            "path.simplify_threshold": 1.0,
            # SVG ids from a fixed salt, so the same figure gives the same file in every build.
            "svg.hashsalt": "gradbook",
        }
    )
    _notebook_figures_as_svg()


def _notebook_figures_as_svg() -> None:
    """In a notebook (and so in the book's build), show figures as SVG rather than PNG.

    The book's figures are lines, markers and text: as SVG they are sharp at any zoom and pixel
    density, and a quarter to a seventh of the PNG's gzipped size (chapter 5: 30 KB against
    139 KB). The date is left out so that two builds write identical files.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    if get_ipython() is None:  # a script or the CLI: matplotlib's own backend decides
        return
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("svg", metadata={"Date": None})
