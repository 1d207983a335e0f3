"""The ``{gradbook-scene}`` directive: a chapter's gradient-flow scene container.

    ```{gradbook-scene}
    :scenario: tanh-xavier
    :payload: gradbook-payload-ch1
    :fallback: fallback-ch1
    :label: a healthy 12-layer tanh network
    ```

writes the element the scene bundle fills in (``_static/threejs``), with a message for readers
without JavaScript that points at the figure showing the same data:

    <div class="gradbook-scene" role="region" data-payload="#gradbook-payload-ch1"
    data-scenario="tanh-xavier" data-fallback="#fallback-ch1"
    aria-label="Gradient-flow scene: a healthy 12-layer tanh network">...</div>

Options: ``scenario`` (the one shown first), ``payload`` (the id of the page's payload
element), ``fallback`` (the id of the figure), ``label`` (what the landmark is named after
"Gradient-flow scene: "), and optionally ``compare`` (scenarios shown side by side, comma
separated) and ``figures`` (how many figures above show the same data; 1 by default).
``scene_html`` is the one place the markup is written; ``scene_attributes`` reads it back
(the plain-Markdown notebooks and the converter from hand-written ``{raw} html`` blocks use it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from docutils import nodes
from docutils.parsers.rst import Directive, directives
from sphinx.application import Sphinx

LABEL_PREFIX = "Gradient-flow scene: "
_ID = re.compile(r"^[A-Za-z][\w.:-]*$")
_SCENARIO = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class SceneError(ValueError):
    pass


def _attr(value: str) -> str:
    # Attribute values are double-quoted: &, <, > and " are escaped, apostrophes stay as written.
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def scene_html(
    *,
    scenario: str,
    payload: str,
    fallback: str,
    label: str,
    compare: str | None = None,
    figures: int = 1,
) -> str:
    """The scene container's HTML (the bytes the chapters wrote by hand in ``{raw} html``)."""
    for name, value in (("payload", payload), ("fallback", fallback)):
        if not _ID.match(value):
            raise SceneError(f"{name} must be an element id such as 'fallback-ch1', got {value!r}")
    names = [scenario, *(compare.split(",") if compare is not None else [])]
    for name in names:
        if not _SCENARIO.match(name):
            raise SceneError(
                f"scenario names are lower-case words joined by '-' (compare: comma separated, "
                f"no spaces), got {name!r}"
            )
    if not label.strip():
        raise SceneError("label must say what the scene shows, e.g. 'a 12-layer tanh network'")
    if figures < 1:
        raise SceneError(f"figures must be 1 or more, got {figures}")
    compared = f' data-compare="{_attr(compare)}"' if compare is not None else ""
    shown = "The figure above</a> shows" if figures == 1 else "The figures above</a> show"
    return (
        f'<div class="gradbook-scene" role="region" data-payload="#{_attr(payload)}" '
        f'data-scenario="{_attr(scenario)}"{compared} data-fallback="#{_attr(fallback)}" '
        f'aria-label="{_attr(LABEL_PREFIX + label)}">\n'
        '  <noscript><p class="gradbook-scene-message">The interactive scene needs JavaScript. '
        f'<a href="#{_attr(fallback)}">{shown} the same data.</p></noscript>\n'
        "</div>"
    )


_TAG = re.compile(r'<div class="gradbook-scene"[^>]*>')
_ATTRIBUTE = re.compile(r'([\w:-]+)="([^"]*)"')
_FIGURES = re.compile(r"The figures? above</a>")


def scene_attributes(html: str) -> dict[str, str]:
    """The attributes of the scene container in `html` ({} when there is none)."""
    tag = _TAG.search(html)
    unescape = {"&quot;": '"', "&lt;": "<", "&gt;": ">", "&amp;": "&"}
    return {
        k: re.sub("&(quot|lt|gt|amp);", lambda m: unescape[m.group(0)], v)
        for k, v in _ATTRIBUTE.findall(tag.group(0) if tag else "")
    }


def scene_options(html: str) -> dict[str, str] | None:
    """The directive's options that write exactly `html`, or None when no options do."""
    attrs = scene_attributes(html)
    try:
        options = {
            "scenario": attrs["data-scenario"],
            "payload": attrs["data-payload"].removeprefix("#"),
            "fallback": attrs["data-fallback"].removeprefix("#"),
            "label": attrs["aria-label"].removeprefix(LABEL_PREFIX),
        }
    except KeyError:
        return None
    if "data-compare" in attrs:
        options["compare"] = attrs["data-compare"]
    figures = _FIGURES.search(html)
    if figures and figures.group(0).startswith("The figures"):
        options["figures"] = "2"
    try:
        written = scene_html(**_typed(options))
    except SceneError:
        return None
    return options if written == html.strip("\n") else None


def _typed(options: Mapping[str, str]) -> dict:
    return {k: int(v) if k == "figures" else v for k, v in options.items()}


class SceneDirective(Directive):
    """``{gradbook-scene}``: the container the scene bundle draws a chapter's scene in."""

    has_content = False
    option_spec: ClassVar[dict] = {
        "scenario": directives.unchanged_required,
        "payload": directives.unchanged_required,
        "fallback": directives.unchanged_required,
        "label": directives.unchanged_required,
        "compare": directives.unchanged_required,
        "figures": directives.positive_int,
    }

    def run(self) -> list[nodes.Node]:
        missing = [k for k in ("scenario", "payload", "fallback", "label") if k not in self.options]
        if missing:
            raise self.error(
                f"gradbook-scene needs the options {', '.join(missing)} "
                "(scenario, payload, fallback and label; compare and figures are optional)"
            )
        try:
            html = scene_html(**self.options)
        except SceneError as error:
            raise self.error(f"gradbook-scene: {error}") from None
        return [nodes.raw("", html, format="html")]


def setup(app: Sphinx) -> dict[str, bool]:
    app.add_directive("gradbook-scene", SceneDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
