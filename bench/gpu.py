"""Benchmark (never a timed test): symmat's generated JAX and PyTorch code against the
frameworks' automatic differentiation and against hand-written closed forms, on whatever
device is present (issue 15).

    python bench/gpu.py [--device cpu|cuda] [--quick] [--sizes SPEC] [--dtype float32|float64]
                        [--frameworks jax,torch] [--repeat 30] [--source]

Cases (each differentiated by symmat, printed with ``Expr.jax`` / ``Expr.torch``, the source
exec'd; it is our own generated code):

* ``x^T A x``, Hessian by ``x`` (n = 2048, 4096);
* logistic loss ``sum(log(1 + exp(-y .* (X w))))`` with labels ``y`` in {-1, +1}, gradient and
  Hessian by ``w`` (m x n = 20000 x 1000, 100000 x 1000, 20000 x 2000);
* a layer of an MLP on a batch, ``norm(W2 tanh(W1 X) - Y)^2``, gradient by ``W1``
  (1024 units, batch 512).

For each framework, three functions of the same arrays:

* ``hand``: the closed form a competent engineer writes (``A + A.T``,
  ``X.T @ (s * (1 - s))[:, None] * X``, backpropagation by hand);
* ``symmat``: the generated function (JAX: under ``jax.jit``; PyTorch: as it is, eager);
* ``AD``: JAX ``jax.jit(jax.grad(loss))`` / ``jax.jit(jax.hessian(loss))``; PyTorch
  ``torch.func.grad(loss)`` / ``torch.func.hessian(loss)``.

Every function is first checked against the hand-written value; only then is it timed:
warm-up calls (compilation), then ``--repeat`` calls, each ending when the device is done
(``block_until_ready``, ``torch.cuda.synchronize``), the three functions taking turns; the
table gives the median (``--stat min``: the minimum, steadier on a shared CPU) and ratios.
``--quick`` uses sizes a shared CPU runs in a minute or two; ``--sizes`` sets them, e.g.
``--sizes "quad=1024,2048; logistic=4000x300; mlp=256x128"``.

Goals (issue 15): symmat's Hessians at least as fast as ``jax.hessian`` and ahead of
``torch.func.hessian`` on the quadratic-form and logistic cases; symmat within 1.2x of the
hand-written closed form on every case.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np

import symmat
from symmat.printing.code import code_parameters

HAND_TARGET = 1.2  # symmat / hand

FULL_SIZES = "quad=2048,4096; logistic=20000x1000,100000x1000,20000x2000; mlp=1024x512"
QUICK_SIZES = "quad=512,1024; logistic=4000x300; mlp=256x128"
ROUND_BUDGET = 10.0  # seconds: slow functions (AD Hessians at large sizes) get fewer rounds, at least 3


# ------------------------------------------------------------------ the cases
@dataclass(frozen=True)
class Case:
    label: str
    size: str
    formula: str
    wrt: str
    where: str
    order: int
    values: dict  # NumPy arrays by name
    loss: Callable  # loss(ops, **arrays) -> scalar, for AD (ops: the framework's functions)
    hand: Callable  # hand(ops, **arrays) -> the derivative, closed form
    hessian_goal: bool  # a Hessian the goal compares with the frameworks' AD


def quad_loss(o, x, A):
    return x @ (A @ x)


def quad_hess(o, x, A):
    return A + A.T


LOGISTIC = "sum(log(1 + exp(-y .* (X w))))"


def logistic_loss(o, w, X, y):
    return o.sum(o.softplus(-y * (X @ w)))


def logistic_grad(o, w, X, y):
    # Not `-X.T @ v`: unary minus binds tighter than @, so that negates all of X first.
    return -(X.T @ (y * o.sigmoid(-y * (X @ w))))


def logistic_hess(o, w, X, y):
    s = o.sigmoid(y * (X @ w))  # labels ±1: y² = 1, σ(-u)(1 - σ(-u)) = σ(u)(1 - σ(u))
    return X.T @ ((s * (1.0 - s))[:, None] * X)


def mlp_loss(o, W1, W2, X, Y):
    r = W2 @ o.tanh(W1 @ X) - Y
    return o.sum(r * r)


def mlp_grad(o, W1, W2, X, Y):
    h = o.tanh(W1 @ X)
    delta = (W2.T @ (W2 @ h - Y)) * (1.0 - h * h)
    return (2.0 * delta) @ X.T  # the 2 on the h x b factor: W1's n x n result is written once


def parse_sizes(spec: str) -> dict[str, list[tuple[int, ...]]]:
    out: dict[str, list[tuple[int, ...]]] = {}
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        name, _, values = part.partition("=")
        out[name.strip()] = [tuple(int(v) for v in item.split("x")) for item in values.split(",") if item.strip()]
    unknown = set(out) - {"quad", "logistic", "mlp"}
    if unknown:
        raise SystemExit(f"--sizes: unknown case(s) {', '.join(sorted(unknown))}; use quad, logistic, mlp")
    return out


def cases(sizes: dict, rng: np.random.Generator) -> list[Case]:
    out = []
    for (n,) in sizes.get("quad", []):
        values = {"A": rng.standard_normal((n, n)), "x": rng.standard_normal(n)}
        out.append(Case("x^T A x Hessian", f"n={n}", "x^T A x", "x", "A: n x n; x: n", 2, values,
                        quad_loss, quad_hess, True))
    for m, n in sizes.get("logistic", []):
        values = {"X": rng.standard_normal((m, n)) / np.sqrt(n), "y": rng.choice([-1.0, 1.0], size=m),
                  "w": rng.standard_normal(n)}
        where = "X: m x n; y: m; w: n"
        out.append(Case("logistic gradient", f"m={m}, n={n}", LOGISTIC, "w", where, 1, values,
                        logistic_loss, logistic_grad, False))
        out.append(Case("logistic Hessian", f"m={m}, n={n}", LOGISTIC, "w", where, 2, values,
                        logistic_loss, logistic_hess, True))
    for n, b in sizes.get("mlp", []):
        values = {"W1": rng.standard_normal((n, n)) / np.sqrt(n), "W2": rng.standard_normal((n, n)) / np.sqrt(n),
                  "X": rng.standard_normal((n, b)), "Y": rng.standard_normal((n, b))}
        out.append(Case("MLP gradient", f"n={n}, batch={b}", "norm(W2 tanh(W1 X) - Y)^2", "W1",
                        "W1: n x n; W2: n x n; X: n x b; Y: n x b", 1, values, mlp_loss, mlp_grad, False))
    return out


# ------------------------------------------------------------------ the frameworks
@dataclass
class Framework:
    name: str
    version: str
    ops: Any  # sigmoid, softplus, tanh, sum
    to_device: Callable[[np.ndarray], Any]
    sync: Callable[[Any], Any]
    to_numpy: Callable[[Any], np.ndarray]
    wrap_symmat: Callable[[Callable], Callable]
    grad: Callable[[Callable, int], Callable]  # loss, argument position -> function
    hessian: Callable[[Callable, int], Callable]
    wrap_hand: Callable[[Callable], Callable]
    emit: str  # "jax" / "torch": Expr.<emit>


class _Ops:
    def __init__(self, **fns):
        self.__dict__.update(fns)


def jax_framework(device: str, dtype: str) -> Framework:
    import jax
    import jax.numpy as jnp

    if dtype == "float64":
        jax.config.update("jax_enable_x64", True)
    platform_name = {"cuda": "gpu"}.get(device, device)
    dev = jax.devices(platform_name)[0]
    ops = _Ops(sigmoid=jax.nn.sigmoid, softplus=jax.nn.softplus, tanh=jnp.tanh, sum=jnp.sum)
    return Framework(
        "jax", f"jax {jax.__version__} on {dev.platform}", ops,
        lambda a: jax.device_put(jnp.asarray(a, dtype=dtype), dev),
        lambda r: r.block_until_ready(), np.asarray, jax.jit,
        lambda loss, k: jax.jit(jax.grad(loss, argnums=k)),
        lambda loss, k: jax.jit(jax.hessian(loss, argnums=k)),
        jax.jit, "jax",
    )


def torch_framework(device: str, dtype: str) -> Framework:
    import torch
    import torch.func

    dev = torch.device(device)
    ops = _Ops(sigmoid=torch.sigmoid, softplus=torch.nn.functional.softplus, tanh=torch.tanh, sum=torch.sum)

    def sync(r):
        if dev.type == "cuda":
            torch.cuda.synchronize(dev)
        return r

    return Framework(
        "torch", f"torch {torch.__version__} on {dev}", ops,
        lambda a: torch.as_tensor(np.asarray(a), dtype=getattr(torch, dtype), device=dev), sync,
        lambda t: t.detach().cpu().numpy(), lambda f: f,
        lambda loss, k: torch.func.grad(loss, argnums=k),
        lambda loss, k: torch.func.hessian(loss, argnums=k),
        lambda f: f, "torch",
    )


# ------------------------------------------------------------------ timing
def time_all(calls: dict[str, Callable[[], Any]], sync: Callable, repeat: int, stat: Callable,
             warmup: int = 2) -> dict[str, float]:
    """Seconds per call of each function (``stat`` of ``repeat`` calls, fewer, at least 3, where
    a round would take more than ``ROUND_BUDGET`` in all), the functions taking
    turns call by call, in an order reversed every round, so drift and other load on the
    machine hit all alike."""
    one_call = 0.0
    for fn in calls.values():
        for _ in range(warmup):
            start = time.perf_counter()
            sync(fn())
        one_call += time.perf_counter() - start
    rounds = max(3, min(repeat, int(ROUND_BUDGET / one_call)))
    times: dict[str, list[float]] = {label: [] for label in calls}
    order = list(calls)
    for _ in range(rounds):
        for label in order:
            start = time.perf_counter()
            sync(calls[label]())
            times[label].append(time.perf_counter() - start)
        order.reverse()
    return {label: stat(t) for label, t in times.items()}


def generated(case: Case, emit: str) -> tuple[Callable, list[str], str]:
    result = symmat.diff(case.formula, case.wrt, layout="denominator", where=case.where, order=case.order)
    name = "d_" + emit
    source = getattr(result, emit)(name)
    namespace: dict = {}
    exec(compile(source, f"<symmat {case.label}>", "exec"), namespace)  # our own generated code
    return namespace[name], [key for _, key in code_parameters(result, name)], source


def run_case(case: Case, fw: Framework, repeat: int, stat: Callable, tol: float, show_source: bool) -> dict[str, float]:
    names = list(case.values)  # the loss's and the hand form's arguments, in order
    arrays = {k: fw.to_device(v) for k, v in case.values.items()}
    args = [arrays[k] for k in names]
    fn, keys, source = generated(case, fw.emit)
    if show_source:
        print(f"--- {fw.name}: {case.label} ({case.size})\n{source}")
    symmat_fn = fw.wrap_symmat(fn)
    symmat_args = [arrays[k] for k in keys]
    ops = fw.ops

    def loss(*a):
        return case.loss(ops, **dict(zip(names, a)))

    position = names.index(case.wrt)
    ad = (fw.hessian if case.order == 2 else fw.grad)(loss, position)
    hand = fw.wrap_hand(lambda *a: case.hand(ops, **dict(zip(names, a))))
    calls = {
        "hand": lambda: hand(*args),
        "symmat": lambda: symmat_fn(*symmat_args),
        "AD": lambda: ad(*args),
    }
    want = fw.to_numpy(fw.sync(calls["hand"]()))
    scale = float(np.max(np.abs(want)))
    for label in ("symmat", "AD"):
        got = fw.to_numpy(fw.sync(calls[label]()))
        if got.shape != want.shape or not np.allclose(got, want, rtol=tol, atol=tol * scale):
            raise SystemExit(f"{fw.name} {case.label} ({case.size}): {label} disagrees with the hand-written "
                             f"closed form (max abs difference {np.max(np.abs(got - want)):.3g})")
    return time_all(calls, fw.sync, repeat, stat)


# ------------------------------------------------------------------ report
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--device", default=None, help="cpu or cuda (default: cuda when PyTorch sees one, else cpu)")
    ap.add_argument("--quick", action="store_true", help=f"small sizes ({QUICK_SIZES})")
    ap.add_argument("--sizes", default=None, help=f"sizes, e.g. \"{QUICK_SIZES}\" (default: {FULL_SIZES})")
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    ap.add_argument("--frameworks", default="jax,torch", help="comma-separated: jax, torch")
    ap.add_argument("--repeat", type=int, default=30, help="timed calls per function")
    ap.add_argument("--stat", default="median", choices=["median", "min"],
                    help="median (default, as the published figures) or min (steadier on a shared CPU)")
    ap.add_argument("--source", action="store_true", help="print the generated source of each case")
    args = ap.parse_args(argv)

    device = args.device
    if device is None:
        try:
            import torch

            device = "cuda" if torch.cuda.is_available() else "cpu"
        except ImportError:
            device = "cpu"
    sizes = parse_sizes(args.sizes or (QUICK_SIZES if args.quick else FULL_SIZES))
    tol = 2e-3 if args.dtype == "float32" else 1e-8
    stat = statistics.median if args.stat == "median" else min

    frameworks = []
    for name in filter(None, (n.strip() for n in args.frameworks.split(","))):
        try:
            frameworks.append({"jax": jax_framework, "torch": torch_framework}[name](device, args.dtype))
        except ImportError as error:
            print(f"{name}: not installed ({error}); skipped")
        except KeyError:
            raise SystemExit(f"--frameworks: unknown framework {name!r}") from None
    if not frameworks:
        raise SystemExit("no framework to run (pip install 'symmat-cas[jax]' or 'symmat-cas[torch]')")

    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} cores, "
          f"device {device}, {args.dtype}, {args.stat} of {args.repeat} calls")
    for fw in frameworks:
        print(fw.version)
    print()

    rng = np.random.default_rng(0)
    rows = []
    for case in cases(sizes, rng):
        for fw in frameworks:
            t = run_case(case, fw, args.repeat, stat, tol, args.source)
            rows.append((case, fw.name, t))
            print(f"  done: {fw.name:<5} {case.label} ({case.size})", file=sys.stderr, flush=True)

    head = (f"{'case':<18} {'size':<18} {'fw':<5} {'hand ms':>9} {'symmat ms':>9} {'AD ms':>9} "
            f"{'symmat/hand':>11} {'AD/symmat':>9}")
    print(head)
    print("-" * len(head))
    failures = []
    for case, fw_name, t in rows:
        to_hand, ad_ratio = t["symmat"] / t["hand"], t["AD"] / t["symmat"]
        print(f"{case.label:<18} {case.size:<18} {fw_name:<5} {t['hand'] * 1e3:9.3f} {t['symmat'] * 1e3:9.3f} "
              f"{t['AD'] * 1e3:9.3f} {to_hand:11.2f} {ad_ratio:9.2f}")
        if to_hand > HAND_TARGET:
            failures.append(f"{fw_name} {case.label} ({case.size}): symmat/hand {to_hand:.2f} > {HAND_TARGET}")
        if case.hessian_goal and (ad_ratio < 1.0 if fw_name == "jax" else ad_ratio <= 1.0):
            failures.append(f"{fw_name} {case.label} ({case.size}): AD/symmat {ad_ratio:.2f} "
                            f"({'at least as fast as' if fw_name == 'jax' else 'ahead of'} AD is the goal)")
    print()
    print("goals (symmat/hand <= 1.2 everywhere; Hessians: symmat no slower than jax.hessian, faster than "
          "torch.func.hessian):", "met" if not failures else "NOT met")
    for line in failures:
        print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
