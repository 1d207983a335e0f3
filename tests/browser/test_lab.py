"""The gradient lab (docs/lab.md) on the built book, in headless Chromium: a link configures it,
the table shows the network's exact profile, the book's claims hold in it, training runs in the
Web Worker (served and from disk), the exploding case ends in a marked NaN, and the page is
keyboard-operable, accessible, quiet in the console and private.

The table (<table class="gradbook-lab-table">, data-value on each number) is the contract: tests
read numbers from it, never from the text. Times are measured elsewhere, never asserted here."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from bookpage import assert_axe_clean, visit, wait_scenes
from playwright.sync_api import Page, expect

from gradbook import spec

pytestmark = pytest.mark.browser

LAB = "lab.html"
DEFAULTS = (  # the book's network and training (gradbook.spec)
    "#depth=12&width=16&activation=tanh&init=xavier&batchnorm=0&residual=0"
    "&loss=cross_entropy&lr=0.05&momentum=0.9&batch-size=64&seed=0"
)
SIGMOID = "#depth=20&width=16&activation=sigmoid&init=xavier"
HE_RELU = "#depth=20&width=16&activation=relu&init=he"
EXPLODING = "#depth=12&width=16&activation=relu&init=normal:1&lr=0.1"

_SETTLED = "() => window.gradbook?.lab?.settled === true"
_ROWS = """() => [...document.querySelectorAll('.gradbook-lab-table tbody tr')].map((tr) =>
    Object.fromEntries([...tr.querySelectorAll('td')].map(
        (td) => [td.dataset.column, Number(td.dataset.value)])))"""


def _settle(page: Page) -> None:
    page.wait_for_function(_SETTLED, timeout=20000)


def _open(page: Page, served_book, hash_: str = ""):
    v = visit(page, served_book.url(LAB + hash_))
    _settle(page)
    return v


def _rows(page: Page) -> list[dict[str, float]]:
    return page.evaluate(_ROWS)


def _state(page: Page) -> dict:
    return page.evaluate("() => window.gradbook.lab.state()")


def _layer1_product(page: Page) -> float:
    return _rows(page)[0]["product"]


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power(e: int) -> str:
    """10 to the e, as the lab's axes and titles write it: "10⁻³"."""
    return f"10{str(e).translate(_SUPERSCRIPT)}"


# The update-ratio chart's shaded band and its y-axis ticks (each grid line is followed by its
# label), in the SVG's own units.
_RATIO_AXIS = """() => {
    const svg = document.querySelectorAll('.gradbook-lab-chart')[2];
    const band = svg.querySelector('.gradbook-lab-band');
    const y = Number(band.getAttribute('y'));
    const ticks = [...svg.querySelectorAll('.gradbook-lab-grid')].map(
        (g) => [g.nextElementSibling.textContent, Number(g.getAttribute('y1'))]);
    return { top: y, bottom: y + Number(band.getAttribute('height')), ticks };
}"""


def _check_ratio_band(page: Page) -> None:
    """The ratio plot shades the healthy band of gradbook.spec, one decade either side of the
    healthy ratio, and its title says those powers of ten."""
    low, high = spec.HEALTHY_UPDATE_BAND_LOG10
    title = page.locator(".gradbook-lab-plot-title").nth(2)
    expect(title).to_contain_text(
        f"the band is {_power(low)} to {_power(high)}, "
        f"around the healthy {_power(spec.HEALTHY_UPDATE_RATIO_LOG10)})"
    )
    axis = page.evaluate(_RATIO_AXIS)
    # Where a power of ten sits on the log axis, from two of its labelled ticks.
    exponent = {_power(e): e for e in range(-30, 31)}
    (label0, y0), (label1, y1) = axis["ticks"][:2]
    per_decade = (y1 - y0) / (exponent[label1] - exponent[label0])

    def at(e: int) -> float:
        return y0 + (e - exponent[label0]) * per_decade

    assert axis["top"] == pytest.approx(at(high), abs=0.01), axis
    assert axis["bottom"] == pytest.approx(at(low), abs=0.01), axis


def test_a_hash_configures_the_lab_and_the_table_shows_its_profile(page: Page, served_book):
    v = _open(page, served_book, "#depth=7&width=8&activation=tanh&init=he&seed=3")
    # Every control shows the link's value; the address holds the whole configuration.
    assert page.locator("select[name=activation]").input_value() == "tanh"
    assert page.locator("select[name=init]").input_value() == "he"
    assert page.locator("input[name=depth]").input_value() == "7"
    assert page.locator("input[name=seed]").input_value() == "3"
    assert page.evaluate("() => location.hash") == (
        "#depth=7&width=8&activation=tanh&init=he&batchnorm=0&residual=0"
        "&loss=cross_entropy&lr=0.05&momentum=0.9&batch-size=64&seed=3"
    )
    rows = _rows(page)
    assert len(rows) == 7  # one row per hidden layer, first layer first
    # The running product is the product of the factors from the loss down to each layer.
    running = 1.0
    for row in reversed(rows):
        running *= row["factor"]
        assert math.isclose(row["product"], running, rel_tol=1e-9)
        assert row["gradNorm"] > 0
    # The scene draws the same network: input, seven hidden layers, the loss.
    wait_scenes(page, "ready")
    assert len(page.evaluate("() => window.gradbook.scenes[0].state().layers")) == 9
    # Another seed is another network, with another profile.
    page.evaluate("() => { location.hash = '#depth=7&width=8&activation=tanh&init=he&seed=4'; }")
    page.wait_for_function(
        "() => window.gradbook.lab.state().hash.endsWith('seed=4') && !window.gradbook.lab.pending"
    )
    assert _rows(page)[0]["product"] != rows[0]["product"]
    v.assert_clean()


