"""Code printer: an expression as the source of a self-contained Python function.

``to_code(expr, "f", target)`` returns the target's imports and ``def f(<variables>,
<functions>, <sizes>):`` computing ``expr.evaluate(values)``: vectors are 1-D arrays, row
or column alike. One printer serves NumPy, JAX and PyTorch; what differs between them is
the :class:`~.targets.Target` table (how each operation is spelled), never the choice of
what to compute. The code is built in two passes over the same printer: the first only
counts how often each subexpression is asked for, the second assigns every subexpression
asked for more than once to a temporary, so common subexpressions are computed once.

The JAX and PyTorch functions have no Python control flow on values and create arrays
only with the dtype (and device) of an argument, so ``jax.jit``, ``jax.vmap``,
``torch.compile`` and ``torch.func.vmap`` apply, on any device and float dtype.

Names: every identifier in the source comes from :mod:`.pynames`; the docstring shows
the expression written with those identifiers, so no caller text is ever copied in.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from .. import nodes as N
from .. import provenance
from ..functions import ELEMENTWISE
from ..provenance import Variables
from ..registry import PRIMITIVES
from ..shapes import Prod
from ..simplify.formulas import derivative_formula
from ..simplify.stable import stable_code_forms
from .code_index import IndexPrinter, index_variables
from .code_products import ADD, ATOM, MAX_EXPANDED_POWER, MUL, POW, UNARY, Code, ProductPrinter, precedence_of, wrap
from .pynames import Namespace, safe_identifier
from .shared import shared_subexpressions
from .targets import NUMPY, Target, Template
from .targets import target as find_target
from .text import TextPrinter

MAX_INLINE = 72  # longer subexpressions get a line of their own, for the reader
_TRIVIAL = re.compile(r"[A-Za-z_]\w*(\.m?T)?|-?[0-9.]+(e-?[0-9]+)?|[a-z]+\.(inf|nan)")
_OPERAND = re.compile(r"\{(\d+|prev|like)\}")


class Signature:
    """The generated function's parameters: variables, callables and sizes (the same
    for every target). ``bound``: the (name, Type) of variables ``expr`` does not
    mention whose values fix its sizes (symmat.provenance); they are parameters too."""

    def __init__(self, expr: N.Expr, name: str, target: Target = NUMPY, bound: Variables = ()):
        self.target = target
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
                symbols, used = index_variables(node, bound)
                for sym in symbols:
                    self.types.setdefault(sym.name, sym)
                functions += used
        # Variables a result no longer mentions still fix its sizes (∂x/∂x = I).
        for name, type_ in bound:
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
        self.like = self._like()

    def _like(self) -> str:
        """Keyword arguments giving a new array the dtype/device of a parameter (an array
        parameter if there is one), so that no dtype or device is written into the code."""
        symbols = sorted(self.types.values(), key=lambda s: s.type.is_scalar)  # stable: arrays first
        if not symbols:
            return ""
        ref = symbols[0]
        template = self.target.like_scalar if ref.type.is_scalar else self.target.like_array
        return template.format(r=self.symbols[ref.name])

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


class CodePrinter(ProductPrinter, IndexPrinter):
    """One ``_print_<Node>`` per node class, each returning ``(python_text, precedence)``;
    every array operation is spelled by the target's table through :meth:`op`. Not a
    :class:`~.printer.Printer`: it returns code with its precedence, not text."""

    def __init__(self, sig: Signature, ns: Namespace, counts: Counter | None, bindings: dict | None = None):
        super().__init__()
        self.sig, self.ns, self.counts = sig, ns, counts
        self.target = sig.target
        self.bindings = bindings or {}
        self.requests: Counter = Counter()
        self.lines: list[str] = []
        self.cache: dict[Any, Code] = {}
        self.root: Any = None  # the expression itself: returned, never put in a temporary

    # ---------------------------------------------------------- sharing
    def doprint(self, node: N.Expr) -> Code:
        method = getattr(self, "_print_" + type(node).__name__, None)
        if method is None:
            raise NotImplementedError(f"the {self.target.name} printer cannot print {type(node).__name__}")
        return self.cached(node, lambda: method(node))

    code = doprint

    def cached(self, key: Any, build: Callable[[], Code]) -> Code:
        """``build()`` once per structurally equal key; a key asked for twice (known
        from the counting pass) or a long one is put in a temporary."""
        self.requests[key] += 1
        if key in self.cache:
            return self.cache[key]
        code = build()
        if key is not self.root and not _TRIVIAL.fullmatch(code[0]):
            # The counting pass names long code too, so that no text it builds grows
            # past a line: nested subexpressions would make it quadratic otherwise.
            if len(code[0]) > MAX_INLINE or (self.counts is not None and self.counts[key] > 1):
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

    def op(self, name: str, *args: Code) -> Code:
        """The target's spelling of operation ``name`` applied to ``args`` (see
        :mod:`.targets`): an operand used twice is named first; one that stands alone as
        an argument of a call goes in as it is, anywhere else in parentheses if needed."""
        steps: Template = self.target.template(name)
        steps = (steps,) if isinstance(steps, str) else steps
        uses = Counter(m for step in steps for m in re.findall(r"\{(\d+)\}", step))
        codes = [(self.named(a), ATOM) if uses[str(i)] > 1 else a for i, a in enumerate(args)]
        prev = ""
        for k, step in enumerate(steps):

            def fill(m: re.Match, step: str = step, prev: str = prev) -> str:
                key = m.group(1)
                if key == "like":
                    return self.sig.like
                if key == "prev":
                    return prev
                code = codes[int(key)]
                return code[0] if _call_argument(step, m) else wrap(code, ATOM)

            text = _OPERAND.sub(fill, step)
            if k + 1 < len(steps):
                prev = self.assign(text)
        return text, precedence_of(text)

    def transposed(self, code: Code) -> Code:
        return f"{wrap(code, ATOM)}{self.target.transpose}", ATOM

    # ------------------------------------------------------------ atoms
    def _print_Symbol(self, node):
        if node.name in self.bindings:
            return self.bindings[node.name]
        return self.sig.symbols[node.name], ATOM

    def _print_Number(self, node):
        v = node.value
        if v != v:
            return self.op("nan")
        if v in (float("inf"), float("-inf")):
            inf = self.op("inf")
            return inf if v > 0 else ("-" + inf[0], UNARY)
        return repr(v), (UNARY if v < 0 else ATOM)

    def _print_Identity(self, node):
        return self.op("eye", (self.dim(node.args[0]), ATOM))

    def _print_Ones(self, node):
        return self.op("ones", (self.dim(node.args[0]), ATOM))

    # ------------------------------------------------------- arithmetic
    def _print_Add(self, node):
        parts = [wrap(self.code(node.args[0]), ADD)]
        for term in node.args[1:]:
            negative = False
            while isinstance(term, N.Neg):  # u - (-v) is u + v: never "- -v"
                negative, term = not negative, term.args[0]
            text = wrap(self.code(term), MUL)
            if text.startswith("-"):
                # Python's unary minus binds tighter than * and @, so "-a * b" is (-a) b,
                # which equals -(a b) exactly: the sign moves to the operator.
                negative, text = not negative, text[1:].lstrip()
            parts.append(("- " if negative else "+ ") + text)
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
        # vector factor is n x 1 (a row 1 x n), as in the language; kron of 1-D arrays
        # would lay it along the other axis.
        def operand(e: N.Expr) -> Code:
            code = self.code(e)
            if not e.type.is_vector:
                return code
            return f"{wrap(code, ATOM)}[{'None, :' if e.type.row else ':, None'}]", ATOM

        product = self.op("kron", operand(node.left), operand(node.right))
        return (f"{product[0]}.reshape(-1)", ATOM) if node.type.is_vector else product

    def _power(self, base: Code, exponent: float) -> Code:
        # `**` on Python floats raises where NumPy returns inf or nan (0.0 ** -1,
        # (-8.0) ** (1/3)); evaluate() uses np.power, so only safe cases use `**`.
        if exponent.is_integer() and exponent > 0:
            return f"{wrap(base, ATOM)} ** {int(exponent)}", POW
        return self.op("power", base, (repr(exponent), ATOM))

    def _print_Power(self, node):
        if not node.base.type.is_matrix:
            return self._power(self.code(node.base), node.exponent)
        k = int(node.exponent)
        if abs(k) <= MAX_EXPANDED_POWER:  # a product of factors, multiplied by the chain printer
            return self._print_MatMul(node) if k not in (0, 1, -1) else self._small_power(node, k)
        return self.op("matrix_power", self.code(node.base), (str(k), ATOM))

    def _small_power(self, node, k: int) -> Code:
        if k == 1:
            return self.code(node.base)
        if k == -1:
            return self.op("inv", self.code(node.base))
        return self._print_Identity(N.Identity(node.type.shape[0]))

    def _print_ElemPower(self, node):
        return self._power(self.code(node.base), node.exponent)

    def _print_GeneralPower(self, node):
        return self.op("power", self.code(node.base), self.code(node.exponent))

    def _print_Max(self, node):
        return self.op("maximum", self.code(node.left), self.code(node.right))

    def _print_Min(self, node):
        return self.op("minimum", self.code(node.left), self.code(node.right))

    def _print_Transpose(self, node):
        arg = node.args[0]
        if not arg.type.is_matrix:  # vectors are 1-D either way; scalars are scalars
            return self.code(arg)
        if isinstance(arg, N.MatMul):
            return self._print_MatMul(node)
        return self.transposed(self.code(arg))

    # -------------------------------------------------------- functions
    def _print_Apply(self, node):
        prim, arg = PRIMITIVES[node.name], node.args[1]
        if prim.print_code is not None:
            return prim.print_code(self, arg)
        return self.op(prim.name, self.code(arg))

    def _print_Elementwise(self, node):
        name, arg, order = node.args
        return self._elementwise(name, order, self.code(arg), arg.type.is_scalar)

    def _elementwise(self, name: str, order: int, x: Code, scalar: bool) -> Code:
        """``name``'s ``order``-th derivative applied to the code ``x`` (matrix and
        index-form results alike): the target's source, or the callable."""
        if name not in ELEMENTWISE:
            return f"{self.sig.callables[name, order, True]}({x[0]})", ATOM
        if order > 0:
            return self._derivative(name, order, x)
        parts, source = self.target.elementwise_source(name)
        if scalar and ".astype" in source:
            x = (f"np.float64({x[0]})", ATOM)  # the NumPy table's sources are written for arrays
        templates = [formula for _, formula in parts] + [source]
        if sum(len(_names_in(t, ["x"])) for t in templates) > 1:
            x = (self.named(x), ATOM)
        names = {"x": x}
        for part, formula in parts:  # intermediate values, computed once
            names[part] = (self.assign(_substitute(formula, names)), ATOM)
        text = _substitute(source, names)
        return text, precedence_of(text)

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


