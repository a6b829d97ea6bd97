"""The NumPy, JAX and PyTorch printers: :func:`.code.to_code` with each target's table.

``to_numpy(expr, "f")`` is ``Expr.numpy("f")``; ``to_jax`` and ``to_torch`` give the same
function (same parameters, same value) importing only ``jax``/``jax.numpy`` or ``torch``.
"""
from __future__ import annotations

from .. import nodes as N
from .code import code_parameters, to_code
from .targets import JAX, NUMPY, TORCH


def to_numpy(expr: N.Expr, name: str = "f") -> str:
    return to_code(expr, name, NUMPY)


def to_jax(expr: N.Expr, name: str = "f") -> str:
    return to_code(expr, name, JAX)


def to_torch(expr: N.Expr, name: str = "f") -> str:
    return to_code(expr, name, TORCH)


numpy_parameters = code_parameters  # the parameters are the same for every target

__all__ = ["to_numpy", "to_jax", "to_torch", "numpy_parameters", "code_parameters"]
