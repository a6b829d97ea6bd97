"""Differentiation in index form.

``Differentiator(x)(t)`` is the tensor ``∂t/∂x`` with axes ``t.shape ++ x.shape``
(entry ``[t_idx…, x_idx…] = ∂t[t_idx]/∂x[x_idx]``), or ``None`` when it is zero.
One rule per node kind; each is the identity in its docstring. Results are memoised
per node, so a shared subexpression is differentiated once and the work is linear
in the size of the DAG.
"""
from __future__ import annotations

from ..errors import DiffError
from ..index import tensor as T
from ..registry import D
from .elementwise import power_slope, slope, var_power_slope


class Differentiator:
    def __init__(self, var: T.Var):
        self.var = var
        self.memo: dict[T.Tensor, T.Tensor | None] = {}
        self.depends: dict[T.Tensor, bool] = {}

    def __call__(self, t: T.Tensor) -> T.Tensor | None:
        if not T.depends_on(t, self.var.name, self.depends):
            return None
        if t not in self.memo:
            method = getattr(self, "_d_" + type(t).__name__, None)
            if method is None:
                raise DiffError(f"cannot differentiate {type(t).__name__}")
            result = method(t)
            if result is not None:
                assert result.shape == t.shape + self.var.shape, (t, result.shape)
            self.memo[t] = result
        return self.memo[t]

    # labels: the node's own axes are 0..r-1, the variable's axes are ("x", k)
    def xlabels(self) -> tuple:
        return tuple(("x", k) for k in range(self.var.rank))

    def chain(self, outer: T.Tensor, outer_labels, inner: T.Tensor, inner_labels, out_labels) -> T.Tensor | None:
        """Σ outer[outer_labels] · ∂inner[inner_labels, x…] with output ``out_labels ++ x…``."""
        d = self(inner)
        if d is None:
            return None
        xs = self.xlabels()
        return T.einsum([outer, d], [tuple(outer_labels), tuple(inner_labels) + xs], tuple(out_labels) + xs)

    def _d_Var(self, t):
        """∂x/∂x = δ (one delta per axis)."""
        return T.identity(t.shape) if t.args[0] == self.var.name else None

    def _d_Sum(self, t):
        """∂(a + b) = ∂a + ∂b."""
        return T.add(self(term) for term in t.terms)

    def _d_Einsum(self, t: T.Einsum):
        """Product rule: ∂(Π A_k) = Σ_k (Π_{j≠k} A_j) ∂A_k, contracted as before."""
        xs = self.xlabels()
        terms = []
        for k, op in enumerate(t.operands):
            d = self(op)
            if d is None:
                continue
            operands = list(t.operands)
            subscripts = [tuple(s) for s in t.subscripts]
            operands[k] = d
            subscripts[k] = subscripts[k] + xs
            terms.append(T.einsum(operands, subscripts, tuple(t.out) + xs, t.coef))
        return T.add(terms)

    def _d_Elem(self, t: T.Elem):
        """∂f(A)_ij = f'(A)_ij ∂A_ij (elementwise chain rule)."""
        name, arg, order = t.args
        d = slope(name, arg, order)
        if d is None:
            return None
        labels = tuple(range(t.rank))
        return self.chain(d, labels, arg, labels, labels)

    def _d_Pow(self, t: T.Pow):
        """∂(A .^ p) = p A .^ (p-1) ⊙ ∂A."""
        arg, p = t.args
        labels = tuple(range(t.rank))
        return self.chain(power_slope(arg, p), labels, arg, labels, labels)

    def _d_VarPow(self, t: T.VarPow):
        """∂(A .^ b) = b A .^ (b-1) ⊙ ∂A + log(A) ⊙ A .^ b ∂b  (b a scalar)."""
        arg, b = t.args
        labels = tuple(range(t.rank))
        return T.add([
            self.chain(var_power_slope(arg, b), labels, arg, labels, labels),
            self.chain(T.einsum([T.Elem("log", arg, 0), t], [labels, labels], labels), labels, b, (), labels),
        ])

    def _d_Apply(self, t: T.Apply):
        """∂f(A) = the primitive's differential (symmat.registry.Term) with ∂A for dA."""
        xs = self.xlabels()
        terms = []
        assert t.prim.derivative is not None  # an opaque primitive has one (Primitive.__post_init__)
        for term in t.prim.derivative(t):
            operands, subscripts = list(term.operands), [tuple(s) for s in term.subscripts]
            k = next(j for j, op in enumerate(operands) if isinstance(op, D))
            d = self(t.operands[operands[k].k])
            if d is None:
                continue
            operands[k], subscripts[k] = d, subscripts[k] + xs
            terms.append(T.einsum(operands, subscripts, tuple(term.out) + xs, term.coef))
        return T.add(terms)

    def _d_Call(self, t: T.Call):
        """∂ ∇ᵏg(a) = ∇ᵏ⁺¹g(a) · ∂a (chain rule through the abstract function)."""
        name, arg, order = t.args
        own = tuple(range(t.rank))
        a_labels = tuple(("a", k) for k in range(arg.rank))
        return self.chain(T.Call(name, arg, order + 1), own + a_labels, arg, a_labels, own)

    def _d_FnCall(self, t: T.FnCall):
        """Chain rule through each argument: ∂ g(a, b) = ∂₁g · ∂a + ∂₂g · ∂b."""
        own = tuple(range(t.rank))
        terms = []
        for k, arg in enumerate(t.args[1]):
            a_labels = tuple(("a", j) for j in range(arg.rank))
            terms.append(self.chain(t.partial(k), own + a_labels, arg, a_labels, own))
        return T.add(terms)

    def _d_Reshape(self, t: T.Reshape):
        """∂ reshape(A) = reshape(∂A) (reshaping is linear)."""
        d = self(t.args[0])
        return None if d is None else T.reshape(d, t.shape + self.var.shape)

    def _d_Const(self, t):
        return None

    _d_Ones = _d_Delta = _d_Zero = _d_Const


def derivative(t: T.Tensor, var: T.Var) -> T.Tensor | None:
    return Differentiator(var)(t)
