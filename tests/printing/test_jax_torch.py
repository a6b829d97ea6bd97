"""JAX and PyTorch printers (issue 15): the generated functions compute ``evaluate()``'s
value, eagerly and under ``jax.jit`` / ``torch.compile``, over the golden corpus and every
construct of the NumPy printer's tests; they import only their framework, keep the dtype
and device of their inputs, ``vmap`` over a batch axis and materialise nothing the NumPy
code avoids.

Both frameworks are optional extras (``symmat-cas[jax]``, ``symmat-cas[torch]``); a test
that needs a missing one is skipped with that reason.

``torch.compile`` with its default backend (inductor) compiles C++ for every function, about
a second each on CPU, so it runs on a representative subset (:data:`INDUCTOR_SUBSET`); the
whole corpus and every construct go through ``torch.compile(backend="aot_eager",
fullgraph=True)``, which captures the complete graph (no break, no Python fallback)
without generating code.
"""
from __future__ import annotations

import ast
import functools
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import symmat
from symmat import nodes as N
from symmat.printing.code import code_parameters, to_code
from symmat.printing.targets import JAX, NUMPY, TARGETS, TORCH
from symmat.sample import MAX_FUNCTION_ORDER
from tests.golden import measure as M
from tests.golden.corpus import ALL, by_id
from tests.printing.test_numpy import CONSTRUCTS, WHERE
from tests.strategies import random_values

