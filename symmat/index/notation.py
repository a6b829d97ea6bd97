"""Index (Einstein) notation for tensors: ``[i,m,n] δ_im x_n``.

The output axes are listed in brackets; a label repeated on the right and absent from
the brackets is summed. Subexpressions that are not contractions are printed as
functions of their arguments (``tanh'(…)``), each nested contraction with its own
brackets.
"""
from __future__ import annotations

from ..numbers import format_number
from . import tensor as T

_LETTERS = "ijklmnpqrstuvwabcdefgh"


def _label(k: int) -> str:
    return _LETTERS[k] if k < len(_LETTERS) else f"i{k}"


class IndexPrinter:
    """Plain text; ``latex=True`` writes subscripts as ``_{ij}`` and deltas as ``\\delta``."""

    def __init__(self, latex: bool = False):
        self.latex = latex

    def __call__(self, t: T.Tensor) -> str:
        if isinstance(t, T.Einsum):
            body = self.contraction(t)
            return f"[{','.join(_label(l) for l in t.out)}] {body}" if t.out else body
        return self.atom(t)

    def indexed(self, name: str, labels) -> str:
        if not labels:
            return name
        joined = "".join(_label(l) for l in labels) if self.latex else ",".join(_label(l) for l in labels)
        return f"{name}_{{{joined}}}" if self.latex else f"{name}[{joined}]"

    def contraction(self, t: T.Einsum) -> str:
        parts = []
        for op, sub in zip(t.operands, t.subscripts):
            if isinstance(op, T.Delta):
                parts.append(self.indexed(r"\delta" if self.latex else "δ", sub))
            else:
                parts.append(self.indexed(self.operand(op), sub))
        body = " ".join(parts)
        if t.coef != 1.0:
            body = f"{format_number(t.coef)} {body}"
        return body

    def operand(self, op: T.Tensor) -> str:
        text = self(op)
        return text if isinstance(op, (T.Var, T.Elem, T.Call, T.FnCall, T.Apply)) else f"({text})"

    def atom(self, t: T.Tensor) -> str:
        if isinstance(t, T.Var):
            return t.name
        if isinstance(t, T.Const):
            return format_number(t.value)
        if isinstance(t, T.Zero):
            return "0"
        if isinstance(t, T.Ones):
            return r"\mathbf{1}" if self.latex else "ones"
        if isinstance(t, T.Delta):
            return "I"
        if isinstance(t, T.Sum):
            return " + ".join(self(term) for term in t.terms)
        if isinstance(t, T.Elem):
            name, arg, order = t.args
            return f"{name}{chr(39) * order}({self(arg)})"
        if isinstance(t, T.Pow):
            return f"({self(t.args[0])})^{format_number(t.args[1])}"
        if isinstance(t, T.Call):
            name, arg, order = t.args
            prefix = {0: "", 1: "∇", 2: "∇²"}.get(order, f"∇^{order}")
            if self.latex:
                prefix = {0: "", 1: r"\nabla ", 2: r"\nabla^2 "}.get(order, rf"\nabla^{order} ")
            return f"{prefix}{name}({self(arg)})"
        if isinstance(t, T.FnCall):
            from ..nodes import derivative_head

            name, args, which, _out = t.args
            head = derivative_head(name, which, len(args))
            if self.latex:
                head = head.replace("∇", r"\nabla ").replace("²", "^2")
            return f"{head}({', '.join(self(a) for a in args)})"
        if isinstance(t, T.VarPow):
            return f"({self(t.args[0])})^({self(t.args[1])})"
        if isinstance(t, T.Apply):
            return f"{t.prim.name}({', '.join(self(op) for op in t.operands)})"
        if isinstance(t, T.Reshape):
            dims = ", ".join(str(d) for d in t.shape)
            return f"reshape({self(t.args[0])}, ({dims}))"
        raise TypeError(f"no index notation for {type(t).__name__}")


def index_text(t: T.Tensor) -> str:
    return IndexPrinter()(t)
