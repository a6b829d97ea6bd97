"""Rewrite rules for matrix expressions, written as data.

Each rule is a function from a node to an equal node, or ``None`` when it does not
apply; its docstring states the law it applies. ``RULES`` maps a node class to the
rules tried on it, in order. The engine (engine.py) applies them bottom-up to a
fixed point; every rule makes the expression smaller or more canonical, so the
rewriting terminates.
"""
from __future__ import annotations

from typing import Callable, Optional

from .. import nodes as N
from ..errors import ShapeError

Rule = Callable[[N.Expr], Optional[N.Expr]]


# ------------------------------------------------------------------- helpers
def opens_up(f: N.Expr) -> bool:
    """Whether a product may be spliced into a product around it. An inner product
    (aᵀ A x) stays one scalar factor: spliced in, a chain could no longer be
    reversed factor by factor."""
    return isinstance(f, N.MatMul) and (not f.type.is_scalar or all(g.type.is_scalar for g in f.args))


def mul(*factors: N.Expr) -> N.Expr:
    """The product of ``factors``, nested products flattened (see opens_up)."""
    flat = []
    for f in factors:
        if f is not None:
            flat.extend(f.args if opens_up(f) else (f,))
    return flat[0] if len(flat) == 1 else N.MatMul(*flat)


def is_number(e: N.Expr, value: float | None = None) -> bool:
    return isinstance(e, N.Number) and (value is None or e.value == value)


def transpose(e: N.Expr) -> N.Expr:
    """Aᵀ, cancelling a transpose already there."""
    if e.type.is_scalar:
        return e
    return e.args[0] if isinstance(e, N.Transpose) else N.Transpose(e)


def split_coefficient(e: N.Expr) -> tuple[float, N.Expr | None]:
    """e = c · base with c a number (base None when e is a number)."""
    if isinstance(e, N.Number):
        return e.value, None
    if isinstance(e, N.Neg):
        c, base = split_coefficient(e.args[0])
        return -c, base
    if isinstance(e, N.MatMul) and is_number(e.args[0]):
        rest = e.args[1:]
        return e.args[0].value, rest[0] if len(rest) == 1 else N.MatMul(*rest)
    return 1.0, e


def with_coefficient(c: float, base: N.Expr | None) -> N.Expr:
    if base is None:
        return N.Number(c)
    if c == 1.0:
        return base
    if c == -1.0:
        return N.Neg(base)
    if c < 0:
        return N.Neg(mul(N.Number(-c), base))
    return mul(N.Number(c), base)


def negate(e: N.Expr) -> N.Expr:
    """-e, without a double negation."""
    return e.args[0] if isinstance(e, N.Neg) else N.Neg(e)


def transposes(e: N.Expr) -> int:
    """Number of transposes a product/sum operand costs when written as is."""
    return 1 if isinstance(e, N.Transpose) else 0


def is_symmetric(e: N.Expr) -> bool:
    """Values that equal their transpose by construction."""
    if isinstance(e, N.Neg):
        return is_symmetric(e.args[0])
    if isinstance(e, N.Symbol):
        return e.symmetric
    if isinstance(e, N.Identity):
        return True
    if isinstance(e, N.Apply) and e.name == "diag" and e.args[1].type.is_vector:
        return True
    if isinstance(e, N.Call) and e.order == 2:
        return True
    if isinstance(e, N.Power) and e.type.is_matrix:
        return is_symmetric(e.base)
    if isinstance(e, N.Apply) and e.name == "inv":
        return is_symmetric(e.args[1])
    if isinstance(e, N.Add):
        # Symmetric terms, or terms that come with their transposes: A + Aᵀ.
        return all(is_symmetric(a) or transpose(a) in e.args for a in e.args)
    if isinstance(e, N.MatMul) and e.type.is_matrix:
        # c Aᵀ B A, u uᵀ: the non-scalar factors read the same backwards, transposed.
        factors = [f for f in e.args if not f.type.is_scalar]
        return all(
            f == transpose(g) or (f == g and is_symmetric(f)) for f, g in zip(factors, reversed(factors))
        )
    return False


