"""Expanding a differential: one rule of the differential calculus per step.

``expand_once(e, x)`` finds the first ``d(u)`` in ``e`` (reading left to right, outer
before inner) whose operand is not the variable and rewrites it by the rule for
``u``'s node class (Magnus & Neudecker). A rule only writes ``d(·)`` around operands
that depend on the variable: the differential of a constant is zero.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from .. import nodes as N
from ..functions import ELEMENTWISE
from ..registry import PRIMITIVES
from .algebra import Differential, UnsupportedStep, add, elem_power, mentions, mul, power


class Rewrite(NamedTuple):
    rule: str  # plain words, printed in \text{...}
    law: str  # the identity applied, as LaTeX math ('' when the name says it all)
    expr: N.Expr


D = r"\mathrm{d}"


class Expander:
    def __init__(self, var: N.Symbol):
        self.var = var

    def varies(self, e: N.Expr) -> bool:
        return mentions(e, self.var.name)

    def d(self, e: N.Expr) -> N.Expr:
        return Differential(e)

    def rewrite(self, u: N.Expr) -> Rewrite:
        method: Callable | None = getattr(self, "_d_" + type(u).__name__, None)
        try:
            if method is None:
                raise UnsupportedStep(f"steps cannot differentiate {type(u).__name__} nodes")
            rule, law, out = method(u)
        except UnsupportedStep:
            rule, law, out = self.by_derivative(u)
        assert out.type == u.type, (type(u).__name__, out.type, u.type)
        return Rewrite(rule, law, out)

    def by_derivative(self, u: N.Expr) -> tuple[str, str, N.Expr]:
        """A construct without a rule of its own: ``du = (∂u/∂x) dx``, the derivative
        taken by ``symmat.diff`` (numerator layout; ``tr(G dX)`` for a matrix ``X``)."""
        from ..api import diff

        x, dx = self.var, self.d(self.var)
        G = diff(u, x.name)
        if isinstance(G, N.Expr) and hasattr(G, "tensor"):
            raise UnsupportedStep(f"steps cannot differentiate {type(u).__name__} nodes in matrix notation")
        law = rf"{D}u = \frac{{\partial u}}{{\partial x}}\,{D}x"
        if x.type.is_scalar:
            out = mul(dx, G) if u.type.is_scalar else N.MatMul(G, dx) if u.type.is_vector and not u.type.row \
                else N.MatMul(dx, G)
        elif u.type.is_scalar and x.type.is_vector:
            out = N.MatMul(G, dx)
        elif u.type.is_scalar and x.type.is_matrix:
            out = N.Apply("tr", N.MatMul(G, dx))
        elif u.type.is_vector and x.type.is_vector:
            out = N.MatMul(G, dx) if not u.type.row else N.Transpose(N.MatMul(G, dx))
        else:
            raise UnsupportedStep(f"steps cannot differentiate {type(u).__name__} nodes in matrix notation")
        if out.type != u.type:
            raise UnsupportedStep(f"steps cannot differentiate {type(u).__name__} nodes in matrix notation")
        return "derivative", law, out

    # ------------------------------------------------------------------ sums
    def _d_Add(self, u):
        terms = [t for t in u.args if self.varies(t)]
        out = broadcast(add([self.d(t) for t in terms]), u)
        law = rf"{D}(A + B) = {D}A + {D}B"
        if len(terms) < len(u.args):
            law += rf",\ {D}C = 0"
        return "linearity", law, out

    def _d_Neg(self, u):
        return "linearity", rf"{D}(-A) = -{D}A", N.Neg(self.d(u.args[0]))

    # -------------------------------------------------------------- products
    def _product(self, u, factors, build, op):
        varying = [i for i, f in enumerate(factors) if self.varies(f)]
        terms = []
        for i in varying:
            args = list(factors)
            args[i] = self.d(args[i])
            terms.append(build(args))
        if len(varying) == 1:
            return "constant factors", rf"{D}(A {op} X {op} B) = A {op} {D}X {op} B", add(terms)
        return "product rule", rf"{D}(A {op} B) = {D}A {op} B + A {op} {D}B", add(terms)

    def _d_MatMul(self, u):
        return self._product(u, u.args, lambda a: N.MatMul(*a), r"\,")

    def _d_Hadamard(self, u):
        return self._product(u, u.args, lambda a: N.Hadamard(*a), r"\odot")

    def _d_Kron(self, u):
        return self._product(u, u.args, lambda a: N.Kron(*a), r"\otimes")

    def _d_HadamardDiv(self, u):
        a, b = u.args
        terms: list[N.Expr] = []
        if self.varies(a):
            terms.append(N.HadamardDiv(self.d(a), b))
        if self.varies(b):
            terms.append(N.Neg(N.HadamardDiv(N.Hadamard(a, self.d(b)), N.ElemPower(b, 2))))
        law = rf"{D}(A \oslash B) = {D}A \oslash B - (A \odot {D}B) \oslash B^{{\circ 2}}"
        return "quotient rule", law, broadcast(add(terms), u)

    def _d_Div(self, u):
        a, s = u.args
        terms: list[N.Expr] = []
        if self.varies(a):
            terms.append(N.Div(self.d(a), s))
        if self.varies(s):
            terms.append(N.Neg(N.Div(N.MatMul(a, self.d(s)), N.Power(s, 2))))
        law = rf"{D}(A / s) = {D}A / s - A\,{D}s / s^2"
        return "quotient rule", law, broadcast(add(terms), u)

    # ---------------------------------------------------------------- powers
    def _d_Power(self, u):
        base, p = u.args
        if base.type.is_scalar:
            if isinstance(base, N.Apply) and base.name == "norm" and p == 2:
                return self._squared_norm(base.args[1])
            return "power rule", rf"{D}(s^p) = p\,s^{{p-1}}\,{D}s", mul(N.Number(p), power(base, p - 1), self.d(base))
        k = int(p)
        if k == -1:
            return "inverse", rf"{D}(X^{{-1}}) = -X^{{-1}}\,{D}X\,X^{{-1}}", N.Neg(N.MatMul(u, self.d(base), u))
        if k < -1:
            law = rf"{D}(Y^{{-1}}) = -Y^{{-1}}\,{D}Y\,Y^{{-1}},\ Y = X^{{{-k}}}"
            return "inverse", law, N.Neg(N.MatMul(u, self.d(N.Power(base, -k)), u))
        if k == 0:
            raise UnsupportedStep("steps cannot differentiate the matrix power X^0")
        terms = [mul(power(base, j), self.d(base), power(base, k - 1 - j)) for j in range(k)]
        law = rf"{D}(X^k) = \sum_{{j=0}}^{{k-1}} X^j\,{D}X\,X^{{k-1-j}}"
        return "power rule", law, add(terms)

    def _squared_norm(self, a):
        """d‖a‖² = 2aᵀ da, since ‖a‖² = aᵀa (and tr(AᵀA) for a matrix)."""
        two = N.Number(2.0)
        if a.type.is_matrix:
            out = N.MatMul(two, N.Apply("tr", N.MatMul(N.Transpose(a), self.d(a))))
            return "squared norm", rf"{D}\|A\|_F^2 = 2\operatorname{{tr}}(A^\top {D}A)", out
        if a.type.is_scalar:
            return "squared norm", rf"{D}(s^2) = 2s\,{D}s", N.MatMul(two, a, self.d(a))
        out = N.MatMul(two, a, N.Transpose(self.d(a))) if a.type.row else N.MatMul(two, N.Transpose(a), self.d(a))
        return "squared norm", rf"{D}\|a\|^2 = 2a^\top {D}a", out

    def _d_ElemPower(self, u):
        base, p = u.args
        law = rf"{D}(A^{{\circ p}}) = p\,A^{{\circ (p-1)}} \odot {D}A"
        if base.type.is_scalar:
            return "power rule", law, mul(N.Number(p), power(base, p - 1), self.d(base))
        coef = elem_power(base, p - 1)
        body = self.d(base) if coef is None else N.Hadamard(coef, self.d(base))
        return "power rule", law, mul(N.Number(p), body)

    def _extremum(self, u, larger: bool):
        """d max(A, B) = step(A − B) ⊙ dA + step(B − A) ⊙ dB (min: the steps swapped),
        away from ties; a scalar side is broadcast."""
        a, b = u.args
        terms = []
        for mine, other in ((a, b), (b, a)):
            if self.varies(mine):
                gap = N.Add(mine, N.Neg(other)) if larger else N.Add(other, N.Neg(mine))
                selector = N.Elementwise("step", gap)
                dm = self.d(mine)
                terms.append(N.Hadamard(selector, dm) if not dm.type.is_scalar else N.MatMul(dm, selector))
        name, op = ("max", ">") if larger else ("min", "<")
        law = rf"{D}\{name}(A, B) = [A {op} B] \odot {D}A + [B {op} A] \odot {D}B"
        return "maximum" if larger else "minimum", law, broadcast(add(terms), u)

    def _d_Max(self, u):
        return self._extremum(u, True)

    def _d_Min(self, u):
        return self._extremum(u, False)

    def _d_Transpose(self, u):
        return "transpose", rf"{D}(A^\top) = ({D}A)^\top", N.Transpose(self.d(u.args[0]))

    # ------------------------------------------------------- matrix functions
    def _d_Apply(self, u):
        """The primitive's differential law (symmat.primitives), where it has one."""
        name, a = u.args
        law = PRIMITIVES[name].differential
        rewrite = law(self, u, a) if law is not None else None
        if rewrite is None:
            raise UnsupportedStep(f"steps cannot differentiate {PRIMITIVES[name].text.format('...')}")
        return rewrite

    # ------------------------------------------------------------- functions
    def _d_Elementwise(self, u):
        name, a, order = u.args
        if name == "log" and order == 0:
            return self._log(a)
        prime = derivative_of(name, a, order)
        if a.type.is_scalar:
            return "chain rule", rf"{D}f(s) = f'(s)\,{D}s", N.MatMul(prime, self.d(a))
        return "chain rule", rf"{D}f(A) = f'(A) \odot {D}A", N.Hadamard(prime, self.d(a))

    def _log(self, a):
        # log det X is logdet X, log softmax(z) is log_softmax(z): their laws apply
        as_log = {"det": "logdet", "softmax": "log_softmax"}
        if isinstance(a, N.Apply) and a.name in as_log:
            law = PRIMITIVES[as_log[a.name]].differential
            rewrite = law(self, a, a.args[1]) if law is not None else None
            if rewrite is not None:
                return rewrite
        if a.type.is_scalar:
            return "chain rule", rf"{D}\log s = {D}s / s", N.Div(self.d(a), a)
        return "chain rule", rf"{D}\log(A) = {D}A \oslash A", N.HadamardDiv(self.d(a), a)

    def _d_Call(self, u):
        name, a, order = u.args
        if order == 0:
            grad = N.Call(name, a, 1)
            if a.type.is_scalar:
                return "chain rule", rf"{D}g(s) = g'(s)\,{D}s", N.MatMul(grad, self.d(a))
            out: N.Expr
            if a.type.is_matrix:
                out = N.Apply("tr", N.MatMul(N.Transpose(grad), self.d(a)))
                return "chain rule", rf"{D}g(U) = \operatorname{{tr}}(\nabla g(U)^\top {D}U)", out
            out = N.MatMul(self.d(a), grad) if a.type.row else N.MatMul(N.Transpose(grad), self.d(a))
            return "chain rule", rf"{D}g(u) = \nabla g(u)^\top {D}u", out
        if order == 1 and a.type.is_vector and not a.type.row:
            out = N.MatMul(N.Call(name, a, 2), self.d(a))
            return "chain rule", rf"{D}\nabla g(u) = \nabla^2 g(u)\,{D}u", out
        raise UnsupportedStep(f"steps cannot differentiate the derivative of order {order} of {name}")


