"""Every page of the built book in headless Chromium: accessibility (axe-core), console errors,
requests to other hosts, alt text, the scene's names and summary, the keyboard, and a colour
scale that does not depend on seeing colour."""

from __future__ import annotations

import itertools
import math
import re

import pytest
from bookpage import (
    CHAPTERS,
    PAGES,
    assert_axe_clean,
    cie_lightness,
    contrast,
    parse_css_color,
    visit,
    wait_scenes,
)
from playwright.sync_api import Browser, Page, expect
from scenepage import decode

pytestmark = pytest.mark.browser

SCHEMES = ("light", "dark")
# The chapter whose scene offers the most scenarios: it exercises every control.
RICH_CHAPTER = "chapters/06-solutions.html"
VANISHING_CHAPTER = "chapters/03-vanishing.html"


def test_every_built_page_is_checked(served_book):
    """The list the tests walk is exactly what Sphinx wrote, so a new page cannot be skipped."""
    assert set(served_book.pages) == set(PAGES)
    assert len(CHAPTERS) == 7


def _open(browser: Browser, served_book, path: str, scheme: str, **context):
    ctx = browser.new_context(color_scheme=scheme, **context)
    page = ctx.new_page()
    # Sphinx's search page runs the query given in the address: check it with results on screen.
    target = "search.html?q=gradient" if path == "search.html" else path
    v = visit(page, served_book.url(target))
    if path == "search.html":
        expect(page.locator("#search-results ul.search li").first).to_be_visible(timeout=10000)
    return ctx, page, v


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("path", PAGES)
def test_page_is_accessible_private_and_quiet(browser: Browser, served_book, path, scheme):
    ctx, page, v = _open(browser, served_book, path, scheme)
    try:
        # The theme follows the reader's system setting ("auto"), and so does the scene.
        expect(page.locator("html")).to_have_attribute("data-theme", scheme)
        scenes = page.locator(".gradbook-scene")
        n_scenes = scenes.count()
        # One per chapter, and the lab shows one too; chapter 6 adds a side-by-side one.
        want = 2 if path == RICH_CHAPTER else 1 if path in (*CHAPTERS, "lab.html") else 0
        assert n_scenes == want, (path, n_scenes)
        if n_scenes:
            wait_scenes(page, "ready")
        for k in range(n_scenes):
            scene = scenes.nth(k)
            # Named as a landmark, its picture named by the scenario's title, with a summary in
            # words and a live region that screen readers hear when the scene changes.
            expect(scene).to_have_attribute("role", "region")
            expect(scene).to_have_accessible_name(re.compile(r"Gradient-flow scene: \S"))
            expect(scene.locator(".gradbook-scene-stage").first).to_have_accessible_name(
                re.compile(r"\S")
            )
            expect(scene.locator(".gradbook-scene-stage").first).to_have_accessible_description(
                re.compile(r"Training step \d+.*gradient")
            )
            expect(scene.locator(".gradbook-scene-desc")).to_have_text(
                re.compile(r"\w{3,}.*\w{3,}")
            )
            expect(scene.locator(".gradbook-scene-live")).to_have_attribute("aria-live", "polite")
            expect(scene.locator(".gradbook-scene-legend")).to_have_accessible_name(
                re.compile(r"Colour legend: .*small gradient.*large one")
            )
            assert page.evaluate(f"() => window.gradbook.scenes[{k}].state().theme") == scheme
        # Every image has alt text and has loaded; every figure holds at least one.
        # In both themes they show their exact colours, the scene's (no dimming filter).
        images = page.eval_on_selector_all(
            "img",
            """els => els.map(e => [e.getAttribute('src'), e.getAttribute('alt'), e.naturalWidth,
                                   getComputedStyle(e).filter])""",
        )
        for src, alt, width, css_filter in images:
            assert alt is not None and alt.strip(), f"{src} has no alt text"
            assert width > 0, f"{src} did not load"
            assert css_filter == "none", f"{src} is drawn through a filter: {css_filter}"
        figures_without_img = page.eval_on_selector_all(
            "figure", "fs => fs.filter(f => !f.querySelector('img, svg')).length"
        )
        assert figures_without_img == 0
        if path in CHAPTERS:
            assert images, "each chapter has a figure"
        assert_axe_clean(page)
        v.assert_clean()
    finally:
        ctx.close()


