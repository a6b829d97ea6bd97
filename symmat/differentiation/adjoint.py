"""Reverse mode: the gradient of a scalar by adjoints.

For a scalar ``f`` the adjoint of a node ``t`` is ``t̄ = ∂f/∂t`` (the shape of ``t``),
propagated from the root to the leaves by the transposed product and chain rules:

    t = c Σ Π A_k        ⇒  Ā_k += c Σ t̄ Π_{j≠k} A_j   (labels of A_k kept free)
    t = f(A) elementwise ⇒  Ā += t̄ ⊙ f'(A)
    t = f(A), a primitive ⇒ Ā += each term of f's differential (symmat.registry.Term),
                            transposed like a contraction (X⁻¹: X̄ += -X⁻ᵀ t̄ X⁻ᵀ)
    t = A .^ b (b scalar) ⇒ Ā += t̄ ⊙ b A .^ (b-1),   b̄ += Σ t̄ ⊙ log(A) ⊙ t
    t = ∇ᵏg(a)           ⇒  ā += t̄ : ∇ᵏ⁺¹g(a)          t = reshape(A) ⇒ Ā += reshape⁻¹(t̄)
    t = g(a, b, …)       ⇒  ā += t̄ : ∂_a g(a, b, …), and so for each argument

Every adjoint has the rank of its node (at most 2 in the language), so the gradient
comes out as a DAG of matrix-sized contractions — backpropagation, in the order a
textbook writes it (``∇_W L = ∇_Z L Xᵀ``) — built in time linear in the DAG.
"""
from __future__ import annotations

from collections.abc import Hashable

from ..errors import DiffError
from ..index import tensor as T
from ..registry import D
from .elementwise import power_slope, slope, var_power_slope


def _topological(root: T.Tensor, name: str, depends: dict[T.Tensor, bool]) -> list[T.Tensor]:
    """Nodes that depend on ``name``, children before parents (iterative DFS)."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if node in seen or not T.depends_on(node, name, depends):
            continue
        seen.add(node)
        stack.append((node, True))
        stack.extend((c, False) for c in node.children)
    return order


class Backpropagation:
    def __init__(self, var: T.Var):
        self.var = var
        self.contributions: dict[T.Tensor, list[T.Tensor]] = {}
        self.depends: dict[T.Tensor, bool] = {}

    def send(self, node: T.Tensor, adjoint: T.Tensor | None) -> None:
        if adjoint is not None and T.depends_on(node, self.var.name, self.depends):
            assert adjoint.shape == node.shape, (node, adjoint.shape)
            self.contributions.setdefault(node, []).append(adjoint)

    def run(self, f: T.Tensor) -> T.Tensor | None:
        if f.rank != 0:
            raise DiffError("reverse mode needs a scalar function")
        self.send(f, T.Const(1.0))
        for node in reversed(_topological(f, self.var.name, self.depends)):
            adjoint = T.add(self.contributions.pop(node, []))
            if node == self.var:
                return adjoint
            if adjoint is not None:
                method = getattr(self, "_back_" + type(node).__name__, None)
                if method is None:
                    raise DiffError(f"cannot differentiate {type(node).__name__}")
                method(node, adjoint)
        return None

    def _back_Var(self, t, a):
        pass  # another variable: nothing flows further

    def _back_Sum(self, t, a):
        for term in t.terms:
            self.send(term, a)

    def _back_Einsum(self, t: T.Einsum, a):
        for k, op in enumerate(t.operands):
            if T.depends_on(op, self.var.name, self.depends):
                self.send(op, transpose_operand(t.operands, t.subscripts, t.out, t.coef, k, a))

    def _hadamard(self, a: T.Tensor, b: T.Tensor) -> T.Tensor:
        labels = tuple(range(a.rank))
        return T.einsum([a, b], [labels, labels], labels)

    def _back_Elem(self, t: T.Elem, a):
        d = slope(*t.args)
        if d is not None:
            self.send(t.args[1], self._hadamard(a, d))

    def _back_Pow(self, t: T.Pow, a):
        arg, p = t.args
        self.send(arg, self._hadamard(a, power_slope(arg, p)))

    def _back_VarPow(self, t: T.VarPow, a):
        arg, b = t.args
        self.send(arg, self._hadamard(a, var_power_slope(arg, b)))
        labels = tuple(range(t.rank))
        self.send(b, T.einsum([a, T.Elem("log", arg, 0), t], [labels] * 3, ()))

    def _back_Apply(self, t: T.Apply, a):
        """Each term of the primitive's differential, transposed (as for a contraction)."""
        sent: dict[int, list] = {}
        assert t.prim.derivative is not None  # an opaque primitive has one (Primitive.__post_init__)
        for term in t.prim.derivative(t):
            k = next(j for j, op in enumerate(term.operands) if isinstance(op, D))
            arg = term.operands[k].k
            if T.depends_on(t.operands[arg], self.var.name, self.depends):
                operands = [t.operands[arg] if j == k else op for j, op in enumerate(term.operands)]
                sent.setdefault(arg, []).append(
                    transpose_operand(operands, term.subscripts, term.out, term.coef, k, a))
        for arg, adjoints in sent.items():
            self.send(t.operands[arg], T.add(adjoints))

    def _back_Call(self, t: T.Call, a):
        name, arg, order = t.args
        own = tuple(range(t.rank))
        arg_labels = tuple(("a", k) for k in range(arg.rank))
        self.send(arg, T.einsum([a, T.Call(name, arg, order + 1)], [own, own + arg_labels], arg_labels))

    def _back_FnCall(self, t: T.FnCall, a):
        own = tuple(range(t.rank))
        for k, arg in enumerate(t.args[1]):
            arg_labels = tuple(("a", j) for j in range(arg.rank))
            self.send(arg, T.einsum([a, t.partial(k)], [own, own + arg_labels], arg_labels))

    def _back_Reshape(self, t: T.Reshape, a):
        self.send(t.args[0], T.reshape(a, t.args[0].shape))


def transpose_operand(operands, subscripts, out, coef: float, k: int, a: T.Tensor) -> T.Tensor:
    """The adjoint of ``operands[k]`` in ``t = coef Σ Π operands[subscripts]`` (labels
    ``out``) from the adjoint ``a`` of ``t``: ``Ā_k = coef Σ a Π_{j≠k} A_j`` with A_k's
    labels kept free."""
    size = {l: d for op, sub in zip(operands, subscripts) for l, d in zip(sub, op.shape)}
    ops = [a] + [o for j, o in enumerate(operands) if j != k]
    subs: list[tuple[Hashable, ...]] = [tuple(out), *(tuple(s) for j, s in enumerate(subscripts) if j != k)]
    present = {l for s in subs for l in s}
    target: list[Hashable] = []
    for position, label in enumerate(subscripts[k]):
        if label in target:
            # A repeated label (X_ii): the adjoint is diagonal there, δ_ij.
            fresh = ("diagonal", position)
            ops.append(T.Delta(size[label]))
            subs.append((label, fresh))
            target.append(fresh)
        else:
            target.append(label)
    for label in dict.fromkeys(subscripts[k]):
        if label not in present:
            # A label summed away only in A_k (sum X): the adjoint is constant along it.
            ops.append(T.Ones((size[label],)))
            subs.append((label,))
    return T.einsum(ops, subs, tuple(target), coef)


def gradient(f: T.Tensor, var: T.Var) -> T.Tensor | None:
    """∂f/∂var for a scalar ``f`` (shape of ``var``), or None when it is zero."""
    return Backpropagation(var).run(f)
