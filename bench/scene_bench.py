"""Measure the gradient-flow scene in headless Chromium with software WebGL (SwiftShader).

Part of `nox -s bench`; also runs alone after `npm run build`: `python bench/scene_bench.py`.
Not a test: the numbers depend on the machine. On the scene test page
(tests/browser/pages/scene.html), it measures:

- draw calls per frame and frames per second while the pulse plays, for networks of
  12 x 16, 24 x 64 and 48 x 128 units (made-up payloads of those shapes), each beside the frame
  rate of a bare three.js clear (an empty Scene drawn by the same renderer on the same canvas,
  in the same page, right after): their ratio is what the scene costs beyond the browser's
  floor, steadier on a noisy machine than either number;
- with a real payload at the default size: time from navigation start to the first frame,
  frames per second while playing, and the main thread's busy share while playing and idle
  (CDP Performance.getMetrics: the growth of TaskDuration over wall time);
- the JS heap after 20 scenario switches, and on to 200 to tell a leak from caches warming up,
  each read after a forced garbage collection (CDP HeapProfiler.collectGarbage), with three's
  own count of GPU geometries and textures and the page's count of DOM nodes.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPORT_DIR, ROOT, chromium, log, met, serve, table

from gradbook import export

DIST = ROOT / "_static" / "threejs" / "dist"
TEST_PAGE = "tests/browser/pages/scene.html"
SHAPES = ((12, 16), (24, 64), (48, 128))  # (hidden layers, units per layer)
FPS_TARGETS = {"12 x 16": 40, "48 x 128": 30}  # frames per second while playing, issue 10
PLAY_SECONDS = 4.0  # how long the pulse plays while frames and busy time are counted, in s
IDLE_SECONDS = 3.0  # how long an idle scene is watched, in s
SWITCHES = 20  # scenario switches between two readings of the heap
SETTLE_SWITCHES = 200  # switches in all, to tell a leak (keeps growing) from caches warming up
TAIL = 3  # the last readings, SWITCHES apart, that must show no growth
HEAP_SLACK = 0.01  # growth over the tail within this share of the heap counts as none
PAGE_SLACK = 4096  # bytes of the page's own objects that may come and go between two snapshots
# Every scenario the book has, so that switching goes through MLPs and RNNs of all kinds.
SWITCH_SCENARIOS = [
    "sigmoid-vanishing",
    "tanh-xavier",
    "relu-he",
    "batchnorm",
    "residual",
    "exploding-init",
    "rnn-exploding",
    "rnn-clipped",
]


def synthetic_payload(depth: int, width: int, steps: int = 2) -> dict:
    """A payload of the given shape for load measurements only (its numbers are made up and
    never shown in the book): each layer's magnitude halves, so colours vary across the net."""
    layers = [{"name": "x", "role": "input", "units": 2, "shownUnits": 2}]
    layers += [
        {"name": f"h{i}", "role": "hidden", "units": width, "shownUnits": width}
        for i in range(1, depth + 1)
    ]
    layers += [{"name": "out", "role": "output", "units": 2, "shownUnits": 2}]

    def layer_step(i: int) -> dict:
        g = 0.5 ** (depth - i + 1)
        return {
            "gradNorm": g,
            "factor": 0.5,
            "product": g,
            "weightGradNorm": g,
            "updateRatio": None,
            "neuronsLog10": [
                round(-0.30103 * (depth - i + 1) - 0.01 * (u % 7), 2) for u in range(width)
            ],
        }

    scenario = {
        "id": f"bench-{depth}x{width}",
        "title": f"{depth} x {width}",
        "summary": "",
        "kind": "mlp",
        "config": {},
        "network": {"layers": layers, "timeSteps": None},
        "steps": [
            {
                "step": s,
                "loss": 1.0,
                "accuracy": 0.5,
                "outputGradNorm": 1.0,
                "clipped": False,
                "layers": [layer_step(i) for i in range(1, depth + 1)],
            }
            for s in range(steps)
        ],
        "firstNonFiniteStep": None,
    }
    return {
        "schema": "gradbook-payload",
        "version": 1,
        "colorScale": export.color_scale(),
        "scenarios": [scenario],
    }


