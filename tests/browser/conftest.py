"""Fixtures for browser tests: a local HTTP server and headless Debian Chromium.

Shared by the scene's tests and the book's tests. The server serves the repository root, plus a
per-session scratch directory under ``/_tmp/`` for files a test writes (payloads, pages). The
server and Chromium's settings live in bench/localsite.py, which the benchmarks use too.

Without Chromium the browser tests are skipped, with one line in the summary that says so and
how to get it; in CI (CI=true) they fail instead, since CI must run them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "_static" / "threejs" / "dist"

sys.path.insert(0, str(ROOT / "bench"))
from localsite import CHROMIUM_ARGS, CHROMIUM_HELP, find_chromium, serve  # noqa: E402

NO_CHROMIUM = f"browser tests skipped: Chromium is not installed ({CHROMIUM_HELP})"
_SKIP_BROWSER = pytest.StashKey[bool]()


@pytest.hookimpl(trylast=True)  # after -m and -k have deselected what will not run
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Decide once, before anything runs, whether the browser tests can run at all."""
    config.stash[_SKIP_BROWSER] = False
    if find_chromium() is not None or not any(i.get_closest_marker("browser") for i in items):
        return
    if os.environ.get("CI", "").lower() == "true":
        raise pytest.UsageError("Chromium is not installed, and CI must run the browser tests.")
    config.stash[_SKIP_BROWSER] = True


def pytest_runtest_setup(item: pytest.Item) -> None:
    # Skipped here, before any fixture (the book's build, the server) is set up, and from this
    # one line, so pytest's summary folds all of them into a single "SKIPPED [N]" line.
    if item.config.stash.get(_SKIP_BROWSER, False) and item.get_closest_marker("browser"):
        pytest.skip(NO_CHROMIUM)


def _require_chromium() -> str:
    path = find_chromium()
    if path is None:  # only reached by a test without the browser marker
        pytest.fail(f"this test drives a browser but is not marked browser; {NO_CHROMIUM}")
    return path


@dataclass
class Server:
    url: str  # base URL, no trailing slash
    tmp: Path  # files here are served under {url}/_tmp/

    def page(self, path: str) -> str:
        return f"{self.url}/{path.lstrip('/')}"


@pytest.fixture(scope="session")
def http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Serve the repository root over HTTP on 127.0.0.1 with a free port, for the whole session;
    the browser never caches what it loads (tests rewrite payloads and bundles)."""
    tmp = tmp_path_factory.mktemp("served")
    with serve(ROOT, scratch=tmp) as url:
        yield Server(url=url, tmp=tmp)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright's launch options, pointed at Debian's Chromium with software WebGL."""
    return {
        **browser_type_launch_args,
        "executable_path": _require_chromium(),
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture(scope="session")
def scene_bundle() -> Path:
    """The built scene bundle; a clear error if `npm run build` has not been run."""
    bundle = DIST / "gradbook-scene.js"
    if not bundle.exists() or not (DIST / "gradbook-loader.js").exists():
        pytest.fail(
            f"{bundle.relative_to(ROOT)} is missing: run "
            "`npm ci --ignore-scripts && npm run build` (nox -s tests does this)."
        )
    return bundle
