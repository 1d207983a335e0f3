"""Page weight of the built book: what each page transfers, gzipped, by kind of file.

Part of `nox -s bench`; also runs alone on a built book, and prints its table, with a Python
that has Playwright, such as the one `nox -s tests` makes:

    .nox/tests/bin/python bench/page_weight.py                        # weigh docs/_build/html
    .nox/tests/bin/python bench/page_weight.py --compare before.json  # beside an earlier run

Without a built book, Playwright or Chromium it stops with one line that says what is missing.

Every run writes its numbers to bench/report/page_weight.json (copy that file away to compare
a later build with it). Headless Chromium loads each page of docs/_build/html from a local
server (which does not compress) into an empty cache and lists every request. Each response is
the file the server read, so its gzip size is the file's, compressed here at level 6.
"Before scrolling" ends when the network has been quiet; then the first scene is scrolled into
view (timed to its first frame) and the reader scrolls through the whole page, and everything
requested by then counts in "after a scroll through it". The page's inline payload (the
<script type="application/json" id="gradbook-payload-..."> element) is counted on its own and
taken out of the page's HTML.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import KB, REPORT_DIR, ROOT, chromium, gz, kb, log, met, serve, table

HTML = ROOT / "docs" / "_build" / "html"
BEFORE_SCROLL = 150 * KB  # a chapter before the reader scrolls, gzipped
AFTER_SCROLL = 300 * KB  # a chapter with everything it fetches after a scroll through it
SCENE_DIST = "_static/threejs/dist/"
SCENE_LOADER = SCENE_DIST + "gradbook-loader.js"  # small, on every page: counted as js
KINDS = ["html", "payload", "css", "js", "fonts", "images", "scene bundle", "other"]
PAYLOAD = re.compile(
    rb'<script type="application/json" id="gradbook-payload-[^"]*">.*?</script>', re.DOTALL
)
FONTS = (".woff", ".woff2", ".ttf", ".otf", ".eot")
IMAGES = (".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".ico")
# Top-level pages weighed besides the chapters (those that exist); the lab has a scene too.
EXTRA_PAGES = ("index.html", "lab.html")


def kind(path: str) -> str:
    """The kind of a file of the built book, by its path below docs/_build/html."""
    name = path.rsplit("/", 1)[-1].lower()
    if path.startswith(SCENE_DIST) and path != SCENE_LOADER:
        return "scene bundle"
    if name.endswith(".html"):
        return "html"
    if name.endswith(".css"):
        return "css"
    if name.endswith((".js", ".mjs")):
        return "js"
    if name.endswith(FONTS):
        return "fonts"
    if name.endswith(IMAGES):
        return "images"
    return "other"


def local_path(url: str, base: str) -> str | None:
    """The file below docs/_build/html that the local server answered `url` with."""
    if not url.startswith(base):
        return None  # data: URLs and (there should be none) other hosts
    return unquote(urlsplit(url).path).lstrip("/")


def weigh(html: Path, paths: list[str]) -> dict[str, dict[str, int]]:
    """Gzipped and raw bytes and file count by kind; the page's payload is split out of its HTML."""
    out = {k: {"gz": 0, "raw": 0, "n": 0} for k in KINDS}
    for path in paths:
        data = (html / path).read_bytes()
        k = kind(path)
        out[k]["gz"] += gz(data)
        out[k]["raw"] += len(data)
        out[k]["n"] += 1
        if k == "html":
            for m in PAYLOAD.finditer(data):
                size, raw = gz(m.group(0)), len(m.group(0))
                out["payload"]["gz"] += size
                out["payload"]["raw"] += raw
                out["payload"]["n"] += 1
                out["html"]["gz"] -= size
                out["html"]["raw"] -= raw
    return out


SCROLL_THROUGH = """async () => {
  const step = Math.max(200, Math.floor(window.innerHeight * 0.8));
  for (let y = 0; y < document.documentElement.scrollHeight; y += step) {
    window.scrollTo(0, y);
    await new Promise((done) => setTimeout(done, 150));
  }
  window.scrollTo(0, document.documentElement.scrollHeight);
}"""


