"""Text -> typed expression.

Three passes, each linear in the size of the input:

1. lark's LALR parser runs the :class:`_ToSyntax` callbacks as it reduces (no parse
   tree is built and nothing recurses, so 2,000 nested parentheses are fine), giving
   a light syntax tree of :class:`Syn` records that remember source positions;
2. :class:`_Typer` infers every type by unification, so ``g(W^T a)`` needs no
   declaration, and reports shape conflicts at the offending operator;
3. the typer builds the immutable nodes with the resolved dimensions.

Decisions on the ambiguous spellings (documented in the README too):

- ``f(x)`` with no space before ``(`` is a call when ``f`` is a function: built in,
  declared, or an undeclared *lowercase* name. A declared variable or an undeclared
  *uppercase* name followed by ``(`` is a product: ``X(A + B)``. ``f (x)`` with a space
  is always a product.
- ``x'`` is the transpose; ``s'(x)`` is the derivative of an elementwise function ``s``
  (built in or declared ``elementwise``) and otherwise ``x'`` times ``(x)``.
- ``a -b`` is the difference ``a - b``; write ``a (-b)`` for a product.
- ``2x`` is ``2 * x``; ``x^T^T`` is ``x``; ``X^-1`` is the inverse; ``-x^2`` is ``-(x^2)``.
- Unparenthesised chains of ``+`` and of products are flattened into n-ary nodes.
- ``e where h1 = tanh(W1 x); h2 = tanh(W2 h1)`` names subexpressions: each name stands
  for its definition's value in the definitions after it and in ``e`` (a name used
  before its definition, defined twice, or already a variable or function is an error).
  The printers write results with repeated subexpressions in this form.
"""
from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple, cast

import lark

from . import nodes as N
from . import provenance
from .declarations import PI_NAMES, SCALAR_NAMES, Declarations, Signature, Where, parse_declarations
from .errors import (
    ArityError,
    ParseError,
    ShapeError,
    SymmatError,
    SymmatWarning,
    UnknownFunctionError,
    reject_invalid_utf8,
)
from .functions import ELEMENTWISE, MATRIX_FUNCTIONS, near_builtin
from .recursion import deep
from .registry import PRIMITIVES
from .shapes import SCALAR, DimNamer, DimVar, Type, Unifier, column, matrix, sizes_in_messages

# The sized constants I_n, ones_n (n a dimension name or an integer).
_SIZED = re.compile(r"(I|ones)_(\d+|(?!\d)\w+)")


def _dimension(text: str):
    return int(text) if text.isdigit() else text


class Syn(NamedTuple):
    op: str
    args: Sequence[Any]  # a list for the chains + and product (grown in place), else a tuple
    pos: int  # where to point at in an error (the operator, or the atom)
    start: int  # first character of the construct
    end: int  # one past its last character


def _grammar_text() -> str:
    try:
        return resources.files("symmat.grammar").joinpath("symmat.lark").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        # A source checkout used without installing: grammar/ sits beside symmat/.
        return (Path(__file__).resolve().parent.parent / "grammar" / "symmat.lark").read_text(encoding="utf-8")


