"""The gradient-flow scene in headless Chromium with software WebGL, on real exported payloads."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import jsonschema
import pytest
from playwright.sync_api import Browser, Page, expect
from scenepage import (
    TEST_PAGE,
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

from gradbook import book, export

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
        "fixes": ["sigmoid-vanishing", "residual", "batchnorm"],
        "rnn": ["rnn-clipped", "rnn-exploding"],
        "init": ["relu-xavier", "relu-he"],
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
    # The non-colour cue: non-finite units are cut to their own glyphs (diamond, square), as
    # many as the payload has non-finite values (counted here from the payload itself).
    step = scenario["steps"][idx]
    logs = [decode(v) for layer in step["layers"] for v in layer["neuronsLog10"]]
    out_log = log10_magnitude(decode(step["outputGradNorm"]))
    logs += [out_log] * scenario["network"]["layers"][-1]["shownUnits"]
    looks = [look for layer in st["layers"] for look in layer["looks"]]
    assert looks.count("inf") == sum(v == math.inf for v in logs) > 0 or looks.count("nan") > 0
    assert looks.count("inf") == sum(v == math.inf for v in logs)
    assert looks.count("nan") == sum(math.isnan(v) for v in logs)
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
    element = book.payload_html(export.build_payload(["relu-he"]), "gradbook-payload-test")
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


# ---- structure drawn ------------------------------------------------------------------------

STAGE_LIGHT = "#252a36"  # the stage's clear colour in the light theme (scene.js)

# The canvas pixel (device px) at a world point of pane `pane`, read right after a render.
_PIXEL_AT = """([x, y, z, pane]) => { const s = window.gradbook.scenes[0];
    const sc = s.panes[pane ?? 0].scene; const pt = sc.project(x, y, z, {});
    const ratio = sc.canvas.width / sc.canvas.getBoundingClientRect().width;
    return s.readPixel(Math.round(pt.x * ratio), Math.round(pt.y * ratio), pane ?? 0); }"""

# Where the middle of the skip path from layer li to li - 1 would be: above the columns, half way.
_ARC_MIDDLE = """(li) => { const lay = window.gradbook.scenes[0].scene.layout;
    const top = Math.max(...lay.layerTop) + 0.55 + 1.3;
    return [(lay.layerX[li] + lay.layerX[li - 1]) / 2, top, 0]; }"""


def _close(a: str, b: str, tol: int = 3) -> bool:
    return max(abs(int(a[i : i + 2], 16) - int(b[i : i + 2], 16)) for i in (1, 3, 5)) <= tol


def test_skip_paths_are_drawn_for_the_residual_net_and_absent_otherwise(
    page: Page, http_server, payloads, errors
):
    url, payload = payloads["fixes"]
    seen = {}
    for sid in ("residual", "sigmoid-vanishing", "batchnorm"):
        open_scene(page, http_server.url, url, scenario=sid)
        st = finish_pulse(page)
        H = len(scenario_of(payload, sid)["network"]["layers"]) - 2
        point = page.evaluate(_ARC_MIDDLE, H)
        pixel = page.evaluate(_PIXEL_AT, [*point, 0])
        seen[sid] = (st["structure"]["skips"], pixel, st["layers"][H]["color"])
    skips, pixel, top_colour = seen["residual"]
    # Every block from h2 up carries one (h1's input is the data, of another width).
    assert skips == list(range(2, 13)), skips
    # Real pixels: the path's middle is drawn, in the colour of the gradient it carries down.
    assert not _close(pixel, STAGE_LIGHT), pixel
    assert _close(pixel, top_colour, 2), (pixel, top_colour)
    for sid in ("sigmoid-vanishing", "batchnorm"):
        skips, pixel, _ = seen[sid]
        assert skips == [] and _close(pixel, STAGE_LIGHT), (sid, skips, pixel)
    errors.assert_none()


def test_batch_norm_draws_a_stage_in_each_layer(page: Page, http_server, payloads, errors):
    url, _ = payloads["fixes"]
    counts = {}
    for sid in ("batchnorm", "sigmoid-vanishing"):
        open_scene(page, http_server.url, url, scenario=sid)
        counts[sid] = page.evaluate(
            "() => { const n = window.gradbook.scenes[0].scene.net.norms; return n ? n.count : 0; }"
        )
        keys = page.locator(".gradbook-scene-legend-structure").inner_text()
        assert ("batch-norm" in keys) is (sid == "batchnorm"), (sid, keys)
    assert counts == {"batchnorm": 12, "sigmoid-vanishing": 0}
    errors.assert_none()


def test_recurrent_net_is_drawn_in_time_steps(page: Page, http_server, payloads, errors):
    url, payload = payloads["explode"]
    sc = scenario_of(payload, "rnn-exploding")
    T = sc["network"]["timeSteps"]
    page.emulate_media(reduced_motion="reduce")  # no autoplay: the clicks below move the pulse
    open_scene(page, http_server.url, url, scenario="rnn-exploding")
    st = state(page)
    assert st["structure"]["rnn"] is True
    # One column per time step, an input entering at each, one shared matrix marked at each.
    meshes = page.evaluate(
        "() => { const n = window.gradbook.scenes[0].scene.net;"
        " return [n.stepInputs.count, n.shared.count]; }"
    )
    assert meshes == [T, T]
    assert len(st["layers"]) == T + 2
    # The input column of an MLP is not drawn: the data enters at every step instead.
    assert set(st["layers"][0]["looks"]) == {"none"}
    expect(page.locator(".gradbook-scene-hint").first).to_contain_text("back in time, step by step")
    expect(page.locator(".gradbook-scene-step")).to_have_text("Step back one time step")
    expect(page.locator(".gradbook-scene-legend-structure")).to_contain_text(
        "same at every time step"
    )
    names = page.locator(".gradbook-scene-label-name").all_inner_texts()
    assert "t1" in names and "read-out" in names, names
    page.locator(".gradbook-scene-step").click()
    page.locator(".gradbook-scene-step").click()
    expect(page.locator(".gradbook-scene-status")).to_contain_text(f"time step t{T}")
    expect(page.locator(".gradbook-scene-live")).to_contain_text(f"Time step t{T}")
    errors.assert_none()


def test_units_not_reached_are_hollow_and_vanished_ones_filled(
    page: Page, http_server, payloads, errors
):
    """Real pixels: at the centre of a unit the pulse has not reached, the stage shows through an
    outline; once reached, the same unit, with its gradient all but gone, is a filled dark dot."""
    url, payload = payloads["vanish"]
    sc = scenario_of(payload, "sigmoid-vanishing")
    last = len(sc["steps"]) - 1
    page.emulate_media(reduced_motion="reduce")  # no autoplay to move the pulse under the reads
    open_scene(page, http_server.url, url, scenario="sigmoid-vanishing")
    page.evaluate(
        """i => { const s = window.gradbook.scenes[0]; s.pause(); s.setStep(i);
                  s.player.progress = 0; s.ui.stepLayer.click(); }""",
        last,
    )
    st = state(page)
    assert st["layers"][1]["looks"] == ["outline"] * 16 and not st["layers"][1]["lit"]
    pos = page.evaluate("() => window.gradbook.scenes[0].unitPosition(1, 3)")
    hollow = page.evaluate(
        "([x, y]) => window.gradbook.scenes[0].readPixel(x, y)", [pos["canvasX"], pos["canvasY"]]
    )
    # And a ring is drawn around it: some pixel just inside its outer edge is not the stage.
    ring = page.evaluate(
        """() => { const s = window.gradbook.scenes[0]; const sc = s.scene; const lay = sc.layout;
            const k = lay.layerStart[1] + 3; const p = lay.positions;
            const ratio = sc.canvas.width / sc.canvas.getBoundingClientRect().width;
            const out = [];
            for (const [dx, dy] of [[0.17, 0], [-0.17, 0], [0, 0.17], [0, -0.17]]) {
              const pt = sc.project(p[3 * k] + dx, p[3 * k + 1] + dy, p[3 * k + 2], {});
              out.push(s.readPixel(Math.round(pt.x * ratio), Math.round(pt.y * ratio)));
            }
            return out; }"""
    )
    st = finish_pulse(page)
    filled = page.evaluate(
        "([x, y]) => window.gradbook.scenes[0].readPixel(x, y)", [pos["canvasX"], pos["canvasY"]]
    )
    lv = decode(sc["steps"][last]["layers"][0]["neuronsLog10"][3])
    cs = payload["colorScale"]
    assert lv < -4, "layer 1's gradient has vanished at the last step"
    # The stage shows through (a faint connection line may cross the centre, where lines meet).
    assert _close(hollow, STAGE_LIGHT, 12), hollow
    assert any(not _close(px, STAGE_LIGHT, 12) for px in ring), ring
    assert st["layers"][1]["looks"][3] == "filled"
    assert any(_close(filled, c, 2) for c in acceptable_colors(lv, cs)), (filled, lv)
    assert not _close(filled, STAGE_LIGHT, 12) and not _close(filled, hollow, 12), (filled, hollow)
    errors.assert_none()


# ---- view links ---------------------------------------------------------------------------


def _open_with_hash(page: Page, base: str, url: str, hash_: str, **params: str) -> None:
    query = "&".join(f"{k}={v}" for k, v in {"payload": url, **params}.items())
    page.goto(f"{base}/{TEST_PAGE}?{query}{hash_}")
    wait_settled(page)


_BARS = """i => {
    const s = window.gradbook.scenes[i];
    s.pause();
    s.setStep(0);
    const sc = s.scene, net = sc.net, lay = sc.layout, H = lay.layerX.length - 2;
    const m = net.bars.matrix.clone();
    const bars = [];
    for (let li = 1; li <= H; li++) {
        net.bars.getMatrixAt(li - 1, m);
        // A bar above the "1 x" line starts on it; one below ends on it.
        const h = m.elements[5], y = m.elements[13];
        const a = sc.project(lay.layerX[li], y, 0), b = sc.project(lay.layerX[li], y + h, 0);
        bars.push({
            product: s.scenario.steps[s.player.stepIndex].layers[li - 1].product,
            world: Math.abs(y - net.meterZero) < 1e-6 ? h : -h,
            px: Math.abs(a.y - b.y),
        });
    }
    return { bars, complete: s.player.complete };
}"""


def test_a_layer_that_lost_two_decades_stands_out_on_the_fixed_meter(
    page: Page, http_server, payloads, errors
):
    """ReLU + Xavier's layer 1 gets about a hundredth of the output's gradient at step 0, ReLU +
    He's most of it: from the default camera the first bar is a block many times the second's
    height, and both networks' bars come from one scale (same decades, same height)."""
    url, _ = payloads["init"]
    page.emulate_media(reduced_motion="reduce")  # the whole profile at once, with no swell
    open_scene(page, http_server.url, url, scenes="2", scenario="relu-xavier", scenario2="relu-he")
    xavier, he = (page.evaluate(_BARS, i) for i in (0, 1))
    assert xavier["complete"] and he["complete"]
    lost = math.log10(decode(xavier["bars"][0]["product"]))
    kept = math.log10(decode(he["bars"][0]["product"]))
    assert lost < -1.5 and kept > -0.5, (lost, kept)  # the runs this test is about
    assert xavier["bars"][0]["px"] >= 14, xavier["bars"][0]
    assert xavier["bars"][0]["px"] >= 4 * he["bars"][0]["px"], (xavier["bars"][0], he["bars"][0])
    # One fixed scale: over both networks' layers, more decades never draw a shorter bar, and
    # a loss is drawn down, a gain up.
    pairs = sorted(
        (math.log10(decode(b["product"])), b["world"]) for b in xavier["bars"] + he["bars"]
    )
    for d, world in pairs:
        assert (world < 0) == (d < 0) or abs(world) <= 0.05, (d, world)
    magnitudes = sorted((abs(d), abs(world)) for d, world in pairs)
    for (d1, w1), (d2, w2) in itertools.pairwise(magnitudes):
        assert w2 >= w1 - 1e-9, f"{d2} decades drew a shorter bar than {d1}"
    # The legend marks where the read-out's gradient and layer 1's sit on its fixed strip:
    # far apart for Xavier, together for He.
    gaps = []
    for i in (0, 1):
        legend = page.locator(".gradbook-scene-legend").nth(i)
        strip = legend.locator(".gradbook-scene-legend-strip").bounding_box()
        lefts = legend.locator(".gradbook-scene-legend-mark").evaluate_all(
            "ms => ms.map(m => [m.textContent, parseFloat(m.style.left)])"
        )
        assert sorted(t.strip(" ▾") for t, _ in lefts) == ["h1", "read-out"], lefts
        gaps.append(abs(lefts[0][1] - lefts[1][1]) / 100 * strip["width"])
    assert gaps[0] >= 40 and gaps[1] <= 10, gaps
    errors.assert_none()


