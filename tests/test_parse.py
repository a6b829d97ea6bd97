"""Parser: every construct of contract §1 (parse -> shape -> value against NumPy written
by hand), the ambiguity decisions, inference without declarations, and size limits."""
from __future__ import annotations

import numpy as np
import pytest

from symmat import nodes as N
from symmat import parse

# Sizes are distinct so that a transposed or mismatched operand cannot pass by accident.
M, N_, P = 3, 4, 5
WHERE = (
    "W: m x n; A: m x n; B: m x n; V: n x p; X: n x n; Y: n x n; "
    "x: n; y: n; z: n; a: m; b: m; c: scalar; d: scalar; "
    "g: R^n -> R; h: function; s: elementwise"
)


def _spd(rng, n):
    """A well-conditioned symmetric positive definite matrix."""
    q = rng.standard_normal((n, n))
    return q @ q.T / n + np.eye(n)


@pytest.fixture(scope="module")
def v():
    rng = np.random.default_rng(7)
    return {
        "W": rng.standard_normal((M, N_)),
        "A": rng.standard_normal((M, N_)),
        "B": rng.uniform(0.5, 2.0, (M, N_)),  # divisor of ./
        "V": rng.standard_normal((N_, P)),
        "X": _spd(rng, N_),
        "Y": rng.standard_normal((N_, N_)) + 3 * np.eye(N_),
        "x": rng.standard_normal(N_),
        "y": rng.standard_normal(N_),
        "z": rng.standard_normal(N_),
        "a": rng.standard_normal(M),
        "b": rng.standard_normal(M),
        "c": 1.7,
        "d": -0.4,
        "g": lambda u: float(np.sum(u ** 3)),
        "∇g": lambda u: 3 * u ** 2,
        "∇²g": lambda u: np.diag(6 * u),
        "h": lambda u: float(np.sum(np.sin(u))),
        "s": lambda u: u ** 3,
        "s'": lambda u: 3 * u ** 2,
        "s''": lambda u: 6 * u,
    }


def _sig(t):
    return 1 / (1 + np.exp(-t))