def open_scene(context, base: str, payload_url: str, scenario: str | None = None):
    """The test page with one scene, once it has drawn its first frame."""
    page = context.new_page()
    query = f"payload={payload_url}" + (f"&scenario={scenario}" if scenario else "")
    page.goto(f"{base}/{TEST_PAGE}?{query}")
    page.wait_for_function("() => window.gradbook?.scenes?.[0]?.scene.frames > 0", timeout=60000)
    return page


def busy_share(page, cdp, seconds: float) -> float:
    """Share of wall time the page's main thread spent running tasks, over `seconds`."""

    def task_seconds() -> float:
        metrics = cdp.send("Performance.getMetrics")["metrics"]
        return next(m["value"] for m in metrics if m["name"] == "TaskDuration")

    t0, wall0 = task_seconds(), time.perf_counter()
    page.wait_for_timeout(seconds * 1000)
    return (task_seconds() - t0) / (time.perf_counter() - wall0)


PLAY = """(speed) => { const s = window.gradbook.scenes[0];
    s.player.reducedMotion = false; s.scene.reducedMotion = false;
    s.player.speed = speed; s.setStep(0); s.play();
    return [s.scene.frames, performance.now()]; }"""
FRAMES_SINCE = """([f0, t0]) => { const s = window.gradbook.scenes[0];
    return (s.scene.frames - f0) / ((performance.now() - t0) / 1000); }"""


def playing(page, cdp) -> tuple[float, float]:
    """(frames per second, main-thread busy share) while the pulse plays; then pauses."""
    # Half speed: one pass of the pulse lasts longer than the measurement.
    start = page.evaluate(PLAY, 0.5)
    busy = busy_share(page, cdp, PLAY_SECONDS)
    fps = page.evaluate(FRAMES_SINCE, start)
    page.evaluate("() => window.gradbook.scenes[0].pause()")
    return fps, busy


# The floor: the same renderer and canvas drawing an empty three.js Scene every frame, the
# scene's own loop paused, for as long as the scene was measured.
BARE = """(seconds) => new Promise((resolve) => {
    const s = window.gradbook.scenes[0]; const sc = s.scene;
    sc.setActive(false);
    const empty = new sc.scene.constructor();
    let frames = 0; const t0 = performance.now();
    const loop = (now) => {
        sc.renderer.render(empty, sc.camera); frames += 1;
        if (now - t0 < seconds * 1000) requestAnimationFrame(loop);
        else { sc.setActive(true); resolve(frames / ((performance.now() - t0) / 1000)); }
    };
    requestAnimationFrame(loop);
})"""


def bare_clear(page) -> float:
    """Frames per second of a bare three.js clear on the scene's own canvas."""
    return page.evaluate(BARE, PLAY_SECONDS)


def idle(page, cdp) -> tuple[int, float]:
    """(frames drawn, main-thread busy share) while the scene sits paused on screen."""
    page.evaluate("() => window.gradbook.scenes[0].pause()")
    page.wait_for_timeout(500)  # let the last frames and the controls' damping settle
    f0 = page.evaluate("() => window.gradbook.scenes[0].scene.frames")
    busy = busy_share(page, cdp, IDLE_SECONDS)
    return page.evaluate("() => window.gradbook.scenes[0].scene.frames") - f0, busy


def heap(cdp) -> float:
    """Used JS heap in bytes, after a forced garbage collection."""
    for _ in range(2):
        cdp.send("HeapProfiler.collectGarbage")
    return cdp.send("Runtime.getHeapUsage")["usedSize"]


def _is_browsers_own(kind: str, name: str) -> bool:
    """Heap snapshot nodes that are V8's or Blink's bookkeeping, not the page's objects:
    compiled code and its feedback, Blink's internal tables, and the performance timeline's
    entries (long tasks and frames the benchmark's own loops cause, in a bounded buffer)."""
    return (
        kind == "code"
        or name.startswith(("system /", "blink::"))
        or name.endswith("Timing")
        or name == "TaskAttributionTiming"
    )


