"""The gradient-flow scene in headless Chromium with software WebGL, on real exported payloads."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from playwright.sync_api import Browser, BrowserType, Page, expect
from scenepage import (
    Errors,
    acceptable_colors,
    decode,
    finish_pulse,
    log10_magnitude,
    open_scene,
    state,
    wait_settled,
    write_payload,
)

from gradbook import export

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "src" / "gradbook" / "payload.schema.json").read_text())
TINY = ROOT / "tests" / "js" / "fixtures" / "tiny.json"


@pytest.fixture(scope="session")
def payloads(http_server, scene_bundle) -> dict[str, tuple[str, dict]]:
    """Real payloads from gradbook.export, written where the test server serves them."""
    made = {}
    for name, ids in {
        "vanish": ["sigmoid-vanishing", "relu-he"],
        "explode": ["exploding-init", "rnn-exploding"],
    }.items():
        payload = export.build_payload(ids)
        text = export.dumps(payload)
        data = json.loads(text)
        jsonschema.Draft202012Validator(SCHEMA).validate(data)
        made[name] = (write_payload(http_server.tmp, f"{name}.json", text), data)
    tiny = json.loads(TINY.read_text())
    made["tiny"] = (write_payload(http_server.tmp, "tiny.json", tiny), tiny)
    return made


@pytest.fixture
def errors(page: Page) -> Errors:
    return Errors().attach(page)


def scenario_of(payload: dict, sid: str) -> dict:
    return next(s for s in payload["scenarios"] if s["id"] == sid)


def check_layers_match_payload(st: dict, scenario: dict, cs: dict, step_index: int) -> int:
    """Every lit layer's drawn colours equal what the payload's values map to.

    Returns how many neurons were checked."""
    step = scenario["steps"][step_index]
    layers = scenario["network"]["layers"]
    H = len(layers) - 2
    checked = 0
    for li, drawn in enumerate(st["layers"]):
        if li == 0:
            continue
        assert drawn["lit"], f"layer {li} is not lit after the pulse"
        if li == H + 1:
            layer_log = log10_magnitude(decode(step["outputGradNorm"]))
            neuron_logs = [layer_log] * len(drawn["neurons"])
        else:
            ls = step["layers"][li - 1]
            layer_log = log10_magnitude(decode(ls["gradNorm"]))
            neuron_logs = [decode(v) for v in ls["neuronsLog10"]]
        assert drawn["color"] in acceptable_colors(layer_log, cs), (li, drawn["color"], layer_log)
        assert len(drawn["neurons"]) == len(neuron_logs)
        for u, (hexc, lv) in enumerate(zip(drawn["neurons"], neuron_logs, strict=True)):
            assert hexc in acceptable_colors(lv, cs), (li, u, hexc, lv)
            checked += 1
    return checked


# ---- drawing ------------------------------------------------------------------------------


def test_canvas_is_not_blank(page: Page, http_server, payloads, errors):
    open_scene(page, http_server.url, payloads["vanish"][0])
    counts = page.evaluate(
        """() => {
        const s = window.gradbook.scenes[0];
        s.scene.renderNow();
        const gl = s.scene.renderer.getContext();
        const w = gl.drawingBufferWidth, h = gl.drawingBufferHeight;
        const px = new Uint8Array(w * h * 4);
        gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, px);
        const colours = new Set();
        let differ = 0;
        for (let i = 0; i < px.length; i += 4) {
            const c = (px[i] << 16) | (px[i + 1] << 8) | px[i + 2];
            colours.add(c);
            if (c !== ((px[0] << 16) | (px[1] << 8) | px[2])) differ++;
        }
        return { w, h, colours: colours.size, differ };
    }"""
    )
    assert counts["w"] > 300 and counts["h"] > 200
    # A network of 14 layers with bars and edges covers far more than a few pixels, in the many
    # colours of the table (flat shading: one colour per neuron, blended only along the edges).
    assert counts["differ"] > 0.02 * counts["w"] * counts["h"], counts
    assert counts["colours"] > 8, counts
    errors.assert_none()


@pytest.mark.parametrize(
    ("name", "sid"),
    [
        ("vanish", "sigmoid-vanishing"),
        ("vanish", "relu-he"),
        ("explode", "exploding-init"),
        ("explode", "rnn-exploding"),
    ],
)
def test_drawn_colours_match_payload_after_pulse(
    page: Page, http_server, payloads, errors, name, sid
):
    url, payload = payloads[name]
    open_scene(page, http_server.url, url, scenario=sid)
    scenario = scenario_of(payload, sid)
    cs = payload["colorScale"]
    for step_index in sorted({0, len(scenario["steps"]) - 1}):
        page.evaluate("i => window.gradbook.scenes[0].setStep(i)", step_index)
        st = finish_pulse(page)
        assert st["scenario"] == sid and st["stepIndex"] == step_index
        assert st["complete"] and st["pulseLayer"] == 1
        n = check_layers_match_payload(st, scenario, cs, step_index)
        assert n == sum(layer["shownUnits"] for layer in scenario["network"]["layers"][1:])
    errors.assert_none()


def test_non_finite_values_are_drawn_distinctly_and_labelled(
    page: Page, http_server, payloads, errors
):
    url, payload = payloads["explode"]
    sid = "rnn-exploding"
    scenario = scenario_of(payload, sid)
    assert scenario["firstNonFiniteStep"] is not None
    open_scene(page, http_server.url, url, scenario=sid)
    idx = next(
        i for i, s in enumerate(scenario["steps"]) if s["step"] >= scenario["firstNonFiniteStep"]
    )
    page.evaluate("i => window.gradbook.scenes[0].setStep(i)", idx)
    st = finish_pulse(page)
    kinds = {k for layer in st["layers"] for k in layer["kinds"]}
    assert kinds & {"inf", "nan"}, kinds
    # The non-colour cue: non-finite units are drawn by their own meshes (diamond, cube).
    counts = page.evaluate(
        "() => { const s = window.gradbook.scenes[0].scene;"
        " return [s.infUnits.count, s.nanUnits.count]; }"
    )
    expected_inf = sum(layer["kinds"].count("inf") for layer in st["layers"])
    expected_nan = sum(layer["kinds"].count("nan") for layer in st["layers"])
    assert counts == [expected_inf, expected_nan]
    # And the labels say so in words or symbols.
    labels = page.locator(".gradbook-scene-labels").inner_text()
    assert "NaN" in labels or "∞" in labels, labels
    check_layers_match_payload(st, scenario, payload["colorScale"], idx)
    errors.assert_none()


def test_pixels_at_neurons_are_their_payload_colours(page: Page, http_server, payloads, errors):
    """Against real pixels: the canvas at a neuron's centre has the colour its value maps to."""
    url, payload = payloads["vanish"]
    sid = "relu-he"
    open_scene(page, http_server.url, url, scenario=sid)
    scenario = scenario_of(payload, sid)
    cs = payload["colorScale"]
    st = finish_pulse(page)
    H = len(scenario["network"]["layers"]) - 2
    checked = 0
    for li in (1, H // 2, H):
        for u in (0, 7):
            pos = page.evaluate(
                "([li, u]) => window.gradbook.scenes[0].unitPosition(li, u)", [li, u]
            )
            pixel = page.evaluate(
                "([x, y]) => window.gradbook.scenes[0].readPixel(x, y)",
                [pos["canvasX"], pos["canvasY"]],
            )
            want = st["layers"][li]["neurons"][u]
            lv = decode(scenario["steps"][st["stepIndex"]]["layers"][li - 1]["neuronsLog10"][u])
            assert want in acceptable_colors(lv, cs)
            got = [int(pixel[i : i + 2], 16) for i in (1, 3, 5)]
            exp = [int(want[i : i + 2], 16) for i in (1, 3, 5)]
            # sRGB encoding in the shader may round one step differently from the hex table.
            assert max(abs(a - b) for a, b in zip(got, exp, strict=True)) <= 2, (li, u, pixel, want)
            checked += 1
    assert checked == 6
    errors.assert_none()


def test_pulse_travels_from_output_to_first_layer(page: Page, http_server, payloads, errors):
    open_scene(page, http_server.url, payloads["vanish"][0], scenario="sigmoid-vanishing")
    page.evaluate(
        "() => { const s = window.gradbook.scenes[0];"
        " s.pause(); s.player.progress = 0; s.setStep(0); s.play(); }"
    )
    seen = page.evaluate(
        """() => new Promise((resolve) => {
            const s = window.gradbook.scenes[0];
            const layers = [];
            const poll = () => {
                const p = s.player.pulseLayer;
                if (layers.at(-1) !== p) layers.push(p);
                if (s.player.complete) resolve(layers); else requestAnimationFrame(poll);
            };
            poll();
        })"""
    )
    H = 12
    # From the output (H + 1) down to layer 1, one layer at a time, never skipping back up.
    assert seen[0] == H + 1 and seen[-1] == 1
    assert seen == sorted(seen, reverse=True)
    assert len(seen) >= H // 2  # frames may skip a layer at 60 fps, but the travel is visible
    errors.assert_none()


def test_draw_calls_do_not_grow_with_width(page: Page, http_server, payloads, errors):
    """A 3-layer net of 4 units and a 12-layer net of 16 draw with the same calls."""
    calls = []
    for name in ("tiny", "vanish"):
        open_scene(page, http_server.url, payloads[name][0])
        finish_pulse(page)
        page.evaluate("() => window.gradbook.scenes[0].scene.renderNow()")
        calls.append(state(page)["drawCalls"])
    # units, outlines, bars, meter ticks, edges, loss node: a handful, whatever the size.
    assert calls[0] == calls[1] and 4 <= calls[0] <= 12, calls
    errors.assert_none()


def test_idle_scene_draws_nothing(page: Page, http_server, payloads, errors):
    """Frames are drawn on demand: a paused scene with a finished pulse draws no frame at all."""
    open_scene(page, http_server.url, payloads["vanish"][0])
    finish_pulse(page)
    page.wait_for_timeout(700)  # let damping and the last swell settle
    f1 = state(page)["frames"]
    page.wait_for_timeout(1000)
    assert state(page)["frames"] == f1
    errors.assert_none()


# ---- controls (the keyboard and reduced motion are tried on chapters, test_pages.py and
# test_robustness.py) ----------------------------------------------------------------------


def test_theme_follows_the_book(page: Page, http_server, payloads, errors):
    open_scene(page, http_server.url, payloads["vanish"][0])
    page.evaluate("() => document.documentElement.dataset.theme = 'dark'")
    page.wait_for_function("() => window.gradbook.scenes[0].state().theme === 'dark'")
    page.evaluate("() => document.documentElement.dataset.theme = 'light'")
    page.wait_for_function("() => window.gradbook.scenes[0].state().theme === 'light'")
    errors.assert_none()


# ---- several scenes, visibility, disposal -------------------------------------------------


def test_two_scenes_on_one_page_are_independent(page: Page, http_server, payloads, errors):
    page.emulate_media(reduced_motion="reduce")
    page.set_viewport_size({"width": 1000, "height": 2400})  # both in view
    both = export.build_payload(["sigmoid-vanishing", "exploding-init"])
    url = write_payload(http_server.tmp, "both.json", export.dumps(both))
    open_scene(
        page,
        http_server.url,
        url,
        scenes="2",
        scenario="sigmoid-vanishing",
        scenario2="exploding-init",
    )
    assert page.locator(".gradbook-scene canvas").count() == 2
    a, b = state(page, 0), state(page, 1)
    assert (a["scenario"], b["scenario"]) == ("sigmoid-vanishing", "exploding-init")

    page.locator("#scene-0 .gradbook-scene-scrub").focus()
    page.keyboard.press("End")
    page.locator("#scene-1 .gradbook-scene-play").click()
    a, b = state(page, 0), state(page, 1)
    assert a["stepIndex"] == len(both["scenarios"][0]["steps"]) - 1 and b["stepIndex"] == 0
    assert a["playing"] is False and b["playing"] is True

    # Disposing one leaves the other drawing, and takes the disposed one out of the registry.
    page.evaluate("() => window.gradbook.scenes[0].dispose()")
    assert page.locator("#scene-0 canvas").count() == 0
    assert page.evaluate("() => window.gradbook.scenes.map((s) => s.container.id)") == ["scene-1"]
    before = state(page, 0)["frames"]
    page.wait_for_function("n => window.gradbook.scenes[0].scene.frames > n + 3", arg=before)
    errors.assert_none()


def test_off_screen_scene_stops_drawing_and_dispose_frees_the_context(
    page: Page, http_server, payloads, errors
):
    page.set_viewport_size({"width": 900, "height": 700})
    open_scene(page, http_server.url, payloads["vanish"][0])
    page.evaluate(
        "() => { document.body.style.paddingBottom = '4000px'; window.gradbook.scenes[0].play(); }"
    )
    page.wait_for_function("() => window.gradbook.scenes[0].scene.frames > 5")
    page.evaluate("() => window.scrollTo(0, 3500)")
    page.wait_for_timeout(300)
    f1 = state(page)["frames"]
    page.wait_for_timeout(500)
    assert state(page)["frames"] == f1, "an off-screen scene draws nothing"
    assert state(page)["playing"] is True  # it resumes where it was when scrolled back
    page.evaluate("() => window.scrollTo(0, 0)")
    page.wait_for_function("n => window.gradbook.scenes[0].scene.frames > n", arg=f1)

    lost = page.evaluate(
        """() => { const s = window.gradbook.scenes[0]; const gl = s.scene.renderer.getContext();
                   s.dispose(); return gl.isContextLost(); }"""
    )
    assert lost is True
    assert page.locator(".gradbook-scene").get_attribute("data-gradbook-status") == "disposed"
    errors.assert_none()


def test_inline_payload_as_the_book_writes_it(page: Page, http_server, payloads, errors):
    element = export.payload_html(export.build_payload(["relu-he"]), "gradbook-payload-test")
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<link rel="icon" href="data:,"><title>inline</title>
<link rel="stylesheet" href="/_static/threejs/gradbook-scene.css"></head><body>
{element._repr_html_()}
<div class="gradbook-scene" data-payload="#gradbook-payload-test" data-scenario="relu-he"
 aria-label="scene">
<noscript><p class="gradbook-scene-message">The interactive scene needs JavaScript.</p>
</noscript></div>
<script defer src="/_static/threejs/dist/gradbook-loader.js"></script></body></html>"""
    (http_server.tmp / "inline.html").write_text(html, encoding="utf-8")
    page.goto(f"{http_server.url}/_tmp/inline.html")
    wait_settled(page)
    assert state(page)["scenario"] == "relu-he"
    errors.assert_none()


# ---- loading ------------------------------------------------------------------------------


def test_pages_without_a_scene_never_load_three(page: Page, http_server, scene_bundle, errors):
    (http_server.tmp / "plain.html").write_text(
        '<!doctype html><html lang="en"><head><link rel="icon" href="data:,">'
        "<title>plain</title></head><body><p>No scene.</p>"
        '<script defer src="/_static/threejs/dist/gradbook-loader.js"></script>'
        "</body></html>",
        encoding="utf-8",
    )
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{http_server.url}/_tmp/plain.html")
    page.wait_for_load_state("networkidle")
    assert any(u.endswith("gradbook-loader.js") for u in requests)
    assert not any("gradbook-scene.js" in u for u in requests), requests
    errors.assert_none()


def test_scene_requests_nothing_from_other_hosts(page: Page, http_server, payloads, errors):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    open_scene(page, http_server.url, payloads["vanish"][0])
    finish_pulse(page)
    assert requests and all(u.startswith(http_server.url) for u in requests), requests
    errors.assert_none()


# ---- faults -------------------------------------------------------------------------------


# Payload faults, missing WebGL, JavaScript off and print are tried on the book's own chapters
# (test_robustness.py); the one fault only a payload fetched by URL can have is tried here.


def test_payload_that_cannot_be_downloaded_shows_a_message_and_throws_nothing(
    page: Page, http_server, payloads
):
    errs = Errors(expected_404=("does-not-exist.json",)).attach(page)
    open_scene(page, http_server.url, "/_tmp/does-not-exist.json", wait="fault", fallback="1")
    box = page.locator(".gradbook-scene")
    expect(box.locator(".gradbook-scene-message")).to_contain_text("HTTP 404")
    expect(box.locator(".gradbook-scene-fallback")).to_be_visible()
    assert box.locator("canvas").count() == 0
    expect(page.locator("h1")).to_be_visible()  # the rest of the page is untouched
    errs.assert_none()
