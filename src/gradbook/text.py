"""Numbers written for readers: the book glues these strings into its prose."""

from __future__ import annotations

import math

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def readable(x: float, digits: int = 2) -> str:
    """A plain decimal between 0.01 and 10,000, else "m × 10ⁿ"; inf and NaN as words.

    >>> readable(0.2347), readable(3.2e-7), readable(float("nan"))
    ('0.23', '3.2 × 10⁻⁷', 'NaN')
    """
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "infinity" if x > 0 else "minus infinity"
    if x == 0:
        return "0"
    if 0.01 <= abs(x) < 10_000:
        rounded = float(f"{x:.{digits}g}")
        if abs(rounded) >= 10 ** (digits - 1) or rounded.is_integer():
            return f"{round(rounded):,}"
        return f"{rounded:g}"
    exponent = math.floor(math.log10(abs(x)))
    mantissa = x / 10**exponent
    if round(mantissa, digits - 1) >= 10:  # 9.96 rounds up to 10.0
        mantissa, exponent = mantissa / 10, exponent + 1
    head = f"{mantissa:.{digits - 1}f}".rstrip("0").rstrip(".")
    power = f"10{str(exponent).translate(_SUPERSCRIPT)}"
    return power if head == "1" else f"{head} × {power}"


def factor(x: float) -> str:
    """A layer's factor as the scene labels it: "×0.25"."""
    return "×" + readable(x)