# (text, expected shape, value written with NumPy)
CONSTRUCTS = [
    # products
    ("W x", ("m",), lambda v: v["W"] @ v["x"]),
    ("W * x", ("m",), lambda v: v["W"] @ v["x"]),
    ("W @ x", ("m",), lambda v: v["W"] @ v["x"]),
    ("W V", ("m", "p"), lambda v: v["W"] @ v["V"]),
    ("W·V", ("m", "p"), lambda v: v["W"] @ v["V"]),
    ("x^T y", (), lambda v: v["x"] @ v["y"]),
    ("x y^T", ("n", "n"), lambda v: np.outer(v["x"], v["y"])),
    ("a x^T", ("m", "n"), lambda v: np.outer(v["a"], v["x"])),
    ("a^T W", ("n",), lambda v: v["a"] @ v["W"]),
    ("a^T W x", (), lambda v: v["a"] @ v["W"] @ v["x"]),
    ("x^T X x", (), lambda v: v["x"] @ v["X"] @ v["x"]),
    ("c W", ("m", "n"), lambda v: v["c"] * v["W"]),
    ("W c", ("m", "n"), lambda v: v["c"] * v["W"]),
    ("c d", (), lambda v: v["c"] * v["d"]),
    ("2 x", ("n",), lambda v: 2 * v["x"]),
    ("2x", ("n",), lambda v: 2 * v["x"]),
    ("W (x + y)", ("m",), lambda v: v["W"] @ (v["x"] + v["y"])),
    ("W(x + y)", ("m",), lambda v: v["W"] @ (v["x"] + v["y"])),
    ("(W x)^T a", (), lambda v: (v["W"] @ v["x"]) @ v["a"]),
    # transposes
    ("W^T", ("n", "m"), lambda v: v["W"].T),
    ("W'", ("n", "m"), lambda v: v["W"].T),
    ("Wᵀ", ("n", "m"), lambda v: v["W"].T),
    ("W^{T}", ("n", "m"), lambda v: v["W"].T),
    ("W^T^T", ("m", "n"), lambda v: v["W"]),
    ("x' y", (), lambda v: v["x"] @ v["y"]),
    ("a'W", ("n",), lambda v: v["a"] @ v["W"]),
    # sums
    ("A + B", ("m", "n"), lambda v: v["A"] + v["B"]),
    ("A - B", ("m", "n"), lambda v: v["A"] - v["B"]),
    ("A − B", ("m", "n"), lambda v: v["A"] - v["B"]),
    ("-A", ("m", "n"), lambda v: -v["A"]),
    ("A - B + W - A", ("m", "n"), lambda v: v["A"] - v["B"] + v["W"] - v["A"]),
    ("a -b", ("m",), lambda v: v["a"] - v["b"]),
    ("A + c", ("m", "n"), lambda v: v["A"] + v["c"]),
    ("c + A", ("m", "n"), lambda v: v["A"] + v["c"]),
    ("x - 1", ("n",), lambda v: v["x"] - 1),
    ("--x", ("n",), lambda v: v["x"]),
    ("-x^T y", (), lambda v: -(v["x"] @ v["y"])),
    # elementwise products
    ("A .* B", ("m", "n"), lambda v: v["A"] * v["B"]),
    ("A ⊙ B", ("m", "n"), lambda v: v["A"] * v["B"]),
    ("A ∘ B", ("m", "n"), lambda v: v["A"] * v["B"]),
    ("A ./ B", ("m", "n"), lambda v: v["A"] / v["B"]),
    ("x .* y + z", ("n",), lambda v: v["x"] * v["y"] + v["z"]),
    ("c .* A", ("m", "n"), lambda v: v["c"] * v["A"]),
    ("2 A .* B", ("m", "n"), lambda v: 2 * v["A"] * v["B"]),
    ("A .* B V", ("m", "p"), lambda v: (v["A"] * v["B"]) @ v["V"]),
    # division
    ("a / c", ("m",), lambda v: v["a"] / v["c"]),
    ("W / (1 + c^2)", ("m", "n"), lambda v: v["W"] / (1 + v["c"] ** 2)),
    ("x^T y / c", (), lambda v: v["x"] @ v["y"] / v["c"]),
    ("1 / c", (), lambda v: 1 / v["c"]),
    # powers
    ("c^2", (), lambda v: v["c"] ** 2),
    ("c^-1", (), lambda v: 1 / v["c"]),
    ("c^0.5", (), lambda v: v["c"] ** 0.5),
    ("-c^2", (), lambda v: -(v["c"] ** 2)),
    ("X^2", ("n", "n"), lambda v: v["X"] @ v["X"]),
    ("X^3", ("n", "n"), lambda v: v["X"] @ v["X"] @ v["X"]),
    ("X^-1", ("n", "n"), lambda v: np.linalg.inv(v["X"])),
    ("X^{-1}", ("n", "n"), lambda v: np.linalg.inv(v["X"])),
    ("X^(-1)", ("n", "n"), lambda v: np.linalg.inv(v["X"])),
    ("X^-2", ("n", "n"), lambda v: np.linalg.inv(v["X"] @ v["X"])),
    ("A .^ 2", ("m", "n"), lambda v: v["A"] ** 2),
    ("B .^ -1", ("m", "n"), lambda v: 1 / v["B"]),
    ("B .^ 0.5", ("m", "n"), lambda v: np.sqrt(v["B"])),
    # Kronecker
    ("kron(A, B)", ("m*m", "n*n"), lambda v: np.kron(v["A"], v["B"])),
    ("A ⊗ X", ("m*n", "n*n"), lambda v: np.kron(v["A"], v["X"])),
    ("kron(x, a)", ("m*n",), lambda v: np.kron(v["x"], v["a"])),
    # matrix functions
    ("tr(X)", (), lambda v: np.trace(v["X"])),
    ("tr(W^T W)", (), lambda v: np.trace(v["W"].T @ v["W"])),
    ("det(X)", (), lambda v: np.linalg.det(v["X"])),
    ("logdet(X)", (), lambda v: np.log(np.linalg.det(v["X"]))),
    ("inv(Y)", ("n", "n"), lambda v: np.linalg.inv(v["Y"])),
    ("diag(x)", ("n", "n"), lambda v: np.diag(v["x"])),
    ("diag(X)", ("n",), lambda v: np.diag(v["X"])),
    ("vec(W)", ("m*n",), lambda v: v["W"].flatten(order="F")),
    ("sum(W)", (), lambda v: v["W"].sum()),
    ("sum(x)", (), lambda v: v["x"].sum()),
    ("norm(x)", (), lambda v: np.sqrt(v["x"] @ v["x"])),
    ("norm(W)", (), lambda v: np.sqrt((v["W"] ** 2).sum())),
    ("norm(W x - a)^2", (), lambda v: np.sum((v["W"] @ v["x"] - v["a"]) ** 2)),
    ("tr(X)^2", (), lambda v: np.trace(v["X"]) ** 2),
    # elementwise functions
    ("exp(W)", ("m", "n"), lambda v: np.exp(v["W"])),
    ("log(B)", ("m", "n"), lambda v: np.log(v["B"])),
    ("sin(W)", ("m", "n"), lambda v: np.sin(v["W"])),
    ("cos(x)", ("n",), lambda v: np.cos(v["x"])),
    ("tanh(W x)", ("m",), lambda v: np.tanh(v["W"] @ v["x"])),
    ("sqrt(B)", ("m", "n"), lambda v: np.sqrt(v["B"])),
    ("sigmoid(W)", ("m", "n"), lambda v: _sig(v["W"])),
    ("relu(W)", ("m", "n"), lambda v: np.maximum(v["W"], 0)),
    ("softplus(x)", ("n",), lambda v: np.log1p(np.exp(v["x"]))),
    ("abs(W)", ("m", "n"), lambda v: np.abs(v["W"])),
    ("exp(c)", (), lambda v: np.exp(v["c"])),
    ("sin'(x)", ("n",), lambda v: np.cos(v["x"])),
    # vector functions
    ("softmax(z)", ("n",), lambda v: np.exp(v["z"]) / np.exp(v["z"]).sum()),
    ("logsumexp(z)", (), lambda v: np.log(np.exp(v["z"]).sum())),
    ("logsumexp(W x)", (), lambda v: np.log(np.exp(v["W"] @ v["x"]).sum())),
    # identity and ones, sized by context
    ("X + I", ("n", "n"), lambda v: v["X"] + np.eye(N_)),
    ("W I", ("m", "n"), lambda v: v["W"]),
    ("I W", ("m", "n"), lambda v: v["W"]),
    ("W ones", ("m",), lambda v: v["W"].sum(axis=1)),
    ("ones^T x", (), lambda v: v["x"].sum()),
    ("x + ones", ("n",), lambda v: v["x"] + 1),
    # abstract functions
    ("g(x)", (), lambda v: np.sum(v["x"] ** 3)),
    ("g(W^T a)", (), lambda v: np.sum((v["W"].T @ v["a"]) ** 3)),
    ("h(W^T a) + h(x)", (), lambda v: np.sum(np.sin(v["W"].T @ v["a"])) + np.sum(np.sin(v["x"]))),
    ("∇g(x)", ("n",), lambda v: 3 * v["x"] ** 2),
    ("∇²g(x)", ("n", "n"), lambda v: np.diag(6 * v["x"])),
    ("x^T ∇²g(x) x", (), lambda v: v["x"] @ np.diag(6 * v["x"]) @ v["x"]),
    ("s(W)", ("m", "n"), lambda v: v["W"] ** 3),
    ("s'(W)", ("m", "n"), lambda v: 3 * v["W"] ** 2),
    ("s''(x)", ("n",), lambda v: 6 * v["x"]),
    # numbers
    ("2", (), lambda v: 2.0),
    ("0.5", (), lambda v: 0.5),
    ("1e-3", (), lambda v: 1e-3),
    ("2.5E+2 c", (), lambda v: 250 * v["c"]),
    (".5 x", ("n",), lambda v: 0.5 * v["x"]),
    # precedence: sums < products < unary minus < powers/transposes
    ("A + B .* W", ("m", "n"), lambda v: v["A"] + v["B"] * v["W"]),
    ("-W x", ("m",), lambda v: -(v["W"] @ v["x"])),
    ("a^T W x + c^2 - 1", (), lambda v: v["a"] @ v["W"] @ v["x"] + v["c"] ** 2 - 1),
    ("(A + B)^T a", ("n",), lambda v: (v["A"] + v["B"]).T @ v["a"]),
    ("W x / c / d", ("m",), lambda v: v["W"] @ v["x"] / v["c"] / v["d"]),
    ("c W x ./ (1 + exp(-W x))", ("m",), lambda v: v["c"] * (v["W"] @ v["x"]) / (1 + np.exp(-v["W"] @ v["x"]))),
]