def test_a_sigmoid_net_vanishes_and_a_he_relu_net_does_not(page: Page, served_book):
    v = _open(page, served_book, SIGMOID)
    sigmoid = _layer1_product(page)
    assert all("dead" not in row for row in _rows(page)), "dead units are a ReLU network's"
    page.evaluate(f"() => {{ location.hash = '{HE_RELU}'; }}")
    page.wait_for_function("() => window.gradbook.lab.state().hash.includes('activation=relu')")
    _settle(page)
    relu = _layer1_product(page)
    assert 0 < sigmoid < 1e-6, sigmoid  # 20 layers of at most 0.25 each, and less
    assert 0.05 < relu < 20, relu  # He's init keeps a ReLU network's gradient near its size
    # A ReLU network's table gives each layer's share of dead units (slope 0 for the batch).
    expect(page.locator(".gradbook-lab-table thead")).to_contain_text("Dead units")
    dead = [row["dead"] for row in _rows(page)]
    assert len(dead) == 20 and all(0 <= d <= 1 for d in dead), dead
    assert all(math.isclose(d * 16, round(d * 16)) for d in dead), "a share of 16 units"
    v.assert_clean()


_CAMERA = "() => window.gradbook.scenes[0].scene.camera.position.toArray()"


def _still_camera(page: Page) -> list[float]:
    """The camera's position once it has stopped moving (the controls glide a little)."""
    where = page.evaluate(_CAMERA)
    for _ in range(50):
        page.wait_for_timeout(100)
        now = page.evaluate(_CAMERA)
        if math.dist(now, where) < 1e-6:
            return now
        where = now
    raise AssertionError("the camera never came to rest")


def test_a_new_network_of_the_same_shape_keeps_the_meshes_and_the_readers_camera(
    page: Page, served_book
):
    v = _open(page, served_book, DEFAULTS)
    wait_scenes(page, "ready")
    canvas = page.locator(".gradbook-scene canvas").first
    box = canvas.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 120, y + 40, steps=6)  # the reader turns the network
    page.mouse.up()
    turned = _still_camera(page)
    page.evaluate("() => { window.__net = window.gradbook.scenes[0].scene.net; }")
    before = _rows(page)
    page.locator("select[name=activation]").select_option("sigmoid")
    page.wait_for_function("() => window.gradbook.lab.state().hash.includes('activation=sigmoid')")
    _settle(page)
    assert _rows(page) != before, "another network, traced and tabled"
    assert page.evaluate("() => window.gradbook.scenes[0].scene.net === window.__net")
    assert _still_camera(page) == pytest.approx(turned, abs=1e-6)  # the glide's last ulps
    # Another depth is another shape: new meshes, framed afresh.
    page.locator("input[name=depth]").fill("13")
    page.locator("input[name=depth]").dispatch_event("change")
    page.wait_for_function("() => window.gradbook.lab.state().hash.startsWith('#depth=13&')")
    _settle(page)
    assert page.evaluate("() => window.gradbook.scenes[0].scene.net !== window.__net")
    assert math.dist(page.evaluate(_CAMERA), turned) > 1
    assert len(page.evaluate("() => window.gradbook.scenes[0].state().layers")) == 15
    v.assert_clean()


@pytest.mark.parametrize("toggle", ["batchnorm", "residual"])
def test_batch_norm_and_residual_lift_the_sigmoid_nets_first_layers(
    page: Page, served_book, toggle
):
    v = _open(page, served_book, SIGMOID)
    before = _layer1_product(page)
    # One click away: under "More settings". From the keyboard: Space toggles a checkbox.
    page.locator(".gradbook-lab-more > summary").click()
    page.locator(f"input[name={toggle}]").focus()
    page.keyboard.press("Space")
    page.wait_for_function(f"() => window.gradbook.lab.state().hash.includes('{toggle}=1')")
    _settle(page)
    after = _layer1_product(page)
    # The book's direction: both fixes let far more of the gradient reach the first layer.
    assert after > 100 * before, (before, after)
    assert page.evaluate("() => location.hash").count(f"{toggle}=1") == 1
    v.assert_clean()


