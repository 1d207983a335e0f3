"""The chapters' PyTorch snippets are found, compile, and import only torch and numpy.

Running them needs PyTorch, which the book does not depend on: `nox -s snippets` does that.
"""

from __future__ import annotations

import ast
import math
import re

import pytest

from gradbook import scenarios
from snippets import CHAPTERS, mismatches, shown_outputs, snippets

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


def test_the_diagnostics_snippet_shows_what_it_prints():
    assert shown_outputs(CHAPTERS / "05-diagnosing.md"), "chapter 5 shows no snippet output"


def test_the_shown_update_ratios_are_gradbooks_own_within_a_decade():
    """Chapter 5's PyTorch network is chapter 3's (12 sigmoid layers of 16, the "standard"
    init, lr 0.05): the ratios it shows for its first step must be gradbook's, layer by layer,
    within one power of ten (the data and the random weights differ, the story must not)."""
    (shown,) = shown_outputs(CHAPTERS / "05-diagnosing.md").values()
    ratios = {int(m[1]): float(m[2]) for m in re.finditer(r"layer\s+(\d+):.*ratio (\S+)", shown)}
    ours = scenarios.trained("sigmoid-vanishing").record.steps[0].update_ratios
    assert sorted(ratios) == list(range(1, 13))
    for layer, ratio in ratios.items():
        assert abs(math.log10(ratio) - math.log10(ours[f"W{layer}"])) < 1, layer


def test_output_is_compared_word_for_word_and_decade_for_decade():
    shown = "layer  1: ratio 9e-14\nlayer 12: ratio 1e-03"
    assert mismatches("layer  1: ratio 3e-14\nlayer 12: ratio 2e-03\n", shown) == []
    assert mismatches("layer  1: ratio 9e-12\nlayer 12: ratio 1e-03", shown)  # two decades off
    assert mismatches("layer  1: size 9e-14\nlayer 12: ratio 1e-03", shown)  # other words
    assert mismatches("layer  1: ratio 9e-14", shown)  # a line missing
