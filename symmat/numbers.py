"""How a number is written, the same everywhere (the printers, index notation, error
messages): the shortest text that reads back as the same float."""
from __future__ import annotations

import math
from fractions import Fraction


def format_number(value: float) -> str:
    """Shortest text that reads back as the same float: 2.0 -> '2', 0.001 -> '0.001',
    π -> 'pi'."""
    if value == math.pi:
        return "pi"
    if value == int(value) and abs(value) < 1e16:
        return str(int(value))
    text = repr(value)
    return text.replace("e-0", "e-").replace("e+0", "e").replace("e+", "e")


def exact_fraction(value: float) -> Fraction | None:
    """``value`` as a quotient of small integers when it is exactly the float of one
    (1/3, not 0.3333333333333333), and that is shorter to write than the decimal."""
    if value != value or value in (float("inf"), float("-inf")) or value == int(value):
        return None
    fraction = Fraction(value).limit_denominator(1000)
    if float(fraction) != value or len(str(fraction)) + 2 >= len(format_number(value)):
        return None
    return fraction


def pi_multiple(value: float) -> tuple[Fraction, int] | None:
    """(q, 1) when ``value`` is q·π (q ≠ 1: π itself is ``pi``), (q, -1) when it is q/π,
    for a small rational q: what constant folding makes of ``2 pi`` or ``x / pi``,
    to the last bit or two of the float."""
    if not math.isfinite(value) or value == 0 or value == int(value) or exact_fraction(value) is not None:
        return None
    for power, ratio in ((1, value / math.pi), (-1, value * math.pi)):
        q = Fraction(ratio).limit_denominator(12)
        if q == 0 or (q == 1 and power == 1):
            continue
        back = float(q) * math.pi if power == 1 else float(q) / math.pi
        if abs(back - value) <= 4 * math.ulp(value):
            return q, power
    return None


def number_text(value: float) -> str:
    """A number as the text printer writes a coefficient: ``2``, ``0.5``, ``1/3``, and a
    rational multiple of π with π: ``2 pi``, ``pi/2``, ``3/4 pi``, ``2/pi``."""
    fraction = exact_fraction(value)
    if fraction is not None:
        return f"{fraction.numerator}/{fraction.denominator}"
    multiple = pi_multiple(value)
    if multiple is None:
        return format_number(value)
    q, power = multiple
    sign, a, b = ("-" if q < 0 else ""), abs(q.numerator), q.denominator
    if power == -1:
        return f"{sign}{a}/pi" if b == 1 else f"{sign}{a}/({b} pi)"
    if a == 1:
        return f"{sign}pi/{b}"
    return f"{sign}{a} pi" if b == 1 else f"{sign}{a}/{b} pi"


def format_exponent(value: float) -> str:
    """An exponent as text: ``2``, ``-1``, ``(1/3)`` (a quotient that is exactly the
    float, in parentheses: ``s^1/3`` would read as ``(s^1)/3``)."""
    fraction = exact_fraction(value)
    return format_number(value) if fraction is None else f"({fraction.numerator}/{fraction.denominator})"
