"""``symmat.diff``: the derivative of an expression, in a layout, of any order.

The public entry point: it reads the arguments (text, a symmat expression or a SymPy
one), lowers ``f`` to index form, calls the engine (symmat.differentiation, which
computes the tensor ``∂f/∂x`` in the layout, ``order`` times; see its layout.py for the
two layouts), and turns the result back into simplified matrix notation where one exists
(symmat.matrix_form, symmat.simplify), index notation otherwise.

The result is plain nodes (an ``IndexExpr`` in index notation): mathematics only. What
it is the derivative of (f, the variable, the layout, the order) and which variables fix
sizes it does not mention (∂x/∂x = I needs x's length) are recorded beside it:
``symmat.provenance.of(result)``.

Conventions:

- A variable that does not occur in ``f`` gives a zero of the right shape, provided
  its shape is known (declared in ``where``); otherwise DiffError.
- A matrix declared ``symmetric`` is differentiated, by default, as if its entries were
  independent (``symmetric="unconstrained"``): the gradient that finite differences on
  the entries measure. ``symmetric="symmetric"`` gives the gradient in the space of
  symmetric matrices, ``(G + Gᵀ)/2``. (The Matrix Cookbook's ``2G - G∘I`` is neither,
  and symmat never returns it.) Where ``f`` only uses ``S`` through symmetric-invariant
  forms, symmetry simplifies the result (``∂(xᵀSx)/∂x = 2Sx``).
- relu'(0) = 0 and abs'(0) = 0 (see symmat.functions).
"""
from __future__ import annotations

from . import nodes as N
from . import provenance
from .declarations import Where, parse_declarations
from .differentiation import differentiate
from .errors import DiffError
from .functions import ELEMENTWISE, MATRIX_FUNCTIONS
from .index import tensor as T
from .index.expr import IndexExpr
from .index.lower import lower
from .matrix_form import NoMatrixForm, matrix_form
from .parse import parse
from .provenance import Derivative, Variables
from .recursion import deep
from .shapes import Type
from .simplify.engine import simplify
from .simplify.stable import stable_forms

LAYOUTS = ("numerator", "denominator")
FORMS = ("matrix", "index")
SYMMETRIC_CONVENTIONS = ("unconstrained", "symmetric")


@deep
def diff(
    f: str | N.Expr,
    wrt: str | N.Expr,
    *,
    layout: str = "numerator",
    where: Where = None,
    order: int = 1,
    symmetric: str = "unconstrained",
    form: str = "matrix",
) -> N.Expr:
    """The ``order``-th derivative of ``f`` with respect to the variable ``wrt``.

    ``form="matrix"`` (default) gives the result in matrix notation wherever one
    exists (any result of rank ≤ 2 that the matrix language can write), otherwise in
    index notation; ``form="index"`` always gives index notation."""
    if layout not in LAYOUTS:
        raise DiffError(f"layout must be 'numerator' or 'denominator', not {layout!r}")
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise DiffError(f"order must be a positive integer, not {order!r}")
    if symmetric not in SYMMETRIC_CONVENTIONS:
        # --symmetric A reads as "A is symmetric": say how to declare that.
        hint = (f"; to declare {symmetric} symmetric, write \"{symmetric}: n x n symmetric\" in --where or where="
                if isinstance(symmetric, str) and symmetric.isidentifier() else "")
        raise DiffError(f"symmetric must be 'unconstrained' or 'symmetric', not {symmetric!r}{hint}")
    if form not in FORMS:
        raise DiffError(f"form must be 'matrix' or 'index', not {form!r}")
    f = _as_expr(f, where)
    var = _variable(f, wrt, where)
    if symmetric == "symmetric" and not var.symmetric:
        raise DiffError(_not_symmetric(var))
    # Differentiating log(1 + exp(u)) as softplus(u) gives σ(u) and σ(u)(1 - σ(u)), which
    # the generated code computes without overflow (and which read as the textbook's).
    tensor, type_, raw = differentiate(lower(stable_forms(f)), var, layout=layout, order=order, symmetric=symmetric)
    # The result is mathematics only; what it was derived from is its provenance,
    # recorded beside it (symmat.provenance): the origin of f and of a SymPy wrt (its
    # names convert back to the user's own objects), what it is the derivative of, and
    # the variables whose values fix sizes it may not mention itself (∂x/∂x = I).
    recorded = provenance.of(f)
    origin = {**recorded.origin, **(_sympy_origin(wrt) or {})}
    variables = _size_variables(f, var, recorded.variables)
    if form == "matrix":
        try:
            result = simplify(matrix_form(tensor, type_))
        except NoMatrixForm:
            pass  # rank 3 and more, or no matrix notation: index notation it is
        else:
            about = Derivative(f, var.name, layout, order, f.type.rank, var.rank)
            bound = variables if N.unfixed_dimensions(result) else ()
            return provenance.record(result, origin=origin, variables=bound, derivative=about)
    # f_rank and x_rank are those of f and the variable; for order k > 1 the headline
    # names the k-th derivative as a whole and raw (one differentiation) is not kept.
    unlaid = IndexExpr(raw, Type(raw.shape)) if order == 1 else None
    about = Derivative(f, var.name, layout, order, f.type.rank, var.rank, unlaid)
    return provenance.record(IndexExpr(tensor, type_), origin=origin, variables=variables, derivative=about)