def heap_split(cdp) -> dict[str, int]:
    """Bytes on the JS heap after a forced garbage collection, from a heap snapshot: the page's
    own objects (JS objects, arrays, closures, strings, DOM wrappers) and the browser's own."""
    chunks: list[str] = []

    def on_chunk(event: dict) -> None:
        chunks.append(event["chunk"])

    cdp.on("HeapProfiler.addHeapSnapshotChunk", on_chunk)
    cdp.send("HeapProfiler.enable")
    for _ in range(2):
        cdp.send("HeapProfiler.collectGarbage")
    cdp.send("HeapProfiler.takeHeapSnapshot", {"reportProgress": False})
    cdp.remove_listener("HeapProfiler.addHeapSnapshotChunk", on_chunk)
    snap = json.loads("".join(chunks))
    meta = snap["snapshot"]["meta"]
    fields, types, strings, nodes = (
        meta["node_fields"],
        meta["node_types"][0],
        snap["strings"],
        snap["nodes"],
    )
    w, ti, ni, si = (
        len(fields),
        fields.index("type"),
        fields.index("name"),
        fields.index("self_size"),
    )
    out = {"page": 0, "browser": 0}
    for i in range(0, len(nodes), w):
        own = _is_browsers_own(types[nodes[i + ti]], strings[nodes[i + ni]])
        out["browser" if own else "page"] += nodes[i + si]
    return out


SWITCH = """(ids) => { const s = window.gradbook.scenes[0]; const sel = s.ui.scenarioSel;
    for (const id of ids) { sel.value = id; sel.dispatchEvent(new Event('change'));
        s.scene.renderNow(); }
    const m = s.scene.renderer.info.memory;
    return [m.geometries, m.textures, document.getElementsByTagName('*').length]; }"""


def switching(page, cdp, snapshots: bool = False) -> dict:
    """The JS heap after a first round of SWITCHES switches (every kind of net built), then after
    every SWITCHES more, up to SETTLE_SWITCHES: a leak keeps growing, while caches and the JIT's
    feedback grow at first and then level off. Also GPU objects and DOM nodes."""
    ids = [SWITCH_SCENARIOS[i % len(SWITCH_SCENARIOS)] for i in range(SWITCHES)]
    objects = [page.evaluate(SWITCH, ids)]  # the first round; every reading ends on one net
    heaps = [heap(cdp)]
    rounds = SETTLE_SWITCHES // SWITCHES
    split = []
    for k in range(rounds):
        objects.append(page.evaluate(SWITCH, ids))
        heaps.append(heap(cdp))
        if snapshots and k + 1 in (rounds // 2, rounds):  # halfway and at the end
            split.append(heap_split(cdp))
    return {"heaps": heaps, "objects": objects, "split": split}


def measure(repeats: int = 3) -> dict:
    if not (DIST / "gradbook-scene.js").exists():
        raise RuntimeError("the scene is not built: npm run build")
    from playwright.sync_api import sync_playwright

    executable, args = chromium()
    r: dict = {"shapes": {}, "runs": []}
    with tempfile.TemporaryDirectory(dir=DIST) as tmp, serve(ROOT) as base:
        tmp_path = Path(tmp)
        rel = "/" + tmp_path.relative_to(ROOT).as_posix()
        for depth, width in SHAPES:
            (tmp_path / f"{depth}x{width}.json").write_text(
                json.dumps(synthetic_payload(depth, width))
            )
        (tmp_path / "book.json").write_text(export.dumps(export.build_payload(SWITCH_SCENARIOS)))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=args)
            # Reduced motion: no autoplay, so every measurement starts from a still scene.
            context = browser.new_context(
                viewport={"width": 1000, "height": 900}, reduced_motion="reduce"
            )
            for depth, width in SHAPES:
                log(f"scene: {depth} x {width}")
                page = open_scene(context, base, f"{rel}/{depth}x{width}.json")
                cdp = context.new_cdp_session(page)
                cdp.send("Performance.enable")
                calls = page.evaluate(
                    "() => { const s = window.gradbook.scenes[0].scene; s.renderNow();"
                    " return s.renderer.info.render.calls; }"
                )
                fps, busy = playing(page, cdp)
                bare = bare_clear(page)
                r["shapes"][f"{depth} x {width}"] = {
                    "calls": calls,
                    "fps": fps,
                    "busy": busy,
                    "bare_fps": bare,
                    "ratio": fps / bare if bare else float("nan"),
                }
                page.close()
            for i in range(repeats):
                log(f"scene: the book's payload, run {i + 1} of {repeats}")
                page = open_scene(context, base, f"{rel}/book.json", "sigmoid-vanishing")
                cdp = context.new_cdp_session(page)
                cdp.send("Performance.enable")
                run = {
                    "first_frame": page.evaluate(
                        "() => window.gradbook.scenes[0].scene.firstFrameAt"
                    ),
                    "canvas": page.evaluate(
                        "() => { const c = window.gradbook.scenes[0].scene.canvas;"
                        " return [c.width, c.height]; }"
                    ),
                }
                run["idle_frames"], run["idle_busy"] = idle(page, cdp)
                run["fps"], run["busy"] = playing(page, cdp)
                run.update(switching(page, cdp, snapshots=i == 0))
                r["runs"].append(run)
                page.close()
            browser.close()
    runs = r["runs"]
    for key in ("first_frame", "fps", "busy", "idle_busy", "idle_frames"):
        r[key] = statistics.median(run[key] for run in runs)
    for key, fn in (
        ("before", lambda h: h[0]),
        ("growth", lambda h: h[1] - h[0]),  # over the first SWITCHES switches
        ("growth_end", lambda h: h[-1] - h[0]),
        ("growth_tail", lambda h: h[-1] - h[-1 - TAIL]),  # over the last TAIL * SWITCHES
    ):
        r[key] = statistics.median(fn(run["heaps"]) for run in runs)
    r["canvas"] = runs[0]["canvas"]
    r["objects"] = [run["objects"] for run in runs]
    r["objects_steady"] = all(len(set(map(tuple, run["objects"]))) == 1 for run in runs)
    r["heaps"] = [run["heaps"] for run in runs]
    half, end = runs[0]["split"]
    r["split"] = {"half": half, "end": end}
    r["page_growth"] = end["page"] - half["page"]
    r["browser_growth"] = end["browser"] - half["browser"]
    return r