def _names_in(template: str, names) -> list[str]:
    """The occurrences of ``names`` in a table template (not attributes such as ``np.exp``)."""
    return re.findall(r"(?<![\w.])(" + "|".join(map(re.escape, names)) + r")\b", template)


def _substitute(template: str, names: dict[str, Code]) -> str:
    """``template`` with each name replaced by its code: as it is where it stands alone as
    an argument of a call (``np.tanh(W @ x)``), in parentheses where it must be."""
    pattern = r"(?<![\w.])(" + "|".join(map(re.escape, names)) + r")\b"

    def fill(m: re.Match) -> str:
        code = names[m.group(1)]
        return code[0] if _call_argument(template, m) else wrap(code, ATOM)

    return re.sub(pattern, fill, template)


def _call_argument(template: str, m: re.Match) -> bool:
    """Whether the match stands alone as an argument of a call: ``f(_)``, ``f(_, ...)``,
    ``f(..., _)`` (anything there needs no parentheses)."""
    before = template[: m.start()]
    return (before.endswith("(") or before.endswith(", ")) and template[m.end() : m.end() + 1] in (")", ",")


def compile_expr(expr: N.Expr, sig: Signature, ns: Namespace, bindings: dict | None = None) -> tuple[list[str], Code]:
    """Statements and the final expression for ``expr``, in two passes (count, emit)."""
    counting = CodePrinter(sig, Namespace(ns.used), None, bindings)
    counting.code(expr)
    printer = CodePrinter(sig, ns, counting.requests, bindings)
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
    word = sig.target.array_word
    if t.is_scalar:
        return "float" if word == "array" else f"0-d {word}"
    dims = ", ".join(_dim_text(d) for d in t.shape)
    if t.is_vector:
        return f"{word} of shape ({dims},)" + (" (a row vector)" if t.row else "")
    return f"{word} of shape ({dims})"


