"""NumPy printer: the generated function computes evaluate()'s value, without
materialising diag/eye/kron in products, with shared subexpressions computed once
and only safe identifiers in the source."""
from __future__ import annotations

import ast
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symmat import nodes as N
from symmat import parse
from symmat.printing.numpy import numpy_parameters, to_numpy
from symmat.printing.pynames import safe_identifier
from symmat.shapes import column, matrix
from tests.strategies import nodes, random_values

WHERE = "a: scalar; b: scalar; c: scalar; s: elementwise; g: R^n -> R; S: n x n symmetric"


def run_generated(expr: N.Expr, values: dict):
    """Executes *our generated* source (never user text) and calls it with ``values``."""
    source = to_numpy(expr, "f")
    namespace: dict = {}
    exec(compile(source, "<generated>", "exec"), namespace)
    args = [values[key] for _, key in numpy_parameters(expr, "f")]
    return namespace["f"](*args)


def assert_matches(expr: N.Expr, values: dict) -> None:
    want = expr.evaluate(values)
    got = run_generated(expr, values)
    assert np.shape(got) == np.shape(want), (to_numpy(expr), np.shape(got), np.shape(want))
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9, err_msg=to_numpy(expr))


def check(text: str, where: str = WHERE, seeds=(0, 1)) -> N.Expr:
    expr = parse(text, where)
    for seed, size in zip(seeds, (3, 4, 5)):
        sizes = {"m": size, "n": size + 1, "p": size + 2, "q": size}
        assert_matches(expr, random_values(expr, np.random.default_rng(seed), sizes))
    return expr


CONSTRUCTS = [
    "W x", "x^T y", "x y^T", "a x", "x a", "A B C", "A^T x", "x^T A", "x^T A y",
    "A + B", "A - B", "-A", "x + a", "A + 1", "A .* B", "A ./ (B .* B + 1)", "A / c",
    "kron(A, B)", "kron(x, y)", "kron(a, A)", "kron(A, B) x", "x^T kron(A, B)", "kron(A, B) C",
    "C kron(A, B)", "kron(A, B)^T x", "kron(I, B) x", "kron(A, I) x", "kron(A, B) (C D)",
    "a^2", "c^0.5", "c^-1", "S^2", "S^3 x", "S^-1", "S^-2 x", "S^10", "A .^ 2", "(A .* A + 1) .^ -0.5",
    "A^T", "x^T", "(A B)^T", "(A B)^T x", "((A B)^T)^T", "(-(A B))^T x",
    "tr(S)", "tr(A B)", "tr(A B C)", "tr(x y^T)", "tr(x y^T A)", "2 tr(-A B)", "det(S)", "logdet(S)",
    "inv(S)", "inv(S) x", "x^T inv(S)", "A inv(S)", "inv(S)^T x", "inv(S) inv(S)", "inv(S)^T",
    "diag(x)", "diag(x) A", "A diag(x)", "x^T diag(y)", "diag(x) y", "diag(x) diag(y)", "diag(A)",
    "diag(x)^T A", "vec(A)", "vec(x)", "sum(A)", "norm(x)", "norm(A)", "norm(c)",
    "softmax(x)", "logsumexp(A x)", "softmax(x) + softmax(x)",
    "exp(x)", "log(x .* x + 1)", "sin(A)", "cos(A)", "tanh(x)", "sqrt(x .* x + 1)", "sigmoid(A)",
    "relu(x)", "softplus(x)", "abs(x)", "relu(c)", "abs(c)",
    "exp'(x)", "log'(x .* x + 1)", "sin'(A)", "cos'(A)", "tanh'(x)", "sqrt'(x .* x + 1)",
    "sigmoid'(A)", "relu'(x)", "softplus'(x)", "abs'(x)", "tanh'(c)", "relu'(c)",
    "I", "I A", "A I", "I x", "2 I", "I + A", "ones", "ones^T x", "A ones", "x ones^T",
    "g(W^T x)", "∇g(W^T x)", "∇²g(W^T x)", "x ∇g(W^T x)^T", "s(A)", "s'(A)", "s(c)",
    "x^T y z", "x^T y z^T A", "c x^T A y B z", "A (x^T y) B", "x^T A^T y c B z",
    "1e-3 A", "-1.5 x", "(W x)^T (W x)", "(A + B)(A + B)",
]


@pytest.mark.parametrize("text", CONSTRUCTS)
def test_every_construct_matches_evaluate(text):
    check(text)