def heap_ok(r: dict) -> bool:
    """No leak: the page's own objects do not grow over the second half of the switches (by
    heap snapshots), and GPU objects and DOM nodes stay constant. The used-heap readings also
    hold V8's compiled code, which keeps growing a little while the JIT optimizes more."""
    return r["page_growth"] <= PAGE_SLACK and r["objects_steady"]


def section(r: dict) -> list[str]:
    lines = ["## Scene", ""]
    lines.append(
        "Headless Chromium, software WebGL (SwiftShader), the scene test page at 1000 x 900 CSS "
        f"px; medians of {len(r['runs'])} page loads. Busy share: the main thread's task time "
        "over wall time (CDP TaskDuration)."
    )
    lines.append("")
    small, large = r["shapes"]["12 x 16"], r["shapes"]["48 x 128"]
    rows = [
        [
            f"time to first frame (sigmoid-vanishing, canvas {r['canvas'][0]} x {r['canvas'][1]} "
            "device px)",
            f"{r['first_frame']:.0f} ms after navigation start",
            "",
            "",
        ],
        ["frames per second while playing", f"{r['fps']:.1f}", "", ""],
        ["main thread busy while playing", f"{r['busy']:.0%}", "", ""],
        [
            "main thread busy when idle",
            f"{r['idle_busy']:.2%} ({r['idle_frames']:.0f} frames in {IDLE_SECONDS:.0f} s)",
            "about 0",
            met(r["idle_frames"] == 0 and r["idle_busy"] < 0.02),
        ],
        *[
            [
                f"frames per second while playing, {shape} (bare three.js clear on the same "
                "canvas; ratio)",
                f"{r['shapes'][shape]['fps']:.1f} ({r['shapes'][shape]['bare_fps']:.1f}; "
                f"{r['shapes'][shape]['ratio']:.2f})",
                f"{target} or more",
                met(r["shapes"][shape]["fps"] >= target),
            ]
            for shape, target in FPS_TARGETS.items()
        ],
        [
            "draw calls per frame, 12 x 16 and 48 x 128",
            f"{small['calls']} and {large['calls']}",
            "the same",
            met(small["calls"] == large["calls"]),
        ],
        [
            f"JS heap after {SWITCHES} scenario switches",
            f"{r['growth'] / 1024:+.0f} KB on {r['before'] / 1024**2:.2f} MB; after "
            f"{SETTLE_SWITCHES}: {r['growth_end'] / 1024:+.0f} KB, of which the last "
            f"{TAIL * SWITCHES} added {r['growth_tail'] / 1024:+.0f} KB",
            "",
            "",
        ],
        [
            f"the page's own objects over switches {SETTLE_SWITCHES // 2}-{SETTLE_SWITCHES} "
            "(heap snapshots; the browser's compiled code and timing entries apart)",
            f"{r['page_growth'] / 1024:+.1f} KB (browser's own {r['browser_growth'] / 1024:+.0f} "
            "KB)",
            "no growth",
            met(heap_ok(r)),
        ],
    ]
    lines += table(["what", "measured", "target", ""], rows)
    busy_ratio = r["busy"] / r["idle_busy"] if r["idle_busy"] > 0 else float("inf")
    lines += [
        "",
        f"Playing / idle main-thread busy share: {busy_ratio:.0f}.",
        "",
        "The heap is read after a forced garbage collection, after a first round of switches "
        f"that builds every kind of net once, then every {SWITCHES} switches up to "
        f"{SETTLE_SWITCHES}. A leak grows at every reading; caches and the JIT's compiled code "
        "grow at first and level off. The used heap holds both, so two heap snapshots, halfway "
        f"and at the end, split it: the target counts as met when the page's own objects grow by "
        f"at most {PAGE_SLACK // 1024} KB between them and three's GPU geometries and textures "
        "and the page's DOM nodes stay constant. The browser's own: V8's compiled code and its "
        "feedback, Blink's internal tables, and the performance timeline's entries (the long "
        "tasks the benchmark's own loops make). Heap growth from the first reading "
        f"(KB), every {SWITCHES} switches, per page load: "
        + "; ".join(
            " ".join(f"{(h - heaps[0]) / 1024:+.0f}" for h in heaps[1:]) for heaps in r["heaps"]
        )
        + ". Geometries / textures / DOM nodes at the first and last reading: "
        + "; ".join(
            f"{'/'.join(map(str, o[0]))} and {'/'.join(map(str, o[-1]))}" for o in r["objects"]
        )
        + ".",
        "",
        "By network size (made-up payloads of each shape, the pulse playing at half speed):",
        "",
    ]
    rows = [
        [
            shape,
            s["calls"],
            f"{s['fps']:.1f}",
            f"{s['bare_fps']:.1f}",
            f"{s['ratio']:.2f}",
            f"{s['busy']:.0%}",
        ]
        for shape, s in r["shapes"].items()
    ]
    lines += table(
        [
            "hidden layers x units",
            "draw calls",
            "fps",
            "bare three.js clear, fps",
            "ratio",
            "main thread busy",
        ],
        rows,
    )
    return lines


