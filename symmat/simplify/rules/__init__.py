"""Rewrite rules for matrix expressions, written as data.

Each rule is a function from a node to an equal node, or ``None`` when it does not
apply; its docstring states the law it applies. ``RULES`` maps a node class to the
rules tried on it, in order. The engine (engine.py) applies them bottom-up to a
fixed point; every rule makes the expression smaller or more canonical, so the
rewriting terminates. The rules live by topic in the modules of this package.
"""
from __future__ import annotations

from collections.abc import Callable

from ... import nodes as N
from .entrywise import (
    elementwise_power_one,
    hadamard_normal_form,
    hadamard_of_negation,
    hadamard_reciprocal,
    hadamard_with_ones,
    hadamard_with_scalar,
    lone_reciprocal,
    power_one,
)
from .functions import (
    kron_of_negation,
    log_sigmoid_by_hand,
    logsumexp_by_hand,
    negation_in_function,
    softmax_by_hand,
    softplus_by_hand,
    trace_of_outer,
    trace_of_transpose,
    vec_of_outer,
)
from .laws import (
    determinant_laws,
    diagonal_cancels_over_sum,
    division_merges_powers,
    inner_products_first,
    inverse_of_product_cancels,
    norm_recognised,
    power_of_non_negative_product,
    powers_of_non_negative,
    powers_of_one_matrix,
    scalar_powers,
    sign_of_non_negative,
    sum_of_diagonals,
)
from .logistic import logistic_of_negation, sigmoid_by_hand
from .polynomial import (
    distribute_scalars_to_cancel,
    distribute_to_cancel,
    expand_and_collect,
)
from .products import (
    coefficient_out_of_division,
    diagonal_times_vector,
    flatten_product,
    inverse_cancels,
    number_over,
    ones_inner_product,
    product_coefficients,
    product_identity,
    quotient_factor,
    repeated_factors,
    scalar_reciprocal,
    scalars_first,
)
from .quotients import quotient_of_quotient
from .sums import (
    collect_like_terms,
    common_coefficient,
    factor_common,
    flatten_sum,
    ones_in_sum,
    positive_first,
)
from .transpose import (
    negation_of_negation,
    negation_of_number,
    power_of_transpose,
    sum_of_transposes,
    transpose_of_inverse,
    transpose_of_kron,
    transpose_of_negation,
    transpose_of_product,
    transpose_of_scalar,
    transpose_of_sum,
    transpose_of_symmetric,
    transpose_of_transpose,
)

# A rule takes a node of the class it is listed under (``transpose_of_product`` takes a
# Transpose): a mapping from each class to rules on that class is more than a dict's type
# says, so the argument is left open here and each rule annotates its own.
Rule = Callable[..., N.Expr | None]

RULES: dict[type, list[Rule]] = {
    N.Transpose: [
        transpose_of_transpose, transpose_of_scalar, transpose_of_symmetric, transpose_of_negation,
        transpose_of_inverse, transpose_of_product, transpose_of_sum, transpose_of_kron,
    ],
    N.Kron: [kron_of_negation],
    N.Neg: [negation_of_negation, negation_of_number],
    N.MatMul: [
        flatten_product, product_coefficients, product_identity, diagonal_times_vector,
        # scalar_powers before scalar_reciprocal: s⁻¹ s² merges before it becomes a quotient
        ones_inner_product, scalar_powers, scalar_reciprocal, inverse_cancels, powers_of_one_matrix,
        inverse_of_product_cancels, diagonal_cancels_over_sum, number_over, quotient_factor, repeated_factors,
        inner_products_first, scalars_first, distribute_scalars_to_cancel, logistic_of_negation,
    ],
    N.Add: [
        flatten_sum, collect_like_terms, ones_in_sum, sum_of_diagonals, expand_and_collect, factor_common,
        common_coefficient, positive_first, sum_of_transposes,
    ],
    N.Hadamard: [
        hadamard_with_ones, hadamard_with_scalar, hadamard_of_negation, hadamard_reciprocal, hadamard_normal_form,
        distribute_to_cancel, logistic_of_negation,
    ],
    N.HadamardDiv: [hadamard_normal_form],
    N.ElemPower: [elementwise_power_one, lone_reciprocal],
    N.Power: [
        power_one, power_of_transpose, norm_recognised, sigmoid_by_hand, powers_of_non_negative,
        power_of_non_negative_product,
    ],
    N.Div: [
        softmax_by_hand, coefficient_out_of_division, sigmoid_by_hand, quotient_of_quotient, division_merges_powers,
    ],
    N.Apply: [trace_of_transpose, trace_of_outer, vec_of_outer, negation_in_function, determinant_laws],
    N.Elementwise: [softplus_by_hand, logsumexp_by_hand, sign_of_non_negative, norm_recognised, powers_of_non_negative],
}

# The rules that replace a formula written by hand with a function NumPy computes without
# overflow. Generated code applies them (and only them) to the expression it is given.
STABLE_FORMS: dict[type, list[Rule]] = {
    N.Div: [softmax_by_hand, sigmoid_by_hand],
    N.Power: [sigmoid_by_hand],
    N.Elementwise: [softplus_by_hand, logsumexp_by_hand],
}

# Generated code also writes log σ(u) as -softplus(-u) (σ(-1000) underflows to 0, whose
# log is -inf). Only code: a derivative reads better in σ (d log σ(u) = (1 - σ(u)) du, not
# σ(-u) du), and diff's simplifier already cancels σ in it, leaving no log to underflow.
STABLE_CODE_FORMS: dict[type, list[Rule]] = {
    **STABLE_FORMS,
    N.Elementwise: STABLE_FORMS[N.Elementwise] + [log_sigmoid_by_hand],
}
