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
- the scene containers (``{gradbook-scene}``, like every directive not in the list above);
- raw HTML blocks (a paragraph that starts with a tag), images and their alt text, link
  targets and link reference definitions;
- list numbers and markup such as ``*``, ``|`` or ``>``.

The source is read by markdown-it-py with the plugins myst-parser uses (docs/_ext/myst_tokens.py),
so a block is what the book's build sees, not what a regular expression guesses.

A word is a whitespace-separated token with at least one letter or digit in it, so
"layer-by-layer" is one word and "0.25" is one word, while a lone dash is none.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from markdown_it.token import Token

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "docs" / "_ext"))
import myst_tokens

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

_GLUE_ROLE = re.compile(r"^glue(?::[\w-]+)?$")
_ROLE_TARGET = re.compile(r"\s*<[^>]*>\s*$")
_WORD = re.compile(r"[^\W_]")
# Inline tokens that stand for no words, and what they leave between their neighbours.
_SILENT = {
    "math_inline": " ", "math_inline_double": " ", "html_inline": " ", "footnote_ref": " ",
    "softbreak": " ", "hardbreak": " ",
}  # fmt: skip


def prose_words(source: str) -> list[str]:
    """The words of prose in a MyST markdown source, in reading order (rules: module doc)."""
    return _block_words(myst_tokens.tokens(source))


def count_prose_words(source: str) -> int:
    """How many words of prose a MyST markdown source has (rules: module doc)."""
    return len(prose_words(source))


def _block_words(tokens: list[Token]) -> list[str]:
    words: list[str] = []
    for token in tokens:
        named = myst_tokens.directive(token)
        if named and named[0] in PROSE_DIRECTIVES:
            words += _text_words(named[1])
            words += prose_words(myst_tokens.options(token.content)[1])
        elif token.type == "inline":
            words += _inline_words(token.children or [])
        # Everything else is markup (block openers and closers) or not prose: front matter,
        # code and other fences, math blocks, HTML blocks, targets, comments, block breaks.
    return words


def _text_words(text: str) -> list[str]:
    """The words of a directive's argument, an inline text of its own."""
    inline = [t for t in myst_tokens.tokens(text) if t.type == "inline"]
    return [w for t in inline for w in _inline_words(t.children or [])]


def _inline_words(children: list[Token]) -> list[str]:
    pieces: list[str] = []
    in_link_to = None  # an autolink's text is its address: no words
    for child in children:
        if child.type == "link_open":
            in_link_to = child.markup == "autolink"
        elif child.type == "link_close":
            in_link_to = None
        elif child.type == "text" and not in_link_to:
            pieces.append(child.content)
        elif child.type == "code_inline":
            pieces.append(child.content)
        elif child.type == "myst_role":
            pieces.append(_role_text(child.meta["name"], child.content))
        elif child.type == "image":
            pieces.append(" ")  # its alt text is not read as prose
        elif child.type in _SILENT:
            pieces.append(_SILENT[child.type])
    return [word for word in "".join(pieces).split() if _WORD.search(word)]


def _role_text(name: str, content: str) -> str:
    if _GLUE_ROLE.match(name):
        return " 0 "  # a glued value reads as one word, like the number it shows
    if name == "math":
        return " "
    return _ROLE_TARGET.sub("", content)