def test_training_runs_in_the_worker_while_the_page_stays_responsive(page: Page, served_book):
    v = _open(page, served_book, "#depth=12&width=16&activation=tanh&init=xavier")
    assert page.evaluate("() => window.gradbook.lab.scheduler.worker.worker instanceof Worker")
    page.locator(".gradbook-lab-train").click()
    page.wait_for_function("() => window.gradbook.lab.state().records >= 5", timeout=30000)
    # While the worker trains, the main thread runs a chain of short timers; training advances
    # meanwhile, and the page's plots, table and scene follow it.
    probe = page.evaluate(
        """async () => {
            const lab = window.gradbook.lab;
            const before = lab.state().records;
            let ticks = 0;
            const end = performance.now() + 1500;
            while (performance.now() < end) {
                await new Promise((r) => setTimeout(r, 10));
                ticks += 1;
            }
            return { before, after: lab.state().records, ticks };
        }"""
    )
    assert probe["after"] > probe["before"], probe
    # Timers kept running through the window: the engine never held the page for all of it.
    # (How often they ran on these shared machines is measured and reported, not asserted.)
    assert probe["ticks"] >= 3, probe
    page.wait_for_function(
        "() => Number(document.querySelector('.gradbook-lab').dataset.records) > 5"
    )
    assert page.locator(".gradbook-lab-chart .gradbook-lab-line").count() >= 3
    assert (
        int(page.evaluate("() => document.querySelector('.gradbook-lab-table').dataset.step")) > 0
    )
    assert _state(page)["frames"] > 1
    # Accuracy is the held-out set's, measured every 10 steps; the status line says which.
    page.wait_for_function("() => window.gradbook.lab.state().records > 10", timeout=30000)
    measured = [s for s, _ in _state(page)["accuracies"]]
    assert measured[:2] == [0, 10], measured
    expect(page.locator(".gradbook-lab-status")).to_contain_text("held-out accuracy")
    expect(page.locator(".gradbook-lab-plot-title").nth(1)).to_contain_text(
        "held-out set (512 fixed examples, measured every 10 steps"
    )
    # Pause stops it: the count stays put.
    page.locator(".gradbook-lab-pause").click()
    page.wait_for_function("() => !window.gradbook.lab.state().running")
    page.wait_for_timeout(300)
    paused = _state(page)["records"]
    page.wait_for_timeout(500)
    assert _state(page)["records"] == paused
    _check_ratio_band(page)
    # The status line and the scene speak of the same step: the last one taken.
    shown = page.evaluate("() => window.gradbook.scenes[0].state().step")
    assert shown == _state(page)["lastStep"] == paused - 1
    expect(page.locator(".gradbook-lab-status")).to_contain_text(f"Training step {shown}:")
    # The scene's corner gives the newest held-out accuracy, and its step when that is older
    # (the loss may be written with a power of ten: "2.59 × 10⁻³").
    measured = _state(page)["accuracies"][-1][0]
    corner = page.locator(".gradbook-scene-label-loss").first
    if measured == shown:
        expect(corner).to_have_text(re.compile(r"^loss [^·]+ · \d+% right$"))
    else:
        expect(corner).to_have_text(re.compile(rf"^loss [^·]+ · \d+% right at step {measured}$"))
    # Step takes exactly one, and measures its held-out accuracy whatever its number.
    page.locator(".gradbook-lab-stepone").click()
    page.wait_for_function(f"() => window.gradbook.lab.state().records === {paused + 1}")
    state = _state(page)
    assert state["accuracies"][-1][0] == state["lastStep"], state["accuracies"]
    v.assert_clean()


def test_the_exploding_case_reaches_nan_and_shows_it(page: Page, served_book):
    v = _open(page, served_book, EXPLODING)
    page.locator(".gradbook-lab-train").click()
    page.wait_for_function("() => window.gradbook.lab.state().stoppedAt !== null", timeout=30000)
    step = _state(page)["stoppedAt"]
    expect(page.locator(".gradbook-lab-status")).to_contain_text(f"step {step}")
    expect(page.locator(".gradbook-lab-status")).to_contain_text("NaN")
    expect(page.locator(".gradbook-lab-nan-label").first).to_have_text(f"NaN at step {step}")
    assert page.locator(".gradbook-lab-nan").count() == 3  # every line plot marks it
    # The table shows the step that overflowed, as the data it is.
    values = [x for row in _rows(page) for x in row.values()]
    assert any(not math.isfinite(x) for x in values), values
    expect(page.locator(".gradbook-lab-train")).to_be_disabled()
    v.assert_clean()


def test_a_bad_hash_says_what_is_allowed_and_falls_back_per_key(page: Page, served_book):
    v = _open(
        page,
        served_book,
        "#activation=swish&depth=0&init=normal:abc&width=32&batch-size=1&batchnorm=1",
    )
    messages = page.locator(".gradbook-lab-messages")
    expect(messages).to_contain_text("activation=swish is not allowed")
    expect(messages).to_contain_text("sigmoid, tanh, relu, leaky_relu, linear")
    expect(messages).to_contain_text("depth=0 is not allowed")
    expect(messages).to_contain_text("init=normal:abc is not allowed")
    expect(messages).to_contain_text("batch norm needs at least 4 examples")
    state = _state(page)
    # Each bad key takes its default; the good one (width) is kept.
    assert "activation=tanh" in state["hash"] and "depth=12" in state["hash"]
    assert "init=xavier" in state["hash"] and "width=32" in state["hash"]
    assert "batch-size=64" in state["hash"] and "batchnorm=1" in state["hash"]
    assert len(_rows(page)) == 12
    # Named where the reader starts: at the top of the lab, above its controls, on the first
    # screen (the page is not scrolled), not below the form.
    box = messages.bounding_box()
    controls = page.locator(".gradbook-lab-controls").bounding_box()
    assert box is not None and controls is not None
    assert box["y"] + box["height"] <= controls["y"], (box, controls)
    assert box["y"] + box["height"] <= page.viewport_size["height"], box
    # A very long unknown key wraps inside the lab instead of widening the page.
    page.evaluate("() => { window.location.hash = '#' + 'x'.repeat(5000) + '=1'; }")
    expect(messages).to_contain_text("xxxxxxxx")
    width = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert width <= 0, f"the page is {width} px wider than the window"
    v.assert_clean()