def test_a_chapter_opened_from_disk_runs_its_scene_and_reads_nothing_else(page: Page, served_book):
    """The README's first way to read: open the built files, no server. Only files are read."""
    v = visit(page, (served_book.html / VANISHING_CHAPTER).as_uri())
    wait_scenes(page, "ready")
    assert v.origin == "file://"
    assert all(u.startswith(("file://", "data:")) for u in v.requests), v.requests
    v.assert_clean()


# ---- view links on real chapters -------------------------------------------------------------

_SCENE_TOP = "() => document.querySelector('.gradbook-scene').getBoundingClientRect().top"


def _last_step(page: Page, scenario: str) -> int:
    return page.evaluate(
        "id => window.gradbook.scenes[0].payload.scenarios"
        ".find(s => s.id === id).steps.at(-1).step",
        scenario,
    )


@pytest.mark.parametrize("where", ["served", "disk"])
def test_a_chapter_opened_with_a_view_link_shows_that_view(browser: Browser, served_book, where):
    """The scene sits far down the chapter: the link mounts it at once, pins the view, paused,
    and brings it into view, from a server and from a file alike."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    try:
        base = (
            served_book.url(RICH_CHAPTER)
            if where == "served"
            else ((served_book.html / RICH_CHAPTER).as_uri())
        )
        v = visit(page, f"{base}#scenario=residual&step=999&layer=3")
        page.wait_for_function("() => window.gradbook?.scenes?.[0]?.state().selectedLayer === 3")
        # Before anything else scrolls: the link brought its scene (the page's first) into view.
        assert -2 <= page.evaluate(_SCENE_TOP) < 200
        assert page.evaluate("() => window.scrollY") > 1000, "the scene is far down the chapter"
        wait_scenes(page)
        st = _state(page)
        assert (st["scenario"], st["step"], st["playing"]) == ("residual", 999, False)
        assert st["step"] == _last_step(page, "residual")
        v.assert_clean()
    finally:
        ctx.close()


def test_a_prose_link_in_a_chapter_steers_its_scene(page: Page, served_book):
    """A link written in the chapter's text, as the markdown `[text](#scenario=...)` renders."""
    v = visit(page, served_book.url(VANISHING_CHAPTER))
    page.evaluate(
        """() => { const p = document.querySelector('article p');
            const a = document.createElement('a'); a.id = 'view-link';
            a.href = '#scenario=sigmoid-vanishing&step=999&layer=1';
            a.textContent = 'layer 1 stays dark'; p.append(' ', a); }"""
    )
    page.evaluate("() => window.scrollTo(0, 0)")
    page.locator("#view-link").click()
    page.wait_for_function("() => window.gradbook?.scenes?.[0]?.state().selectedLayer === 1")
    st = _state(page)
    assert (st["scenario"], st["step"], st["playing"]) == ("sigmoid-vanishing", 999, False)
    assert -2 <= page.evaluate(_SCENE_TOP) < 200
    expect(_part(page, "live")).to_contain_text("training step 999")
    v.assert_clean()


