"""Page weight of the built book: what each chapter page transfers, gzipped, by kind.

Part of `nox -s bench`; also runs alone on a built book: `python bench/page_weight.py`.
Headless Chromium loads each chapter page of docs/_build/html from a local server (which does
not compress) and lists every request. Each response is the file the server read, so its gzip
size is the file's, compressed here at level 6. The initial load ends when the network has been
quiet; then the first scene is scrolled into view and what that adds is counted separately.
The page's inline payload (the <script type="application/json" id="gradbook-payload-...">
element) is counted on its own and taken out of the page's HTML.
"""

from __future__ import annotations

import re
import statistics
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import KB, REPORT_DIR, ROOT, chromium, gz, kb, log, met, serve, table

HTML = ROOT / "docs" / "_build" / "html"
TARGET = 500 * KB  # a chapter page's initial load, gzipped
BUNDLE = "_static/threejs/dist/gradbook-scene.js"
KINDS = [
    "page HTML",
    "payload",
    "theme CSS/JS",
    "search index",
    "book CSS + scene loader",
    "figures",
    "MathJax",
    "fonts",
    "three bundle",
    "other",
]
PAYLOAD = re.compile(
    rb'<script type="application/json" id="gradbook-payload-[^"]*">.*?</script>', re.DOTALL
)
FONTS = (".woff", ".woff2", ".ttf", ".otf", ".eot")
BOOK_OWN = ("gradbook-book.css", "gradbook-terms.css", "gradbook-scene.css", "gradbook-loader.js")


def kind(path: str) -> str:
    """The kind of a file of the built book, by its path below docs/_build/html."""
    name = path.rsplit("/", 1)[-1]
    if path == BUNDLE:
        return "three bundle"
    if path.endswith(".html"):
        return "page HTML"
    if name.endswith(FONTS):
        return "fonts"
    if path.startswith("_static/mathjax/"):
        return "MathJax"
    if path.startswith("_images/"):
        return "figures"
    if name in BOOK_OWN:
        return "book CSS + scene loader"
    if name == "searchindex.js":
        return "search index"
    if path.startswith("_static/") and name.endswith((".css", ".js")):
        return "theme CSS/JS"
    return "other"


def local_path(url: str, base: str) -> str | None:
    """The file below docs/_build/html that the local server answered `url` with."""
    if not url.startswith(base):
        return None  # data: URLs and (there should be none) other hosts
    return unquote(urlsplit(url).path).lstrip("/")


def weigh(paths: list[str]) -> dict[str, dict[str, int]]:
    """Gzipped and raw bytes by kind; the page's payload is split out of its HTML."""
    out = {k: {"gz": 0, "raw": 0, "n": 0} for k in KINDS}
    for path in paths:
        data = (HTML / path).read_bytes()
        k = kind(path)
        out[k]["gz"] += gz(data)
        out[k]["raw"] += len(data)
        out[k]["n"] += 1
        if k == "page HTML":
            for m in PAYLOAD.finditer(data):
                size, raw = gz(m.group(0)), len(m.group(0))
                out["payload"]["gz"] += size
                out["payload"]["raw"] += raw
                out["payload"]["n"] += 1
                out["page HTML"]["gz"] -= size
                out["page HTML"]["raw"] -= raw
    return out


def load(context, base: str, page_path: str) -> dict:
    """Requests of the initial load, then of scrolling to the first scene, and its timing."""
    page = context.new_page()
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.goto(f"{base}/{page_path}", wait_until="load")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1000)  # MathJax typesets after load and may then fetch fonts
    page.wait_for_load_state("networkidle")
    n_initial = len(urls)
    has_scene = page.locator(".gradbook-scene").count() > 0
    r = {"scroll_to_frame": None}
    if has_scene:
        scrolled_at = page.evaluate(
            "() => { document.querySelector('.gradbook-scene').scrollIntoView();"
            " return performance.now(); }"
        )
        page.wait_for_function(
            "() => window.gradbook?.scenes?.[0]?.scene.frames > 0", timeout=60000
        )
        r["scroll_to_frame"] = (
            page.evaluate("() => window.gradbook.scenes[0].scene.firstFrameAt") - scrolled_at
        )
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)
    page.close()
    paths = [p for p in (local_path(u, base) for u in urls) if p]
    initial = list(dict.fromkeys(p for p in paths[:n_initial]))
    later = [p for p in dict.fromkeys(paths[n_initial:]) if p not in initial]
    return {**r, "initial": initial, "later": later, "has_scene": has_scene}


def measure() -> dict:
    if not (HTML / "index.html").exists():
        raise RuntimeError("the book is not built: nox -s docs")
    from playwright.sync_api import sync_playwright

    executable, args = chromium()
    chapters = sorted(p.relative_to(HTML).as_posix() for p in (HTML / "chapters").glob("*.html"))
    pages = ["index.html", *chapters]
    results = {}
    with serve(HTML) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=args)
        for page_path in pages:
            log(f"page weight: {page_path}")
            # A fresh context per page: an empty cache, as for a first visit.
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            loaded = load(context, base, page_path)
            context.close()
            results[page_path] = {
                **loaded,
                "files": {path: gz((HTML / path).read_bytes()) for path in loaded["initial"]},
                "initial_kinds": weigh(loaded["initial"]),
                "later_kinds": weigh(loaded["later"]),
                "bundle_initially": BUNDLE in loaded["initial"],
                "bundle_later": BUNDLE in loaded["later"],
            }
        browser.close()
    return results


