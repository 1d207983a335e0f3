"""The book's own fixtures; `book`, shared with the browser tests, is in tests/conftest.py."""

from __future__ import annotations

import pytest

from bookbuild import Build, build_book, copy_simulator


@pytest.fixture(scope="session")
def rebuilt_book(book: Build, tmp_path_factory: pytest.TempPathFactory) -> Build:
    """A second build with its own empty jupyter cache, so every chapter runs again. It runs
    against a copy of the simulator, byte for byte the same, so that test_cache.py can start
    from it and edit that copy."""
    src = copy_simulator(tmp_path_factory.mktemp("simulator"))
    return build_book(tmp_path_factory.mktemp("book-again"), env={"PYTHONPATH": str(src)})