def summary(r: dict) -> list[list[str]]:
    small, large = r["shapes"]["12 x 16"], r["shapes"]["48 x 128"]
    return [
        ["scene", "time to first frame", f"{r['first_frame']:.0f} ms after navigation start", ""],
        [
            "scene",
            "frames per second while playing",
            f"{r['fps']:.1f} (main thread {r['busy']:.0%} busy)",
            "",
        ],
        [
            "scene",
            "main thread idle when nothing moves",
            f"{r['idle_busy']:.2%} busy, {r['idle_frames']:.0f} frames in {IDLE_SECONDS:.0f} s",
            met(r["idle_frames"] == 0 and r["idle_busy"] < 0.02),
        ],
        *[
            [
                "scene",
                f"{target} fps or more while playing at {shape}",
                f"{r['shapes'][shape]['fps']:.1f} fps, {r['shapes'][shape]['ratio']:.2f} of a "
                "bare three.js clear",
                met(r["shapes"][shape]["fps"] >= target),
            ]
            for shape, target in FPS_TARGETS.items()
        ],
        [
            "scene",
            "the same draw calls for 12 x 16 and 48 x 128",
            f"{small['calls']} and {large['calls']}",
            met(small["calls"] == large["calls"]),
        ],
        [
            "scene",
            f"no JS heap growth over {SWITCHES} scenario switches",
            f"{r['growth'] / 1024:+.0f} KB on {r['before'] / 1024**2:.1f} MB after "
            f"{SWITCHES}; the page's own objects {r['page_growth'] / 1024:+.1f} KB over "
            f"switches {SETTLE_SWITCHES // 2}–{SETTLE_SWITCHES} (the browser's "
            f"{r['browser_growth'] / 1024:+.0f} KB)",
            met(heap_ok(r)),
        ],
    ]


def main() -> int:
    r = measure()
    text = "\n".join(section(r)) + "\n"
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / "scene.md").write_text(text)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
