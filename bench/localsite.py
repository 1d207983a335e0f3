"""A local static web server and Debian's headless Chromium, for the benchmarks and the browser
tests alike (tests/browser/conftest.py imports this module; nothing here imports the tests).

Standard library only, so either side can import it from any environment.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
CHROMIUM_HELP = "apt-get install chromium, or set GRADBOOK_CHROMIUM to a Chromium executable"


def find_chromium() -> str | None:
    """GRADBOOK_CHROMIUM, else Debian's chromium on PATH: Playwright's own browser download
    cannot work on these machines."""
    env = os.environ.get("GRADBOOK_CHROMIUM")
    if env:
        return env
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


SCRATCH = "/_tmp/"


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files, never cached by the browser (every load is a first visit, and tests
    rewrite payloads and bundles); requests are not logged; /_tmp/ maps to a scratch folder."""

    scratch: Path | None = None

    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if self.scratch is not None and clean.startswith(SCRATCH):
            root = self.scratch.resolve()
            target = (root / clean[len(SCRATCH) :]).resolve()
            if target == root or root in target.parents:
                return str(target)
            return str(root / "__outside__")  # a 404, never a file outside the folder
        return super().translate_path(path)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(directory: Path, scratch: Path | None = None) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 at a free port (and `scratch`, if given, under /_tmp/),
    uncompressed; yields the base URL, without a trailing slash."""
    handler = type("Handler", (_Handler,), {"scratch": scratch})
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(directory))
    )
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
