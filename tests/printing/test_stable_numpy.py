"""Generated NumPy is numerically stable: for every elementwise function of the language
(and softmax, logsumexp, log(1 + exp), log(sum(exp))), the function and its derivatives of
order 1 and 2 run on arguments up to ±1e3 with NumPy's overflow, invalid-value and
division-by-zero warnings turned into errors, and give finite values; the emitted source
holds no double negation.

Underflow stays NumPy's default (ignored): σ(-1000) = e^-1000 is below the smallest double,
so 0 is its correctly rounded value, not a failure of the formula.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import symmat
from symmat.functions import ELEMENTWISE
from symmat.printing.numpy import numpy_parameters, to_numpy

# The arguments on which each function and its first two derivatives are finite doubles:
# exp overflows past 709.78 whatever the formula; log and sqrt are defined for x > 0.
DOMAINS = {
    "exp": (-1e3, 700.0),
    "log": (1e-3, 1e3),
    "sqrt": (1e-3, 1e3),
}
FULL = (-1e3, 1e3)
SYMMETRIC = {name for name in ELEMENTWISE if name not in DOMAINS}

# Hand-written formulas that have a stable built-in equivalent, with their domain.
FORMULAS = {
    "log(1 + exp(x))": FULL, "log(exp(x) + 1)": FULL, "log(sum(exp(x)))": FULL,
    "exp(x) / sum(exp(x))": FULL, "softmax(x)": FULL, "logsumexp(x)": FULL, "log_softmax(x)": FULL,
    "mean(log(1 + exp(x)))": FULL,
    # log σ(x) = -softplus(-x) and log(1 - σ(x)) = -softplus(x) in generated code: σ(-1000)
    # underflows to 0, whose log is -inf.
    "sum(log(sigmoid(x)))": FULL, "log(sigmoid(x))": FULL, "log(1 - sigmoid(x))": FULL,
    "log(sigmoid(-x)) + log(1 - sigmoid(c))": FULL,
}


def _cases():
    for name in ELEMENTWISE:
        yield f"{name}(x)", DOMAINS.get(name, FULL)
        yield f"{name}(c)", DOMAINS.get(name, FULL)
        if name in SYMMETRIC:
            yield f"{name}(-x)", FULL
    yield from FORMULAS.items()


CASES = list(_cases())


def _derivatives(text: str):
    expr = symmat.parse(text, "x: 5; c: scalar")
    yield expr
    for order in (1, 2):
        scalar = expr if expr.type.is_scalar else symmat.parse(f"sum({text})", "x: 5; c: scalar")
        yield symmat.diff(scalar, "x" if "x" in text else "c", order=order, where="x: 5; c: scalar")
        if order == 1 and not expr.type.is_scalar:
            yield symmat.diff(expr, "x", where="x: 5; c: scalar")  # the Jacobian


def _run(expr, arguments: np.ndarray):
    source = to_numpy(expr, "f")
    namespace: dict = {}
    exec(compile(source, "<generated>", "exec"), namespace)  # our generated code, never user text
    results = []
    for row in arguments:
        values = {"x": row, "c": row[0]}
        args = [values[key] for _, key in numpy_parameters(expr, "f")]
        with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
            warnings.simplefilter("error")
            results.append(np.asarray(namespace["f"](*args), dtype=float))
    return source, results


@pytest.mark.parametrize("text,domain", CASES, ids=[t for t, _ in CASES])
def test_generated_code_is_stable_up_to_1e3(text, domain):
    lo, hi = domain
    grid = np.linspace(lo, hi, 25)
    # The extremes together, mixed signs, and each extreme alone in a vector of 5.
    arguments = np.array([grid[i:i + 5] for i in range(0, 21, 4)] + [np.full(5, lo), np.full(5, hi)])
    for expr in _derivatives(text):
        source, results = _run(expr, arguments)
        for got in results:
            assert np.all(np.isfinite(got)), f"{expr}: not finite\n{source}"


@pytest.mark.parametrize("text,domain", CASES, ids=[t for t, _ in CASES])
def test_stable_code_keeps_the_value(text, domain):
    """Where the textbook formula is accurate (small arguments) the stable one agrees."""
    row = np.linspace(max(domain[0], -3.0), min(domain[1], 3.0), 5)
    for expr in _derivatives(text):
        _, (got,) = _run(expr, row[None, :])
        want = expr.evaluate({"x": row, "c": row[0]} if "x" in str(expr) else {"c": row[0]})
        np.testing.assert_allclose(got, np.asarray(want, dtype=float), rtol=1e-12, atol=1e-12, err_msg=str(expr))


@pytest.mark.parametrize("text", [f"{name}(-x)" for name in ELEMENTWISE] + ["sigmoid(-(-x))", "-(-x)"])
def test_no_double_negation_in_the_source(text):
    domain = "x: 5"
    derivatives = [symmat.diff(f"sum({text})", "x", where=domain, order=k) for k in (1, 2)]
    for expr in [symmat.parse(text, domain), *derivatives]:
        code = to_numpy(expr, "f").split('"""')[-1]  # the code, not the docstring
        assert "-(-" not in code and "- -" not in code, code


