"""What keeps the pages light, checked in the browser: icons drawn without any web font, the
search scripts only on the search page, figures as SVG. (The weights themselves are measured by
bench/page_weight.py.)"""

from __future__ import annotations

import re

import pytest
from bookpage import CHAPTERS, visit
from playwright.sync_api import Browser, expect

pytestmark = pytest.mark.browser

FONT_FILES = (".woff", ".woff2", ".ttf", ".otf", ".eot")
SEARCH_SCRIPTS = ("searchtools.js", "language_data.js", "searchindex.js")

# For every icon element on the page: its class, the box its ::before draws and what paints it.
ICON_BOXES = """() => [...document.querySelectorAll('.fa-solid, .fas, .fa-brands, .fab')]
  .filter((i) => i.getClientRects().length > 0)
  .map((i) => {
    const s = getComputedStyle(i, '::before');
    return {
      cls: i.className,
      content: s.content,
      width: parseFloat(s.width),
      height: parseFloat(s.height),
      mask: s.maskImage || s.webkitMaskImage,
      paint: s.backgroundColor,
    };
  })"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_icons_are_outlines_and_no_font_is_fetched(browser: Browser, served_book, scheme):
    ctx = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    try:
        v = visit(page, served_book.url(CHAPTERS[4]))
        page.wait_for_load_state("networkidle")
        page.locator(".dropdown-download-buttons > button").click()
        expect(page.locator(".dropdown-download-buttons .dropdown-menu")).to_be_visible()
        icons = page.evaluate(ICON_BOXES)
        # The header's buttons, the sidebar's search, the download menu: a dozen at least.
        assert len(icons) >= 8, icons
        for icon in icons:
            assert icon["content"] in ('""', "none", "normal"), icon  # no glyph from a font
            assert icon["mask"].startswith('url("data:image/svg+xml'), icon
            assert icon["width"] > 4 and icon["height"] > 4, icon
            assert icon["paint"] not in ("rgba(0, 0, 0, 0)", "transparent"), icon
        fonts = [u for u in v.requests if u.split("?")[0].endswith(FONT_FILES)]
        assert fonts == []
        v.assert_clean()
    finally:
        ctx.close()


def test_search_scripts_load_only_on_the_search_page(browser: Browser, served_book):
    ctx = browser.new_context()
    page = ctx.new_page()
    try:
        v = visit(page, served_book.url(CHAPTERS[0]))
        page.wait_for_load_state("networkidle")
        assert [u for u in v.requests if u.split("?")[0].endswith(SEARCH_SCRIPTS)] == []
        # The sidebar's search field still leads to results.
        page.keyboard.press("Control+k")
        field = page.locator("#pst-search-dialog input[name=q]")
        expect(field).to_be_visible()
        field.fill("gradient")
        field.press("Enter")
        expect(page).to_have_url(re.compile(r"search\.html\?(.*&)?q=gradient"))
        expect(page.locator("#search-results ul.search li").first).to_be_visible(timeout=10000)
    finally:
        ctx.close()


def test_figures_are_svg_with_alt_text(served_book):
    for chapter in CHAPTERS:
        html = (served_book.html / chapter).read_text(encoding="utf-8")
        figures = [line for line in html.split("<img ")[1:] if "_images/" in line.split(">")[0]]
        assert figures, f"{chapter} shows no figure"
        for tag in (f.split(">")[0] for f in figures):
            assert '.svg"' in tag, f"{chapter}: a figure that is not SVG: <img {tag}>"
            assert 'alt="' in tag and 'alt=""' not in tag, f"{chapter}: <img {tag}> has no alt"
