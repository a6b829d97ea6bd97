"""LaTeX printer: homework notation, one method per node class.

Conventions (chosen once, used everywhere): variables in plain italics (``W``, ``x``),
multi-letter names as one italic word (``\\mathit{loss}``), ``^\\top`` for the
transpose, ``X^{-1}`` for the inverse however it was written, ``\\odot``, ``\\oslash`` and
``\\otimes`` for the elementwise product, division and Kronecker product, ``\\mathbf{1}``
for the all-ones vector. Parentheses are ``\\left( \\right)`` and appear only where the
precedence table (shared with the text printer) asks for them, plus where a reader
would otherwise misread: a product inside ``\\odot``, or an inner product ``x^\\top y``
in the middle of a matrix product.
"""
from __future__ import annotations

import math
from typing import TypeGuard

from .. import nodes as N
from ..algebra import scalar_runs
from ..functions import ELEMENTWISE
from ..numbers import exact_fraction, format_number, pi_multiple
from ..registry import PRIMITIVES
from ..shapes import Prod
from .latex_names import latex_name
from .precedence import ATOM, POSTFIX, PRODUCT, SUM, UNARY, precedence
from .printer import Printer
from .shared import shared_subexpressions
from .sizes import sized_constants

# A fraction binds tighter than juxtaposition (``A \frac{x}{c}`` needs no parentheses)
# but a superscript on it would be ambiguous (``\frac{a}{b}^\top``).
FRACTION = (POSTFIX + ATOM) // 2

_PRIMES = {1: "'", 2: "''", 3: "'''"}


def latex_number(value: float) -> str:
    """``2``, ``0.5``, ``10^{-10}``, ``2.5 \\cdot 10^{-5}``, ``\\infty``."""
    if math.isnan(value):
        return r"\mathrm{NaN}"
    if math.isinf(value):
        return r"\infty" if value > 0 else r"-\infty"
    fraction = exact_fraction(value)
    if fraction is not None:
        sign = "-" if fraction < 0 else ""
        return rf"{sign}\frac{{{abs(fraction.numerator)}}}{{{fraction.denominator}}}"
    text = format_number(value)
    if text == "pi":
        return r"\pi"
    multiple = pi_multiple(value)
    if multiple is not None:  # 2π, π/2, 2/π as written, not 6.283185307179586
        q, kind = multiple
        sign, a, b = ("-" if q < 0 else ""), abs(q.numerator), q.denominator
        if kind == -1:
            return rf"{sign}\frac{{{a}}}{{{'' if b == 1 else b} \pi}}".replace("{ ", "{")
        if b == 1:
            return rf"{sign}{a} \pi"
        return rf"{sign}\frac{{{'' if a == 1 else a} \pi}}{{{b}}}".replace("{ ", "{")
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    power = f"10^{{{int(exponent)}}}"
    if mantissa in ("1", "-1"):
        return power if mantissa == "1" else "-" + power
    return rf"{mantissa} \cdot {power}"


def latex_exponent(value: float) -> str:
    """An exponent: ``2``, ``-1``, ``1/3`` (a quotient that is exactly the float)."""
    fraction = exact_fraction(value)
    if fraction is not None:
        return f"{fraction.numerator}/{fraction.denominator}"
    return latex_number(value)


def _number_precedence(value: float) -> int:
    text = latex_number(value)
    if text.startswith("-"):
        return UNARY
    if r"\cdot" in text or (" " in text and not text.startswith(r"\frac")):
        return PRODUCT
    if text.startswith(r"\frac"):
        return FRACTION
    return POSTFIX if "^" in text else ATOM


def _is_inverse(node: N.Expr) -> TypeGuard[N.Apply | N.Power]:
    """``inv(X)`` and ``X^-1`` print alike as ``X^{-1}``."""
    if isinstance(node, N.Apply):
        return node.name == "inv"
    return isinstance(node, N.Power) and node.base.type.is_matrix and node.exponent == -1


def _inverse_base(node: N.Apply | N.Power) -> N.Expr:
    return node.args[1] if isinstance(node, N.Apply) else node.base


def _primes(order: int) -> str:
    return _PRIMES.get(order, f"^{{({order})}}")


