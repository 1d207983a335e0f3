"""The gradient lab's page: the ``gradbook-lab`` directive and its script.

The directive writes the lab's container and, next to it, the book's colour scale as inline
JSON (gradbook.export.color_scale, the same scale every chapter's payload carries), so the lab
draws on exactly the chapters' colours without a second copy of the table in JavaScript. The lab
bundle (``_static/threejs/dist/gradbook-lab.js``, built by ``npm run build``) is added to the
pages that use the directive only, after the book-wide loader.
"""

from __future__ import annotations

import json

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.application import Sphinx

LAB_SCRIPT = "threejs/dist/gradbook-lab.js"
LAB_STYLE = "gradbook-lab.css"  # docs/_static
COLORS_ID = "gradbook-lab-colors"


def _inline_json(data: object) -> str:
    # "</" would end the <script> element early; "<\/" is the same JSON string.
    return json.dumps(data, separators=(",", ":")).replace("</", "<\\/")


class LabDirective(Directive):
    """``{gradbook-lab}``: the lab, built by the lab bundle inside this container."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from gradbook.export import color_scale  # the book builds against the package it documents

        env = self.state.document.settings.env
        env.metadata.setdefault(env.docname, {})["gradbook_lab"] = True
        html = (
            f'<script type="application/json" id="{COLORS_ID}">{_inline_json(color_scale())}'
            "</script>\n"
            f'<div class="gradbook-lab" data-colors="#{COLORS_ID}">'
            '<noscript><p class="gradbook-scene-message">The lab builds and trains networks '
            "in your browser, so it needs JavaScript.</p></noscript>"
            '<p class="gradbook-lab-loading">Loading the lab…</p></div>\n'
        )
        return [nodes.raw("", html, format="html")]


def _add_script(app: Sphinx, pagename: str, templatename, context: dict, doctree) -> None:
    if app.env.metadata.get(pagename, {}).get("gradbook_lab"):
        # Called from html-page-context, add_js_file adds the script to this page only.
        app.add_js_file(LAB_SCRIPT, priority=900, defer="defer")
        app.add_css_file(LAB_STYLE)


def setup(app: Sphinx) -> dict[str, bool]:
    app.add_directive("gradbook-lab", LabDirective)
    app.connect("html-page-context", _add_script)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