# ------------------------------------------------------------------- transpose
def transpose_of_transpose(e: N.Transpose):
    """(Aᵀ)ᵀ = A"""
    inner = e.args[0]
    return inner.args[0] if isinstance(inner, N.Transpose) else None


def transpose_of_scalar(e: N.Transpose):
    """sᵀ = s for a scalar s"""
    return e.args[0] if e.args[0].type.is_scalar else None


def transpose_of_symmetric(e: N.Transpose):
    """Sᵀ = S for S symmetric (declared, I, diag(v), ∇²g, u uᵀ, S^k)"""
    inner = e.args[0]
    return inner if inner.type.is_matrix and is_symmetric(inner) else None


def transpose_of_negation(e: N.Transpose):
    """(-A)ᵀ = -(Aᵀ)"""
    inner = e.args[0]
    return N.Neg(transpose(inner.args[0])) if isinstance(inner, N.Neg) else None


def transpose_of_product(e: N.Transpose):
    """(A B)ᵀ = Bᵀ Aᵀ, used when it leaves no more transposes than before"""
    inner = e.args[0]
    if not isinstance(inner, N.MatMul):
        return None
    nonscalar = [f for f in inner.args if not f.type.is_scalar]
    before = 1 + sum(transposes(f) for f in nonscalar)
    after = sum(1 - transposes(f) for f in nonscalar if not is_symmetric(f))
    if after > before:
        return None
    scalars = [f for f in inner.args if f.type.is_scalar]
    return mul(*scalars, *[transpose(f) for f in reversed(nonscalar)])


def transpose_of_sum(e: N.Transpose):
    """(A + B)ᵀ = Aᵀ + Bᵀ, used when it leaves fewer transposes"""
    inner = e.args[0]
    if not isinstance(inner, (N.Add, N.Hadamard, N.HadamardDiv)):
        return None
    operands = [a for a in inner.args if not a.type.is_scalar]
    before = 1 + sum(transposes(a) for a in operands)
    after = sum(1 - transposes(a) for a in operands if not is_symmetric(a))
    if after >= before:
        return None
    return type(inner)(*[transpose(a) for a in inner.args])


def transpose_of_inverse(e: N.Transpose):
    """(X⁻¹)ᵀ = (Xᵀ)⁻¹ when X is a transpose: (Aᵀ)⁻¹ᵀ = A⁻¹"""
    inner = e.args[0]
    if isinstance(inner, N.Power) and isinstance(inner.base, N.Transpose):
        return N.Power(inner.base.args[0], inner.exponent)
    return None


# ------------------------------------------------------------------- negation
def negation_of_negation(e: N.Neg):
    """-(-A) = A"""
    return e.args[0].args[0] if isinstance(e.args[0], N.Neg) else None


def negation_of_number(e: N.Neg):
    """-(c) is the number -c; -(c A) = (-c) A"""
    c, base = split_coefficient(e.args[0])
    if base is None:
        return N.Number(-c)
    if c != 1.0:
        return with_coefficient(-c, base)
    return None


# ------------------------------------------------------------------- products
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


def zero_like(e: N.Expr) -> N.Expr:
    """0 of the type of ``e`` (0 times an all-ones value)."""
    t = e.type
    if t.is_scalar:
        return N.Number(0.0)
    if t.is_vector:
        ones = N.Ones(t.shape[0])
        return N.MatMul(N.Number(0.0), N.Transpose(ones) if t.row else ones)
    return N.MatMul(N.Number(0.0), N.Ones(t.shape[0]), N.Transpose(N.Ones(t.shape[1])))


def product_identity(e: N.MatMul):
    """I A = A I = A"""
    keep = [f for f in e.args if not isinstance(f, N.Identity)]
    if len(keep) == len(e.args):
        return None
    if not any(not f.type.is_scalar for f in keep):
        ident = next(f for f in e.args if isinstance(f, N.Identity))
        keep.append(ident)
    return mul(*keep)


