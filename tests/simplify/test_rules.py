"""Each rewrite rule, on expressions where it applies: the rewritten expression has the
same value (the rule's law holds), and every rule of RULES is exercised."""
from __future__ import annotations

import numpy as np
import pytest

import symmat
from symmat import nodes as N
from symmat.simplify import rules as R
from symmat.simplify.engine import simplify
from tests.strategies import random_values

WHERE = "A: m x n; B: n x m; C: m x m; S: m x m symmetric; X: m x m; x: n; y: m; u: m; v: m; c: scalar; d: scalar"

# rule name -> expressions (input language) on which it applies at the top
EXAMPLES = {
    "transpose_of_transpose": ["(A^T)^T"],
    "transpose_of_scalar": ["(c)^T"],
    "transpose_of_symmetric": ["S^T", "(u u^T)^T", "(A A^T)^T"],
    "transpose_of_negation": ["(-A)^T"],
    "transpose_of_inverse": ["((X^T)^-1)^T"],
    "transpose_of_product": ["(A^T y)^T", "(C S)^T"],
    "transpose_of_sum": ["(A^T + B)^T"],
    "transpose_of_kron": ["kron(A, C)^T"],
    "kron_of_negation": ["kron(-A, C)"],
    "negation_of_negation": ["-(-A)"],
    "negation_of_number": ["-(2 A)"],
    "flatten_product": ["C (C y)"],
    "product_coefficients": ["(2 C) (3 y)", "C (-y)"],
    "product_identity": ["I C y"],
    "diagonal_times_vector": ["diag(u) C y", "y^T diag(u) C"],
    "ones_inner_product": ["ones^T y"],
    "inverse_cancels": ["X^-1 X y"],
    "number_over": ["2 (1 ./ u)"],
    "repeated_factors": ["C C y"],
    "scalar_reciprocal": ["c d^-1"],
    "quotient_factor": ["(2 / c) y", "(1 / norm(y)) y y^T", "(d / c) y", "2 (d / c) y"],
    "scalars_first": ["y c"],
    "flatten_sum": ["u + (v + y)"],
    "collect_like_terms": ["u + 2 u - v", "u - u", "2 / c + 3 c^-1", "c^-1 - 1 / c"],
    "ones_in_sum": ["u + 2 ones"],
    "expand_and_collect": [
        "u .* (1 - v) + u .* v",
        "(1 - c) sigmoid(d) - c (1 - sigmoid(d))",  # σ - c: scalars are a ring too
        "u .* v .^ 2 - v .^ 2 - v .^ 2 .* u + v",  # commuted monomials are one: v - v.^2
        "sigmoid(u) .* (1 + u) - sigmoid(u) .^ 2 - sigmoid(u) .* u",  # σ - σ² = σ ⊙ (1 - σ)
    ],
    "factor_common": ["C u + C v"],
    "common_coefficient": ["2 u + 2 v"],
    "positive_first": ["-u + v"],
    "hadamard_with_ones": ["ones .* u"],
    "hadamard_with_scalar": ["c .* u"],
    "hadamard_of_negation": ["(-u) .* v"],
    "hadamard_reciprocal": ["u .* v .^ -1"],
    "hadamard_normal_form": ["exp(u) ./ (1 + exp(u))", "u .* (v .* (1 ./ (1 + exp(-y))))", "(u ./ v) .* v"],
    "distribute_to_cancel": ["(u ./ v - y) .* v"],
    "lone_reciprocal": ["u .^ -1"],
    "elementwise_power_one": ["u .^ 1"],
    "power_one": ["(X^2)^3", "c^1"],
    "power_of_transpose": ["(X^T)^3", "(X^T)^-1"],
    "softmax_by_hand": ["exp(u) / sum(exp(u))"],
    "softplus_by_hand": ["log(1 + exp(u))", "log(exp(C y) + 1)", "log(1 + exp(c))"],
    "logsumexp_by_hand": ["log(sum(exp(u)))"],
    "log_sigmoid_by_hand": ["log(sigmoid(u))", "log(1 - sigmoid(C y))", "log(sigmoid(-c))"],
    "trace_of_transpose": ["tr(C^T)"],
    "trace_of_outer": ["tr(u y^T)"],
    "vec_of_outer": ["vec(u x^T)"],
    "negation_in_function": ["tr(-C)"],
    # issue 10: textbook laws
    "powers_of_one_matrix": ["X^2 X^-3 y", "X^T (X^-3)^T"],
    "inverse_of_product_cancels": ["C^T (C X)^-T", "(X C)^-1 X"],
    "diagonal_cancels_over_sum": ["diag(1 ./ u) (diag(u) - u v^T)", "(diag(u) - v u^T) diag(1 ./ u)"],
    "scalar_powers": ["det(X) det(X) y", "norm(y)^-4 (y^T y) y", "norm(y)^-2 y^T y y^T"],
    "division_merges_powers": ["y^T y / norm(y)", "(norm(y)^3 u) / norm(y)^2", "y^T y u / c / norm(y)",
                               "y^T y u / (c norm(y))"],
    "powers_of_non_negative": ["(norm(y)^4)^-0.5", "sqrt(norm(y)^4)", "(exp(c)^2)^0.5", "sqrt(c^2 + d^2)^3",
                               "(c^0.5)^4"],
    "power_of_non_negative_product": ["(y^T y u^T u)^-0.5", "(2 norm(y) exp(c))^1.5"],
    "inner_products_first": ["y u^T v"],
    "determinant_laws": ["det(X^T)", "det(X^3)", "logdet(X^-1)", "logdet(C X)"],
    "norm_recognised": ["sqrt(x^T A^T A x)", "(y^T C^T C y)^-0.5"],
    "sign_of_non_negative": ["sign(norm(y))", "abs(exp(y))", "sign(exp(u))"],
    "sum_of_diagonals": ["diag(u) + diag(v)"],
    "sum_of_transposes": ["C^T X^T + X^T C^T"],
    "coefficient_out_of_division": ["(2 y) / c"],
    # issue 10: σ identities and the scalar ring
    "distribute_scalars_to_cancel": [
        "((1 - c) / (1 - sigmoid(d)) - c / sigmoid(d)) sigmoid(d) (1 - sigmoid(d)) y",
        "(c / d + 1) d",
    ],
    "quotient_of_quotient": ["y / c / d", "u v^T / sum(u) / (c d)"],
    "sigmoid_by_hand": ["1 / (1 + exp(-c))", "(1 + exp(-2 d))^-1", "exp(c) / (exp(c) + 1)", "2 / (1 + exp(-c))"],
    "logistic_of_negation": ["sigmoid(-u) .* (1 - sigmoid(-u))", "sigmoid(-c d) (1 - sigmoid(-c d)) y"],
}

