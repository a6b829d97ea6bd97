"""Benchmark (never a timed test): symmat's generated NumPy code against the NumPy a
competent ML engineer writes by hand, and against JAX where JAX is installed (issue 5,
item 6: target ≤ 1.2x hand-written, goal 1.1x).

    python bench/codegen.py [--repeat 40] [--no-jax] [--no-source]

Cases, each differentiated by symmat, printed with ``result.numpy(name)`` and the
source exec'd (it is our own generated code):

* logistic loss ``sum(log(1 + exp(-y .* (X w))))``, gradient and Hessian by ``w``,
  ``X: 4000 x 300``, labels ``y`` in {-1, +1};
* MLP ``norm(W2 tanh(W1 x) - t)^2``, gradient by ``W1`` (denominator layout, shaped like
  ``W1``), ``W1, W2: 512 x 512``;
* ``x^T A x``, Hessian by ``x``, ``A: 1000 x 1000``;
* matrix power ``a^T W^3 b``, gradient by ``W``, ``W: 300 x 300`` (issue 10: matrix
  products, no m x m x m temporaries);
* batched layer ``norm(W2 tanh(W1 X) - Y)^2``, gradient by ``W1``, 256 units, batch 128.

Every generated function is first checked against the hand-written one (and against
``result.evaluate``) with ``np.allclose``; only then is it timed. Timing: ``timeit``,
``--repeat`` short rounds (about 20 ms each) in which hand and symmat take turns, in an
order reversed every round, so drift and other load on the machine hit both alike; the
minimum per call of each is kept. All in one process on the same arrays; the table gives
the ratios to the hand-written time. Noise from other processes only ever adds time, so
rerun (or set ``OPENBLAS_NUM_THREADS=1`` for steadier figures) when the ratios look odd.

JAX (optional; it is not a dependency of symmat): ``jax.jit(jax.grad(loss))`` and
``jax.jit(jax.hessian(loss))`` with float64 enabled, the data passed as arguments (not
closed over, so XLA cannot fold it into constants), timed after a warm-up call that
compiles, each call ending in ``block_until_ready()``.
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import timeit
from functools import partial

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np

import symmat
from symmat.printing.numpy import numpy_parameters

TARGET, GOAL = 1.2, 1.1


# ------------------------------------------------------------------ hand-written NumPy
def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def hand_logistic_grad(X, y, w):
    # Not `-X.T @ v`: unary minus binds tighter than @, so that negates all of X first.
    return -(X.T @ (y * sigmoid(-y * (X @ w))))


def hand_logistic_hess(X, y, w):
    s = sigmoid(y * (X @ w))  # labels ±1: y² = 1, σ(-u)(1 - σ(-u)) = σ(u)(1 - σ(u))
    d = s * (1.0 - s)
    return X.T @ (d[:, None] * X)


def hand_mlp_grad(W1, W2, x, t):
    h = np.tanh(W1 @ x)
    r = W2 @ h - t
    delta = (W2.T @ r) * (1.0 - h * h)
    # The scalar folded into the n-vector: `2 * np.outer(delta, x)` costs one more pass over
    # the n x n result (about +14% at n = 512).
    return np.outer(2.0 * delta, x)


def hand_quad_hess(A, x):
    return A + A.T


def hand_power_grad(W, a, b):
    # ∂(aᵀW³b)/∂W = a (W²b)ᵀ + Wᵀa (Wb)ᵀ + (Wᵀ)²a bᵀ
    u1 = W.T @ a
    v1 = W @ b
    return np.outer(a, W @ v1) + np.outer(u1, v1) + np.outer(W.T @ u1, b)


def hand_batch_grad(W1, W2, X, Y):
    h = np.tanh(W1 @ X)
    delta = (W2.T @ (W2 @ h - Y)) * (1.0 - h * h)
    return 2.0 * (delta @ X.T)


# --------------------------------------------------------------------------- JAX
def jax_functions():
    """``{case: jitted function taking the case's values dict's arrays}``, or None."""
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)

    def logistic(w, X, y):
        return jnp.sum(jnp.log(1.0 + jnp.exp(-y * (X @ w))))

    def mlp(W1, W2, x, t):
        r = W2 @ jnp.tanh(W1 @ x) - t
        return jnp.sum(r * r)

    def quad(x, A):
        return x @ (A @ x)

    g_log, h_log = jax.jit(jax.grad(logistic)), jax.jit(jax.hessian(logistic))
    g_mlp, h_quad = jax.jit(jax.grad(mlp)), jax.jit(jax.hessian(quad))
    to = jnp.asarray
    return {
        "logistic gradient": (jax.__version__, lambda v: (to(v["w"]), to(v["X"]), to(v["y"])), g_log),
        "logistic Hessian": (jax.__version__, lambda v: (to(v["w"]), to(v["X"]), to(v["y"])), h_log),
        "MLP gradient": (jax.__version__, lambda v: (to(v["W1"]), to(v["W2"]), to(v["x"]), to(v["t"])), g_mlp),
        "x^T A x Hessian": (jax.__version__, lambda v: (to(v["x"]), to(v["A"])), h_quad),
    }


# ------------------------------------------------------------------------- cases
def cases(rng):
    m, n = 4000, 300
    X = rng.standard_normal((m, n)) / np.sqrt(n)
    y = rng.choice([-1.0, 1.0], size=m)
    w = rng.standard_normal(n)
    logistic = {"X": X, "y": y, "w": w}
    k = 512
    mlp = {
        "W1": rng.standard_normal((k, k)) / np.sqrt(k),
        "W2": rng.standard_normal((k, k)) / np.sqrt(k),
        "x": rng.standard_normal(k),
        "t": rng.standard_normal(k),
    }
    q = 1000
    quad = {"A": rng.standard_normal((q, q)), "x": rng.standard_normal(q)}
    power = {"W": rng.standard_normal((300, 300)) / np.sqrt(300), "a": rng.standard_normal(300),
             "b": rng.standard_normal(300)}
    units, batch = 256, 128
    batched = {
        "W1": rng.standard_normal((units, units)) / np.sqrt(units),
        "W2": rng.standard_normal((units, units)) / np.sqrt(units),
        "X": rng.standard_normal((units, batch)),
        "Y": rng.standard_normal((units, batch)),
    }
    loss = "sum(log(1 + exp(-y .* (X w))))"
    where = "X: m x n; y: m; w: n"
    return [
        ("logistic gradient", f"m={m}, n={n}", loss, "w", where, 1, logistic,
         lambda v: hand_logistic_grad(v["X"], v["y"], v["w"])),
        ("logistic Hessian", f"m={m}, n={n}", loss, "w", where, 2, logistic,
         lambda v: hand_logistic_hess(v["X"], v["y"], v["w"])),
        ("MLP gradient", f"n={k}", "norm(W2 tanh(W1 x) - t)^2", "W1", "W1: n x n; W2: n x n; x: n; t: n", 1, mlp,
         lambda v: hand_mlp_grad(v["W1"], v["W2"], v["x"], v["t"])),
        ("x^T A x Hessian", f"n={q}", "x^T A x", "x", "A: n x n; x: n", 2, quad,
         lambda v: hand_quad_hess(v["A"], v["x"])),
        ("a^T W^3 b gradient", "m=300", "a^T W^3 b", "W", "W: m x m; a: m; b: m", 1, power,
         lambda v: hand_power_grad(v["W"], v["a"], v["b"])),
        ("batched layer grad", f"n={units}, b={batch}", "norm(W2 tanh(W1 X) - Y)^2", "W1",
         "W1: n x n; W2: n x n; X: n x b; Y: n x b", 1, batched,
         lambda v: hand_batch_grad(v["W1"], v["W2"], v["X"], v["Y"])),
    ]


def generate(formula, wrt, where, order, name):
    """The derivative, its generated source and the exec'd function."""
    result = symmat.diff(formula, wrt, layout="denominator", where=where, order=order)
    source = result.numpy(name)
    namespace: dict = {}
    exec(compile(source, f"<symmat {name}>", "exec"), namespace)  # our own generated code
    return result, source, namespace[name], [key for _, key in numpy_parameters(result, name)]


