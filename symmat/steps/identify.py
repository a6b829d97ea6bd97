"""Bringing the expanded differential into identification form, one identity per step.

After expansion ``df`` is a sum of terms, each linear in ``dX``. Each term is kept as a
pair (context ``P``, linear part ``L``) of one of three kinds, shown as

- scalar: ``P L``        (``P`` a scalar or None, ``L`` a scalar)
- vector: ``P L``        (``P`` a row vector, ``L`` a column vector)
- matrix: ``tr(P L)``    (``P`` None, a scalar or a matrix; ``L`` a matrix)

and a step moves the outermost operation of ``L`` into ``P`` by a named identity
(trace cyclicity, ``aᵀ M b = tr(b aᵀ M)``, ``uᵀ(v ⊙ w) = (u ⊙ v)ᵀ w``, ...). A term
is done when ``L`` is ``dX`` itself; then ``df = P dx`` or ``df = tr(P dX)``, and
``P`` is the derivative in numerator layout.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from .. import nodes as N
from .algebra import (
    Differential,
    UnsupportedStep,
    divide,
    has_differential,
    mul,
    neg,
    scale,
    split_product,
    transpose,
)
from .expand import D, Rewrite

TR = r"\operatorname{tr}"


@dataclass(frozen=True)
class Term:
    kind: str  # "scalar" | "vector" | "matrix"
    P: N.Expr | None
    L: N.Expr

    def show(self) -> N.Expr:
        if self.kind == "matrix":
            if self.P is None or self.P.type.is_scalar:
                return scale(self.P, N.Apply("tr", self.L))
            return N.Apply("tr", mul(self.P, self.L))
        return scale(self.P, self.L) if self.kind == "scalar" else mul(self.P, self.L)


def kind_of(e: N.Expr) -> str:
    return {0: "scalar", 1: "vector", 2: "matrix"}[e.type.rank]


def show(terms: list[Term]) -> N.Expr:
    shown = [t.show() for t in terms]
    return shown[0] if len(shown) == 1 else N.Add(*shown)


def initial_terms(e: N.Expr) -> list[Term]:
    return [Term("scalar", None, e)]


class Identifier:
    """One peeling step on the first unfinished term."""

    def __init__(self, var: N.Symbol):
        self.var = var
        self.dX = Differential(var)

    def done(self, t: Term) -> bool:
        return t.L == self.dX and t.kind == kind_of(self.var)

    def step(self, terms: list[Term]) -> tuple[str, str, list[Term]] | None:
        for i, t in enumerate(terms):
            if not self.done(t):
                rule, law, new = self.peel(t)
                return rule, law, terms[:i] + new + terms[i + 1:]
        return None

    def peel(self, t: Term) -> tuple[str, str, list[Term]]:
        L = t.L
        if isinstance(L, N.Add):
            if not all(has_differential(a) for a in L.args):
                raise UnsupportedStep("a sum mixing constant and linear terms in a differential")
            return "distributivity", "", [replace(t, L=a) for a in L.args]
        if isinstance(L, N.Neg):
            return "sign", "", [replace(t, P=neg(t.P), L=L.args[0])]
        if isinstance(L, N.Div):
            return "scalar factor", "", [replace(t, P=divide(t.P, L.right), L=L.left)]
        method = getattr(self, f"_{t.kind}_{type(L).__name__}", None)
        if method is None:
            name = L.args[0] if isinstance(L, N.Apply) else type(L).__name__
            raise UnsupportedStep(f"steps cannot bring {name} into identification form ({t.kind} term)")
        rule, law, new = method(t, L)
        return rule, law, new if isinstance(new, list) else [new]

    # ---------------------------------------------------------------- helpers
    def _locate(self, L):
        """Split the product ``L``: (other scalars, the factor holding dX, whether that
        factor is a scalar, its position in the chain, the chain)."""
        scalars, chain = split_product(L)
        for k, s in enumerate(scalars):
            if has_differential(s):
                return scalars[:k] + scalars[k + 1:], s, True, None, chain
        for k, f in enumerate(chain):
            if has_differential(f):
                return scalars, f, False, k, chain
        raise UnsupportedStep("a product without a differential")

    def _scalar_out(self, t, L, others, s, chain):
        coef = mul(t.P, *others, *([N.MatMul(*chain)] if len(chain) > 1 else chain))
        return "scalar factors commute", "", Term("scalar", None if coef == N.Number(1.0) else coef, s)

    def _hadamard_parts(self, L):
        a, b = L.args
        return (b, a) if has_differential(a) else (a, b)  # (constant side, linear side)

    def _matrix_P(self, t, n):
        """The context as a matrix: ``tr(c M) = tr(c I M)``."""
        if t.P is None or t.P.type.is_scalar:
            return scale(t.P, N.Identity(n))
        return t.P

    # ------------------------------------------------------------ scalar kind
    def _scalar_MatMul(self, t, L):
        others, f, is_scalar, k, chain = self._locate(L)
        if is_scalar:
            return self._scalar_out(t, L, others, f, chain)
        before, after = chain[:k], chain[k + 1:]
        coef = mul(t.P, *others)
        if k == len(chain) - 1 and f.type.is_vector and not f.type.row:
            return "associativity", "", Term("vector", mul(coef, *before), f)
        if k == 0 and f.type.is_vector and f.type.row:
            law = r"s = s^\top,\ (AB)^\top = B^\top A^\top"
            return "scalar transpose", law, Term("vector", mul(coef, transpose(mul(*after))), transpose(f))
        if f.type.is_matrix:
            law = rf"a^\top M b = {TR}(b\, a^\top M)"
            return "trace trick", law, Term("matrix", mul(coef, *after, *before), f)
        raise UnsupportedStep("an inner product of this form")

    def _scalar_Transpose(self, t, L):
        return "scalar transpose", r"s^\top = s", replace(t, L=L.args[0])

    def _scalar_Apply(self, t, L):
        name, a = L.args
        if name == "tr":
            return "trace", "", Term("matrix", t.P, a)
        if name == "sum":
            return self._sum(t, a)
        raise UnsupportedStep(f"steps cannot bring {name}(...) into identification form")

    def _sum(self, t, a):
        if a.type.is_scalar:
            return "sum of a scalar", "", replace(t, L=a)
        if isinstance(a, N.Hadamard):
            const, lin = self._hadamard_parts(a)
            if const.type.is_scalar:
                return "scalar factor", "", Term("scalar", mul(t.P, const), N.Apply("sum", lin))
            if lin.type.is_scalar:
                return "scalar factor", "", Term("scalar", mul(t.P, N.Apply("sum", const)), lin)
            if lin.type.is_matrix:
                law = rf"\operatorname{{sum}}(A \odot B) = {TR}(A^\top B)"
                return "sum of a product", law, Term("matrix", mul(t.P, transpose(const)), lin)
            law = r"\operatorname{sum}(u \odot v) = u^\top v"
            if lin.type.row:
                return "sum of a product", law, Term("vector", mul(t.P, const), transpose(lin))
            return "sum of a product", law, Term("vector", mul(t.P, transpose(const)), lin)
        if a.type.is_matrix:
            m, n = a.type.shape
            law = rf"\operatorname{{sum}}(M) = \mathbf{{1}}^\top M \mathbf{{1}} = {TR}(\mathbf{{1}}\mathbf{{1}}^\top M)"
            return "sum as a trace", law, Term("matrix", mul(t.P, N.Ones(n), N.Transpose(N.Ones(m))), a)
        ones = N.Ones(a.type.shape[0])
        law = r"\operatorname{sum}(v) = \mathbf{1}^\top v"
        if a.type.row:
            return "sum as a product", law, Term("vector", mul(t.P, N.Transpose(ones)), transpose(a))
        return "sum as a product", law, Term("vector", mul(t.P, N.Transpose(ones)), a)

    def _scalar_Hadamard(self, t, L):
        const, lin = self._hadamard_parts(L)
        return "scalar factor", "", replace(t, P=mul(t.P, const), L=lin)

    def _scalar_HadamardDiv(self, t, L):
        return "scalar factor", "", replace(t, P=divide(t.P, L.right), L=L.left)

    # ------------------------------------------------------------ vector kind
    def _vector_MatMul(self, t, L):
        others, f, is_scalar, k, chain = self._locate(L)
        if is_scalar:
            # P (c s) = (P c) s
            return "scalar factors commute", "", Term("scalar", mul(*others, mul(t.P, *chain)), f)
        before, after = chain[:k], chain[k + 1:]
        if f.type.is_vector and not f.type.row:
            if not after:
                return "associativity", "", Term("vector", mul(*others, t.P, *before), f)
            # P A f (rest) with rest a scalar chain
            return "scalar factors commute", "", Term("vector", mul(*others, mul(*after), t.P, *before), f)
        if f.type.is_matrix:
            law = rf"a^\top M b = {TR}(b\, a^\top M)"
            return "trace trick", law, Term("matrix", mul(*others, *after, t.P, *before), f)
        if f.type.row:
            return "associativity", "", Term("scalar", mul(*others, mul(t.P, *before)), mul(f, *after))
        raise UnsupportedStep("a vector product of this form")

    def _vector_Hadamard(self, t, L):
        const, lin = self._hadamard_parts(L)
        if const.type.is_scalar:
            return "scalar factor", "", Term("vector", mul(const, t.P), lin)
        if lin.type.is_scalar:
            return "associativity", "", Term("scalar", mul(t.P, const), lin)
        law = r"u^\top (v \odot w) = (u \odot v)^\top w"
        return "Hadamard product", law, Term("vector", transpose(N.Hadamard(transpose(t.P), const)), lin)

    def _vector_HadamardDiv(self, t, L):
        lin, const = L.args
        if const.type.is_scalar:
            return "scalar factor", "", Term("vector", divide(t.P, const), lin)
        if lin.type.is_scalar:
            return "associativity", "", Term("scalar", mul(t.P, N.HadamardDiv(N.Number(1.0), const)), lin)
        law = r"u^\top (v \oslash w) = (u \oslash w)^\top v"
        return "Hadamard quotient", law, Term("vector", transpose(N.HadamardDiv(transpose(t.P), const)), lin)

    def _vector_Transpose(self, t, L):
        inner = L.args[0]
        if isinstance(inner, (N.Hadamard, N.HadamardDiv)):
            op = r"\odot" if isinstance(inner, N.Hadamard) else r"\oslash"
            pushed: N.Expr = type(inner)(transpose(inner.left), transpose(inner.right))
            return "transpose", rf"(A {op} B)^\top = A^\top {op} B^\top", replace(t, L=pushed)
        pushed = transpose(inner)
        if isinstance(pushed, N.Transpose):
            raise UnsupportedStep(f"steps cannot move a transpose inside {type(inner).__name__}")
        return "transpose", r"(A^\top)^\top = A,\ (AB)^\top = B^\top A^\top", replace(t, L=pushed)

    def _vector_Apply(self, t, L):
        name, a = L.args
        if name == "diag" and a.type.is_matrix:
            law = rf"p^\top \operatorname{{diag}}(M) = {TR}(\operatorname{{diag}}(p)\, M)"
            return "diagonal", law, Term("matrix", N.Apply("diag", transpose(t.P)), a)
        if name == "vec":
            return self._vec(t, a)
        raise UnsupportedStep(f"steps cannot bring {name}(...) into identification form")

    def _vec(self, t, M):
        """``vec(C)ᵀ vec(M) = tr(Cᵀ M)``; a context that is not ``vec(C)ᵀ`` is refused."""
        scalars, chain = split_product(t.P) if isinstance(t.P, N.MatMul) else ([], [t.P])
        sign = 1
        if len(chain) == 1 and isinstance(chain[0], N.Neg):
            sign, chain = -1, [chain[0].args[0]]
        head = chain[0] if len(chain) == 1 else None
        if not (isinstance(head, N.Transpose) and isinstance(head.args[0], N.Apply)
                and head.args[0].name == "vec" and head.args[0].args[1].type == M.type):
            raise UnsupportedStep("steps cannot bring vec(...) into identification form")
        C = head.args[0].args[1]
        P = mul(*scalars, transpose(C))
        law = rf"\operatorname{{vec}}(C)^\top \operatorname{{vec}}(M) = {TR}(C^\top M)"
        return "vec inner product", law, Term("matrix", P if sign == 1 else neg(P), M)

    # ------------------------------------------------------------ matrix kind
    def _matrix_MatMul(self, t, L):
        others, f, is_scalar, k, chain = self._locate(L)
        if is_scalar:
            coef = mul(*others, N.Apply("tr", mul(self._matrix_P(t, chain_rows(chain)), *chain)))
            return "scalars leave the trace", rf"{TR}(s A) = s\,{TR}(A)", Term("scalar", coef, f)
        before, after = chain[:k], chain[k + 1:]
        P = None if t.P is None or t.P.type.is_scalar else t.P
        c = mul(*others, *([t.P] if P is None and t.P is not None else []))
        law = rf"{TR}(AB) = {TR}(BA)"
        if f.type.is_matrix:
            return "cyclic property", law, Term("matrix", mul(c, *after, P, *before), f)
        if f.type.is_vector and not f.type.row:
            return "cyclic property", law, Term("vector", mul(c, *after, P, *before), f)
        return "cyclic property", law, Term("scalar", None if c == N.Number(1.0) else c, mul(f, *after, P, *before))

    def _matrix_Transpose(self, t, L):
        law = rf"{TR}(P A^\top) = {TR}(A P^\top) = {TR}(P^\top A)"
        return "transpose in a trace", law, Term("matrix", None if t.P is None else transpose(t.P), L.args[0])

    def _matrix_Hadamard(self, t, L):
        const, lin = self._hadamard_parts(L)
        if const.type.is_scalar:
            return "scalar factor", "", Term("matrix", mul(const, t.P), lin)
        if lin.type.is_scalar:
            coef = N.Apply("tr", mul(self._matrix_P(t, const.type.shape[1]), const))
            return "scalars leave the trace", rf"{TR}(s A) = s\,{TR}(A)", Term("scalar", coef, lin)
        law = rf"{TR}(P (A \odot B)) = {TR}((P \odot A^\top) B)"
        P = self._matrix_P(t, L.type.shape[1])
        return "Hadamard product", law, Term("matrix", N.Hadamard(P, transpose(const)), lin)

    def _matrix_HadamardDiv(self, t, L):
        lin, const = L.args
        if const.type.is_scalar:
            return "scalar factor", "", Term("matrix", divide(t.P, const), lin)
        if lin.type.is_scalar:
            raise UnsupportedStep("a scalar divided elementwise by a matrix inside a trace")
        law = rf"{TR}(P (A \oslash B)) = {TR}((P \oslash B^\top) A)"
        P = self._matrix_P(t, L.type.shape[1])
        return "Hadamard quotient", law, Term("matrix", N.HadamardDiv(P, transpose(const)), lin)

    def _matrix_Apply(self, t, L):
        name, a = L.args
        if name == "diag" and a.type.is_vector:
            law = rf"{TR}(P \operatorname{{diag}}(v)) = \operatorname{{diag}}(P)^\top v"
            if t.P is None or t.P.type.is_scalar:
                return "diagonal", law, Term("vector", mul(t.P, N.Transpose(N.Ones(a.type.shape[0]))), a)
            return "diagonal", law, Term("vector", N.Transpose(N.Apply("diag", t.P)), a)
        raise UnsupportedStep(f"steps cannot bring {name}(...) into identification form")


def chain_rows(chain):
    return chain[-1].type.shape[-1]


# ---------------------------------------------------------------- collecting
def collect(terms: list[Term], var: N.Symbol) -> tuple[Rewrite | None, N.Expr]:
    """``P₁ dX + P₂ dX = (P₁ + P₂) dX`` (and the same inside a trace): the step that
    merges the finished terms (None for one term), and the total context ``P``."""
    kind = kind_of(var)
    n = var.type.shape[0] if var.type.shape else None
    contexts = []
    for t in terms:
        P = t.P
        if kind == "matrix" and (P is None or P.type.is_scalar):
            P = scale(P, N.Identity(n))
        contexts.append(N.Number(1.0) if P is None else P)
    total = contexts[0] if len(contexts) == 1 else N.Add(*contexts)
    if len(terms) == 1:
        return None, total
    dX = Differential(var)
    shown: N.Expr
    if kind == "matrix":
        shown = N.Apply("tr", N.MatMul(total, dX))
        law = rf"{TR}(A\,{D}X) + {TR}(B\,{D}X) = {TR}((A + B)\,{D}X)"
    else:
        shown = N.MatMul(total, dX)
        law = rf"a^\top {D}x + b^\top {D}x = (a + b)^\top {D}x"
    return Rewrite("collect terms", law, shown), total