@pytest.mark.parametrize("text,shape,expected", CONSTRUCTS, ids=[c[0] for c in CONSTRUCTS])
def test_construct(text, shape, expected, v):
    e = parse(text, WHERE)
    assert e.shape == shape
    got = e.evaluate(v)
    want = expected(v)
    assert np.shape(got) == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_second_derivative_of_builtin_elementwise(v):
    """``tanh''`` comes from differentiating the table's ``tanh'`` with the engine."""
    t = np.tanh(v["x"])
    np.testing.assert_allclose(parse("tanh''(x)", WHERE).evaluate(v), -2 * t * (1 - t ** 2))


# ------------------------------------------------------------------ ambiguity decisions
def test_call_without_space_is_a_call_for_lowercase_names():
    e = parse("f(x)")
    assert isinstance(e, N.Call) and e.name == "f" and e.shape == ()


def test_space_before_parenthesis_makes_a_product():
    e = parse("W (x)")
    assert isinstance(e, N.MatMul) and e.shape == ("m",)


def test_uppercase_or_declared_variable_before_parenthesis_is_a_product():
    assert isinstance(parse("X(A + B)"), N.MatMul)
    e = parse("c(x + y)", "c: scalar")
    assert isinstance(e, N.MatMul) and e.shape == ("m",)


