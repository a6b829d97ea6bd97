"""Code for index-notation results (:class:`symmat.index.expr.IndexExpr`), every target.

A derivative that has no matrix form (rank 3 and 4, or not yet brought back) is a DAG
of index-form tensors; each contraction becomes one ``einsum`` (NumPy's with
``optimize=True``) and every tensor used more than once is computed once, into a
temporary. The functions of the language are printed as the matrix printer prints them.
"""
from __future__ import annotations

import string
from typing import TYPE_CHECKING

from .. import nodes as N
from ..errors import SymmatError
from ..functions import ELEMENTWISE
from ..index import tensor as T
from ..nodes import derivative_head
from ..provenance import Variables
from ..shapes import Dim, Type
from .code_products import ADD, ATOM, MUL, UNARY, Code, wrap

if TYPE_CHECKING:
    from .code import Signature
    from .targets import Target

_LETTERS = string.ascii_letters


def index_variables(node, bound: Variables = ()) -> tuple[list[N.Symbol], list[tuple]]:
    """The variables (as symbols) and abstract functions ``(name, order, elementwise)``
    of an index-form expression, in order of first appearance, then the variables of
    ``bound`` (name, Type) it does not mention: they fix its sizes (symmat.provenance)."""
    symbols: dict[str, N.Symbol] = {}
    functions: dict[tuple, None] = {}
    declared = dict(bound)
    stack, seen = [node.tensor], set()
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        if isinstance(t, T.Var):
            name, shape, symmetric = t.args
            symbols.setdefault(name, N.Symbol(name, declared.get(name, Type(shape)), symmetric))
        elif isinstance(t, T.FnCall):
            functions.setdefault((derivative_head(t.args[0], t.args[2], len(t.args[1])), 0, False), None)
        elif isinstance(t, (T.Call, T.Elem)) and not (isinstance(t, T.Elem) and t.args[0] in ELEMENTWISE):
            functions.setdefault((t.args[0], t.args[2], isinstance(t, T.Elem)), None)
        stack.extend(reversed(t.children))
    # A variable the derivative no longer depends on still fixes sizes (the m of δ_im
    # in ∂(Wx)/∂W comes from W), so it stays a parameter, as in evaluate().
    for name, type_ in declared.items():
        symbols.setdefault(name, N.Symbol(name, type_))
    return list(symbols.values()), list(functions)


def _uses(root: T.Tensor) -> dict[int, int]:
    """How many parents each tensor of the DAG has (a tensor used twice is shared)."""
    count: dict[int, int] = {}
    stack = [root]
    while stack:
        t = stack.pop()
        for c in t.children:
            count[id(c)] = count.get(id(c), 0) + 1
            if count[id(c)] == 1:
                stack.append(c)
    return count


class IndexPrinter:
    """Mixin of the code printer for :class:`IndexExpr`; uses the printer's
    ``assign``, ``named``, ``dim``, ``sig``, ``op`` and ``_elementwise``."""

    if TYPE_CHECKING:  # provided by the code printer (code.py)
        target: Target
        sig: Signature

        def assign(self, text: str) -> str: ...
        def dim(self, d: Dim) -> str: ...
        def op(self, name: str, *args: Code) -> Code: ...
        def _elementwise(self, name: str, order: int, x: Code, scalar: bool) -> Code: ...
        def _power(self, base: Code, exponent: float) -> Code: ...

    def _print_IndexExpr(self, node) -> Code:
        self._tensor_uses = _uses(node.tensor)
        self._tensor_memo: dict[int, Code] = {}
        return self.tensor_code(node.tensor)

    def tensor_code(self, t: T.Tensor) -> Code:
        key = id(t)
        if key not in self._tensor_memo:
            method = getattr(self, "_tensor_" + type(t).__name__, None)
            if method is None:
                raise SymmatError(f"the {self.target.name} printer cannot print the index-form {type(t).__name__}")
            code = method(t)
            if (self._tensor_uses.get(key, 0) > 1 and code[1] != ATOM) or len(code[0]) > 72:
                code = (self.assign(code[0]), ATOM)
            self._tensor_memo[key] = code
        return self._tensor_memo[key]

    def _shape_code(self, shape: tuple) -> str:
        dims = [self.dim(d) for d in shape]
        return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"

    def _tensor_Var(self, t):
        return self.sig.symbols[t.args[0]], ATOM

    def _tensor_Const(self, t):
        v = float(t.value)
        return repr(v), (UNARY if v < 0 else ATOM)

    def _tensor_Zero(self, t):
        return ("0.0", ATOM) if not t.shape else self.op("zeros", (self._shape_code(t.shape), ATOM))

    def _tensor_Ones(self, t):
        return ("1.0", ATOM) if not t.shape else self.op("ones", (self._shape_code(t.shape), ATOM))

    def _tensor_Delta(self, t):
        return self.op("eye", (self.dim(t.args[0]), ATOM))

    def _tensor_Einsum(self, t):
        letters: dict = {}
        for label in [l for sub in t.subscripts for l in sub] + list(t.out):
            letters.setdefault(label, None)
        if len(letters) > len(_LETTERS):
            raise SymmatError(f"a contraction over {len(letters)} indices is too large for einsum")
        letter = {label: _LETTERS[i] for i, label in enumerate(letters)}
        spec = ",".join("".join(letter[l] for l in sub) for sub in t.subscripts)
        spec += "->" + "".join(letter[l] for l in t.out)
        args = ", ".join(self.tensor_code(op)[0] for op in t.operands)
        code = self.op("einsum", (f'"{spec}"', ATOM), (args, ATOM))
        coef = float(t.coef)
        if coef == 1.0:
            return code
        if coef == -1.0:
            return "-" + code[0], UNARY
        return f"{coef!r} * {code[0]}", MUL

    def _tensor_Sum(self, t):
        parts = [wrap(self.tensor_code(t.terms[0]), ADD)]
        parts += ["+ " + wrap(self.tensor_code(term), MUL) for term in t.terms[1:]]
        return " ".join(parts), ADD

    def _tensor_Elem(self, t):
        name, arg, order = t.args
        return self._elementwise(name, order, self.tensor_code(arg), not arg.shape)

    def _tensor_Pow(self, t):
        return self._power(self.tensor_code(t.args[0]), float(t.args[1]))

    def _tensor_Apply(self, t):
        return self.op(t.prim.name, *(self.tensor_code(op) for op in t.operands))

    def _tensor_VarPow(self, t):
        return self.op("power", self.tensor_code(t.args[0]), self.tensor_code(t.args[1]))

    def _tensor_Call(self, t):
        name, arg, order = t.args
        call = f"{self.sig.callables[name, order, False]}({self.tensor_code(arg)[0]})"
        if arg.rank <= 1:  # g, ∇g, ∇²g of a vector already have the tensor's shape
            return call, ATOM
        return self.op("reshape", (call, ATOM), (self._shape_code(t.shape), ATOM))

    def _tensor_FnCall(self, t):
        name, args, which, _out = t.args
        fn = self.sig.callables[derivative_head(name, which, len(args)), 0, False]
        return f"{fn}({', '.join(self.tensor_code(a)[0] for a in args)})", ATOM

    def _tensor_Reshape(self, t):
        return self.op("reshape", self.tensor_code(t.args[0]), (self._shape_code(t.shape), ATOM))


__all__ = ["IndexPrinter", "index_variables"]
