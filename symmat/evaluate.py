"""NumPy evaluation of typed expressions, one method per node class.

``values`` maps each variable name to a float or NumPy array (vectors are 1-D, row
or column alike) and may also give sizes of dimensions by name (``{"n": 3}``) for
expressions such as ``tr(I)`` whose sizes no variable fixes.

Abstract functions are evaluated from callables in ``values``:

- ``g: R^n -> R``: ``values["g"]`` maps a vector to a float; its gradient ``∇g`` is
  ``values["∇g"]`` (or ``values["grad_g"]``) and its Hessian ``∇²g`` is ``values["∇²g"]``
  (or ``values["hess_g"]``); each receives the argument as a NumPy array.
- ``s: elementwise``: ``values["s"]`` is applied to the whole array (it must work
  elementwise, like a NumPy ufunc); its derivatives are ``values["s'"]``, ``values["s''"]``.

``logdet(X)`` is ``log |det X|`` so that its derivative ``X^-T`` holds wherever ``X`` is
invertible; ``log(det(X))`` is NaN where ``det X < 0``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from . import nodes as N
from . import provenance
from .errors import EvaluationError
from .functions import ELEMENTWISE
from .registry import PRIMITIVES
from .shapes import Prod, Type

if TYPE_CHECKING:
    from .index.tensor import Tensor


def callable_keys(name: str, order: int, elementwise: bool) -> tuple[str, ...]:
    """The keys of ``values`` under which the callable for a function is looked up."""
    if elementwise:
        return (name + "'" * order,)
    return {0: (name,), 1: (f"∇{name}", f"grad_{name}"), 2: (f"∇²{name}", f"hess_{name}")}.get(
        order, (f"d{order}_{name}",)
    )


class Evaluator:
    def __init__(self, values: dict[str, Any], variables=()):
        """``variables``: names of the expression's variables; an integer given for one
        of them is its value, never the size of a dimension of that name."""
        if not isinstance(values, dict):
            raise EvaluationError(f"values must be a dict of name -> number or array, not {type(values).__name__}")
        self.values = values
        self.sizes: dict[str, int] = {
            k: v for k, v in values.items()
            if isinstance(v, int) and not isinstance(v, bool) and k not in variables
        }
        self.memo: dict[int, Any] = {}

    # ------------------------------------------------------------------ dimensions
    def size(self, dim) -> int:
        if isinstance(dim, int):
            return dim
        if isinstance(dim, Prod):
            return int(np.prod([self.size(f) for f in dim.factors]))
        if dim not in self.sizes:
            raise EvaluationError(f"the size of dimension {dim} is not fixed by any value; pass {{'{dim}': size}}")
        return self.sizes[dim]

    def bind(self, name: str, type_: Type, value):
        """Check ``value`` against ``type_`` and record the sizes it fixes; returns the
        value, a column (n, 1) or row (1, n) array given for a vector made 1-D."""
        if type_.is_vector and value.ndim == 2 and 1 in value.shape:
            value = value.reshape(-1)
        if len(value.shape) != type_.rank:
            raise EvaluationError(
                f"{name} is {type_.describe()}, but its value has shape {value.shape} "
                f"(vectors are 1-D arrays, scalars are numbers)"
            )
        for dim, size in zip(type_.shape, value.shape):
            if isinstance(dim, str):
                known = self.sizes.setdefault(dim, size)
                if known != size:
                    raise EvaluationError(
                        f"dimension {dim} of {name} is {size}, but elsewhere {dim} is {known}"
                    )
            elif self.size(dim) != size:
                raise EvaluationError(f"{name} is {type_.describe()}, but its value has shape {value.shape}")
        return value

    def lookup(self, name: str, type_: Type):
        if name not in self.values:
            raise EvaluationError(f"no value given for {name} ({type_.describe()})")
        return self.bind(name, type_, real_array(self.values[name], f"the value of {name}"))

    def function(self, name: str, order: int, elementwise: bool) -> Callable:
        keys = callable_keys(name, order, elementwise)
        for key in keys:
            if key in self.values:
                fn = self.values[key]
                if not callable(fn):
                    raise EvaluationError(f"values[{key!r}] must be a callable")
                return fn
        raise EvaluationError(f"no callable given for {keys[0]} (pass values[{keys[0]!r}])")

    # ------------------------------------------------------------------ dispatch
    def __call__(self, node: N.Expr | Tensor):  # index-form tensors: see index/evaluate.py
        key = id(node)
        if key not in self.memo:
            try:
                self.memo[key] = getattr(self, "_eval_" + type(node).__name__)(node)
            except np.linalg.LinAlgError as e:
                # inv, det, matrix powers of a singular value: bad values, not a crash.
                raise EvaluationError(f"cannot evaluate {_describe(node)} at these values: {e}") from None
        return self.memo[key]

    def _eval_Symbol(self, node: N.Symbol):
        value = self.lookup(node.name, node.type)
        if node.symmetric and not np.allclose(value, value.T):
            raise EvaluationError(f"{node.name} is declared symmetric but its value is not")
        return value if value.ndim else float(value)

    def _eval_Number(self, node):
        return node.value

    def _eval_Identity(self, node):
        return np.eye(self.size(node.args[0]))

    def _eval_Ones(self, node):
        return np.ones(self.size(node.args[0]))

    def _eval_Add(self, node):
        total = self(node.args[0])
        for term in node.args[1:]:
            total = total + self(term)
        return total

    def _eval_Neg(self, node):
        return -self(node.args[0])

    def _eval_MatMul(self, node):
        value = self(node.args[0])
        for factor, t in zip(node.args[1:], N.product_types(node.args)):  # t: value's type
            value = product(value, t, self(factor), factor.type)
        return value

    def _eval_Hadamard(self, node):
        return self(node.left) * self(node.right)

    def _eval_HadamardDiv(self, node):
        return self(node.left) / self(node.right)

    def _eval_Div(self, node):
        return self(node.left) / self(node.right)

    def _eval_Kron(self, node):
        left, right = self(node.left), self(node.right)
        if node.type.is_matrix:
            # A column vector is an n x 1 matrix, a row vector 1 x n.
            left, right = (_as_matrix(v, n.type) for v, n in ((left, node.left), (right, node.right)))
        return np.kron(left, right)

    def _eval_Power(self, node):
        base = self(node.base)
        if node.base.type.is_matrix:
            return np.linalg.matrix_power(base, int(node.exponent))
        return np.power(base, node.exponent)

    def _eval_ElemPower(self, node):
        return np.power(self(node.base), node.exponent)

    def _eval_GeneralPower(self, node):
        return np.power(self(node.base), self(node.exponent))

    def _eval_Max(self, node):
        return np.maximum(self(node.left), self(node.right))

    def _eval_Min(self, node):
        return np.minimum(self(node.left), self(node.right))

    def _eval_Transpose(self, node):
        value = self(node.args[0])
        return value.T if np.ndim(value) == 2 else value

    def _eval_Apply(self, node):
        return PRIMITIVES[node.name].numpy(self(node.args[1]))

    def _eval_Elementwise(self, node):
        name, arg, order = node.args
        x = self(arg)
        if name in ELEMENTWISE:
            if order == 0:
                return ELEMENTWISE[name].numpy(x)
            # Imported here: the index form sits above this module in the pipeline.
            from .index.evaluate import elementwise_derivative_value

            value = elementwise_derivative_value(name, order, x)
            return value if np.ndim(x) else float(value)
        return real_array(self.function(name, order, True)(x), f"{name}{chr(39) * order}(...)").reshape(np.shape(x))

    def bind_variables(self, variables) -> None:
        """Check and bind the (name, Type) pairs given in ``values``: they fix sizes the
        expression being evaluated may not mention itself."""
        for name, type_ in variables:
            if name in self.values and not callable(self.values[name]):
                self.lookup(name, type_)

    def _eval_FnCall(self, node):
        return self.call_function(node.head, [self(a) for a in node.arguments], node.type.shape)

    def call_function(self, key: str, args: list, shape: tuple):
        """``values[key](*args)``, checked to have ``shape``; its value fixes the size of
        a dimension no variable fixes (the m of ``h: R^n -> R^m``)."""
        fn = self.values.get(key)
        if not callable(fn):
            raise EvaluationError(f"no callable given for {key} (pass values[{key!r}])")
        result = real_array(fn(*args), key + "(...)")
        if result.ndim != len(shape):
            raise EvaluationError(f"{key} returned an array of shape {result.shape}, expected {len(shape)} axes")
        result = self.bind(key + "(...)", Type(shape), result)
        return result if result.ndim else float(result)

    def _eval_Call(self, node):
        name, arg, order = node.args
        x = self(arg)
        result = real_array(self.function(name, order, False)(x), callable_keys(name, order, False)[0] + "(...)")
        expected = tuple(self.size(d) for d in node.type.shape)
        if result.shape != expected:
            raise EvaluationError(
                f"{callable_keys(name, order, False)[0]} returned shape {result.shape}, expected {expected}"
            )
        return result if result.ndim else float(result)


def real_array(raw, what: str) -> np.ndarray:
    """``raw`` as a float array; complex values are refused rather than cast (NumPy
    would drop their imaginary parts with only a warning)."""
    try:
        value = np.asarray(raw)
        if np.iscomplexobj(value):
            raise EvaluationError(f"{what} is complex; symmat evaluates real values only")
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise EvaluationError(f"{what} is not a number or a numeric array") from None


def _describe(node: N.Expr | Tensor) -> str:
    if isinstance(node, N.Expr):
        text = str(node)
    else:  # an index-form tensor
        from .index.notation import index_text

        text = index_text(node)
    return f"`{text}`" if len(text) <= 60 else f"`{text[:57]}...`"


def _as_matrix(value, type_: Type):
    if type_.is_vector:
        return value.reshape((1, -1) if type_.row else (-1, 1))
    return value


def product(left, left_type: Type, right, right_type: Type):
    """The product of two values as the language defines it for their types."""
    if left_type.is_scalar or right_type.is_scalar:
        return left * right
    if left_type.is_vector and right_type.is_vector and not left_type.row:
        return np.outer(left, right)
    return left @ right


def evaluate(expr: N.Expr, values: dict[str, Any]):
    """The NumPy value of ``expr`` (contract §4)."""
    # Variables the expression does not mention may fix its sizes (∂x/∂x = I needs
    # x's length): its provenance names them.
    bound = provenance.of(expr).variables
    names = set(expr.free_symbols()).union(name for name, _ in bound)
    evaluator = Evaluator(values, names)
    # Bind every variable first, so that their sizes are known wherever ``I`` or
    # ``ones`` is met, whichever comes first in the tree (``I W``, ``ones^T x``).
    for symbol in expr.free_symbols().values():
        evaluator(symbol)
    evaluator.bind_variables(bound)
    result = evaluator(expr)
    return float(result) if np.ndim(result) == 0 else result
