"""The book's page-weight extensions (docs/_ext): the stylesheet pruner and the icon outlines."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs" / "_ext"))
import css_prune
import gradbook_icons


def _prune(css: str, used: set[str], **kw) -> str:
    return css_prune.serialize(css_prune.prune(css_prune.parse(css), used, **kw))


def test_parse_and_serialize_keep_a_stylesheet_as_it_was():
    css = (
        '@charset "UTF-8";/*! notice */:root{--x:"}{"}a.b,c>d{color:red}'
        "@media (min-width:1px){.e{x:1}@supports (a:b){.f{y:2}}}@font-face{font-family:F}"
    )
    assert css_prune.serialize(css_prune.parse(css)) == css


def test_rules_for_classes_the_book_lacks_go_and_selector_lists_shrink():
    css = ".used{a:1}.unused{b:2}.used,.unused .x{c:3}#here .used{d:4}#gone{e:5}"
    assert _prune(css, {"used", "here"}) == ".used{a:1}.used{c:3}#here .used{d:4}"


def test_what_cannot_be_judged_is_kept():
    css = (
        "a:hover{x:1}[data-theme=dark] p{y:2}.used:not(.absent){z:3}"
        ':is(.absent,.used)>b{w:4}a[href$=".pdf"]{v:5}@keyframes spin{from{t:0}}'
    )
    assert _prune(css, {"used"}) == css


def test_grouping_rules_are_pruned_inside_and_dropped_when_empty():
    css = "@media print{.absent{a:1}}@media screen{.used{b:2}.absent{c:3}}"
    assert _prune(css, {"used"}) == "@media screen{.used{b:2}}"


def test_keep_and_drop_hooks():
    css = ".bs-tooltip-auto{a:1}@font-face{font-family:Icons}@font-face{font-family:Text}"
    kept = _prune(
        css,
        set(),
        keep=lambda n: n.startswith("bs-tooltip-"),
        drop_rule=lambda r: "Icons" in (r.body or ""),
    )
    assert kept == ".bs-tooltip-auto{a:1}@font-face{font-family:Text}"


@pytest.mark.parametrize("bad", ["a{b:1", ".a{b:'1}", "a{b:1}}", "/* open", "a{b:1} stray"])
def test_broken_css_is_refused(bad):
    with pytest.raises(css_prune.CSSSyntaxError):
        css_prune.parse(bad)


# A two-pack stand-in for the theme's fontawesome.js: regular icons, then solid ones.
SCRIPT = (
    'var b={moon:[512,512,[],"f186","M1 1Z"]};p("far",b);'
    'var b={moon:[384,512,[],"f186","M2 2Z"],"circle-xmark":[512,512,[61532],"f057","M3 3Z"]};'
    'p("fas",b);'
)


def test_icons_are_read_pack_by_pack_and_by_code_point():
    packs = gradbook_icons.read_packs(SCRIPT)
    assert packs["far"]["moon"] == (512, 512, "M1 1Z")
    assert packs["fas"]["moon"] == (384, 512, "M2 2Z")
    assert packs["fas"]["\uf057"] == (512, 512, "M3 3Z")


def test_icon_stylesheet_draws_each_wanted_icon_and_refuses_an_unknown_one():
    packs = gradbook_icons.read_packs(SCRIPT)
    css = gradbook_icons.stylesheet(packs, {"fas": {"moon"}})
    assert ".fa-solid.fa-moon" in css and "M2 2Z" in css and "--gb-icon-w:0.75em" in css
    with pytest.raises(gradbook_icons.IconError, match="no fas icon named 'sunny'"):
        gradbook_icons.stylesheet(packs, {"fas": {"sunny"}})
    with pytest.raises(gradbook_icons.IconError, match="no solid icon pack"):
        gradbook_icons.read_packs('var b={};p("far",b);')


def test_glyphs_drawn_as_generated_content_get_an_outline():
    packs = gradbook_icons.read_packs(SCRIPT)
    css = (
        ':root{--icon-x:"\\f057";--icon-err:var(--icon-x)}'
        ".note>.t:after{content:var(--icon-err);font:var(--fa-font-solid)}"
        '.plain:after{content:"-"}'
        # --fa differs per icon class: no single glyph, so no override.
        '.fa-a{--fa:"\\f186"}.fa-b{--fa:"\\f057"}.fa:before{content:var(--fa)}'
    )
    out = gradbook_icons.pseudo_element_icons(css_prune.parse(css), packs)
    assert out.count("{") == 1
    assert '.note>.t:after{content:"";display:inline-block' in out and "M3 3Z" in out