def test_a_link_may_spell_names_as_the_command_line_reads_them(page: Page, served_book):
    v = _open(page, served_book, "#activation=Leaky-ReLU&init=Xavier_Uniform&depth=3")
    assert page.locator("select[name=activation]").input_value() == "leaky_relu"
    assert page.locator("select[name=init]").input_value() == "xavier-uniform"
    expect(page.locator(".gradbook-lab-messages")).to_have_text("")
    # Written back in the canonical spelling, with no complaint.
    assert "activation=leaky_relu&init=xavier-uniform&" in page.evaluate("() => location.hash")
    v.assert_clean()


def test_the_lab_is_operated_from_the_keyboard_without_flooding_history(page: Page, served_book):
    v = _open(page, served_book, DEFAULTS)
    length = page.evaluate("() => history.length")
    depth = page.locator("input[name=depth]")
    depth.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => window.gradbook.lab.state().hash.startsWith('#depth=15&')")
    _settle(page)
    assert len(_rows(page)) == 15
    assert page.evaluate("() => location.hash").startswith("#depth=15&")
    assert page.evaluate("() => history.length") == length  # replaced, never pushed
    # Tab from the last control ("More settings" open) reaches the buttons; Enter trains. The
    # Train button is disabled while training, so the focus moves on to Pause, where Space pauses.
    page.locator(".gradbook-lab-more > summary").click()
    page.locator("input[name=seed]").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "gradbook-lab-train"
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.gradbook.lab.state().records > 0", timeout=30000)
    assert page.evaluate("() => document.activeElement.className") == "gradbook-lab-pause"
    page.keyboard.press("Space")
    page.wait_for_function("() => !window.gradbook.lab.state().running")
    assert page.evaluate("() => document.activeElement.className") == "gradbook-lab-train"
    # The weight-scale knob: normal init, then the End key takes the scale to its top, 10.
    page.locator("select[name=init]").focus()
    page.locator("select[name=init]").select_option("normal")
    page.wait_for_function("() => window.gradbook.lab.state().hash.includes('init=normal:')")
    page.locator(".gradbook-lab-field-scale input").focus()
    page.keyboard.press("End")
    page.wait_for_function("() => window.gradbook.lab.state().hash.includes('init=normal:10&')")
    _settle(page)  # the address bar is written after the redraw (page.js #writeAddress)
    assert page.evaluate("() => location.hash").count("init=normal:10&") == 1
    # Reset to defaults, from the keyboard.
    page.locator(".gradbook-lab-reset").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => location.hash === '{DEFAULTS}'")
    _settle(page)
    assert len(_rows(page)) == 12
    # Copy link: the link (in the clipboard, or in the field where the clipboard is refused).
    page.locator(".gradbook-lab-copy").focus()
    page.keyboard.press("Enter")
    link = page.locator(".gradbook-lab-link")
    expect(link).to_be_visible()
    assert link.input_value().endswith(f"{LAB}{DEFAULTS}")
    v.assert_clean()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_lab_passes_axe_while_training(browser, served_book, scheme):
    ctx = browser.new_context(color_scheme=scheme)
    page = ctx.new_page()
    try:
        v = _open(page, served_book, EXPLODING)
        wait_scenes(page, "ready")
        page.locator(".gradbook-lab-stepone").click()
        page.wait_for_function("() => window.gradbook.lab.state().records > 0")
        page.locator(".gradbook-lab-copy").click()  # the link field shown, too
        assert_axe_clean(page)
        v.assert_clean()
    finally:
        ctx.close()


# A run that did not come from the lab's engine (as one recorded by gradbook.torch will be): its
# own layer names, no held-out accuracy, update ratios by its own weight names. The view draws
# it through the same calls the scheduler uses (view.js's header), with nothing else changed.
_RECORDED_RUN = """() => {
    const names = ['stem.conv', 'blocks.0.conv1', 'head.fc'];
    const layer = (g, f, p) => ({
        gradNorm: g, factor: f, product: p, weightGradNorm: g / 2, updateRatio: 1e-3,
        neuronsLog10: [Math.log10(g), Math.log10(g)],
    });
    const frame = (step, g) => ({
        step, loss: 1 / (step + 1), accuracy: NaN, outputGradNorm: 1, clipped: false,
        layers: [layer(g, 0.5, g), layer(2 * g, 0.5, 2 * g), layer(4 * g, 4 * g, 4 * g)],
    });
    const view = window.gradbook.lab.view;
    view.load({
        title: 'A recorded run', summary: 'Opened from a file.', kind: 'mlp', config: {},
        network: {
            layers: [
                { name: 'x', role: 'input', units: 3, shownUnits: 3 },
                ...names.map((name) => ({ name, role: 'hidden', units: 64, shownUnits: 2 })),
                { name: 'loss', role: 'output', units: 10, shownUnits: 10 },
            ],
            timeSteps: null,
        },
        frame: frame(0, 1e-3), labels: names, dead: false, accuracy: false,
    });
    const record = (step) => ({
        step, loss: 1 / (step + 1), accuracy: null, gradNorms: [1e-3, 2e-3, 4e-3],
        updateRatios: Object.fromEntries(names.map((n) => [n, 1e-3])),
    });
    view.append({ records: [record(0), record(1)], frames: [frame(1, 2e-3)] });
}"""


