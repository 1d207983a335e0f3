import json
import math
from pathlib import Path

import pytest

from gradbook.text import factor, readable

# The same table of cases is read by tests/js/format.test.js: prose and scene write alike.
NUMBERS = json.loads((Path(__file__).parent / "js" / "fixtures" / "numbers.json").read_text())
CASES = NUMBERS["cases"]  # float() reads their "inf", "-inf" and "nan" too


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['value']}-{c['digits']}")
def test_readable_follows_the_shared_table(case):
    assert readable(float(case["value"]), case["digits"]) == case["text"]


def test_the_table_covers_both_notations_and_every_kind_of_number():
    texts = [c["text"] for c in CASES]
    values = [float(c["value"]) for c in CASES]
    assert any("×" in t for t in texts) and any(t.startswith("10") and "×" not in t for t in texts)
    assert any("," in t for t in texts)  # thousands
    assert {"∞", "−∞", "NaN", "0"} <= set(texts)
    assert any(v < 0 and math.isfinite(v) for v in values)


def test_rounding_decides_the_notation():
    # Just under 10,000 rounds to 10,000, which is written as a power: one rule, applied to
    # the rounded value, so no number is written two ways.
    assert readable(9999.7) == readable(10_000.0) == "10⁴"
    assert readable(0.00996) == readable(0.01) == "0.01"


def test_digits_must_be_a_count():
    with pytest.raises(ValueError, match="digits"):
        readable(1.5, 0)


def test_factor():
    assert factor(0.25) == "×0.25"
    assert factor(9.96e-5) == "×10⁻⁴"


def test_book_glue_returns_readable_text_without_sphinx():
    from gradbook import book

    assert book.glue("unused", 1.8e-10) == "1.8 × 10⁻¹⁰"
    assert book.glue("unused", "step 3") == "step 3"