ROUND_SECONDS = 0.02  # short rounds: on a shared machine, the minimum of many short ones is steadiest


def loops(fn) -> int:
    """Calls per round: the smallest of 1, 2, 5, 10, 20, ... that takes ``ROUND_SECONDS``."""
    timer, number = timeit.Timer(fn), 1
    while True:
        for step in (1, 2, 5):
            if timer.timeit(number * step) >= ROUND_SECONDS:
                return number * step
        number *= 10


def _jax_call(fn, args):
    """One timed JAX call: dispatch returns at once, so wait for the result."""
    return fn(*args).block_until_ready()


def time_all(fns: dict, repeat: int) -> dict:
    """Minimum seconds per call of each function, the functions taking turns each round
    and the order of the turns reversed every other round."""
    counts = {label: loops(fn) for label, fn in fns.items()}
    best = {label: float("inf") for label in fns}
    order = list(fns)
    for _ in range(repeat):
        for label in order:
            t = timeit.Timer(fns[label]).timeit(counts[label]) / counts[label]
            best[label] = min(best[label], t)
        order.reverse()
    return best


# ----------------------------------------------------------------------- report
def environment(jax_version) -> list[str]:
    lines = [
        f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} cores, "
        f"jax {jax_version or 'not installed'}",
        "OPENBLAS_CORETYPE=" + os.environ.get("OPENBLAS_CORETYPE", "(unset)")
        + ", OPENBLAS_L2_SIZE=" + os.environ.get("OPENBLAS_L2_SIZE", "(unset)"),
    ]
    try:
        from threadpoolctl import threadpool_info

        for pool in threadpool_info():
            if pool.get("user_api") == "blas":
                lines.append(
                    f"BLAS: {pool.get('internal_api')} {pool.get('version')}, "
                    f"{pool.get('num_threads')} threads, kernel {pool.get('architecture')}"
                )
    except ImportError:
        lines.append("BLAS: (threadpoolctl not installed)")
    return lines


