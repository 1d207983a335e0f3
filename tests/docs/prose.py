"""Count the words of prose in a MyST markdown chapter, the way the length brief means them.

What counts is what a reader reads as running text:

- paragraphs, headings, list items, table cells and block quotes;
- the text and the title of the prose directives in ``PROSE_DIRECTIVES`` (admonitions and the
  sphinx-design containers such as dropdowns, tabs and cards);
- the visible text of links and roles (``[text](url)`` and ``{term}`text <target>``` count
  as ``text``); inline code counts as the words inside it;
- a glued value (``{glue:text}`key:fmt```) counts as one word, as the number it shows does.

What does not count:

- the front matter, ``+++`` cell breaks, ``%`` comments, HTML comments and ``(label)=`` targets;
- code cells and every other fenced block that is not a prose directive (code, ``{raw}``,
  ``{figure}`` and its caption, ``{math}``, ``{toctree}``, ``{glue:figure}`` ...);
- the options of any directive (``:key: value`` lines or a ``---`` YAML block);
- math: ``$...$``, ``$$...$$`` and ``\\begin{...}...\\end{...}`` blocks, and ``{math}`` roles;
- raw HTML blocks (a paragraph that starts with a tag), images and their alt text, link
  targets and link reference definitions;
- list numbers and markup such as ``*``, ``|`` or ``>``.

A word is a whitespace-separated token with at least one letter or digit in it, so
"layer-by-layer" is one word and "0.25" is one word, while a lone dash is none.
"""

from __future__ import annotations

import re

PROSE_DIRECTIVES = frozenset(
    {
        # docutils and Sphinx admonitions and text containers
        "admonition", "attention", "caution", "danger", "error", "hint", "important", "note",
        "seealso", "tip", "warning", "epigraph", "pull-quote", "highlights", "sidebar",
        "margin", "topic", "rubric", "list-table", "table", "div", "container",
        # sphinx-design
        "dropdown", "tab-set", "tab-item", "card", "card-carousel", "grid", "grid-item",
        "grid-item-card",
    }
)  # fmt: skip

_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,}|:{3,})\s*(?P<info>.*?)\s*$")
_DIRECTIVE = re.compile(r"^\{(?P<name>[\w:.-]+)\}\s*(?P<argument>.*)$")
_OPTION = re.compile(r"^\s*:[\w-]+:")
_GLUE_ROLE = re.compile(r"\{glue(?::[\w-]+)?\}`[^`]*`")
_MATH_ROLE = re.compile(r"\{math\}`[^`]*`")
_ROLE = re.compile(r"\{[\w:.-]+\}`(?P<text>[^`]*)`")
_INLINE_MATH = re.compile(r"\$\$.+?\$\$|(?<![\\$])\$(?!\s)[^$\n]+?(?<!\s)\$")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\([^)]*\)")
_AUTOLINK = re.compile(r"<[a-z][a-z0-9+.-]*:[^>\s]*>", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_FOOTNOTE_REF = re.compile(r"\[\^[^\]]+\]")
_LIST_MARKER = re.compile(r"^\s*(?:>\s*)*(?:\d+[.)]|[-*+])\s+")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S")
_TARGET = re.compile(r"^\s*\([^)]+\)=\s*$")
_HTML_BLOCK_START = re.compile(r"^ {0,3}<[a-zA-Z/!?]")
_WORD = re.compile(r"[^\W_]")


def prose_words(source: str) -> list[str]:
    """The words of prose in a MyST markdown source, in reading order (rules: module doc)."""
    lines = source.splitlines()
    if lines and lines[0].strip() == "---":
        end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), None)
        lines = lines[end + 1 :] if end is not None else lines
    return _block_words(lines)


def count_prose_words(source: str) -> int:
    """How many words of prose a MyST markdown source has (rules: module doc)."""
    return len(prose_words(source))


def _block_words(lines: list[str]) -> list[str]:
    words: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        fence = _FENCE.match(line)
        if fence:
            close = _closing_fence(lines, i + 1, fence["fence"])
            directive = _DIRECTIVE.match(fence["info"])
            if directive and directive["name"] in PROSE_DIRECTIVES:
                words += _inline_words(directive["argument"])
                words += _block_words(_without_options(lines[i + 1 : close]))
            i = close + 1
        elif stripped.startswith("$$"):
            i = _end_of_display_math(lines, i) + 1
        elif stripped.startswith("\\begin{"):
            env = stripped[len("\\begin{") :].split("}", 1)[0]
            i = _find(lines, i, lambda s, env=env: f"\\end{{{env}}}" in s) + 1
        elif stripped.startswith("<!--"):
            i = _find(lines, i, lambda s: "-->" in s) + 1
        elif _HTML_BLOCK_START.match(line):
            i = _find(lines, i, lambda s: not s.strip()) + 1
        elif (
            stripped.startswith(("+++", "%")) or _TARGET.match(line) or _LINK_DEFINITION.match(line)
        ):
            i += 1
        else:
            words += _inline_words(line)
            i += 1
    return words


def _closing_fence(lines: list[str], start: int, opening: str) -> int:
    """Index of the fence that closes one opened with `opening` (CommonMark's rule)."""
    for j in range(start, len(lines)):
        fence = _FENCE.match(lines[j])
        if fence and fence["fence"][0] == opening[0] and len(fence["fence"]) >= len(opening):
            if not fence["info"]:
                return j
    return len(lines)


def _end_of_display_math(lines: list[str], start: int) -> int:
    rest = lines[start].strip()[2:]
    if "$$" in rest:
        return start
    return _find(lines, start + 1, lambda s: "$$" in s)


def _find(lines: list[str], start: int, predicate) -> int:
    for j in range(start, len(lines)):
        if predicate(lines[j]):
            return j
    return len(lines)


def _without_options(body: list[str]) -> list[str]:
    if body and body[0].strip() == "---":
        end = _find(body, 1, lambda s: s.strip() == "---")
        return body[end + 1 :]
    n = 0
    while n < len(body) and _OPTION.match(body[n]):
        n += 1
    return body[n:]


def _inline_words(text: str) -> list[str]:
    text = text.lstrip()
    if text.startswith("#"):
        text = text.lstrip("#")
    text = _LIST_MARKER.sub("", text)
    text = _GLUE_ROLE.sub(" 0 ", text)
    text = _MATH_ROLE.sub(" ", text)
    text = _ROLE.sub(lambda m: re.sub(r"\s*<[^>]*>\s*$", "", m["text"]), text)
    text = _INLINE_MATH.sub(" ", text)
    text = _IMAGE.sub(" ", text)
    text = _LINK.sub(lambda m: m["text"], text)
    text = _AUTOLINK.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = _FOOTNOTE_REF.sub(" ", text)
    return [token for token in text.split() if _WORD.search(token)]