IDS = [entry.id for entry in ALL]  # the golden corpus, EXTRA entries included
# torch's own import path warns about its deprecated TorchScript decorators.
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script_method` is deprecated:DeprecationWarning")


# ------------------------------------------------------------------ the frameworks
@dataclass(frozen=True)
class Framework:
    name: str  # the target's key: "jax" or "torch"
    xp: Any  # jax.numpy or torch: sin, sum, diag for the abstract functions
    array: Callable[[np.ndarray, str], Any]  # a NumPy value in a dtype ("float64", "float32")
    numpy: Callable[[Any], np.ndarray]
    compile: Callable[[Callable], Callable]  # jax.jit, or torch.compile capturing the whole graph
    vmap: Callable[[Callable, list[bool]], Callable]  # fn, which arguments are batched


@functools.cache
def framework(name: str) -> Framework | str:
    """The framework, or why it cannot be used here."""
    try:
        if name == "jax":
            import jax
            import jax.numpy as jnp

            jax.config.update("jax_enable_x64", True)  # float64, to compare with NumPy closely
            return Framework(
                "jax", jnp, lambda v, dtype: jnp.asarray(v, dtype=dtype), np.asarray, jax.jit,
                lambda fn, batched: jax.vmap(fn, in_axes=tuple(0 if b else None for b in batched)),
            )
        import torch
        import torch.func

        def compile_(fn):
            torch._dynamo.reset()
            return torch.compile(fn, fullgraph=True, backend="aot_eager", dynamic=False)

        return Framework(
            "torch", torch, lambda v, dtype: torch.tensor(v, dtype=getattr(torch, dtype)),
            lambda t: t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t),
            compile_,
            lambda fn, batched: torch.func.vmap(fn, in_dims=tuple(0 if b else None for b in batched)),
        )
    except ImportError as error:
        return f"{name} is not installed ({error}); pip install 'symmat-cas[{name}]'"


def need(name: str) -> Framework:
    fw = framework(name)
    if isinstance(fw, str):
        pytest.skip(fw)
    return fw


FRAMEWORKS = ["jax", "torch"]


# ------------------------------------------------------------------ running generated code
def load(expr: N.Expr, fw: Framework) -> Callable:
    """Executes *our generated* source (never user text) and returns the function."""
    source = to_code(expr, "f", fw.name)
    namespace: dict = {}
    exec(compile(source, "<generated>", "exec"), namespace)
    return namespace["f"]


def _phi(xp, k: int, order: int) -> Callable:
    """symmat.sample's φ_k and its derivatives, written with the framework's functions."""
    def phi(t):
        value = k ** (order - 1) * xp.sin(k * t + order * np.pi / 2)
        return value + {0: t * t / 2, 1: t, 2: 1.0}.get(order, 0.0)
    return phi


def native_callables(values: dict, fw: Framework) -> dict[str, Callable]:
    """``symmat.sample.abstract_callables`` (same keys, same functions: the k-th name in
    sorted order is φ_k), traceable by the framework (NumPy callables cannot run under jit)."""
    xp, out = fw.xp, {}
    keys = [key for key, value in values.items() if callable(value)]
    names = sorted({re.sub(r"^(∇²|∇|d\d+_)|'+$", "", key) for key in keys})
    for k, name in enumerate(names, start=1):
        elementwise = name + "'" in values
        for order in range(MAX_FUNCTION_ORDER + 1):
            phi = _phi(xp, k, order)
            if elementwise:
                out[name + "'" * order] = phi
            elif order == 0:
                out[name] = lambda u, phi=phi: xp.sum(phi(u))
            elif order == 1:
                out["∇" + name] = phi
            elif order == 2:
                out["∇²" + name] = lambda u, phi=phi: xp.diag(phi(u))
    return out


def arguments(expr: N.Expr, values: dict, fw: Framework, dtype: str = "float64") -> tuple[list, list[int]]:
    """The generated function's arguments in the framework, and which are static (sizes
    and callables)."""
    native = native_callables(values, fw)
    args, static = [], []
    for i, (_, key) in enumerate(code_parameters(expr, "f")):
        value = values[key]
        if callable(value):
            args.append(native[key])
            static.append(i)
        elif isinstance(value, int) and not isinstance(value, bool):
            args.append(value)
            static.append(i)
        else:
            args.append(fw.array(np.asarray(value, dtype=float), dtype))
    return args, static


def assert_close(got, want, what: str, rtol: float = 1e-8) -> None:
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    scale = max(1.0, float(np.max(np.abs(want)))) if want.size else 1.0
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale, err_msg=what)


@dataclass(frozen=True)
class Case:
    """One generated function, its arguments (arrays, and the static sizes and callables
    closed over), and the value it must have."""

    label: str
    fn: Callable
    arrays: list
    call: Callable  # call(arrays) -> fn's value
    want: np.ndarray
    source: str


def case(label: str, expr: N.Expr, values: dict, fw: Framework) -> Case:
    fn = load(expr, fw)
    args, static = arguments(expr, values, fw)
    arrays = [a for i, a in enumerate(args) if i not in static]

    def call(arrays: list):
        it = iter(arrays)
        return fn(*[a if i in static else next(it) for i, a in enumerate(args)])

    with np.errstate(all="ignore"):
        want = np.asarray(expr.evaluate(values), dtype=float)
    return Case(label, fn, arrays, call, want, to_code(expr, "f", fw.name))


def check_eager(c: Case, fw: Framework) -> None:
    assert_close(fw.numpy(c.call(c.arrays)), c.want, f"{fw.name} eager, {c.label}\n{c.source}")


def compile_together(cases: list[Case], fw: Framework) -> dict[str, Any]:
    """Every case's value from ONE compiled function (a compilation costs far more than the
    code compiled, so one for the lot keeps the suite quick). If that fails, each case is
    compiled alone, to name the ones at fault: their value is the error text."""
    def together(arrays_of_each: list) -> list:
        return [c.call(arrays) for c, arrays in zip(cases, arrays_of_each)]

    try:
        results = fw.compile(together)([c.arrays for c in cases])
        return {c.label: fw.numpy(got) for c, got in zip(cases, results)}
    except Exception:
        out: dict[str, Any] = {}
        for c in cases:
            try:
                out[c.label] = fw.numpy(fw.compile(c.call)(c.arrays))
            except Exception as error:
                out[c.label] = f"{type(error).__name__}: {str(error)[:500]}"
        return out


def check_compiled(c: Case, compiled: dict[str, Any], fw: Framework) -> None:
    got = compiled[c.label]
    assert not isinstance(got, str), f"{fw.name}: compiling {c.label} failed: {got}\n{c.source}"
    assert_close(got, c.want, f"{fw.name} compiled, {c.label}\n{c.source}")


@functools.cache
def outcome(entry_id: str) -> M.Outcome:
    return M.run(by_id()[entry_id])


# Results of rank 3 and 4 (einsum over index form) and second derivatives.
DERIVATIVES = [
    ("W x", "W", 1), ("g(W^T a)", "W", 2), ("logdet(S)", "S", 2), ("x^T A x", "x", 2),
    ("sigmoid(W x)", "W", 1), ("softmax(z)", "z", 2), ("inv(S)", "S", 1), ("tanh(W x) .* x", "x", 2),
    ("logsumexp(A x)", "x", 2), ("s(W x)", "W", 1), ("kron(A, B) x", "x", 1), ("x^T inv(S) x", "S", 1),
]
DERIVATIVE_WHERE = "a: m; g: R^n -> R; s: elementwise; S: n x n symmetric"


@functools.cache
def cases(fw_name: str) -> dict[str, Case]:
    """Every golden-corpus result, the derivatives above and every construct of the
    NumPy printer's tests, by label."""
    fw = need(fw_name)
    out = []
    for entry_id in IDS:
        o = outcome(entry_id)
        out.append(case(entry_id, o.result, M.values_for(o, 0), fw))
    for text, wrt, order in DERIVATIVES:
        result = symmat.diff(text, wrt, order=order, where=DERIVATIVE_WHERE)
        values = random_values(symmat.parse(text, DERIVATIVE_WHERE), np.random.default_rng(2), {"m": 3, "n": 4, "p": 5})
        out.append(case(f"d^{order}({text})/d{wrt}", result, values, fw))
    for text in CONSTRUCTS:
        expr = symmat.parse(text, WHERE)
        values = random_values(expr, np.random.default_rng(0), {"m": 3, "n": 4, "p": 5, "q": 3})
        out.append(case(text, expr, values, fw))
    return {c.label: c for c in out}


@functools.cache
def compiled(fw_name: str) -> dict[str, Any]:
    return compile_together(list(cases(fw_name).values()), need(fw_name))


def check(label: str, fw_name: str) -> None:
    """PyTorch: eagerly and compiled. JAX: compiled (run eagerly, JAX compiles each
    operation for each shape on its own, which costs seconds here for the same check)."""
    fw = need(fw_name)
    c = cases(fw_name)[label]
    if fw_name == "torch":
        check_eager(c, fw)
    check_compiled(c, compiled(fw_name), fw)


# ------------------------------------------------------------------ the golden corpus
@pytest.mark.parametrize("fw_name", FRAMEWORKS)
@pytest.mark.parametrize("entry_id", IDS)
def test_corpus_result_matches_numpy(entry_id, fw_name):
    """Every golden-corpus result: the generated JAX / PyTorch function equals NumPy's
    value, under jax.jit and torch.compile (whole graph captured, no break) too."""
    check(entry_id, fw_name)


@pytest.mark.parametrize("fw_name", FRAMEWORKS)
@pytest.mark.parametrize("text,wrt,order", DERIVATIVES)
def test_index_form_and_higher_order_results(text, wrt, order, fw_name):
    check(f"d^{order}({text})/d{wrt}", fw_name)


@pytest.mark.parametrize("fw_name", FRAMEWORKS)
@pytest.mark.parametrize("text", CONSTRUCTS)
def test_every_construct_matches_numpy(text, fw_name):
    """Every construct of the NumPy printer's tests."""
    check(text, fw_name)


# A quadratic form, a logistic loss's gradient and Hessian, an MLP layer, a softmax
# Jacobian, an abstract function: the cases bench/gpu.py times, and the common operations.
INDUCTOR_SUBSET = ["xTAx-hess", "logistic-grad", "logistic-hess", "tanh-layer", "softmax", "gWTa"]


def test_torch_compile_inductor_on_a_subset():
    """torch.compile with its default backend (C++ code generation) on representative
    results; the whole corpus goes through graph capture (aot_eager) above."""
    fw = need("torch")
    torch = fw.xp
    torch._dynamo.reset()
    inductor = Framework(fw.name, fw.xp, fw.array, fw.numpy,
                         lambda f: torch.compile(f, fullgraph=True, dynamic=False), fw.vmap)
    subset = [cases("torch")[entry_id] for entry_id in INDUCTOR_SUBSET]
    results = compile_together(subset, inductor)
    for c in subset:
        check_compiled(c, results, inductor)


# ------------------------------------------------------------------ dtype, device, batches
FLOAT32_CASES = [("x^T A x", "x", 2), ("W x", "W", 1), ("I + A", "A", 1), ("ones^T x", "x", 1),
                 ("sum(softplus(X w)) - y^T X w", "w", 2), ("logdet(S)", "S", 1), ("sigmoid(W x)", "x", 1)]


@pytest.mark.parametrize("fw_name", FRAMEWORKS)
@pytest.mark.parametrize("text,wrt,order", FLOAT32_CASES)
def test_float32_in_float32_out(text, wrt, order, fw_name):
    """No dtype is written into the code: float32 inputs give a float32 result, also where
    the code creates an identity or a ones vector."""
    fw = need(fw_name)
    where = "S: n x n symmetric"
    result = symmat.diff(text, wrt, order=order, where=where)
    values = random_values(symmat.parse(text, where), np.random.default_rng(3), {"m": 3, "n": 4})
    args, _ = arguments(result, values, fw, "float32")
    got = load(result, fw)(*args)
    assert str(got.dtype).endswith("float32"), (got.dtype, to_code(result, "f", fw_name))
    assert_close(fw.numpy(got), result.evaluate(values), "float32", rtol=1e-4)


@pytest.mark.parametrize("text,wrt,order", FLOAT32_CASES + [("x ones^T", "x", 1), ("tr(X)", "X", 2)])
def test_torch_stays_on_the_inputs_device(text, wrt, order):
    """On the ``meta`` device (shapes only) every tensor the code creates must be there
    too: a tensor created on the CPU would make the operation fail."""
    torch = need("torch").xp
    where = "S: n x n symmetric"
    result = symmat.diff(text, wrt, order=order, where=where, form="index" if order == 2 and wrt == "X" else "matrix")
    values = random_values(symmat.parse(text, where), np.random.default_rng(4), {"m": 3, "n": 4})
    fw = need("torch")
    args, _ = arguments(result, values, fw)
    meta = [a.to("meta") if isinstance(a, torch.Tensor) else a for a in args]
    try:
        got = load(result, fw)(*meta)
    except NotImplementedError as error:  # an operation without a meta kernel: nothing to learn
        pytest.skip(f"no meta kernel: {error}")
    assert got.device.type == "meta"
    assert tuple(got.shape) == np.shape(result.evaluate(values))


BATCHED = [("x^T A x", "x", 1, "x"), ("sum(softplus(X w)) - y^T X w", "w", 2, "w"),
           ("norm(W2 tanh(W1 x) - t)^2", "W1", 1, "x"), ("softmax(z)", "z", 1, "z"),
           ("logdet(S)", "S", 1, "S"), ("W x", "W", 1, "x")]


@pytest.mark.parametrize("fw_name", FRAMEWORKS)
@pytest.mark.parametrize("text,wrt,order,batched", BATCHED)
def test_vmap_over_a_leading_batch_axis(text, wrt, order, batched, fw_name):
    """vmap of the generated function over a batch of one argument equals the loop."""
    fw = need(fw_name)
    where = "S: n x n symmetric"
    result = symmat.diff(text, wrt, order=order, where=where, layout="denominator")
    fn = load(result, fw)
    params = code_parameters(result, "f")
    batch = [random_values(symmat.parse(text, where), np.random.default_rng(s), {"m": 3, "n": 4}) for s in range(3)]
    values = dict(batch[0])
    values[batched] = np.stack([b[batched] for b in batch])
    args, _ = arguments(result, values, fw)
    got = fw.numpy(fw.vmap(fn, [key == batched for _, key in params])(*args))
    for i, b in enumerate(batch):
        assert_close(got[i], result.evaluate({**values, batched: b[batched]}), f"vmap, item {i}")


# ------------------------------------------------------------------ the source itself
@pytest.mark.parametrize("fw_name", FRAMEWORKS)
def test_source_imports_only_its_framework(fw_name):
    for entry_id in IDS:
        source = to_code(outcome(entry_id).result, "f", fw_name)
        tree = ast.parse(source)
        imports = [a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names]
        assert not [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        allowed = {"jax": {"jax", "jax.numpy"}, "torch": {"torch"}}[fw_name]
        assert set(imports) <= allowed and imports, (entry_id, imports)
        assert not re.search(r"\bnp\.|numpy\b(?!\.)|float64|cpu|cuda", source.split('"""')[-1]), (entry_id, source)


@pytest.mark.parametrize(
    "text,forbidden",
    [
        ("diag(x) A", "diag("), ("A diag(x)", "diag("), ("x^T diag(y) z", "diag("), ("I A", "eye("),
        ("kron(I, B) x", "eye("), ("kron(A, B) x", "kron("), ("C kron(A, B)", "kron("),
        ("inv(S) x", "inv("), ("A inv(S)", "inv("), ("tr(A B)", "trace("),
    ],
)
def test_products_never_materialise(text, forbidden):
    expr = symmat.parse(text, WHERE)
    for key in FRAMEWORKS:
        assert forbidden not in to_code(expr, "f", key).split('"""')[-1], key


def test_one_printer_many_tables():
    """The targets differ in spelling only: the same parameters, the same statements,
    and every target spells every operation."""
    expr = symmat.diff("sum(softplus(X w)) - y^T X w", "w", order=2, layout="denominator")
    sources = {key: to_code(expr, "f", key) for key in TARGETS}
    assert len({re.search(r"def f\((.*)\):", s).group(1) for s in sources.values()}) == 1
    # The same statements, but for NumPy's sigmoid, which computes exp(-|u|) apart.
    assert sources["jax"].split('"""')[-1].count("\n") == sources["torch"].split('"""')[-1].count("\n")
    for t in (JAX, TORCH):
        assert set(t.ops) == set(NUMPY.ops), t.name


def test_every_elementwise_function_has_a_source_in_every_target():
    from symmat.functions import ELEMENTWISE

    for t in TARGETS.values():
        for name in ELEMENTWISE:
            assert "x" in t.elementwise_source(name)[1], (t.name, name)


def test_unknown_target_is_a_symmat_error():
    with pytest.raises(symmat.SymmatError, match="unknown code target"):
        to_code(symmat.parse("x"), "f", "tensorflow")


def test_common_subexpressions_are_computed_once():
    expr = symmat.parse("sigmoid(W x) .* (1 - sigmoid(W x)) + W x", WHERE)
    assert to_code(expr, "f", "jax").count("W @ x") == 1
    assert to_code(expr, "f", "torch").count("torch.sigmoid(") == 1


@pytest.mark.parametrize("fw_name", FRAMEWORKS)
@pytest.mark.parametrize("text", ["sigmoid(x)", "softplus(x)", "logsumexp(x)", "softmax(x)", "sigmoid'(x)",
                                  "log(sigmoid(x))", "relu(x)"])
def test_stable_at_large_arguments(text, fw_name):
    """±1e3 gives finite values equal to the exact ones, and no warning."""
    fw = need(fw_name)
    expr = symmat.parse(text, "x: n")
    x = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = fw.numpy(load(expr, fw)(fw.array(x, "float64")))
    exact = {
        "sigmoid(x)": np.array([0.0, 9.357622968840175e-14, 0.5, 1 - 9.357622968840175e-14, 1.0]),
        "softplus(x)": np.array([0.0, 9.357622968840175e-14, np.log(2), 30.0, 1000.0]),
        "logsumexp(x)": np.array(1000.0), "relu(x)": np.array([0.0, 0.0, 0.0, 30.0, 1000.0]),
        "softmax(x)": np.array([0.0, 0.0, 0.0, 0.0, 1.0]),
        "sigmoid'(x)": np.array([0.0, 9.357622968839299e-14, 0.25, 9.357622968839299e-14, 0.0]),
        "log(sigmoid(x))": np.array([-1000.0, -30.000000000000092, -np.log(2), -9.357622968840175e-14, 0.0]),
    }[text]
    if text == "log(sigmoid(x))":  # log of an underflowed 0 is -inf in every framework
        got, exact = got[1:], exact[1:]
    assert np.all(np.isfinite(got)), got
    np.testing.assert_allclose(got, exact, rtol=1e-9, atol=1e-15)


# ------------------------------------------------------------------ Expr methods and CLI
def test_expr_methods_and_cli(capsys):
    from symmat.cli import main

    result = symmat.diff("x^T A x", "x", order=2)
    assert result.jax("h") == to_code(result, "h", "jax")
    assert result.torch("h") == to_code(result, "h", "torch")
    for emit, first in (("jax", "import jax.numpy as jnp"), ("torch", "import torch")):
        assert main(["diff", "sigmoid(w^T x)", "--wrt", "w", "--emit", emit]) == 0
        out = capsys.readouterr().out
        assert first in out and "def d_f(w, x):" in out
        ast.parse(out)
