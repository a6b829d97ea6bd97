"""Identification for a vector- or matrix-valued function: ``df = J dx``.

After expansion ``df`` (a column vector; a row vector is transposed first) is a sum
of terms linear in ``dx``. Each term is kept as ``P L`` with ``L`` holding the
differential and ``P`` its constant left factor, and a step moves the outermost
operation of ``L`` into ``P`` by a named identity (``u ⊙ v = diag(u) v``,
``v (aᵀ dx) = (v aᵀ) dx``, ...). With every ``L`` equal to ``dx``, the terms are
collected into ``J dx`` and the Jacobian ``J`` is read off (numerator layout; its
transpose in denominator layout). For a scalar variable ``s`` the form is
``df = M ds``. A scalar factor holding the differential (``aᵀ dx``) is brought into
its own identification form by the scalar-function rules of identify.py.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import nodes as N
from .algebra import (
    Differential,
    UnsupportedStep,
    divide,
    has_differential,
    mul,
    neg,
    split_product,
    transpose,
)
from .identify import Identifier, Term

ONE = N.Number(1.0)


@dataclass(frozen=True)
class Linear:
    """``P L``: ``L`` a column vector (``kind="vector"``) or a scalar (``"scalar"``)
    holding the differential, ``P`` its left factor (None for none)."""

    kind: str
    P: N.Expr | None
    L: N.Expr

    def show(self) -> N.Expr:
        if self.P is None:
            return self.L
        return N.MatMul(self.P, self.L) if self.kind == "scalar" else mul(self.P, self.L)


def show_all(terms: list[Linear]) -> N.Expr:
    shown = [t.show() for t in terms]
    return shown[0] if len(shown) == 1 else N.Add(*shown)


class JacobianIdentifier:
    """Peels every unfinished term once per step (a textbook line applies one identity
    to each term, not one term per line)."""

    def __init__(self, var: N.Symbol):
        self.var = var
        self.dX = Differential(var)
        self.scalar = Identifier(var)
        self.kind = "scalar" if var.type.is_scalar else "vector"

    def done(self, t: Linear) -> bool:
        return t.L == self.dX and t.kind == self.kind

    def step(self, terms: list[Linear]) -> tuple[list[str], list[str], list[Linear]] | None:
        if all(self.done(t) for t in terms):
            return None
        rules, laws, out = [], [], []
        for t in terms:
            if self.done(t):
                out.append(t)
                continue
            rule, law, new = self.peel(t)
            rules.append(rule)
            laws.append(law)
            out += new
        return rules, laws, out

    def peel(self, t: Linear) -> tuple[str, str, list[Linear]]:
        L = t.L
        if isinstance(L, N.Add):
            return "distributivity", "", [Linear(t.kind, t.P, a) for a in L.args]
        if isinstance(L, N.Neg):
            return "sign", "", [Linear(t.kind, neg(t.P), L.args[0])]
        if t.kind == "scalar":
            return self._scalar(t)
        if isinstance(L, N.Div):
            return "scalar factor", "", [Linear("vector", divide(t.P, L.right), L.left)]
        method = getattr(self, "_" + type(L).__name__, None)
        if method is None:
            raise UnsupportedStep(f"steps cannot bring {type(L).__name__} into the form J dx")
        return method(t, L)

    def _scalar(self, t: Linear):
        """A scalar ``L``: one step of the scalar-function identification on it."""
        rule, law, new = self.scalar.peel(Term("scalar", None, t.L))
        out = []
        for s in new:
            if s.kind == "matrix":
                raise UnsupportedStep("a matrix differential inside a vector-valued function")
            out.append(Linear(s.kind, mul(t.P, s.P) if s.P is not None else t.P, s.L))
        return rule, law, out

    def _MatMul(self, t, L):
        scalars, chain = split_product(L)
        for k, s in enumerate(scalars):
            if has_differential(s):
                rest = mul(t.P, *scalars[:k], *scalars[k + 1:], *chain)
                return "scalar factors commute", r"v\,s = s\,v", [Linear("scalar", rest, s)]
        k = next(k for k, f in enumerate(chain) if has_differential(f))
        f = chain[k]
        if k == len(chain) - 1 and f.type.is_vector and not f.type.row:
            return "associativity", "", [Linear("vector", mul(t.P, *scalars, *chain[:k]), f)]
        raise UnsupportedStep("a matrix differential inside a vector-valued function (use index form)")

    def _Hadamard(self, t, L):
        a, b = L.args
        const, lin = (b, a) if has_differential(a) else (a, b)
        if const.type.is_scalar:
            return "scalar factor", "", [Linear("vector", mul(t.P, const), lin)]
        if lin.type.is_scalar:
            return "scalar factor", "", [Linear("scalar", mul(t.P, const), lin)]
        if not const.type.is_vector:
            raise UnsupportedStep("a matrix-valued Hadamard product of a differential (use index form)")
        law = r"u \odot v = \operatorname{diag}(u)\,v"
        return "Hadamard product as a diagonal matrix", law, [Linear("vector", mul(t.P, N.Apply("diag", const)), lin)]

    def _HadamardDiv(self, t, L):
        lin, const = L.args
        if const.type.is_scalar:
            return "scalar factor", "", [Linear("vector", divide(t.P, const), lin)]
        if lin.type.is_scalar:
            return "scalar factor", "", [Linear("scalar", mul(t.P, N.HadamardDiv(ONE, const)), lin)]
        law = r"v \oslash u = \operatorname{diag}(1 \oslash u)\,v"
        D = N.Apply("diag", N.HadamardDiv(ONE, const))
        return "Hadamard quotient as a diagonal matrix", law, [Linear("vector", mul(t.P, D), lin)]

    def _Transpose(self, t, L):
        pushed = transpose(L.args[0])
        if isinstance(pushed, N.Transpose):
            raise UnsupportedStep(f"steps cannot move a transpose inside {type(L.args[0]).__name__}")
        return "transpose", r"(A^\top)^\top = A,\ (AB)^\top = B^\top A^\top", [Linear("vector", t.P, pushed)]


def collect(terms: list[Linear], var: N.Symbol) -> N.Expr:
    """``P₁ dx + P₂ dx = (P₁ + P₂) dx``: the total factor ``J`` (``I`` for a bare ``dx``)."""
    parts: list[N.Expr] = []
    for t in terms:
        if t.P is None:
            parts.append(N.Identity(var.type.shape[0]) if var.type.is_vector else ONE)
        elif t.P.type.is_scalar and var.type.is_vector:
            parts.append(mul(t.P, N.Identity(var.type.shape[0])))
        else:
            parts.append(t.P)
    return parts[0] if len(parts) == 1 else N.Add(*parts)
