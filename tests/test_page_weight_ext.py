"""The book's page-weight step (docs/_ext/gradbook_weight.py and theme_slim.mjs) on a tiny built
book: PurgeCSS keeps what the pages can use, and icons become SVG outlines from the pinned
Font Awesome packages, never glyphs of an icon font."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import gradbook_weight  # noqa: E402

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules" / "purgecss").is_dir(),
    reason="needs node and `npm ci` (node_modules)",
)

THEME_CSS = (
    ".used{a:1}.unused{b:2}.used,.unused .y{c:3}.added{g:4}"
    # The keyboard focus ring: only a pseudo-class, which PurgeCSS alone would drop.
    ":focus-visible{outline:2px solid}"
    "@media print{.absent{d:1}}@media screen{.used{e:2}.absent{f:3}}"
    '@font-face{font-family:"Font Awesome 7 Free";src:url(fa.woff2)}'
    "@font-face{font-family:Text;src:url(t.woff2)}"
    # An icon drawn as generated content, through custom properties (the admonition title's).
    ':root{--icon-x:"\\f057";--icon-err:var(--icon-x)}'
    ".used>.t:after{content:var(--icon-err);font:var(--fa-font-solid)}"
    '.used.plain:after{content:"-"}'
    # --fa differs per icon class: no single glyph, so no outline.
    '.fa-moon{--fa:"\\f186"}.fa-sun{--fa:"\\f185"}.fa-solid:before{content:var(--fa)}'
)
PAGE = (
    '<div class="used"><p class="t plain"></p><i class="fa-solid fa-moon fa-lg"></i>'
    '<i class="fa-brands fa-github"></i><span class="fa-nosuchicon"></span></div>'
)


@pytest.fixture
def built(tmp_path):
    static = tmp_path / "_static"
    (static / "scripts").mkdir(parents=True)
    (static / "vendor" / "fontawesome" / "webfonts").mkdir(parents=True)
    (static / "vendor" / "fontawesome" / "webfonts" / "fa-solid-900.woff2").write_bytes(b"x")
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    (static / "scripts" / "bootstrap.js").write_text("var Modal, Carousel;", encoding="utf-8")
    (static / "scripts" / "bootstrap.js.map").write_text("{}", encoding="utf-8")
    (static / "scripts" / "fontawesome.js").write_text('"fa-sun";', encoding="utf-8")
    (static / "scripts" / "app.js").write_text("el.classList.add('added');", encoding="utf-8")
    (static / "basic.css").write_text(THEME_CSS, encoding="utf-8")
    app = SimpleNamespace(outdir=str(tmp_path), builder=SimpleNamespace(format="html"))
    gradbook_weight._slim(app, None)
    return static


def test_unused_rules_go_and_what_the_pages_use_stays(built):
    css = (built / "basic.css").read_text(encoding="utf-8")
    assert ".unused" not in css and ".absent" not in css and "@media print" not in css
    assert ".used{a:1}" in css and "@media screen{.used{e:2}}" in css
    assert ".used{c:3}" in css  # a selector list loses the selectors that match nothing
    assert ".added{g:4}" in css  # a class that a script adds at run time keeps its rule
    assert ":focus-visible{outline:2px solid}" in css
    assert "Font Awesome" not in css and "font-family:Text" in css


def test_a_glyph_drawn_as_generated_content_gets_its_outline(built):
    css = (built / "basic.css").read_text(encoding="utf-8")
    twins = re.findall(
        r'\.used>\.t:after\{content:"";[^}]*--gb-icon:url\("data:image/svg\+xml', css
    )
    assert len(twins) == 1
    assert css.count("--gb-icon:") == 1  # not .plain (no glyph), not --fa (one per class)


def test_every_icon_the_pages_name_is_an_outline_and_nothing_else(built):
    icons = (built / gradbook_weight.ICON_CSS).read_text(encoding="utf-8")
    drawn = re.findall(r"^([^{]+)\{--gb-icon:url\(\"data:image/svg\+xml,", icons, re.M)
    assert drawn == [".fa-brands.fa-github,.fab.fa-github", ".fa-solid.fa-moon,.fas.fa-moon"]
    # moon's outline is 512 x 512 in Font Awesome 7; the box is as wide as the outline.
    assert "--gb-icon-w:1em" in icons
    # fa-sun was named only by Font Awesome's own script, which is emptied first.
    assert "fa-sun" not in icons


def test_the_icon_font_its_script_and_bootstrap_are_gone(built):
    assert not (built / "vendor" / "fontawesome" / "webfonts").exists()
    assert "fa-sun" not in (built / "scripts" / "fontawesome.js").read_text(encoding="utf-8")
    menus = (built / "scripts" / "bootstrap.js").read_text(encoding="utf-8")
    assert menus == gradbook_weight.MENUS_SCRIPT.read_text(encoding="utf-8")
    assert not (built / "scripts" / "bootstrap.js.map").exists()


def test_a_failing_slim_step_fails_the_build(tmp_path):
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "basic.css").write_text(".a{", encoding="utf-8")  # broken CSS
    app = SimpleNamespace(outdir=str(tmp_path), builder=SimpleNamespace(format="html"))
    with pytest.raises(Exception, match=r"theme_slim\.mjs: .*Unclosed block"):
        gradbook_weight._slim(app, None)


def test_an_icon_of_a_pack_without_outlines_fails_the_build(tmp_path):
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "basic.css").write_text(".a{b:1}", encoding="utf-8")
    page = '<i class="fa-regular fa-moon"></i>'
    (tmp_path / "index.html").write_text(page, encoding="utf-8")
    app = SimpleNamespace(outdir=str(tmp_path), builder=SimpleNamespace(format="html"))
    with pytest.raises(Exception, match="regular icons \\(fa-regular fa-moon\\)"):
        gradbook_weight._slim(app, None)
