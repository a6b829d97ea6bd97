"""An expression whose value is an index-form tensor: derivatives of rank 3 and 4,
and any result not (yet) brought back to matrix notation."""
from __future__ import annotations

from typing import Any

from ..nodes import Expr
from ..shapes import Type
from . import tensor as T


class IndexExpr(Expr):
    """``tensor`` with the axis order of ``type_``; prints in index notation.

    ``variables`` are the (name, Type) of the expression it was derived from: their
    values fix the sizes of dimensions the tensor itself may not mention (the δ_im in
    ∂(Wx)/∂W needs m, known from W)."""

    __slots__ = ()

    def __init__(self, tensor: T.Tensor, type_: Type, variables: tuple = ()):
        assert tensor.shape == type_.shape, (tensor.shape, type_.shape)
        self._init((tensor, tuple(variables)), type_)

    tensor = property(lambda self: self.args[0])

    def evaluate(self, values: dict[str, Any]):
        import numpy as np

        from .evaluate import evaluate_tensor

        result = evaluate_tensor(self.tensor, values, self.args[1])
        return float(result) if np.ndim(result) == 0 else np.asarray(result, dtype=float)

    def __str__(self) -> str:
        from .notation import index_text

        return index_text(self.tensor)

    def latex(self) -> str:
        from .notation import index_latex

        return index_latex(self.tensor)