def _product_type(factors) -> N.Type:
    t = factors[0].type
    for f in factors[1:]:
        t = N.infer_matmul(N.STRICT, t, f.type)
    return t


def diagonal_times_vector(e: N.MatMul):
    """diag(v) w = v ⊙ w and wᵀ diag(v) = (v ⊙ w)ᵀ for vectors v, w (w may be a product)"""
    args = list(e.args)
    for k, f in enumerate(args):
        if not (isinstance(f, N.Apply) and f.name == "diag" and f.args[1].type.is_vector):
            continue
        v = f.args[1]
        for j in range(k + 1, len(args)):
            t = _product_type(args[k + 1:j + 1])
            if t.is_vector and not t.row:
                return mul(*args[:k], N.Hadamard(v, mul(*args[k + 1:j + 1])), *args[j + 1:])
        for j in range(k - 1, -1, -1):
            t = _product_type(args[j:k])
            if t.is_vector and t.row:
                row = N.Transpose(N.Hadamard(v, transpose(mul(*args[j:k]))))
                return mul(*args[:j], row, *args[k + 1:])
    return None


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


def _inverse(e: N.Expr) -> N.Expr | None:
    """X when e is X⁻¹ (or Xᵀ when e is X⁻ᵀ), else None."""
    if isinstance(e, N.Power) and e.exponent == -1.0:
        return e.base
    if isinstance(e, N.Apply) and e.name == "inv":
        return e.args[1]
    if isinstance(e, N.Transpose) and _inverse(e.args[0]) is not None:
        return transpose(_inverse(e.args[0]))
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


def scalars_first(e: N.MatMul):
    """s A = A s for a scalar s: scalars are written before matrices and vectors"""
    args = list(e.args)
    scalars = [f for f in args if f.type.is_scalar]
    others = [f for f in args if not f.type.is_scalar]
    ordered = scalars + others
    if ordered == args or not others:
        return None
    return N.MatMul(*ordered)


# ------------------------------------------------------------------- sums
def flatten_sum(e: N.Add):
    """a + (b + c) = a + b + c"""
    if not any(isinstance(t, N.Add) for t in e.args):
        return None
    flat = []
    for t in e.args:
        flat.extend(t.args if isinstance(t, N.Add) else (t,))
    return N.Add(*flat)


def collect_like_terms(e: N.Add):
    """c₁ A + c₂ A = (c₁ + c₂) A; numbers added; zero terms dropped"""
    order, coefs = [], {}
    for t in e.args:
        c, base = split_coefficient(t)
        key = base
        if key not in coefs:
            order.append(key)
            coefs[key] = 0.0
        coefs[key] += c
    if len(order) == len(e.args) and all(coefs[k] != 0.0 for k in order):
        return None
    terms = [with_coefficient(coefs[k], k) for k in order if coefs[k] != 0.0]
    if not terms:
        return zero_like(e)
    if len(terms) == 1:
        return broadcast(terms[0], e)
    return N.Add(*terms)


def broadcast(term: N.Expr, like: N.Expr) -> N.Expr:
    """A scalar left alone from a sum of matrices keeps the sum's shape (c 1)."""
    if term.type == like.type or not term.type.is_scalar:
        return term
    return N.MatMul(term, *zero_like(like).args[1:])


def _all_ones(e: N.Expr | None) -> bool:
    """1 (a vector of ones) or 1 1ᵀ (a matrix of ones)."""
    if isinstance(e, N.Ones):
        return True
    return isinstance(e, N.MatMul) and len(e.args) == 2 and isinstance(e.args[0], N.Ones) \
        and isinstance(e.args[1], N.Transpose) and isinstance(e.args[1].args[0], N.Ones)


def ones_in_sum(e: N.Add):
    """c 1 + A = c + A and c 1 1ᵀ + A = c + A (scalar expansion does the broadcasting)"""
    changed, terms = False, []
    for t in e.args:
        c, base = split_coefficient(t)
        if _all_ones(base) and not e.type.is_scalar:
            terms.append(N.Number(c))
            changed = True
        else:
            terms.append(t)
    if not changed or all(t.type.is_scalar for t in terms):
        return None
    return N.Add(*terms)