def derivative_of(name: str, a: N.Expr, order: int) -> N.Expr:
    """``f'(A)`` written out from the table of elementwise functions where it can be
    (``1 - tanh(A)^∘2``), else as the named derivative ``f'(A)``."""
    if name in ELEMENTWISE and order == 0:
        from ..matrix_form import instantiate
        from ..parse import parse

        return instantiate(parse(ELEMENTWISE[name].derivative, {"x": "scalar"}), a)
    return N.Elementwise(name, a, order + 1)


def broadcast(e: N.Expr, like: N.Expr) -> N.Expr:
    """``e`` with the type of ``like``: a scalar differential added to a vector or matrix
    is broadcast (``d(A + s) = ds 𝟏𝟏ᵀ`` for a constant ``A``)."""
    if e.type == like.type:
        return e
    t = like.type
    if t.is_vector:
        ones = N.Ones(t.shape[0])
        return N.MatMul(e, N.Transpose(ones) if t.row else ones)
    if t.is_matrix:
        return N.MatMul(e, N.Ones(t.shape[0]), N.Transpose(N.Ones(t.shape[1])))
    raise UnsupportedStep("steps cannot broadcast this differential")


def find_pending(e: N.Expr, var: N.Symbol) -> Differential | None:
    """The first ``d(u)`` with ``u`` not the variable, outer before inner, left to right."""
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, Differential):
            if node.args[0] != var:
                return node
            continue
        stack.extend(reversed(node.children))
    return None
