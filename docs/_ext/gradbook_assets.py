"""Book assets: a check that the scene bundle exists, and the term colours. (The notebook
downloads are gradbook_notebook's; the theme's icons, SVG outlines drawn as CSS masks with no
icon font or icon script, are gradbook_weight's.)

The scene comes from the esbuild bundle in ``_static/threejs/dist``, produced by ``npm ci``
and ``npm run build``, which ``nox -s docs`` runs before Sphinx; this extension only checks
for it. (Formulas are typeset at build time by gradbook_math.)
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
SCENE_BUNDLE = ROOT / "_static" / "threejs" / "dist" / "gradbook-loader.js"


def _check_scene_bundle(app: Sphinx) -> None:
    if app.builder.format == "html" and not SCENE_BUNDLE.is_file():
        # A warning, so that `-W` fails the build instead of shipping pages with a dead scene.
        logger.warning(
            "the scene bundle %s is missing; run `npm ci --ignore-scripts && npm run build` "
            "at the repository root (or build with `nox -s docs`)",
            SCENE_BUNDLE.relative_to(ROOT),
        )


# Words in the prose that name a size wear that size's colour from the book's scale, e.g.
# [vanishes]{.gb-vanish}: the same colour the scene and the figures give such a gradient.
TERM_SIZES = {"gb-vanish": 1e-10, "gb-healthy": 1e-1, "gb-explode": 1e3}


def _write_term_colours(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    from gradbook import colorscale  # the book builds against the package it documents

    rules = ["/* Generated from gradbook.colorscale by docs/_ext/gradbook_assets.py. */"]
    for name, size in TERM_SIZES.items():
        background = colorscale.color_of(size)
        r, g, b = (int(background[i : i + 2], 16) for i in (1, 3, 5))
        ink = "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "#ffffff"
        rules.append(
            f".{name} {{ background: {background}; color: {ink}; padding: 0 0.3em; "
            "border-radius: 0.3em; white-space: nowrap; }"
        )
    dest = Path(app.outdir) / "_static" / "gradbook-terms.css"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text("\n".join(rules) + "\n", encoding="utf-8")


def setup(app: Sphinx) -> dict[str, bool]:
    app.connect("builder-inited", _write_term_colours)
    app.connect("builder-inited", _check_scene_bundle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