def test_chapter_6_compares_the_residual_networks_side_by_side(browser: Browser, served_book):
    """Chapter 6's second scene is in compare mode: its prose links (scene=2) steer it, two
    stages share one pulse and one step, each stage's corner gives its network's loss and the
    share of new examples it gets right, and axe finds nothing."""
    ctx, page, v = _open(browser, served_book, RICH_CHAPTER, "light", reduced_motion="reduce")
    try:
        wait_scenes(page)
        assert page.evaluate("() => window.gradbook.scenes.map(s => s.state().compare)") == [
            None,
            ["residual", "residual-batchnorm"],
        ]
        compare = "() => window.gradbook.scenes[1].state()"
        box = page.locator(".gradbook-scene").nth(1)
        assert box.locator("canvas").count() == 2
        link = page.locator('a[href^="#scene=2"][href*="step=999"]')
        link.scroll_into_view_if_needed()
        link.click()
        page.wait_for_function(f"() => ({compare})().step === 999")
        st = page.evaluate(compare)
        assert (st["scenario"], st["selectedLayer"], st["playing"]) == ("residual", 1, False)
        assert [p["step"] for p in st["panes"]] == [999, 999]
        frames = page.evaluate(
            """() => window.gradbook.scenes[1].payload.scenarios
                .filter(s => ['residual', 'residual-batchnorm'].includes(s.id))
                .map(s => [s.id, s.steps.at(-1).accuracy])"""
        )
        right = {sid: f"{acc:.0%} right" for sid, acc in frames}
        corners = box.locator(".gradbook-scene-label-loss")
        expect(corners.nth(0)).to_contain_text(right["residual"])
        expect(corners.nth(1)).to_contain_text(right["residual-batchnorm"])
        expect(box.locator(".gradbook-scene-status")).to_contain_text(
            f"{right['residual'].split()[0]} of new examples right"
        )
        # The first scene was not touched.
        assert page.evaluate("() => window.gradbook.scenes[0].state().step") == 0
        assert_axe_clean(page)
        v.assert_clean()
    finally:
        ctx.close()


def test_phone_layout_has_no_violations_with_the_navigation_open(browser: Browser, served_book):
    ctx, page, v = _open(
        browser, served_book, VANISHING_CHAPTER, "light", viewport={"width": 390, "height": 844}
    )
    try:
        wait_scenes(page)
        assert_axe_clean(page)
        page.get_by_role("button", name="Toggle primary sidebar").click()
        nav = page.locator("#pst-primary-sidebar-modal")
        expect(nav).to_be_visible()
        expect(nav.get_by_role("link", name=re.compile("Exploding gradients"))).to_be_visible()
        assert_axe_clean(page)
        page.keyboard.press("Escape")
        expect(nav).to_be_hidden()
        v.assert_clean()
    finally:
        ctx.close()


def test_book_content_fits_a_phone(browser: Browser, served_book):
    """At 390 px nothing of the book's own (prose, figures, code, maths) widens the page."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    try:
        for path in PAGES:
            page.goto(served_book.url(path))
            wide = page.evaluate(_OVERFLOWING, ".gradbook-scene")
            assert wide == [], f"{path}: {wide}"
    finally:
        ctx.close()


def test_code_reads_whole_on_a_desktop_screen(browser: Browser, served_book):
    """At 1280 px no code block or cell output scrolls sideways: a reader who copies the
    PyTorch lines sees all of each one."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    try:
        wide = {}
        for path in PAGES:
            page.goto(served_book.url(path))
            found = page.evaluate(
                """() => [...document.querySelectorAll('pre')]
                    .filter((p) => p.offsetParent !== null && p.scrollWidth > p.clientWidth + 1)
                    .map((p) => p.textContent.split('\\n').find((l) => l.length > 60) ?? '')"""
            )
            if found:
                wide[path] = found
        assert wide == {}
    finally:
        ctx.close()


def test_scene_fits_a_phone(browser: Browser, served_book):
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    try:
        wide = {}
        for path in CHAPTERS:
            page.goto(served_book.url(path))
            wait_scenes(page)
            found = page.evaluate(_OVERFLOWING, None)
            if found or page.evaluate("() => document.documentElement.scrollWidth > innerWidth"):
                wide[path] = found
        assert wide == {}
    finally:
        ctx.close()