def _total(kinds: dict) -> int:
    return sum(v["gz"] for v in kinds.values())


def section(r: dict) -> list[str]:
    lines = ["## Page weight", ""]
    lines.append(
        "KB gzipped (level 6; 1 KB = 1024 bytes), each chapter loaded into an empty cache at "
        "1280 x 900 CSS px. Initial: until the network is quiet, before any scrolling. Scroll: "
        "what scrolling the first scene into view adds. The inline payload is counted apart "
        "from the page's HTML."
    )
    lines.append("")
    shown = [k for k in KINDS if any(v["initial_kinds"][k]["n"] for v in r.values())]
    header = ["page", "initial", "target ≤ 500", *shown, "requests", "scroll adds", "three bundle"]
    rows = []
    for page, v in r.items():
        ik = v["initial_kinds"]
        if not v["has_scene"]:
            bundle = "never (no scene)" if not v["bundle_later"] else "loaded"
        elif v["bundle_initially"]:
            bundle = "**before scrolling**"
        elif v["bundle_later"]:
            bundle = "only after scrolling"
        else:
            bundle = "**never**"
        rows.append(
            [
                page.removeprefix("chapters/").removesuffix(".html"),
                f"**{kb(_total(ik))}**",
                met(_total(ik) <= TARGET) if v["has_scene"] else "",
                *(kb(ik[k]["gz"]) for k in shown),
                len(v["initial"]),
                kb(_total(v["later_kinds"])),
                bundle,
            ]
        )
    lines += table(header, rows)
    chapters = {p: v for p, v in r.items() if v["has_scene"]}
    worst = max(chapters, key=lambda p: _total(chapters[p]["initial_kinds"]))
    ok = all(_total(v["initial_kinds"]) <= TARGET for v in chapters.values())
    lazy = all(not v["bundle_initially"] and v["bundle_later"] for v in chapters.values())
    none_without = all(not v["bundle_initially"] for v in r.values() if not v["has_scene"])
    frames = [v["scroll_to_frame"] for v in chapters.values()]
    lines += [
        "",
        f"Chapter pages' initial load ≤ 500 KB gzipped: {met(ok)} (largest: "
        f"{worst.removeprefix('chapters/')}, {kb(_total(chapters[worst]['initial_kinds']))} KB).",
        f"The three bundle is not requested before a scene comes near the viewport: {met(lazy)} "
        f"(requested after scrolling on {sum(v['bundle_later'] for v in chapters.values())} of "
        f"{len(chapters)} chapters, before it on "
        f"{sum(v['bundle_initially'] for v in chapters.values())}); pages without a scene never "
        f"request it: {met(none_without)}.",
        f"From scrolling to the scene's first frame (the bundle downloaded, parsed and run): "
        f"median {statistics.median(frames):.0f} ms, {min(frames):.0f}–{max(frames):.0f} ms.",
    ]
    if not ok:
        lines += ["", *limits(chapters)]
    return lines


def limits(chapters: dict) -> list[str]:
    """What makes the chapters heavy: the largest files, and the weight without each."""
    sizes: dict[str, list[int]] = {}
    for v in chapters.values():
        for path, size in v["files"].items():
            if kind(path) != "page HTML":
                sizes.setdefault(path, []).append(size)
    biggest = sorted(sizes, key=lambda p: -max(sizes[p]))[:4]
    rows = [
        [f"`{p}`", kind(p), kb(max(sizes[p])), f"{len(sizes[p])} of {len(chapters)}"]
        for p in biggest
    ]
    lines = ["What limits it: the largest files of the chapters' initial loads.", ""]
    lines += table(["file", "kind", "KB gzipped", "chapters loading it"], rows)
    without = []
    for i in range(1, len(biggest) + 1):
        gone = set(biggest[:i])
        totals = [sum(s for p, s in v["files"].items() if p not in gone) for v in chapters.values()]
        names = ", ".join(Path(p).name for p in biggest[:i])
        without.append(f"without {names}: {kb(min(totals))}–{kb(max(totals))} KB")
    lines += ["", "The chapters' initial loads " + "; ".join(without) + "."]
    return lines


def summary(r: dict) -> list[list[str]]:
    chapters = {p: v for p, v in r.items() if v["has_scene"]}
    totals = [_total(v["initial_kinds"]) for v in chapters.values()]
    lazy = all(not v["bundle_initially"] and v["bundle_later"] for v in chapters.values())
    on_scroll = statistics.median(_total(v["later_kinds"]) for v in chapters.values())
    return [
        [
            "page weight",
            "a chapter's initial load ≤ 500 KB gzipped",
            f"{kb(min(totals))}–{kb(max(totals))} KB",
            met(max(totals) <= TARGET),
        ],
        [
            "page weight",
            "three's bundle loads only when a scene comes near the viewport",
            f"on {sum(not v['bundle_initially'] for v in chapters.values())} of {len(chapters)} "
            f"chapters ({kb(on_scroll)} KB on scrolling)",
            met(lazy),
        ],
    ]


def main() -> int:
    r = measure()
    text = "\n".join(section(r)) + "\n"
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / "page_weight.md").write_text(text)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
