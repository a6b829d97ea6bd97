"""Textbook laws of powers, determinants, inverses, norms and signs (issue 10).

Each rule is local, like the others: it looks at one node and its children, and
returns an equal node or None.
"""
from __future__ import annotations

from ... import nodes as N
from ...algebra import _inverse, is_number, mul, scalar_runs, transpose
from ...functions import ELEMENTWISE


# ------------------------------------------------------------------ powers of one matrix
def _power_of(e: N.Expr) -> tuple[N.Expr, float, bool] | None:
    """(X, k, transposed) when e is Xᵏ, (Xᵏ)ᵀ, X, Xᵀ, X⁻¹ or inv(X) for a square X."""
    transposed = isinstance(e, N.Transpose)
    inner = e.args[0] if transposed else e
    if not inner.type.is_matrix or inner.type.shape[0] != inner.type.shape[1]:
        return None
    if isinstance(inner, N.Power):
        return inner.base, inner.exponent, transposed
    if isinstance(inner, N.Apply) and inner.name == "inv":
        return inner.args[1], -1.0, transposed
    return inner, 1.0, transposed


def _as_power(base: N.Expr, k: float, transposed: bool) -> N.Expr | None:
    """Xᵏ (transposed when asked); None for k = 0 (the identity)."""
    if k == 0:
        return None
    power = base if k == 1 else N.Power(base, k)
    return N.Transpose(power) if transposed else power


def powers_of_one_matrix(e: N.MatMul):
    """Xᵃ Xᵇ = Xᵃ⁺ᵇ for neighbouring powers of one square matrix (X⁻¹ and X count too),
    and (Xᵃ)ᵀ (Xᵇ)ᵀ = (Xᵃ⁺ᵇ)ᵀ: powers of one matrix commute; X⁰ = I"""
    args = list(e.args)
    for k in range(len(args) - 1):
        a, b = _power_of(args[k]), _power_of(args[k + 1])
        if a is None or b is None or a[0] != b[0] or a[2] != b[2] or (a[1] == 1 and b[1] == 1):
            continue  # X X stays for repeated_factors: it writes X^2 alike
        merged = _as_power(a[0], a[1] + b[1], a[2])
        rest = args[:k] + ([merged] if merged is not None else []) + args[k + 2:]
        if not any(not f.type.is_scalar for f in rest):
            rest.append(N.Identity(args[k].type.shape[0]))
        return mul(*rest)
    return None


def _square_factors(e: N.Expr) -> list[N.Expr] | None:
    """The factors of a product of square matrices (numbers aside), else None."""
    if not isinstance(e, N.MatMul):
        return None
    factors = [f for f in e.args if not f.type.is_scalar]
    if len(factors) != len(e.args) or len(factors) < 2:
        return None
    if any(not f.type.is_matrix or f.type.shape[0] != f.type.shape[1] for f in factors):
        return None
    return factors


def _inverted(f: N.Expr) -> N.Expr:
    """f⁻¹, written as a power (X⁻¹ of Xᵏ is X⁻ᵏ)."""
    p = _power_of(f)
    if p is not None:
        inverse = _as_power(p[0], -p[1], p[2])
        return inverse if inverse is not None else N.Identity(f.type.shape[0])  # (X⁰)⁻¹ = I
    return N.Power(f, -1.0)


def inverse_of_product_cancels(e: N.MatMul):
    """(A B)⁻¹ = B⁻¹ A⁻¹ for square A, B, used when a factor then cancels with its
    neighbour: Aᵀ (A X B)⁻ᵀ Bᵀ = X⁻ᵀ"""
    args = list(e.args)
    for k, f in enumerate(args):
        transposed = isinstance(f, N.Transpose)
        inner = f.args[0] if transposed else f
        base = _inverse(inner)
        factors = _square_factors(base) if base is not None and not isinstance(inner, N.Transpose) else None
        if factors is None:
            continue
        expanded = [_inverted(g) for g in reversed(factors)]
        if transposed:
            expanded = [transpose(g) for g in reversed(expanded)]
        left, right = args[k - 1] if k > 0 else None, args[k + 1] if k + 1 < len(args) else None
        if (left is not None and _cancel(left, expanded[0])) or (right is not None and _cancel(expanded[-1], right)):
            return mul(*args[:k], *expanded, *args[k + 1:])
    return None


def _cancel(a: N.Expr, b: N.Expr) -> bool:
    return a.type.is_matrix and (_inverse(a) == b or _inverse(b) == a)