# Visible elements that stick out past the right edge of the viewport, not counting those inside
# a scrolling or clipping box (a wide code cell scrolls inside itself) or inside `skip`.
_OVERFLOWING = """(skip) => {
    const W = document.documentElement.clientWidth;
    const clipped = (e) => {
        for (let a = e.parentElement; a && a !== document.body; a = a.parentElement)
            if (getComputedStyle(a).overflowX !== 'visible') return true;
        return false;
    };
    const out = [];
    for (const e of document.querySelectorAll('body *')) {
        if (skip && e.closest(skip)) continue;
        const r = e.getBoundingClientRect();
        if (r.width > 0 && r.right > W + 1 && e.offsetParent !== null && !clipped(e))
            out.push(`${e.tagName.toLowerCase()}.${String(e.className?.baseVal ?? e.className)}`
                + ` ends at ${Math.round(r.right)} px`);
    }
    return out.slice(0, 5);
}"""


# ---- keyboard -----------------------------------------------------------------------------

CONTROLS = (
    "gradbook-scene-play",
    "gradbook-scene-step",
    "gradbook-scene-scrub",
    "gradbook-scene-speed",
    "gradbook-scene-scenario",
    "gradbook-scene-reset",
    "gradbook-scene-full",
    "gradbook-scene-copylink",
)

_FOCUSED = """() => {
    const e = document.activeElement;
    const s = getComputedStyle(e);
    const box = e.closest('.gradbook-scene');
    return {
        cls: e.classList[0] || e.tagName,
        focusVisible: e.matches(':focus-visible'),
        outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth),
        outlineColor: s.outlineColor, boxShadow: s.boxShadow,
        background: box ? getComputedStyle(box).backgroundColor : null,
    };
}"""


def _part(page: Page, name: str):
    """A part of the page's first scene (chapter 6 has a second one, side by side)."""
    return page.locator(".gradbook-scene").first.locator(f".gradbook-scene-{name}")


def _state(page: Page) -> dict:
    return page.evaluate("() => window.gradbook.scenes[0].state()")


def _check_ring(focused: dict) -> None:
    """A focus ring a reader can see: at least 2 px, and 3:1 against the scene's background."""
    assert focused["focusVisible"], focused
    if focused["outlineStyle"] != "none" and focused["outlineWidth"] >= 2:
        ring = parse_css_color(focused["outlineColor"])
    else:
        assert focused["boxShadow"] != "none", f"no focus ring on {focused['cls']}: {focused}"
        ring = parse_css_color(re.match(r"rgba?\([^)]*\)", focused["boxShadow"]).group(0))
    ratio = contrast(ring, parse_css_color(focused["background"]))
    assert ratio >= 3, f"the focus ring of {focused['cls']} has {ratio:.2f}:1 contrast"


