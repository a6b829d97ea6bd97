"""Rules for products: associativity, coefficients, identities, diagonals, inverses."""
from __future__ import annotations

from ... import nodes as N
from ...algebra import _inverse, is_number, mul, opens_up, split_coefficient, transpose, with_coefficient, zero_like


def flatten_product(e: N.MatMul):
    """A (B C) = A B C (associativity)"""
    if not any(opens_up(f) for f in e.args):
        return None
    return mul(*e.args)


def product_coefficients(e: N.MatMul):
    """a (c B) (-D) = (-a c) B D: numbers and signs gathered in front; 1 A = A"""
    c, rest = 1.0, []
    for f in e.args:
        fc, base = split_coefficient(f)
        c *= fc
        if base is not None:
            rest.append(base)
    if c == 0.0:
        return zero_like(e)
    result = with_coefficient(c, mul(*rest)) if rest else N.Number(c)
    return None if result == e else result


def product_identity(e: N.MatMul):
    """I A = A I = A"""
    keep = [f for f in e.args if not isinstance(f, N.Identity)]
    if len(keep) == len(e.args):
        return None
    if not any(not f.type.is_scalar for f in keep):
        ident = next(f for f in e.args if isinstance(f, N.Identity))
        keep.append(ident)
    return mul(*keep)


def diagonal_times_vector(e: N.MatMul):
    """diag(v) w = v ⊙ w and wᵀ diag(v) = (v ⊙ w)ᵀ for vectors v, w (w may be a product)"""
    if not any(_is_diagonal(f) for f in e.args):
        return None
    return mul(*_diagonals_applied(e.args, 0, len(e.args), _next_columns(e.args)))


def _is_diagonal(f: N.Expr) -> bool:
    return isinstance(f, N.Apply) and f.name == "diag" and f.args[1].type.is_vector


def _next_columns(args) -> list[int]:
    """For each position, the first position at or after it that holds a column vector
    (len(args) if none): one pass, so the rule stays linear in the chain's length."""
    nxt, j = [len(args)] * (len(args) + 1), len(args)
    for i in range(len(args) - 1, -1, -1):
        if args[i].type.is_vector and not args[i].type.row:
            j = i
        nxt[i] = j
    return nxt


def _diagonals_applied(args, lo: int, hi: int, nxt: list[int]) -> list[N.Expr]:
    """The factors ``args[lo:hi]`` with every diag(v) applied to the vector beside it.

    In a well-typed chain only matrices and scalars stand between diag(v) and the first
    column vector after it, so ``diag(v) A … c`` is ``v ⊙ (A … c)``, read off one index
    (the inner product gets the same treatment first). Failing that, a row vector
    followed by matrices and scalars ends just before diag(v): ``wᵀ A … diag(v)`` is
    ``(v ⊙ (wᵀ A …)ᵀ)ᵀ``. Each factor is looked at once, so deep backpropagation chains
    (diag(h₁') W₂ᵀ diag(h₂') W₃ᵀ … r) nest in time linear in their length."""
    out: list[N.Expr] = []
    row_at = None  # where in out a row vector starts a product that is still a row vector
    i = lo
    while i < hi:
        f = args[i]
        if _is_diagonal(f):
            v, j = f.args[1], nxt[i + 1]
            if j < hi:
                out.append(N.Hadamard(v, mul(*_diagonals_applied(args, i + 1, j + 1, nxt))))
                row_at, i = None, j + 1
                continue
            if row_at is not None:
                row = N.Transpose(N.Hadamard(v, transpose(mul(*out[row_at:]))))
                del out[row_at:]
                out.append(row)  # still a row vector, at row_at
                i += 1
                continue
        out.append(f)
        if f.type.is_vector:
            row_at = len(out) - 1 if f.type.row else None
        i += 1
    return out


def ones_inner_product(e: N.MatMul):
    """1ᵀ v = v ᵀ1 = sum(v)"""
    args = list(e.args)
    for k in range(len(args) - 1):
        a, b = args[k], args[k + 1]
        if isinstance(a, N.Transpose) and isinstance(a.args[0], N.Ones) and b.type.is_vector and not b.type.row:
            return mul(*args[:k], N.Apply("sum", b), *args[k + 2:])
        if isinstance(b, N.Ones) and a.type.is_vector and a.type.row:
            return mul(*args[:k], N.Apply("sum", transpose(a)), *args[k + 2:])
    return None


def inverse_cancels(e: N.MatMul):
    """X⁻¹ X = X X⁻¹ = I (and transposed)"""
    args = list(e.args)
    for k in range(len(args) - 1):
        a, b = args[k], args[k + 1]
        if a.type.is_matrix and (_inverse(a) == b or _inverse(b) == a):
            rest = args[:k] + args[k + 2:]
            if not any(not f.type.is_scalar for f in rest):
                rest.append(N.Identity(a.type.shape[0]))
            return mul(*rest)
    return None


def number_over(e: N.MatMul):
    """c (1 ./ u) = c ./ u"""
    if len(e.args) == 2 and is_number(e.args[0]) and isinstance(e.args[1], N.HadamardDiv) \
            and is_number(e.args[1].left, 1.0):
        return N.HadamardDiv(e.args[0], e.args[1].right)
    return None


def repeated_factors(e: N.MatMul):
    """A A = A² for a square matrix A (consecutive equal factors)"""
    args = list(e.args)
    for k in range(len(args) - 1):
        a = args[k]
        if a.type.is_matrix and a == args[k + 1]:
            j = k
            while j < len(args) and args[j] == a:
                j += 1
            return mul(*args[:k], N.Power(a, j - k), *args[j:])
    return None


def scalar_reciprocal(e: N.MatMul):
    """a b⁻¹ = a / b for scalars"""
    args = list(e.args)
    for k, f in enumerate(args):
        if isinstance(f, N.Power) and f.exponent == -1.0 and f.type.is_scalar:
            rest = args[:k] + args[k + 1:]
            return N.Div(mul(*rest), f.base)
    return None


def quotient_factor(e: N.MatMul):
    """(a / s) A = (a A) / s for scalars a, s (numbers gather in front: (c / s) A =
    c (A / s)): the product is divided, as a textbook writes x xᵀ / ‖x‖, and powers of
    one base above and below the bar meet (division_merges_powers)"""
    args = list(e.args)
    for k, f in enumerate(args):
        if not (isinstance(f, N.Div) and f.type.is_scalar and not isinstance(f.right, N.Number)):
            continue
        rest = args[:k] + args[k + 1:]
        c = 1.0
        for g in rest:
            if isinstance(g, N.Number):
                c *= g.value
        others = [g for g in rest if not isinstance(g, N.Number)]
        if not others:
            return None
        if isinstance(f.left, N.Number):
            c *= f.left.value
        else:
            others.insert(0, f.left)
        return with_coefficient(c, N.Div(mul(*others), f.right))
    return None


def scalars_first(e: N.MatMul):
    """s A = A s for a scalar s: scalars are written before matrices and vectors"""
    args = list(e.args)
    scalars = [f for f in args if f.type.is_scalar]
    others = [f for f in args if not f.type.is_scalar]
    ordered = scalars + others
    if ordered == args or not others:
        return None
    return N.MatMul(*ordered)


def coefficient_out_of_division(e: N.Div):
    """(c A) / s = c (A / s) for a number c: coefficients gather in front of the product"""
    c, base = split_coefficient(e.left)
    if c == 1.0 or base is None:
        return None
    return with_coefficient(c, N.Div(base, e.right))
