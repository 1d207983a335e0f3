"""The numbers docs/references.md states that the book also uses are the code's.

The page is plain MyST (not executed), so it cannot glue them as the chapters do; the rest of
its numbers are its sources' years, volumes and pages.
"""

from __future__ import annotations

from pathlib import Path

from gradbook import spec, text

REFERENCES = Path(__file__).resolve().parents[1] / "docs" / "references.md"


def test_the_rule_of_thumb_it_cites_is_the_healthy_ratio_the_book_draws():
    # The book shades, glues and trains against spec.HEALTHY_UPDATE_RATIO: the heuristic cited
    # for it must be that number, or the page and the chapters would disagree.
    page = " ".join(REFERENCES.read_text(encoding="utf-8").split())
    phrase = f"rule of thumb of about {text.readable(spec.HEALTHY_UPDATE_RATIO)}"
    assert phrase in page, f"docs/references.md should say {phrase!r}"
