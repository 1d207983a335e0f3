"""Numbers written for readers: the book glues these strings into its prose.

The scene's format.js writes numbers by the same rule, and both are tested on one table of
cases (tests/js/fixtures/numbers.json), so a number reads the same in a sentence and in a label.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_MINUS = "−"  # the typographic minus, as in "10⁻⁴" and "−∞"
# Rounded magnitudes in [PLAIN_FROM, PLAIN_TO) are written plainly, the rest as m × 10ⁿ.
PLAIN_FROM = Decimal("0.01")
PLAIN_TO = Decimal(10_000)


def _rounded(a: float, digits: int) -> Decimal:
    """a > 0 rounded to `digits` significant digits, from its exact binary value, ties away from
    zero: what JavaScript's toExponential does, so both sides round every number alike."""
    exact = Decimal(a)
    step = Decimal(1).scaleb(exact.adjusted() - digits + 1)
    return exact.quantize(step, rounding=ROUND_HALF_UP)


def readable(x: float, digits: int = 2) -> str:
    """`x` to `digits` significant digits, for a sentence.

    Rounded first; then plain between 0.01 and 10,000 ("0.23", "4,700"), otherwise
    "m × 10ⁿ", or just "10ⁿ" when m is 1 ("3.2 × 10⁻⁷", "10⁻⁴"); ∞, −∞ and NaN as such.

    >>> readable(0.2347), readable(3.2e-7), readable(9.96e-5), readable(float("nan"))
    ('0.23', '3.2 × 10⁻⁷', '10⁻⁴', 'NaN')
    """
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 1:
        raise ValueError(f"digits must be a whole number, 1 or more, got {digits!r}")
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "∞" if x > 0 else f"{_MINUS}∞"
    if x == 0:
        return "0"
    sign = _MINUS if x < 0 else ""
    r = _rounded(abs(x), digits)
    if PLAIN_FROM <= r < PLAIN_TO:
        return sign + f"{r.normalize():,f}"
    exponent = r.adjusted()  # after rounding: 9.96 × 10⁻⁵ became 1.0 × 10⁻⁴
    mantissa = f"{r.scaleb(-exponent).normalize():f}"
    power = f"10{str(exponent).translate(_SUPERSCRIPT)}"
    return sign + (power if mantissa == "1" else f"{mantissa} × {power}")


def factor(x: float) -> str:
    """A layer's factor as the scene labels it: "×0.25"."""
    return "×" + readable(x)
