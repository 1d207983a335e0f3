import pytest

from gradbook.text import factor, readable


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.2347, "0.23"),
        (3.2e-7, "3.2 × 10⁻⁷"),
        (1e-12, "10⁻¹²"),
        (9.96e-5, "10⁻⁴"),
        (45.26, "45"),
        (4740.7, "4,700"),
        (1.57, "1.6"),
        (1.0, "1"),
        (12345.0, "1.2 × 10⁴"),
        (-0.5, "-0.5"),
        (0.0, "0"),
        (float("nan"), "NaN"),
        (float("inf"), "infinity"),
    ],
)
def test_readable(value, text):
    assert readable(value) == text


def test_factor():
    assert factor(0.25) == "×0.25"


def test_book_glue_returns_readable_text_without_sphinx():
    from gradbook import book

    assert book.glue("unused", 1.8e-10) == "1.8 × 10⁻¹⁰"
    assert book.glue("unused", "step 3") == "step 3"
