"""Page weight: the theme's icons without its icon font or script, its stylesheets without the
rules the book cannot use, and two menus without Bootstrap's script.

Every page loaded Font Awesome's SVG script (529 KB gzipped) and a 112 KB icon font for a dozen
icons, 83 KB (gzipped) of the theme's stylesheets, most of them Bootstrap components and Font
Awesome classes the book never shows, and 23 KB of Bootstrap's script for two dropdown menus
and a button. After the build (build-finished), in the built book only:

- Bootstrap's script becomes gradbook_menus.js (the menus and the back-to-top button);
- Font Awesome's script becomes an empty one and its web fonts are deleted;
- theme_slim.mjs (node) runs PurgeCSS over the theme's stylesheets against the built pages and
  scripts, and writes _static/gradbook-icons.css, which draws every icon the pages name as an
  SVG mask from the pinned @fortawesome/free-*-svg-icons packages.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

ICON_CSS = "gradbook-icons.css"
# The theme's stylesheets (paths below _static); the book's own are not purged.
THEME_CSS = (
    "styles/pydata-sphinx-theme.css",
    "styles/sphinx-book-theme.css",
    "sphinx-design.min.css",
    "pygments.css",
    "basic.css",  # Sphinx's own, which the theme's theme.css imports
    "mystnb.*.css",
)
SLIM_SCRIPT = Path(__file__).with_name("theme_slim.mjs")
# Bootstrap's bundle (81 KB, 23 KB gzipped: Popper and eleven components), of which the book
# uses the dropdown menus and the back-to-top button: gradbook_menus.js does those.
BOOTSTRAP = "scripts/bootstrap.js"
MENUS_SCRIPT = Path(__file__).with_name("gradbook_menus.js")
# pydata-sphinx-theme loads it on every page only "so that users can add custom icons".
FONTAWESOME_SCRIPT = "scripts/fontawesome.js"
FONTAWESOME_FONTS = "vendor/fontawesome/webfonts"


def _forget_last_build(app: Sphinx) -> None:
    # A rebuild copies the theme's stylesheets again, and myst-nb refuses (with a warning) to
    # copy its own over a file that differs: the purged copies of the last build go first.
    # The icon sheet is written after the pages, from them: without last build's copy, no page
    # links it with a checksum (?v=) of a sheet that is about to change.
    if app.builder.format == "html":
        static = Path(app.outdir) / "_static"
        for pattern in (*THEME_CSS, ICON_CSS):
            for sheet in static.glob(pattern):
                sheet.unlink()


def _replace(script: Path, text: str) -> None:
    if script.is_file():
        script.write_text(text, encoding="utf-8")
        for extra in script.parent.glob(script.name + ".*"):  # its source map and licence
            extra.unlink()


def _slim(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    # First, so that neither script's words keep unused CSS alive.
    _replace(static / BOOTSTRAP, MENUS_SCRIPT.read_text(encoding="utf-8"))
    _replace(
        static / FONTAWESOME_SCRIPT,
        f"/* gradbook: the icons are SVG outlines in _static/{ICON_CSS}. */\n",
    )
    shutil.rmtree(static / FONTAWESOME_FONTS, ignore_errors=True)
    sheets = [str(s) for pattern in THEME_CSS for s in sorted(static.glob(pattern))]
    node = shutil.which("node")
    if node is None:
        raise ExtensionError("gradbook_weight needs node: build the book with `nox -s docs`")
    done = subprocess.run(
        [node, str(SLIM_SCRIPT), str(app.outdir), str(static / ICON_CSS), *sheets],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise ExtensionError(f"{done.stderr.strip()} (is `npm ci` done?)")


def setup(app: Sphinx) -> dict[str, bool]:
    app.connect("builder-inited", _forget_last_build)
    app.connect("build-finished", _slim)
    app.add_css_file(ICON_CSS)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
