"""NumPy printer: an expression as the source of a self-contained Python function.

``to_numpy(expr, "f")`` returns ``import numpy as np`` and ``def f(<variables>, <functions>,
<sizes>):`` computing ``expr.evaluate(values)``: vectors are 1-D arrays, row or column
alike. The code is built in two passes over the same printer: the first only counts how
often each subexpression is asked for, the second assigns every subexpression asked for
more than once to a temporary, so common subexpressions are computed once.

Names: every identifier in the source comes from :mod:`.pynames`; the docstring shows
the expression written with those identifiers, so no caller text is ever copied in.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import Any, Callable

from .. import nodes as N
from ..errors import SymmatError
from ..functions import ELEMENTWISE
from ..shapes import Prod
from ..simplify.engine import stable_forms
from .numpy_index import IndexPrinter, index_variables
from .numpy_products import ADD, ATOM, MAX_EXPANDED_POWER, MUL, POW, UNARY, Code, ProductPrinter, wrap
from .pynames import Namespace, safe_identifier
from .printer import Printer
from .text import TextPrinter

MAX_INLINE = 72  # longer subexpressions get a line of their own, for the reader
_TRIVIAL = re.compile(r"[A-Za-z_]\w*(\.T)?|-?[0-9.]+(e-?[0-9]+)?|np\.(inf|nan)")


class Signature:
    """The generated function's parameters: variables, callables and sizes."""

    def __init__(self, expr: N.Expr, name: str):
        self.ns = Namespace()
        self.function = self.ns.take(name)
        self.symbols: dict[str, str] = {}
        self.types: dict[str, Any] = {}
        functions: list[tuple] = []
        for node in N.walk(expr):
            if isinstance(node, N.Symbol):
                self.types.setdefault(node.name, node)
            elif isinstance(node, (N.Call, N.Elementwise)) and node.is_abstract:
                functions.append((node.name, node.order, isinstance(node, N.Elementwise)))
            elif isinstance(node, N.FnCall):
                functions.append((node.head, 0, False))  # called by its written name: ∇_1g
            elif type(node).__name__ == "IndexExpr":
                symbols, used = index_variables(node)
                for sym in symbols:
                    self.types.setdefault(sym.name, sym)
                functions += used
        for node in N.walk(expr):
            # Variables a result no longer mentions still fix its sizes (∂x/∂x = I).
            for name, type_ in getattr(node, "variables", ()) if isinstance(node, N.Derived) else ():
                self.types.setdefault(name, N.Symbol(name, type_))
        for sym_name in self.types:
            self.symbols[sym_name] = self.ns.take(sym_name)
        self.callables: dict[tuple, str] = {}
        for key in functions:
            if key not in self.callables:
                self.callables[key] = self.ns.take(_callable_base(*key))
        self.dims: dict[Any, str] = {}
        for sym_name, sym in self.types.items():
            for axis, d in enumerate(sym.type.shape):
                if isinstance(d, str) and d not in self.dims:
                    self.dims[d] = f"{self.symbols[sym_name]}.shape[{axis}]"
        self.sizes: dict[str, str] = {}  # dimensions no variable fixes: extra parameters

    def dim(self, d) -> str:
        if isinstance(d, int):
            return str(d)
        if isinstance(d, Prod):
            return " * ".join(self.dim(f) for f in d.factors)
        if d not in self.dims:
            self.sizes[d] = self.dims[d] = self.ns.take(d)
        return self.dims[d]

    def parameters(self) -> list[str]:
        return list(self.symbols.values()) + list(self.callables.values()) + list(self.sizes.values())


_HEAD = re.compile(r"∇(²|\^(\d+))?(?:_(\d)|_\{([\d,]+)\})?(.*)")


def _callable_base(name: str, order: int, elementwise: bool) -> str:
    head = _HEAD.fullmatch(name)
    if head:  # a derivative of a function of several arguments, keyed by how it is written
        power, k, one, several, base = head.groups()
        order = 2 if power == "²" else int(k) if k else 1
        which = one or (several or "").replace(",", "")
        return f"{ {1: 'grad', 2: 'hess'}.get(order, f'd{order}') }{which}_{base}"
    if elementwise:
        return name if order == 0 else f"{name}_{order}"
    return {0: name, 1: f"grad_{name}", 2: f"hess_{name}"}.get(order, f"d{order}_{name}")