def test_the_view_shows_a_run_that_did_not_come_from_the_engine(page: Page, served_book):
    v = _open(page, served_book, "#depth=3&width=4")
    page.evaluate(_RECORDED_RUN)
    page.wait_for_function("() => window.gradbook.lab.state().frames === 2")
    heads = page.locator(".gradbook-lab-table tbody th")
    expect(heads).to_have_text(["stem.conv", "blocks.0.conv1", "head.fc"])
    page.wait_for_function(
        "() => document.querySelector('.gradbook-lab-table').dataset.step === '1'"
    )
    assert [row["gradNorm"] for row in _rows(page)] == [2e-3, 4e-3, 8e-3]
    status = page.locator(".gradbook-lab-status")
    expect(status).to_contain_text("Training step 1: loss 0.500")
    expect(status).not_to_contain_text("held-out")
    assert len(page.evaluate("() => window.gradbook.scenes[0].state().layers")) == 5
    v.assert_clean()


def test_the_lab_opened_from_disk_traces_and_trains(page: Page, served_book):
    """Opened from the built files: the worker starts from a Blob URL; only files are read."""
    v = visit(page, (served_book.html / LAB).as_uri() + SIGMOID)
    _settle(page)
    assert 0 < _layer1_product(page) < 1e-6
    page.locator(".gradbook-lab-stepone").click()
    page.wait_for_function("() => window.gradbook.lab.state().records === 1")
    assert all(u.startswith(("file://", "data:", "blob:")) for u in v.requests), v.requests
    v.assert_clean()


def test_a_chapters_lab_link_opens_that_network_with_the_chapters_numbers(page: Page, served_book):
    """ "Open this network in the lab" under a chapter's scene: the lab draws the same weights and
    the same first batch from the same seed, so its step-0 profile is the chapter's."""
    from gradbook import scenarios

    v = visit(page, served_book.url("chapters/03-vanishing.html"))
    wait_scenes(page)
    link = page.locator(".gradbook-scene-lablink").first
    href = link.get_attribute("href")
    assert href.startswith("../lab.html#depth=12&width=16&activation=sigmoid&init=standard"), href
    v.assert_clean()
    link.click()
    _settle(page)
    expected = scenarios.trained("sigmoid-vanishing").start
    rows = _rows(page)
    assert len(rows) == len(expected.layers)
    for row, layer in zip(rows, expected.layers, strict=True):
        assert math.isclose(row["product"], layer.product, rel_tol=1e-9), (row, layer.product)
    # The same held-out set and the same accuracy on it as the chapter's run, at step 0 (taken
    # by hand) and at step 50 (the chapter records every 50th, the lab every 10th), exactly.
    page.locator(".gradbook-lab-stepone").click()
    page.wait_for_function("() => window.gradbook.lab.state().records === 1")
    page.locator(".gradbook-lab-train").click()
    page.wait_for_function("() => window.gradbook.lab.state().records > 50", timeout=30000)
    page.locator(".gradbook-lab-pause").click()
    accuracies = dict(_state(page)["accuracies"])
    run = scenarios.trained("sigmoid-vanishing").record
    assert accuracies[0] == run.accuracy[0] and accuracies[50] == run.accuracy[50], accuracies


# ---- Open a run: a training run recorded by gradbook.torch, read in the browser -----------------

FIXTURES = Path(__file__).resolve().parents[1] / "js" / "fixtures"
RUN_SMALL = FIXTURES / "run-small.json"
RUN_NONFINITE = FIXTURES / "run-nonfinite.json"
_RECORDED = "() => window.gradbook.lab.state().recorded"
_ROW_NAMES = """() => [...document.querySelectorAll('.gradbook-lab-table tbody th')]
    .map((th) => th.textContent)"""
_CELLS = """() => [...document.querySelectorAll('.gradbook-lab-table tbody tr')].map((tr) =>
    Object.fromEntries([...tr.querySelectorAll('td')].map(
        (td) => [td.dataset.column, [td.dataset.value, td.textContent]])))"""


def _size(log10) -> float | None:
    """A size as the run file stores it (run.schema.json), decoded."""
    if log10 is None:
        return None
    if isinstance(log10, str):
        return {"-inf": 0.0, "inf": math.inf, "nan": math.nan}[log10]
    return 10.0**log10


def _over(a: float, b: float) -> float:
    """a / b as IEEE 754 divides (JavaScript's /): x/0 is inf, 0/0 and inf/inf NaN."""
    if b == 0:
        return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a)
    return a / b


def _open_run(page: Page, path: Path) -> None:
    page.set_input_files(".gradbook-lab-file", str(path))
    page.wait_for_function(f"() => ({_RECORDED})() !== null")