CASES = [(name, text) for name, texts in EXAMPLES.items() for text in texts]


def _values(expr, seed):
    values = random_values(expr, np.random.default_rng(seed), {"m": 3, "n": 4})
    for name in ("S",):
        if name in values:
            values[name] = (values[name] + values[name].T) / 2
    return values


@pytest.mark.parametrize("name,text", CASES, ids=[f"{n}:{t}" for n, t in CASES])
def test_rule_applies_and_keeps_the_value(name, text):
    expr = symmat.parse(text, WHERE)
    rule = getattr(R, name)
    rewritten = rule(expr)
    assert rewritten is not None, f"{name} does not apply to {text}"
    assert rewritten.type.shape == expr.type.shape
    for seed in (0, 1):
        values = _values(expr, seed)
        np.testing.assert_allclose(
            np.asarray(rewritten.evaluate(values), dtype=float), np.asarray(expr.evaluate(values), dtype=float),
            rtol=1e-9, atol=1e-9, err_msg=f"{name}: {text} -> {rewritten}",
        )


@pytest.mark.parametrize("text", ["(c^2)^0.5", "sqrt(c^2)", "(c^3)^(1/3)", "(y^T u)^2^0.5", "(c d)^0.5",
                                  "(y^T u norm(y))^0.5"])
def test_powers_of_a_base_of_any_sign_stay(text):
    """(c²)^½ = |c|, not c: powers merge or distribute only over factors known to be ≥ 0
    (or for an integer outer exponent)."""
    e = symmat.parse(text, WHERE)
    assert R.powers_of_non_negative(e) is None and R.power_of_non_negative_product(e) is None


# Textbook forms of norms and their powers (issue 10, and the leftovers of 11/12/16).
NORM_FORMS = [
    ("norm(norm(x) x)", "2 x^T", "2 I_n"),
    ("‖‖x‖ x‖", "2 x^T", "2 I_n"),
    ("sqrt(norm(x)^4)", "2 x^T", "2 I_n"),
    ("norm(x)^3", "3 norm(x) x^T", None),
    ("sqrt(x^T x)^3", "3 norm(x) x^T", None),
    ("sqrt(x^T x) x^T x", "3 norm(x) x^T", None),
    ("x^T x / norm(x)", "x^T / norm(x)", None),
    ("(x^T x)^1.5", "3 norm(x) x^T", None),
    # A: 3 x 4 (sizes 3 and 4; by A too)
    ("norm(norm(A x) x)", "(norm(A x) x / norm(x) + norm(x) A^T A x / norm(A x))^T", None),
    ("sqrt(norm(A x)^4)", "2 x^T A^T A", None),
    ("norm(A x)^3", "3 norm(A x) x^T A^T A", None),
]


