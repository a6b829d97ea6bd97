"""NumPy evaluation of index-form tensors (derivatives of any rank)."""
from __future__ import annotations

import string

import numpy as np

from .. import nodes as N
from ..differentiation.elementwise import elementwise_derivative
from ..evaluate import Evaluator, callable_keys, real_array
from ..functions import ELEMENTWISE
from . import tensor as T

_LETTERS = string.ascii_letters


class TensorEvaluator(Evaluator):
    def _eval_Var(self, t: T.Var):
        from ..shapes import Type

        value = self.lookup(t.name, Type(t.shape))
        return value

    def _eval_Zero(self, t):
        return np.zeros(tuple(self.size(d) for d in t.shape))

    def _eval_Const(self, t):
        return np.float64(t.value)

    def _eval_Ones(self, t):
        return np.ones(tuple(self.size(d) for d in t.shape))

    def _eval_Delta(self, t):
        return np.eye(self.size(t.args[0]))

    def _eval_Sum(self, t):
        total = self(t.terms[0])
        for term in t.terms[1:]:
            total = total + self(term)
        return total

    def _eval_Einsum(self, t: T.Einsum):
        values = [self(op) for op in t.operands]
        return t.coef * contract(values, t.subscripts, t.out)

    def _eval_Elem(self, t: T.Elem):
        name, arg, order = t.args
        x = self(arg)
        if name in ELEMENTWISE:
            if order == 0:
                return ELEMENTWISE[name].numpy(x)
            return elementwise_derivative_value(name, order, x)
        return real_array(self.function(name, order, True)(x), f"{name}{chr(39) * order}(...)").reshape(np.shape(x))

    def _eval_Pow(self, t):
        return np.power(self(t.args[0]), t.args[1])

    def _eval_VarPow(self, t):
        return np.power(self(t.args[0]), self(t.args[1]))

    def _eval_Apply(self, t: T.Apply):
        return t.prim.numpy(*(self(op) for op in t.operands))

    def _eval_Call(self, t: T.Call):
        name, arg, order = t.args
        x = self(arg)
        result = real_array(self.function(name, order, False)(x), callable_keys(name, order, False)[0] + "(...)")
        return result.reshape(tuple(self.size(d) for d in t.shape))

    def _eval_FnCall(self, t: T.FnCall):
        name, args, which, _out = t.args
        key = N.derivative_head(name, which, len(args))
        return self.call_function(key, [self(a) for a in args], t.shape)

    def _eval_Reshape(self, t: T.Reshape):
        return np.reshape(self(t.args[0]), tuple(self.size(d) for d in t.shape))


class _FormulaEvaluator(TensorEvaluator):
    """Evaluates a formula in the scalar ``x`` at every entry of an array at once: such a
    formula only has scalar contractions, which are products."""

    def __init__(self, x):
        super().__init__({})
        self.x = x

    def _eval_Var(self, t):
        return self.x

    def _eval_Einsum(self, t):
        result = t.coef
        for op in t.operands:
            result = result * self(op)
        return result


def elementwise_derivative_value(name: str, order: int, x):
    """f^(order)(x) entry by entry, for a built-in elementwise ``f``."""
    return np.broadcast_to(_FormulaEvaluator(x)(elementwise_derivative(name, order)), np.shape(x)).copy()


def contract(values, subscripts, out):
    """``Σ Π values[k][subscripts[k]]`` with output labels ``out``.

    np.einsum takes at most 52 distinct labels, so larger contractions are done
    pairwise, greedily joining the pair whose result is smallest."""
    labels = sorted({l for s in subscripts for l in s} | set(out))
    if len(labels) <= len(_LETTERS):
        letter = {l: _LETTERS[i] for i, l in enumerate(labels)}
        spec = ",".join("".join(letter[l] for l in s) for s in subscripts) + "->" + "".join(letter[l] for l in out)
        return np.einsum(spec, *values, optimize="greedy" if len(values) > 2 else False)
    values, subscripts = list(values), [tuple(s) for s in subscripts]
    while len(values) > 1:
        best = None
        for i in range(len(values)):
            for j in range(i + 1, len(values)):
                keep = _kept(subscripts, out, i, j)
                size = np.prod([_size_of(l, values, subscripts) for l in keep]) if keep else 1
                if best is None or size < best[0]:
                    best = (size, i, j, keep)
        assert best is not None  # two values or more: some pair
        _, i, j, keep = best
        joined = contract([values[i], values[j]], [subscripts[i], subscripts[j]], keep)
        values = [v for k, v in enumerate(values) if k not in (i, j)] + [joined]
        subscripts = [s for k, s in enumerate(subscripts) if k not in (i, j)] + [keep]
    return contract(values, subscripts, out)


def _kept(subscripts, out, i, j):
    """Labels of operands i and j still needed after joining them."""
    rest = set(out).union(*(set(s) for k, s in enumerate(subscripts) if k not in (i, j)))
    seen = []
    for l in subscripts[i] + subscripts[j]:
        if l in rest and l not in seen:
            seen.append(l)
    return tuple(seen)


def _size_of(label, values, subscripts):
    for v, s in zip(values, subscripts):
        if label in s:
            return v.shape[s.index(label)]
    return 1


def evaluate_tensor(t: T.Tensor, values: dict, variables: tuple = ()):
    """Value of ``t``; ``variables`` (name, Type) given in ``values`` are checked and fix sizes."""
    evaluator = TensorEvaluator(values, {name for name, _ in variables} | t.variables())
    evaluator.bind_variables(variables)
    return evaluator(t)