def factor_common(e: N.Add):
    """A x + A y = A (x + y) and x A + y A = (x + y) A (a common outer factor)"""
    terms = [split_coefficient(t) for t in e.args]
    if any(base is None or not isinstance(base, N.MatMul) for _, base in terms):
        return None
    for side in (0, -1):
        first = terms[0][1].args[side]
        if first.type.is_scalar:
            continue
        if all(base.args[side] == first for _, base in terms):
            rests = [
                with_coefficient(c, mul(*(base.args[1:] if side == 0 else base.args[:-1]))) for c, base in terms
            ]
            if len({r.type.is_scalar for r in rests}) > 1:
                # A c + A B ≠ A (c + B): a scalar in a sum would be broadcast, not c I.
                continue
            try:
                inner = N.Add(*rests)
            except ShapeError:
                continue
            return mul(first, inner) if side == 0 else mul(inner, first)
    return None


def common_coefficient(e: N.Add):
    """c A + c B = c (A + B) for a number c ≠ ±1 shared by every term"""
    coefs = {split_coefficient(t)[0] for t in e.args}
    if len(coefs) != 1:
        return None
    c = coefs.pop()
    if abs(c) == 1.0 or any(split_coefficient(t)[1] is None for t in e.args):
        return None
    return mul(N.Number(c), N.Add(*[split_coefficient(t)[1] for t in e.args]))


def positive_first(e: N.Add):
    """-a + b = b - a: a sum is written starting with a positive term"""
    def negative(t):
        return split_coefficient(t)[0] < 0
    if not negative(e.args[0]):
        return None
    for k, t in enumerate(e.args):
        if not negative(t):
            return N.Add(t, *e.args[:k], *e.args[k + 1:])
    return None


# ------------------------------------------------------------------- elementwise
def _hadamard_factors(e: N.Expr, numerators: list, denominators: list) -> None:
    """Split a nest of ⊙ and ./ into the factors above and below the line."""
    if isinstance(e, N.Hadamard) and e.type == e.left.type == e.right.type:
        _hadamard_factors(e.left, numerators, denominators)
        _hadamard_factors(e.right, numerators, denominators)
    elif isinstance(e, N.HadamardDiv) and e.type == e.left.type == e.right.type:
        _hadamard_factors(e.left, numerators, denominators)
        _hadamard_factors(e.right, denominators, numerators)
    elif isinstance(e, N.HadamardDiv) and e.type == e.right.type and is_number(e.left, 1.0):
        _hadamard_factors(e.right, denominators, numerators)
    elif isinstance(e, N.ElemPower) and e.exponent.is_integer() and e.exponent != 0 and abs(e.exponent) <= 8:
        for _ in range(int(abs(e.exponent))):
            _hadamard_factors(e.base, numerators if e.exponent > 0 else denominators,
                              denominators if e.exponent > 0 else numerators)
    else:
        numerators.append(e)


def _hadamard_chain(factors: list[N.Expr]) -> N.Expr:
    """f ⊙ f ⊙ g as f.^2 ⊙ g (equal factors gathered, first-appearance order)."""
    counts: dict[N.Expr, int] = {}
    for f in factors:
        counts[f] = counts.get(f, 0) + 1
    parts = [f if c == 1 else N.ElemPower(f, c) for f, c in counts.items()]
    chain = parts[0]
    for f in parts[1:]:
        chain = N.Hadamard(chain, f)
    return chain


def _one_plus_exp(e: N.Expr) -> N.Expr | None:
    """u when e = 1 + exp(u) (in either order)."""
    if isinstance(e, N.Add) and len(e.args) == 2:
        for one, other in ((e.args[0], e.args[1]), (e.args[1], e.args[0])):
            if is_number(one, 1.0) and isinstance(other, N.Elementwise) and other.name == "exp" and other.order == 0:
                return other.args[1]
    return None