def test_name_used_as_variable_first_then_followed_by_parenthesis_is_a_product():
    e = parse("x + x(c)", "c: scalar")
    assert isinstance(e.args[1], N.MatMul) and e.shape == ("m",)


def test_prime_is_transpose_except_on_elementwise_functions():
    assert isinstance(parse("x'"), N.Transpose)
    assert parse("x' y").shape == ()
    e = parse("sin'(x)")
    assert isinstance(e, N.Elementwise) and e.order == 1
    e = parse("s''(X)", "s: elementwise")
    assert isinstance(e, N.Elementwise) and e.order == 2 and e.is_abstract
    # f is not elementwise: f' is a transpose and (x) multiplies it.
    e = parse("f'(x)")
    assert isinstance(e, N.MatMul) and isinstance(e.args[0], N.Transpose) and e.shape == ()


def test_minus_with_space_before_only_is_a_difference():
    e = parse("a -b")
    assert isinstance(e, N.Add) and isinstance(e.args[1], N.Neg)


def test_number_juxtaposed_with_a_name_is_a_product():
    e = parse("2x")
    assert isinstance(e, N.MatMul) and e.args[0] == N.Number(2)


def test_double_transpose_is_the_original_value():
    e = parse("x^T^T")
    assert e.shape == ("m",) and not e.type.row
    assert parse("x^T^T^T").type.row


