"""Screenshots of the built book for a person to look at: every page, on a phone (390×844) and a
wide desktop (1600×1000), in the light and the dark theme.

    nox -s screenshots                      # builds the book, then writes the screenshots
    python bench/screenshots.py [--html DIR] [--out DIR] [--pages index.html,chapters/...]

For each page and layout it writes the top of the page and, on chapters, the scene in the middle
of the screen, to bench/report/screenshots/ (git-ignored). The scene is shown as a reader who
prefers reduced motion sees it: the whole backward pass, still, so that shots compare run to run.
Needs Chromium (Debian's `chromium`) and Python Playwright, as the browser tests do.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from localsite import CHROMIUM_ARGS, find_chromium, serve  # noqa: E402  (shared with the tests)

LAYOUTS = {"phone": (390, 844), "desktop": (1600, 1000)}
SCHEMES = ("light", "dark")


def book_pages(html: Path) -> list[str]:
    chapters = sorted(str(p.relative_to(html)) for p in (html / "chapters").glob("*.html"))
    return ["index.html", *chapters, "glossary.html", "references.html"]


def shoot(html: Path, out: Path, pages: list[str]) -> list[Path]:
    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("Chromium is not installed (apt-get install chromium).")
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    problems: list[str] = []
    with serve(html) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for layout, (width, height) in LAYOUTS.items():
            for scheme in SCHEMES:
                context = browser.new_context(
                    viewport={"width": width, "height": height},
                    color_scheme=scheme,
                    reduced_motion="reduce",
                )
                for path in pages:
                    page = context.new_page()
                    page.on(
                        "console",
                        lambda m, path=path: (
                            problems.append(f"{path}: {m.text}") if m.type == "error" else None
                        ),
                    )
                    page.on("pageerror", lambda e, path=path: problems.append(f"{path}: {e}"))
                    page.goto(f"{base}/{path}", wait_until="load")
                    page.wait_for_timeout(300)  # MathJax typesets after load
                    stem = path.removesuffix(".html").replace("/", "-")
                    name = out / f"{stem}-{layout}-{scheme}-top.png"
                    page.screenshot(path=name)
                    written.append(name)
                    scene = page.locator(".gradbook-scene")
                    if scene.count():
                        scene.first.evaluate("e => e.scrollIntoView({ block: 'center' })")
                        page.wait_for_function(
                            "() => ['ready', 'fault'].includes("
                            "document.querySelector('.gradbook-scene').dataset.gradbookStatus)",
                            timeout=20000,
                        )
                        # Mounted, the scene is taller than its empty box: centre it again.
                        scene.first.evaluate("e => e.scrollIntoView({ block: 'center' })")
                        page.wait_for_timeout(400)
                        name = out / f"{stem}-{layout}-{scheme}-scene.png"
                        page.screenshot(path=name)
                        written.append(name)
                    page.close()
                context.close()
        browser.close()
    for problem in problems:
        print("error on the page:", problem, file=sys.stderr)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, default=ROOT / "docs" / "_build" / "html")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "report" / "screenshots")
    parser.add_argument("--pages", help="comma-separated pages, e.g. chapters/03-vanishing.html")
    args = parser.parse_args()
    if not (args.html / "index.html").is_file():
        raise SystemExit(f"No book in {args.html}: build it first (nox -s docs).")
    pages = args.pages.split(",") if args.pages else book_pages(args.html)
    start = time.perf_counter()
    written = shoot(args.html, args.out, pages)
    print(f"{len(written)} screenshots in {args.out} ({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