def hadamard_normal_form(e: N.Expr):
    """a ⊙ (b ⊙ c) ./ d written as one chain over one denominator, with
    exp(u) ./ (1 + exp(u)) = σ(u)  and  1 ./ (1 + exp(-u)) = σ(u)"""
    numerators, denominators = [], []
    _hadamard_factors(e, numerators, denominators)
    for d in list(denominators):
        u = _one_plus_exp(d)
        if u is None:
            continue
        exp_u = N.Elementwise("exp", u)
        if exp_u in numerators:
            numerators[numerators.index(exp_u)] = N.Elementwise("sigmoid", u)
            denominators.remove(d)
        elif isinstance(u, N.Neg):
            numerators.append(N.Elementwise("sigmoid", u.args[0]))
            denominators.remove(d)
    if len(numerators) == 1 and not denominators and isinstance(e, N.ElemPower):
        return None
    for k, f in enumerate(list(numerators)):
        # exp(-v) ⊙ σ(v) = e^{-v} / (1 + e^{-v}) = σ(-v)
        if isinstance(f, N.Elementwise) and f.name == "sigmoid" and f.order == 0:
            exp_neg = N.Elementwise("exp", negate(f.args[1]))
            if exp_neg in numerators:
                numerators[k] = N.Elementwise("sigmoid", negate(f.args[1]))
                numerators.remove(exp_neg)
    top = _hadamard_chain(numerators or [N.Number(1.0)])
    if denominators:
        top = N.HadamardDiv(top, _hadamard_chain(denominators))
    if top.type != e.type:
        return None
    return None if top == e else top


def hadamard_with_ones(e: N.Hadamard):
    """1 ⊙ A = A"""
    for a, b in ((e.left, e.right), (e.right, e.left)):
        if isinstance(a, N.Ones) or is_number(a, 1.0):
            return b if b.type == e.type else None
    return None


def hadamard_with_scalar(e: N.Hadamard):
    """s ⊙ A = s A for a scalar s"""
    if e.left.type.is_scalar:
        return mul(e.left, e.right)
    if e.right.type.is_scalar:
        return mul(e.right, e.left)
    return None


def hadamard_of_negation(e: N.Hadamard):
    """(-A) ⊙ B = -(A ⊙ B);  (c A) ⊙ B = c (A ⊙ B)"""
    (ca, a), (cb, b) = split_coefficient(e.left), split_coefficient(e.right)
    if (ca, cb) == (1.0, 1.0) or a is None or b is None:
        return None
    return with_coefficient(ca * cb, N.Hadamard(a, b))


def hadamard_reciprocal(e: N.Hadamard):
    """A ⊙ B.^-1 = A ./ B"""
    for a, b in ((e.left, e.right), (e.right, e.left)):
        if isinstance(b, N.ElemPower) and b.exponent == -1.0:
            return N.HadamardDiv(a, b.base)
    return None


def lone_reciprocal(e: N.ElemPower):
    """B.^-1 = 1 ./ B"""
    return N.HadamardDiv(N.Number(1.0), e.base) if e.exponent == -1.0 else None


def elementwise_power_one(e: N.ElemPower):
    """A.^1 = A"""
    return e.base if e.exponent == 1.0 else None


def power_one(e: N.Power):
    """a¹ = a; (Aᵖ)^q = A^(pq) for integers; c^p is a number"""
    if e.exponent == 1.0:
        return e.base
    if isinstance(e.base, N.Power) and e.exponent.is_integer() and e.base.exponent.is_integer():
        p = e.base.exponent * e.exponent
        return e.base.base if p == 1.0 else N.Power(e.base.base, p)
    if isinstance(e.base, N.Number) and e.base.value > 0:
        return N.Number(e.base.value ** e.exponent)
    return None


def softmax_by_hand(e: N.Div):
    """exp(x) / sum(exp(x)) = softmax(x)"""
    num, den = e.left, e.right
    if isinstance(num, N.Elementwise) and num.name == "exp" and num.order == 0 and num.type.is_vector \
            and isinstance(den, N.Apply) and den.name == "sum" and den.args[1] == num:
        return N.Apply("softmax", num.args[1])
    return None