class NumpyPrinter(ProductPrinter, IndexPrinter, Printer):
    """One ``_print_<Node>`` per node class, each returning ``(python_text, precedence)``."""

    def __init__(self, sig: Signature, ns: Namespace, counts: Counter | None, bindings: dict | None = None):
        super().__init__()
        self.sig, self.ns, self.counts = sig, ns, counts
        self.bindings = bindings or {}
        self.requests: Counter = Counter()
        self.lines: list[str] = []
        self.cache: dict[Any, Code] = {}
        self.root: Any = None  # the expression itself: returned, never put in a temporary

    # ---------------------------------------------------------- sharing
    def doprint(self, node: N.Expr) -> Code:
        method = getattr(self, "_print_" + type(node).__name__, None)
        if method is None:
            raise NotImplementedError(f"the NumPy printer cannot print {type(node).__name__}")
        return self.cached(node, lambda: method(node))

    code = doprint

    def cached(self, key: Any, build: Callable[[], Code]) -> Code:
        """``build()`` once per structurally equal key; a key asked for twice (known
        from the counting pass) or a long one is put in a temporary."""
        self.requests[key] += 1
        if key in self.cache:
            return self.cache[key]
        code = build()
        if self.counts is not None and key is not self.root and not _TRIVIAL.fullmatch(code[0]):
            if self.counts[key] > 1 or len(code[0]) > MAX_INLINE:
                code = (self.assign(code[0]), ATOM)
        self.cache[key] = code
        return code

    def assign(self, text: str) -> str:
        name = self.ns.temp()
        self.lines.append(f"{name} = {text}")
        return name

    def named(self, code: Code) -> str:
        """``code`` as a name, for templates that use their operand twice."""
        return code[0] if re.fullmatch(r"[A-Za-z_]\w*", code[0]) else self.assign(code[0])

    def dim(self, d) -> str:
        return self.sig.dim(d)

    # ------------------------------------------------------------ atoms
    def _print_Symbol(self, node):
        if node.name in self.bindings:
            return self.bindings[node.name]
        return self.sig.symbols[node.name], ATOM

    def _print_Number(self, node):
        v = node.value
        if v != v:
            return "np.nan", ATOM
        if v in (float("inf"), float("-inf")):
            return ("np.inf", ATOM) if v > 0 else ("-np.inf", UNARY)
        return repr(v), (UNARY if v < 0 else ATOM)

    def _print_Identity(self, node):
        return f"np.eye({self.dim(node.args[0])})", ATOM

    def _print_Ones(self, node):
        return f"np.ones({self.dim(node.args[0])})", ATOM

    # ------------------------------------------------------- arithmetic
    def _print_Add(self, node):
        parts = [wrap(self.code(node.args[0]), ADD)]
        for term in node.args[1:]:
            if isinstance(term, N.Neg):
                parts.append("- " + wrap(self.code(term.args[0]), MUL))
            else:
                parts.append("+ " + wrap(self.code(term), MUL))
        return " ".join(parts), ADD

    def _print_Neg(self, node):
        if isinstance(node.args[0], N.Neg):  # -(-a) = a, as written by hand
            return self.code(node.args[0].args[0])
        return "-" + wrap(self.code(node.args[0]), POW), UNARY

    def _binary(self, node, op: str) -> Code:
        return f"{wrap(self.code(node.left), MUL)} {op} {wrap(self.code(node.right), UNARY)}", MUL

    def _print_Hadamard(self, node):
        return self._binary(node, "*")

    def _print_HadamardDiv(self, node):
        return self._binary(node, "/")

    def _print_Div(self, node):
        return self._binary(node, "/")

    def _print_Kron(self, node):
        if node.left.type.is_scalar or node.right.type.is_scalar:
            return self._binary(node, "*")
        # Reached only when the Kronecker product itself is the value asked for. A
        # vector factor is n x 1 (a row 1 x n), as in the language; np.kron of 1-D
        # arrays would lay it along the other axis.
        def operand(e: N.Expr) -> str:
            code = self.code(e)
            if not e.type.is_vector:
                return code[0]
            return f"{wrap(code, ATOM)}[{'None, :' if e.type.row else ':, None'}]"

        text = f"np.kron({operand(node.left)}, {operand(node.right)})"
        return (f"{text}.reshape(-1)" if node.type.is_vector else text), ATOM

    def _power(self, base: Code, exponent: float) -> Code:
        # `**` on Python floats raises where NumPy returns inf or nan (0.0 ** -1,
        # (-8.0) ** (1/3)); evaluate() uses np.power, so only safe cases use `**`.
        if exponent.is_integer() and exponent > 0:
            return f"{wrap(base, ATOM)} ** {int(exponent)}", POW
        return f"np.power({base[0]}, {exponent!r})", ATOM

    def _print_Power(self, node):
        if not node.base.type.is_matrix:
            return self._power(self.code(node.base), node.exponent)
        k = int(node.exponent)
        if abs(k) <= MAX_EXPANDED_POWER:  # a product of factors, multiplied by the chain printer
            return self._print_MatMul(node) if k not in (0, 1, -1) else self._small_power(node, k)
        return f"np.linalg.matrix_power({self.code(node.base)[0]}, {k})", ATOM

    def _small_power(self, node, k: int) -> Code:
        if k == 1:
            return self.code(node.base)
        if k == -1:
            return f"np.linalg.inv({self.code(node.base)[0]})", ATOM
        return self._print_Identity(N.Identity(node.type.shape[0]))

    def _print_ElemPower(self, node):
        return self._power(self.code(node.base), node.exponent)

    def _print_GeneralPower(self, node):
        return f"np.power({self.code(node.base)[0]}, {self.code(node.exponent)[0]})", ATOM

    def _print_Max(self, node):
        return f"np.maximum({self.code(node.left)[0]}, {self.code(node.right)[0]})", ATOM

    def _print_Min(self, node):
        return f"np.minimum({self.code(node.left)[0]}, {self.code(node.right)[0]})", ATOM

    def _print_Transpose(self, node):
        arg = node.args[0]
        if not arg.type.is_matrix:  # vectors are 1-D either way; scalars are scalars
            return self.code(arg)
        if isinstance(arg, N.MatMul):
            return self._print_MatMul(node)
        return f"{wrap(self.code(arg), ATOM)}.T", ATOM

    # -------------------------------------------------------- functions
    def _print_Apply(self, node):
        name, arg = node.name, node.args[1]
        if name == "tr" and isinstance(arg, N.MatMul):
            fast = self.trace_of_product(arg)
            if fast is not None:
                return fast
        if name == "inv":
            return self._small_power(N.Power(arg, -1), -1)
        if name == "softmax":  # of a vector, or of each column of a matrix
            e = self.assign(f"np.exp({self._shifted(arg)})")
            return f"{e} / np.sum({e}, axis=0)", MUL
        if name in ("logsumexp", "log_softmax"):
            z = self.named(self.code(arg))
            top = self.assign(f"np.max({z}, axis=0)")
            lse = f"{top} + np.log(np.sum(np.exp({z} - {top}), axis=0))"
            return (lse, ADD) if name == "logsumexp" else (f"{z} - ({lse})", ADD)
        if name == "norm" and arg.type.is_scalar:
            return f"np.abs({self.code(arg)[0]})", ATOM
        if name in ("vec", "diag") and arg.type.is_vector:
            x = self.code(arg)
            return (x if name == "vec" else (f"np.diag({x[0]})", ATOM))
        a = self.code(arg)
        templates = {
            "tr": "np.trace({})", "det": "np.linalg.det({})", "logdet": "np.linalg.slogdet({})[1]",
            "diag": "np.diagonal({}).copy()", "sum": "np.sum({})", "norm": "np.linalg.norm({})",
            "norm1": "np.sum(np.abs({}))", "mean": "np.mean({})",
        }
        if name == "vec":  # columns stacked: Fortran order
            return f'{wrap(a, ATOM)}.reshape(-1, order="F")', ATOM
        return templates[name].format(a[0]), ATOM

    def _shifted(self, arg: N.Expr) -> str:
        z = self.named(self.code(arg))
        return f"{z} - np.max({z}, axis=0)"

    def _print_Elementwise(self, node):
        name, arg, order = node.args
        return self._elementwise(name, order, self.code(arg), arg.type.is_scalar)

    def _elementwise(self, name: str, order: int, x: Code, scalar: bool) -> Code:
        """``name``'s ``order``-th derivative applied to the code ``x`` (matrix and
        index-form results alike): the table's NumPy source, or the callable."""
        if name not in ELEMENTWISE:
            return f"{self.sig.callables[name, order, True]}({x[0]})", ATOM
        if order > 0:
            return self._derivative(name, order, x)
        row = ELEMENTWISE[name]
        if scalar and ".astype" in row.numpy_source:
            x = (f"np.float64({x[0]})", ATOM)  # the table's sources are written for arrays
        templates = [formula for _, formula in row.numpy_parts] + [row.numpy_source]
        if sum(len(_names_in(t, ["x"])) for t in templates) > 1:
            x = (self.named(x), ATOM)
        names = {"x": wrap(x, ATOM)}
        for part, formula in row.numpy_parts:  # intermediate values, computed once
            names[part] = self.assign(_substitute(formula, names))
        text = _substitute(row.numpy_source, names)
        return text, (ATOM if _is_call(text) else MUL)

    def _derivative(self, name: str, order: int, x: Code) -> Code:
        """The table's derivative formula, in the scalar ``x``, applied to the array:
        printed by a printer of its own that binds ``x`` to the argument."""
        bound = (self.named(x), ATOM)
        lines, code = compile_expr(derivative_formula(name, order), self.sig, self.ns, {"x": bound})
        self.lines += lines
        return code

    def _print_Call(self, node):
        name, arg, order = node.args
        return f"{self.sig.callables[name, order, False]}({self.code(arg)[0]})", ATOM

    def _print_FnCall(self, node):
        args = ", ".join(self.code(a)[0] for a in node.arguments)
        return f"{self.sig.callables[node.head, 0, False]}({args})", ATOM

    def _print_Derived(self, node):
        return self.code(node.expr)


