"""Writing a derivation as LaTeX display math (an ``align*`` block, one step a line,
the rule on the right), or as a standalone document."""
from __future__ import annotations

from .. import nodes as N
from ..printing.latex import LatexPrinter
from ..printing.latex_names import latex_name
from ..printing.text import TextPrinter
from .algebra import Differential
from .expand import D


class StepsLatexPrinter(LatexPrinter):
    def _print_Differential(self, node: Differential) -> str:
        arg = node.args[0]
        if isinstance(arg, N.Symbol):
            return D + latex_name(arg.name)
        return D + self.paren(self.doprint(arg))


class StepsTextPrinter(TextPrinter):
    def _print_Differential(self, node: Differential) -> str:
        arg = node.args[0]
        return "d" + (arg.name if isinstance(arg, N.Symbol) else f"({self.doprint(arg)})")


def expr_latex(e: N.Expr) -> str:
    return StepsLatexPrinter().doprint(e)


def expr_text(e: N.Expr) -> str:
    return StepsTextPrinter().doprint(e)


def rule_latex(rule: str, law: str) -> str:
    if not rule:
        return ""
    if not law:
        return rf"\text{{({rule})}}"
    return rf"\text{{({rule}: }}{law}\text{{)}}"


def lhs_latex(lhs: str, var: N.Symbol) -> str:
    if lhs == "differential":
        return D + "f"
    x = latex_name(var.name)
    return rf"\frac{{\partial f}}{{\partial {x}}}"


def step_lines(derivation) -> list[str]:
    """Each step as ``lhs &= expr && \\text{(rule)}``; a repeated lhs is left out."""
    lines, previous = [], None
    for step in derivation.steps:
        lhs = lhs_latex(step.lhs, derivation.var) if step.lhs != previous else ""
        previous = step.lhs
        rule = rule_latex(step.rule, step.law)
        line = f"{lhs} &= {expr_latex(step.expr)}"
        lines.append(line + (f" && {rule}" if rule else ""))
    return lines


def align(derivation) -> str:
    return "\\begin{align*}\n" + " \\\\\n".join(step_lines(derivation)) + "\n\\end{align*}"


def document(derivation) -> str:
    """A standalone LaTeX document (article, amsmath and amssymb only)."""
    x = latex_name(derivation.var.name)
    f = LatexPrinter().doprint(derivation.f)
    intro = (
        f"Let $f = {f}$. We compute $\\partial f / \\partial {x}$ in {derivation.layout} layout "
        f"by differentials: expand $\\mathrm{{d}}f$, bring it into identification form, "
        f"and read off the derivative."
    )
    return "\n".join([
        r"\documentclass{article}",
        r"\usepackage{amsmath,amssymb}",
        r"\allowdisplaybreaks",
        r"\begin{document}",
        "",
        intro,
        "",
        align(derivation),
        "",
        r"\end{document}",
        "",
    ])
