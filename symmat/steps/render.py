"""Writing a derivation as LaTeX display math (an ``align*`` block), or as a standalone
document that compiles with pdflatex without overfull boxes.

Page layout, so that nothing runs off the page:

- each step's rule and law sit on a row of their own, small, before the line they
  justify (a long list of laws wraps over several such rows);
- an expression wider than the line breaks inside ``align*`` at a sum's ``+``/``−``
  (outside parentheses where it can, else inside them, turning ``\\left( … \\right)``
  into ``\\bigl( … \\bigr)``, which may span rows), continued on an indented row;
- a differential after another factor gets a thin space: ``W\\,\\mathrm{d}x``.

Widths are estimates from the LaTeX source (:func:`visible_width`, in units of an
average math glyph); the document's text width holds about LINE_UNITS of them.
"""
from __future__ import annotations

import re

from .. import nodes as N
from ..printing.latex import LatexPrinter
from ..printing.latex_names import latex_name
from ..printing.shared import shared_subexpressions
from ..printing.sizes import sized_constants
from ..printing.text import TextPrinter
from ..recursion import deep
from .algebra import Differential
from .expand import D

# Units of visible width (an average glyph of 10 pt math) one row may take, after the
# left side and "=": a 16 cm text width (2.5 cm margins on A4) holds about 80.
LINE_UNITS = 62.0
NOTE_UNITS = 56.0  # a note is footnotesize text: more of it fits


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


# A differential that follows a factor (not an operator or an opening): thin space.
_BARE_D = re.compile(r"(?<![\s+\-=(,{&|])(\s+)\\mathrm\{d\}")


@deep
def expr_latex(e: N.Expr) -> str:
    """LaTeX as ``Expr.latex`` writes it (sizes on constants where needed), with ``d(·)``."""
    return _BARE_D.sub(r"\\,\\mathrm{d}", StepsLatexPrinter(sized_constants(e)).doprint(e))


@deep
def expr_text(e: N.Expr) -> str:
    return StepsTextPrinter(sized_constants(e)).doprint(e)


# ------------------------------------------------------------------ widths
_DROP = re.compile(r"\\(left|right|bigl|bigr|,|;|!|quad|qquad|mathrm|text|operatorname)(?![a-zA-Z])")
_COMMAND = re.compile(r"\\[a-zA-Z]+")
# Commands that print their own name in roman letters.
_NAMED = frozenset({"tanh", "log", "exp", "sin", "cos", "det", "max", "min", "ln", "sinh", "cosh", "arctan"})


def visible_width(latex: str) -> float:
    """About how many average glyphs ``latex`` shows: commands for symbols count one
    and a half (``\\odot`` with its spacing), sub- and superscripts count two thirds."""
    text = _DROP.sub("", latex)
    width, i = 0.0, 0
    braces: list[bool] = []  # for each open brace: whether it opened a script
    pending_script = False
    while i < len(text):
        c = text[i]
        factor = 0.65 if any(braces) or pending_script else 1.0
        if c == "\\":
            m = _COMMAND.match(text, i)
            if m:
                name = m.group()[1:]
                if name in _NAMED:
                    width += 0.9 * len(name) * factor
                else:
                    width += (0.5 if name in ("top", "prime") else 1.5 if len(name) > 1 else 1.0) * factor
                i = m.end()
                pending_script = False
                continue
            width += factor
            i += 2
            continue
        if c in "^_":
            pending_script = True
            i += 1
            continue
        if c == "{":
            braces.append(pending_script)
            pending_script = False
        elif c == "}":
            if braces:
                braces.pop()
        elif c in "+-=<>":
            width += 2.0 * factor
            pending_script = False
        elif not c.isspace():
            width += factor
            pending_script = False
        i += 1
    return width


# ------------------------------------------------------------------ breaking
_BINARY = (r"\odot ", r"\oslash ", r"\otimes ")


