"""Fixtures shared across test folders: the book, built once per session, and served over HTTP."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

# gradcheck.py and bookbuild.py sit beside the tests and are imported by them.
sys.path.insert(0, str(Path(__file__).parent))

from bookbuild import Build, build_book


@pytest.fixture
def ax():
    """A fresh matplotlib axes (off screen), closed after the test."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


@pytest.fixture(scope="session")
def book(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The book, built the way `nox -s docs` builds it, into a temporary directory."""
    return build_book(tmp_path_factory.mktemp("book"))


@dataclass(frozen=True)
class ServedBook:
    base: str  # URL of the book's root folder, no trailing slash
    html: Path  # the folder served
    pages: tuple[str, ...]  # every page written by Sphinx, relative to the root, index first

    def url(self, page: str) -> str:
        return f"{self.base}/{page}"

    @property
    def chapters(self) -> tuple[str, ...]:
        return tuple(p for p in self.pages if p.startswith("chapters/"))


@pytest.fixture(scope="session")
def served_book(book: Build, http_server) -> ServedBook:
    """The session's book, copied under the browser tests' HTTP server (http_server, in
    tests/browser/conftest.py), which only serves the repository and its own scratch folder."""
    if book.returncode != 0:
        pytest.fail(f"the book did not build (sphinx-build exited {book.returncode}):\n{book.log}")
    dest = http_server.tmp / "book"
    if not dest.exists():
        shutil.copytree(book.html, dest)
    pages = sorted(
        str(p.relative_to(dest)) for p in dest.rglob("*.html") if "_static" not in p.parts
    )
    pages.remove("index.html")
    return ServedBook(base=f"{http_server.url}/_tmp/book", html=dest, pages=("index.html", *pages))
