"""``derivation_steps``: the derivative of a scalar function as a list of steps.

Method (Magnus & Neudecker): write ``df = d(f)``, expand the differential one rule at a
time until only ``dX`` remains (expand.py), bring the result into the form
``df = gᵀ dx`` or ``df = tr(P dX)`` one identity at a time (identify.py), and read off
the derivative (identification): with ``df = tr(Gᵀ dX)``, ``∂f/∂X = G`` in denominator
layout and ``Gᵀ`` in numerator layout (contract §3). Every step is an equality between
real expressions; ``symmat.steps.check`` evaluates both sides of each.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from .. import nodes as N
from ..algebra import is_symmetric
from ..api import diff
from ..declarations import Where, parse_declarations
from ..errors import DiffError
from ..parse import parse
from ..recursion import deep
from ..shapes import Type
from .algebra import Differential, UnsupportedStep, mentions, substitute, transpose
from .expand import D, Expander
from .identify import Identifier, collect, initial_terms, kind_of, show
from .jacobian import JacobianIdentifier, Linear, show_all
from .jacobian import collect as collect_linear
from .tidy import tidy

LAYOUTS = ("numerator", "denominator")
MAX_STEPS = 400
LHS = ("differential", "differential-T", "derivative")
# Rules a textbook applies in passing, on the line of the rule that needed them.
BOOKKEEPING = frozenset({"linearity", "constant factors", "transpose", "sign", "distributivity", "associativity",
                         "scalar factor", "scalar factors commute", "scalar transpose"})


@dataclass(frozen=True)
class Step:
    """One line of a derivation: ``lhs = expr`` by ``rule``.

    ``lhs`` is ``"differential"`` (the line reads ``df = expr``, ``expr`` linear in
    ``dX``), ``"differential-T"`` (``(df)ᵀ = expr``, for a row-vector ``f``) or
    ``"derivative"`` (``∂f/∂X = expr``). ``law`` is the identity applied, as LaTeX math
    ('' when the rule's name says it all; the first line has no rule). ``stage`` 2
    marks the lines of a second derivative: there ``f`` stands for the first
    derivative ``∂f/∂X`` (``Derivation.functions[1]``)."""

    rule: str
    law: str
    expr: N.Expr
    lhs: str = "differential"
    stage: int = 1


@dataclass(frozen=True)
class Derivation:
    f: N.Expr
    var: N.Symbol
    layout: str
    steps: list
    order: int = 1
    functions: tuple = ()  # the function each stage differentiates: (f,) or (f, ∂f/∂X)


@deep
def derive(
    f: str | N.Expr, wrt: str | N.Symbol, *, layout: str = "numerator", where: Where = None,
    order: int = 1, symmetric: str = "unconstrained",
) -> Derivation:
    """The derivation of ``∂f/∂wrt`` (``order`` 2: of the first derivative again).

    The last line is ``symmat.diff``'s answer, printed alike: the derivation's own
    result, simplified as ``diff`` simplifies, when that prints the same, else one
    more line ``simplify`` (numerically equal: the tests check every line).
    ``symmetric="symmetric"`` (a variable declared symmetric) gives the gradient in the
    space of symmetric matrices, as ``diff`` does: ``dS`` is symmetric, so
    ``tr(P dS) = tr(½(P + Pᵀ) dS)``, and that symmetric part is identified."""
    if layout not in LAYOUTS:
        raise DiffError(f"layout must be 'numerator' or 'denominator', not {layout!r}")
    if order not in (1, 2):
        raise UnsupportedStep(f"steps cover first and second derivatives, not order {order!r}")
    f = parse(f, where) if isinstance(f, str) else f
    if not isinstance(f, N.Expr):
        raise DiffError(f"f must be an expression or its text, not {type(f).__name__}")
    var = _variable(f, wrt, where)
    if var.type.rank > 2:
        raise UnsupportedStep("steps cover scalar, vector and matrix variables")
    if var.type.is_vector and var.type.row:
        raise UnsupportedStep("steps cover column-vector variables")
    # diff first: it checks the convention (and that var is declared symmetric).
    answer = diff(f, var.name, layout=layout, where=where, order=order, symmetric=symmetric)
    steps = _stage(f, var, layout, 1, symmetric)
    functions: tuple[N.Expr, ...] = (f,)
    if order == 2:
        gradient = diff(f, var.name, layout=layout, where=where, symmetric=symmetric)
        functions += (gradient,)
        steps += _stage(gradient, var, layout, 2, symmetric)
    last = steps[-1]
    if str(answer) != str(last.expr) or last.lhs != "derivative":
        steps.append(Step("simplify", "", answer, "derivative", order))
    else:  # the same answer, as diff gives it (its sizes bound for evaluation)
        steps[-1] = replace(last, expr=answer)
    return Derivation(f, var, layout, steps, order, functions)


def _stage(h: N.Expr, var: N.Symbol, layout: str, stage: int, symmetric: str = "unconstrained") -> list[Step]:
    """The lines of ``∂h/∂var``: simplified where that reads shorter, or, where a
    simplified line has a form the identification rules do not cover, as expanded."""
    try:
        return _lines(h, var, layout, stage, symmetric, tidy_lines=True)
    except UnsupportedStep:
        pass
    try:
        return _lines(h, var, layout, stage, symmetric, tidy_lines=False)
    except UnsupportedStep:
        # No identity of identify.py / jacobian.py reaches the form: read the
        # derivative off entry by entry after the expansion.
        return _lines(h, var, layout, stage, symmetric, tidy_lines=False, by_index=True)


class _Lines:
    """Collects steps, merging a step that prints like the one before it."""

    def __init__(self, stage: int):
        self.stage = stage
        self.steps: list[Step] = []
        self.symmetric_used: list[N.Symbol] = []  # Sᵀ = S used since the last line

    def tidied(self, before: N.Expr, after: N.Expr) -> N.Expr:
        """``after`` (``before`` simplified); a transpose of a matrix declared symmetric
        that the simplification dropped is said on the next line (Sᵀ = S)."""
        dropped = _symmetric_transposed(before) - _symmetric_transposed(after)
        if dropped:
            present = {n for n in N.walk(after) if isinstance(n, N.Symbol)}
            self.symmetric_used += [S for S in sorted(dropped, key=lambda S: S.name)
                                    if S in present and S not in self.symmetric_used]
        return after

    def emit(self, rules, laws, expr: N.Expr, lhs: str = "differential") -> None:
        from ..printing.latex_names import latex_name
        from .render import expr_latex

        if len(self.steps) > MAX_STEPS:
            raise UnsupportedStep("the derivation does not terminate")  # a bug, not bad input
        if self.symmetric_used:
            rules = ([rules] if isinstance(rules, str) else list(rules)) + ["symmetric"]
            laws = ([laws] if isinstance(laws, str) else list(laws)) + [
                rf"{latex_name(S.name)}^\top = {latex_name(S.name)}" for S in self.symmetric_used]
            self.symmetric_used = []
        rule, law = _joined(rules), _joined(laws, r",\ ")
        step = Step(rule, law, expr, lhs, self.stage)
        last = self.steps[-1] if self.steps else None
        # An identity that changes the tree but not what a reader sees is not a step.
        if last is not None and last.lhs == lhs and expr_latex(last.expr) == expr_latex(expr):
            self.steps[-1] = Step(last.rule, last.law, expr, lhs, self.stage)
            return
        self.steps.append(step)


def _symmetric_transposed(e: N.Expr) -> set[N.Symbol]:
    """The matrices declared symmetric that occur transposed in ``e``."""
    return {n.args[0] for n in N.walk(e)
            if isinstance(n, N.Transpose) and isinstance(n.args[0], N.Symbol) and n.args[0].symmetric}


def _joined(parts, sep: str = "; ") -> str:
    if isinstance(parts, str):
        return parts
    seen: list[str] = []
    for p in parts:
        if p and p not in seen:
            seen.append(p)
    return sep.join(seen)


def _lines(h: N.Expr, var: N.Symbol, layout: str, stage: int, symmetric: str, tidy_lines: bool,
           by_index: bool = False) -> list[Step]:
    from .render import expr_text

    out = _Lines(stage)

    def neat(e: N.Expr) -> N.Expr:
        return out.tidied(e, tidy(e, expr_text)) if tidy_lines else e

    expr: N.Expr = Differential(h)
    out.emit("", "", expr)
    if not mentions(h, var.name):
        out.emit("a constant has differential 0", "", N.Number(0.0), "derivative")
        return out.steps
    # Expansion: per line, every pending differential one rule further, and then the
    # bookkeeping rules (linearity, constant factors, transpose) as far as they go.
    expander = Expander(var)
    try:
        expr = _expand(out, expr, var, expander, neat)
    except UnsupportedStep:
        if not by_index:
            raise
        # No rule expands some construct: the derivative is read off from d(f) itself.
        _identify_index(out, h, var, layout, symmetric)
        return out.steps
    if by_index:
        _identify_index(out, h, var, layout, symmetric)
    elif h.type.is_scalar:
        _identify_scalar(out, expr, var, layout, neat, symmetric)
    elif var.type.rank == 0 or (var.type.is_vector and h.type.is_vector):
        _identify_jacobian(out, expr, h, var, layout, neat)
    else:
        _identify_index(out, h, var, layout, symmetric)
    return out.steps


def _expand(out: _Lines, expr: N.Expr, var: N.Symbol, expander: Expander, neat) -> N.Expr:
    """The expansion's lines; the expanded differential (only ``dX`` left in it)."""
    while all_pending(expr, var):
        rules, laws = [], []
        substantive = False
        while pending := all_pending(expr, var):
            rewrites = [(d, expander.rewrite(d.args[0])) for d in pending]
            if substantive:
                rewrites = [(d, rw) for d, rw in rewrites if rw.rule in BOOKKEEPING]
                if not rewrites:
                    break
            for d, rw in rewrites:
                expr = substitute(expr, d, rw.expr)
                rules.append(rw.rule)
                laws.append(rw.law)
            substantive = substantive or any(rw.rule not in BOOKKEEPING for _, rw in rewrites)
        expr = neat(expr)
        out.emit(rules, laws, expr)
    return expr


def all_pending(e: N.Expr, var: N.Symbol) -> list:
    """Every outermost ``d(u)`` with ``u`` not the variable, left to right."""
    found, seen, stack = [], set(), [e]
    while stack:
        node = stack.pop()
        if isinstance(node, Differential):
            if node.args[0] != var and node not in seen:
                seen.add(node)
                found.append(node)
            continue
        stack.extend(reversed(node.children))
    return found


def _peel_line(terms: list, done, peel, neat) -> tuple[list, list, list]:
    """One line of identification: one identity on every unfinished term, then the
    bookkeeping identities on the terms they produced, as far as they go."""
    rules, laws = [], []
    substantive = False
    while True:
        new, changed = [], False
        for t in terms:
            if done(t):
                new.append(t)
                continue
            rule, law, peeled = peel(t)
            if substantive and rule not in BOOKKEEPING:
                new.append(t)
                continue
            changed = True
            rules.append(rule)
            laws.append(law)
            substantive = substantive or rule not in BOOKKEEPING
            new += [replace(p, P=None if p.P is None else neat(p.P)) for p in peeled]
        terms = new
        if not changed or all(done(t) for t in terms):
            return rules, laws, terms


def _identify_scalar(out: _Lines, expr: N.Expr, var: N.Symbol, layout: str, neat,
                     symmetric: str = "unconstrained") -> None:
    identifier = Identifier(var)
    terms = initial_terms(expr)
    while not all(identifier.done(t) for t in terms):
        rules, laws, terms = _peel_line(terms, identifier.done, identifier.peel, neat)
        out.emit(rules, laws, show(terms))
    merge, total = collect(terms, var)
    if merge is not None:
        total = neat(total)
        shown = N.Apply("tr", N.MatMul(total, Differential(var))) if kind_of(var) == "matrix" \
            else N.MatMul(total, Differential(var))
        out.emit(merge.rule, merge.law, shown)
    if symmetric == "symmetric" and kind_of(var) == "matrix" and not is_symmetric(total):
        # dS is symmetric: tr(Pᵀ dS) = tr(dSᵀ P) = tr(P dS), so P may be replaced by its
        # symmetric part, the gradient in the space of symmetric matrices.
        x = _latex_var(var)
        law = (rf"{D}{x} = {D}{x}^\top \Rightarrow \operatorname{{tr}}(P\,{D}{x})"
               rf" = \operatorname{{tr}}\left(\tfrac{{1}}{{2}}(P + P^\top)\,{D}{x}\right)")
        total = neat(N.MatMul(N.Number(0.5), N.Add(total, transpose(total))))
        out.emit("symmetric variable", law, N.Apply("tr", N.MatMul(total, Differential(var))))
    for step in identification(total, var, layout, neat, symmetric=symmetric == "symmetric"):
        out.emit(step.rule, step.law, step.expr, step.lhs)


def _identify_jacobian(out: _Lines, expr: N.Expr, h: N.Expr, var: N.Symbol, layout: str, neat) -> None:
    """``df = J dx`` (``df = M ds`` for a scalar variable), then ``J`` or ``Jᵀ``."""
    x = _latex_var(var)
    if h.type.is_vector and h.type.row:
        expr = transpose(expr)
        out.emit("transpose", r"(AB)^\top = B^\top A^\top", expr, "differential-T")
    identifier = JacobianIdentifier(var)
    terms = [Linear("scalar" if expr.type.is_scalar else "vector", None, expr)]
    lhs = out.steps[-1].lhs
    while not all(identifier.done(t) for t in terms):
        rules, laws, terms = _peel_line(terms, identifier.done, identifier.peel, neat)
        out.emit(rules, laws, show_all(terms), lhs)
    J = neat(collect_linear(terms, var))
    dX = Differential(var)
    if len(terms) > 1:
        law = rf"A\,{D}{x} + B\,{D}{x} = (A + B)\,{D}{x}"
        out.emit("collect terms", law, N.MatMul(J, dX) if var.type.is_vector else N.MatMul(dX, J), lhs)
    partial = rf"\frac{{\partial f}}{{\partial {x}}}"
    form = rf"{D}f = J\,{D}{x}"
    if layout == "numerator":
        out.emit("identification, numerator layout", rf"{form} \Rightarrow {partial} = J", J, "derivative")
    else:
        out.emit("identification, denominator layout", rf"{form} \Rightarrow {partial} = J^\top",
                 neat(transpose(J)), "derivative")


def _identify_index(out: _Lines, h: N.Expr, var: N.Symbol, layout: str, symmetric: str = "unconstrained") -> None:
    """A derivative read off entry by entry: ``df_i = Σ_kj ∂f_i/∂X_kj dX_kj``, in index notation."""
    x = _latex_var(var)
    f_idx = {0: "", 1: "_{i}", 2: "_{il}"}.get(h.type.rank, "")
    x_idx = {0: "", 1: "_{k}", 2: "_{kj}"}[var.type.rank]
    over = {0: "", 1: "_{k}", 2: "_{k,j}"}[var.type.rank]
    law = rf"{D}f{f_idx} = \sum{over} \frac{{\partial f{f_idx}}}{{\partial {x}{x_idx}}}\,{D}{x}{x_idx}"
    result = diff(h, var.name, layout=layout, form="index", symmetric=symmetric)
    out.emit("identification in index notation", law, result, "derivative")


def identification(P: N.Expr, var: N.Symbol, layout: str, neat=lambda e: e, symmetric: bool = False
                   ) -> list[Step]:
    """From ``df = P dx`` or ``df = tr(P dX)``: ``∂f/∂X = P`` (numerator layout), or
    ``df = tr(Gᵀ dX)`` with ``G = Pᵀ`` and ``∂f/∂X = G`` (denominator layout); ``neat``
    simplifies ``G``. ``symmetric``: P is symmetric (the symmetric convention), G = P."""
    kind, dX = kind_of(var), Differential(var)
    x = _latex_var(var)
    partial = rf"\frac{{\partial f}}{{\partial {x}}}"
    if kind == "scalar":
        law = rf"{D}f = g\,{D}{x} \Rightarrow {partial} = g"
        return [Step("identification", law, P, "derivative")]
    G = neat(transpose(P))
    shown: N.Expr
    if kind == "vector":
        form, grad = rf"g^\top {D}{x}", "g"
        shown = N.MatMul(N.Transpose(G), dX)
    else:
        form, grad = rf"\operatorname{{tr}}(G^\top {D}{x})", "G"
        shown = N.Apply("tr", N.MatMul(N.Transpose(G), dX))
    if layout == "numerator":
        law = rf"{D}f = {form} \Rightarrow {partial} = {grad}^\top"
        return [Step("identification, numerator layout", law, P, "derivative")]
    law = rf"{D}f = {form} \Rightarrow {partial} = {grad}"
    if symmetric:
        law = rf"{D}f = \operatorname{{tr}}(G\,{D}{x}),\ G = G^\top \Rightarrow {partial} = G"
        return [Step("identification, denominator layout", law, P, "derivative")]
    return [
        Step("transpose", r"P = (P^\top)^\top", shown),
        Step("identification, denominator layout", law, G, "derivative"),
    ]


def _latex_var(var: N.Symbol) -> str:
    from ..printing.latex_names import latex_name

    return latex_name(var.name)


def _variable(f: N.Expr, wrt, where: Where = None) -> N.Symbol:
    """The variable: from ``f``, or declared in ``where`` and absent from ``f`` (its
    derivative is zero, as ``symmat.diff`` gives it)."""
    name = wrt.name if isinstance(wrt, N.Symbol) else wrt.strip() if isinstance(wrt, str) else None
    if name is None:
        raise DiffError(f"wrt must be the name of a variable, not {type(wrt).__name__}")
    symbols = f.free_symbols()
    if name in symbols:
        return symbols[name]
    declared = parse_declarations(where).variables.get(name)
    if declared is None:
        raise DiffError(f"{name!r} is not a variable of the expression")
    return N.Symbol(name, Type(declared.shape), declared.symmetric)
