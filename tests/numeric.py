"""Independent numeric checks: central finite differences of the NumPy evaluation of
the *original* expression, arranged in the layouts of contract §3."""
from __future__ import annotations

import numpy as np

import symmat


def numeric_derivative(f: symmat.Expr, wrt: str, values: dict, layout: str = "numerator", h: float = 1e-6):
    """∂f/∂wrt by central differences, laid out as contract §3 says."""
    x0 = np.asarray(values[wrt], dtype=float)
    f0 = np.asarray(f.evaluate(values), dtype=float)
    d = np.zeros(f0.shape + x0.shape)
    for idx in np.ndindex(*x0.shape) if x0.shape else [()]:
        plus, minus = x0.copy(), x0.copy()
        plus[idx] += h
        minus[idx] -= h
        fp = np.asarray(f.evaluate({**values, wrt: plus if x0.shape else float(plus)}), dtype=float)
        fm = np.asarray(f.evaluate({**values, wrt: minus if x0.shape else float(minus)}), dtype=float)
        d[(Ellipsis,) + idx] = (fp - fm) / (2 * h)
    r, k = f0.ndim, x0.ndim
    f_axes, x_axes = list(range(r)), list(range(r, r + k))
    axes = f_axes + x_axes[::-1] if layout == "numerator" else x_axes + f_axes[::-1]
    return np.transpose(d, axes)


def assert_derivative(f, wrt, values, layout="numerator", where=None, rtol=1e-5, atol=1e-6, order=1, **kwargs):
    """The engine's derivative agrees with finite differences at ``values``.

    For ``order`` k > 1 the k-th derivative is compared with finite differences of the
    (k-1)-th, which is itself checked against differences of the original."""
    if isinstance(f, str):
        f = symmat.parse(f, where)
    result = symmat.diff(f, wrt, layout=layout, where=where, order=order, **kwargs)
    got = np.asarray(result.evaluate(values), dtype=float)
    base = f if order == 1 else symmat.diff(f, wrt, layout=layout, where=where, order=order - 1, **kwargs)
    want = numeric_derivative(base, wrt, values, layout)
    assert got.shape == want.shape, (got.shape, want.shape)
    scale = max(1.0, float(np.max(np.abs(want))) if want.size else 1.0)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol * scale)
    return result
