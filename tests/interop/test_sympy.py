"""SymPy interop: every supported class, checked by value (symmat's NumPy value
against SymPy's own evaluation), in both directions.

Sizes are m=3, n=4, p=5 so that no matrix is square by accident.
"""
from __future__ import annotations

import re

import numpy as np
import pytest
import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.diagonal import DiagMatrix, DiagonalMatrix, DiagonalOf
from sympy.matrices.expressions.matexpr import MatrixElement

import symmat
from symmat import nodes as N
from symmat.errors import SymmatError
from symmat.interop.sympy import InteropError, from_sympy, sympy_value, to_sympy
from symmat.interop.sympy_gradient import Gradient, function_derivative

M, NN, P = 3, 4, 5
m, n, p = sp.symbols("m n p")
W = sp.MatrixSymbol("W", m, n)
A = sp.MatrixSymbol("A", n, n)
B = sp.MatrixSymbol("B", n, n)
X = sp.MatrixSymbol("X", n, p)
Y = sp.MatrixSymbol("Y", n, p)
x = sp.MatrixSymbol("x", n, 1)
y = sp.MatrixSymbol("y", n, 1)
r = sp.MatrixSymbol("r", 1, n)  # a row vector
a = sp.MatrixSymbol("a", m, 1)
z = sp.MatrixSymbol("z", p, 1)
k = sp.MatrixSymbol("k", 1, 1)  # 1 x 1: a scalar in symmat
c, t = sp.symbols("c t")
g = sp.Function("g")
s = sp.Function("s")