# ------------------------------------------------------------------ scalar factors
def _scalar_power(f: N.Expr) -> tuple[N.Expr, float]:
    """(base, exponent) of a scalar factor; xᵀx is ‖x‖²."""
    if isinstance(f, N.Power):
        base, k = f.base, f.exponent
    else:
        base, k = f, 1.0
    if isinstance(base, N.MatMul) and not any(f.type.is_scalar for f in base.args):
        y = _half(list(base.args))
        if y is not None:
            return N.Apply("norm", y), 2 * k
    return base, k


def _scalar_units(e: N.MatMul) -> list[tuple[list[int], N.Expr]]:
    """The scalar factors of ``e`` with their positions: each scalar argument, and each
    run of vectors and matrices at the start of the chain that multiplies out to a
    scalar (xᵀx in ``xᵀ x xᵀ``: scalars commute, so the run is a factor)."""
    units = [([k], f) for k, f in enumerate(e.args) if f.type.is_scalar and not isinstance(f, N.Number)]
    others = [k for k, f in enumerate(e.args) if not f.type.is_scalar]
    runs, _ = scalar_runs([e.args[k] for k in others])
    at = 0
    for run in runs:
        units.append((others[at:at + len(run)], N.MatMul(*run)))
        at += len(run)
    return units


def scalar_powers(e: N.MatMul):
    """s s = s², sᵃ sᵇ = sᵃ⁺ᵇ for scalar factors, with xᵀx = ‖x‖² (so
    ‖x‖⁻⁴ xᵀx = ‖x‖⁻², and ‖x‖⁻² xᵀ x xᵀ = xᵀ: a leading run xᵀ x counts); s⁰ = 1"""
    seen: dict = {}
    for at, f in _scalar_units(e):
        base, p = _scalar_power(f)
        if base in seen:
            first, q = seen[base]
            total = p + q
            merged = N.Number(1.0) if total == 0 else base if total == 1 else N.Power(base, total)
            gone = set(first) | set(at)
            args = [a for i, a in enumerate(e.args) if i not in gone]
            args.insert(min(first), merged)
            return mul(*args) if len(args) > 1 else args[0]
        seen[base] = (at, p)
    return None


def division_merges_powers(e: N.Div):
    """a / sᵖ = s⁻ᵖ a when a holds a power of s that then merges (scalar_powers), with
    xᵀx = ‖x‖²: xᵀx / ‖x‖ = ‖x‖, ‖x‖³ y / ‖x‖² = ‖x‖ y; a / (s t) = (a / s) / t and
    (a / t) / s = (a / s) / t when a / s merges"""
    if isinstance(e.left, N.Div):
        inner = division_merges_powers(N.Div(e.left.left, e.right))
        return None if inner is None else N.Div(inner, e.left.right)
    if isinstance(e.right, N.MatMul) and all(f.type.is_scalar for f in e.right.args):
        factors = list(e.right.args)
        for k, f in enumerate(factors):
            merged = division_merges_powers(N.Div(e.left, f))
            if merged is not None:
                rest = factors[:k] + factors[k + 1:]
                return N.Div(merged, mul(*rest)) if rest else merged
    base, p = _scalar_power(e.right)
    product = mul(N.Power(base, -p), e.left)
    merged = scalar_powers(product) if isinstance(product, N.MatMul) else None
    return merged if merged is not None and not isinstance(merged, N.Div) else None


def power_of_non_negative_product(e: N.Power):
    """(a b)^q = a^q b^q for scalars a, b ≥ 0 (norms, xᵀx, exp, …), each power then read
    as a power of its base: (xᵀAᵀAx xᵀx)^-½ = ‖A x‖⁻¹ ‖x‖⁻¹"""
    if not isinstance(e, N.Power) or not e.type.is_scalar or not isinstance(e.base, N.MatMul):
        return None
    product = e.base
    units = _scalar_units(product)
    numbers = [f for f in product.args if isinstance(f, N.Number)]
    covered = sum(len(at) for at, _ in units) + len(numbers)
    if len(units) + len(numbers) < 2 or covered != len(product.args):
        return None
    if not all(_non_negative(f) for _, f in units) or any(c.value <= 0 for c in numbers):
        return None
    powers: list[N.Expr] = [N.Number(c.value ** e.exponent) for c in numbers]
    for _, f in units:
        base, p = _scalar_power(f)
        k = p * e.exponent
        powers.append(base if k == 1 else N.Power(base, k))
    return mul(*powers)


