"""Index-form results (derivatives of rank 3 and 4) as SymPy array expressions.

An index-form tensor is a sum of contractions ``coef * Σ Π operand[labels]``; each
becomes SymPy's

    PermuteDims(ArrayContraction(ArrayDiagonal(ArrayTensorProduct(operands...), ...), ...), ...)

with the operands of rank 2 or less written in matrix notation (``W``, ``tanh.(W*x)``,
``Inverse(X)``; a vector ``v`` is ``Reshape(v, (n,))``, rank 1 as in the tensor, and
``δ`` is ``Identity``). Labels that the result keeps and that occur twice or more are a
diagonal; labels summed over are contracted (a label summed over in one operand only
is contracted with a ``OneArray``). The user's ``MatrixSymbol`` s and sizes are used
as everywhere in to_sympy, so ``subs`` and ``free_symbols`` work; with integer sizes
``as_explicit()`` (or symmat.interop.sympy_explicit.numeric) gives the explicit array.
"""
from __future__ import annotations

from collections import Counter

import sympy as sp
from sympy.tensor.array.expressions import (
    ArrayAdd,
    ArrayContraction,
    ArrayDiagonal,
    ArrayElementwiseApplyFunc,
    ArrayTensorProduct,
    OneArray,
    PermuteDims,
    Reshape,
    ZeroArray,
)

from ..errors import InteropError
from ..index import tensor as T
from ..shapes import Type


def tensor_to_sympy(t: T.Tensor, writer) -> sp.Basic:
    """``t`` as a SymPy array expression; ``writer`` (to_sympy's) writes the names and
    the parts that have a matrix form."""
    return _ArrayWriter(writer)(t)


class _ArrayWriter:
    def __init__(self, writer):
        self.writer = writer
        self.memo: dict[T.Tensor, sp.Basic] = {}

    def __call__(self, t: T.Tensor) -> sp.Basic:
        if t not in self.memo:
            self.memo[t] = self._write(t)
        return self.memo[t]

    def _write(self, t: T.Tensor) -> sp.Basic:
        if t.rank <= 2:
            matrix = self._matrix(t)
            if matrix is not None:
                return matrix
        method = getattr(self, "_" + type(t).__name__, None)
        if method is None:
            raise InteropError(f"to_sympy cannot write {type(t).__name__} of rank {t.rank} as a SymPy array")
        return method(t)

    def _matrix(self, t: T.Tensor) -> sp.Basic | None:
        """``t`` in matrix notation, when it has one (rank 1 as a ``Reshape`` d vector)."""
        from ..matrix_form import NoMatrixForm, matrix_form
        from ..simplify.engine import simplify

        try:
            node = simplify(matrix_form(t, Type(t.shape)))
        except NoMatrixForm:
            return None
        value = self.writer(node)
        return Reshape(value, (self.writer.dim(t.shape[0]),)) if t.rank == 1 else value

    def dims(self, t: T.Tensor) -> tuple:
        return tuple(self.writer.dim(d) for d in t.shape)

    def _Zero(self, t):
        return ZeroArray(*self.dims(t))

    def _Ones(self, t):
        return OneArray(*self.dims(t))

    def _Sum(self, t):
        return ArrayAdd(*(self(term) for term in t.terms))

    def _Elem(self, t):
        name, arg, order = t.args
        return ArrayElementwiseApplyFunc(self.writer.elementwise_lambda(name, order), self(arg))

    def _Call(self, t):
        name, _, order = t.args
        raise InteropError(f"to_sympy writes derivatives of {name} up to the Hessian, not of order {order}")

    def _Reshape(self, t):
        return Reshape(self(t.args[0]), self.dims(t))

    def _Einsum(self, t: T.Einsum):
        scale = sp.Integer(1) if t.coef == 1 else self.writer.number(t.coef)
        arrays: list = []
        labels: list = []
        for op, sub in zip(t.operands, t.subscripts):
            if op.rank == 0:
                scale = scale * self(op)
            else:
                arrays.append(self(op))
                labels.extend(sub)
        size = {label: d for op, sub in zip(t.operands, t.subscripts) for label, d in zip(sub, op.shape)}
        product = arrays[0] if len(arrays) == 1 else ArrayTensorProduct(*arrays)
        product, labels = _diagonals(product, labels, set(t.out))
        product, labels = self._contractions(product, labels, set(t.out), size)
        if labels != list(t.out):
            product = PermuteDims(product, index_order_old=labels, index_order_new=list(t.out))
        return product if scale == 1 else ArrayTensorProduct(scale, product)

    def _contractions(self, product, labels, kept, size):
        """Sum over the labels not kept: a pair of axes is contracted; a single axis is
        contracted with a ``OneArray`` (the sum of its entries)."""
        count = Counter(labels)
        singles = [label for label in dict.fromkeys(labels) if label not in kept and count[label] == 1]
        if singles:
            product = ArrayTensorProduct(product, *(OneArray(self.writer.dim(size[s])) for s in singles))
            labels = labels + singles
        summed = [label for label in dict.fromkeys(labels) if label not in kept]
        if not summed:
            return product, labels
        pairs = [tuple(i for i, label in enumerate(labels) if label == s) for s in summed]
        return ArrayContraction(product, *pairs), [label for label in labels if label in kept]


def _diagonals(product, labels, kept):
    """Merge the axes of a label that occurs more than twice, or more than once and is
    kept: ``ArrayDiagonal`` puts each merged axis last."""
    count = Counter(labels)
    merged = [label for label in dict.fromkeys(labels) if count[label] > 2 or (count[label] > 1 and label in kept)]
    if not merged:
        return product, labels
    groups = [tuple(i for i, label in enumerate(labels) if label == m) for m in merged]
    rest = [label for label in labels if label not in merged]
    return ArrayDiagonal(product, *groups), rest + merged
