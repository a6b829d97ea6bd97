"""The newer rows of contract §1–§2 through the whole pipeline: each construct parses,
has the value NumPy written by hand gives, prints as text that parses back to the same
value, renders in KaTeX, generates NumPy that computes the same value, and its
derivatives (orders 1 and 2, both layouts) agree with finite differences and print
back the same way. Also: misspelt function names warn, and the evaluation rules
(scalars are never sizes; column arrays; complex values)."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import symmat
from symmat import nodes as N
from symmat import parse
from symmat.errors import DeclarationError, EvaluationError, ParseError, ShapeError, SymmatWarning
from symmat.index.expr import IndexExpr
from tests.katex import katex
from tests.numeric import assert_derivative
from tests.printing.test_numpy import run_generated

M, N_, P, Q = 3, 4, 5, 6
WHERE = (
    "x: n; y: n; q: n; w: n; a: m; t: scalar; s: scalar; c: scalar; "
    "A: m x n; B: m x n; Z: m x n; Y: m x n; K: p x m; Qm: p x n; V: q x m; X: n x n"
)


def _values(seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)

    def away(shape, low=0.3, high=1.2):
        return rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)

    return {
        "x": away(N_), "y": away(N_), "q": rng.uniform(0.5, 1.5, N_), "w": away(N_), "a": away(M),
        "t": 1.3, "s": 1.7, "c": 0.8, "λ": 0.6, "alpha": -0.7, "eps": 0.01,
        "A": away((M, N_)), "B": away((M, N_)), "Z": rng.standard_normal((M, N_)),
        "Y": rng.uniform(0, 1, (M, N_)), "K": rng.standard_normal((P, M)), "Qm": rng.standard_normal((P, N_)),
        "V": rng.standard_normal((Q, M)), "X": np.eye(N_) + 0.2 * rng.uniform(-1, 1, (N_, N_)),
    }


def _softmax(z):
    e = np.exp(z - z.max(axis=0))
    return e / e.sum(axis=0)


def _lse(z):
    return np.log(np.exp(z).sum(axis=0))


# (text, variables to differentiate by, value written with NumPy)
CONSTRUCTS = [
    ("X^-T y", "Xy", lambda v: np.linalg.inv(v["X"]).T @ v["y"]),
    ("X^{-T} y", "X", lambda v: np.linalg.inv(v["X"]).T @ v["y"]),
    ("X^⊤ y", "X", lambda v: v["X"].T @ v["y"]),
    ("x ^ T y", "x", lambda v: v["x"] @ v["y"]),
    ("‖x‖", "x", lambda v: np.linalg.norm(v["x"])),
    ("‖A‖_F", "A", lambda v: np.linalg.norm(v["A"])),
    ("‖x - y‖_1", "xy", lambda v: np.abs(v["x"] - v["y"]).sum()),
    ("‖x‖ ‖y‖", "x", lambda v: np.linalg.norm(v["x"]) * np.linalg.norm(v["y"])),
    # Nested bars: a bar with a space before it and an operand after it opens a norm.
    ("‖A ‖x‖ x‖", "Ax", lambda v: np.linalg.norm(v["A"] @ v["x"]) * np.linalg.norm(v["x"])),
    ("|| ||x||_1 y - x ||", "xy", lambda v: np.linalg.norm(np.abs(v["x"]).sum() * v["y"] - v["x"])),
    ("‖x ‖y‖‖", "xy", lambda v: np.linalg.norm(v["x"]) * np.linalg.norm(v["y"])),
    ("s^(1/3)", "s", lambda v: v["s"] ** (1 / 3)),
    ("s^t", "st", lambda v: v["s"] ** v["t"]),
    ("(c^2 q^T q)^(1/3)", "cq", lambda v: (v["c"] ** 2 * v["q"] @ v["q"]) ** (1 / 3)),
    ("q .^ t", "qt", lambda v: v["q"] ** v["t"]),
    ("q .^ (1/2)", "q", lambda v: v["q"] ** 0.5),
    ("q .^ (t - s)", "qts", lambda v: v["q"] ** (v["t"] - v["s"])),
    ("pi x^T x + π", "x", lambda v: math.pi * v["x"] @ v["x"] + math.pi),
    ("λ x^T x + alpha sum(x) + eps", "xλ", lambda v: v["λ"] * v["x"] @ v["x"] + v["alpha"] * v["x"].sum() + v["eps"]),
    ("mean(x)", "x", lambda v: v["x"].mean()),
    ("mean(A .* B)", "A", lambda v: (v["A"] * v["B"]).mean()),
    ("softmax(Z)", "Z", lambda v: _softmax(v["Z"])),
    ("log_softmax(Z)", "Z", lambda v: np.log(_softmax(v["Z"]))),
    ("logsumexp(Z)", "Z", lambda v: _lse(v["Z"])),
    ("log_softmax(A x)", "x", lambda v: np.log(_softmax(v["A"] @ v["x"]))),
    ("V softmax(K^T Qm)", "KQm", lambda v: v["V"] @ _softmax(v["K"].T @ v["Qm"])),
    ("-sum(Y .* log_softmax(Z))", "Z", lambda v: -(v["Y"] * np.log(_softmax(v["Z"]))).sum()),
    ("sum(logsumexp(Z)) - tr(Y^T Z)", "Z", lambda v: _lse(v["Z"]).sum() - np.trace(v["Y"].T @ v["Z"])),
    ("norm(x, 1)", "x", lambda v: np.abs(v["x"]).sum()),
    ("max(0, A x + a)", "xA", lambda v: np.maximum(0, v["A"] @ v["x"] + v["a"])),
    ("max(A, B)", "AB", lambda v: np.maximum(v["A"], v["B"])),
    ("min(x, y) .* x", "xy", lambda v: np.minimum(v["x"], v["y"]) * v["x"]),
    ("min(c, x)", "cx", lambda v: np.minimum(v["c"], v["x"])),
]
IDS = [text for text, _, _ in CONSTRUCTS]


def _same(got, want):
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(want, dtype=float), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("text,wrt,value", CONSTRUCTS, ids=IDS)
def test_value_text_and_numpy(text, wrt, value):
    v = _values()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # none of these is a typo
        e = parse(text, WHERE)
    _same(e.evaluate(v), value(v))
    _same(parse(str(e), WHERE).evaluate(v), value(v))
    _same(run_generated(e, v), value(v))


def _derivatives():
    for text, wrt, _ in CONSTRUCTS:
        names = parse(text, WHERE).free_symbols()
        for var in sorted(names, key=len, reverse=True):
            if var in wrt:
                yield text, var


DERIVATIVES = list(_derivatives())


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("layout", ["numerator", "denominator"])
@pytest.mark.parametrize("text,var", DERIVATIVES, ids=[f"{t}-d{v}" for t, v in DERIVATIVES])
def test_derivatives(text, var, layout, order):
    v = _values()
    result = assert_derivative(text, var, v, layout, where=WHERE, order=order, rtol=1e-4, atol=1e-5)
    if not isinstance(result, IndexExpr):
        # Matrix notation prints back: the same value from the text alone (where the
        # text fixes every size: `ones` and `I` of no variable's size need them given).
        back = parse(str(result), WHERE)
        try:
            _same(back.evaluate(v), result.evaluate(v))
        except EvaluationError as e:
            assert "size of dimension" in str(e) and any(
                isinstance(n, (N.Ones, N.Identity)) for n in N.walk(back)), e
        _same(run_generated(result, v), result.evaluate(v))


needs_node = pytest.mark.skipif(katex.node_missing() is not None, reason=katex.node_missing() or "")


@needs_node
def test_latex_renders():
    formulas = [parse(text, WHERE).latex() for text, _, _ in CONSTRUCTS]
    formulas += [symmat.diff(text, var, where=WHERE).latex() for text, var in DERIVATIVES]
    errors = katex.render(formulas)
    bad = [(f, e) for f, e in zip(formulas, errors) if e is not None]
    assert not bad, bad


@pytest.mark.parametrize("text,latex", [
    ("X^-T", r"X^{-\top}"),
    ("s^t", "s^{t}"),
    ("q .^ t", r"q^{\circ t}"),
    ("s^(1/3)", "s^{1/3}"),
    ("‖x‖_1", r"\left\|x\right\|_1"),
    ("max(0, x)", r"\max\left(0, x\right)"),
    ("pi", r"\pi"),
])
def test_latex_spellings(text, latex):
    assert parse(text, WHERE).latex() == latex


# ------------------------------------------------------------------ parsing decisions
@pytest.mark.parametrize("text,same_as", [
    ("X^-T", "X^-1^T"),
    ("X^{-T}", "inv(X)^T"),
    ("X^(-T)", "inv(X)^T"),
    ("x ^ T", "x^T"),
    ("X^⊤", "X^T"),
    ("‖x‖", "norm(x)"),
    ("‖X‖_F", "norm(X)"),
    ("‖x‖_2", "norm(x)"),
    ("‖x‖_1", "norm(x, 1)"),
    ("||x||", "norm(x)"),
    ("||A||_F^2", "norm(A)^2"),
    ("||x||_1 + ||y||", "norm(x, 1) + norm(y)"),
    ("‖‖x‖ y‖", "norm(norm(x) y)"),
    ("‖‖x‖‖", "norm(norm(x))"),
    ("‖A ‖x‖ x‖", "norm(A norm(x) x)"),
    ("‖2 ‖x‖ x‖", "norm(2 norm(x) x)"),
    ("|| ||x|| x ||", "norm(norm(x) x)"),
    ("‖x‖‖y‖", "norm(x) norm(y)"),
    ("‖x‖ -y", "norm(x) - y"),
    ("norm(x, 2)", "norm(x)"),
    ("max(0, x)", "relu(x)"),
    ("s^{1/3}", "s^(1/3)"),
    ("π", "pi"),
])
def test_spellings(text, same_as):
    v = _values()
    _same(parse(text, WHERE).evaluate(v), parse(same_as, WHERE).evaluate(v))


def test_scalar_names_need_no_declaration():
    for name in ["α", "λ", "τ", "alpha", "lambda", "eps", "epsilon", "rho"]:
        assert parse(f"{name} x").shape == ("m",), name
        assert parse(f"{name}(x + y)").shape == ("m",), name  # a product, not a call
    assert parse("pi x^T x").shape == ()
    assert parse("x .^ t").free_symbols()["t"].shape == ()  # a bare name as exponent is a scalar
    assert parse("pi", "pi: n").shape == ("n",)  # a declaration wins


def test_third_derivative_of_abstract_function_parses():
    for text in ["∇³g(x)", "∇^3g(x)"]:
        e = parse(text)
        assert isinstance(e, N.Call) and e.order == 3 and e.name == "g"
    assert str(parse("∇^3g(x)")) == "∇^3g(x)"
    assert parse("∇³g(x) + ∇²g(x)" if False else "∇²g(x) x").shape == ("m",)


@pytest.mark.parametrize("text,error,words", [
    ("X^p", ShapeError, "a matrix power needs a constant integer exponent"),
    ("s^(x + y)", ShapeError, "an exponent must be a scalar"),
    ("x .^ y", None, None),
    ("s^(1/0)", ParseError, "divides by zero"),
    ("norm(x, 3)", ParseError, "p = 1 or p = 2"),
    ("‖X‖_2", ShapeError, "spectral norm"),
    ("max(x, A)", ShapeError, None),
    ("‖x", ParseError, None),
    ("||x", ParseError, None),
    ("|x|", ParseError, "abs(x)"),
    ("softmax(s)", ShapeError, "a vector or a matrix"),
])
def test_refusals(text, error, words):
    where = "s: scalar"
    if error is None:
        parse(text, where)
        return
    with pytest.raises(error) as info:
        parse(text, where)
    if words:
        assert words in str(info.value)


# ------------------------------------------------------------------ typos
@pytest.mark.parametrize("text,builtin", [
    ("sigmod(w^T x)", "sigmoid"), ("sofmax(x)", "softmax"), ("logdett(X)", "logdet"),
    ("trr(X)", "tr"), ("Sigmoid(w^T x)", "sigmoid"), ("Tr(X)", "tr"), ("meen(x)", "mean"),
])
def test_typos_warn(text, builtin):
    with pytest.warns(SymmatWarning, match=f"did you mean {builtin}\\?"):
        e = parse(text)
    assert e.abstract_functions()  # still read as an abstract function, never a product
    assert e.shape == ()


def test_no_warning_for_ordinary_or_declared_names():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parse("g(x) + f(W x) + loss(y) + phi(x)")
        parse("sigmod(x)", "sigmod: function")
        parse("X(A + B)")  # an uppercase name before ( is still a product


def test_cli_prints_the_warning_on_stderr(capsys):
    from symmat.cli import main

    assert main(["diff", "sigmod(w^T x)", "--wrt", "w"]) == 0
    out, err = capsys.readouterr()
    assert "did you mean sigmoid?" in err and "did you mean" not in out
    assert "Traceback" not in err


# ------------------------------------------------------------------ evaluation rules
def test_scalar_value_is_never_a_size():
    e = parse("norm(X w - y)^2 / (2 n)", where="n: scalar")
    assert "n" not in {d for s in e.free_symbols().values() for d in s.shape}
    rng = np.random.default_rng(1)
    X, w, y = rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal(3)
    _same(e.evaluate({"X": X, "w": w, "y": y, "n": 5}), np.sum((X @ w - y) ** 2) / 10)
    assert_derivative(e, "w", {"X": X, "w": w, "y": y, "n": 5})


def test_scalar_value_does_not_size_identity():
    e = parse("tr(I) + m", where="m: scalar")
    assert e.shape == ()
    with pytest.raises(EvaluationError, match="size of dimension"):
        e.evaluate({"m": 2})
    (dim,) = {d for n in N.walk(e) if isinstance(n, N.Identity) for d in n.type.shape}
    assert e.evaluate({"m": 2, dim: 3}) == 5


def test_dimension_and_variable_names_do_not_clash():
    with pytest.raises(DeclarationError, match="also used as a dimension"):
        parse("W x", "n: scalar; W: m x n")
    e = parse("W x + sum(n) x", "W: m x m")  # a vector named like no dimension in use
    assert "n" not in {d for s in e.free_symbols().values() if s.name != "n" for d in s.shape}


def test_column_arrays_are_accepted_for_vectors():
    e = parse("W x")
    W, x = np.arange(12.0).reshape(3, 4), np.arange(4.0)
    _same(e.evaluate({"W": W, "x": x.reshape(4, 1)}), W @ x)
    _same(parse("x^T W^T").evaluate({"W": W, "x": x.reshape(1, 4)}), x @ W.T)
    with pytest.raises(EvaluationError):
        e.evaluate({"W": W, "x": np.ones((2, 2))})


def test_complex_values_are_refused():
    with pytest.raises(EvaluationError, match="complex"):
        parse("x^T x").evaluate({"x": np.ones(3) * 1j})
    with pytest.raises(EvaluationError, match="complex"):
        parse("g(x)").evaluate({"x": np.ones(3), "g": lambda u: 1j})


# ------------------------------------------------------------------ SymPy
SYMPY_CASES = [
    "q .^ t", "s^t", "s^(1/3)", "max(0, A x + a)", "min(A, B)", "max(s, t)", "mean(x)", "mean(A)",
    "norm(x, 1)", "softmax(Z)", "logsumexp(Z)", "log_softmax(Z)", "log_softmax(A x)", "pi x^T x",
    "V softmax(K^T Qm)",
]


@pytest.mark.parametrize("text", SYMPY_CASES)
def test_to_sympy_keeps_the_value(text):
    from symmat.interop.sympy import sympy_value

    e = parse(text, WHERE)
    v = _values()
    _same(sympy_value(e.to_sympy(), v), e.evaluate(v))


def test_ml_gradients_read_as_matrices():
    """Batched cross-entropy: the gradient textbooks write, checked by value too."""
    for text, want in [
        ("-sum(Y .* log_softmax(Z))", "softmax(Z) diag(Y^T ones) - Y"),
        ("sum(logsumexp(Z)) - tr(Y^T Z)", "softmax(Z) - Y"),
    ]:
        result = assert_derivative(text, "Z", _values(), "denominator", where=WHERE)
        assert str(result) == want
    # attention: the gradients by keys and queries come out in matrix notation
    for var in ("K", "Qm"):
        for layout in ("numerator", "denominator"):
            result = assert_derivative("sum(V softmax(K^T Qm))", var, _values(), layout, where=WHERE)
            assert not isinstance(result, IndexExpr), str(result)
            _same(parse(str(result), WHERE).evaluate(_values()), result.evaluate(_values()))


@pytest.mark.parametrize("text,var", DERIVATIVES[::3], ids=[f"{t}-d{v}" for t, v in DERIVATIVES[::3]])
def test_steps_answer_or_refuse_cleanly(text, var, capsys):
    """--emit steps derives what it knows and refuses the rest with a message (exit 2)."""
    from symmat.cli import main

    status = main(["diff", text, "--wrt", var, "--where", WHERE, "--emit", "steps"])
    out, err = capsys.readouterr()
    assert status in (0, 2) and "Traceback" not in err
    assert (status == 0) == bool(out)


# ------------------------------------------------------------------ functions of several arguments
FN_WHERE = "g: R^n x R^m -> R; h: R^n -> R^m; W: n x p; x: p; y: m; z: n"
_A = np.random.default_rng(5).standard_normal((M, N_))
_a, _b = np.random.default_rng(6).standard_normal(N_), np.random.default_rng(7).standard_normal(M)


def _fn_values() -> dict:
    """g(u, v) = sin(aᵀu) vᵀv + uᵀu bᵀv (not separable: mixed partials matter); h(u) = tanh(A u)."""
    rng = np.random.default_rng(8)
    a, b, A = _a, _b, _A

    def dh(u):
        return (1 - np.tanh(A @ u) ** 2)[:, None] * A

    return {
        "W": rng.standard_normal((N_, P)), "x": rng.standard_normal(P), "y": rng.standard_normal(M),
        "z": rng.standard_normal(N_),
        "g": lambda u, v: np.sin(a @ u) * (v @ v) + (u @ u) * (b @ v),
        "∇_1g": lambda u, v: np.cos(a @ u) * (v @ v) * a + 2 * u * (b @ v),
        "∇_2g": lambda u, v: np.sin(a @ u) * 2 * v + (u @ u) * b,
        "∇²_{1,1}g": lambda u, v: -np.sin(a @ u) * (v @ v) * np.outer(a, a) + 2 * (b @ v) * np.eye(N_),
        "∇²_{1,2}g": lambda u, v: np.cos(a @ u) * np.outer(a, 2 * v) + 2 * np.outer(u, b),
        "∇²_{2,2}g": lambda u, v: 2 * np.sin(a @ u) * np.eye(M),
        "h": lambda u: np.tanh(A @ u),
        "∇h": dh,
        "∇²h": lambda u: (
            (-2 * np.tanh(A @ u) * (1 - np.tanh(A @ u) ** 2))[:, None, None] * A[:, :, None] * A[:, None, :]
        ),
    }


FN_CASES = [
    ("g(W x, y)", "W"), ("g(W x, y)", "x"), ("g(W x, y)", "y"), ("h(z)", "z"), ("y^T h(W x)", "x"),
    ("y^T h(W x)", "W"), ("g(z, h(z))", "z"), ("g(W x, h(W x))", "x"), ("norm(h(z))^2", "z"),
    ("g(z, y) h(z)", "z"),
]


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("layout", ["numerator", "denominator"])
@pytest.mark.parametrize("text,var", FN_CASES, ids=[f"{t}-d{v}" for t, v in FN_CASES])
def test_several_argument_functions(text, var, layout, order):
    v = _fn_values()
    result = assert_derivative(text, var, v, layout, where=FN_WHERE, order=order)
    if not isinstance(result, IndexExpr):
        _same(parse(str(result), FN_WHERE).evaluate(v), result.evaluate(v))
    _same(run_generated(result, v), result.evaluate(v))


def test_several_argument_results_read_as_the_chain_rule():
    assert str(symmat.diff("g(W x, y)", "W", where=FN_WHERE, layout="denominator")) == "∇_1g(W x, y) x^T"
    assert str(symmat.diff("g(W x, y)", "W", where=FN_WHERE)) == "x ∇_1g(W x, y)^T"
    assert str(symmat.diff("y^T h(W x)", "x", where=FN_WHERE)) == "y^T ∇h(W x) W"
    assert str(symmat.diff("h(z)", "z", where=FN_WHERE)) == "∇h(z)"  # the m x n Jacobian
    assert symmat.diff("h(z)", "z", where=FN_WHERE).shape == ("m", "n")


@pytest.mark.parametrize("text,printed", [
    ("∇²_{2,1}g(z, y)", "∇²_{1,2}g(z, y)^T"),
    ("∇²_{2,1}g(z, y)^T", "(∇²_{1,2}g(z, y)^T)^T"),  # parse keeps what is written; diff simplifies
    ("y^T ∇²_{2,1}g(z, y) z", "y^T ∇²_{1,2}g(z, y)^T z"),
])
def test_mixed_partials_in_any_order(text, printed):
    """∇²_{2,1}g(z, y)[j, i] = ∂²g/∂y_j∂z_i: mixed partials of a smooth g are equal, so it
    is ∇²_{1,2}g(z, y) transposed, printed that way and parsing back."""
    v = _fn_values()
    e = parse(text, FN_WHERE)
    assert str(e) == printed
    _same(parse(str(e), FN_WHERE).evaluate(v), e.evaluate(v))
    # Against finite differences of ∇_2g(z, y) by z: entry [j, i] is ∂(∇_2g)_j/∂z_i.
    step, z, y = 1e-6, v["z"], v["y"]
    grad2 = v["∇_2g"]
    fd = np.stack([(grad2(z + step * d, y) - grad2(z - step * d, y)) / (2 * step) for d in np.eye(len(z))], axis=1)
    mixed = parse("∇²_{2,1}g(z, y)", FN_WHERE).evaluate(v)
    np.testing.assert_allclose(mixed, fd, rtol=1e-6, atol=1e-8)
    assert parse("∇²_{2,1}g(s, y)", "s: scalar") == parse("∇²_{1,2}g(s, y)", "s: scalar")  # a scalar: no axes to swap


def test_several_argument_functions_parse_and_refuse():
    e = parse("g(x, y) + ∇_2g(x, y)^T y + ∇²_{1,2}g(x, y) y")  # inferred: no declaration
    assert e.shape == ("m",) and parse("∇²_{1,2}g(x, y)", FN_WHERE.replace("x: p", "x: n")).shape == ("n", "m")
    with pytest.raises(symmat.SymmatError, match=r"rank 3.*write ∇\^3_\{1,1,2\}g"):
        parse("∇³_{2,1,1}g(x, y)")
    with pytest.raises(symmat.SymmatError, match="rank 3"):
        parse("∇²_{2,1}g(X, y)")
    assert parse("k(c, x)", "c: scalar").shape == ()
    with pytest.raises(symmat.SymmatError, match="takes 2 arguments, not 1"):
        parse("g(x)", FN_WHERE)
    with pytest.raises(symmat.SymmatError, match="needs the argument"):
        parse("∇g(x, y)")
    with pytest.raises(symmat.SymmatError, match="as argument 2"):
        parse("g(z, z)", FN_WHERE)


@needs_node
def test_several_argument_latex_renders():
    formulas = [parse(t, FN_WHERE).latex() for t, _ in FN_CASES]
    formulas += [symmat.diff(t, v, where=FN_WHERE).latex() for t, v in FN_CASES]
    errors = katex.render(formulas)
    assert not [f for f, e in zip(formulas, errors) if e is not None]


def test_the_issues_examples():
    """Issue 11's list, as written there, with values in their domains."""
    rng = np.random.default_rng(3)
    pos = lambda *shape: rng.uniform(0.5, 1.5, shape)
    v = {"c": pos(4), "a": pos(4), "x": pos(5), "b": pos(5), "t": 0.7, "s": 1.3, "p": 0.4}
    for text, var in [("(c^T a x^T b)^(1/3)", "x"), ("x .^ t", "t"), ("x .^ t", "x"), ("s^p", "p"), ("s^p", "s")]:
        e = parse(text, "t: scalar; s: scalar; p: scalar")
        assert_derivative(e, var, v, "numerator", order=2 if var != "x" else 1)
        _same(parse(str(e), "t: scalar; s: scalar; p: scalar").evaluate(v), e.evaluate(v))
    # d/dt x .^ t = log(x) .* x .^ t, entry by entry
    d = symmat.diff("x .^ t", "t", where="t: scalar")
    _same(d.evaluate(v), np.log(v["x"]) * v["x"] ** v["t"])
    assert parse("pi x^T x").free_symbols().keys() == {"x"}
    assert parse("λ x + alpha y").free_symbols()["alpha"].shape == ()
    for typo in ["sigmod(w^T x)", "sofmax(x)", "logdett(X)", "trr(X)", "Sigmoid(w^T x)", "Tr(X)"]:
        with pytest.warns(SymmatWarning):
            parse(typo)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert parse("mean(x) + max(x, y)^T min(x, y)").shape == ()


@pytest.mark.parametrize("argv", [
    ["g(W x, y)", "--wrt", "W", "--where", "W: 20 x 30; g: R^20 x R^m -> R"],
    ["y^T h(W x)", "--wrt", "x", "--where", "W: 20 x 30; h: R^20 -> R^15"],
    ["sum(x .^ t) + max(0, x)^T softmax(X) mean(X)", "--wrt", "x", "--where", "t: scalar; X: 14 x 14"],
])
def test_check_covers_the_new_constructs(argv, capsys):
    from symmat.cli import main

    assert main(["diff", *argv, "--check"]) == 0
    assert "max relative error" in capsys.readouterr().err