def _docstring(expr: N.Expr, sig: Signature) -> list[str]:
    printer = _DocTextPrinter(sig)
    printer.names = shared_subexpressions(expr)  # a deep result's text stays linear
    shown = printer.doprint(expr)
    if printer.names:
        shown += " where " + "; ".join(f"{name} = {printer.structure(node)}" for node, name in printer.names.items())
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
            doc = f"{name} of the abstract function, called with its arguments as {sig.target.array_word}s"
        else:
            doc = _callable_doc(safe_identifier(name), order, elementwise, arguments.get(name), sig.target.array_word)
        lines.append(f"    {ident}: callable, {doc}")
    for ident in sig.sizes.values():
        lines.append(f"    {ident}: int, the size of a dimension no argument fixes")
    lines += ["", f"Returns: {_shape_text(sig, expr.type)}"]
    if sig.target.notes:
        lines += [""] + list(sig.target.notes)
    text = "\n".join(lines)
    assert '"""' not in text and "\\" not in text  # nothing can end the docstring early
    return lines


def _call_arguments(expr: N.Expr) -> dict[str, tuple | str]:
    """The argument's shape of each abstract scalar function, in matrix and index form."""
    from ..index import tensor as T
    from ..index.expr import IndexExpr

    found: dict[str, tuple | str] = {}  # "several": a function of several arguments
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


