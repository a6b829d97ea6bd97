"""Lowering: typed matrix expression -> index form.

Every product-like construct becomes one contraction (see tensor.py); the laws used:

    (A B)_ik = Σ_j A_ij B_jk        (x^T y) = Σ_i x_i y_i       (x y^T)_ij = x_i y_j
    (A^T)_ij = A_ji                 (A ⊙ B)_ij = A_ij B_ij      c + X = c 1 + X (scalar expansion)
    max(a, b) = a + relu(b - a)     min(a, b) = a - relu(a - b)   (ties: see functions.py)
    kron(A, B)_(ik)(jl) = A_ij B_kl (axes fused row-major)

Matrix functions (tr, det, softmax, …) lower as their primitive says (symmat.primitives).
"""
from __future__ import annotations

from .. import nodes as N
from ..errors import DiffError
from ..registry import PRIMITIVES
from . import tensor as T


class Lowering:
    def __init__(self):
        # id -> (node, its tensor): the node is kept so that its id is not reused
        self.memo: dict[int, tuple[N.Expr, T.Tensor]] = {}

    def __call__(self, node: N.Expr) -> T.Tensor:
        key = id(node)
        if key not in self.memo:
            method = getattr(self, "_lower_" + type(node).__name__, None)
            if method is None:
                raise DiffError(f"cannot take the index form of {type(node).__name__}")
            self.memo[key] = (node, method(node))
        return self.memo[key][1]

    def _lower_Symbol(self, node):
        return T.Var(node.name, node.type.shape, node.symmetric)

    def _lower_Number(self, node):
        return T.Const(node.value)

    def _lower_Identity(self, node):
        return T.Delta(node.args[0])

    def _lower_Ones(self, node):
        return T.Ones(node.type.shape)

    def _lower_IndexExpr(self, node):
        return node.tensor

    def broadcast(self, t: T.Tensor, shape: tuple) -> T.Tensor:
        """Scalar expansion: ``c`` as the tensor ``c 1`` of ``shape``."""
        if t.shape == shape:
            return t
        labels = tuple(range(len(shape)))
        return T.einsum([t, T.Ones(shape)], [(), labels], labels)

    def _lower_Add(self, node):
        shape = node.type.shape
        return T.add_or_zero((self.broadcast(self(term), shape) for term in node.args), shape)

    def _lower_Neg(self, node):
        return T.scale(self(node.args[0]), -1.0)

    def _lower_MatMul(self, node):
        value = self(node.args[0])
        for factor, t in zip(node.args[1:], N.product_types(node.args)):  # t: value's type
            value = contract_product(value, t, self(factor), factor.type)
        return value

    def hadamard(self, a: T.Tensor, b: T.Tensor) -> T.Tensor:
        if not a.shape or not b.shape:
            la, lb = tuple(range(a.rank)), tuple(range(b.rank))
            return T.einsum([a, b], [la, lb], la if a.rank else lb)
        labels = tuple(range(a.rank))
        return T.einsum([a, b], [labels, labels], labels)

    def _lower_Hadamard(self, node):
        return self.hadamard(self(node.left), self(node.right))

    def _lower_HadamardDiv(self, node):
        return self.hadamard(self(node.left), T.power(self(node.right), -1.0))

    # a / s = a ⊙ s⁻¹ with the scalar s broadcast: the same contraction.
    _lower_Div = _lower_HadamardDiv

    def _lower_Kron(self, node):
        """(A ⊗ B)[(i,k),(j,l)] = A_ij B_kl, rows and columns fused row-major."""
        a, b = self(node.left), self(node.right)
        if not a.rank or not b.rank:
            return self.hadamard(a, b)
        (ra, ca), (rb, cb) = N.kron_axes(node.left.type), N.kron_axes(node.right.type)
        la = (("ar", 0),) * len(ra) + (("ac", 0),) * len(ca)
        lb = (("br", 0),) * len(rb) + (("bc", 0),) * len(cb)
        rows = [l for l in la + lb if l[0].endswith("r")]
        cols = [l for l in la + lb if l[0].endswith("c")]
        groups = tuple(len(g) for g in (rows, cols) if g)
        return T.fuse(T.einsum([a, b], [la, lb], tuple(rows + cols)), groups)

    def _lower_Power(self, node):
        base, p = self(node.base), node.exponent
        if not node.base.type.is_matrix:
            return T.power(base, p)
        if p == 0:
            return T.Delta(node.base.type.shape[0])
        factor = base if p > 0 else T.apply("inv", base)
        result = factor
        for _ in range(int(abs(p)) - 1):
            result = T.einsum([result, factor], [(0, 1), (1, 2)], (0, 2))
        return result

    def _lower_ElemPower(self, node):
        return T.power(self(node.base), node.exponent)

    def _lower_GeneralPower(self, node):
        return T.VarPow(self(node.base), self(node.exponent))

    def _lower_Max(self, node):
        a, b = self(node.left), self(node.right)
        return self._plus_relu(a, b, a, -1.0, node.type.shape)

    def _lower_Min(self, node):
        a, b = self(node.left), self(node.right)
        return self._plus_relu(a, a, b, -1.0, node.type.shape, outer=-1.0)

    def _plus_relu(self, a, p, q, sign, shape, outer=1.0):
        """a + outer · relu(p + sign·q), scalars broadcast to ``shape``."""
        inner = T.add_or_zero([self.broadcast(p, shape), T.scale(self.broadcast(q, shape), sign)], shape)
        return T.add_or_zero([self.broadcast(a, shape), T.scale(T.Elem("relu", inner, 0), outer)], shape)

    def _lower_Transpose(self, node):
        t = self(node.args[0])
        return T.permute(t, (1, 0)) if t.rank == 2 else t

    def _lower_Apply(self, node):
        """The primitive's index form, or its opaque node (see symmat.registry)."""
        prim, arg = PRIMITIVES[node.name], self(node.args[1])
        return prim.lower(arg) if prim.lower is not None else T.Apply(prim, (arg,))

    def _lower_Elementwise(self, node):
        return T.Elem(node.name, self(node.args[1]), node.order)

    def _lower_FnCall(self, node):
        name, args, which, out = node.args
        return T.FnCall(name, tuple(self(a) for a in args), which, () if out is None else (out,))

    def _lower_Call(self, node):
        return T.Call(node.name, self(node.args[1]), node.order)


def contract_product(a: T.Tensor, ta, b: T.Tensor, tb) -> T.Tensor:
    """The product of the language (matrix, matrix-vector, inner, outer, scaling)."""
    if ta.is_scalar or tb.is_scalar:
        la, lb = tuple(range(a.rank)), tuple(range(10, 10 + b.rank))
        return T.einsum([a, b], [la, lb], la + lb)
    if ta.is_matrix and tb.is_matrix:
        return T.einsum([a, b], [(0, 1), (1, 2)], (0, 2))
    if ta.is_matrix:
        return T.einsum([a, b], [(0, 1), (1,)], (0,))
    if tb.is_matrix:
        return T.einsum([a, b], [(0,), (0, 1)], (1,))
    if ta.row and not tb.row:
        return T.einsum([a, b], [(0,), (0,)], ())
    return T.einsum([a, b], [(0,), (1,)], (0, 1))


def lower(expr: N.Expr) -> T.Tensor:
    return Lowering()(expr)