@pytest.mark.parametrize("text,first,second", NORM_FORMS, ids=[t for t, _, _ in NORM_FORMS])
def test_norm_powers_print_as_a_textbook(text, first, second):
    from tests.numeric import assert_derivative

    where = "x: n; A: m x n"
    rng = np.random.default_rng(3)
    values = {"x": rng.uniform(0.5, 1.5, 4) * rng.choice([-1.0, 1.0], 4), "A": rng.standard_normal((3, 4))}
    assert str(symmat.diff(text, "x", where=where)) == first
    if second is not None:
        assert str(symmat.diff(text, "x", where=where, order=2)) == second
    for layout in ("numerator", "denominator"):
        for var, order in (("x", 1), ("x", 2), ("A", 1)):
            if var not in text:
                continue
            result = assert_derivative(text, var, values, layout, where=where, order=order)
            back = symmat.parse(str(result), where)
            np.testing.assert_allclose(back.evaluate(values), result.evaluate(values), rtol=1e-12)


def test_every_rule_has_an_example():
    rules = {rule.__name__ for rules in R.RULES.values() for rule in rules}
    assert rules - set(EXAMPLES) == set(), f"rules without an example: {sorted(rules - set(EXAMPLES))}"


def test_every_rule_states_its_law():
    for rules in R.RULES.values():
        for rule in rules:
            assert rule.__doc__ and rule.__doc__.strip(), f"{rule.__name__} has no docstring"


def test_every_stable_form_replaces_a_formula_built_on_exp():
    """stable_forms returns an expression without exp(u) as it is, unwalked by the
    simplifier: sound only while every rule it applies rewrites a formula on exp."""
    from symmat.simplify.stable import stable_forms

    for rules in R.STABLE_FORMS.values():
        for rule in rules:
            law = rule.__doc__.split("=")[0]
            assert "exp(" in law, f"{rule.__name__}: {rule.__doc__}"
            for text in EXAMPLES[rule.__name__]:
                assert "exp(" in text
                assert stable_forms(symmat.parse(text, WHERE)) != symmat.parse(text, WHERE)
    plain = symmat.parse("log(1 + sigmoid(u)) + sum(tanh(A x))", WHERE)
    assert stable_forms(plain) is plain


def test_stable_code_forms_rewrite_only_on_exp_or_log():
    """stable_code_forms (generated code) also rewrites log σ, so it walks an input with
    a log or an exp, and returns any other as it is."""
    from symmat.simplify.stable import stable_code_forms

    for rules in R.STABLE_CODE_FORMS.values():
        for rule in rules:
            law = rule.__doc__.split("=")[0]
            assert "exp(" in law or "log(" in law, f"{rule.__name__}: {rule.__doc__}"
    assert str(stable_code_forms(symmat.parse("sum(log(sigmoid(u)))", WHERE))) == "sum(-softplus(-u))"
    plain = symmat.parse("sum(sigmoid(u)) + sum(tanh(A x))", WHERE)
    assert stable_code_forms(plain) is plain


@pytest.mark.parametrize("text", [t for _, t in CASES])
def test_simplified_form_is_a_fixed_point_with_the_same_value(text):
    expr = symmat.parse(text, WHERE)
    once = simplify(expr)
    assert simplify(once) == once, f"{text}: {once} simplifies further to {simplify(once)}"
    for node in N.walk(once):
        for rule in R.RULES.get(type(node), ()):
            assert rule(node) is None or rule(node) == node, f"{rule.__name__} still applies in {once}"
    values = _values(expr, 2)
    np.testing.assert_allclose(
        np.asarray(once.evaluate(values), dtype=float), np.asarray(expr.evaluate(values), dtype=float),
        rtol=1e-9, atol=1e-9,
    )


@pytest.mark.parametrize("text", [
    "a .* (b .* (c .* d))",          # nested to the right: rechained from the top, once
    "(a .* b) .* (c .* (d .* a))",   # a repeated factor is gathered (a .^ 2)
    "a .* (exp(b) .* (1 ./ (1 + exp(b))))",  # the chain's normal form still meets σ
    "a .* ((-b) .* (2 c))",          # signs and coefficients still leave the chain
])
def test_hadamard_chain_simplified_from_its_top(text):
    where = "a: n; b: n; c: n; d: n"
    expr = symmat.parse(text, where)
    once = simplify(expr)
    assert simplify(once) == once
    assert simplify(symmat.parse(str(once), where)) == once
    values = _values(expr, 2)
    np.testing.assert_allclose(
        np.asarray(once.evaluate(values), dtype=float), np.asarray(expr.evaluate(values), dtype=float),
        rtol=1e-9, atol=1e-9,
    )


def test_deep_tanh_derivative_is_one_chain():
    """d/dx sum(tanh(… tanh(x))) is a ⊙ chain of 1 - tanh(…)² factors, checked numerically."""
    from tests.numeric import assert_derivative

    depth = 40
    text = "sum(" + "tanh(" * depth + "x" + ")" * depth + ")"
    values = {"x": np.linspace(-0.8, 0.9, 5)}
    for layout in ("numerator", "denominator"):
        d = assert_derivative(text, "x", values, layout=layout, where="x: n")
        assert str(d).count(".*") == depth - 1