def _operate(page: Page, control: str, scenarios: list[str]) -> None:
    """Use the focused control from the keyboard, as its kind is used, and check the effect."""
    live = _part(page, "live")
    if control == "gradbook-scene-play":
        page.keyboard.press("Enter")
        assert _state(page)["playing"] is True
        expect(_part(page, "play")).to_have_attribute("aria-pressed", "true")
        page.keyboard.press("Space")
        assert _state(page)["playing"] is False
        expect(live).to_contain_text("Paused")
    elif control == "gradbook-scene-step":
        page.evaluate("() => window.gradbook.scenes[0].setStep(0)")
        before = _state(page)["litLayers"]
        page.keyboard.press("Enter")
        assert _state(page)["litLayers"] == (before + 1 if before < 12 else 0)
        expect(live).to_have_text(re.compile(r"\w+"))
    elif control == "gradbook-scene-scrub":
        last = page.evaluate("() => window.gradbook.scenes[0].scenario.steps.length - 1")
        page.keyboard.press("Home")
        page.keyboard.press("ArrowRight")
        assert _state(page)["stepIndex"] == 1
        page.keyboard.press("End")
        assert _state(page)["stepIndex"] == last
        expect(_part(page, "scrub")).to_have_attribute(
            "aria-valuetext", re.compile(r"^step \d+ of \d+")
        )
        page.keyboard.press("ArrowLeft")
        assert _state(page)["stepIndex"] == last - 1
    elif control == "gradbook-scene-speed":
        page.keyboard.press("ArrowDown")
        assert _state(page)["speed"] == 2
        page.keyboard.press("ArrowUp")
        assert _state(page)["speed"] == 1
    elif control == "gradbook-scene-scenario":
        page.keyboard.press("ArrowDown")
        assert _state(page)["scenario"] == scenarios[1]
        expect(live).to_have_text(re.compile(r"\w+"))
        page.keyboard.press("ArrowUp")
        assert _state(page)["scenario"] == scenarios[0]
    elif control == "gradbook-scene-reset":
        before = _state(page)["frames"]
        page.keyboard.press("Enter")
        page.wait_for_function("n => window.gradbook.scenes[0].scene.frames > n", arg=before)
    elif control == "gradbook-scene-full":
        page.keyboard.press("Enter")
        page.wait_for_function(
            "() => document.fullscreenElement?.classList.contains('gradbook-scene')"
        )
        expect(_part(page, "full")).to_have_text("Exit full screen")
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.fullscreenElement === null")
        expect(_part(page, "full")).to_have_text("Full screen")
    elif control == "gradbook-scene-copylink":
        page.keyboard.press("Enter")
        field = _part(page, "link")
        expect(field).to_be_visible()
        assert re.search(r"#scenario=[a-z0-9-]+&step=\d+", field.input_value())
        expect(live).to_contain_text("link to this view", ignore_case=True)
        _part(page, "copylink").focus()  # the field took the focus to be copied


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_scene_control_is_reached_by_tab_and_used_from_the_keyboard(
    browser: Browser, served_book, scheme
):
    # No autoplay, so that everything that happens is the keyboard's doing.
    ctx, page, v = _open(browser, served_book, RICH_CHAPTER, scheme, reduced_motion="reduce")
    try:
        wait_scenes(page)
        scenarios = page.evaluate(
            "() => window.gradbook.scenes[0].payload.scenarios.map(s => s.id)"
        )
        assert len(scenarios) >= 2
        page.evaluate("() => window.scrollTo(0, 0)")
        # From the top of the page, as a keyboard reader starts: Tab until the scene, then on
        # through each of its controls in order.
        reached: list[str] = []
        for _ in range(400):
            page.keyboard.press("Tab")
            focused = page.evaluate(_FOCUSED)
            if focused["cls"] in CONTROLS:
                _check_ring(focused)
                reached.append(focused["cls"])
                _operate(page, focused["cls"], scenarios)
                # Using a control must leave the focus on it, for the next Tab to go on from there.
                assert page.evaluate(_FOCUSED)["cls"] == focused["cls"]
            elif reached:
                break
        assert reached == list(CONTROLS)
        v.assert_clean()
    finally:
        ctx.close()


# ---- colour-blind readers ------------------------------------------------------------------


def test_colour_scale_reads_in_greyscale(page: Page, served_book):
    """The scene's table (matplotlib's inferno, from the payload the page carries) gets lighter
    at every step from the smallest to the largest gradient, so the order of sizes survives
    greyscale printing and every kind of colour blindness; overflow and NaN are set apart."""
    v = visit(page, served_book.url(VANISHING_CHAPTER))
    wait_scenes(page)
    scale = page.evaluate("() => window.gradbook.scenes[0].payload.colorScale")
    lightness = [cie_lightness(parse_css_color(c)) for c in scale["table"]]
    assert len(lightness) >= 64
    # 256 samples of a 256-entry colormap repeat a few neighbours; never does lightness fall.
    steps = [b - a for a, b in itertools.pairwise(lightness)]
    assert min(steps) >= 0, f"lightness falls after entry {steps.index(min(steps))}"
    distinct = [x for x, step in zip(lightness, [1.0, *steps], strict=True) if step > 0]
    assert len(distinct) >= 0.8 * len(lightness)
    assert lightness[-1] - lightness[0] >= 60, "the ends must be far apart in lightness"
    # The two special values are colours the table never uses.
    assert scale["inf"] not in scale["table"] and scale["nan"] not in scale["table"]
    # The legend says what the second channel is, in words.
    expect(_part(page, "legend-caption")).to_contain_text("bigger, brighter dots")
    expect(_part(page, "legend-caption")).to_contain_text("Bars: decades")
    v.assert_clean()