class LatexPrinter(Printer):
    # ------------------------------------------------------------ parentheses
    def paren(self, text: str) -> str:
        return rf"\left({text}\right)"

    def precedence(self, node: N.Expr) -> int:
        """The shared table, except where LaTeX's spelling binds differently."""
        if self.named(node):
            return ATOM
        if isinstance(node, N.Number):
            return _number_precedence(node.value)
        if isinstance(node, N.MatMul) and N.is_zeros(node):
            return ATOM
        if isinstance(node, N.Div):
            return FRACTION
        if isinstance(node, N.Apply) and PRIMITIVES[node.name].latex_postfix:
            return POSTFIX
        if isinstance(node, (N.ElemPower, N.GeneralPower)) and node.base.type.is_scalar:
            return POSTFIX
        return precedence(node)

    def at_least(self, node: N.Expr, level: int) -> str:
        text = self.doprint(node)
        return text if self.precedence(node) >= level else self.paren(text)

    def call(self, head: str, arg: N.Expr) -> str:
        return rf"{head}\left({self.doprint(arg)}\right)"

    # ------------------------------------------------------------------ atoms
    def _print_Symbol(self, node):
        return latex_name(node.name)

    def _print_Number(self, node):
        return latex_number(node.value)

    def _sized(self, node: N.Expr, name: str) -> str:
        """``I`` and ``\\mathbf{1}``, subscripted with their size where the rest of the
        result does not fix it (see sizes.py)."""
        if id(node) not in self.sized:
            return name
        d = node.args[0]
        size = r" \cdot ".join(map(str, d.factors)) if isinstance(d, Prod) else str(d)
        return f"{name}_{{{latex_name(size) if size.isidentifier() else size}}}"

    def _print_Identity(self, node):
        return self._sized(node, "I")

    def _print_Ones(self, node):
        return self._sized(node, r"\mathbf{1}")

    # ------------------------------------------------------------------- sums
    def _print_Add(self, node):
        # Sums are associative, so a nested sum needs no parentheses; a term printed
        # with a leading minus (``-x``, ``-2 A``) is written as a subtraction.
        parts = [self.at_least(node.args[0], SUM)]
        for term in node.args[1:]:
            text = self.at_least(term, SUM)
            if text.startswith("-") and self.precedence(term) >= PRODUCT:
                parts.append("- " + text[1:].lstrip())
            else:
                parts.append("+ " + text)
        return " ".join(parts)

    def _print_Neg(self, node):
        text = self.at_least(node.args[0], PRODUCT)
        return "-" + (self.paren(text) if text.startswith("-") else text)

    # --------------------------------------------------------------- products
    def _print_MatMul(self, node):
        if N.is_zeros(node):
            return "0"  # a zero result is 0, as a textbook writes it
        scalars, groups = _product_layout(node, self.named)
        crowded = len(scalars) + len(groups) > 1
        pieces = [self._scalar_factor(s, crowded) for s in scalars]
        for group in groups:
            if len(group) > 1 and crowded and N.product_type(group).is_scalar:
                # An inner product among other factors: ``\left(x^\top y\right) z``.
                text = " ".join(self.at_least(f, POSTFIX) for f in group)
                pieces.append((self.paren(text), ATOM))
            else:
                pieces += [(self.doprint(f), self.precedence(f)) for f in group]
        # The first factor may carry a leading minus (``-2 A``), later ones may not.
        # A leading number reads well even as ``2.5 \cdot 10^{-5} x``.
        first_ok = pieces[0][1] >= UNARY or isinstance(scalars[:1] and scalars[0], N.Number)
        out = pieces[0][0] if first_ok else self.paren(pieces[0][0])
        for text, prec in pieces[1:]:
            text = text if prec >= POSTFIX else self.paren(text)
            # Two numbers side by side would read as one (``2 3`` → ``23``).
            joiner = r" \cdot " if out[-1:].isdigit() and text[:1].isdigit() else " "
            out += joiner + text
        return out

    def _scalar_factor(self, node: N.Expr, crowded: bool) -> tuple[str, int]:
        if isinstance(node, N.MatMul) and crowded and not self.named(node):
            return self.paren(self.doprint(node)), ATOM
        return self.doprint(node), self.precedence(node)

    def _operand(self, node: N.Expr, same: type) -> str:
        """Operand of ``\\odot``/``\\otimes``: the same associative operator needs no
        parentheses; any other product does, for the reader's sake."""
        if isinstance(node, same):
            return self.doprint(node)
        return self.at_least(node, POSTFIX)

    def _print_Hadamard(self, node):
        return rf"{self._operand(node.left, N.Hadamard)} \odot {self._operand(node.right, N.Hadamard)}"

    def _print_HadamardDiv(self, node):
        return rf"{self._operand(node.left, N.Hadamard)} \oslash {self.at_least(node.right, POSTFIX)}"

    def _print_Kron(self, node):
        return rf"{self._operand(node.left, N.Kron)} \otimes {self._operand(node.right, N.Kron)}"

    def _print_Div(self, node):
        return rf"\frac{{{self.doprint(node.left)}}}{{{self.doprint(node.right)}}}"

    # ------------------------------------------------------- powers, transpose
    def _print_Power(self, node):
        if node.exponent == -1.0 and isinstance(node.base, N.Transpose) and node.base.type.is_matrix:
            return f"{self.at_least(node.base.args[0], ATOM)}^{{-\\top}}"
        return f"{self.at_least(node.base, ATOM)}^{{{latex_exponent(node.exponent)}}}"

    def _print_ElemPower(self, node):
        # The Hadamard power ``A^{\circ 2}``; on a scalar it is the ordinary power.
        ring = "" if node.base.type.is_scalar else r"\circ "
        return f"{self.at_least(node.base, ATOM)}^{{{ring}{latex_exponent(node.exponent)}}}"

    def _print_GeneralPower(self, node):
        # A symbolic exponent in braces: s^{p}, and x^{\circ t} for an entrywise power.
        ring = "" if node.base.type.is_scalar else r"\circ "
        return f"{self.at_least(node.base, ATOM)}^{{{ring}{self.doprint(node.exponent)}}}"

    def _print_Max(self, node):
        return rf"\max\left({self.doprint(node.left)}, {self.doprint(node.right)}\right)"

    def _print_Min(self, node):
        return rf"\min\left({self.doprint(node.left)}, {self.doprint(node.right)}\right)"

    def _print_Transpose(self, node):
        arg = node.args[0]
        if _is_inverse(arg):
            return f"{self.at_least(_inverse_base(arg), ATOM)}^{{-\\top}}"
        return f"{self.at_least(arg, ATOM)}^\\top"

    # -------------------------------------------------------------- functions
    def _print_Apply(self, node):
        prim, arg = PRIMITIVES[node.name], node.args[1]
        if callable(prim.latex):
            return prim.latex(self, arg)
        return self.call(prim.latex, arg)

    def _print_Elementwise(self, node):
        name, arg, order = node.args
        if name not in ELEMENTWISE:
            return self.call(latex_name(name, r"\operatorname") + (_primes(order) if order else ""), arg)
        head = ELEMENTWISE[name].latex
        if head == r"\sqrt":
            # \sqrt takes its argument in braces; its derivative names the function.
            if order == 0:
                return rf"\sqrt{{{self.doprint(arg)}}}"
            head = r"\left(\sqrt{\cdot}\right)"
        return self.call(head + (_primes(order) if order else ""), arg)

    def _print_Call(self, node):
        name, arg, order = node.args
        head = {0: "", 1: r"\nabla ", 2: r"\nabla^2 "}.get(order, rf"\nabla^{{{order}}} ")
        return self.call(head + latex_name(name, r"\operatorname"), arg)


    def _print_FnCall(self, node):
        name, args, which, _out = node.args
        order = len(which)
        head = {0: "", 1: r"\nabla", 2: r"\nabla^2"}.get(order, rf"\nabla^{{{order}}}")
        if order and len(args) > 1:
            head += "_{" + ",".join(str(k + 1) for k in which) + "}"
        inner = ", ".join(self.doprint(a) for a in args)
        fname = latex_name(name, r"\operatorname")
        return (head + " " if head else "") + fname + rf"\left({inner}\right)"

    def _print_IndexExpr(self, node):
        # Index notation (δ_ij, x_j, sums over repeated indices, its label) is written by
        # the index package, which owns the labels; here it is one more factor.
        return node.latex()


