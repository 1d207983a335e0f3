"""The chapters' PyTorch snippets are found, compile, and import only torch and numpy.

Running them needs PyTorch, which the book does not depend on: `nox -s snippets` does that.
"""

from __future__ import annotations

import ast

import pytest

from snippets import CHAPTERS, snippets

ALL = [(p.name, line, code) for p in sorted(CHAPTERS.glob("*.md")) for line, code in snippets(p)]


def test_the_book_has_a_snippet_for_diagnostics_and_for_fixes():
    chapters = {name for name, _, _ in ALL}
    assert {"05-diagnosing.md", "06-solutions.md"} <= chapters


@pytest.mark.parametrize(("name", "line", "code"), ALL, ids=[f"{n}:{ln}" for n, ln, _ in ALL])
def test_snippet_is_self_contained_python(name, line, code):
    tree = ast.parse(code, filename=f"{name}:{line}")
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module)])
    }
    assert imported and imported <= {"torch", "numpy"}, imported