def test_table_sources_never_negate_their_argument():
    for row in ELEMENTWISE.values():
        for source in [row.numpy_source] + [formula for _, formula in row.numpy_parts]:
            assert "-x" not in source.replace(" ", ""), row.name


def test_table_source_and_callable_agree():
    for row in ELEMENTWISE.values():
        x = np.linspace(*DOMAINS.get(row.name, FULL), 41)
        namespace = {"np": np, "x": x}
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            for part, formula in row.numpy_parts:
                namespace[part] = eval(formula, namespace)  # the table's own text
            from_source = eval(row.numpy_source, namespace)
            np.testing.assert_allclose(from_source, row.numpy(x), rtol=1e-15, atol=0, err_msg=row.name)


@pytest.mark.parametrize("text", ["u ./ sigmoid(x)", "sigmoid(x) .^ 2", "-sigmoid(x)", "c / sigmoid(c)"])
def test_a_source_that_is_not_one_call_is_parenthesised(text):
    """The sigmoid's source is a quotient: as an operand it needs its parentheses."""
    expr = symmat.parse(text, "x: 5; u: 5; c: scalar")
    values = {"x": np.linspace(-2, 2, 5), "u": np.arange(1.0, 6.0), "c": 0.7}
    source = to_numpy(expr, "f")
    namespace: dict = {}
    exec(compile(source, "<generated>", "exec"), namespace)
    args = [values[key] for _, key in numpy_parameters(expr, "f")]
    np.testing.assert_allclose(namespace["f"](*args), expr.evaluate(values), rtol=1e-14, err_msg=source)


@pytest.mark.parametrize("text", [
    "u - (-x)", "u - (-(u .* x))", "x - (-2 x)", "x - -(-u)", "u + (-x) .* u - (-(-x))", "sum(x) - (-2)",
])
def test_subtracting_a_negation_prints_an_addition(text):
    """u - (-v) is generated as u + v (never "- -v"), with the same value. (Text keeps
    what was written, a - -b: tests/printing/test_text.py.)"""
    domain = "x: 5; u: 5"
    expr = symmat.parse(text, domain)
    values = {"x": np.linspace(-2, 2, 5), "u": np.arange(1.0, 6.0)}
    code = to_numpy(expr, "f")
    assert "- -" not in code.split('"""')[-1], code
    namespace: dict = {}
    exec(compile(code, "<generated>", "exec"), namespace)  # our generated code, never user text
    args = [values[key] for _, key in numpy_parameters(expr, "f")]
    want = expr.evaluate(values)
    np.testing.assert_array_equal(namespace["f"](*args), want)
    np.testing.assert_array_equal(symmat.parse(str(expr), domain).evaluate(values), want)