@pytest.mark.parametrize(
    "text,forbidden",
    [
        ("diag(x) A", "np.diag("), ("A diag(x)", "np.diag("), ("x^T diag(y) z", "np.diag("),
        ("diag(x) A diag(y)", "np.diag("), ("diag(x)^T A", "np.diag("),
        ("I A", "np.eye("), ("A I x", "np.eye("), ("kron(I, B) x", "np.eye("),
        ("kron(A, B) x", "np.kron("), ("x^T kron(A, B)", "np.kron("), ("kron(A, B) C", "np.kron("),
        ("C kron(A, B)", "np.kron("), ("kron(A, B)^T x", "np.kron("),
        ("inv(S) x", "np.linalg.inv("), ("x^T inv(S)", "np.linalg.inv("), ("A inv(S)", "np.linalg.inv("),
        ("S^-1 x", "np.linalg.inv("), ("inv(S)^T x", "np.linalg.inv("),
        ("diag(x) inv(S) y", "np.linalg.inv("), ("diag(x) inv(S) A", "np.linalg.inv("),
        ("tr(A B)", "np.trace("),
    ],
)
def test_products_never_materialise(text, forbidden):
    expr = check(text)
    assert forbidden not in to_numpy(expr)


def test_diag_times_matrix_broadcasts():
    assert "x[:, None] * A" in to_numpy(parse("diag(x) A"))
    assert "A * x" in to_numpy(parse("A diag(x)"))
    assert "np.linalg.solve(S, x)" in to_numpy(parse("inv(S) x", WHERE))


def test_chain_runs_matrix_vector_products():
    assert to_numpy(parse("A B C x")).rstrip().endswith("return A @ (B @ (C @ x))")
    assert to_numpy(parse("x^T A B C")).rstrip().endswith("return x @ A @ B @ C")


def test_common_subexpressions_are_computed_once():
    source = to_numpy(parse("sigmoid(W x) .* (1 - sigmoid(W x)) + W x", WHERE))
    assert source.count("W @ x") == 1
    assert source.count("np.exp(") == 1


def test_shared_subexpression_in_derivative_formula():
    source = to_numpy(parse("sigmoid'(W x)"))
    assert source.count("np.exp(") == 1


UNSAFE_NAMES = ["lambda", "λ", "np", "def", "x y", "sum_", "print", "__import__", "1x", "é", "a.b", 'x"""', "f(x)"]


@pytest.mark.parametrize("name", UNSAFE_NAMES)
def test_unsafe_names_are_renamed(name):
    x = N.Symbol(name, column("n"))
    y = N.Symbol("np", column("n"))
    expr = N.Add(N.MatMul(N.Transpose(x), y), N.Apply("sum", x))
    source = to_numpy(expr, name)
    tree = ast.parse(source)  # valid Python
    identifiers = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    identifiers |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) for a in n.args.args}
    assert all(i.isascii() and i.isidentifier() for i in identifiers)
    if name not in ("sum_", "np"):  # sum_ is safe as is; np is the module itself
        assert name not in identifiers
    assert "np" in identifiers  # the module, and the variable got another name
    params = [p for p, _ in numpy_parameters(expr, name)]
    assert len(set(params)) == len(params) and "np" not in params
    rng = np.random.default_rng(0)
    values = {name: rng.normal(size=4), "np": rng.normal(size=4)}
    assert_matches(expr, values)


def test_no_user_text_in_source():
    evil = 'x"""\nimport os\n"""'
    expr = N.MatMul(N.Symbol(evil, matrix("m", "n")), N.Symbol("v", column("n")))
    source = to_numpy(expr, "f(); import os; f")
    assert "import os" not in source
    assert re.findall(r"^import .*$", source, re.M) == ["import numpy as np"]
    assert safe_identifier("f(); import os; f").isidentifier()


def test_docstring_gives_shapes_and_callables():
    source = to_numpy(parse("g(W^T a) + ∇g(W^T a)^T ∇g(W^T a)"))
    doc = ast.get_docstring(ast.parse(source).body[1])
    assert "W: array of shape (m, n)" in doc
    assert "a: array of shape (m,)" in doc
    assert "grad_g: callable" in doc and "Returns: float" in doc


def test_sizes_no_variable_fixes_become_parameters():
    expr = parse("tr(I) + ones^T ones")
    params = numpy_parameters(expr)
    assert [k for _, k in params] and all(isinstance(p, str) for p, _ in params)
    values = {key: 4 for _, key in params}
    assert run_generated(expr, values) == pytest.approx(expr.evaluate(values))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nodes(max_depth=4), st.integers(0, 2**32 - 1), st.sampled_from([3, 4, 5]))
def test_random_expressions_match_evaluate(expr, seed, size):
    values = random_values(expr, np.random.default_rng(seed), {"m": size, "n": size + 1, "p": size + 2, "q": size + 3})
    with np.errstate(all="ignore"):
        want = expr.evaluate(values)
        got = run_generated(expr, values)
    assert np.shape(got) == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9, err_msg=to_numpy(expr))


