"""What several primitive modules share: the differential's LaTeX and linear laws."""
from __future__ import annotations

from typing import Any

from .. import nodes as N

D = r"\mathrm{d}"  # the differential, as the step-by-step derivations write it


def linear_law(name: str, latex: str):
    """The differential law of a linear function: ``d f(A) = f(dA)``."""

    def law(ex: Any, u: N.Apply, a: N.Expr) -> tuple[str, str, N.Expr]:
        return "linearity", rf"{D}\,{latex}(A) = {latex}({D}A)", N.Apply(name, ex.d(a))

    return law