def scalar_reciprocal(e: N.MatMul):
    """a b⁻¹ = a / b for scalars"""
    args = list(e.args)
    for k, f in enumerate(args):
        if isinstance(f, N.Power) and f.exponent == -1.0 and f.type.is_scalar:
            rest = args[:k] + args[k + 1:]
            return N.Div(mul(*rest), f.base)
    return None


# ------------------------------------------------------------------- traces
def trace_of_transpose(e: N.Apply):
    """tr(Aᵀ) = tr(A)"""
    if e.name == "tr" and isinstance(e.args[1], N.Transpose):
        return N.Apply("tr", e.args[1].args[0])
    return None


def trace_of_outer(e: N.Apply):
    """tr(x yᵀ) = yᵀ x"""
    if e.name != "tr" or not isinstance(e.args[1], N.MatMul) or len(e.args[1].args) != 2:
        return None
    x, y_row = e.args[1].args
    if x.type.is_vector and not x.type.row and y_row.type.is_vector and y_row.type.row:
        return N.MatMul(y_row, x)
    return None


def vec_of_outer(e: N.Apply):
    """vec(u vᵀ) = v ⊗ u;  vec(Aᵀ)ᵀ-free forms: vec of a transposed outer product too"""
    if e.name != "vec" or not isinstance(e.args[1], N.MatMul) or len(e.args[1].args) != 2:
        return None
    u, v_row = e.args[1].args
    if u.type.is_vector and not u.type.row and v_row.type.is_vector and v_row.type.row:
        return N.Kron(transpose(v_row), u)
    return None


def negation_in_function(e: N.Apply):
    """tr(-A) = -tr(A), sum(-A) = -sum(A) (linear functions)"""
    if e.name in ("tr", "sum") and isinstance(e.args[1], N.Neg):
        return N.Neg(N.Apply(e.name, e.args[1].args[0]))
    return None


# ------------------------------------------------------------------- kronecker
def kron_of_negation(e: N.Kron):
    """(-A) ⊗ B = A ⊗ (-B) = -(A ⊗ B);  (c A) ⊗ B = c (A ⊗ B)"""
    (ca, a), (cb, b) = split_coefficient(e.left), split_coefficient(e.right)
    if (ca, cb) == (1.0, 1.0) or a is None or b is None:
        return None
    return with_coefficient(ca * cb, N.Kron(a, b))


def transpose_of_kron(e: N.Transpose):
    """(A ⊗ B)ᵀ = Aᵀ ⊗ Bᵀ"""
    inner = e.args[0]
    return N.Kron(transpose(inner.left), transpose(inner.right)) if isinstance(inner, N.Kron) else None


from .elementwise import distribute_to_cancel, expand_and_collect  # noqa: E402  (they use helpers above)

RULES: dict[type, list[Rule]] = {
    N.Transpose: [
        transpose_of_transpose, transpose_of_scalar, transpose_of_symmetric, transpose_of_negation,
        transpose_of_inverse, transpose_of_product, transpose_of_sum, transpose_of_kron,
    ],
    N.Kron: [kron_of_negation],
    N.Neg: [negation_of_negation, negation_of_number],
    N.MatMul: [
        flatten_product, product_coefficients, product_identity, diagonal_times_vector,
        ones_inner_product, scalar_reciprocal, inverse_cancels, number_over, repeated_factors, scalars_first,
    ],
    N.Add: [
        flatten_sum, collect_like_terms, ones_in_sum, expand_and_collect, factor_common, common_coefficient,
        positive_first,
    ],
    N.Hadamard: [
        hadamard_with_ones, hadamard_with_scalar, hadamard_of_negation, hadamard_reciprocal, hadamard_normal_form,
        distribute_to_cancel,
    ],
    N.HadamardDiv: [hadamard_normal_form],
    N.ElemPower: [elementwise_power_one, lone_reciprocal],
    N.Power: [power_one],
    N.Div: [softmax_by_hand],
    N.Apply: [trace_of_transpose, trace_of_outer, vec_of_outer, negation_in_function],
}