def test_magnitude_is_drawn_by_size_as_well_as_colour(page: Page, served_book):
    """Larger gradients give larger neurons, and each layer's bar falls by the decades of the
    output's gradient it lost: the scene never relies on colour. Read from the GPU buffers."""
    page.emulate_media(reduced_motion="reduce")  # the whole profile at once, with no swell
    v = visit(page, served_book.url(VANISHING_CHAPTER))
    wait_scenes(page)
    drawn = page.evaluate(
        """() => {
            const s = window.gradbook.scenes[0];
            s.setStep(s.scenario.steps.length - 1);
            const sc = s.scene, net = sc.net, lay = sc.layout, H = lay.layerX.length - 2;
            const step = s.scenario.steps[s.player.stepIndex];
            const m = net.bars.matrix.clone();
            const layers = [];
            for (let li = 1; li <= H; li++) {
                const ls = step.layers[li - 1];
                net.bars.getMatrixAt(li - 1, m);
                // A bar above the "1 x" line starts on it; one below ends on it.
                const h = m.elements[5], y = m.elements[13];
                const bar = Math.abs(y - net.meterZero) < 1e-6 ? h : -h;
                const units = [];
                for (let u = 0; u < lay.layerCount[li]; u++) {
                    units.push([ls.neuronsLog10[u], net.unitSize.array[lay.layerStart[li] + u]]);
                }
                layers.push({ product: ls.product, bar, units });
            }
            return { layers, complete: s.player.complete, min: s.payload.colorScale.log10Min,
                     max: s.payload.colorScale.log10Max };
        }"""
    )
    assert drawn["complete"]
    lo, hi = drawn["min"], drawn["max"]

    def position(log10v: float) -> float:
        return min(1.0, max(0.0, (log10v - lo) / (hi - lo)))

    def check_monotonic(pairs: list[tuple[float, float]], what: str) -> None:
        pairs = sorted((x, size) for x, size in pairs if math.isfinite(x))
        for (t1, s1), (t2, s2) in itertools.pairwise(pairs):
            assert s2 >= s1 - 1e-9, f"a larger gradient drew a smaller {what}"
            if t2 - t1 > 0.02:
                assert s2 > s1, f"two gradients far apart drew {what}s of the same size"

    # The meter shows ten decades each way; beyond, bars stop at its end.
    decades = [(math.log10(decode(layer["product"])), layer["bar"]) for layer in drawn["layers"]]
    check_monotonic([(d, bar) for d, bar in decades if abs(d) < 10], "bar")
    check_monotonic(
        [(position(decode(x)), size) for layer in drawn["layers"] for x, size in layer["units"]],
        "neuron",
    )
    bars = [layer["bar"] for layer in drawn["layers"]]
    # In the vanishing network the first layer's bar reaches far below the last one's.
    assert bars[0] < 0 and bars[0] < bars[-1] - 1, bars
    v.assert_clean()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_labels_over_the_scene_are_readable(page: Page, served_book, scheme):
    """The numbers written over the canvas have 4.5:1 contrast against the stage."""
    page.emulate_media(color_scheme=scheme)
    v = visit(page, served_book.url(VANISHING_CHAPTER))
    wait_scenes(page)
    page.evaluate("() => { const s = window.gradbook.scenes[0]; s.pause(); s.setStep(0); }")
    found = page.evaluate(_LABEL_COLOURS, ".gradbook-scene-label:not(.is-unlit)")
    assert len(found["colours"]) >= 2  # layer names, and the numbers
    stage = parse_css_color(found["stage"])
    for colour in found["colours"]:
        assert contrast(parse_css_color(colour), stage) >= 4.5, (colour, found["stage"])
    v.assert_clean()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_labels_of_layers_not_reached_yet_are_readable(page: Page, served_book, scheme):
    page.emulate_media(reduced_motion="reduce", color_scheme=scheme)
    visit(page, served_book.url(VANISHING_CHAPTER))
    wait_scenes(page)
    # From the whole profile, "Step one layer" starts the pulse over at the output: the rest is
    # not lit yet.
    _part(page, "step").click()
    found = page.evaluate(_LABEL_COLOURS, ".gradbook-scene-label.is-unlit")
    assert found["colours"], "no unlit label on screen"
    stage = parse_css_color(found["stage"])
    for colour in found["colours"]:
        assert contrast(parse_css_color(colour), stage) >= 4.5, (colour, found["stage"])


