"""Fixtures for browser tests: a local HTTP server and headless Debian Chromium.

Shared by the scene's tests and the book's tests. The server serves the repository root, plus a
per-session scratch directory under ``/_tmp/`` for files a test writes (payloads, pages).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "_static" / "threejs" / "dist"

# Flags that give WebGL2 in software (SwiftShader) in a headless container; Playwright adds
# --headless itself. Measured on Debian's chromium package.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-unsafe-swiftshader",
]


def find_chromium() -> str | None:
    """Debian's chromium: Playwright's own browser download cannot work on these machines."""
    env = os.environ.get("GRADBOOK_CHROMIUM")
    if env:
        return env
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _require_chromium() -> str:
    path = find_chromium()
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Chromium is not installed, and CI must run the browser tests.")
        pytest.skip("Chromium is not installed (apt-get install chromium); browser tests skipped.")
    return path


@dataclass
class Server:
    url: str  # base URL, no trailing slash
    tmp: Path  # files here are served under {url}/_tmp/

    def page(self, path: str) -> str:
        return f"{self.url}/{path.lstrip('/')}"


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the repository root, and the scratch directory under /_tmp/."""

    tmp_dir: Path

    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if clean.startswith("/_tmp/"):
            rel = clean[len("/_tmp/") :]
            target = (self.tmp_dir / rel).resolve()
            if self.tmp_dir.resolve() in target.parents or target == self.tmp_dir.resolve():
                return str(target)
            return str(self.tmp_dir / "__outside__")
        return super().translate_path(path)

    def end_headers(self) -> None:
        # Tests rebuild payloads and bundles; never let the browser reuse a stale one.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output quiet


@pytest.fixture(scope="session")
def http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Serve the repository root over HTTP on 127.0.0.1 with a free port, for the whole session."""
    tmp = tmp_path_factory.mktemp("served")
    handler = type("Handler", (_Handler,), {"tmp_dir": tmp})
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(ROOT))
    )
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(url=f"http://127.0.0.1:{httpd.server_address[1]}", tmp=tmp)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


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
