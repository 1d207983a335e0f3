"""Measure the gradient-flow scene in headless Chromium with software WebGL, and print a report.

Not a test: numbers depend on the machine. Run after `npm run build`:

    python bench/scene_bench.py

It measures draw calls per frame for networks of 12 x 16, 24 x 64 and 48 x 128 units, frames
per second while the pulse plays at the default size, time from navigation start to the first
drawn frame, the bundle's size and the exported payloads' sizes.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "_static" / "threejs" / "dist"
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from conftest import CHROMIUM_ARGS, find_chromium  # noqa: E402
from gradbook import export  # noqa: E402
from gradbook.scenarios import SCENARIOS  # noqa: E402

FPS_SECONDS = 4.0  # how long the pulse plays while frames are counted, in s


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


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory))
    )
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def open_scene(browser, base: str, payload_path: str, scenario: str | None = None):
    page = browser.new_page(viewport={"width": 1000, "height": 900}, reduced_motion="reduce")
    query = f"payload={payload_path}" + (f"&scenario={scenario}" if scenario else "")
    page.goto(f"{base}/tests/browser/pages/scene.html?{query}")
    page.wait_for_function("() => window.gradbook?.scenes?.[0]?.scene.frames > 0", timeout=30000)
    return page


def main() -> None:
    if not (DIST / "gradbook-scene.js").exists():
        sys.exit("Build the scene first: npm run build")
    chromium = find_chromium()
    if chromium is None:
        sys.exit("Chromium is not installed (apt-get install chromium).")
    report: list[str] = []

    # Sizes: the bundle, and each scenario's payload as the book would inline it.
    for name in ("gradbook-scene.js", "gradbook-loader.js"):
        raw = (DIST / name).read_bytes()
        report.append(
            f"{name:<28} {len(raw) / 1024:8.1f} KB raw "
            f"{len(gzip.compress(raw, 9)) / 1024:8.1f} KB gzipped"
        )
    sizes = {}
    for sid in SCENARIOS:
        sizes[sid] = len(export.dumps(export.build_payload([sid])).encode())
    for sid, n in sizes.items():
        report.append(f"payload {sid:<20} {n / 1024:8.1f} KB")

    with tempfile.TemporaryDirectory(dir=DIST) as tmp:
        tmp_path = Path(tmp)
        rel = tmp_path.relative_to(ROOT).as_posix()
        httpd, base = serve(ROOT)
        try:
            for depth, width in ((12, 16), (24, 64), (48, 128)):
                (tmp_path / f"{depth}x{width}.json").write_text(
                    json.dumps(synthetic_payload(depth, width))
                )
            (tmp_path / "real.json").write_text(
                export.dumps(export.build_payload(["sigmoid-vanishing"]))
            )
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                for depth, width in ((12, 16), (24, 64), (48, 128)):
                    page = open_scene(browser, base, f"/{rel}/{depth}x{width}.json")
                    calls = page.evaluate(
                        "() => { const s = window.gradbook.scenes[0].scene; s.renderNow();"
                        " return s.renderer.info.render.calls; }"
                    )
                    fps = measure_fps(page)
                    report.append(
                        f"{depth:>2} layers x {width:>3} units: {calls} draw calls per frame, "
                        f"{fps:5.1f} fps while the pulse plays"
                    )
                    page.close()

                # Default size, real payload: first frame and fps.
                t0 = time.perf_counter()
                page = open_scene(browser, base, f"/{rel}/real.json", "sigmoid-vanishing")
                wall = (time.perf_counter() - t0) * 1000
                first = page.evaluate("() => window.gradbook.scenes[0].scene.firstFrameAt")
                size = page.evaluate(
                    "() => { const c = window.gradbook.scenes[0].scene.canvas;"
                    " return [c.width, c.height]; }"
                )
                fps = measure_fps(page)
                report.append(
                    f"sigmoid-vanishing at the default size ({size[0]} x {size[1]} px): "
                    f"{fps:.1f} fps while the pulse plays; first frame {first:.0f} ms after "
                    f"navigation start ({wall:.0f} ms wall clock incl. browser)"
                )
                idle = page.evaluate(
                    """() => new Promise((resolve) => {
                        const s = window.gradbook.scenes[0];
                        s.pause();
                        setTimeout(() => {
                            const f = s.scene.frames;
                            setTimeout(() => resolve(s.scene.frames - f), 1000);
                        }, 500);
                    })"""
                )
                report.append(f"frames drawn in 1 s when idle: {idle}")
                browser.close()
        finally:
            httpd.shutdown()
    print("\n".join(report))


def measure_fps(page) -> float:
    """Frames drawn per second while the pulse plays (the scene draws only when needed)."""
    return page.evaluate(
        """(seconds) => new Promise((resolve) => {
            const s = window.gradbook.scenes[0];
            s.player.reducedMotion = false; s.scene.reducedMotion = false;
            s.player.speed = 0.5; s.setStep(0); s.play();
            const f0 = s.scene.frames, t0 = performance.now();
            setTimeout(() => {
                const fps = (s.scene.frames - f0) / ((performance.now() - t0) / 1000);
                s.pause(); resolve(fps);
            }, seconds * 1000);
        })""",
        FPS_SECONDS,
    )


if __name__ == "__main__":
    main()
