"""Sphinx configuration for the gradbook book."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))


def _repository_url() -> str:
    """The repository's web address: Read the Docs says it; locally git's origin does."""
    url = os.environ.get("READTHEDOCS_GIT_CLONE_URL", "")
    if not url:
        found = subprocess.run(
            ["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"],
            capture_output=True,
            text=True,
            check=False,
        )
        url = found.stdout.strip()
    if url.startswith("git@"):
        url = "https://" + url.removeprefix("git@").replace(":", "/", 1)
    return url.removesuffix(".git") if url.startswith("https://") else ""


# -- Project ----------------------------------------------------------------------------------
project = "gradbook"
author = "The gradbook authors"
copyright = "2026, The gradbook authors"
language = "en"

# -- Sources ----------------------------------------------------------------------------------
extensions = [
    "myst_nb",
    "sphinx_design",
    "gradbook_assets",  # docs/_ext: the scene bundle's check, term colours
    "gradbook_cache",  # docs/_ext: chapters run again when src/gradbook changes
    "gradbook_notebook",  # docs/_ext: the executed chapters as plain-Jupyter downloads
    "gradbook_math",  # docs/_ext: formulas typeset to SVG at build time (no MathJax to load)
    "gradbook_viewlink",  # docs/_ext: the {view} role, prose links that steer the scene
    "gradbook_weight",  # docs/_ext: icons as SVG outlines, PurgeCSS on the theme, no Bootstrap
    "gradbook_lab",  # docs/_ext: the {gradbook-lab} directive, the lab page's script
    "gradbook_quiet",  # docs/_ext: no MyST configuration dump, no false "configuration changed"
    "gradbook_scene",  # docs/_ext: the {gradbook-scene} directive, a chapter's scene container
]
# Only the scene's bundle (threejs/dist) and its stylesheet are served from the top-level
# _static; its source modules are already inside the bundle. (Sphinx applies exclude_patterns
# to static paths as well as to sources.)
_SCENE_SERVED = {"dist", "gradbook-scene.css"}
exclude_patterns = [
    "_build",
    "jupyter_execute",
    *(
        f"threejs/{p.name}"
        for p in sorted((ROOT / "_static" / "threejs").glob("*"))
        if p.name not in _SCENE_SERVED
    ),
]
root_doc = "index"

# -- MyST -------------------------------------------------------------------------------------
# attrs_inline: [word]{.gb-vanish} colours a term like the scene (see gradbook_assets).
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "attrs_inline"]
myst_heading_anchors = 3

# -- Notebook execution -----------------------------------------------------------------------
# "cache" re-runs a page only when its code cells change, or (gradbook_cache) when the simulator
# in src/gradbook does. jupyter-cache lives beside the output (docs/_build/.jupyter_cache/<digest
# of src/gradbook> for `nox -s docs`), so the git tree stays clean.
nb_execution_mode = "cache"
# Each chapter runs in its own kernel (which inherits this environment); several train the
# same scenarios, so they share the trained runs through files keyed on the simulator's source.
os.environ.setdefault("GRADBOOK_CACHE", str(DOCS / "_build" / "gradbook-scenarios"))
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 300  # seconds per cell; the slowest is a short training run
nb_merge_streams = True
# No page embeds widgets; an empty value stops myst-nb from ever adding its CDN scripts.
nb_ipywidgets_js = {}

# -- HTML -------------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "gradbook: gradients that vanish and explode"
# The repository's _static holds the scene; docs/_static the book's own styles.
html_static_path = ["../_static", "_static"]
html_css_files = ["threejs/gradbook-scene.css", "gradbook-book.css", "gradbook-terms.css"]
html_js_files = [("threejs/dist/gradbook-loader.js", {"defer": "defer"})]
html_last_updated_fmt = None
html_show_sourcelink = True
html_copy_source = True  # the download button serves the page's source and its notebook
# pydata-sphinx-theme logs a console error for an empty mode; "auto" follows the reader's system.
html_context = {"default_mode": "auto"}
html_favicon = "favicon.svg"
# The theme's sidebar (navbar-logo, icon-links, search-button-field, sbt-sidebar-nav), with the
# logo and the search button swapped for copies in landmarks that axe-core accepts (_templates).
templates_path = ["_templates"]
html_sidebars = {
    "**": [
        "gb-sidebar-brand.html",
        "icon-links.html",
        "gb-search-button.html",
        "sbt-sidebar-nav.html",
    ]
}

# Formulas become inline SVG while the book builds (docs/_ext/gradbook_math.py).
html_math_renderer = "gradbook_svg"

_REPOSITORY = _repository_url()
html_theme_options = {
    "path_to_docs": "docs",
    "repository_branch": "main",
    "use_download_button": True,
    "use_fullscreen_button": True,
    "use_repository_button": bool(_REPOSITORY),
    "use_source_button": bool(_REPOSITORY),
    "use_issues_button": bool(_REPOSITORY),
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    # The sidebar has a search field; without this pydata-sphinx-theme 0.20 adds a second one.
    "navbar_persistent": [],
}
if _REPOSITORY:
    html_theme_options["repository_url"] = _REPOSITORY