_LABEL_COLOURS = """(sel) => {
    const colours = new Set();
    for (const label of document.querySelectorAll(sel)) {
        if (label.hidden) continue;
        for (const e of [label, ...label.querySelectorAll('*')])
            if ([...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
                colours.add(getComputedStyle(e).color);
    }
    const stage = document.querySelector('.gradbook-scene-stage');
    return { colours: [...colours], stage: getComputedStyle(stage).backgroundColor };
}"""


# ---- the text alternative -----------------------------------------------------------------


# What the scene's live region says, from before the scene is mounted.
_WATCH_LIVE = """() => {
    window.__announced = [];
    new MutationObserver((changes) => {
        for (const c of changes) {
            const e = c.target.nodeType === 1 ? c.target : c.target.parentElement;
            const live = e && e.closest('.gradbook-scene-live');
            if (live && live.textContent) window.__announced.push(live.textContent);
        }
    }).observe(document.querySelector('.gradbook-scene'),
               { childList: true, characterData: true, subtree: true });
}"""


def test_the_scene_is_described_from_the_start_and_autoplay_stays_quiet(page: Page, served_book):
    """The stage's description says what it shows as soon as it is mounted and follows the
    step; the live region speaks when the reader acts, not while the pulse autoplays."""
    v = visit(page, served_book.url(VANISHING_CHAPTER))
    page.evaluate(_WATCH_LIVE)
    wait_scenes(page)
    stage = _part(page, "stage")
    title = page.evaluate("() => window.gradbook.scenes[0].scenario.title")
    expect(stage).to_have_accessible_description(
        re.compile(rf"^{re.escape(title)}\. Training step 0 of \d+, loss .*gradient.*\.$")
    )
    # The description is not the live region: it is not announced each time it changes.
    described = page.locator(f"#{stage.get_attribute('aria-describedby')}")
    assert described.get_attribute("aria-live") is None
    page.wait_for_function("() => window.gradbook.scenes[0].state().playing")
    page.wait_for_timeout(3000)
    st = page.evaluate("() => window.gradbook.scenes[0].state()")
    assert st["playing"] and st["frames"] > 10, st  # autoplay has been running
    assert page.evaluate("() => window.__announced") == []
    expect(stage).to_have_accessible_description(re.compile(rf"Training step {st['step']} of"))
    # A training step chosen by the reader: the description follows it.
    page.evaluate("() => { const s = window.gradbook.scenes[0]; s.pause(); s.setStep(3); }")
    step = page.evaluate("() => window.gradbook.scenes[0].state().step")
    expect(stage).to_have_accessible_description(re.compile(rf"Training step {step} of"))
    # The status line under the stage shows the same to the eye: the step the slider is at.
    expect(_part(page, "status")).to_contain_text(f"Training step {step} of")
    # And a reader's action is announced, once.
    _part(page, "step").click()
    expect(_part(page, "live")).to_have_text(re.compile(r"\w{3,}"))
    assert len(page.evaluate("() => window.__announced")) == 1
    v.assert_clean()