def _values(seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    # A is well conditioned with det > 0 so that log(det(A)) is real.
    return {
        "W": rng.normal(size=(M, NN)),
        "A": 3 * np.eye(NN) + 0.5 * rng.normal(size=(NN, NN)),
        "B": 2 * np.eye(NN) + 0.5 * rng.normal(size=(NN, NN)),
        "X": rng.normal(size=(NN, P)),
        "Y": rng.uniform(1, 2, size=(NN, P)),  # a divisor: away from 0
        "x": rng.uniform(0.5, 1.5, size=NN),  # log, sqrt of x are real
        "y": rng.normal(size=NN),
        "r": rng.normal(size=NN),
        "a": rng.normal(size=M),
        "z": rng.normal(size=P),
        "k": 0.7,
        "c": 1.3,
        "t": 0.4,
        "V": rng.normal(size=(3, 4)),
    }


# Abstract functions: callables on the symmat side, Lambdas substituted on the SymPy side.
G_NUMPY = {
    "g": lambda v: float(np.sum(np.sin(v))), "∇g": np.cos, "∇²g": lambda v: np.diag(-np.sin(v)),
    "s": np.sin, "s'": np.cos, "s''": lambda v: -np.sin(v),
}


def _g_sympy(arg):
    if isinstance(arg, sp.MatrixExpr):
        return sp.Trace(sp.OneMatrix(1, arg.rows) * arg.applyfunc(sp.sin) * sp.OneMatrix(arg.cols, 1))
    return sp.sin(arg)


def _sympy_abstract(e: sp.Basic) -> sp.Basic:
    """Replace the undefined g and s by what G_NUMPY computes (sum of sines, sine)."""
    e = e.replace(g, _g_sympy).replace(s, sp.sin)
    # s' is Derivative(s(d), d) inside a Lambda; doit does not enter Lambdas.
    e = e.replace(lambda u: isinstance(u, sp.Lambda), lambda u: sp.Lambda(u.variables, u.expr.doit()))
    return e.replace(lambda u: isinstance(u, sp.Derivative), lambda u: u.doit())


def _close(left, right):
    left, right = np.asarray(left, dtype=float), np.asarray(right, dtype=float)
    assert left.shape == right.shape, (left.shape, right.shape)
    np.testing.assert_allclose(left, right, rtol=1e-9, atol=1e-9)


def _check_from(e: sp.Basic):
    v = _values()
    ours = from_sympy(e)
    expected = sympy_value(_sympy_abstract(e), v)
    _close(ours.evaluate({**v, **G_NUMPY}), expected)
    # and back: to_sympy(from_sympy(e)) has the same value in SymPy
    _close(sympy_value(_sympy_abstract(to_sympy(ours)), v), expected)
    return ours


FROM_SYMPY = {
    "symbolic elementwise power": sp.HadamardPower(Y, c),  # x .^ t (contract §1): Y > 0
    "symbolic scalar exponent": c**t,
    "MatrixSymbol matrix": W,
    "MatrixSymbol column": x,
    "MatrixSymbol row": r,
    "MatrixSymbol 1x1": k,
    "Symbol": c,
    "Integer": sp.Integer(3) * x,
    "Rational 1/3": sp.Rational(1, 3) * x,
    "Rational 1/2": sp.Rational(1, 2) * W,
    "Float": sp.Float(0.25) * x,
    "pi": sp.pi * c,
    "MatMul matrix-vector": W * x,
    "MatMul inner": x.T * y,
    "MatMul outer": x * a.T,
    "MatMul row-matrix": r * X,
    "MatMul with scalars": c * sp.Trace(A) * W * x,
    "MatMul negated": -W * x,
    "MatAdd": A + B - 2 * A.T,
    "Transpose": X.T,
    "Transpose of product": (W * X).T,
    "Inverse": sp.Inverse(A) * x,
    "MatPow 2": A**2,
    "MatPow -2": A ** -2,
    "Trace": sp.Trace(A * B),
    "Trace 1x1": sp.Trace(x.T * A * y),
    "MatrixElement 1x1": k[0, 0] * c,  # (x.T*y)[0, 0] SymPy itself expands to a Sum
    "Determinant": sp.Determinant(A),
    "HadamardProduct": sp.HadamardProduct(X, Y, X),
    "HadamardPower": sp.HadamardPower(X, 3),
    "HadamardPower -1": sp.HadamardPower(Y, -1),
    "KroneckerProduct matrices": sp.KroneckerProduct(W, A),
    "KroneckerProduct vectors": sp.KroneckerProduct(x, z),
    "Identity": sp.Identity(n) + A,
    "OneMatrix column": sp.OneMatrix(n, 1) + x,
    "OneMatrix row": sp.OneMatrix(1, n) * y,
    "OneMatrix block": sp.OneMatrix(m, n) + W,
    "ZeroMatrix": sp.ZeroMatrix(m, n) + W,
    "DiagMatrix": DiagMatrix(x) * y,
    "DiagonalOf": DiagonalOf(A).T * x,
    "DiagonalMatrix": DiagonalMatrix(A) * x,
    "scalar Add Mul Pow": c**2 + 3 * c * t - t / c + sp.sqrt(c),
    "log(det)": sp.log(sp.Determinant(A)),
    "log|det| is logdet": sp.log(sp.Abs(sp.Determinant(A))),
    "exp(tr)": sp.exp(sp.Trace(A)),
    "tanh(a^T W x)": sp.tanh(a.T * W * x),
    "sin cos of scalars": sp.sin(sp.Trace(A)) * sp.cos(c),
    "scalar times matrix function": sp.exp(sp.Trace(x.T * y)) * W,
    "abstract g(W^T a)": g(W.T * a),
    "abstract g of a scalar": g(c) * x,
    "applyfunc exp": X.applyfunc(sp.exp),
    "applyfunc sigmoid": (W * x).applyfunc(sp.Lambda(t, 1 / (1 + sp.exp(-t)))),
    "applyfunc softplus": x.applyfunc(sp.Lambda(t, sp.log(1 + sp.exp(t)))),
    "applyfunc relu": y.applyfunc(sp.Lambda(t, sp.Max(t, 0))),
    "applyfunc step": y.applyfunc(sp.Lambda(t, sp.Heaviside(t, 0))),
    "applyfunc abs sign": y.applyfunc(sp.Abs) + y.applyfunc(sp.sign),
    "applyfunc sqrt log": x.applyfunc(sp.sqrt) + x.applyfunc(sp.log),
    "applyfunc polynomial": x.applyfunc(sp.Lambda(t, t**2 + 3 * t - 1)),
    "applyfunc composite": x.applyfunc(sp.Lambda(t, sp.exp(t) * sp.sin(t) / t)),
    "applyfunc abstract": x.applyfunc(s),
    "symbolic base and exponent": c**t + 2 ** sp.Trace(A),
    # what a SymPy user writes for matrix calculus (issue 13, item 3)
    "entry of a 1x1 product (a Sum)": (x.T * A * y)[0, 0],
    "entry of a 1x1 product, unevaluated": MatrixElement(x.T * A * y, 0, 0),
    "sqrt of a 1x1 product": sp.sqrt(x.T * x),
    "power of a 1x1 product": (x.T * y) ** 2 + (x.T * x) ** sp.Rational(3, 2),
    "exp of a 1x1 product": sp.exp(x.T * A * y) * c,
    "log of a trace": sp.log(sp.Trace(A)),
    "Frobenius norm": sp.sqrt(sp.Trace(X.T * X)),
    "numeric sizes": sp.MatrixSymbol("V", 3, 4).T * sp.MatrixSymbol("V", 3, 4) + sp.Identity(4),
    "ElementwiseApplyFunction": ElementwiseApplyFunction(sp.Lambda(t, sp.tanh(t)), W * x),
    "softmax written out": z.applyfunc(sp.exp) / sp.Trace(sp.OneMatrix(1, p) * z.applyfunc(sp.exp)),
    "logsumexp written out": sp.log(sp.Trace(DiagMatrix(z.applyfunc(sp.exp)))),
    "sum of entries": sp.OneMatrix(1, n) * X * sp.OneMatrix(p, 1),
    "transposed sum as SymPy distributes it": (W * x - a).T * (W * x - a),
    "Gradient of an undefined function": function_derivative(g, W.T * a, 1).T * y,
    "Hessian of an undefined function": y.T * function_derivative(g, x, 2) * y,
}


@pytest.mark.parametrize("name", list(FROM_SYMPY))
def test_from_sympy_keeps_the_value(name):
    _check_from(FROM_SYMPY[name])


def test_from_sympy_structure():
    assert str(from_sympy(sp.log(sp.Determinant(A)))) == "log(det(A))"
    assert from_sympy(sp.log(sp.Abs(sp.Determinant(A)))) == N.Apply("logdet", from_sympy(A))
    assert str(from_sympy(sp.exp(sp.Trace(A)))) == "exp(tr(A))"
    assert isinstance(from_sympy(g(W.T * a)), N.Call)
    assert from_sympy(x).shape == ("n",) and from_sympy(W).shape == ("m", "n")
    assert from_sympy(k).shape == () and from_sympy(x.T * y).shape == ()
    assert from_sympy(r).type.row
    assert from_sympy(sp.MatrixSymbol("Q", 3, 4)).shape == (3, 4)
    assert from_sympy(sp.MatrixSymbol("Q", m * n, 1)).shape == ("m*n",)
    sig = from_sympy(x.applyfunc(sp.Lambda(t, 1 / (1 + sp.exp(-t)))))
    assert isinstance(sig, N.Elementwise) and sig.name == "sigmoid"
    assert isinstance(from_sympy(x.applyfunc(s)), N.Elementwise)


# SymPy input read as the parser reads the same formula in the input language.
SAME_AS_PARSED = {
    "(W x - a)^T (W x - a)": (W * x - a).T * (W * x - a),
    "W x - 3 a": W * x - 3 * a,
    "x' A x": (x.T * A * x)[0, 0],
    "norm(x)": sp.sqrt(x.T * x),
    "norm(X)": sp.sqrt(sp.Trace(X.T * X)),
    "1 + exp(x' y)": sp.exp(x.T * y) + 1,  # SymPy puts the number first
    "logsumexp(z)": sp.log(sp.Trace(DiagMatrix(z.applyfunc(sp.exp)))),
    "softmax(z)": z.applyfunc(sp.exp) / sp.Trace(DiagMatrix(z.applyfunc(sp.exp))),
    "sum(X)": sp.OneMatrix(1, n) * X * sp.OneMatrix(p, 1),
    "sigmoid(x' y)": 1 / (1 + sp.exp(-sp.Trace(x.T * y))),
    "exp(x) + 1": sp.OneMatrix(n, 1) + x.applyfunc(sp.exp),  # and the ones last
    "zeros(m, n) + W": sp.MatAdd(sp.ZeroMatrix(m, n), W),
    "∇g(W' a)": function_derivative(g, W.T * a, 1),
}


@pytest.mark.parametrize("text", list(SAME_AS_PARSED))
def test_from_sympy_builds_what_the_parser_builds(text):
    assert from_sympy(SAME_AS_PARSED[text]) == symmat.parse(text, where=WHERE_NO_DERIVED)


def test_least_squares_gives_the_same_answer_from_sympy_and_from_text():
    """The issue's example: SymPy's distributed (A x - b)^T used to give (2 M x - 2 b)^T M."""
    for layout in ("numerator", "denominator"):
        from_text = symmat.diff("(W x - a)^T (W x - a)", "x", where="W: m x n; x: n; a: m", layout=layout)
        from_sympy_ = symmat.diff((W * x - a).T * (W * x - a), x, layout=layout)
        expected = "2 W^T (W x - a)" if layout == "denominator" else "2 (W x - a)^T W"
        assert str(from_sympy_) == str(from_text) == expected


def test_public_api():
    # symmat.from_sympy imports SymPy lazily; it converts exactly as the module's function.
    assert symmat.from_sympy(W * x) == from_sympy(W * x)
    e = symmat.parse("W x", where="W: m x n; x: n")
    assert e.to_sympy() == W * x


WHERE = (
    "W: m x n; A: n x n; B: n x n; X: n x p; Y: n x p; x: n; y: n; a: m; z: p; c: scalar; t: scalar; "
    "S: n x n symmetric; V: 3 x 4; g: R^n -> R; s: elementwise"
)
# Only the sizes of the SAME_AS_PARSED variables: the texts' own declarations.
WHERE_NO_DERIVED = "W: m x n; A: n x n; X: n x p; x: n; y: n; a: m; z: p; g: R^n -> R"
TO_SYMPY = [
    "W x", "x' y", "x y'", "x' W'", "c W", "W' a", "A x + c", "c + X", "X .* Y", "X ./ Y", "c ./ Y", "x / c",
    "A^2", "A^-1", "A^-2 x", "X .^ 3", "c^2 + t", "kron(A, W)", "kron(x, z)", "kron(x', z')", "kron(c, W)",
    "X'", "tr(A B)", "det(A)", "logdet(A)", "log(det(A))", "exp(tr(A))", "inv(A) x", "diag(x)", "diag(A)",
    "diag(x') y", "vec(x)", "vec(x')", "vec(V)", "sum(X)", "sum(x)", "sum(x')", "sum(c)", "norm(x)", "norm(x')",
    "norm(X)", "norm(c)", "softmax(z)", "softmax(z')", "logsumexp(z)", "exp(X)", "log(x .* x)", "sin(x) + cos(y)",
    "tanh(W x)", "sqrt(x)", "sigmoid(W x)", "relu(y)", "softplus(y)", "abs(y)", "step(y)", "sign(y)",
    "relu'(y)", "tanh''(y)", "min(c, t)", "max(c, t)", "sigmoid'(W x)", "abs'(y)", "I + A", "ones' x", "-A x", "x' A x",
    "exp(x' y) x", "tanh(a' W x)", "g(W' a)", "∇g(W' a)", "a ∇g(W' a)^T", "∇²g(x) y", "s(x)", "s'(x)", "s''(c)", "S x",
    "2 I - ones ones' + A",
]


@pytest.mark.parametrize("text", TO_SYMPY)
def test_to_sympy_keeps_the_value(text):
    e = symmat.parse(text, where=WHERE)
    v = {**_values(), "S": np.eye(NN) + np.ones((NN, NN))}
    expected = e.evaluate({**v, **G_NUMPY})
    converted = to_sympy(e)
    _close(sympy_value(_sympy_abstract(converted), v), expected)
    if text == "vec(V)":
        return  # written with explicit basis vectors, which from_sympy refuses
    # and back: from_sympy(to_sympy(e)) has the value of e
    _close(from_sympy(converted).evaluate({**v, **G_NUMPY}), expected)


def test_plain_subs_and_doit_evaluate():
    """The contract's route: SymPy's own subs + doit, no helper."""
    v = _values()
    e = symmat.parse("exp(tr(A)) + log(det(A)) + x' A x", where="A: n x n; x: n")
    sub = {sp.MatrixSymbol("A", n, n): sp.Matrix(v["A"]), sp.MatrixSymbol("x", n, 1): sp.Matrix(v["x"])}
    value = float(e.to_sympy().subs(sub).doit())
    _close(value, e.evaluate(v))
    e = symmat.parse("tanh(W x) .* (W x)", where="W: m x n; x: n")
    sub = {W: sp.Matrix(v["W"]), x: sp.Matrix(v["x"])}
    _close(np.array(e.to_sympy().subs(sub).doit().as_explicit(), dtype=float).ravel(), e.evaluate(v))


def test_to_sympy_symbols():
    e = to_sympy(symmat.parse("W x + c ones", where="W: m x n; x: n; c: scalar"))
    names = {str(f) for f in e.free_symbols}
    assert {"W", "x", "c"} <= names
    assert sp.MatrixSymbol("W", m, n) in e.free_symbols


# ------------------------------------------------------------------------ refusals
FROM_REFUSED = {
    "explicit Matrix": lambda: sp.ImmutableMatrix([[1, 2], [3, 4]]),
    "Heaviside(x) is 1/2 at 0": lambda: sp.Heaviside(c),
    "fractional matrix power": lambda: sp.MatPow(A, sp.Rational(1, 2)),
    "Adjoint": lambda: sp.Adjoint(A),
    "general MatrixElement": lambda: A[0, 1],
    "reserved name": lambda: sp.MatrixSymbol("tr", n, n),
    "name used twice": lambda: sp.MatrixSymbol("c", n, 1) + c * sp.OneMatrix(n, 1),
    "unknown function": lambda: sp.gamma(c),
    "infinity": lambda: sp.oo * c,
    "non-product dimension": lambda: sp.MatrixSymbol("Q", n + 1, 1),
    "not SymPy": lambda: "W x",
    "Sum that is no product": lambda: sp.Sum(x[sp.Symbol("i"), 0], (sp.Symbol("i"), 0, n - 1)),
    "Gradient of a formula": lambda: Gradient(sp.Lambda(W, sp.Trace(W.T * W)), W),
    "one name, two SymPy objects": lambda: sp.MatrixSymbol("q", sp.Symbol("k"), 1).T
    * sp.MatrixSymbol("q", sp.Symbol("k", positive=True), 1),
}


@pytest.mark.parametrize("name", list(FROM_REFUSED))
def test_from_sympy_refuses_clearly(name):
    with pytest.raises(InteropError) as info:
        from_sympy(FROM_REFUSED[name]())
    assert isinstance(info.value, SymmatError) and str(info.value)


def test_refusal_names_the_sympy_class():
    with pytest.raises(InteropError, match="Adjoint"):
        from_sympy(sp.Adjoint(A))
    with pytest.raises(InteropError, match="gamma"):
        from_sympy(sp.gamma(c))


def test_gradient_and_hessian_of_an_abstract_function():
    """∇g and ∇²g are symmat's Gradient and Hessian matrix expressions: unevaluated
    while g is undefined, computed by SymPy's diff once g is a formula."""
    from symmat.interop.sympy import Hessian

    grad = to_sympy(symmat.parse("∇g(W' a)", where=WHERE))
    assert isinstance(grad, Gradient) and grad.shape == (n, 1) and grad.name == "g"
    assert grad.free_symbols == {W, a}
    assert grad.doit() == grad  # g undefined: nothing to compute
    hess = to_sympy(symmat.parse("∇²g(x)", where=WHERE))
    assert isinstance(hess, Hessian) and hess.shape == (n, n)
    v = _values()
    explicit = _sympy_abstract(hess).xreplace({x: sp.ImmutableMatrix(v["x"]), n: NN}).as_explicit()
    _close(np.array(explicit, dtype=float), np.diag(-np.sin(v["x"])))
    with pytest.raises(TypeError):
        Gradient(g, x)  # a Lambda is needed


def test_function_of_a_matrix_times_a_matrix():
    """SymPy calls g(x) of a MatrixSymbol x non-commutative and refuses it as a factor
    of a matrix product: to_sympy says so by name (it crashed with SymPy's
    NotImplementedError, found by test_sympy_properties), and writes it with a
    commutative function the caller gives."""
    e = symmat.parse("g(x) A", where="x: n; A: m x m")
    with pytest.raises(InteropError, match=r"Function\('g', commutative=True\)"):
        to_sympy(e)
    g_commutative = sp.Function("g", commutative=True)
    converted = to_sympy(e, symbols=[g_commutative])
    x_, A_ = sp.MatrixSymbol("x", sp.Symbol("n"), 1), sp.MatrixSymbol("A", sp.Symbol("m"), sp.Symbol("m"))
    assert converted == sp.MatMul(g_commutative(x_), A_)
    values = {"x": np.arange(1.0, 4.0), "A": np.eye(2), "g": lambda v: float(np.sum(v ** 2))}
    _close(from_sympy(converted).evaluate(values), e.evaluate(values))


def test_to_sympy_refuses_vec_of_symbolic_width():
    with pytest.raises(InteropError, match="vec"):
        to_sympy(symmat.parse("vec(X)", where="X: m x n"))


# -------------------------------------------------- abstract functions of several arguments
def _g2(u, s_):
    """g(u, s) = s sum(sin u) + s^2 for a vector u and a scalar s, in SymPy."""
    return s_ * sp.Trace(sp.OneMatrix(1, u.rows) * u.applyfunc(sp.sin)) + s_**2


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
@pytest.mark.parametrize("wrt, order", [("W", 1), ("x", 1), ("x", 2), ("c", 1), ("c", 2)])
def test_partial_derivatives_of_a_function_of_several_arguments(wrt, order, layout):
    """∂ g(W x, c) by W, x or c (∇_1g, ∇_2g, ∇²_{1,1}g, ∇²_{2,2}g in SymPy types),
    evaluated by SymPy with a concrete g, against finite differences of SymPy's own
    value of g(W x, c)."""
    f = g(W * x, c)
    var = {"W": W, "x": x, "c": c}[wrt]
    result = symmat.diff(f, var, layout=layout, order=order)
    assert from_sympy(result.to_sympy()) == result  # and back
    concrete = result.to_sympy().replace(g, _g2)
    v = _values()
    got = np.asarray(sympy_value(concrete, v), dtype=float)

    def value_of(point):
        return np.asarray(sympy_value(f.replace(g, _g2), {**v, wrt: point}), dtype=float)

    def derivative(fn, x0, h=1e-5):
        x0 = np.asarray(x0, dtype=float)
        out = np.zeros(np.shape(fn(x0)) + x0.shape)
        for idx in np.ndindex(x0.shape):
            step = np.zeros_like(x0)
            step[idx] = h
            out[(...,) + idx] = (fn(x0 + step) - fn(x0 - step)) / (2 * h)
        return out

    fd = derivative(value_of, v[wrt]) if order == 1 else derivative(lambda p: derivative(value_of, p), v[wrt])
    if order == 1 and fd.ndim == 2 and layout == "numerator":
        fd = fd.T  # scalar by matrix: numerator layout has the transposed shape
    np.testing.assert_allclose(got, fd, rtol=1e-5, atol=1e-5)


def test_refused_function_derivatives_name_themselves():
    with pytest.raises(InteropError, match="vector-valued"):
        to_sympy(symmat.parse("h(x)", where="x: n; h: R^n -> R^m"))
    with pytest.raises(InteropError, match=re.escape("∇²_{1,2}g")):
        to_sympy(symmat.parse("∇²_{1,2}g(x, y)", where="x: n; y: m"))


# ------------------------------------------------------------------ issue 13's session
def test_results_convert_back_with_the_users_own_symbols():
    """The session of issue 13: every result converts, and is written with the user's
    objects (sizes with their assumptions), so subs, free_symbols and arithmetic work."""
    k = sp.Symbol("k", integer=True, positive=True)
    Xk, xk, Ak = sp.MatrixSymbol("X", k, k), sp.MatrixSymbol("x", k, 1), sp.MatrixSymbol("A", k, k)
    cs = sp.Symbol("c", positive=True)
    examples = {
        "tr(X)": (sp.Trace(Xk), Xk, sp.Identity(k)),
        "c tr(X)": (cs * sp.Trace(Xk), Xk, cs * sp.Identity(k)),
        "ones^T x": (sp.OneMatrix(1, k) * xk, xk, sp.OneMatrix(1, k)),
        "tr(X + 0)": (sp.Trace(sp.MatAdd(Xk, sp.ZeroMatrix(k, k))), Xk, sp.Identity(k)),
    }
    for name, (f, wrt, expected) in examples.items():
        result = symmat.diff(f, wrt).to_sympy()
        assert result == expected, name
    assert symmat.diff("tr(X)", "X", where="X: n x n").to_sympy() == sp.Identity(sp.Symbol("n"))  # plain sizes
    grad = symmat.diff(xk.T * Ak * xk, xk, layout="denominator").to_sympy()
    assert xk in grad.free_symbols and Ak in grad.free_symbols
    assert grad.subs(k, 4).shape == (4, 1)
    assert (grad + xk).shape == (k, 1) and (grad + xk).has(xk)
    assert (grad - xk).subs(xk, sp.ZeroMatrix(k, 1)).doit() == sp.ZeroMatrix(k, 1)  # one x, not two