def test_unary_minus_binds_looser_than_power():
    e = parse("-c^2", "c: scalar")
    assert isinstance(e, N.Neg) and isinstance(e.args[0], N.Power)
    assert e.evaluate({"c": 3.0}) == -9.0


def test_inverse_spellings_are_one_node():
    assert parse("X^-1") == parse("X^{-1}") == parse("X^(-1)")
    assert isinstance(parse("X^-1"), N.Power)


def test_chains_are_flattened_but_parentheses_are_kept():
    assert len(parse("a + b - c + d").args) == 4
    assert len(parse("A B C D").args) == 4
    e = parse("A (B C)")
    assert len(e.args) == 2 and isinstance(e.args[1], N.MatMul)


# ------------------------------------------------------------------ inference
def _shapes(e):
    return {name: sym.shape for name, sym in e.free_symbols().items()}


def test_inference_of_g_of_W_transpose_a():
    e = parse("g(W^T a)")
    m, n = _shapes(e)["W"]
    assert m != n and _shapes(e)["a"] == (m,) and e.shape == ()
    assert e.abstract_functions() == {"g"}


@pytest.mark.parametrize(
    "text,expected",
    [
        ("W x", {"W": ("m", "n"), "x": ("n",)}),
        ("A B C", {"A": ("m", "n"), "B": ("n", "p"), "C": ("p", "q")}),
        ("x^T A x", {"x": ("m",), "A": ("m", "m")}),
        ("tr(A B)", {"A": ("m", "n"), "B": ("n", "m")}),
        ("A + B^T", {"A": ("m", "n"), "B": ("n", "m")}),
        ("x y^T + A", {"x": ("m",), "y": ("n",), "A": ("m", "n")}),
        ("inv(A) b", {"A": ("m", "m"), "b": ("m",)}),
        ("diag(x) A", {"x": ("m",), "A": ("m", "n")}),
        ("g(x) + h(A y)", {"x": ("m",), "A": ("n", "p"), "y": ("p",)}),
    ],
)
def test_inference_without_declarations(text, expected):
    e = parse(text)
    got = _shapes(e)
    # Names are fresh; compare the pattern of equal and distinct dimensions.
    rename: dict = {}
    for name, shape in expected.items():
        for want, have in zip(shape, got[name]):
            assert rename.setdefault(want, have) == have
    assert len(set(rename.values())) == len(rename)


def test_kronecker_sizes_are_products():
    e = parse("kron(A, B) vec(C)")
    (_m, n), (_p, q), (r, s) = (_shapes(e)[k] for k in "ABC")
    assert e.shape == (parse("kron(A, B)").shape[0],)
    assert {r, s} == {q, n}


def test_identity_and_ones_take_sizes_from_context():
    e = parse("W + ones ones^T", "W: m x n")
    assert e.shape == ("m", "n")  # ones ones^T is an outer product sized by W
    e = parse("tr(I)")
    (n,) = e.args[1].shape[:1]
    assert e.evaluate({n: 4}) == 4.0


def test_declarations_fix_dimensions_and_integers_are_kept():
    assert parse("W x", "W: 3 x 4; x: 4").shape == (3,)
    assert parse("W x", {"W": "m x n", "x": ("n",)}).shape == ("m",)
    assert parse("W x", {"W": (3, 4)}).shape == (3,)


def test_fresh_dimension_names_avoid_declared_ones():
    e = parse("W A", "W: n x m")
    assert e.shape[0] == "n" and e.shape[1] not in ("n", "m")


def test_symmetric_is_recorded_on_the_symbol():
    e = parse("x^T S x", "S: n x n symmetric")
    assert e.free_symbols()["S"].symmetric
    assert not parse("x^T S x").free_symbols()["S"].symmetric


