"""What differs between NumPy, JAX and PyTorch source: one table row per target.

The code printer (:mod:`.code`) decides *what* to compute — which products to form, in
what order, what to share — identically for every target; a :class:`Target` only says
how each array operation is spelled. An operation is a format string in its operands
``{0}``, ``{1}``, …; a tuple of them is a sequence of steps, each but the last assigned
to a temporary that the next one reads as ``{prev}``; ``{like}`` stands for the keyword
arguments that give a newly created array the dtype (and device) of the inputs, so the
generated code never fixes either.

Stability: the JAX and PyTorch rows use the frameworks' own stable functions
(``jax.nn.sigmoid``, ``torch.logsumexp``, …), which neither overflow nor warn at ±1e3.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import SymmatError
from ..functions import ELEMENTWISE
from ..registry import PRIMITIVES

Template = str | tuple[str, ...]  # one format string, or steps (see the module docstring)


@dataclass(frozen=True)
class Target:
    key: str  # the key of the primitives' spellings (symmat.registry.Primitive.code)
    name: str  # for messages: "NumPy", "JAX", "PyTorch"
    imports: tuple[tuple[str, str], ...]  # (import line, prefix whose use needs it; "" always)
    modules: frozenset[str]  # names the generated code binds at module level
    ops: dict[str, Template]  # the array operations the printers compose (matrix functions: the registry's)
    elementwise: dict[str, str] | None  # name -> source in x; None: the table's NumPy source
    transpose: str  # suffix that transposes a matrix
    like_array: str = ""  # {like} when the reference parameter {r} is an array
    like_scalar: str = ""  # ... and when it is a scalar
    array_word: str = "array"  # what the docstring calls an argument
    notes: tuple[str, ...] = field(default=())  # extra docstring lines

    def template(self, name: str) -> Template:
        """How operation ``name`` is spelled: the printers' own operations, then the
        matrix functions of the registry (each primitive spells itself)."""
        if name in self.ops:
            return self.ops[name]
        spelling = PRIMITIVES[name].code.get(self.key) if name in PRIMITIVES else None
        if spelling is None:
            raise SymmatError(f"the {self.name} printer has no source for {name}")
        return spelling

    def elementwise_source(self, name: str) -> tuple[tuple[tuple[str, str], ...], str]:
        """``name``'s source: intermediate parts ``(name, formula)`` and an expression,
        in ``x`` (see :class:`symmat.functions.ElementwiseFunction`)."""
        if self.elementwise is None:
            row = ELEMENTWISE[name]
            return row.numpy_parts, row.numpy_source
        if name not in self.elementwise:
            raise SymmatError(f"the {self.name} printer has no source for the elementwise function {name}")
        return (), self.elementwise[name]


NUMPY = Target(
    key="numpy",
    name="NumPy",
    imports=(("import numpy as np", ""),),
    modules=frozenset({"np"}),
    ops={
        "inf": "np.inf", "nan": "np.nan",
        "eye": "np.eye({0})", "ones": "np.ones({0})", "zeros": "np.zeros({0})",
        "kron": "np.kron({0}, {1})", "outer": "np.outer({0}, {1})", "tmatvec": "{0}.T @ {1}",
        "power": "np.power({0}, {1})", "matrix_power": "np.linalg.matrix_power({0}, {1})",
        "inv": "np.linalg.inv({0})", "solve": "np.linalg.solve({0}, {1})",
        "trace": "np.trace({0})", "diagonal": "np.diagonal({0}).copy()", "diag": "np.diag({0})",
        "sum": "np.sum({0})", "abs": "np.abs({0})",
        "maximum": "np.maximum({0}, {1})", "minimum": "np.minimum({0}, {1})",
        "einsum": "np.einsum({0}, {1}, optimize=True)", "reshape": "np.reshape({0}, {1})",
    },
    elementwise=None,
    transpose=".T",
)

JAX = Target(
    key="jax",
    name="JAX",
    imports=(("import jax", "jax."), ("import jax.numpy as jnp", "")),
    modules=frozenset({"jax", "jnp"}),
    ops={
        "inf": "jnp.inf", "nan": "jnp.nan",
        "eye": "jnp.eye({0}{like})", "ones": "jnp.ones({0}{like})", "zeros": "jnp.zeros({0}{like})",
        "kron": "jnp.kron({0}, {1})", "outer": "jnp.outer({0}, {1})",
        "tmatvec": "{1} @ {0}",  # Aᵀx as xᵀA: XLA on CPU copies Aᵀ first (10x slower at 2000 x 200)
        "power": "jnp.power({0}, {1})", "matrix_power": "jnp.linalg.matrix_power({0}, {1})",
        "inv": "jnp.linalg.inv({0})", "solve": "jnp.linalg.solve({0}, {1})",
        "trace": "jnp.trace({0})", "diagonal": "jnp.diagonal({0})", "diag": "jnp.diag({0})",
        "sum": "jnp.sum({0})", "abs": "jnp.abs({0})",
        "maximum": "jnp.maximum({0}, {1})", "minimum": "jnp.minimum({0}, {1})",
        "einsum": "jnp.einsum({0}, {1})", "reshape": "jnp.reshape({0}, {1})",
    },
    elementwise={
        "exp": "jnp.exp(x)", "log": "jnp.log(x)", "sin": "jnp.sin(x)", "cos": "jnp.cos(x)",
        "tanh": "jnp.tanh(x)", "sqrt": "jnp.sqrt(x)", "abs": "jnp.abs(x)", "sign": "jnp.sign(x)",
        "sigmoid": "jax.nn.sigmoid(x)", "relu": "jax.nn.relu(x)", "softplus": "jax.nn.softplus(x)",
        "step": "jnp.heaviside(x, 0.0)",
    },
    transpose=".T",
    like_array=", dtype={r}.dtype",
    like_scalar=", dtype=jnp.result_type({r})",
)

TORCH = Target(
    key="torch",
    name="PyTorch",
    imports=(("import torch", ""),),
    modules=frozenset({"torch"}),
    ops={
        "inf": "torch.inf", "nan": "torch.nan",
        "eye": "torch.eye({0}{like})", "ones": "torch.ones({0}{like})", "zeros": "torch.zeros({0}{like})",
        "kron": "torch.kron({0}, {1})", "outer": "torch.outer({0}, {1})", "tmatvec": "{0}.mT @ {1}",
        "power": "torch.pow({0}, {1})", "matrix_power": "torch.linalg.matrix_power({0}, {1})",
        "inv": "torch.linalg.inv({0})", "solve": "torch.linalg.solve({0}, {1})",
        "trace": "torch.trace({0})", "diagonal": "torch.diagonal({0})", "diag": "torch.diag({0})",
        "sum": "torch.sum({0})", "abs": "torch.abs({0})",
        # torch.maximum wants two tensors; an operand may be a Python number (max(0, z))
        "maximum": "torch.where({0} >= {1}, {0}, {1})", "minimum": "torch.where({0} <= {1}, {0}, {1})",
        "einsum": "torch.einsum({0}, {1})", "reshape": "torch.reshape({0}, {1})",
    },
    elementwise={
        "exp": "torch.exp(x)", "log": "torch.log(x)", "sin": "torch.sin(x)", "cos": "torch.cos(x)",
        "tanh": "torch.tanh(x)", "sqrt": "torch.sqrt(x)", "abs": "torch.abs(x)", "sign": "torch.sign(x)",
        "sigmoid": "torch.sigmoid(x)", "relu": "torch.relu(x)",
        "softplus": "torch.nn.functional.softplus(x)", "step": "(x > 0).to(x.dtype)",
    },
    transpose=".mT",  # .T of a batched (vmap) matrix would reverse the batch axis too
    like_array=", dtype={r}.dtype, device={r}.device",
    like_scalar=", dtype={r}.dtype, device={r}.device",
    array_word="tensor",
    notes=("Every argument is a tensor (a scalar as a 0-d tensor), on any one device.",),
)

TARGETS: dict[str, Target] = {"numpy": NUMPY, "jax": JAX, "torch": TORCH}
MODULE_NAMES = frozenset().union(*(t.modules for t in TARGETS.values())) | {"numpy"}


def target(name: str | Target) -> Target:
    if isinstance(name, Target):
        return name
    if name not in TARGETS:
        raise SymmatError(f"unknown code target {name!r}; choose one of {', '.join(TARGETS)}")
    return TARGETS[name]