def powers_of_non_negative(e: N.Expr):
    """(aᵖ)^q = a^(pq) and √(aᵖ) = a^(p/2) for a scalar a ≥ 0 (norms, squares, exp, √ …;
    (aᵖ)^q for an integer q whatever a's sign); (√a)^q = a^(q/2)"""
    if isinstance(e, N.Power) and e.type.is_scalar:
        inner, q = e.base, e.exponent
    elif isinstance(e, N.Elementwise) and e.name == "sqrt" and e.order == 0 and e.type.is_scalar:
        inner, q = e.args[1], 0.5
    else:
        return None
    if isinstance(inner, N.Elementwise) and inner.name == "sqrt" and inner.order == 0:
        a, p = inner.args[1], 0.5
    elif isinstance(inner, N.Power) and not (float(inner.exponent).is_integer() and float(q).is_integer()):
        a, p = inner.base, inner.exponent  # integer powers of integer powers: power_one
        if not (float(q).is_integer() or _non_negative(a)):
            return None
    else:
        return None
    k = p * q
    return N.Number(1.0) if k == 0 else a if k == 1 else N.Power(a, k)


def inner_products_first(e: N.MatMul):
    """x (bᵀ c) = (bᵀ c) x: an inner product inside a chain is a scalar factor, written
    before the matrices and vectors"""
    args = list(e.args)
    seen_matrix_or_vector = False
    for i, f in enumerate(args):
        if seen_matrix_or_vector and f.type.is_vector and f.type.row:
            # A run that multiplies out to a scalar starts with a row vector and stays
            # a row vector until a column closes it.
            for j, t in enumerate(N.product_types(args[i + 1:], f.type), start=i + 1):
                if t.is_scalar:
                    return mul(N.MatMul(*args[i:j + 1]), *args[:i], *args[j + 1:])
                if not (t.is_vector and t.row):
                    break
        seen_matrix_or_vector = seen_matrix_or_vector or not f.type.is_scalar
    return None


# ------------------------------------------------------------------ det, logdet
def _apply(name: str, e: N.Expr) -> N.Expr | None:
    return e.args[1] if isinstance(e, N.Apply) and e.name == name else None


def determinant_laws(e: N.Apply):
    """det(Xᵀ) = det(X), logdet(Xᵀ) = logdet(X);  det(Xᵏ) = det(X)ᵏ,
    logdet(Xᵏ) = k logdet(X) (k an integer, X⁻¹ included); for square A, B:
    logdet(A B) = logdet(A) + logdet(B)"""
    if e.name not in ("det", "logdet"):
        return None
    x = e.args[1]
    if isinstance(x, N.Transpose):
        return N.Apply(e.name, x.args[0])
    p = _power_of(x)
    if p is not None and p[1] != 1 and not p[2]:
        inner = N.Apply(e.name, p[0])
        return N.Power(inner, p[1]) if e.name == "det" else mul(N.Number(p[1]), inner)
    factors = _square_factors(x)
    if factors is not None and e.name == "logdet":
        return N.Add(*[N.Apply("logdet", f) for f in factors])
    return None