def _check_table_against_file(page: Page, data: dict, row: int) -> None:
    """The table, read back from its data-value cells, holds the file's row `row`."""
    assert page.evaluate(_ROW_NAMES) == [layer["name"] for layer in data["layers"]]
    assert page.evaluate("() => document.querySelector('.gradbook-lab-table').dataset.step") == str(
        data["steps"][row]
    )
    cells = page.evaluate(_CELLS)
    g = [_size(v) for v in data["gradNormLog10"][row]]
    out = _size(data["outputGradNormLog10"][row])
    for i, got in enumerate(cells):
        above = g[i + 1] if i + 1 < len(g) else out
        want = {
            "gradNorm": g[i],
            "factor": _over(g[i], above),  # the book's: this layer's size over the one above
            "product": _over(g[i], out),
            "weightGradNorm": _size(data["weightGradNormLog10"][row][i]),
            "updateRatio": _size(data["updateRatioLog10"][row][i]),
        }
        assert set(got) == set(want), got
        for key, value in want.items():
            text, shown = got[key]
            if value is None:  # not measured at this step: said so, never a number
                assert (text, shown) == ("null", "not measured"), (i, key, got[key])
            elif math.isnan(value):
                assert text == "NaN" and shown.endswith("NaN"), (i, key, got[key])
            else:
                assert math.isclose(float(text), value, rel_tol=1e-12), (i, key, text, value)


def test_a_saved_run_opens_in_the_lab_and_the_table_reads_back_the_file(page: Page, served_book):
    v = _open(page, served_book, DEFAULTS)
    data = json.loads(RUN_SMALL.read_text())
    asked = len(v.requests)
    _open_run(page, RUN_SMALL)
    # Read here: the file is not sent anywhere, and nothing else is fetched for it.
    assert len(v.requests) == asked, v.requests[asked:]
    state = _state(page)
    assert state["recorded"] == {
        "name": RUN_SMALL.name,
        "layers": len(data["layers"]),
        "steps": len(data["steps"]),
    }
    assert state["frames"] == len(data["steps"])
    # The last recorded step, layer by layer, named by the layers' paths in the model.
    _check_table_against_file(page, data, len(data["steps"]) - 1)
    expect(page.locator(".gradbook-lab-status")).to_contain_text(f"Opened {RUN_SMALL.name}")
    # The scene: one column per recorded layer, named, and the slider over every recorded step.
    scene = page.evaluate("() => window.gradbook.scenes[0].state()")
    assert [layer["name"] for layer in scene["layers"][1:-1]] == [
        layer["name"] for layer in data["layers"]
    ]
    scrub = page.locator(".gradbook-scene-scrub").first
    assert scrub.get_attribute("max") == str(len(data["steps"]) - 1)
    # The slider takes the table back to step 0, where the norm layer's scale has no update
    # ratio yet (all ones before the first step: std 0).
    scrub.fill("0")
    page.wait_for_function(
        "() => document.querySelector('.gradbook-lab-table').dataset.step === '0'"
    )
    _check_table_against_file(page, data, 0)
    # Every recorded step in the plots: the loss, a line per layer's update ratio, the strip.
    assert page.evaluate("() => document.querySelector('.gradbook-lab').dataset.records") == str(
        len(data["steps"])
    )
    assert page.locator(".gradbook-lab-chart .gradbook-lab-line").count() >= 1 + len(data["layers"])
    # Hover a column: its name and numbers under the scene; a click selects it.
    # The canvas itself in view (the scene's box, with its legend, may be taller than the
    # window, and then its top is under the page's sticky header).
    page.locator(".gradbook-lab-scene .gradbook-scene-stage").first.scroll_into_view_if_needed()
    x, y = page.evaluate(
        """() => { const s = window.gradbook.scenes[0].scene;
            const r = s.canvas.getBoundingClientRect();
            const p = s.project(s.layout.layerX[3], 0, 0); return [r.left + p.x, r.top + p.y]; }"""
    )
    page.mouse.move(x, y)
    inspector = page.locator(".gradbook-lab-inspector")
    expect(inspector).to_contain_text(f"Layer 3 of 5, {data['layers'][2]['name']} (Conv2d")
    page.mouse.click(x, y)
    expect(inspector).to_contain_text("Selected: Layer 3")
    assert page.evaluate("() => window.gradbook.scenes[0].state().selectedLayer") == 3
    expect(page.locator(".gradbook-lab-table tbody tr").nth(2)).to_have_class(
        re.compile("is-selected")
    )
    # From the keyboard: the table's box takes the focus and the arrow keys move the selection.
    page.mouse.move(0, 0)  # the inspector shows the column under the pointer first
    page.locator(".gradbook-lab-tablebox").focus()
    page.keyboard.press("ArrowDown")
    expect(inspector).to_contain_text("Selected: Layer 4")
    assert page.evaluate("() => window.gradbook.scenes[0].state().selectedLayer") == 4
    page.keyboard.press("Home")
    expect(page.locator(".gradbook-lab-table tbody tr").nth(0)).to_have_class(
        re.compile("is-selected")
    )
    page.keyboard.press("ArrowUp")  # stays on the first layer
    assert page.evaluate("() => window.gradbook.scenes[0].state().selectedLayer") == 1
    # No link can hold a file: Copy link is off, and the lab says why, beside it; no training.
    expect(page.locator(".gradbook-lab-copy")).to_be_disabled()
    expect(page.locator(".gradbook-lab-linknote")).to_be_visible()
    expect(page.locator(".gradbook-lab-linknote")).to_contain_text("send the file")
    expect(page.locator(".gradbook-lab-train")).to_be_disabled()
    # Back to building networks: the link, training and the built network return.
    page.locator(".gradbook-lab-back").click()
    _settle(page)
    assert _state(page)["recorded"] is None
    assert len(_rows(page)) == 12
    expect(page.locator(".gradbook-lab-copy")).to_be_enabled()
    expect(page.locator(".gradbook-lab-linknote")).to_be_hidden()
    expect(page.locator(".gradbook-lab-train")).to_be_enabled()
    v.assert_clean()


