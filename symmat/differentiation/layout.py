"""The derivative tensor in a layout, of any order: the engine behind ``symmat.diff``.

The engine computes one object for both layouts, the tensor ``∂f/∂x`` with axes
``f.shape ++ x.shape``; the layout (contract §3) only orders its axes:

- numerator:   ``F ++ reverse(X)``  (a gradient is a row vector; ∂L/∂A has Aᵀ's shape)
- denominator: ``X ++ reverse(F)``  (a gradient has the shape of the variable)

``order=k`` differentiates k times, each time laying out the result as above, so the
second derivative of a scalar by a vector is the n x n Hessian in both layouts.
"""
from __future__ import annotations

from ..index import tensor as T
from ..shapes import Type
from .adjoint import gradient
from .rules import derivative


def differentiate(tensor: T.Tensor, var: T.Var, *, layout: str, order: int,
                  symmetric: str) -> tuple[T.Tensor, Type, T.Tensor]:
    """The ``order``-th derivative of ``tensor`` by ``var`` laid out in ``layout``, its
    type, and the last differentiation before its layout (axes ``f.shape ++ x.shape``
    of the (order-1)-th derivative's f: for order 1, the raw ∂f/∂x)."""
    type_ = Type(tensor.shape)
    raw = tensor
    for _ in range(order):
        f_rank = tensor.rank
        raw = _derivative_raw(tensor, var, symmetric)
        tensor, type_ = _laid_out(raw, f_rank, var.rank, layout)
    return tensor, type_, raw


def _derivative_raw(tensor: T.Tensor, var: T.Var, symmetric: str) -> T.Tensor:
    """∂tensor/∂var with axes ``tensor.shape ++ var.shape``.

    Reverse mode for a scalar (backpropagation gives the textbook's gradient form);
    forward mode otherwise (Jacobians, and Hessians as derivatives of gradients)."""
    d = gradient(tensor, var) if tensor.rank == 0 else derivative(tensor, var)
    r = tensor.rank
    if d is None:
        return T.Zero(tensor.shape + var.shape)
    if symmetric == "symmetric" and var.symmetric:
        # Project onto symmetric matrices: (G + Gᵀ)/2 over the variable's two axes.
        swapped = tuple(range(r)) + (r + 1, r)
        d = T.add_or_zero([T.scale(d, 0.5), T.scale(T.permute(d, swapped), 0.5)], d.shape)
    return d


def _laid_out(d: T.Tensor, r: int, k: int, layout: str) -> tuple[T.Tensor, Type]:
    """Axes ordered as contract §3: F ++ reverse(X) or X ++ reverse(F)."""
    f_axes, x_axes = list(range(r)), list(range(r, r + k))
    axes = f_axes + x_axes[::-1] if layout == "numerator" else x_axes + f_axes[::-1]
    laid_out = T.permute(d, axes)
    shape = laid_out.shape
    row = len(shape) == 1 and ((layout == "numerator") == (r == 0))
    return laid_out, Type(shape, row)
