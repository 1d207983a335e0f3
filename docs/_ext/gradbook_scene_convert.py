"""Rewrite a chapter's hand-written scene containers (``{raw} html`` blocks) as the
``{gradbook-scene}`` directive, in place:

    .nox/docs/bin/python docs/_ext/gradbook_scene_convert.py docs/chapters/*.md

(any Python with the docs group installed: it reads MyST with markdown-it-py.)

A block is rewritten only when the directive writes exactly the same HTML (gradbook_scene's
``scene_options`` checks it); any other block is left as it is and named on stderr, and the
command then exits 1. Other raw blocks and the rest of the file are untouched.
"""

from __future__ import annotations

import sys
from pathlib import Path

import myst_tokens
from gradbook_scene import scene_options

ORDER = ("scenario", "compare", "payload", "fallback", "label", "figures")


def convert(source: str) -> tuple[str, list[int]]:
    """(the source with each scene block as a directive, the lines of blocks left alone)."""
    lines = source.splitlines(keepends=True)
    left: list[int] = []
    replacements: list[tuple[int, int, list[str]]] = []
    for token in myst_tokens.tokens(source):
        named = myst_tokens.directive(token)
        if named != ("raw", "html") or "gradbook-scene" not in token.content:
            continue
        start, end = token.map
        options = scene_options(token.content)
        if options is None:
            left.append(start + 1)
            continue
        fence = token.markup
        block = [
            f"{fence}{{gradbook-scene}}\n",
            *(f":{k}: {options[k]}\n" for k in ORDER if k in options),
            f"{fence}\n",
        ]
        replacements.append((start, end, block))
    for start, end, block in reversed(replacements):
        lines[start:end] = block
    return "".join(lines), left


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    status = 0
    for name in paths:
        path = Path(name)
        text, left = convert(path.read_text(encoding="utf-8"))
        for line in left:
            print(
                f"{path}:{line}: the directive cannot write this scene exactly: left as it is",
                file=sys.stderr,
            )
            status = 1
        path.write_text(text, encoding="utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