def load(context, base: str, page_path: str) -> dict:
    """Requests before scrolling, then after scrolling to the first scene and through the page."""
    page = context.new_page()
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.goto(f"{base}/{page_path}", wait_until="load")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
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
    page.evaluate(SCROLL_THROUGH)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    page.close()
    paths = [p for p in (local_path(u, base) for u in urls) if p]
    initial = list(dict.fromkeys(p for p in paths[:n_initial]))
    later = [p for p in dict.fromkeys(paths[n_initial:]) if p not in initial]
    return {**r, "initial": initial, "later": later, "has_scene": has_scene}


def pages_of(html: Path) -> list[str]:
    chapters = sorted(p.relative_to(html).as_posix() for p in (html / "chapters").glob("*.html"))
    return [p for p in EXTRA_PAGES if (html / p).exists()] + chapters


class Missing(RuntimeError):
    """Something the measurement needs is not there (bench/run.py reports it and goes on)."""


# Where a Python with Playwright is, when this one has none.
WITH_PLAYWRIGHT = (
    "run this with a Python that has it, such as nox's test environment's: "
    ".nox/tests/bin/python bench/page_weight.py (after nox -s tests)"
)


def _launch(p, executable: str, args: list[str]):
    from playwright.sync_api import Error

    try:
        return p.chromium.launch(executable_path=executable, args=args)
    except Error as err:  # Playwright's message is a page of logs: its first line says it
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise Missing(f"Chromium ({executable}) did not start: {first}") from None


def measure(html: Path = HTML) -> dict:
    if not (html / "index.html").exists():
        raise Missing(f"the book is not built ({html} has no index.html): nox -s docs")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise Missing(
            f"Playwright is not installed in {sys.executable}: {WITH_PLAYWRIGHT}"
        ) from None
    try:
        executable, args = chromium()
    except RuntimeError as err:
        raise Missing(str(err)) from None
    results = {}
    with serve(html) as base, sync_playwright() as p:
        browser = _launch(p, executable, args)
        for page_path in pages_of(html):
            log(f"page weight: {page_path}")
            # A fresh context per page: an empty cache, as for a first visit.
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            loaded = load(context, base, page_path)
            context.close()
            everything = loaded["initial"] + loaded["later"]
            results[page_path] = {
                **loaded,
                "files": {path: gz((html / path).read_bytes()) for path in everything},
                "initial_kinds": weigh(html, loaded["initial"]),
                "total_kinds": weigh(html, everything),
            }
        browser.close()
    return results


def _sum(kinds: dict) -> int:
    return sum(v["gz"] for v in kinds.values())


def _name(page: str) -> str:
    return page.removeprefix("chapters/").removesuffix(".html")


def _budgeted(r: dict) -> dict:
    """The pages the budget is for: the chapters, whose scene sits below the first screen (the
    lab, whose scene and controls are its first screen, is weighed by lab_bench.py against the
    budget after a scroll)."""
    return {p: v for p, v in r.items() if v["has_scene"] and p.startswith("chapters/")}


def kinds_table(r: dict) -> list[str]:
    """One row per page and moment (before scrolling, after a scroll through it), KB by kind."""
    shown = [k for k in KINDS if any(v["total_kinds"][k]["n"] for v in r.values())]
    header = ["page", "when", *shown, "total", "target", "requests"]
    budgeted = _budgeted(r)
    rows = []
    for page, v in r.items():
        for when, kinds, target, n in (
            ("before scrolling", v["initial_kinds"], BEFORE_SCROLL, len(v["initial"])),
            ("after a scroll", v["total_kinds"], AFTER_SCROLL, len(v["initial"] + v["later"])),
        ):
            total = _sum(kinds)
            rows.append(
                [
                    _name(page),
                    when,
                    *(kb(kinds[k]["gz"]) for k in shown),
                    f"**{kb(total)}**",
                    f"≤ {target // KB}: {met(total <= target)}"
                    if page in budgeted or (v["has_scene"] and target == AFTER_SCROLL)
                    else "",
                    n,
                ]
            )
    return table(header, rows, left=2)