def _split_points(latex: str) -> list[tuple[int, float]]:
    """``(position, parenthesis depth)`` of every binary ``+``, ``-``, ``⊙``, ``⊘``, ``⊗``
    at brace depth 0 (a split between two factors counts half a level deeper)."""
    points: list[tuple[int, float]] = []
    braces, parens = 0, 0
    i = 0
    while i < len(latex):
        if latex.startswith(r"\bigl", i) or latex.startswith(r"\left", i):
            parens += 1
        elif latex.startswith(r"\bigr", i) or latex.startswith(r"\right", i):
            parens -= 1
        c = latex[i]
        if c == "{":
            braces += 1
        elif c == "}":
            braces -= 1
        elif c in "+-" and braces == 0 and latex[i - 1:i] == " " and latex[i + 1:i + 2] == " ":
            points.append((i, parens))
        elif braces == 0 and latex[i - 1:i] == " " and any(latex.startswith(op, i) for op in _BINARY):
            points.append((i, parens))
        elif c == " " and braces == 0 and i and (latex[i - 1] in ")}" or latex[:i].endswith(r"\top")) \
                and (latex[i + 1:i + 2].isalpha() or latex.startswith("\\", i + 1)) \
                and not any(latex.startswith(op, i + 1) for op in _BINARY + (r"\cdot",)):
            # Between two factors of a product: a last resort, after the operators.
            points.append((i + 1, parens + 0.5))
        i += 1
    return points


def _fill(latex: str, points: list[tuple[int, float]], width: float) -> list[str]:
    """Rows filled up to ``width``, cut at ``points``: among the cuts that keep a row
    within ``width`` and fill at least half of it, the shallowest, then the last."""
    rows, start = [], 0
    while visible_width(latex[start:]) > width:
        later = [(p, d) for p, d in points if p > start]
        if not later:
            break
        fitting = [(p, d) for p, d in later if visible_width(latex[start:p]) <= width]
        if not fitting:
            p = later[0][0]  # nothing fits: the shortest row there is
        else:
            full = [(p, d) for p, d in fitting if visible_width(latex[start:p]) >= width / 2] or fitting
            shallowest = min(d for _, d in full)
            p = max(p for p, d in full if d == shallowest)
        rows.append(latex[start:p].rstrip())
        start = p
    rows.append(latex[start:])
    return rows


def break_expression(latex: str, width: float = LINE_UNITS) -> list[str]:
    """``latex`` cut into rows of at most about ``width`` units at sums' operators, each
    later row starting with its ``+`` or ``-``: outside parentheses where that is enough,
    else inside them too (``\\left( … \\right)`` cannot span rows, ``\\bigl( … \\bigr)`` can)."""
    if visible_width(latex) <= width:
        return [latex]
    outer = [(p, d) for p, d in _split_points(latex) if d == 0]
    rows = _fill(latex, outer, width)
    if all(visible_width(row) <= width for row in rows):
        return rows
    bigger = latex.replace(r"\left(", r"\bigl(").replace(r"\right)", r"\bigr)")
    bigger = bigger.replace(r"\left\|", r"\bigl\|").replace(r"\right\|", r"\bigr\|")
    bigger = bigger.replace(r"\left[", r"\bigl[").replace(r"\right]", r"\bigr]")
    if r"\left" in bigger:  # an unmatched kind of delimiter: keep the outer cuts
        return rows
    return _fill(bigger, _split_points(bigger), width)


# ------------------------------------------------------------------ notes
def note_rows(rule: str, law: str) -> list[str]:
    """The justification of a step as ``\\text`` rows: ``(rule: law)``, several laws
    (separated by ``,\\ ``) wrapped over rows of at most NOTE_UNITS."""
    if not rule:
        return []
    laws: list[str] = []
    for part in law.split(r",\ ") if law else []:
        if part not in laws:
            laws.append(part)
    head = f"({rule}" + (": " if laws else ")")
    rows, current = [], head
    for k, part in enumerate(laws):
        piece = f"${part}$" + (")" if k == len(laws) - 1 else ", ")
        if current != head and visible_width(current + piece) * 0.8 > NOTE_UNITS:
            rows.append(current)
            current = ""
        current += piece
    rows.append(current)
    return [rf"\text{{\footnotesize {row.strip()}}}" for row in rows]


def rule_latex(rule: str, law: str) -> str:
    """The justification on one line (for a caption or a margin)."""
    if not rule:
        return ""
    if not law:
        return rf"\text{{({rule})}}"
    return rf"\text{{({rule}: }}{law}\text{{)}}"


