"""MyST markdown as markdown-it-py tokens, parsed with the plugins myst-parser itself uses.

The book's own readers of its sources (plain_markdown.py, tests/docs/prose.py and the scene
converter) share this parser instead of tokenizing MyST with regular expressions. It has the
syntax the book enables in docs/conf.py (myst_enable_extensions): dollar and amsmath math,
colon fences, definition lists and inline attributes, besides MyST's own roles, targets,
comments, block breaks and front matter.
"""

from __future__ import annotations

import re
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.myst_blocks import myst_block_plugin
from mdit_py_plugins.myst_role import myst_role_plugin

# A directive's fence info: "{name} argument".
_DIRECTIVE = re.compile(r"^\{(?P<name>[^}\s]+)\}\s*(?P<arg>.*)$")
_OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):(?P<value>.*)$")


@cache
def parser() -> MarkdownIt:
    """A parser configured as myst-parser configures its own (myst_parser.parsers.mdit)."""
    return (
        MarkdownIt("commonmark")
        .enable("table")
        .use(front_matter_plugin)
        .use(myst_block_plugin)
        .use(myst_role_plugin)
        .use(footnote_plugin)
        .use(dollarmath_plugin, allow_labels=True, allow_space=True, allow_digits=True)
        .use(amsmath_plugin)
        .use(deflist_plugin)
        .use(colon_fence_plugin)
        .use(attrs_plugin, after=("image", "code_inline", "link_close", "span_close"), spans=True)
    )


def tokens(source: str) -> list[Token]:
    return parser().parse(source)


def directive(token: Token) -> tuple[str, str] | None:
    """(name, argument) of a ``{name}`` fence, or None for an ordinary code block."""
    if token.type not in ("fence", "colon_fence"):
        return None
    m = _DIRECTIVE.match(token.info.strip())
    return (m["name"], m["arg"].strip()) if m else None


def options(body: str) -> tuple[dict[str, str], str]:
    """A directive body's options (":key: value" lines or a --- YAML block) and its content."""
    lines = body.splitlines()
    found: dict[str, str] = {}
    if lines and lines[0].strip() == "---":
        end = next((j for j in range(1, len(lines)) if lines[j].strip() == "---"), None)
        if end is not None:
            for line in lines[1:end]:
                key, sep, value = line.partition(":")
                if sep and not line.startswith(" "):
                    found[key.strip()] = value.strip()
            return found, "\n".join(lines[end + 1 :])
    j = 0
    while j < len(lines) and (m := _OPTION.match(lines[j])):
        found[m["key"]] = m["value"].strip()
        j += 1
    return found, "\n".join(lines[j:])