def section(r: dict) -> list[str]:
    lines = ["## Page weight", ""]
    lines.append(
        "KB gzipped (level 6; 1 KB = 1024 bytes), each page loaded into an empty cache at "
        "1280 x 900 CSS px. Before scrolling: until the network is quiet. After a scroll: "
        "everything requested once the first scene has been scrolled into view and the reader "
        "has scrolled to the end of the page. The scene's inline payload is counted apart from "
        "the page's HTML; the scene bundle is three.js with the scene's modules."
    )
    lines += ["", *kinds_table(r)]
    chapters = _budgeted(r)
    if not chapters:
        return lines
    before = {p: _sum(v["initial_kinds"]) for p, v in chapters.items()}
    after = {p: _sum(v["total_kinds"]) for p, v in chapters.items()}
    lazy = all(kind(f) != "scene bundle" for v in chapters.values() for f in v["initial"]) and all(
        any(kind(f) == "scene bundle" for f in v["later"]) for v in chapters.values()
    )
    frames = [v["scroll_to_frame"] for v in chapters.values()]
    lines += [
        "",
        f"Before scrolling ≤ 150 KB: {met(max(before.values()) <= BEFORE_SCROLL)} "
        f"({kb(min(before.values()))}–{kb(max(before.values()))} KB). "
        f"After a scroll through the page ≤ 300 KB: {met(max(after.values()) <= AFTER_SCROLL)} "
        f"({kb(min(after.values()))}–{kb(max(after.values()))} KB; largest: "
        f"{_name(max(after, key=after.get))}).",
        f"The scene bundle is requested only once a scene comes near the viewport: {met(lazy)}.",
        f"From scrolling to the scene's first frame (the bundle downloaded, parsed and run): "
        f"median {statistics.median(frames):.0f} ms, {min(frames):.0f}–{max(frames):.0f} ms.",
        "",
        *largest_files(chapters),
    ]
    return lines


def largest_files(chapters: dict) -> list[str]:
    """The files that weigh most, over the chapters: where the next kilobytes would come from."""
    sizes: dict[str, list[int]] = {}
    for v in chapters.values():
        for path, size in v["files"].items():
            if kind(path) != "html":
                sizes.setdefault(path, []).append(size)
    shared = [p for p in sizes if len(sizes[p]) > 1]
    biggest = sorted(shared, key=lambda p: -max(sizes[p]))[:6]
    rows = [
        [f"`{p}`", kind(p), kb(max(sizes[p])), f"{len(sizes[p])} of {len(chapters)}"]
        for p in biggest
    ]
    lines = ["The largest files the chapters share:", ""]
    return lines + table(["file", "kind", "KB gzipped", "chapters loading it"], rows, left=2)


def comparison(before: dict, after: dict) -> list[str]:
    """Totals of an earlier run (`before`) beside this one, page by page."""
    header = ["page", "before scrolling: then", "now", "after a scroll: then", "now"]
    rows = []
    for page, v in after.items():
        old = before.get(page)
        rows.append(
            [
                _name(page),
                kb(_sum(old["initial_kinds"])) if old else "",
                kb(_sum(v["initial_kinds"])),
                kb(_sum(old["total_kinds"])) if old else "",
                kb(_sum(v["total_kinds"])),
            ]
        )
    return ["", "### Against an earlier run", "", *table(header, rows)]


def summary(r: dict) -> list[list[str]]:
    chapters = _budgeted(r)
    before = [_sum(v["initial_kinds"]) for v in chapters.values()]
    after = [_sum(v["total_kinds"]) for v in chapters.values()]
    return [
        [
            "page weight",
            "a chapter before the reader scrolls ≤ 150 KB gzipped",
            f"{kb(min(before))}–{kb(max(before))} KB",
            met(max(before) <= BEFORE_SCROLL),
        ],
        [
            "page weight",
            "a chapter after a scroll through it, scene included, ≤ 300 KB gzipped",
            f"{kb(min(after))}–{kb(max(after))} KB",
            met(max(after) <= AFTER_SCROLL),
        ],
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--compare", type=Path, help="an earlier run's page_weight.json (or bench's results.json)"
    )
    parser.add_argument("--html", type=Path, default=HTML, help="a built book (docs/_build/html)")
    opts = parser.parse_args()
    earlier = json.loads(opts.compare.read_text()) if opts.compare else None
    if earlier and "pages" in earlier:  # results.json from `nox -s bench`
        earlier = earlier["pages"]
    try:
        r = measure(opts.html)
    except Missing as missing:
        sys.stderr.write(f"page_weight: error: {missing}\n")
        return 1
    lines = section(r) + (comparison(earlier, r) if earlier else [])
    text = "\n".join(lines) + "\n"
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / "page_weight.md").write_text(text)
    (REPORT_DIR / "page_weight.json").write_text(json.dumps(r, indent=1))
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