# ------------------------------------------------------------------ lines
def lhs_latex(lhs: str, var: N.Symbol, stage: int = 1) -> str:
    x = latex_name(var.name)
    first = rf"\frac{{\partial f}}{{\partial {x}}}"
    if lhs == "derivative":
        return first if stage == 1 else rf"\frac{{\partial^{{2}} f}}{{\partial {x}^{{2}}}}"
    d = D + "f" if stage == 1 else rf"{D}\left({first}\right)"
    return d if lhs == "differential" else rf"\left({d}\right)^\top"


def _labelled_rows(expr: N.Expr) -> list[tuple[str, str]] | None:
    """An index-form result prints its own left sides: ``(lhs, rhs)`` for each of its rows."""
    if not hasattr(expr, "tensor"):
        return None
    text = expr.latex().replace(r"\begin{aligned}", "").replace(r"\end{aligned}", "").strip()
    rows = []
    for part in text.split(r" \\ "):
        lhs, _, rhs = part.strip().partition(" = ")
        rows.append((lhs, rhs))
    return rows


def _shared_rows(expr: N.Expr) -> tuple[str, list[str]]:
    """A result as ``Expr.latex`` writes it: the body with its repeated subexpressions
    named, and a row ``where h_1 = …`` for each (none for a small result)."""
    names = {node: latex_name(name) for node, name in shared_subexpressions(expr).items()}
    printer = StepsLatexPrinter(sized_constants(expr), names)
    body = _BARE_D.sub(r"\\,\\mathrm{d}", printer.doprint(expr))
    where = []
    for k, (node, name) in enumerate(names.items()):
        pieces = break_expression(f"{name} = {printer.structure(node)}")
        where.append((r"&\qquad \text{where}\quad " if k == 0 else r"&\qquad \phantom{\text{where}}\quad ")
                     + pieces[0])
        where += [rf"&\qquad\qquad {piece}" for piece in pieces[1:]]
    return body, where


def step_rows(derivation, step, previous_lhs) -> list[str]:
    """The rows of one step: its note rows, then ``lhs &= expr`` (broken if too wide);
    a result (no differential left) names its repeated subexpressions as diff prints it."""
    rows = [rf"&\qquad {note}" for note in note_rows(step.rule, step.law)]
    labelled = _labelled_rows(step.expr)
    if labelled is not None:
        return rows + [f"{lhs} &= {rhs}" for lhs, rhs in labelled]
    key = (step.lhs, step.stage)
    lhs = lhs_latex(step.lhs, derivation.var, step.stage) if key != previous_lhs else ""
    where: list[str] = []
    if step.lhs == "derivative" and not any(isinstance(n, Differential) for n in N.walk(step.expr)):
        body, where = _shared_rows(step.expr)
    else:
        body = expr_latex(step.expr)
    pieces = break_expression(body)
    rows.append(f"{lhs} &= {pieces[0]}")
    rows += [rf"&\quad {piece}" for piece in pieces[1:]]
    return rows + where


def step_lines(derivation) -> list[str]:
    """Each step as its rows joined by ``\\\\`` (a repeated left side is left out)."""
    lines, previous = [], None
    for step in derivation.steps:
        lines.append(" \\\\\n".join(step_rows(derivation, step, previous)))
        previous = (step.lhs, step.stage)
    return lines


@deep
def align(derivation) -> str:
    return "\\begin{align*}\n" + " \\\\\n".join(step_lines(derivation)) + "\n\\end{align*}"


@deep
def document(derivation) -> str:
    """A standalone LaTeX document (article with amsmath, amssymb and geometry)."""
    x = latex_name(derivation.var.name)
    what = rf"$\partial f / \partial {x}$" if derivation.order == 1 else \
        rf"$\partial f / \partial {x}$ and its derivative $\partial^2 f / \partial {x}^2$"
    pieces = break_expression(expr_latex(derivation.f))
    function = "\\begin{align*}\n" + " \\\\\n".join(
        [f"f &= {pieces[0]}"] + [rf"&\quad {piece}" for piece in pieces[1:]]) + "\n\\end{align*}"
    return "\n".join([
        r"\documentclass{article}",
        r"\usepackage{amsmath,amssymb}",
        r"\usepackage[a4paper,margin=2.5cm]{geometry}",
        r"\allowdisplaybreaks",
        r"\begin{document}",
        "",
        "Let",
        function,
        f"We compute {what} in {derivation.layout} layout by differentials: expand "
        "$\\mathrm{d}f$, bring it into identification form, and read off the derivative.",
        "",
        align(derivation),
        "",
        r"\end{document}",
        "",
    ])
