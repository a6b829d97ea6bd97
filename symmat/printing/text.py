"""Text printer: the input language with the fewest parentheses that keep the value,
so that ``parse(str(e), where)`` evaluates to the value of ``e``."""
from __future__ import annotations

from .. import nodes as N
from ..errors import ShapeError
from ..numbers import format_exponent, number_text
from ..registry import PRIMITIVES
from ..shapes import Prod
from .precedence import ATOM, POSTFIX, PRODUCT, SUM, UNARY, precedence
from .printer import Printer
from .shared import shared_subexpressions
from .sizes import sized_constants


class TextPrinter(Printer):
    def at_least(self, node: N.Expr, level: int) -> str:
        # The text form writes a Kronecker product as the call kron(A, B): an atom,
        # although the shared table ranks the infix A ⊗ B with the products.
        if isinstance(node, N.Kron):
            return self.doprint(node)
        return super().at_least(node, level)

    def _print_Symbol(self, node):
        return node.name

    def _print_Number(self, node):
        return number_text(node.value)

    def _sized(self, node: N.Expr, name: str) -> str:
        """``I``/``ones``, or ``I_n``/``ones_n`` where the size is not recoverable; a
        product dimension m*n as ``kron(I_m, I_n)``."""
        if id(node) not in self.sized:
            return name
        d = node.args[0]
        if isinstance(d, Prod):
            return "kron(" + ", ".join(f"{name}_{f}" for f in d.factors) + ")"
        return f"{name}_{d}"

    def _print_Identity(self, node):
        return self._sized(node, "I")

    def _print_Ones(self, node):
        return self._sized(node, "ones")

    def _print_zeros(self, node):
        """The zero vector or matrix: ``0`` where its size is inferred, else
        ``zeros(m, n)`` (``zeros(n)^T`` a row)."""
        if id(node) not in self.sized or any(isinstance(d, Prod) for d in node.type.shape):
            return "0"
        text = f"zeros({', '.join(str(d) for d in node.type.shape)})"
        return text + "^T" if node.type.row else text

    def _print_Add(self, node):
        # A sum as the first term reads the same without parentheses: (a + b) + c.
        parts = [self.at_least(node.args[0], SUM)]
        for term in node.args[1:]:
            if isinstance(term, N.Neg):
                parts.append("- " + self.at_least(term.args[0], PRODUCT))
            elif isinstance(term, N.Number) and term.value < 0:
                parts.append("- " + number_text(-term.value))
            else:
                parts.append("+ " + self.at_least(term, PRODUCT))
        return " ".join(parts)

    def _print_Neg(self, node):
        # -(a b) and (-a) b are equal, so a product needs no parentheses here.
        return "-" + self.at_least(node.args[0], PRODUCT)

    def _print_MatMul(self, node):
        if N.is_zeros(node):
            return self._print_zeros(node)
        first, *rest = node.args
        last = node.args[-1]
        if isinstance(last, (N.Hadamard, N.HadamardDiv, N.Div)) and not self.named(last) \
                and all(f.type.is_scalar for f in node.args[:-1]):
            # Scalars times a ⊙, ./ or / reads left to right without parentheses:
            # 2 (x .* y) is (2 x) .* y, written 2 x .* y, as the textbook does.
            scalars = [self.at_least(f, PRODUCT if k == 0 else POSTFIX) for k, f in enumerate(node.args[:-1])]
            text = self.doprint(last)
            if not text.startswith("-"):  # c -x .* y would read c - x .* y: parenthesised below
                return " ".join(scalars + [text])
        parts, t = [self.at_least(first, PRODUCT)], first.type
        for factor in rest:
            t = self._rest_factor(factor, t, parts)
        return " ".join(parts)

    def _rest_factor(self, factor: N.Expr, t, parts: list[str]):
        """Print ``factor`` as the next operand of a juxtaposition chain of type ``t``;
        return the chain's new type. A nested product is spliced in without parentheses
        when the chain still types left to right (``A (B C)`` -> ``A B C``), and kept in
        parentheses when it does not (``x^T (x^T y)``: x^T x^T is no product). Every
        other operand must bind at least like a power: ``a (-b)``, never ``a -b``."""
        if isinstance(factor, N.MatMul) and not self.named(factor) and _chains(t, factor.args):
            for inner in factor.args:
                t = self._rest_factor(inner, t, parts)
            return t
        parts.append(self.at_least(factor, POSTFIX))
        return N.product_type([factor], t)

    def _binary(self, node, op):
        right = node.right
        # `a .* -b c` would read as (a .* -b) c: a negated product on the right is grouped.
        if isinstance(right, N.Neg) and precedence(right.args[0]) < UNARY:
            right_text = self.paren(self.doprint(right))
        else:
            right_text = self.at_least(right, UNARY)
        return f"{self.at_least(node.left, PRODUCT)} {op} {right_text}"

    def _print_Hadamard(self, node):
        return self._binary(node, ".*")

    def _print_HadamardDiv(self, node):
        return self._binary(node, "./")

    def _print_Div(self, node):
        return self._binary(node, "/")

    def _print_Kron(self, node):
        return f"kron({self.doprint(node.left)}, {self.doprint(node.right)})"

    # Exponents never stack: the base of ^k, .^ k and ^T is an atom or in parentheses,
    # (X^2)^T as textbooks write it, except the inverse transpose X^-T.
    def _inverse(self, base: N.Expr) -> str:
        """X^-1, or inv(A B) for a base that would need parentheses (shorter than
        (A B)^-1, and it reads as the textbook's (A B)⁻¹)."""
        if precedence(base) < ATOM:
            return f"inv({self.doprint(base)})"
        return f"{self.doprint(base)}^-1"

    def _print_Power(self, node):
        if node.exponent == -1.0 and isinstance(node.base, N.Transpose) and node.base.type.is_matrix:
            return self._inverse_transpose(node.base.args[0])
        if node.exponent == -1.0 and node.type.is_matrix:
            return self._inverse(node.base)
        return f"{self.at_least(node.base, ATOM)}^{format_exponent(node.exponent)}"

    def _inverse_transpose(self, base: N.Expr) -> str:
        if precedence(base) < ATOM:
            return f"inv({self.doprint(base)})^T"
        return f"{self.doprint(base)}^-T"

    def _print_ElemPower(self, node):
        return f"{self.at_least(node.base, ATOM)} .^ {format_exponent(node.exponent)}"

    def _print_GeneralPower(self, node):
        # A name or a number stands bare after ^ (s^p); anything else in parentheses.
        exponent = node.exponent
        text = self.doprint(exponent)
        if not isinstance(exponent, (N.Symbol, N.Number)) or text.startswith("-"):
            text = self.paren(text)
        caret = "^" if node.base.type.is_scalar else " .^ "
        return f"{self.at_least(node.base, ATOM)}{caret}{text}"

    def _print_Max(self, node):
        return f"max({self.doprint(node.left)}, {self.doprint(node.right)})"

    def _print_Min(self, node):
        return f"min({self.doprint(node.left)}, {self.doprint(node.right)})"

    def _print_Transpose(self, node):
        arg = node.args[0]
        if isinstance(arg, N.Power) and arg.exponent == -1.0 and arg.type.is_matrix:
            return self._inverse_transpose(arg.base)
        return f"{self.at_least(arg, ATOM)}^T"

    def _print_Apply(self, node):
        return PRIMITIVES[node.name].text.format(self.doprint(node.args[1]))

    def _print_Elementwise(self, node):
        return f"{node.name}{chr(39) * node.order}({self.doprint(node.args[1])})"

    def _print_FnCall(self, node):
        return f"{node.head}({', '.join(self.doprint(a) for a in node.arguments)})"

    def _print_Call(self, node):
        prefix = {0: "", 1: "∇", 2: "∇²"}.get(node.order, f"∇^{node.order}")
        return f"{prefix}{node.name}({self.doprint(node.args[1])})"


def _chains(t, factors) -> bool:
    """Whether ``t`` times each of ``factors`` in turn is well-typed."""
    try:
        N.product_type(factors, t)
    except ShapeError:
        return False
    return True


def to_text(expr: N.Expr) -> str:
    names = shared_subexpressions(expr)
    printer = TextPrinter(sized_constants(expr), names)
    body = printer.doprint(expr)
    if not names:
        return body
    # The language's where clause (grammar/symmat.lark): each name after the ones it uses.
    return body + " where " + "; ".join(f"{name} = {printer.structure(node)}" for node, name in names.items())