class _ToSyntax(lark.Transformer):
    """One method per grammar alias; builds :class:`Syn` records."""

    # Chains (``a + b - c``, ``A B C``) keep their operands in a list that grows in
    # place: LALR reduces left-recursively and consumes each partial chain exactly once,
    # so appending is safe, and copying a tuple per term would make long sums quadratic.
    # A parenthesised chain is wrapped in a "group" record and is never extended.
    @staticmethod
    def _extend(left: Syn, right: Syn) -> Syn:
        cast(list, left.args).append(right)  # a chain's args are a list (see above)
        return left._replace(end=right.end)

    @staticmethod
    def _binary(op: str) -> Callable[[_ToSyntax, list], Syn]:
        def method(self: _ToSyntax, children: list) -> Syn:
            left, token, right = children
            if op in ("add", "mul"):
                if left.op == op:
                    return _ToSyntax._extend(left, right)
                return Syn(op, [left, right], token.start_pos, left.start, right.end)
            return Syn(op, (left, right), token.start_pos, left.start, right.end)

        return method

    add = _binary("add")
    mul = _binary("mul")
    hadamard = _binary("hadamard")
    hadamard_div = _binary("hadamard_div")
    div = _binary("div")
    kron = _binary("kron")

    def sub(self, children):
        left, token, right = children
        negated = Syn("neg", (right,), token.start_pos, token.start_pos, right.end)
        if left.op == "add":
            return _ToSyntax._extend(left, negated)
        return Syn("add", [left, negated], token.start_pos, left.start, right.end)

    def juxt(self, children):
        left, right = children
        if left.op == "mul":
            return _ToSyntax._extend(left, right)
        return Syn("mul", [left, right], right.start, left.start, right.end)

    def neg(self, children):
        token, arg = children
        return Syn("neg", (arg,), token.start_pos, token.start_pos, arg.end)

    def transpose(self, children):
        arg, token = children
        return Syn("transpose", (arg,), token.start_pos, arg.start, token.end_pos)

    def inv_transpose(self, children):
        arg, token = children
        return Syn("inv_transpose", (arg,), token.start_pos, arg.start, token.end_pos)

    def power(self, children):
        arg, token, exponent = children
        return Syn("power", (arg, exponent), token.start_pos, arg.start, exponent.end)

    def elem_power(self, children):
        arg, token, exponent = children
        return Syn("elem_power", (arg, exponent), token.start_pos, arg.start, exponent.end)

    def where(self, children):
        body, definitions = children[0], tuple(c for c in children[2:] if isinstance(c, Syn))
        return Syn("where", (body, definitions), children[1].start_pos, body.start, definitions[-1].end)

    def definition(self, children):
        name, _, value = children
        return Syn("definition", (str(name), value), name.start_pos, name.start_pos, value.end)

    def symbol(self, children):
        (token,) = children
        return Syn("symbol", (str(token),), token.start_pos, token.start_pos, token.end_pos)

    def number(self, children):
        (token,) = children
        return Syn("number", (float(token),), token.start_pos, token.start_pos, token.end_pos)

    def paren(self, children):
        lpar, inner, rpar = children
        # A parenthesised chain is not flattened into the chain around it.
        return Syn("group", (inner,), inner.pos, lpar.start_pos, rpar.end_pos)

    def call(self, children):
        head, rpar = children[0], children[-1]
        args = tuple(c for c in children[1:] if isinstance(c, Syn))
        return Syn("call", (str(head)[:-1], args), head.start_pos, head.start_pos, rpar.end_pos)

    def prime_call(self, children):
        head, arg, rpar = children
        name = str(head)[:-1].rstrip("'")
        primes = len(str(head)) - 1 - len(name)
        return Syn("prime_call", (name, primes, arg), head.start_pos, head.start_pos, rpar.end_pos)

    def grad_call(self, children):
        head, rpar = children[0], children[-1]
        args = tuple(c for c in children[1:] if isinstance(c, Syn))
        order, which, name = _grad_head(str(head)[:-1])
        return Syn("grad_call", (name, order, which, args), head.start_pos, head.start_pos, rpar.end_pos)

    def norm_bars(self, children):
        bar, inner, close = children
        kind = str(close).lstrip("\ue000\ue001").strip("_{}")  # "", "F", "2" or "1"
        return Syn("norm_bars", (inner, kind), bar.start_pos, bar.start_pos, close.end_pos)

    # Index notation (symmat/index/reading.py gives it its meaning).
    def labelled(self, children):
        entry, equals, body = children[:3]
        vec = children[3] if len(children) > 3 else None
        return Syn("labelled", (entry, body, vec), equals.start_pos, entry.start, (vec or body).end)

    def entry(self, children):
        partial, f = children[:2]
        rest = children[2:]
        f_labels = rest[0] if isinstance(rest[0], Syn) and rest[0].op == "labels" else None
        wrts = tuple(c for c in rest if isinstance(c, Syn) and c.op == "wrt")
        return Syn("entry", (_partial_order(str(partial)), f, f_labels, wrts), partial.start_pos,
                   partial.start_pos, wrts[-1].end)

    def wrt_entry(self, children):
        partial, name = children[:2]
        labels = children[2] if len(children) > 2 else None
        end = labels.end if labels is not None else name.end_pos
        return Syn("wrt", (str(name), labels), name.start_pos, partial.start_pos, end)

    def labels(self, children):
        items = tuple(c for c in children if isinstance(c, Syn))
        return Syn("labels", items, children[0].start_pos, children[0].start_pos, children[-1].end_pos)

    def plain_label(self, children):
        (token,) = children
        return Syn("label", ((str(token),), False), token.start_pos, token.start_pos, token.end_pos)

    def fused_label(self, children):
        names = tuple(str(c) for c in children if c.type == "NAME")
        return Syn("label", (names, True), children[0].start_pos, children[0].start_pos, children[-1].end_pos)

    def indexed(self, children):
        head, labels = children
        return Syn("indexed", (head, labels), labels.pos, head.start, labels.end)

    def vec_line(self, children):
        transposed = children[0].type == "VEC_OPEN"
        atoms = [c for c in children if isinstance(c, Syn)]
        f, wrt, rhs = atoms
        return Syn("vec_line", (f, wrt, transposed, rhs), children[0].start_pos, children[0].start_pos, rhs.end)


# Built-in functions of two arguments, by the node they build.
_BINARY_FUNCTIONS = {"kron": N.Kron, "max": N.Max, "min": N.Min}

