"""Build the book the way `nox -s docs` builds it, into a directory of the caller's choosing."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


@dataclass(frozen=True)
class Build:
    html: Path
    returncode: int
    log: str

    def page(self, name: str) -> str:
        """The built HTML of a page such as "chapters/03-vanishing.html"."""
        path = self.html / name
        if not path.is_file():
            pytest.fail(
                f"{name} was not built (sphinx-build exited {self.returncode}):\n{self.log}"
            )
        return path.read_text(encoding="utf-8")


def build_book(out: Path) -> Build:
    """Run sphinx-build with warnings as errors; the jupyter cache goes beside `out`/html."""
    html = out / "html"
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", str(DOCS), str(html)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    return Build(html, done.returncode, done.stdout + done.stderr)
