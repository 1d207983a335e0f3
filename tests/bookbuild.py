"""Build the book the way `nox -s docs` builds it, into a directory of the caller's choosing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
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
    seconds: float = 0.0

    @property
    def out(self) -> Path:
        """The build's folder: html/, doctrees/, jupyter_execute/ and .jupyter_cache/."""
        return self.html.parent

    def executed(self) -> list[str]:
        """The chapters this build ran (rather than took from jupyter-cache), as written in
        myst-nb's log: ".../docs/chapters/03-vanishing.md: Executing notebook ..." """
        return sorted(
            Path(line.split(": Executing notebook", 1)[0]).stem
            for line in self.log.splitlines()
            if ": Executing notebook" in line
        )

    def page(self, name: str) -> str:
        """The built HTML of a page such as "chapters/03-vanishing.html"."""
        path = self.html / name
        if not path.is_file():
            pytest.fail(
                f"{name} was not built (sphinx-build exited {self.returncode}):\n{self.log}"
            )
        return path.read_text(encoding="utf-8")


def build_book(out: Path, env: dict[str, str] | None = None) -> Build:
    """Run sphinx-build with warnings as errors, as `nox -s docs` does: the HTML in `out`/html,
    Sphinx's doctrees in `out`/doctrees and the jupyter cache in `out`/.jupyter_cache. `env`
    adds environment variables (PYTHONPATH, to build against a copy of the simulator)."""
    html = out / "html"
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html"]
    start = time.perf_counter()
    done = subprocess.run(
        [*cmd, "-d", str(out / "doctrees"), str(DOCS), str(html)],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    log = done.stdout + done.stderr
    return Build(html, done.returncode, log, time.perf_counter() - start)


def copy_simulator(dest: Path) -> Path:
    """A copy of src/gradbook under `dest`; returns the folder to put on PYTHONPATH."""
    shutil.copytree(
        ROOT / "src" / "gradbook", dest / "gradbook", ignore=shutil.ignore_patterns("__pycache__")
    )
    return dest