def test_declared_function_dimension_fixes_its_argument():
    e = parse("g(W^T a)", "g: R^k -> R")
    assert _shapes(e)["W"][1] == "k"


# ------------------------------------------------------------------ size limits
def test_two_thousand_nested_parentheses():
    assert parse("(" * 2000 + "x" + ")" * 2000).shape == ("m",)


def test_deeply_nested_calls_and_minus_signs():
    assert parse("exp(" * 2000 + "x" + ")" * 2000).shape == ("m",)
    assert parse("-" * 2000 + "x").evaluate({"x": 1.5 * np.ones(3)})[0] == 1.5


def test_sum_of_a_hundred_thousand_terms():
    text = " + ".join(["x"] * 50_000 + ["W y"] * 50_000)
    e = parse(text)
    assert isinstance(e, N.Add) and len(e.args) == 100_000
    value = e.evaluate({"x": np.ones(3), "W": np.ones((3, 4)), "y": np.ones(4)})
    np.testing.assert_allclose(value, 250_000 * np.ones(3))
    assert str(e).count("+") == 99_999


def test_nesting_beyond_the_limit_is_a_parse_error_not_a_crash():
    from symmat import ParseError

    with pytest.raises(ParseError, match="nested"):
        parse("(" * 100_000 + "x" + ")" * 100_000)


# ------------------------------------------------------------------ where clauses
def test_where_names_stand_for_their_definitions(v):
    named = parse("h2^T W h1 + c where h1 = tanh(x + y); h2 = a .* tanh(A h1)", WHERE)
    inline = parse("(a .* tanh(A tanh(x + y)))^T W tanh(x + y) + c", WHERE)
    assert named == inline
    h1 = np.tanh(v["x"] + v["y"])
    h2 = v["a"] * np.tanh(v["A"] @ h1)
    assert np.allclose(named.evaluate(v), h2 @ v["W"] @ h1 + v["c"])


def test_where_name_is_shared_not_copied():
    e = parse("u (u^T) where u = tanh(W x)", WHERE)
    assert e.args[0] is e.args[1].args[0]


def test_where_names_take_types_from_their_definitions():
    # lowercase k is a matrix, uppercase G a scalar, and k(x) is a product like X(x)
    e = parse("k(x) + G ones where k = W^T W; G = x^T x; unused = W", WHERE)
    assert e.shape == ("n",)


def test_where_is_a_keyword_but_longer_names_are_not():
    assert parse("whereas + x", WHERE).free_symbols().keys() == {"whereas", "x"}
    assert parse("x where u = y; ", WHERE) == parse("x", WHERE)


@pytest.mark.parametrize("text, message, column", [
    ("u1 where u1 = u2; u2 = x", "u2 is used before its definition", 14),
    ("u where u = u + x", "u is used before its definition", 12),
    ("x where x = y", "x is a declared variable", 8),
    ("u where u = x; u = y", "u is defined twice", 15),
    ("u where tanh = x", "tanh is a function", 8),
    ("u where h = x", "h is a function", 8),
    ("u where I = x", "I is a built-in constant", 8),
    ("u where u = ", "ends too early", 11),
    ("u where", "ends too early", 7),
])
def test_bad_where_clauses(text, message, column):
    from symmat.errors import ParseError

    with pytest.raises(ParseError, match=message) as info:
        parse(text, WHERE)
    assert info.value.column == column


def test_a_chain_of_two_thousand_names():
    text = "h1999 where h0 = x; " + "; ".join(f"h{k} = tanh(h{k - 1})" for k in range(1, 2000))
    value = np.full(3, 0.5)
    for _ in range(1999):
        value = np.tanh(value)
    np.testing.assert_allclose(parse(text, WHERE).evaluate({"x": np.full(4, 0.5)})[:3], value)
