"""The built book: it builds cleanly, has the brief's chapters and length, and every chapter
carries a valid scene payload and a described figure, all served from the book itself."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
from prose import count_prose_words

from bookbuild import DOCS, ROOT, Build

pytestmark = pytest.mark.docs

# The brief's seven required sections, in its order, as (page, heading).
CHAPTERS = [
    ("chapters/01-gradient-flow-recap", "Gradient flow recap"),
    ("chapters/02-layer-by-layer", "Layer-by-layer multiplication"),
    ("chapters/03-vanishing", "Vanishing gradients"),
    ("chapters/04-exploding", "Exploding gradients"),
    ("chapters/05-diagnosing", "Diagnosing the problem"),
    ("chapters/06-solutions", "Solutions"),
    ("chapters/07-why-it-matters", "Why this matters for ML/AI"),
]
PROSE_WORDS = (1800, 2200)
SCHEMA = json.loads((ROOT / "src" / "gradbook" / "payload.schema.json").read_text("utf-8"))

# <link rel=...> values that make the browser fetch or connect to the target.
LOADING_RELS = {
    "stylesheet", "icon", "shortcut", "apple-touch-icon", "mask-icon", "manifest", "preload",
    "modulepreload", "prefetch", "preconnect", "dns-prefetch", "prerender",
}  # fmt: skip
# Attributes whose URL the browser loads, by tag ("*" for any tag).
LOADING_ATTRS = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
}
CSS_URL = re.compile(
    r"""url\(\s*(['"]?)(?P<url>[^'")]*)\1\s*\)|@import\s+(['"])(?P<imp>[^'"]+)\3"""
)
# Sphinx writes "WARNING: text" (after "path:line: " when it knows where). A Python logging line
# such as "ERROR:tornado.general:..." from the kernel client's event loop is not a page warning.
SPHINX_WARNING = re.compile(r"(^|: )(WARNING|ERROR|CRITICAL|SEVERE): ")
JS_URL = re.compile(r"""(['"`])(?P<url>(?:[a-z][a-z0-9+.-]*:)?//[^'"`\s]+)\1""", re.IGNORECASE)


class Page(HTMLParser):
    """The parts of one HTML page the tests look at."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self.styles: list[str] = []
        self.h1: list[str] = []
        self._open: list[tuple[str, dict[str, str]]] = []
        self._text: list[str] = []
        self._skip_depth = 0
        self._is_section_title = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.elements.append((tag, a))
        classes = a.get("class", "").split()
        if self._skip_depth:
            self._skip_depth += 1
        elif self._in("h1") and ("section-number" in classes or "headerlink" in classes):
            self._skip_depth = 1
            self._is_section_title = self._is_section_title or "headerlink" in classes
        elif tag in {"script", "style", "h1"}:
            self._open.append((tag, a))
            self._text = []
            self._is_section_title = False

    def handle_endtag(self, tag: str) -> None:
        if self._skip_depth:
            self._skip_depth -= 1
            return
        if self._open and self._open[-1][0] == tag:
            _, a = self._open.pop()
            text = "".join(self._text)
            if tag == "script":
                self.scripts.append((a, text))
            elif tag == "style":
                self.styles.append(text)
            elif self._is_section_title:
                # Only the body's section titles carry a permalink; the theme's header repeats
                # the page title in an h1 of its own.
                self.h1.append(" ".join(text.split()))

    def handle_data(self, data: str) -> None:
        if self._open and not self._skip_depth:
            self._text.append(data)

    def _in(self, tag: str) -> bool:
        return any(t == tag for t, _ in self._open)

    def by_id(self, element_id: str) -> tuple[str, dict[str, str]] | None:
        return next(((t, a) for t, a in self.elements if a.get("id") == element_id), None)

    def with_class(self, name: str) -> list[dict[str, str]]:
        return [a for _, a in self.elements if name in a.get("class", "").split()]


def is_elsewhere(url: str) -> bool:
    """True when a URL names another host (or any absolute location) rather than the book."""
    url = url.strip()
    if not url or url.startswith("#"):
        return False
    parts = urlsplit(url)
    if parts.scheme.lower() in {"data", "blob", "about"}:
        return False
    return bool(parts.scheme or parts.netloc or url.startswith("//"))


def loaded_urls(page: Page) -> list[str]:
    """Every URL that the page makes the browser load, as written in the page."""
    urls: list[str] = []
    for tag, a in page.elements:
        if tag == "link" and LOADING_RELS & set(a.get("rel", "").lower().split()):
            urls += [a.get("href", "")]
        for attr in LOADING_ATTRS.get(tag, ()):
            value = a.get(attr, "")
            urls += (
                [u.split()[0] for u in value.split(",") if u.strip()]
                if "srcset" in attr
                else [value]
            )
        urls += [m["url"] or m["imp"] for m in CSS_URL.finditer(a.get("style", ""))]
    for css in page.styles:
        urls += [m["url"] or m["imp"] for m in CSS_URL.finditer(css)]
    for a, code in page.scripts:
        if not a.get("src") and "json" not in a.get("type", ""):
            urls += [m["url"] for m in JS_URL.finditer(code)]
    return [u for u in urls if u]


def built_pages(book: Build) -> list[Path]:
    pages = sorted(book.html.rglob("*.html"))
    return [p for p in pages if "_static" not in p.relative_to(book.html).parts]


def chapter_payloads(book: Build) -> dict[str, str]:
    """Each payload's JSON text as it stands in the page, keyed by page and element id."""
    found = {}
    for name, _ in CHAPTERS:
        page = Page(book.page(f"{name}.html"))
        for a, text in page.scripts:
            if a.get("type") == "application/json" and a.get("id", "").startswith(
                "gradbook-payload"
            ):
                found[f"{name}#{a['id']}"] = text
    return found


def test_book_builds_without_warnings(book: Build) -> None:
    # Sphinx's own messages, not the kernel's log lines that share the stream.
    warnings = [line for line in book.log.splitlines() if SPHINX_WARNING.search(line)]
    assert book.returncode == 0, "sphinx-build -W failed:\n" + "\n".join(warnings or [book.log])
    assert not warnings, "\n".join(warnings)


def test_chapters_are_the_briefs_seven_in_order(book: Build) -> None:
    index = Page(book.page("index.html"))
    toc = [
        a["href"].removesuffix(".html")
        for tag, a in index.elements
        if tag == "a"
        and a.get("href", "").startswith("chapters/")
        and "reference" in a.get("class", "")
    ]
    assert list(dict.fromkeys(toc)) == [name for name, _ in CHAPTERS]
    for name, heading in CHAPTERS:
        h1 = Page(book.page(f"{name}.html")).h1
        assert len(h1) == 1, f"{name} has {len(h1)} top-level headings"
        assert h1[0].casefold() == heading.casefold(), name


def test_prose_length_is_the_briefs() -> None:
    counts = {
        name: count_prose_words((DOCS / f"{name}.md").read_text(encoding="utf-8"))
        for name, _ in CHAPTERS
    }
    total = sum(counts.values())
    low, high = PROSE_WORDS
    assert low <= total <= high, f"{total} words of prose, want {low}-{high}: {counts}"


@pytest.mark.parametrize("name", [name for name, _ in CHAPTERS])
def test_chapter_has_a_scene_with_a_valid_payload(book: Build, name: str) -> None:
    page = Page(book.page(f"{name}.html"))
    scenes = page.with_class("gradbook-scene")
    assert scenes, f"{name} has no .gradbook-scene container"
    for scene in scenes:
        assert scene.get("aria-label"), f"a scene in {name} has no aria-label"
        # A <div>'s aria-label is ignored without a role; a region is also a landmark to jump to.
        assert scene.get("role") == "region", f"a scene in {name} is not role='region'"
        ref = scene.get("data-payload", "")
        assert ref.startswith("#"), f"data-payload should be '#element-id', got {ref!r}"
        script = next((t for a, t in page.scripts if a.get("id") == ref[1:]), None)
        assert script is not None, f"{name}: no <script id={ref[1:]!r}> on the page"
        payload = json.loads(script)
        jsonschema.Draft202012Validator(SCHEMA).validate(payload)
        ids = {s["id"] for s in payload["scenarios"]}
        wanted = set(scene.get("data-scenario", "").replace(",", " ").split())
        assert wanted <= ids, f"{name}: data-scenario {sorted(wanted - ids)} not in {sorted(ids)}"
        fallback = scene.get("data-fallback", "")
        if fallback:
            assert fallback.startswith("#") and page.by_id(fallback[1:]), (
                f"{name}: data-fallback {fallback!r} names no element on the page"
            )


@pytest.mark.parametrize("name", [name for name, _ in CHAPTERS])
def test_chapter_has_a_figure_with_alt_text(book: Build, name: str) -> None:
    images = [a for tag, a in Page(book.page(f"{name}.html")).elements if tag == "img"]
    # docutils fills a missing alt with the image's path, which describes nothing.
    described = [
        a for a in images
        if a.get("alt", "").strip()
        and a["alt"].strip() not in {a.get("src", ""), Path(a.get("src", "")).name}
    ]  # fmt: skip
    assert described, f"{name} has {len(images)} images and none has real alt text"


def test_rebuild_gives_byte_identical_payloads(book: Build, rebuilt_book: Build) -> None:
    first, second = chapter_payloads(book), chapter_payloads(rebuilt_book)
    pages = {key.split("#")[0] for key in first}
    assert pages == {name for name, _ in CHAPTERS}, "some chapters carry no payload"
    assert first.keys() == second.keys()
    for key in first:
        assert first[key] == second[key], f"{key} differs between two builds"


def test_no_page_loads_anything_from_another_host(book: Build) -> None:
    elsewhere = {}
    for path in built_pages(book):
        urls = [u for u in loaded_urls(Page(path.read_text(encoding="utf-8"))) if is_elsewhere(u)]
        if urls:
            elsewhere[str(path.relative_to(book.html))] = sorted(set(urls))
    for path in sorted((book.html / "_static").rglob("*.css")):
        css = path.read_text(encoding="utf-8", errors="replace")
        urls = [m["url"] or m["imp"] for m in CSS_URL.finditer(css)]
        if bad := sorted({u for u in urls if is_elsewhere(u)}):
            elsewhere[str(path.relative_to(book.html))] = bad
    assert not elsewhere, json.dumps(elsewhere, indent=1)


def test_everything_a_page_loads_is_in_the_build(book: Build) -> None:
    missing = {}
    for path in built_pages(book):
        for url in loaded_urls(Page(path.read_text(encoding="utf-8"))):
            if is_elsewhere(url) or url.startswith(("data:", "blob:", "about:", "#")):
                continue
            target = (path.parent / urlsplit(url).path).resolve()
            if not target.is_file():
                missing.setdefault(str(path.relative_to(book.html)), []).append(url)
    assert not missing, json.dumps(missing, indent=1)
