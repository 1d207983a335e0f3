"""`bench/page_weight.py` run alone, as the README writes it: each thing it needs that is missing
(a built book, Playwright, Chromium) ends it with one line that says so, not a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "page_weight.py"
# Runs the script with `playwright` made unimportable, as in a Python without it.
WITHOUT_PLAYWRIGHT = (
    "import runpy, sys; sys.modules['playwright'] = None; "
    f"sys.argv = [{str(SCRIPT)!r}, *sys.argv[1:]]; runpy.run_path(sys.argv[0], run_name='__main__')"
)


@pytest.fixture
def built(tmp_path) -> Path:
    """A folder that looks like a built book to the script's first check."""
    (tmp_path / "index.html").write_text("<!doctype html><title>book</title>")
    return tmp_path


def _one_line(*args: str, chromium: str | None = None) -> str:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home())}
    if chromium is not None:
        env["GRADBOOK_CHROMIUM"] = chromium
    result = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("page_weight: error: ")
    return lines[0]


def test_an_unbuilt_book_is_one_line(tmp_path):
    line = _one_line(str(SCRIPT), "--html", str(tmp_path))
    assert f"the book is not built ({tmp_path} has no index.html): nox -s docs" in line


def test_a_python_without_playwright_is_one_line_naming_one_with_it(built):
    line = _one_line("-c", WITHOUT_PLAYWRIGHT, "--html", str(built))
    assert "Playwright is not installed" in line
    assert ".nox/tests/bin/python bench/page_weight.py" in line


def test_no_chromium_is_one_line(built, tmp_path):
    line = _one_line(str(SCRIPT), "--html", str(built), chromium=str(tmp_path / "no-chromium"))
    assert f"Chromium is not at {tmp_path / 'no-chromium'}" in line


def test_a_chromium_that_does_not_start_is_one_line(built):
    pytest.importorskip("playwright")
    line = _one_line(str(SCRIPT), "--html", str(built), chromium="/bin/false")
    assert "Chromium (/bin/false) did not start: " in line