# ------------------------------------------------------------------ norms, signs
def _half(factors: list[N.Expr]) -> N.Expr | None:
    """y when ``factors`` read yᵀ y (a palindrome up to transposes), else None."""
    n = len(factors)
    if n < 2 or n % 2:
        return None
    if any(factors[i] != transpose(factors[n - 1 - i]) for i in range(n // 2)):
        return None
    y = mul(*factors[n // 2:])
    return y if y.type.is_vector and not y.type.row else None


def norm_recognised(e: N.Expr):
    """sqrt(yᵀ y) = ‖y‖ and (yᵀ y)ᵖ = ‖y‖²ᵖ for y = A x written out (xᵀ Aᵀ A x)"""
    if isinstance(e, N.Elementwise) and e.name == "sqrt" and e.order == 0:
        inner, p = e.args[1], 0.5
    elif isinstance(e, N.Power) and e.type.is_scalar:
        inner, p = e.base, e.exponent
    else:
        return None
    if not isinstance(inner, N.MatMul) or any(f.type.is_scalar for f in inner.args):
        return None
    y = _half(list(inner.args))
    if y is None:
        return None
    norm = N.Apply("norm", y)
    return norm if 2 * p == 1 else N.Power(norm, 2 * p)


def _non_negative(e: N.Expr) -> bool:
    """Values ≥ 0 by construction: norms, |u|, exp, σ, softplus, √, even powers, xᵀx."""
    if isinstance(e, N.Apply):
        return e.name in ("norm", "softmax")
    if isinstance(e, N.Elementwise):
        return e.order == 0 and e.name in ("abs", "exp", "sigmoid", "softplus", "sqrt", "relu")
    if isinstance(e, (N.Power, N.ElemPower)):
        return (e.exponent % 2 == 0) or _non_negative(e.base)
    if isinstance(e, N.Number):
        return e.value >= 0
    return _scalar_power(e)[0] != e and _scalar_power(e)[1] % 2 == 0


def sign_of_non_negative(e: N.Elementwise):
    """sign(u) = 1 for u > 0, abs(u) = u for u ≥ 0 (norms, exp, σ, even powers …;
    sign(‖x‖) is taken as 1, the value away from the kink at 0)"""
    if e.order != 0 or e.name not in ("sign", "abs") or not _non_negative(e.args[1]):
        return None
    if e.name == "abs":
        return e.args[1]
    t = e.type
    if t.is_scalar:
        return N.Number(1.0)
    if t.is_vector:
        return N.Transpose(N.Ones(t.shape[0])) if t.row else N.Ones(t.shape[0])
    return N.MatMul(N.Ones(t.shape[0]), N.Transpose(N.Ones(t.shape[1])))


# ------------------------------------------------------------------ diagonals
def _reciprocal_of(v: N.Expr, w: N.Expr) -> bool:
    """Whether v ⊙ w = 1: v = 1 ./ w or w = 1 ./ v."""
    return any(isinstance(a, N.HadamardDiv) and is_number(a.left, 1.0) and a.right == b
               for a, b in ((v, w), (w, v)))


def _diagonal_vector(e: N.Expr) -> N.Expr | None:
    return e.args[1] if isinstance(e, N.Apply) and e.name == "diag" and e.args[1].type.is_vector else None


def diagonal_cancels_over_sum(e: N.MatMul):
    """diag(1 ./ s) (diag(s) - s rᵀ) = I - 1 rᵀ (and mirrored): a diagonal scaling
    distributed over a sum when it cancels in every term"""
    args = list(e.args)
    for k in range(len(args) - 1):
        for d_at, s_at in ((k, k + 1), (k + 1, k)):
            v, total = _diagonal_vector(args[d_at]), args[s_at]
            if v is None or not isinstance(total, N.Add):
                continue
            left = d_at < s_at
            terms = [c for t in total.args if (c := _cancelled(v, t, left)) is not None]
            if len(terms) == len(total.args):
                lo, hi = min(d_at, s_at), max(d_at, s_at)
                return mul(*args[:lo], N.Add(*terms), *args[hi + 1:])
    return None


def _cancelled(v: N.Expr, term: N.Expr, left: bool) -> N.Expr | None:
    """diag(v) term (or term diag(v)) when v cancels the diagonal or the vector that
    ``term`` starts (ends) with; None otherwise."""
    sign, body = (-1, term.args[0]) if isinstance(term, N.Neg) else (1, term)
    result: N.Expr | None
    w = _diagonal_vector(body)
    if w is not None:
        result = N.Identity(body.type.shape[0]) if _reciprocal_of(v, w) else None
    elif isinstance(body, N.MatMul):
        edge = body.args[0] if left else body.args[-1]
        edge_v = edge if left else (edge.args[0] if isinstance(edge, N.Transpose) else None)
        if edge_v is None or not edge_v.type.is_vector or not _reciprocal_of(v, edge_v):
            return None
        ones = N.Ones(edge_v.type.shape[0])
        result = mul(ones, *body.args[1:]) if left else mul(*body.args[:-1], N.Transpose(ones))
    else:
        return None
    if result is None:
        return None
    return N.Neg(result) if sign < 0 else result


def sum_of_diagonals(e: N.Add):
    """diag(a) + diag(b) = diag(a + b) for vectors a, b"""
    vectors = [v for t in e.args if (v := _diagonal_vector(t)) is not None]
    if len(e.args) < 2 or len(vectors) < len(e.args):
        return None
    return N.Apply("diag", N.Add(*vectors))


assert "sign" in ELEMENTWISE  # sign_of_non_negative names it