def ms(t: float) -> str:
    return f"{t * 1e3:9.3f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=40, help="timing rounds; the minimum is kept")
    ap.add_argument("--no-jax", action="store_true", help="skip JAX even if it is installed")
    ap.add_argument("--no-source", action="store_true", help="do not print the generated source")
    args = ap.parse_args(argv)

    jax_fns = None if args.no_jax else jax_functions()
    jax_version = next(iter(jax_fns.values()))[0] if jax_fns else None
    for line in environment(jax_version):
        print(line)
    print()

    rng = np.random.default_rng(0)
    rows = []
    for label, size, formula, wrt, where, order, values, hand in cases(rng):
        what = "gradient" if order == 1 else "Hessian"
        name = re.sub(r"\W+", "_", label.replace("^T", "t")).lower()  # "xt_a_x_hessian"
        result, source, fn, keys = generate(formula, wrt, where, order, name)
        gen_args = [values[k] for k in keys]
        expected = hand(values)
        got = np.asarray(fn(*gen_args))
        assert got.shape == expected.shape, (label, got.shape, expected.shape)
        assert np.allclose(got, expected, rtol=1e-9, atol=1e-9), label
        assert np.allclose(np.asarray(result.evaluate(values)), expected, rtol=1e-9, atol=1e-9), label
        if not args.no_source:
            print(f"=== {label} ({size}): {what} of {formula} by {wrt}")
            print(f"symmat result: {result}")
            print(source.rstrip())
            print()

        # partial binds this case's function and arguments now (a lambda would read the loop's
        # variables when called: the same here, as time_all calls it at once, but fragile).
        times = time_all({"hand": partial(hand, values), "symmat": partial(fn, *gen_args)}, args.repeat)
        if jax_fns and label in jax_fns:
            # Timed on its own, after NumPy: XLA's worker threads, still busy just after
            # a call, would otherwise slow whichever NumPy function came next.
            _, convert, jfn = jax_fns[label]
            jargs = convert(values)
            jgot = np.asarray(jfn(*jargs).block_until_ready())  # warm-up: compiles
            assert np.allclose(jgot, expected, rtol=1e-7, atol=1e-9), f"jax {label}"
            times.update(time_all({"jax": partial(_jax_call, jfn, jargs)}, args.repeat))
        rows.append((label, size, times))

    head = f"{'case':<20} {'size':<16} {'hand ms':>9} {'symmat ms':>9} {'ratio':>6}  {'verdict':<8}"
    if jax_fns:
        head += f" {'jax ms':>9} {'jax/hand':>8}"
    print(head)
    print("-" * len(head))
    worst = 0.0
    for label, size, t in rows:
        ratio = t["symmat"] / t["hand"]
        worst = max(worst, ratio)
        verdict = "goal" if ratio <= GOAL else "target" if ratio <= TARGET else "SLOW"
        line = f"{label:<20} {size:<16} {ms(t['hand'])} {ms(t['symmat'])} {ratio:6.2f}  {verdict:<8}"
        if "jax" in t:
            line += f" {ms(t['jax'])} {t['jax'] / t['hand']:8.2f}"
        print(line)
    print(f"\nworst symmat/hand ratio {worst:.2f} (target ≤ {TARGET}, goal ≤ {GOAL}); "
          f"minimum of {args.repeat} rounds each")
    return 0


if __name__ == "__main__":
    sys.exit(main())
