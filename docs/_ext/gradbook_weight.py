"""Page weight: the theme's icons without its web font, and its stylesheets without the rules
the book cannot use.

Every page loaded 112 KB of icon font for a dozen icons, 83 KB (gzipped) of the theme's
stylesheets, most of them Bootstrap components and Font Awesome classes the book never shows,
and 23 KB of Bootstrap's script for two dropdown menus and a button.

- builder-inited: write _static/gradbook-icons.css, which draws the icons in ICONS as SVG
  masks (gradbook_icons), and remove the last build's pruned stylesheets.
- build-finished: put gradbook_menus.js in place of Bootstrap's script, prune the theme's
  stylesheets in the output against the classes and ids the
  built pages and scripts contain (css_prune), drop Font Awesome's @font-face rules, delete its
  web fonts, and check that every icon a page shows is one of ICONS (a warning, so -W fails).
"""

from __future__ import annotations

import re
from pathlib import Path

import css_prune
import gradbook_icons
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

# The icons the theme shows in this book, by Font Awesome pack (header buttons, theme switch,
# search, page navigation, back to top, the search dialog's close button, and, when the book
# knows its repository as on Read the Docs, the repository, edit and issue buttons). A new one
# fails the build with a message naming it; add it here.
ICONS = {
    "fas": {
        "angle-left",
        "angle-right",
        "arrow-up",
        "bars",
        "circle-half-stroke",
        "code",
        "download",
        "expand",
        "file",
        "file-pdf",
        "lightbulb",
        "list",
        "magnifying-glass",
        "moon",
        "pencil-alt",
        "sun",
        "xmark",
    },
    "fab": {"bitbucket", "github", "gitlab"},
}
ICON_CSS = "gradbook-icons.css"
# The theme's stylesheets (paths below _static); the book's own are not pruned.
THEME_CSS = (
    "styles/pydata-sphinx-theme.css",
    "styles/sphinx-book-theme.css",
    "sphinx-design.min.css",
    "pygments.css",
    "basic.css",  # Sphinx's own, which the theme's theme.css imports
    "mystnb.*.css",
)
FONTAWESOME_FONTS = "vendor/fontawesome/webfonts"
# The theme's Bootstrap bundle (81 KB, 23 KB gzipped: Popper and eleven components), of which
# the book uses the dropdown menus and the back-to-top button: gradbook_menus.js does those.
BOOTSTRAP = "scripts/bootstrap.js"
MENUS_SCRIPT = Path(__file__).with_name("gradbook_menus.js")
# Bootstrap builds these class names from pieces at run time (bs-tooltip-auto, ...).
BUILT_CLASS_PREFIXES = ("bs-tooltip-", "bs-popover-")
_CLASS_OR_ID_ATTR = re.compile(r'\s(?:class|id)="([^"]*)"')


def _fontawesome_script() -> Path:
    import pydata_sphinx_theme

    theme = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
    return theme / "static" / "scripts" / "fontawesome.js"


def _write_icons(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    # A rebuild copies the theme's stylesheets again, and myst-nb refuses (with a warning) to
    # copy its own over a file that differs: the pruned copies of the last build go first.
    for pattern in THEME_CSS:
        for sheet in (Path(app.outdir) / "_static").glob(pattern):
            sheet.unlink()
    gradbook_icons.write(_fontawesome_script(), Path(app.outdir) / "_static" / ICON_CSS, ICONS)


def used_names(outdir: Path) -> tuple[set[str], set[str]]:
    """(names in the pages' class and id attributes, every word of the scripts they load)."""
    in_html: set[str] = set()
    for page in outdir.rglob("*.html"):
        for m in _CLASS_OR_ID_ATTR.finditer(page.read_text(encoding="utf-8")):
            in_html.update(m.group(1).split())
    in_js: set[str] = set()
    for script in (outdir / "_static").rglob("*.js"):
        if script.name != "fontawesome.js":  # all 2,000 icon names, drawn by nothing
            in_js |= css_prune.words(script.read_text(encoding="utf-8"))
    return in_html, in_js


def _is_icon_font(rule: css_prune.Rule) -> bool:
    return rule.prelude.startswith("@font-face") and "Font Awesome" in (rule.body or "")


def _prune_theme_css(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    static = outdir / "_static"
    # First, so that Bootstrap's own class names (modal, carousel, ...) keep no CSS alive.
    _replace_bootstrap(static)
    in_html, in_js = used_names(outdir)
    missing = gradbook_icons.icons_in(in_html | in_js, _packs()) - set().union(*ICONS.values())
    if missing:
        logger.warning(
            "the pages show icons with no outline in %s: %s; add them to ICONS in %s",
            ICON_CSS,
            ", ".join(sorted(missing)),
            Path(__file__).name,
        )
    used = in_html | in_js
    for pattern in THEME_CSS:
        for sheet in static.glob(pattern):
            rules = css_prune.parse(sheet.read_text(encoding="utf-8"))
            kept = css_prune.prune(
                rules,
                used,
                keep=lambda name: name.startswith(BUILT_CLASS_PREFIXES),
                drop_rule=_is_icon_font,
            )
            icons = gradbook_icons.pseudo_element_icons(kept, _packs())
            sheet.write_text(css_prune.serialize(kept) + "\n" + icons, encoding="utf-8")
    fonts = static / FONTAWESOME_FONTS
    if fonts.is_dir():
        for font in fonts.iterdir():
            font.unlink()
        fonts.rmdir()


def _replace_bootstrap(static: Path) -> None:
    bootstrap = static / BOOTSTRAP
    if bootstrap.is_file():
        bootstrap.write_text(MENUS_SCRIPT.read_text(encoding="utf-8"), encoding="utf-8")
        for extra in bootstrap.parent.glob("bootstrap.js.*"):  # its source map and licence
            extra.unlink()


_PACKS: dict = {}


def _packs() -> dict:
    if not _PACKS:
        script = _fontawesome_script().read_text(encoding="utf-8")
        _PACKS.update(gradbook_icons.read_packs(script))
    return _PACKS


def setup(app: Sphinx) -> dict[str, bool]:
    app.connect("builder-inited", _write_icons)
    app.connect("build-finished", _prune_theme_css)
    app.add_css_file(ICON_CSS)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