# ------------------------------------------------------------- derivative results
DERIVATIVES = [
    ("W x", "W"), ("W x", "x"), ("g(W^T a)", "W"), ("logdet(S)", "S"), ("x^T A x", "x"),
    ("sigmoid(W x)", "x"), ("sigmoid(W x)", "W"), ("a^T X b", "X"), ("softmax(z)", "z"),
    ("norm(A x - y)^2", "x"), ("tr(A X B)", "X"), ("sum(log(sigmoid(A x)))", "x"), ("X", "X"),
    ("A X B", "X"), ("inv(S)", "S"), ("det(S)", "S"), ("s(W x)", "W"), ("tanh(W x) .* x", "x"),
    ("logsumexp(A x)", "x"), ("x^T inv(S) x", "S"),
]


@pytest.mark.parametrize("text,wrt", DERIVATIVES)
def test_derivative_results_match_evaluate(text, wrt):
    from symmat import diff

    where = "a: m; g: R^n -> R; s: elementwise; S: n x n symmetric"
    expr = parse(text, where)
    for order in (1, 2):
        try:
            result = diff(expr, wrt, order=order, where=where)
        except Exception as error:  # an order the engine refuses (e.g. rank > 4)
            assert order == 2, error
            continue
        for seed, size in ((0, 3), (1, 4)):
            values = random_values(expr, np.random.default_rng(seed), {"m": size, "n": size + 1, "p": size + 2})
            assert_matches(result, values)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(nodes(max_depth=3), st.integers(0, 2**32 - 1), st.data())
def test_random_derivatives_match_evaluate(expr, seed, data):
    from symmat import diff

    variables = [s for s in expr.free_symbols().values() if s.type.rank <= 2]
    if not variables:
        return
    wrt = data.draw(st.sampled_from(variables)).name
    result = diff(expr, wrt)
    values = random_values(expr, np.random.default_rng(seed))
    with np.errstate(all="ignore"):
        want = result.evaluate(values)
        got = run_generated(result, values)
    assert np.shape(got) == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9, err_msg=to_numpy(result))


def _long_chain(pairs: int) -> tuple[N.Expr, dict, int]:
    """A B A B … diag(v) inv(S) C z with A_k: m x n, B_k: n x m (distinct sizes), its
    values scaled so that the product stays near 1, and its number of items."""
    names = [name for k in range(pairs) for name in (f"A{k}", f"B{k}")]
    where = "; ".join([f"A{k}: m x n; B{k}: n x m" for k in range(pairs)] + ["v: m; S: m x m; C: m x p; z: p"])
    expr = parse(" ".join(names) + " diag(v) inv(S) C z", where)
    rng, (m, n, p) = np.random.default_rng(7), (3, 4, 5)
    values = {f"A{k}": rng.standard_normal((m, n)) / np.sqrt(n) for k in range(pairs)}
    values |= {f"B{k}": rng.standard_normal((n, m)) / np.sqrt(m) for k in range(pairs)}
    values |= {"v": rng.standard_normal(m), "S": np.eye(m) + 0.1 * rng.standard_normal((m, m)),
               "C": rng.standard_normal((m, p)), "z": rng.standard_normal(p)}
    return expr, values, 2 * pairs + 4


def test_a_long_chain_is_ordered_greedily_and_computes_its_value(monkeypatch):
    """Past MAX_EXACT_CHAIN items the order is greedy: work per item, not the cubic
    programme (counted), and the code still computes the value, applying diag and inv
    without building them."""
    from symmat.printing import code_products

    steps = [0]
    step_cost = code_products._step_cost

    def counting(*args):
        steps[0] += 1
        return step_cost(*args)

    monkeypatch.setattr(code_products, "_step_cost", counting)
    expr, values, items = _long_chain(40)
    assert items > code_products.MAX_EXACT_CHAIN
    source = to_numpy(expr)
    assert steps[0] <= 2 * 3 * items  # two passes (counting, printing); the programme: items³ / 3
    assert "np.diag(" not in source and "np.linalg.inv(" not in source
    got = run_generated(expr, values)
    np.testing.assert_allclose(got, expr.evaluate(values), rtol=1e-9, atol=1e-12)


def test_chains_up_to_the_limit_keep_the_least_work_order():
    """The exact programme up to MAX_EXACT_CHAIN items (the order of every shorter chain
    printed before the greedy order existed); beyond, a chain ending in a vector is
    still computed from the right, one matrix-vector product a step."""
    from symmat.printing.code_products import MAX_EXACT_CHAIN, _greedy_order, chain_order

    expr, _, items = _long_chain((MAX_EXACT_CHAIN - 4) // 2)
    factors = list(expr.args)
    assert len(factors) == items == MAX_EXACT_CHAIN
    exact = chain_order(factors)
    assert len(exact) == items * (items - 1) // 2  # every span: the programme ran
    tree = _greedy_order(factors)
    assert len(tree) == items - 1
    long = [N.Symbol(f"A{k}", matrix("n", "n")) for k in range(100)] + [N.Symbol("x", column("n"))]
    splits = _greedy_order(long)
    assert all(splits[i, 100] == i for i in range(100))  # A0 (A1 (… (A99 x)))