# ------------------------------------------------------------- product layout
def _flatten(node: N.MatMul, scalars: list, chain: list, named) -> None:
    """Scalar factors commute with everything, so they are collected in front; nested
    non-scalar products are spliced in (matrix products are associative), unless they
    are printed as a name."""
    for f in node.args:
        if f.type.is_scalar:
            scalars.append(f)
        elif isinstance(f, N.MatMul) and not named(f):
            _flatten(f, scalars, chain, named)
        else:
            chain.append(f)


def _product_layout(node: N.MatMul, named=lambda node: False) -> tuple[list[N.Expr], list[list[N.Expr]]]:
    """``(scalars, groups)``: numbers first, then the other scalar factors, then the
    non-scalar factors cut wherever a prefix of them multiplies out to a scalar
    (``x^T y z`` is ``(x^T y) z``, which as a matrix product would not type)."""
    scalars: list[N.Expr] = []
    chain: list[N.Expr] = []
    _flatten(node, scalars, chain, named)
    scalars.sort(key=lambda s: not isinstance(s, N.Number))  # stable: numbers first
    runs, rest = scalar_runs(chain)
    return scalars, runs + ([rest] if rest else [])


def to_latex(expr: N.Expr) -> str:
    """LaTeX math for ``expr`` (no ``$`` delimiters)."""
    names = {node: latex_name(name) for node, name in shared_subexpressions(expr).items()}
    printer = LatexPrinter(sized_constants(expr), names)
    body = printer.doprint(expr)
    if not names:
        return body
    # As the text's where clause, one definition per row, aligned at "=".
    rows = [f"& {body}"] + [
        (r"\text{where}\quad " if k == 0 else "") + f"{name} &= {printer.structure(node)}"
        for k, (node, name) in enumerate(names.items())
    ]
    return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"
