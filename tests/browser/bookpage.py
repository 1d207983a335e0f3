"""Helpers for browser tests on the built book: what a page requested and logged, axe-core,
scenes on real chapter pages, colours and the JS heap."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page, Response
from scenepage import Errors

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# The pages of the book, from its sources: the landing page, the seven chapters, the lab, the
# reference pages, and Sphinx's own search and index pages. test_every_built_page_is_checked
# keeps this list in step with what Sphinx writes.
CHAPTERS = tuple(
    f"chapters/{p.stem}.html" for p in sorted((ROOT / "docs" / "chapters").glob("*.md"))
)
PAGES = (
    "index.html",
    *CHAPTERS,
    "lab.html",
    "glossary.html",
    "references.html",
    "search.html",
    "genindex.html",
)

# axe-core results it cannot decide are not failures, but only colour contrast is allowed to be
# undecided: over the scene's canvas, or under the theme's sticky header, axe cannot know the
# background. Anything else undecided (an aria-label on a <div> without a role, say) must be fixed.
AXE_UNDECIDABLE = {"color-contrast"}


@dataclass
class Visit:
    """Everything a page asked the network for and logged, from before its first request."""

    origin: str
    errors: Errors
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # HTTP errors and requests that never finished

    def attach(self, page: Page) -> Visit:
        self.errors.attach(page)
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        page.on("response", self._on_response)
        return self

    def _on_response(self, response: Response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.url} (HTTP {response.status})")

    def foreign(self) -> list[str]:
        """Requests to any host but the book's own (data: URLs never leave the page)."""
        return [
            u
            for u in self.requests
            if not u.startswith("data:") and not self._own_blob(u) and _origin(u) != self.origin
        ]

    def _own_blob(self, url: str) -> bool:
        """A Blob URL the page made (the lab's worker): it names the page's origin, "null" for
        a page opened from disk, and never leaves the browser."""
        if not url.startswith("blob:"):
            return False
        inner = url.removeprefix("blob:")
        return _origin(inner) == self.origin or (
            self.origin == "file://" and inner.startswith("null/")
        )

    def assert_clean(self) -> None:
        assert self.requests, "no request was recorded: the listener was attached too late"
        assert self.foreign() == [], f"requests to other hosts: {self.foreign()}"
        assert self.failed == [], f"failed requests: {self.failed}"
        self.errors.assert_none()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def visit(page: Page, url: str, **errors) -> Visit:
    """Start recording, then open url and wait for its load event."""
    v = Visit(origin=_origin(url), errors=Errors(**errors)).attach(page)
    page.goto(url, wait_until="load")
    return v


def wait_scenes(page: Page, status: str | None = "ready", timeout: float = 20000) -> list[str]:
    """Scroll every scene into view (they mount only when seen) and wait until each settles."""
    containers = page.locator(".gradbook-scene")
    for i in range(containers.count()):
        containers.nth(i).scroll_into_view_if_needed()
    page.wait_for_function(
        """() => [...document.querySelectorAll('.gradbook-scene')].every(
            (c) => ['ready', 'fault'].includes(c.dataset.gradbookStatus))""",
        timeout=timeout,
    )
    statuses = page.eval_on_selector_all(
        ".gradbook-scene", "cs => cs.map(c => c.dataset.gradbookStatus)"
    )
    if status is not None:
        assert statuses and set(statuses) == {status}, statuses
    return statuses


def axe(page: Page) -> tuple[list[dict], list[dict]]:
    """Run axe-core on the whole page: (violations, undecided results other than contrast)."""
    if not AXE.is_file():
        raise AssertionError(f"{AXE} is missing: run `npm ci --ignore-scripts` (nox -s tests does)")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, { resultTypes: ['violations', 'incomplete'] });
            const brief = (v) => ({
                id: v.id, impact: v.impact,
                nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary || ''}`),
            });
            return { violations: r.violations.map(brief), incomplete: r.incomplete.map(brief) };
        }"""
    )
    undecided = [v for v in result["incomplete"] if v["id"] not in AXE_UNDECIDABLE]
    return result["violations"], undecided


def assert_axe_clean(page: Page) -> None:
    violations, undecided = axe(page)
    assert violations == [], _describe(violations)
    assert undecided == [], _describe(undecided)


def _describe(results: list[dict]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): " + " | ".join(v["nodes"][:5]) for v in results)


# ---- colours --------------------------------------------------------------------------------


def parse_css_color(text: str) -> tuple[float, float, float]:
    """An sRGB colour as 0-255 floats, from '#rrggbb', 'rgb(r, g, b)' or 'rgba(r, g, b, a)'."""
    text = text.strip()
    if text.startswith("#") and len(text) == 7:
        return tuple(float(int(text[i : i + 2], 16)) for i in (1, 3, 5))  # type: ignore[return-value]
    m = re.fullmatch(r"rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:[,\s/]+[\d.]+)?\s*\)", text)
    if not m:
        raise ValueError(f"not a colour this helper reads: {text!r}")
    return tuple(float(g) for g in m.groups())  # type: ignore[return-value]


def _linear(c: float) -> float:
    c /= 255.0
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""
    r, g, b = (_linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def cie_lightness(rgb: tuple[float, float, float]) -> float:
    """CIE L* (0 black to 100 white) of an sRGB colour, D65 white."""
    y = relative_luminance(rgb)
    return 116 * y ** (1 / 3) - 16 if y > (6 / 29) ** 3 else y * (29 / 3) ** 3


# ---- memory ---------------------------------------------------------------------------------


def heap(page: Page) -> dict[str, int]:
    """JS heap in use after a full garbage collection, and the DOM's node and listener counts."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("HeapProfiler.enable")
        for _ in range(2):  # a second pass collects what the first one's finalizers released
            cdp.send("HeapProfiler.collectGarbage")
        used = cdp.send("Runtime.getHeapUsage")["usedSize"]
        dom = cdp.send("Memory.getDOMCounters")
    finally:
        cdp.detach()
    return {"heap": int(used), "nodes": dom["nodes"], "listeners": dom["jsEventListeners"]}
