"""An expression whose value is an index-form tensor: derivatives of rank 3 and 4,
and any result without a matrix-notation form."""
from __future__ import annotations

from typing import Any

from .. import provenance
from ..nodes import Expr
from ..recursion import deep
from ..shapes import Type
from . import tensor as T

# The labels of a derivative's axes, in axis order (index notation; see symmat/index_form.py).
LABEL_ORDER = "ijklmnabcdefgh"


def label_key(label: str) -> tuple:
    """Sorting key of an axis label: i < j < … < n < a < … < h, then any other name."""
    return (0, LABEL_ORDER.index(label), "") if len(label) == 1 and label in LABEL_ORDER else (1, 0, label)


def derivative_axes(layout: str, order: int, f_rank: int, x_rank: int) -> list[tuple]:
    """What each axis of an ``order``-th derivative in ``layout`` is, in axis order:
    ``("f", a)`` is axis ``a`` of f, ``("x", t, b)`` axis ``b`` of the variable in the
    ``t``-th differentiation (from 0). Each differentiation lays out the previous
    result ``D`` and the variable's axes ``X`` as contract §3: ``D ++ reverse(X)``
    (numerator) or ``X ++ reverse(D)`` (denominator). The index-form printer labels
    the entry with it, and the parser reads the layout back from those labels."""
    axes: list[tuple] = [("f", a) for a in range(f_rank)]
    for t in range(order):
        xs = [("x", t, b) for b in range(x_rank)]
        axes = axes + xs[::-1] if layout == "numerator" else xs + axes[::-1]
    return axes


class IndexExpr(Expr):
    """``tensor`` with the axis order of ``type_``; prints in index notation.

    Mathematics only, like every node. What a derivative knows beyond its value is its
    provenance (symmat.provenance): the variables whose values fix sizes the tensor
    may not mention (the δ_im in ∂(Wx)/∂W needs m, known from W), and what it is the
    derivative of, which labels it (∂(W x)[i]/∂W[k,j] = …)."""

    __slots__ = ()

    def __init__(self, tensor: T.Tensor, type_: Type):
        assert tensor.shape == type_.shape, (tensor.shape, type_.shape)
        self._init((tensor,), type_)

    @property
    def tensor(self) -> T.Tensor:
        return self.args[0]

    @deep
    def evaluate(self, values: dict[str, Any]):
        import numpy as np

        from .evaluate import evaluate_tensor

        result = evaluate_tensor(self.tensor, values, provenance.of(self).variables)
        return float(result) if np.ndim(result) == 0 else np.asarray(result, dtype=float)

    @deep
    def vec_form(self) -> Expr:
        """The Jacobian ∂vec(f)/∂vec(x) in matrix notation (a Kronecker form where one
        exists), transposed in denominator layout; raises NoMatrixForm otherwise.
        It is a different object from this tensor (a reshaping of it), so it is
        always printed with its label."""
        from ..matrix_form import vectorised_jacobian
        from ..simplify.engine import simplify

        return simplify(vectorised_jacobian(provenance.of(self).derivative))

    @deep
    def __str__(self) -> str:
        from ..index_form import labelled_text

        return labelled_text(self)

    @deep
    def latex(self) -> str:
        from ..index_form import labelled_latex

        return labelled_latex(self)