def _names_in(template: str, names) -> list[str]:
    """The occurrences of ``names`` in a table template (not attributes such as ``np.exp``)."""
    return re.findall(r"(?<![\w.])(" + "|".join(map(re.escape, names)) + r")\b", template)


def _substitute(template: str, names: dict[str, str]) -> str:
    pattern = r"(?<![\w.])(" + "|".join(map(re.escape, names)) + r")\b"
    return re.sub(pattern, lambda m: names[m.group(1)], template)


def _is_call(text: str) -> bool:
    """``np.f(...)`` as a whole: the parenthesis after the name closes at the very end
    (``np.f(a) / (b)`` is a quotient, not a call)."""
    if not re.match(r"np\.[\w.]+\(", text) or not text.endswith(")"):
        return False
    depth = 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0 and ch == ")":
            return i == len(text) - 1
    return False


@lru_cache(maxsize=None)
def derivative_formula(name: str, order: int) -> N.Expr:
    """``f^(order)(x)`` of a built-in elementwise ``f`` as an expression in the scalar ``x``:
    the table's formula for order 1, the derivative engine's result beyond."""
    from ..parse import parse

    if order == 1:
        return parse(ELEMENTWISE[name].derivative, {"x": "scalar"})
    from ..diff import diff

    result = diff(derivative_formula(name, order - 1), "x", where={"x": "scalar"})
    if type(result).__module__ != N.__name__:  # e.g. an index-notation result
        raise SymmatError(f"the NumPy printer cannot yet print the derivative of order {order} of {name}")
    return result