def test_a_run_that_broke_opens_at_its_first_nonfinite_step(page: Page, served_book):
    v = _open(page, served_book, DEFAULTS)
    data = json.loads(RUN_NONFINITE.read_text())
    first = data["firstNonFiniteStep"]
    # Dropped onto the lab rather than chosen: the same reading.
    page.evaluate(
        """(text) => { const dt = new DataTransfer();
            dt.items.add(new File([text], 'broke.json', { type: 'application/json' }));
            document.querySelector('.gradbook-lab').dispatchEvent(
                new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true })); }""",
        RUN_NONFINITE.read_text(),
    )
    page.wait_for_function(f"() => ({_RECORDED})()?.name === 'broke.json'")
    _check_table_against_file(page, data, data["steps"].index(first))
    expect(page.locator(".gradbook-lab-status")).to_contain_text(f"At step {first}")
    expect(page.locator(".gradbook-lab-nan-label").first).to_have_text(f"NaN at step {first}")
    v.assert_clean()


def _long_named_run(tmp: Path) -> Path:
    """run-small.json as a deeper model whose gradient vanished might record it: layers at long
    paths (a transformer's "encoder.layers.11.self_attn.out_proj", parts such as
    "output_projection" that cannot wrap), the layers' gradient sizes and |dL/dW| ten billion
    times smaller and the update ratios a thousand times, so that every number of the table but
    most factors is written as m × 10ⁿ, most with a two-digit exponent: the table at its widest."""
    data = json.loads(RUN_SMALL.read_text())
    names = [
        "encoder.embed_tokens",
        "encoder.layers.11.self_attn.out_proj",
        "encoder.layers.11.fc2",
        "blocks.3.conv1",
        "decoder.output_projection",
    ]
    for layer, name in zip(data["layers"], names, strict=True):
        layer["name"] = name
    for key, shift in [
        ("gradNormLog10", -10),
        ("weightGradNormLog10", -10),
        ("updateRatioLog10", -3),
    ]:
        data[key] = [[v if v is None else round(v + shift, 2) for v in row] for row in data[key]]
    path = tmp / "run-deep.json"
    path.write_text(json.dumps(data))
    return path


# Per row: how many lines each part of the layer's name (a text node between the <wbr>s that
# table.js puts after each dot) takes, and how many lines the whole name takes.
_NAME_LINES = """() => [...document.querySelectorAll('.gradbook-lab-table tbody th')].map((th) => {
    const lines = (node) => { const r = document.createRange(); r.selectNodeContents(node);
        return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size; };
    return { parts: [...th.childNodes].filter((n) => n.nodeType === 3).map(lines),
             name: lines(th) }; })"""
_BOX = """() => { const b = document.querySelector('.gradbook-lab-tablebox');
    return { scroll: b.scrollWidth, client: b.clientWidth,
             page: document.documentElement.scrollWidth - window.innerWidth }; }"""


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (1600, 1000), (390, 844)])
def test_a_saved_runs_table_shows_every_column_without_scrolling_sideways(
    browser, served_book, tmp_path, width, height
):
    """A recorded run's six columns fit the table's box, with no sideways scrollbar, in a 1280 px
    and a 1600 px window: the example run at its first step (cells not measured yet) and its
    last, and a run with long layer paths and its numbers in scientific notation. At 1600 px the
    table is beside the scene, which keeps 600 px or more; at 1280 px, where the column beside
    the scene is too narrow for six columns, it is under the scene. On a phone it is under the
    scene too, and only the table's own box may scroll sideways, never the page. A name wraps
    only at a dot; the example's short names stay on one line."""
    ctx = browser.new_context(viewport={"width": width, "height": height})
    page = ctx.new_page()
    try:
        v = _open(page, served_book, DEFAULTS)
        wait_scenes(page, "ready")
        boxes, names, places = {}, {}, {}  # by (run, step)
        for path in (RUN_SMALL, _long_named_run(tmp_path)):
            page.set_input_files(".gradbook-lab-file", str(path))
            page.wait_for_function(f"() => ({_RECORDED})()?.name === {json.dumps(path.name)}")
            steps = json.loads(path.read_text())["steps"]
            for row in (len(steps) - 1, 0):
                page.locator(".gradbook-lab-scene .gradbook-scene-scrub").first.fill(str(row))
                page.wait_for_function(
                    "(s) => document.querySelector('.gradbook-lab-table').dataset.step === s",
                    arg=str(steps[row]),
                )
                assert page.locator(".gradbook-lab-table thead th").count() == 6
                at = (path.name, steps[row])
                boxes[at] = page.evaluate(_BOX)
                names[at] = page.evaluate(_NAME_LINES)
                places[at] = (
                    page.locator(".gradbook-lab-scene .gradbook-scene-stage").bounding_box(),
                    page.locator(".gradbook-lab-tablebox").bounding_box(),
                )
        assert all(box["page"] <= 0 for box in boxes.values()), boxes  # never the page
        if width >= 1280:
            assert all(box["scroll"] <= box["client"] for box in boxes.values()), boxes
            assert all(n == 1 for rows in names.values() for r in rows for n in r["parts"]), names
            small = [r for (run, _), rows in names.items() if run == RUN_SMALL.name for r in rows]
            assert all(r["name"] == 1 for r in small), small
        for stage, table in places.values():
            if width >= 1600:  # beside the scene
                assert table["x"] >= stage["x"] + stage["width"], (stage, table)
                assert stage["width"] >= 600, stage
            else:  # under it
                assert table["y"] >= stage["y"] + stage["height"], (stage, table)
        v.assert_clean()
    finally:
        ctx.close()