# ---- labels over the canvas ---------------------------------------------------------------

# Chapter, scenario (None: the one shown first) and the training steps looked at: vanishing,
# exploding up to its NaN step, and the long recurrent net.
LABEL_SCENES = (
    (VANISHING_CHAPTER, None, (0, -1)),
    ("chapters/04-exploding.html", None, (-2, -1)),
    (RICH_CHAPTER, "rnn-exploding", (0, -1)),
)
LAYOUTS = {"phone": (390, 844), "desktop": (1280, 900), "wide": (1600, 1000)}

# Where each shown text over the stage is: labels, the hint and the loss; and the top of every
# layer's column, which the top strip must leave uncovered.
_LABEL_BOXES = """() => {
    const s = window.gradbook.scenes[0];
    const r = (e) => { const b = e.getBoundingClientRect();
        return { text: e.textContent, l: b.left, r: b.right, t: b.top, b: b.bottom }; };
    const shown = [...s.container.querySelectorAll('.gradbook-scene-label, .gradbook-scene-hint')]
        .filter((e) => !e.hidden && e.textContent.trim() && e.getClientRects().length);
    const layers = s.scenario.network.layers.map((_, li) => s.unitPosition(li, 0).pageY);
    return { stage: r(s.ui.stage), topbar: r(s.ui.topbar), boxes: shown.map(r), layers };
}"""

_SHOW = """async ([scenario, step, layers]) => {
    const s = window.gradbook.scenes[0];
    s.pause();
    if (scenario) s.setScenario(scenario);
    s.setStep(step < 0 ? s.scenario.steps.length + step : step);
    for (let i = 0; i < layers; i++) s.ui.stepLayer.click();  // the pulse, part way
    for (let i = 0; i < 3; i++) await new Promise(requestAnimationFrame);
}"""


def _overlaps(a: dict, b: dict) -> bool:
    return min(a["r"], b["r"]) - max(a["l"], b["l"]) > 0.5 and (
        min(a["b"], b["b"]) - max(a["t"], b["t"]) > 0.5
    )


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("chapter", "scenario", "steps"), LABEL_SCENES)
def test_labels_over_the_scene_never_overlap(
    browser: Browser, served_book, layout, chapter, scenario, steps
):
    """No label covers another, every label stays on the stage, and the top strip (the hint
    and the loss) covers no neuron: whole profiles and pulses part way, phone to wide."""
    width, height = LAYOUTS[layout]
    ctx, page, v = _open(
        browser, served_book, chapter, "dark", viewport={"width": width, "height": height}
    )
    try:
        wait_scenes(page)
        # The scene measured is the page's first: in view, so that it draws and places its
        # labels (a scene off screen does neither; chapter 6's second scene is below it).
        page.locator(".gradbook-scene").first.scroll_into_view_if_needed()
        for step in steps:
            for layers in (0, 5):  # the whole profile; the pulse five layers in (0 is the output)
                page.evaluate(_SHOW, [scenario, step, layers])
                found = page.evaluate(_LABEL_BOXES)
                where = f"{layout} {chapter} {scenario or ''} step {step}, pulse {layers}"
                boxes, stage = found["boxes"], found["stage"]
                assert len(boxes) >= 5, where
                for a, b in itertools.combinations(boxes, 2):
                    assert not _overlaps(a, b), f"{where}: {a['text']!r} covers {b['text']!r}"
                for a in boxes:
                    inside = (
                        a["l"] >= stage["l"] - 0.5
                        and a["r"] <= stage["r"] + 0.5
                        and a["t"] >= stage["t"] - 0.5
                        and a["b"] <= stage["b"] + 0.5
                    )
                    assert inside, f"{where}: {a['text']!r} sticks out of the stage"
                assert found["topbar"]["b"] < min(found["layers"]) - 10, where
        v.assert_clean()
    finally:
        ctx.close()
