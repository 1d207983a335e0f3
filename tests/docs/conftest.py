"""The book's own fixtures; `book`, shared with the browser tests, is in tests/conftest.py."""

from __future__ import annotations

import pytest

from bookbuild import Build, build_book


@pytest.fixture(scope="session")
def rebuilt_book(book: Build, tmp_path_factory: pytest.TempPathFactory) -> Build:
    """A second build with its own empty jupyter cache, so every chapter runs again."""
    return build_book(tmp_path_factory.mktemp("book-again"))