def test_a_view_link_opens_that_view_paused(page: Page, http_server, payloads, errors):
    url, payload = payloads["vanish"]
    steps = scenario_of(payload, "relu-he")["steps"]
    want = steps[len(steps) // 2]["step"]
    # A fresh load with the hash (scrolling to a scene far down: on chapters, test_pages.py).
    page.goto(
        f"{http_server.url}/{TEST_PAGE}?payload={url}&scenario=sigmoid-vanishing"
        f"#scenario=relu-he&step={want}&layer=4"
    )
    wait_settled(page)
    page.wait_for_function("() => window.gradbook.scenes[0].state().scenario === 'relu-he'")
    st = state(page)
    assert (st["scenario"], st["step"], st["selectedLayer"]) == ("relu-he", want, 4)
    assert st["playing"] is False and st["complete"]
    expect(
        page.locator(
            ".gradbook-scene-label-name.is-selected, .is-selected .gradbook-scene-label-name"
        )
    ).to_have_count(1)
    expect(page.locator(".gradbook-scene-status")).to_contain_text(f"Training step {want} of")
    page.wait_for_timeout(600)
    assert state(page)["playing"] is False, "a pinned view is not autoplayed away"
    errors.assert_none()


def test_prose_links_steer_the_scene(page: Page, http_server, payloads, errors):
    url, payload = payloads["vanish"]
    last = scenario_of(payload, "sigmoid-vanishing")["steps"][-1]["step"]
    page.set_viewport_size({"width": 1000, "height": 700})
    open_scene(page, http_server.url, url, scenario="relu-he")
    # The page's link names the last recorded step of the book's training, whatever it is.
    page.evaluate(
        "last => { document.querySelector('#link-last').href ="
        " `#scenario=sigmoid-vanishing&step=${last}&layer=1`; }",
        last,
    )
    page.evaluate("() => window.scrollTo(0, 0)")
    page.locator("#link-last").click()
    page.wait_for_function("() => window.gradbook.scenes[0].state().selectedLayer === 1")
    st = state(page)
    assert (st["scenario"], st["step"], st["playing"]) == ("sigmoid-vanishing", last, False)
    # Scrolled into view, announced, and the address pins it.
    top = page.evaluate(
        "() => document.querySelector('.gradbook-scene').getBoundingClientRect().top"
    )
    assert -2 <= top < 200, top
    expect(page.locator(".gradbook-scene-live")).to_contain_text(f"training step {last}")
    assert (
        page.evaluate("() => location.hash") == f"#scenario=sigmoid-vanishing&step={last}&layer=1"
    )
    # The same link again (the hash does not change) still steers it back.
    page.evaluate("() => { const s = window.gradbook.scenes[0]; s.setStep(0); }")
    page.locator("#link-last").click()
    page.wait_for_function(f"() => window.gradbook.scenes[0].state().step === {last}")
    # An ordinary anchor is left to the browser.
    page.locator("#link-anchor").click()
    assert state(page)["step"] == last
    errors.assert_none()


@pytest.mark.parametrize(
    ("hash_", "message"),
    [
        ("#scenario=no-such&step=0", 'no scenario "no-such"'),
        ("#scenario=relu-he&step=7777", "Training step 7777 is not recorded"),
        ("#scenario=relu-he&layer=99", "no layer 99"),
        ("#scenario=relu-he&layer=0", "no layer 0"),
        ("#step=abc", "whole number"),
        ("#scenario=relu-he&colour=red", 'unknown part "colour"'),
        ("#scenario=relu-he&scene=5", "not 5"),
    ],
)
def test_bad_view_links_leave_the_default_view_and_a_message(
    page: Page, http_server, payloads, errors, hash_, message
):
    url, _ = payloads["vanish"]
    page.emulate_media(reduced_motion="reduce")
    _open_with_hash(page, http_server.url, url, hash_, scenario="sigmoid-vanishing")
    notice = page.locator(".gradbook-scene-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(message)
    expect(notice).to_have_attribute("role", "status")
    st = state(page)
    assert (st["scenario"], st["stepIndex"], st["selectedLayer"]) == ("sigmoid-vanishing", 0, None)
    errors.assert_none()  # a short message, never a console error


def test_the_copy_link_control_gives_a_link_that_reopens_the_view(
    browser: Browser, http_server, payloads
):
    url, payload = payloads["vanish"]
    context = browser.new_context(reduced_motion="reduce")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=http_server.url)
    page = context.new_page()
    errs = Errors().attach(page)
    open_scene(page, http_server.url, url, scenario="relu-he")
    page.evaluate("() => window.gradbook.scenes[0].setStep(2)")
    for _ in range(3):
        page.locator(".gradbook-scene-step").click()  # paused part way down: at layer 10
    before = state(page)
    page.locator(".gradbook-scene-copylink").click()
    field = page.locator(".gradbook-scene-link")
    expect(field).to_be_visible()
    link = field.input_value()
    step = scenario_of(payload, "relu-he")["steps"][2]["step"]
    assert link.endswith(f"#scenario=relu-he&step={step}&layer={before['pulseLayer']}"), link
    assert page.evaluate("() => navigator.clipboard.readText()") == link
    expect(page.locator(".gradbook-scene-live")).to_have_text("Link to this view copied.")
    other = context.new_page()
    other.goto(link)
    wait_settled(other)
    st = state(other)
    assert (st["scenario"], st["step"], st["selectedLayer"]) == (
        "relu-he",
        step,
        before["pulseLayer"],
    )
    errs.assert_none()
    context.close()


# ---- compare mode -------------------------------------------------------------------------


def test_compare_mode_shows_two_networks_with_one_pulse_and_one_step(
    page: Page, http_server, payloads, errors
):
    url, payload = payloads["fixes"]
    page.set_viewport_size({"width": 1200, "height": 900})
    open_scene(page, http_server.url, url, compare="sigmoid-vanishing,residual")
    assert page.locator(".gradbook-scene canvas").count() == 2
    st = state(page)
    assert st["compare"] == ["sigmoid-vanishing", "residual"]
    assert [p["scenario"] for p in st["panes"]] == st["compare"]
    assert st["panes"][0]["skips"] == [] and st["panes"][1]["skips"] == list(range(2, 13))
    expect(page.locator(".gradbook-scene-scenario")).to_be_hidden()
    # Part way down, both panes are lit to the same layer, on the same training step.
    page.evaluate(
        """() => { const s = window.gradbook.scenes[0]; s.pause(); s.setStep(4);
                   s.player.progress = 0; for (let i = 0; i < 5; i++) s.ui.stepLayer.click(); }"""
    )
    st = state(page)
    lit = [[layer["lit"] for layer in p["layers"]] for p in st["panes"]]
    assert lit[0] == lit[1] and sum(lit[0]) == 6, lit
    expect(page.locator(".gradbook-scene-status")).to_contain_text("In Sigmoid with residual")
    # After the pulse, each pane's colours are its own scenario's, on the one scale.
    st = finish_pulse(page)
    cs = payload["colorScale"]
    for pane in st["panes"]:
        sc = scenario_of(payload, pane["scenario"])
        check_layers_match_payload({"layers": pane["layers"]}, sc, cs, st["stepIndex"])
    errors.assert_none()


def test_compare_mode_holds_the_last_frame_of_a_network_that_stopped_early(
    page: Page, http_server, payloads, errors
):
    """The clipped RNN trains on; the plain one's loss turned NaN after a few steps: at every
    later step the second stage keeps showing how it ended."""
    url, payload = payloads["rnn"]
    clipped, plain = (scenario_of(payload, sid) for sid in ("rnn-clipped", "rnn-exploding"))
    assert clipped["steps"][-1]["step"] > plain["steps"][-1]["step"]
    page.emulate_media(reduced_motion="reduce")
    open_scene(page, http_server.url, url, compare="rnn-clipped,rnn-exploding")
    page.locator(".gradbook-scene-scrub").focus()
    page.keyboard.press("End")
    st = finish_pulse(page)
    assert [p["step"] for p in st["panes"]] == [
        clipped["steps"][-1]["step"],
        plain["steps"][-1]["step"],
    ]
    cs = payload["colorScale"]
    check_layers_match_payload({"layers": st["panes"][0]["layers"]}, clipped, cs, st["stepIndex"])
    check_layers_match_payload(
        {"layers": st["panes"][1]["layers"]}, plain, cs, len(plain["steps"]) - 1
    )
    errors.assert_none()


def test_compare_mode_refuses_networks_that_do_not_match(page: Page, http_server, payloads, errors):
    url, _ = payloads["explode"]
    open_scene(page, http_server.url, url, compare="exploding-init,rnn-exploding")
    expect(page.locator(".gradbook-scene-notice")).to_contain_text("differ in depth")
    st = state(page)
    assert st["compare"] is None and page.locator(".gradbook-scene canvas").count() == 1
    errors.assert_none()