def _size_variables(f: N.Expr, var: T.Var, inherited: Variables) -> Variables:
    """The (name, Type) of the variables whose values fix the result's sizes: those of
    ``f``, those ``f`` itself was bound to, and the variable when ``f`` does not
    mention it (its zero derivative needs its shape)."""
    found = {s.name: s.type for s in f.free_symbols().values()}
    for name, type_ in inherited:
        found.setdefault(name, type_)
    found.setdefault(var.name, Type(var.shape))
    return tuple(found.items())


def _as_expr(f, where) -> N.Expr:
    if isinstance(f, str):
        return parse(f, where)
    if isinstance(f, N.Expr):
        return f
    if _is_sympy(f):
        from .interop.sympy import from_sympy

        return from_sympy(f)
    raise DiffError(f"f must be an expression or its text, not {type(f).__name__}")


def _sympy_origin(wrt):
    """The SymPy objects a SymPy ``wrt`` is written with (see symmat.provenance)."""
    if not _is_sympy(wrt):
        return None
    from .interop.sympy import origin_of_sympy

    return origin_of_sympy(wrt)


def _is_sympy(obj) -> bool:
    """A SymPy object, without importing SymPy for users who never pass one."""
    return any(cls.__module__ and cls.__module__.startswith("sympy") for cls in type(obj).__mro__)


def _variable(f: N.Expr, wrt, where) -> T.Var:
    if isinstance(wrt, N.Symbol):
        name = wrt.name
    elif isinstance(wrt, str):
        name = wrt.strip()
    elif _is_sympy(wrt) and hasattr(wrt, "name"):
        name = str(wrt.name)
    else:
        raise DiffError(f"wrt must be the name of a variable, not {type(wrt).__name__}")
    symbols = f.free_symbols()
    if name in symbols:
        s = symbols[name]
        return T.Var(name, s.type.shape, s.symmetric)
    decls = parse_declarations(where)
    if name in decls.variables:
        v = decls.variables[name]
        return T.Var(name, v.shape, v.symmetric)
    if _is_sympy(wrt) and not isinstance(wrt, str):  # a MatrixSymbol carries its shape
        from .interop.sympy import from_sympy

        given = from_sympy(wrt)
        if isinstance(given, N.Transpose):
            given = given.args[0]  # a 1 x n symbol: symmat's column vector, transposed
        if isinstance(given, N.Symbol):
            return T.Var(name, given.type.shape, given.symmetric)
    if name in decls.functions or name in decls.elementwise or name in f.abstract_functions() \
            or name in ELEMENTWISE or name in MATRIX_FUNCTIONS:
        raise DiffError(f"{name} is a function; differentiate with respect to a variable")
    raise DiffError(
        f"{name!r} is not a variable of the expression; declare its shape in where= "
        "to get the zero derivative"
    )


def _not_symmetric(var: T.Var) -> str:
    """Why symmetric="symmetric" does not apply to ``var``, and what to declare."""
    told = ("the symmetric convention (symmetric='symmetric', --symmetric symmetric) is for a matrix "
            f"declared symmetric, and {var.name}")
    if len(var.shape) == 2 and var.shape[0] == var.shape[1]:
        d = var.shape[0]
        return f'{told} is not: declare it ("{var.name}: {d} x {d} symmetric" in --where or where=)'
    kind = Type(var.shape).describe()
    return f"{told} is {kind}, not a square matrix" if len(var.shape) == 2 else f"{told} is {kind}"
