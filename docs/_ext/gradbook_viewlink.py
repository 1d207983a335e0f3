"""The {view} role: a link in a chapter's text that steers the chapter's scene to a view.

    {view}`layer 1 stays dark <scenario=sigmoid-vanishing&step=199&layer=1>`

writes <a class="gradbook-view-link" href="#scenario=sigmoid-vanishing&step=199&layer=1">; the
scene (_static/threejs/viewlink.js) shows that view when the link is clicked, or when the page
is opened with that hash. A plain markdown link to "#scenario=..." would fail the build: MyST
reads it as a reference to a heading. The role fails the build, naming the link, for a key the
scene does not read, a value that is not a whole number, or a scenario that does not exist;
whether a step is recorded the scene itself says, with a message in place of the view.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from docutils import nodes
from sphinx.util.docutils import SphinxRole
from sphinx.util.nodes import split_explicit_title

from gradbook import scenarios

KEYS = ("scenario", "step", "layer", "scene")
WHOLE = ("step", "layer", "scene")


def view_error(target: str) -> str | None:
    """Why `target` is not a view the scene can read, or None."""
    try:
        pairs = parse_qsl(target, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        return f"cannot read the view {target!r}: expected key=value pairs joined by &"
    for key, value in pairs:
        if key not in KEYS:
            return f"the view {target!r} has an unknown key {key!r} (keys: {', '.join(KEYS)})"
        if key in WHOLE and not value.isdigit():
            return f"in the view {target!r}, {key} must be a whole number, not {value!r}"
        if key in ("layer", "scene") and int(value) < 1:
            return f"in the view {target!r}, {key} counts from 1"
        if key == "scenario" and value not in scenarios.SCENARIOS:
            return f"the view {target!r} names no scenario of gradbook: {value!r}"
    return None


class ViewRole(SphinxRole):
    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        _, title, target = split_explicit_title(self.text)
        problem = view_error(target)
        if problem:
            msg = self.inliner.reporter.error(problem, line=self.lineno)
            return [self.inliner.problematic(self.rawtext, self.rawtext, msg)], [msg]
        link = nodes.reference(
            self.rawtext, title, refuri=f"#{target}", classes=["gradbook-view-link"]
        )
        return [link], []


def setup(app):
    app.add_role("view", ViewRole())
    return {"parallel_read_safe": True, "parallel_write_safe": True}