def compile_expr(expr: N.Expr, sig: Signature, ns: Namespace, bindings: dict | None = None) -> tuple[list[str], Code]:
    """Statements and the final expression for ``expr``, in two passes (count, emit)."""
    counting = NumpyPrinter(sig, Namespace(ns.used), None, bindings)
    counting.code(expr)
    printer = NumpyPrinter(sig, ns, counting.requests, bindings)
    printer.root = expr
    code = printer.code(expr)
    return printer.lines, code


# -------------------------------------------------------------- docstring
class _DocTextPrinter(TextPrinter):
    """The input language, with every name replaced by its generated identifier."""

    def __init__(self, sig: Signature):
        super().__init__()
        self.sig = sig

    def _print_Symbol(self, node):
        return self.sig.symbols[node.name]

    def _print_Elementwise(self, node):
        if not node.is_abstract:
            return super()._print_Elementwise(node)
        base = self.sig.callables.get((node.name, 0, True)) or safe_identifier(node.name)
        return f"{base}{chr(39) * node.order}({self.doprint(node.args[1])})"

    def _print_IndexExpr(self, node):
        return "(a tensor in index notation)"

    def _print_Derived(self, node):
        return self.doprint(node.expr)

    def _print_FnCall(self, node):
        base = self.sig.callables.get((node.head, 0, False)) or safe_identifier(node.head)
        return f"{base}({', '.join(self.doprint(a) for a in node.arguments)})"

    def _print_Call(self, node):
        prefix = {0: "", 1: "∇", 2: "∇²"}.get(node.order, f"d{node.order}")
        base = self.sig.callables.get((node.name, 0, False)) or safe_identifier(node.name)
        return f"{prefix}{base}({self.doprint(node.args[1])})"


def _dim_text(d) -> str:
    if isinstance(d, int):
        return str(d)
    if isinstance(d, Prod):
        return "*".join(_dim_text(f) for f in d.factors)
    return safe_identifier(d)


def _shape_text(sig: Signature, t) -> str:
    if t.is_scalar:
        return "float"
    dims = ", ".join(_dim_text(d) for d in t.shape)
    if t.is_vector:
        return f"array of shape ({dims},)" + (" (a row vector)" if t.row else "")
    return f"array of shape ({dims})"