_SUPERSCRIPTS = {c: k for k, c in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")}


def _partial_order(text: str) -> int:
    """``∂`` -> 1, ``∂²`` -> 2, ``∂^3`` -> 3."""
    rest = text[1:]
    if not rest:
        return 1
    return _SUPERSCRIPTS[rest] if rest in _SUPERSCRIPTS else int(rest[1:])


def _grad_head(text: str) -> tuple[int, tuple, str]:
    """``∇³_{1,2}g`` -> (order 3, arguments (0, 1), "g"): the order, the (0-based)
    arguments differentiated (empty: all of a one-argument function), the name."""
    rest = text[1:]
    order = 1
    if rest[:1] in _SUPERSCRIPTS:
        order, rest = _SUPERSCRIPTS[rest[0]], rest[1:]
    elif rest.startswith("^"):
        digits = len(rest) - len(rest[1:].lstrip("0123456789")) - 1
        order, rest = int(rest[1:1 + digits]), rest[1 + digits:]
    which: tuple = ()
    if rest.startswith("_{"):
        inside, rest = rest[2:].split("}", 1)
        which = tuple(int(k) - 1 for k in inside.split(","))
    elif rest.startswith("_") and rest[1:2].isdigit():
        which, rest = (int(rest[1]) - 1,), rest[2:]
    return order, which, rest


_BAR, _CLOSING_BAR, _CLOSING_ASCII = "‖", "\ue000", "\ue001\ue001"
# Which bar opens a norm and which closes one (an opening and a closing ‖ look alike):
# a bar opens at the start, after an operator or an opening bracket, when no norm is
# open, or when it is written like an opening bar — a space before it and an operand
# right after it (‖A ‖x‖ x‖ is ‖A · ‖x‖ · x‖); otherwise it closes the innermost norm
# (so ‖x‖ ‖y‖ is a product). ``||`` is the same bar typed in ASCII.
_BEFORE_OPENING = set("+-−*·@/^.⊙∘⊗({,‖=;[")


def _starts_operand(c: str) -> bool:
    return c.isalnum() or c in "(‖|-−∇∂√"


def _mark_norm_bars(text: str) -> str:
    """``text`` with every closing ‖ replaced by U+E000 (a closing ``||`` by two U+E001:
    same length, same positions): the grammar needs to tell an opening bar from a closing one."""
    if _BAR not in text and "||" not in text:
        return text
    out, depth, previous, i = [], 0, "", 0
    while i < len(text):
        c = text[i]
        width = 1 if c == _BAR else 2 if text.startswith("||", i) else 0
        if not width:
            out.append(c)
            if not c.isspace():
                previous = c
            i += 1
            continue
        after = text[i + width:i + width + 1]
        spaced_open = i > 0 and text[i - 1].isspace() and after != "" and _starts_operand(after)
        if depth == 0 or previous in _BEFORE_OPENING or previous == "" or spaced_open:
            depth += 1
            out.append(text[i:i + width])
            previous = _BAR
        else:
            depth -= 1
            out.append(_CLOSING_BAR if width == 1 else _CLOSING_ASCII)
            previous = _CLOSING_BAR
        i += width
    return "".join(out)


@lru_cache(maxsize=1)
def _parser() -> lark.Lark:
    return lark.Lark(
        _grammar_text(), parser="lalr", transformer=_ToSyntax(), keep_all_tokens=True,
        maybe_placeholders=False,
    )


_TOKEN_WORDS = {
    "NAME": "a name", "NUMBER": "a number", "CALL": "a function call", "PRIME_CALL": "a derivative call",
    "GRAD_CALL": "a gradient call", "LPAR": "'('", "RPAR": "')'", "LBRACE": "'{'", "RBRACE": "'}'",
    "COMMA": "','", "PLUS": "'+'", "MINUS": "'-'", "STAR": "'*'", "AT": "'@'", "HADAMARD": "'.*'",
    "HADAMARD_DIV": "'./'", "SLASH": "'/'", "KRON": "'⊗'", "TRANSPOSE": "a transpose", "CARET": "'^'",
    "ELEM_CARET": "'.^'", "WHERE": "'where'", "EQUALS": "'='", "SEMI": "';'",
    "INV_TRANSPOSE": "an inverse transpose", "NORM_OPEN": "'‖'", "NORM_CLOSE": "a closing '‖'",
    "PARTIAL": "'∂'", "VEC_OPEN": "'(∂'", "LSQB": "'['", "RSQB": "']'",
    "$END": "the end of the expression",
}


def _expected_words(expected) -> str:
    # A where clause or labels [i,j] may follow any complete expression, and index
    # notation's ∂ start one: saying so each time is noise.
    noise = ("WHERE", "LSQB", "PARTIAL", "VEC_OPEN")
    words = sorted({_TOKEN_WORDS.get(name, name) for name in expected if name not in noise})
    operands = {"a name", "a number", "'('", "a function call"}
    if operands <= set(words):
        words = ["an operand (a name, a number, '(' or a function call)"] + [
            w for w in words if w not in operands | {"a derivative call", "a gradient call", "'‖'"}
        ]
    return ", ".join(words[:-1]) + (" or " if len(words) > 1 else "") + words[-1] if words else "nothing"


def _syntax(text: str) -> Syn:
    try:
        # The parser's transformer builds Syn records (lark's annotation says Tree).
        return cast(Syn, _parser().parse(_mark_norm_bars(text)))
    except lark.exceptions.UnexpectedCharacters as e:
        pos = e.pos_in_stream or 0  # always set for this error (lark types it Optional)
        hint = " (a norm is ‖x‖ or ||x||, an absolute value abs(x))" if text[pos] == "|" else ""
        raise ParseError(f"unexpected character {text[pos]!r}{hint}", text, pos) from None
    except lark.exceptions.UnexpectedEOF as e:
        what = f"the expression ends too early: expected {_expected_words(e.expected)}"
        raise ParseError(what, text, len(text)) from None
    except lark.exceptions.UnexpectedToken as e:
        if e.token.type == "$END":
            what = "the expression ends too early"
            column = len(text.rstrip())
        else:
            what = f"unexpected {str(e.token).replace(_CLOSING_BAR, _BAR)!r}"
            column = e.token.start_pos
        raise ParseError(f"{what}: expected {_expected_words(e.expected)}", text, column) from None
    except lark.exceptions.VisitError as e:  # pragma: no cover - a bug in a callback
        raise ParseError(f"cannot read the expression: {e.orig_exc}", text, 0) from None


@deep
def parse(text: str, where: Where = None) -> N.Expr:
    """Parse ``text`` of the input language (contract §1) into a typed :class:`Expr`."""
    if not isinstance(text, str):
        raise ParseError(f"expected the expression as a string, not {type(text).__name__}")
    if not text.strip():
        raise ParseError("the expression is empty", text, 0)
    reject_invalid_utf8(text, ParseError, "the expression")
    decls = parse_declarations(where)
    try:
        syn = _syntax(text)
        typer = _Typer(text, decls)
        expr = typer.run(syn)
    except RecursionError:
        # Typing recurses once per nesting level; thousands of levels are fine (see
        # symmat/recursion.py), and beyond that the input is refused rather than crashing.
        raise ParseError("the expression is nested too deeply") from None
    for message in typer.warnings:
        warnings.warn(message, SymmatWarning, stacklevel=2)
    return expr


# Index notation (``∂f[i]/∂x[k,j] = δ[i,k] x[j]``, how results of rank 3 and more print)
# is typed here like the rest, but its value is an index-form tensor, a layer above the
# language: symmat.index.reading plugs its reader in (the package imports it).
_INDEX_READER: list[Callable[[Any], Any]] = []


def register_index_notation(reader: Callable[[Any], Any]) -> None:
    """Install the reader of index notation: ``reader(typer)`` gives an object with
    ``infer_labelled``, ``infer_indexed`` and ``build_labelled`` (see symmat/index/reading.py)."""
    _INDEX_READER[:] = [reader]


class _Typer:
    """Infers types over a :class:`Syn` tree, then builds typed nodes."""

    def __init__(self, text: str, decls: Declarations):
        self.text = text
        self.decls = decls
        self.u = Unifier()
        self.types: dict[int, Type] = {}
        self.variables: dict[str, Type] = {}  # inference types of the names seen
        self.function_args: dict[str, list] = {}  # abstract function -> its argument types
        self.function_out: dict[str, DimVar | None] = {}  # -> None (a scalar value) or its length
        self.used_as: dict[str, str] = {}
        self.heads: dict[int, Type] = {}  # type of the name in `X(...)` read as a product
        self.transposed_grads: set[int] = set()  # ∇ calls written ∇²_{2,1}g: built as (∇²_{1,2}g)ᵀ
        self.lets: dict[str, Syn] = {}  # `where` names defined so far -> their values
        self.pending: set[str] = set()  # `where` names not defined yet
        self.exponents: dict[int, object] = {}  # power record -> float, "transpose", "inv_transpose" or None
        self.warned: set[str] = set()
        self.warnings: list[str] = []  # issued by parse() once typing succeeded
        for name, var in decls.variables.items():
            self.variables[name] = self._declared_type(var.shape)
        self.index_reader: Any = None  # made on the first index notation met

    def _declared_type(self, shape) -> Type:
        return Type(tuple(DimVar(d) for d in shape))

    # ------------------------------------------------------------------ errors
    def _located(self, error: SymmatError, pos: int) -> SymmatError:
        return error.located(self.text, pos)

    def _use(self, name: str, role: str, pos: int) -> None:
        previous = self.used_as.setdefault(name, role)
        if previous != role:
            raise ShapeError(f"{name} is used both as a {previous} and as a {role}", self.text, pos)

    # ------------------------------------------------------------------ pass 2
    def run(self, syn: Syn) -> N.Expr:
        with sizes_in_messages(self.u.sizes):
            self.infer(syn)
        # An inferred dimension never takes the name of a variable or a function: a
        # value given for that name (n = 5 for `n: scalar`) would be read as its size.
        self.namer = DimNamer(self.decls.dim_names() | set(self.variables) | set(self.used_as))
        self.built: dict[int, N.Expr] = {}
        expr = self.build(syn)
        if syn.op == "labelled":
            return expr  # an index-notation result carries the variables that fix its sizes
        # A size written only in a declaration (I_n with x: n declared) is fixed by the
        # value of that variable when the expression is evaluated.
        needed = {d for node in N.walk(expr) for d in node.type.shape if isinstance(d, str)}
        present = expr.free_symbols()  # once: per declaration it made long inputs quadratic
        declared = tuple((name, Type(v.shape)) for name, v in self.decls.variables.items()
                         if name not in present and needed & set(v.shape))
        return provenance.record(expr, variables=declared) if declared and N.unfixed_dimensions(expr) else expr

    def snippet(self, s: Syn) -> str:
        text = " ".join(self.text[s.start:s.end].split())
        return text if len(text) <= 40 else text[:37] + "..."

    def infer(self, s: Syn) -> Type:
        try:
            t = getattr(self, "_infer_" + s.op)(s)
        except ShapeError as e:
            if e.text is None and s.op in self._BINARY and len(s.args) == 2:
                left, right = s.args
                e = ShapeError(f"{e.message} (left: `{self.snippet(left)}`, right: `{self.snippet(right)}`)")
            raise self._located(e, s.pos) from None
        except SymmatError as e:
            raise self._located(e, s.pos) from None
        self.types[id(s)] = t
        return t

    _BINARY = ("hadamard", "hadamard_div", "div", "kron")

    def _infer_group(self, s):
        return self.infer(s.args[0])

    def _infer_where(self, s):
        body, definitions = s.args
        self.pending = {d.args[0] for d in definitions}
        for d in definitions:
            name, value = d.args
            self._check_definable(name, d.pos)
            self.infer(value)  # sees only the names defined before it
            self.pending.discard(name)
            self.lets[name] = value
        return self.infer(body)

    def _check_definable(self, name: str, pos: int) -> None:
        if name in self.lets:
            raise ParseError(f"{name} is defined twice in the where clause", self.text, pos)
        what = ("a declared variable" if name in self.decls.variables
                else "a function" if name in self.decls.functions or name in self.decls.elementwise
                or name in MATRIX_FUNCTIONS or name in ELEMENTWISE
                else "a built-in constant" if name in ("I", "ones") else None)
        if what:
            raise ParseError(f"{name} is {what} and cannot name a subexpression", self.text, pos)

    def _infer_symbol(self, s):
        name = s.args[0]
        if name in self.lets:
            return self.types[id(self.lets[name])]
        if name in self.pending:
            raise ParseError(f"{name} is used before its definition in the where clause", self.text, s.pos)
        if name in ("I", "ones") or _SIZED.fullmatch(name):
            if name not in self.decls.variables:
                size = _SIZED.fullmatch(name)
                n = DimVar(_dimension(size.group(2)) if size else None)
                return matrix(n, n) if name.startswith("I") else column(n)
        if self._is_pi(name):
            return SCALAR
        if name in self.decls.functions or name in self.decls.elementwise or name in MATRIX_FUNCTIONS \
                or name in ELEMENTWISE:
            raise UnknownFunctionError(f"{name} is a function and needs an argument: {name}(...)")
        self._use(name, "variable", s.pos)
        if name not in self.variables:
            self.variables[name] = self._default_type(name)
        return self.variables[name]

    @staticmethod
    def _default_type(name: str) -> Type:
        """The seeds' notation: Greek letters (and their names) are scalars, uppercase
        names matrices, other names vectors."""
        if name in SCALAR_NAMES:
            return SCALAR
        return matrix(DimVar(), DimVar()) if name[0].isupper() else column(DimVar())

    def _is_pi(self, name: str) -> bool:
        return name in PI_NAMES and name not in self.decls.variables

    def _warn_typo(self, name: str, pos: int) -> None:
        """An undeclared function name close to a built-in: read as written, but said."""
        builtin = near_builtin(name)
        if builtin is None or name in self.decls.functions or name in self.warned:
            return
        self.warned.add(name)
        self.warnings.append(SymmatError(
            f"{name} is not a built-in function, so {name}(...) is an abstract function: "
            f"did you mean {builtin}? (declare '{name}: function' to keep it without this warning)",
            self.text, pos,
        ).render())

    def _infer_number(self, s):
        return SCALAR

    def _chain(self, s: Syn, rule) -> Type:
        """Type an n-ary sum or product left to right; an error points at the operand
        that does not fit and names what stands to its left."""
        t = self.infer(s.args[0])
        for arg in s.args[1:]:
            right = self.infer(arg)
            try:
                t = rule(self.u, t, right)
            except ShapeError as e:
                left = " ".join(self.text[s.start:arg.start].split()).rstrip("+-*@").strip()
                if len(left) > 40:  # the end of a long chain is what stands next to `arg`
                    left = "..." + left[-37:]
                e = ShapeError(f"{e.message} (left: `{left}`, right: `{self.snippet(arg)}`)")
                raise self._located(e, arg.start) from None
        return t

    def _infer_add(self, s):
        return self._chain(s, N.infer_add)

    def _infer_mul(self, s):
        return self._chain(s, N.infer_matmul)

    def _infer_hadamard(self, s):
        return N.infer_hadamard(self.u, self.infer(s.args[0]), self.infer(s.args[1]))

    def _infer_hadamard_div(self, s):
        return N.infer_hadamard_div(self.u, self.infer(s.args[0]), self.infer(s.args[1]))

    def _infer_div(self, s):
        return N.infer_div(self.u, self.infer(s.args[0]), self.infer(s.args[1]))

    def _infer_kron(self, s):
        return N.infer_kron(self.u, self.infer(s.args[0]), self.infer(s.args[1]))

    def _infer_neg(self, s):
        return self.infer(s.args[0])

    def _infer_transpose(self, s):
        return N.infer_transpose(self.u, self.infer(s.args[0]))

    def _infer_inv_transpose(self, s):
        return N.infer_transpose(self.u, N.infer_power(self.u, self.infer(s.args[0]), -1.0))

    def _infer_power(self, s):
        base = self.infer(s.args[0])
        kind = self._exponent(s)
        if kind == "transpose":
            return N.infer_transpose(self.u, base)
        if kind == "inv_transpose":
            return self._infer_inv_transpose(s)
        if kind is not None:
            return N.infer_power(self.u, base, kind)
        self._infer_exponent(s.args[1])
        if base.is_matrix:
            raise ShapeError("a matrix power needs a constant integer exponent (use .^ for an elementwise power)")
        return N.infer_power(self.u, base, 2.0)  # a vector base is refused there

    def _infer_elem_power(self, s):
        base = self.infer(s.args[0])
        if self._exponent(s, transposes=False) is None:
            self._infer_exponent(s.args[1])
        return base

    def _infer_exponent(self, e: Syn) -> None:
        """A symbolic exponent is a scalar; a bare undeclared name there is one."""
        bare = e
        while bare.op in ("group", "neg"):
            bare = bare.args[0]
        name = bare.args[0] if bare.op == "symbol" else None
        if name and name not in self.variables and name not in self.lets and name not in self.pending \
                and not self.decls.declares(name) and not self._is_pi(name) and name[0].islower():
            self.variables[name] = SCALAR
        t = self.infer(e)
        if not t.is_scalar:
            raise self._located(ShapeError(f"an exponent must be a scalar, not {t.describe()}"), e.start)

    def _exponent(self, s: Syn, transposes: bool = True):
        """What the exponent of ``s`` is: a constant (float), ``"transpose"`` for
        ``x ^ T``, ``"inv_transpose"`` for ``X^-T`` / ``X^{-T}`` (where ``T`` is no
        variable), or None for a symbolic exponent."""
        key = id(s)
        if key not in self.exponents:
            e, negated = s.args[1], False
            while e.op in ("group", "neg"):
                negated ^= e.op == "neg"
                e = e.args[0]
            if transposes and e.op == "symbol" and e.args[0] == "T" and "T" not in self.variables \
                    and "T" not in self.lets:
                self.exponents[key] = "inv_transpose" if negated else "transpose"
            else:
                self.exponents[key] = self._constant(s.args[1])
        return self.exponents[key]

    def _constant(self, e: Syn) -> float | None:
        """The value of an exponent made of numbers and π only; None otherwise."""
        op, args = e.op, e.args
        try:
            if op == "number":
                return args[0]
            if op == "symbol":
                return math.pi if self._is_pi(args[0]) else None
            found = [self._constant(a) for a in (args if op in ("add", "mul") else args[:1] if op != "div" else args)] \
                if op in ("group", "neg", "add", "mul", "div") else [None]
            parts = [p for p in found if p is not None]
            if len(parts) < len(found):
                return None
            if op == "group":
                return parts[0]
            if op == "neg":
                return -parts[0]
            if op == "add":
                return math.fsum(parts)
            if op == "mul":
                return math.prod(parts)
            value = parts[0] / parts[1]
        except ZeroDivisionError:
            raise ParseError("the exponent divides by zero", self.text, e.pos) from None
        return value

    def _infer_norm_bars(self, s):
        inner, kind = s.args
        t = self.infer(inner)
        if kind == "2" and t.is_matrix:
            raise ShapeError("‖X‖_2 of a matrix is its spectral norm, which symmat does not have; "
                             "‖X‖ and ‖X‖_F are the Frobenius norm")
        if kind == "1" and not t.is_vector:
            raise ShapeError(f"‖·‖_1 needs a vector, not {t.describe()}")
        return SCALAR

    def _call_kind(self, name: str) -> str:
        """What ``name(...)`` means; see the module docstring."""
        if name in ELEMENTWISE or name in self.decls.elementwise:
            return "elementwise"
        if name in MATRIX_FUNCTIONS:
            return "binary" if name in _BINARY_FUNCTIONS else "apply"
        if name in self.decls.functions:
            return "function"
        if name in self.decls.variables or name in self.lets or self.used_as.get(name) == "variable" \
                or name in SCALAR_NAMES or self._is_pi(name):
            return "product"
        if name[0].isupper() and near_builtin(name) is None:
            return "product"  # X(A + B); but Sigmoid(x) is a (warned) function call
        if name in ("ones", "zeros"):
            return name
        return "function"

    def _norm_order(self, s: Syn) -> str:
        """``norm(x, 1)`` is the 1-norm, ``norm(x, 2)`` the Euclidean norm."""
        p = s.args[1][1]
        value = self._constant(p) if p.op in ("number", "group") else None
        if value not in (1.0, 2.0):
            raise self._located(ParseError("norm(x, p) takes p = 1 or p = 2"), p.start)
        return "norm1" if value == 1.0 else "norm"

    def _apply_name(self, s: Syn) -> str:
        name, args = s.args
        return self._norm_order(s) if name == "norm" and len(args) == 2 else name

    def _check_arity(self, name: str, args: tuple, wanted: int) -> None:
        if len(args) != wanted:
            raise ArityError(f"{name} takes {wanted} argument{'s' if wanted > 1 else ''}, not {len(args)}")

    def _infer_call(self, s):
        name, args = s.args
        kind = self._call_kind(name)
        if kind == "ones":
            raise ArityError("ones takes no arguments: its size is inferred (or written: ones_n)")
        if kind == "zeros":
            if len(args) not in (1, 2):
                raise ArityError(f"zeros takes 1 or 2 sizes, not {len(args)}")
            return Type(tuple(DimVar(self._size_argument(a)) for a in args))
        if name == "norm" and len(args) == 2:
            args = s.args[1][:1]
            self._norm_order(s)
        if kind != "function":
            self._check_arity(name, args, 2 if kind == "binary" else 1)
        types = [self.infer(a) for a in args]
        if kind == "elementwise":
            return types[0]
        if kind == "binary":
            return _BINARY_FUNCTIONS[name].rule(self.u, *types)
        if kind == "apply":
            return PRIMITIVES[self._apply_name(s)].shape(self.u, types[0])
        if kind == "product":
            head = self.heads[id(s)] = self._infer_symbol(Syn("symbol", (name,), s.pos, s.start, s.start + len(name)))
            return N.infer_matmul(self.u, head, types[0])
        return self._infer_function(name, types, (), s.pos)

    def _size_argument(self, a: Syn):
        """A size written in ``zeros(m, n)``: a dimension name or a positive integer."""
        if a.op == "symbol":
            return a.args[0]
        if a.op == "number" and float(a.args[0]).is_integer() and a.args[0] > 0:
            return int(a.args[0])
        raise self._located(ParseError("a size of zeros(...) is a dimension name or a positive integer"), a.pos)

    def _infer_function(self, name: str, args: list, which: tuple, pos: int) -> Type:
        """``g(x)``, ``g(x, y)``, ``h(x)`` and their derivatives by the arguments ``which``
        (for one argument, ``which`` may be empty with ``len(which)`` its order)."""
        if name not in self.decls.functions:
            self._warn_typo(name, pos)
        self._use(name, "function", pos)
        if name not in self.function_args:
            declared = self.decls.functions.get(name)
            if isinstance(declared, Signature):
                expected = [SCALAR if d is None else column(DimVar(d)) for d in declared.args]
                out = None if declared.out is None else DimVar(declared.out)
            else:
                expected = list(args) if declared is None else [column(DimVar(declared))]
                out = None
            self.function_args[name], self.function_out[name] = expected, out
        expected, out = self.function_args[name], self.function_out[name]
        if len(args) != len(expected):
            plural = "s" if len(expected) > 1 else ""
            raise ArityError(f"{name} takes {len(expected)} argument{plural}, not {len(args)}")
        for k, (want, got) in enumerate(zip(expected, args)):
            where = f" as argument {k + 1}" if len(args) > 1 else ""

            def mismatch(want: Type = want, got: Type = got, where: str = where) -> str:
                return f"{name} takes {want.describe()}{where}, not {got.describe()}"

            self.u.unify_types(want, got, mismatch)
        if len(args) == 1 and out is None:
            return N.infer_call(self.u, args[0], len(which))
        return N.infer_function_call(args, which, out)

    def _is_fncall(self, name: str) -> bool:
        """Whether calls of ``name`` are :class:`FnCall` (several arguments or a vector value)."""
        return len(self.function_args[name]) > 1 or self.function_out[name] is not None

    def _infer_prime_call(self, s):
        name, primes, arg = s.args
        if name in ELEMENTWISE or name in self.decls.elementwise:
            return self.infer(arg)
        head = self.heads[id(s)] = self._infer_symbol(Syn("symbol", (name,), s.pos, s.start, s.start + len(name)))
        for _ in range(primes):
            head = N.infer_transpose(self.u, head)
        return N.infer_matmul(self.u, head, self.infer(arg))

    def _infer_grad_call(self, s):
        name, _order, which, args = s.args
        if name in ELEMENTWISE or name in MATRIX_FUNCTIONS or name in self.decls.variables:
            raise UnknownFunctionError(f"∇{name} needs an abstract scalar function, and {name} is not one")
        which = self._which(s)
        arg_types = [self.infer(a) for a in args]
        t = self._infer_function(name, arg_types, which, s.pos)
        if s.args[2] and list(s.args[2]) != sorted(s.args[2]) and self._mixed_order_transposes(s, arg_types):
            self.transposed_grads.add(id(s))
            return N.infer_transpose(self.u, t)
        return t

    def _mixed_order_transposes(self, s: Syn, arg_types: list[Type]) -> bool:
        """Whether ``∇²_{2,1}g(x, y)``, written with its arguments out of order, is the
        transpose of ``∇²_{1,2}g(x, y)`` (False: the same tensor, as when an argument is a
        scalar). Mixed partials of a smooth function are equal, so only the order of the
        axes differs: each argument's axes come where its subscript stands. Axes of one
        argument named twice are interchangeable (a Hessian block is symmetric)."""
        name, _order, written, _args = s.args

        def axes(order: list[int]) -> list[tuple[int, int, int]]:
            seen: dict[int, int] = {}
            out = []
            for k in order:
                occurrence = seen[k] = seen.get(k, -1) + 1
                out += [(k, occurrence, a) for a in range(arg_types[k].rank)]
            return out

        normal = axes(sorted(written))
        permutation = [normal.index(a) for a in axes(list(written))]
        if permutation == sorted(permutation):
            return False
        rank = len(permutation) + (self.function_out[name] is not None)
        if permutation == [1, 0] and rank == 2:
            return True
        nargs = len(arg_types)
        raise ArityError(f"{N.derivative_head(name, written, nargs)} has rank {rank}, and the order of its "
                         f"arguments orders its axes: write {N.derivative_head(name, tuple(sorted(written)), nargs)}"
                         " (mixed partials are equal; only rank 2 is transposed for you)")

    def _which(self, s: Syn) -> tuple:
        """The (sorted, 0-based) arguments a ∇ call differentiates by: mixed partials of a
        smooth function are equal, so ∇²_{2,1}g is ∇²_{1,2}g with its axes in another order."""
        name, order, which, args = s.args
        if not which:
            if len(args) > 1:
                raise ArityError(f"∇{name} of a function of {len(args)} arguments needs the argument: "
                                 f"∇_1{name}(...), or ∇²_{{1,2}}{name}(...)")
            return (0,) * order
        if len(which) != order:
            raise ArityError(f"a derivative of order {order} names {order} argument(s), not {len(which)}")
        if any(not 0 <= k < len(args) for k in which):
            raise ArityError(f"{name} is called with {len(args)} argument(s); ∇_k needs 1 <= k <= {len(args)}")
        return tuple(sorted(which))

    def _index_notation(self) -> Any:
        if self.index_reader is None:
            if not _INDEX_READER:  # pragma: no cover - symmat/__init__ imports the reader
                raise ParseError("index notation needs symmat.index.reading", self.text, 0)
            self.index_reader = _INDEX_READER[0](self)
        return self.index_reader

    def _infer_labelled(self, s):
        return self._index_notation().infer_labelled(s)

    def _infer_indexed(self, s):
        return self._index_notation().infer_indexed(s)

    # ------------------------------------------------------------------ pass 3
    def final_type(self, t: Type) -> Type:
        return t.map(lambda d: self.namer.final(self.u, d))

    def build(self, s: Syn) -> N.Expr:
        key = id(s)
        if key not in self.built:
            self.built[key] = getattr(self, "_build_" + s.op)(s)
        return self.built[key]

    def _build_labelled(self, s):
        return self._index_notation().build_labelled(s)

    def _build_where(self, s):
        body, definitions = s.args
        for d in definitions:  # in order, so a long chain of names never nests the build
            self.build(d.args[1])
        return self.build(body)

    def _build_group(self, s):
        return self.build(s.args[0])

    def _build_symbol(self, s, inferred: Type | None = None):
        name = s.args[0]
        if name in self.lets:
            return self.build(self.lets[name])
        t = self.final_type(inferred or self.types[id(s)])
        if (name in ("I", "ones") or _SIZED.fullmatch(name)) and name not in self.decls.variables:
            return N.Identity(t.shape[0]) if name.startswith("I") else N.Ones(t.shape[0])
        if self._is_pi(name):
            return N.Number(math.pi)
        var = self.decls.variables.get(name)
        return N.Symbol(name, t, bool(var and var.symmetric))

    def _build_number(self, s):
        return N.Number(s.args[0])

    def _build_add(self, s):
        return N.Add(*[self.build(a) for a in s.args])

    def _build_mul(self, s):
        return N.MatMul(*[self.build(a) for a in s.args])

    def _build_hadamard(self, s):
        return N.Hadamard(self.build(s.args[0]), self.build(s.args[1]))

    def _build_hadamard_div(self, s):
        return N.HadamardDiv(self.build(s.args[0]), self.build(s.args[1]))

    def _build_div(self, s):
        return N.Div(self.build(s.args[0]), self.build(s.args[1]))

    def _build_kron(self, s):
        return N.Kron(self.build(s.args[0]), self.build(s.args[1]))

    def _build_neg(self, s):
        return N.Neg(self.build(s.args[0]))

    def _build_transpose(self, s):
        return N.Transpose(self.build(s.args[0]))

    def _build_inv_transpose(self, s):
        return N.Transpose(N.Power(self.build(s.args[0]), -1.0))

    def _build_power(self, s):
        kind = self._exponent(s)
        if kind == "transpose":
            return N.Transpose(self.build(s.args[0]))
        if kind == "inv_transpose":
            return self._build_inv_transpose(s)
        if kind is None:
            return N.GeneralPower(self.build(s.args[0]), self.build(s.args[1]))
        return N.Power(self.build(s.args[0]), kind)

    def _build_elem_power(self, s):
        kind = self._exponent(s, transposes=False)
        if kind is None:
            return N.GeneralPower(self.build(s.args[0]), self.build(s.args[1]))
        return N.ElemPower(self.build(s.args[0]), kind)

    def _build_norm_bars(self, s):
        inner, kind = s.args
        return N.Apply("norm1" if kind == "1" else "norm", self.build(inner))

    def _build_call(self, s):
        name, args = s.args
        kind = self._call_kind(name)
        if kind == "zeros":
            return N.zeros(self.final_type(self.types[id(s)]))
        if kind == "apply":
            return N.Apply(self._apply_name(s), self.build(args[0]))
        built = [self.build(a) for a in args]
        if kind == "elementwise":
            return N.Elementwise(name, built[0])
        if kind == "binary":
            return _BINARY_FUNCTIONS[name](*built)
        if kind == "product":
            symbol = Syn("symbol", (name,), s.pos, s.start, s.start + len(name))
            return N.MatMul(self._build_symbol(symbol, self.heads[id(s)]), built[0])
        return self._build_function(name, built, ())

    def _build_function(self, name: str, args: list, which: tuple) -> N.Expr:
        if not self._is_fncall(name):
            return N.Call(name, args[0], len(which))
        out = self.function_out[name]
        return N.FnCall(name, tuple(args), which, None if out is None else self.namer.final(self.u, out))

    def _build_prime_call(self, s):
        name, primes, arg = s.args
        if name in ELEMENTWISE or name in self.decls.elementwise:
            return N.Elementwise(name, self.build(arg), primes)
        head = self._build_symbol(Syn("symbol", (name,), s.pos, s.start, s.start + len(name)), self.heads[id(s)])
        for _ in range(primes):
            head = N.Transpose(head)
        return N.MatMul(head, self.build(arg))

    def _build_grad_call(self, s):
        name, _order, _which, args = s.args
        call = self._build_function(name, [self.build(a) for a in args], self._which(s))
        return N.Transpose(call) if id(s) in self.transposed_grads else call