def _callable_doc(base: str, order: int, elementwise: bool, argument=None, word: str = "array") -> str:
    """What a callable parameter computes; ``argument`` is the type of the abstract
    function's argument (a k-th derivative of g: R^m -> R is an m x ... x m array)."""
    if elementwise:
        if order == 0:
            what = f"the elementwise function {base}"
        else:
            what = f"{base}{chr(39) * order}, derivative of order {order} of {base}"
        return f"{what}, applied to a whole {word}"
    size = _dim_text(argument[0]) if argument else "n"
    return {
        0: f"the function {base}: a vector to a float",
        1: f"the gradient of {base}: returns an {word} shaped like its argument",
        2: f"the Hessian of {base}: returns an {word} of shape ({size}, {size})",
    }.get(order, f"the derivative of order {order} of {base}: returns an {word} of shape "
                 f"({', '.join([size] * order)})")


def _build(expr: N.Expr, name: str, target: Target = NUMPY,
           bound: Variables = ()) -> tuple[Signature, list[str], Code]:
    sig = Signature(expr, name, target, bound)
    lines, code = compile_expr(expr, sig, sig.ns)
    if lines and lines[-1].startswith(f"{code[0]} = "):  # `t = ...; return t` reads worse
        code = (lines.pop()[len(code[0]) + 3 :], code[1])
    return sig, lines, code


def code_parameters(expr: N.Expr, name: str = "f") -> list[tuple[str, str]]:
    """``(parameter, key)`` for each parameter of the generated function (the same for
    every target), in order: ``key`` is where ``expr.evaluate`` finds the same value
    (``"x"``, ``"∇g"``, ``"s'"``, or a dimension name for a size)."""
    from ..evaluate import callable_keys

    sig, _, _ = _build(expr, name, bound=provenance.of(expr).variables)
    out = [(ident, sym) for sym, ident in sig.symbols.items()]
    out += [(ident, callable_keys(*key)[0]) for key, ident in sig.callables.items()]
    out += [(ident, str(d)) for d, ident in sig.sizes.items()]
    return out


def to_code(expr: N.Expr, name: str = "f", target: str | Target = NUMPY) -> str:
    """Self-contained source of ``def <name>(...)`` computing ``expr.evaluate(values)``,
    for ``target`` (``"numpy"``, ``"jax"``, ``"torch"`` or a :class:`Target`)."""
    tgt = find_target(target)
    # The record of the sizes' variables is the given expression's (stable_code_forms may
    # build a new one).
    sig, lines, code = _build(stable_code_forms(expr), name, tgt, provenance.of(expr).variables)
    doc = _docstring(expr, sig)  # after compiling: sizes are found while printing
    body = ['"""' + doc[0]] + doc[1:] + ['"""']
    body += lines + [f"return {code[0]}"]
    indented = "\n".join(("    " + line) if line else "" for line in body)
    code_text = "\n".join(lines + [code[0]])
    imports = "\n".join(line for line, needs in tgt.imports if needs in code_text)
    return f"{imports}\n\n\ndef {sig.function}({', '.join(sig.parameters())}):\n{indented}\n"

