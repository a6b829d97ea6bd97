"""Which constants must be printed with their sizes (``I_n``, ``ones_n``, ``zeros(m, n)``).

``parse(str(e), where)`` must evaluate to the value of ``e`` with no extra sizes
(contract §4). Plain ``I``, ``ones`` and ``0`` take their sizes from inference, so a
constant needs its size written exactly when inference could not recover it. This
module re-runs the parser's inference on the printed tree, with the typing rules of
:mod:`symmat.nodes` (the ones the parser uses): variables contribute their dimensions,
every unsized constant a fresh unknown; a constant whose unknown stays free after the
whole expression is typed is printed with its size.
"""
from __future__ import annotations

from .. import nodes as N
from ..errors import ShapeError
from ..registry import PRIMITIVES
from ..shapes import SCALAR, DimVar, Type, Unifier, column, matrix


class _Inference:
    def __init__(self):
        self.u = Unifier()
        self.constants: list[tuple[N.Expr, list[DimVar]]] = []
        self.function_args: dict[str, Type] = {}
        self.function_signatures: dict[str, list[Type]] = {}

    def fresh(self, node: N.Expr, count: int) -> list[DimVar]:
        dims = [DimVar() for _ in range(count)]
        self.constants.append((node, dims))
        return dims

    def type_of(self, node: N.Expr) -> Type:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is not None:
            return method(node)
        rule = getattr(type(node), "rule", None)  # max, min: a binary node's own typing rule
        if rule is not None:
            return self._fold(rule, node.args)
        # Any other node: its own type, its operands typed for the constants inside them
        # (a constant no rule here connects to its surroundings keeps a free size: sized).
        for child in node.children:
            self.type_of(child)
        return self._concrete(node.type)

    def _concrete(self, t: Type) -> Type:
        return Type(tuple(DimVar(d) for d in t.shape), t.row)

    def _Symbol(self, node):
        return self._concrete(node.type)

    def _Number(self, node):
        return SCALAR

    def _Identity(self, node):
        (n,) = self.fresh(node, 1)
        return matrix(n, n)

    def _Ones(self, node):
        (n,) = self.fresh(node, 1)
        return column(n)

    def _fold(self, rule, operands) -> Type:
        t = self.type_of(operands[0])
        for operand in operands[1:]:
            t = rule(self.u, t, self.type_of(operand))
        return t

    def _Add(self, node):
        return self._fold(N.infer_add, node.args)

    def _MatMul(self, node):
        if N.is_zeros(node):
            dims = self.fresh(node, node.type.rank)
            return Type(tuple(dims), node.type.row)
        return self._fold(N.infer_matmul, node.args)

    def _Hadamard(self, node):
        return self._fold(N.infer_hadamard, node.args)

    def _HadamardDiv(self, node):
        return self._fold(N.infer_hadamard_div, node.args)

    def _Div(self, node):
        return self._fold(N.infer_div, node.args)

    def _Kron(self, node):
        return self._fold(N.infer_kron, node.args)

    def _Neg(self, node):
        return self.type_of(node.args[0])

    def _Power(self, node):
        return N.infer_power(self.u, self.type_of(node.base), node.exponent)

    def _ElemPower(self, node):
        return self.type_of(node.base)

    def _Transpose(self, node):
        return N.infer_transpose(self.u, self.type_of(node.args[0]))

    def _Apply(self, node):
        return PRIMITIVES[node.name].shape(self.u, self.type_of(node.args[1]))

    def _Elementwise(self, node):
        return self.type_of(node.args[1])

    def _Call(self, node):
        arg = self.type_of(node.args[1])
        # Every call of one abstract function takes arguments of one type.
        known = self.function_args.setdefault(node.name, arg)
        self.u.unify_types(known, arg, lambda: f"{node.name} takes arguments of one type")
        return N.infer_call(self.u, arg, node.order)

    def _FnCall(self, node):
        args = [self.type_of(a) for a in node.arguments]
        # As for one argument: every call of one function takes arguments of the same types.
        known = self.function_signatures.setdefault(node.name, args)
        message = f"every call of {node.name} takes arguments of the same types"
        for want, got in zip(known, args, strict=True):
            self.u.unify_types(want, got, lambda: message)
        out = () if node.out is None else (DimVar(node.out),)
        return Type(out + tuple(d for k in node.which for d in args[k].shape))


# A zero vector or matrix prints as ``0``, a scalar, which the parser broadcasts only as
# an operand of these; anywhere else (a function's argument, a lone result) it is sized.
_BROADCASTING = (N.Add, N.Hadamard, N.HadamardDiv, N.Max, N.Min)


def _zeros_outside_broadcast(expr: N.Expr) -> set[int]:
    found = {id(expr)} if N.is_zeros(expr) else set()
    for node in N.walk(expr):
        if not isinstance(node, _BROADCASTING):
            found.update(id(child) for child in node.children if N.is_zeros(child))
    return found


def sized_constants(expr: N.Expr) -> set[int]:
    """``id`` of every constant node of ``expr`` (``I``, ``ones``, a zero vector or
    matrix) whose size inference cannot recover from the rest of the printed text."""
    if not any(isinstance(n, (N.Identity, N.Ones)) for n in N.walk(expr)):
        return set()
    inference = _Inference()
    try:
        inference.type_of(expr)
    except (ShapeError, RecursionError):
        # Inference over this text would not go through without sizes (a Kronecker
        # product of unknown sizes, say): print every constant with its size.
        return {id(node) for node, _ in inference.constants}
    unknown = _zeros_outside_broadcast(expr)
    for node, dims in inference.constants:
        if any(isinstance(inference.u.resolve(d), DimVar) for d in dims):
            unknown.add(id(node))
    return unknown