def _docstring(expr: N.Expr, sig: Signature) -> list[str]:
    shown = _DocTextPrinter(sig).doprint(expr)
    if len(shown) > 400:
        shown = shown[:400] + " ..."
    lines = [f"Computes {shown}", "", "Parameters:"]
    for name, ident in sig.symbols.items():
        sym = sig.types[name]
        extra = ", symmetric" if sym.symmetric else ""
        renamed = "" if ident == name else " (renamed: the original name is not a safe identifier)"
        lines.append(f"    {ident}: {_shape_text(sig, sym.type)}{extra}{renamed}")
    arguments = _call_arguments(expr)
    for (name, order, elementwise), ident in sig.callables.items():
        if arguments.get(name) == "several" or _HEAD.fullmatch(name):
            doc = f"{name} of the abstract function, called with its arguments as arrays"
        else:
            doc = _callable_doc(safe_identifier(name), order, elementwise, arguments.get(name))
        lines.append(f"    {ident}: callable, {doc}")
    for d, ident in sig.sizes.items():
        lines.append(f"    {ident}: int, the size of a dimension no argument fixes")
    lines += ["", f"Returns: {_shape_text(sig, expr.type)}"]
    text = "\n".join(lines)
    assert '"""' not in text and "\\" not in text  # nothing can end the docstring early
    return lines


def _call_arguments(expr: N.Expr) -> dict[str, tuple]:
    """The argument's shape of each abstract scalar function, in matrix and index form."""
    from ..index import tensor as T
    from ..index.expr import IndexExpr

    found: dict[str, tuple] = {}
    for node in N.walk(expr):
        if isinstance(node, N.Call):
            found.setdefault(node.name, node.args[1].type.shape)
        elif isinstance(node, N.FnCall):
            found.setdefault(node.head, "several")
        elif isinstance(node, IndexExpr):
            for t in N.walk(node.tensor):
                if isinstance(t, T.Call):
                    found.setdefault(t.args[0], t.args[1].shape)
                elif isinstance(t, T.FnCall):
                    found.setdefault(N.derivative_head(t.args[0], t.args[2], len(t.args[1])), "several")
    return found


def _callable_doc(base: str, order: int, elementwise: bool, argument=None) -> str:
    """What a callable parameter computes; ``argument`` is the type of the abstract
    function's argument (a k-th derivative of g: R^m -> R is an m x ... x m array)."""
    if elementwise:
        what = f"the elementwise function {base}" if order == 0 else f"{base}{chr(39) * order}, derivative of order {order} of {base}"
        return f"{what}, applied to a whole array"
    size = _dim_text(argument[0]) if argument else "n"
    return {
        0: f"the function {base}: a vector to a float",
        1: f"the gradient of {base}: returns an array shaped like its argument",
        2: f"the Hessian of {base}: returns an array of shape ({size}, {size})",
    }.get(order, f"the derivative of order {order} of {base}: returns an array of shape "
                 f"({', '.join([size] * order)})")


def _build(expr: N.Expr, name: str) -> tuple[Signature, list[str], Code]:
    from ..parse import ensure_recursion_limit

    ensure_recursion_limit()
    sig = Signature(expr, name)
    lines, code = compile_expr(expr, sig, sig.ns)
    if lines and lines[-1].startswith(f"{code[0]} = "):  # `t = ...; return t` reads worse
        code = (lines.pop()[len(code[0]) + 3 :], code[1])
    return sig, lines, code


def numpy_parameters(expr: N.Expr, name: str = "f") -> list[tuple[str, str]]:
    """``(parameter, key)`` for each parameter of the generated function, in order:
    ``key`` is where ``expr.evaluate`` finds the same value (``"x"``, ``"∇g"``, ``"s'"``,
    or a dimension name for a size)."""
    from ..evaluate import callable_keys

    sig, _, _ = _build(expr, name)
    out = [(ident, sym) for sym, ident in sig.symbols.items()]
    out += [(ident, callable_keys(*key)[0]) for key, ident in sig.callables.items()]
    out += [(ident, str(d)) for d, ident in sig.sizes.items()]
    return out


def to_numpy(expr: N.Expr, name: str = "f") -> str:
    """Self-contained source of ``def <name>(...)`` computing ``expr.evaluate(values)``."""
    sig, lines, code = _build(stable_forms(expr), name)
    doc = _docstring(expr, sig)  # after compiling: sizes are found while printing
    body = ['"""' + doc[0]] + doc[1:] + ['"""']
    body += lines + [f"return {code[0]}"]
    indented = "\n".join(("    " + line) if line else "" for line in body)
    return f"import numpy as np\n\n\ndef {sig.function}({', '.join(sig.parameters())}):\n{indented}\n"