def _bad_files(tmp: Path) -> list[tuple[str, Path, str]]:
    good = json.loads(RUN_SMALL.read_text())
    newer = dict(good, version=2)
    files = {
        "payload.json": (  # a scene payload, as the chapters carry (the scene's test fixture)
            (FIXTURES / "tiny.json").read_text(),
            "is not a gradbook run: it is a scene payload",
        ),
        "random.json": (
            '{"hello": [1, 2, 3]}',
            'is not a gradbook run: it is JSON without "schema"',
        ),
        "newer.json": (
            json.dumps(newer),
            "is version 2 of the run format; this lab reads version 1",
        ),
        "cut.json": (RUN_SMALL.read_text()[:3000], "is not JSON, or is cut short"),
        "empty.json": ("", "empty.json is empty"),
    }
    out = []
    for name, (text, message) in files.items():
        (tmp / name).write_text(text)
        out.append((name, tmp / name, message))
    # 200 MB, refused by its size before it is read (a sparse file: nothing is written).
    with (tmp / "huge.json").open("wb") as f:
        f.truncate(200 * 1024 * 1024)
    out.append(
        ("huge.json", tmp / "huge.json", "huge.json is 200 MB; the lab opens runs of up to 64 MB")
    )
    return out


def test_bad_files_get_one_message_and_the_lab_goes_on(page: Page, served_book, tmp_path):
    v = _open(page, served_book, DEFAULTS)
    messages = page.locator(".gradbook-lab-messages")
    for name, path, message in _bad_files(tmp_path):
        page.set_input_files(".gradbook-lab-file", str(path))
        expect(messages).to_contain_text(message)
        assert messages.locator("p").count() == 1, name  # one message, naming the problem
        expect(messages).to_contain_text(f"Cannot open this run: {name}")
        assert _state(page)["recorded"] is None, name
        # Still the lab: the network it showed, and a control change traces a new one.
        assert len(_rows(page)) == 12, name
    page.locator("input[name=depth]").fill("7")
    page.locator("input[name=depth]").dispatch_event("change")
    page.wait_for_function("() => window.gradbook.lab.state().hash.startsWith('#depth=7&')")
    _settle(page)
    assert len(_rows(page)) == 7
    expect(messages).to_be_hidden()  # the next network clears the last file's message
    # A good run after the bad ones opens as usual.
    _open_run(page, RUN_SMALL)
    expect(messages).to_be_hidden()
    v.assert_clean()  # nothing thrown, no console error


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_lab_showing_a_run_passes_axe(browser, served_book, scheme):
    ctx = browser.new_context(color_scheme=scheme)
    page = ctx.new_page()
    try:
        v = _open(page, served_book, DEFAULTS)
        wait_scenes(page, "ready")
        _open_run(page, RUN_SMALL)
        page.locator(".gradbook-lab-more > summary").click()  # the controls one click away, too
        assert_axe_clean(page)
        v.assert_clean()
    finally:
        ctx.close()


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1600, 1000)])
def test_the_lab_is_laid_out_as_a_tool(browser, served_book, width, height):
    """Scene first and wide: on a wide screen the table is beside the scene; on a phone the
    scene starts on the first screen; never wider than the window."""
    ctx = browser.new_context(viewport={"width": width, "height": height})
    page = ctx.new_page()
    try:
        v = _open(page, served_book, DEFAULTS)
        wait_scenes(page, "ready")
        page.locator(".gradbook-lab").scroll_into_view_if_needed()
        page.evaluate("() => document.querySelector('.gradbook-lab').scrollIntoView()")
        stage = page.locator(".gradbook-lab-scene .gradbook-scene-stage").bounding_box()
        table = page.locator(".gradbook-lab-tablebox").bounding_box()
        assert stage["y"] < height, stage  # the scene starts on the first screen
        if width >= 1200:
            assert stage["width"] >= 600, stage
            assert table["x"] >= stage["x"] + stage["width"], (stage, table)  # beside it
            assert table["y"] < stage["y"] + stage["height"], (stage, table)
        else:
            assert table["y"] >= stage["y"] + stage["height"], (stage, table)  # below it
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is {overflow} px wider than the window"
        v.assert_clean()
    finally:
        ctx.close()
