"""Formulas typeset at build time (docs/_ext/gradbook_math.py): a formula becomes SVG, and a TeX
error is a build warning that names the formula, with the TeX shown escaped on the page."""

from __future__ import annotations

import logging
import shutil
import sys

import pytest
from docutils import nodes

from bookbuild import DOCS, ROOT

sys.path.insert(0, str(DOCS / "_ext"))
import gradbook_math

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules" / "mathjax").is_dir(),
    reason="needs node and `npm ci` (nox -s tests provides both)",
)


@pytest.fixture(scope="module")  # one node process: MathJax takes seconds to start
def typeset():
    t = gradbook_math._Typesetter()
    yield t
    t.close()


def test_a_formula_becomes_svg(typeset) -> None:
    html = typeset(r"\frac{\partial L}{\partial W_1}", False, nodes.math())
    assert html.startswith("<mjx-container") and "<svg" in html
    assert "<math" in html  # MathML beside it, for screen readers


def test_a_tex_error_warns_and_shows_the_tex_escaped(typeset, caplog) -> None:
    tex = r"a < b \frac{1}{<script>alert(1)</script>"  # an unclosed brace: a TeX error
    with caplog.at_level(logging.WARNING):
        html = typeset(tex, False, nodes.math())
    assert html == (
        '<code class="tex-error">a &lt; b \\frac{1}{&lt;script&gt;alert(1)&lt;/script&gt;</code>'
    )
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "TeX error in" in warnings[0] and "alert(1)" in warnings[0]
    # The typesetter goes on working after an error.
    assert "<svg" in typeset("x^2", True, nodes.math())
