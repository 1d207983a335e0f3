"""Real chapter pages under faults (payload broken, no WebGL, no JavaScript, reduced motion),
in print, and under heavy use: the page stays readable, the scene's area says what happened,
nothing is thrown, and memory and GPU resources do not grow."""

from __future__ import annotations

import json
import random
import re

import pytest
from bookpage import CHAPTERS, heap, visit, wait_scenes
from playwright.sync_api import Browser, BrowserType, Page, Route, expect

pytestmark = pytest.mark.browser

CHAPTER = "chapters/03-vanishing.html"  # where the faults that need one chapter are tried
RICH_CHAPTER = "chapters/06-solutions.html"  # six scenarios, the most to switch between
ONE_SCENE_CHAPTER = "chapters/04-exploding.html"  # one scene: its rebuilds are counted alone

PAYLOAD = re.compile(
    r'(<script type="application/json" id="gradbook-payload-[^"]+">)(.*?)(</script>)', re.S
)


def _half(m: re.Match) -> str:
    return m.group(1) + m.group(2)[: len(m.group(2)) // 2] + m.group(3)


GARBAGE = "\x00<<%PDF-1.7 ÿØÿà>>{["  # binary junk, as a bad upload or a proxy might leave


def _edit_payload(change):
    """Rewrite the payload's JSON with `change(data)`, as a build with a bug might have."""

    def sub(m: re.Match) -> str:
        data = json.loads(m.group(2))
        change(data)
        return m.group(1) + json.dumps(data) + m.group(3)

    return lambda html: PAYLOAD.sub(sub, html)


def _drop_a_layer(data: dict) -> None:
    data["scenarios"][0]["steps"][0]["layers"].pop()


# How a chapter's inline payload is damaged, and what the scene must then say.
PAYLOAD_FAULTS = {
    "removed": (lambda html: PAYLOAD.sub("", html), "is missing from this page"),
    "truncated": (lambda html: PAYLOAD.sub(_half, html), "not valid JSON"),
    "garbage": (
        lambda html: PAYLOAD.sub(lambda m: m.group(1) + GARBAGE + m.group(3), html),
        "not valid JSON",
    ),
    "empty": (lambda html: PAYLOAD.sub(lambda m: m.group(1) + m.group(3), html), "not valid JSON"),
    "wrong shape": (
        lambda html: PAYLOAD.sub(
            lambda m: m.group(1) + '{"schema": "gradbook-payload", "version": 1}' + m.group(3), html
        ),
        "not usable",
    ),
    "unknown version": (
        _edit_payload(lambda d: d.update(version=2)),
        "Unsupported payload version 2",
    ),
    # A rule the schema cannot state: one entry per hidden layer in every step.
    "failing a cross-field check": (_edit_payload(_drop_a_layer), "hidden layers"),
}


def _rewrite_chapter(page: Page, chapter: str, change) -> None:
    """Serve the chapter's HTML through `change`, as if the build had written it that way."""

    def handle(route: Route) -> None:
        response = route.fetch()
        html = response.text()
        assert PAYLOAD.search(html), "the chapter carries no inline payload to damage"
        route.fulfill(response=response, body=change(html))

    page.route(f"**/{chapter}", handle)


def _assert_page_readable(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("article p").first).to_be_visible()
    # The chapter's own static figure of the same data, which the scene names.
    fallback = page.locator(".gradbook-scene").first.get_attribute("data-fallback")
    assert fallback and fallback.startswith("#fallback-")
    expect(page.locator(f"{fallback} img")).to_be_visible()


def _assert_scene_explains(page: Page, message: str) -> None:
    box = page.locator(".gradbook-scene").first
    expect(box).to_have_attribute("data-gradbook-status", "fault")
    expect(box.locator(".gradbook-scene-message")).to_contain_text(message)
    expect(box.locator(".gradbook-scene-message")).to_have_attribute("role", "status")
    # Whole sentences: the reason ends with its full stop before the figure is mentioned.
    text = box.locator(".gradbook-scene-message").inner_text()
    assert re.fullmatch(r".+[.!?] The figure below shows the same data\.", text), text
    # A copy of the static figure takes the scene's place, with its alt text.
    copy = box.locator(".gradbook-scene-fallback img")
    expect(copy).to_be_visible()
    expect(copy).to_have_attribute("alt", re.compile(r"\w{3,}"))
    assert box.locator("canvas").count() == 0


# ---- faults -------------------------------------------------------------------------------


# Every fault on one chapter; on every chapter the two that leave no data at all.
@pytest.mark.parametrize(
    ("chapter", "fault"),
    [
        (chapter, fault)
        for chapter in CHAPTERS
        for fault in PAYLOAD_FAULTS
        if chapter == CHAPTER or fault in ("removed", "truncated")
    ],
)
def test_damaged_payload_leaves_a_readable_page_and_a_message(
    page: Page, served_book, chapter, fault
):
    change, message = PAYLOAD_FAULTS[fault]
    _rewrite_chapter(page, chapter, change)
    v = visit(page, served_book.url(chapter))
    wait_scenes(page, "fault")
    _assert_scene_explains(page, message)
    _assert_page_readable(page)
    v.assert_clean()  # the loader logs a warning, never an error, and throws nothing


_NO_WEBGL = """(() => {
    const original = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {
        if (/webgl/i.test(String(kind))) return null;
        return original.call(this, kind, ...rest);
    };
})();"""


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_webgl_context_creation_failing_leaves_a_message(page: Page, served_book, chapter):
    page.add_init_script(_NO_WEBGL)
    v = visit(page, served_book.url(chapter))
    wait_scenes(page, "fault")
    _assert_scene_explains(page, "WebGL")
    _assert_page_readable(page)
    v.assert_clean()


def test_no_software_rasterizer_means_no_webgl_and_a_message(
    browser_type: BrowserType, browser_type_launch_args: dict, served_book
):
    args = [*browser_type_launch_args["args"], "--disable-software-rasterizer"]
    browser = browser_type.launch(**{**browser_type_launch_args, "args": args})
    try:
        page = browser.new_page()
        v = visit(page, served_book.url(CHAPTER))
        assert page.evaluate("() => !document.createElement('canvas').getContext('webgl2')")
        wait_scenes(page, "fault")
        _assert_scene_explains(page, "WebGL")
        _assert_page_readable(page)
        v.assert_clean()
    finally:
        browser.close()


def test_javascript_off_shows_the_message_and_links_the_figure(browser: Browser, served_book):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        v = visit(page, served_book.url(CHAPTER))
        message = page.locator(".gradbook-scene .gradbook-scene-message")
        expect(message).to_be_visible()
        expect(message).to_contain_text("needs JavaScript")
        link = message.get_by_role("link", name="The figure above")
        expect(link).to_have_attribute("href", "#fallback-ch3")
        _assert_page_readable(page)
        # Nothing of the scene loads: no bundle, no three.
        assert not [u for u in v.requests if "gradbook-scene.js" in u]
        # Chromium refuses the theme's script preloads when scripts are off; that is all it refuses.
        refused = [f for f in v.failed if f.endswith("(csp)")]
        assert all(re.search(r"\.js(\?|$)", f.split(" ")[0]) for f in refused), refused
        v.failed = [f for f in v.failed if f not in refused]
        v.assert_clean()
    finally:
        context.close()


def test_reduced_motion_shows_the_whole_profile_without_playing(browser: Browser, served_book):
    context = browser.new_context(reduced_motion="reduce")
    try:
        page = context.new_page()
        v = visit(page, served_book.url(CHAPTER))
        wait_scenes(page)
        page.wait_for_timeout(500)  # autoplay, were it on, would have started by now
        state = page.evaluate("() => window.gradbook.scenes[0].state()")
        assert state["reducedMotion"] is True
        assert state["playing"] is False
        assert state["complete"], "without motion the whole backward pass is shown at once"
        box = page.locator(".gradbook-scene").first
        expect(box.locator(".gradbook-scene-play")).to_have_text("Play")
        expect(box.locator(".gradbook-scene-play")).to_have_attribute("aria-pressed", "false")
        # And it stays still: no frame is drawn while nobody touches it.
        frames = page.evaluate("() => window.gradbook.scenes[0].scene.frames")
        page.wait_for_timeout(600)
        assert page.evaluate("() => window.gradbook.scenes[0].scene.frames") == frames
        _assert_page_readable(page)
        v.assert_clean()
    finally:
        context.close()


def test_lost_webgl_context_is_explained(page: Page, served_book):
    v = visit(page, served_book.url(CHAPTER))
    wait_scenes(page)
    page.evaluate(
        "() => window.gradbook.scenes[0].scene.renderer.getContext()"
        ".getExtension('WEBGL_lose_context').loseContext()"
    )
    box = page.locator(".gradbook-scene").first
    expect(box.locator(".gradbook-scene-message")).to_contain_text("WebGL", timeout=3000)
    # Like any other fault: a message, the static figure, no canvas; the scene is let go.
    _assert_scene_explains(page, "WebGL context")
    _assert_page_readable(page)
    assert page.evaluate("() => window.gradbook.scenes.length") == 0
    v.assert_clean()


# ---- print --------------------------------------------------------------------------------


def test_print_shows_the_static_figure_in_place_of_the_scene(page: Page, served_book):
    v = visit(page, served_book.url(CHAPTER))
    wait_scenes(page)
    page.emulate_media(media="print")
    box = page.locator(".gradbook-scene").first
    for part in ("canvas", ".gradbook-scene-stage", ".gradbook-scene-controls"):
        expect(box.locator(part)).to_be_hidden()
    # The static figure of the same data prints, whether it stands on the page (above the scene)
    # or the scene carries a print-only copy of it.
    figure = page.locator("#fallback-ch3 img, .gradbook-scene-print img")
    expect(figure.first).to_be_visible()
    # Chromium writes one image object per distinct raster picture: a PNG figure, or each raster
    # inside an SVG figure (a colour bar); vector drawing adds none, and a canvas would add one.
    printed = page.evaluate(
        """async () => {
            const shown = (i) =>
              i.getClientRects().length && getComputedStyle(i).visibility !== 'hidden';
            const srcs = new Set([...document.querySelectorAll('img')]
              .filter(shown).map((i) => i.currentSrc));
            let rasters = 0;
            for (const src of srcs) {
              if (/\\.svg($|[?#])/.test(src)) {
                const svg = await (await fetch(src)).text();
                rasters += (svg.match(/<image\\b/g) || []).length;
              } else rasters += 1;
            }
            return { pictures: srcs.size, rasters };
        }"""
    )
    pdf = page.pdf(format="A4", print_background=False)
    assert pdf.startswith(b"%PDF-")
    images = len(re.findall(rb"/Subtype\s*/Image", pdf))
    assert printed["pictures"] >= 1, printed
    assert images == printed["rasters"], (images, printed)
    page.emulate_media(media="screen")
    expect(box.locator(".gradbook-scene-stage")).to_be_visible()
    v.assert_clean()


# ---- heavy use ----------------------------------------------------------------------------

_CENTRE = """(sel) => {
    const e = document.querySelector(sel);
    e.scrollIntoView({ block: 'center' });
    const r = e.getBoundingClientRect();
    const [x, y] = [r.x + r.width / 2, r.y + r.height / 2];
    const hit = document.elementFromPoint(x, y);
    const what = (n) => `${n.tagName.toLowerCase()}.${n.className}`
        + ` "${n.textContent.trim().slice(0, 30)}"`;
    // The theme's sidebar slides in and out on a CSS transition after the window's width
    // changes; a point that is free mid-slide may be covered by the time the click lands.
    const moving = document.getAnimations().some((a) => a.playState === 'running');
    return { x, y, free: !!hit && e.contains(hit) && !moving, hit: hit ? what(hit) : null,
             moving };
}"""
SIZES = ((390, 844), (800, 600), (1024, 768))
_ATTACHED_NODES = """() => { const w = document.createTreeWalker(document, NodeFilter.SHOW_ALL);
    let n = 0; while (w.nextNode()) n += 1; return n; }"""


class Reader:
    """A restless reader: real mouse clicks and key presses on the scene's controls, seeded."""

    def __init__(self, page: Page, scenarios: list[str], seed: int) -> None:
        self.page = page
        self.scenarios = scenarios
        self.rng = random.Random(seed)
        self.events = 0
        self.switches_while_playing = 0
        self.resizes = 0

    def click(self, control: str) -> None:
        """Click the control's centre, once nothing covers it (the theme's sidebar slides out
        for a moment after the window narrows)."""
        for _ in range(40):
            at = self.page.evaluate(_CENTRE, f".gradbook-scene-{control}")
            if at["free"]:
                before = self.page.url
                self.page.mouse.click(at["x"], at["y"])
                self.events += 1
                assert self.page.url == before, f"a click on {control} left the page: {at}"
                return
            self.page.wait_for_timeout(50)
        raise AssertionError(f"the {control} control stays covered or moving: {at}")

    def press(self, control: str, *keys: str) -> None:
        self.page.focus(f".gradbook-scene-{control}")
        for key in keys:
            self.page.keyboard.press(key)
            self.events += 1

    def act(self, n: int) -> None:
        rng = self.rng
        for _ in range(n):
            action = rng.randrange(7)
            if action == 0:
                self.click("play")
            elif action == 1:
                self.click("step")
            elif action == 2:
                self.click("scrub")
                keys = ("ArrowRight", "ArrowLeft", "Home", "End", "PageUp", "PageDown")
                self.press("scrub", *rng.choices(keys, k=4))
            elif action == 3:
                self.press("speed", rng.choice(("ArrowUp", "ArrowDown")))
            elif action == 4:
                self.page.evaluate("() => window.gradbook.scenes[0].play()")
                self.press("scenario", rng.choice(("ArrowUp", "ArrowDown", "Home", "End")))
                self.switches_while_playing += 1
            elif action == 5:
                w, h = rng.choice(SIZES)
                self.page.set_viewport_size({"width": w, "height": h})
                self.resizes += 1
                self.page.wait_for_timeout(100)
                self.page.wait_for_function(
                    "() => !document.getAnimations().some((a) => a.playState === 'running')"
                )
            else:
                self.press("step", *rng.choices(("Enter", "Space"), k=5))

    def settle(self) -> dict:
        """Back to the same view, scenario and step, so that memory can be compared."""
        page = self.page
        page.set_viewport_size({"width": 1024, "height": 768})
        page.select_option(".gradbook-scene-scenario", self.scenarios[0])
        # Every scene: the chapter's other one plays by itself whenever a resize brings it into
        # view, and its labels' text nodes follow its pulse.
        page.evaluate("() => window.gradbook.scenes.forEach((s) => { s.pause(); s.setStep(0); })")
        page.locator(".gradbook-scene").first.scroll_into_view_if_needed()
        page.wait_for_timeout(700)  # let the last swell and the camera's damping end
        # Nodes in the document (elements and text): Blink's own node counter also counts
        # detached text nodes that its garbage collector has not swept yet, which the JS heap
        # reading covers.
        return heap(page) | {"nodes": page.evaluate(_ATTACHED_NODES)}


def test_heavy_use_leaves_no_errors_and_no_growing_memory(browser: Browser, served_book):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    try:
        page = context.new_page()
        navigations: list[str] = []
        page.on(
            "framenavigated",
            lambda frame: navigations.append(frame.url) if frame == page.main_frame else None,
        )
        v = visit(page, served_book.url(RICH_CHAPTER))
        wait_scenes(page)
        # The chapter's other scene (side by side) has drawn its labels once too: from here on
        # only the reader's scene changes.
        page.wait_for_function("() => window.gradbook.scenes.every((s) => s.scene.frames > 0)")
        scenarios = page.evaluate(
            "() => window.gradbook.scenes[0].payload.scenarios.map(s => s.id)"
        )
        reader = Reader(page, scenarios, seed=5)
        reader.act(30)  # warm up: every code path compiled, every scenario's meshes built once
        warm = reader.settle()
        reader.act(80)
        first = reader.settle()
        reader.act(80)
        second = reader.settle()
        assert reader.events >= 300 and reader.switches_while_playing >= 10 and reader.resizes >= 5
        state = page.evaluate("() => window.gradbook.scenes[0].state()")
        assert state["scenario"] == scenarios[0] and state["stepIndex"] == 0
        # The DOM and its listeners come back to exactly what they were; the JS heap stops
        # growing (what remains is V8's compiled code and feedback, well under a megabyte).
        assert second["nodes"] == first["nodes"] == warm["nodes"], (warm, first, second)
        assert second["listeners"] == first["listeners"] == warm["listeners"]
        assert second["heap"] - warm["heap"] < 1_500_000, (warm, first, second)
        assert second["heap"] - first["heap"] < 750_000, (warm, first, second)
        assert navigations == [served_book.url(RICH_CHAPTER)], "a click left the page"
        v.assert_clean()
    finally:
        context.close()


# ---- tear down and rebuild ----------------------------------------------------------------

_REBUILD = """async () => {
    const box = document.querySelector('.gradbook-scene');
    const old = window.gradbook.scenes.find((s) => s.container === box && !s._disposed);
    const gl = old.scene.renderer.getContext();
    old.dispose();
    const lost = gl.isContextLost();
    delete box.dataset.gradbookStatus;  // disposed containers are not mounted again otherwise
    window.gradbook.mountAll();
    await new Promise((resolve) => {
        const ready = () =>
            box.dataset.gradbookStatus === 'ready' ? resolve() : requestAnimationFrame(ready);
        ready();
    });
    const s = window.gradbook.scenes.find((x) => x.container === box && !x._disposed);
    s.scene.renderNow();
    const info = s.scene.renderer.info;
    return { lost, geometries: info.memory.geometries, textures: info.memory.textures,
             programs: info.programs.length,
             live: window.gradbook.scenes.filter((x) => !x._disposed).length,
             canvases: document.querySelectorAll('canvas').length };
}"""


def _rebuild_twenty_times(page: Page) -> tuple[list[dict], dict, dict]:
    page.evaluate(_REBUILD)  # the first rebuild compiles what the later ones reuse
    start = heap(page)
    rounds = [page.evaluate(_REBUILD) for _ in range(20)]
    return rounds, start, heap(page)


def test_rebuilding_a_scene_twenty_times_frees_its_gpu_resources(page: Page, served_book):
    v = visit(page, served_book.url(ONE_SCENE_CHAPTER))
    wait_scenes(page)
    rounds, _, _ = _rebuild_twenty_times(page)
    first = rounds[0]
    for r in rounds:
        assert r["lost"], "dispose() gives the WebGL context back at once"
        assert (r["geometries"], r["textures"], r["programs"]) == (
            first["geometries"],
            first["textures"],
            first["programs"],
        )
        assert r["live"] == 1 and r["canvases"] == 1
    v.assert_clean()  # and no "too many active WebGL contexts" warning turned into an error
    assert not [m for m in v.errors.console_errors if "WebGL" in m]


def test_rebuilding_a_scene_twenty_times_returns_memory(page: Page, served_book):
    v = visit(page, served_book.url(ONE_SCENE_CHAPTER))
    wait_scenes(page)
    _, start, end = _rebuild_twenty_times(page)
    assert end["nodes"] <= start["nodes"] + 20, (start, end)
    assert end["listeners"] == start["listeners"], (start, end)
    assert end["heap"] - start["heap"] < 1_000_000, (start, end)
    assert page.evaluate("() => window.gradbook.scenes.length") == 1
    v.assert_clean()
