"""Benchmark (never a timed test): cost end to end, as a user receives a result, on deep,
wide, chained and nested inputs (issue 14), with SymPy on the same inputs beside it.

    python bench/scale.py [--max-layers 1024] [--sympy-timeout 30] [--tensorgrad PYTHON]
                          [--only deep|inputs|growth]

Each case runs in a fresh interpreter (so peak memory is the case's own: ru_maxrss of
that process) and measures, in one go, parse + derive (index form, matrix form,
simplification) + text + LaTeX + NumPy source, and the lengths of what is printed.

- deep:   d/dW1 of norm(W_L tanh(… tanh(W1 x)) - t)^2 for L = 64 … 1024, with
          t(2L)/t(L) and peak-memory growth;
- wide:   d/dx of a sum of 10,000 distinct terms, quadratic forms x^T A_k x and traces
          tr(B_k X) alternately;
- chain:  d/dx of A1 A2 … A100 x;
- nested: d/dx of sum(tanh(tanh(… tanh(x)))), 1,000 deep;
- growth: the ratio t(2n)/t(n) on inputs that once grew faster than linearly (a sum
          whose terms differ in several factors, a long ⊙ chain, a
          long product for NumPy).

SymPy runs the same derivatives in its own interpreter, with a time limit: deep and
nested on explicit 3 x 3 matrices / 3-vectors of symbols (SymPy cannot differentiate an
elementwise tanh of a MatrixSymbol product), wide and chain with MatrixSymbols. Its time
is derive + str + latex (no code generation), so the ratio column favours SymPy.
tensorgrad (pip name ``tensorgrad``) needs PyTorch; pass ``--tensorgrad PYTHON`` with an
interpreter where it is installed to add it (see the README's benchmark section).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ----------------------------------------------------------------- the inputs
def deep(L: int) -> tuple[str, str, str]:
    inner = "x"
    for k in range(1, L):
        inner = f"tanh(W{k} {inner})"
    where = "; ".join([f"W{k}: n x n" for k in range(1, L + 1)] + ["x: n", "t: n"])
    return f"norm(W{L} {inner} - t)^2", where, "W1"


def wide(terms: int) -> tuple[str, str, str]:
    parts, decls = [], ["x: n", "X: n x n"]
    for k in range(terms):
        parts.append(f"x^T A{k} x" if k % 2 == 0 else f"tr(B{k} X)")
        decls.append(f"{'A' if k % 2 == 0 else 'B'}{k}: n x n")
    return " + ".join(parts), "; ".join(decls), "x"


def chain(factors: int) -> tuple[str, str, str]:
    names = [f"A{k}" for k in range(1, factors + 1)]
    return " ".join(names) + " x", "; ".join(f"{a}: n x n" for a in names) + "; x: n", "x"


def nested(depth: int) -> tuple[str, str, str]:
    return "sum(" + "tanh(" * depth + "x" + ")" * depth + ")", "x: n", "x"


def apart(terms: int) -> tuple[str, str, str]:
    """Σ_k x^T A_k y_k: the terms share x and differ in two factors each."""
    decls = ["x: n"] + [f"A{k}: n x n; y{k}: n" for k in range(terms)]
    return " + ".join(f"x^T A{k} y{k}" for k in range(terms)), "; ".join(decls), "x"


def hadamard(links: int) -> tuple[str, str, str]:
    """sum(x ⊙ v_1 ⊙ … ⊙ v_n): a ⊙ chain whose every link the simplifier's rules ask about."""
    names = [f"v{k}" for k in range(links)]
    return "sum(" + " .* ".join(["x", *names]) + ")", "; ".join(["x: n"] + [f"{v}: n" for v in names]), "x"


INPUTS = {"deep": deep, "wide": wide, "chain": chain, "nested": nested, "apart": apart, "hadamard": hadamard}

# Growth rows: (input, n, what): the time at n and at 2n, each in a fresh interpreter.
GROWTH = (
    ("apart", 1000, "Σ_k x^T A_k y_k, terms two factors apart, by x"),
    ("hadamard", 1000, "sum(x .* v1 .* … .* vn), by x"),
    ("chain", 200, "A1 … An x, by x (NumPy orders the product)"),
    ("wide", 5000, "n quadratic forms and traces, by x"),
)

# --------------------------------------------------------------- one symmat case
SYMMAT_CASE = textwrap.dedent("""
    import json, resource, sys, time
    sys.path.insert(0, {root!r})
    sys.setrecursionlimit(100000)
    start = time.perf_counter()
    import symmat
    text, where, wrt = json.loads(sys.stdin.read())
    t0 = time.perf_counter()
    e = symmat.parse(text, where)
    t1 = time.perf_counter()
    d = symmat.diff(e, wrt, layout="denominator")
    t2 = time.perf_counter()
    s = str(d)
    t3 = time.perf_counter()
    latex = d.latex()
    t4 = time.perf_counter()
    code = d.numpy()
    t5 = time.perf_counter()
    back = symmat.parse(s, where)  # the text parses back (not timed)
    print(json.dumps(dict(
        import_s=t0 - start, parse=t1 - t0, derive=t2 - t1, text=t3 - t2, latex=t4 - t3, numpy=t5 - t4,
        total=t5 - t1, text_chars=len(s), latex_chars=len(latex), numpy_chars=len(code),
        parses_back=back.shape == d.shape,
        rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))
""")


def run_symmat(kind: str, size: int, timeout: float) -> dict:
    code = SYMMAT_CASE.format(root=ROOT)
    try:
        done = subprocess.run([sys.executable, "-c", code], input=json.dumps(INPUTS[kind](size)),
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout:g} s"}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ SymPy cases
SYMPY_CASE = textwrap.dedent("""
    import json, sys, time
    sys.setrecursionlimit(100000)
    import sympy as sp
    kind, size, n = {kind!r}, {size}, 3
    start = time.perf_counter()
    if kind == "deep":
        W = [sp.Matrix(n, n, lambda i, j, k=k: sp.Symbol(f"w{{k}}_{{i}}{{j}}")) for k in range(1, size + 1)]
        h = sp.Matrix(n, 1, lambda i, j: sp.Symbol(f"x{{i}}"))
        t = sp.Matrix(n, 1, lambda i, j: sp.Symbol(f"t{{i}}"))
        for k in range(size - 1):
            h = (W[k] * h).applyfunc(sp.tanh)
        r = W[-1] * h - t
        f = (r.T * r)[0, 0]
        result = sp.Matrix(n, n, lambda i, j: sp.diff(f, W[0][i, j]))
    elif kind == "nested":
        x = sp.Symbol("x")
        f = x
        for _ in range(size):
            f = sp.tanh(f)
        result = sp.diff(f, x)
    else:
        m = sp.Symbol("m")
        x = sp.MatrixSymbol("x", m, 1)
        if kind == "wide":
            X = sp.MatrixSymbol("X", m, m)
            terms = [(x.T * sp.MatrixSymbol(f"A{{k}}", m, m) * x)[0, 0] if k % 2 == 0
                     else sp.Trace(sp.MatrixSymbol(f"B{{k}}", m, m) * X) for k in range(size)]
            f = sp.Add(*terms)
        else:
            f = sp.MatMul(*[sp.MatrixSymbol(f"A{{k}}", m, m) for k in range(1, size + 1)], x)
        result = f.diff(x)
    t1 = time.perf_counter()
    s, latex = str(result), sp.latex(result)
    t2 = time.perf_counter()
    print(json.dumps(dict(derive=t1 - start, print=t2 - t1, total=t2 - start, text_chars=len(s))))
""")


def run_sympy(kind: str, size: int, timeout: float) -> dict:
    code = SYMPY_CASE.format(kind=kind, size=size)
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout:g} s"}
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1][:80]}
    return json.loads(done.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------- tensorgrad
TENSORGRAD_CASE = textwrap.dedent("""
    import json, sys, time
    sys.setrecursionlimit(100000)
    import tensorgrad.functions as F
    from tensorgrad import Variable, symbols
    kind, size = {kind!r}, {size}
    start = time.perf_counter()
    i, j = symbols("i j")
    if kind == "deep":
        x, t = Variable("x", i), Variable("t", i)
        W = [Variable(f"W{{k}}", i, j=i) for k in range(1, size + 1)]
        h = x
        for k in range(size - 1):
            h = F.tanh(W[k] @ h.rename(i="j"))
        r = (W[-1] @ h.rename(i="j")) - t
        f = r @ r
        result = f.grad(W[0]).simplify()
    elif kind == "nested":
        x = Variable("x", i)
        h = x
        for _ in range(size):
            h = F.tanh(h)
        result = F.sum(h).grad(x).simplify()
    else:
        raise SystemExit("not run")
    t1 = time.perf_counter()
    print(json.dumps(dict(total=t1 - start)))
""")


def run_tensorgrad(python: str, kind: str, size: int, timeout: float) -> dict:
    code = TENSORGRAD_CASE.format(kind=kind, size=size)
    try:
        done = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout:g} s"}
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1][:80]}
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------- output
def cell(result: dict, key: str, fmt: str = "{:.2f}") -> str:
    return result.get("error", "?") if "error" in result else fmt.format(result[key])


def reference(result: dict) -> str:
    return result["error"] if "error" in result else f"{result['total']:.2f} s"


def cold_start(repeat: int = 5) -> dict:
    """Seconds for `symmat diff "x^T A x" --wrt x` and for `import symmat` alone, best of
    ``repeat``, each in a fresh interpreter; and whether SymPy got imported."""
    def best(args: list[str]) -> float:
        times = []
        for _ in range(repeat):
            code = (f"import time, sys; t = time.perf_counter(); sys.argv = ['symmat'] + {args!r}; "
                    f"sys.path.insert(0, {ROOT!r}); import symmat.cli as c; import contextlib, io; "
                    "out = io.StringIO(); ctx = contextlib.redirect_stdout(out); ctx.__enter__(); "
                    f"rc = c.main({args!r}) if {bool(args)!r} else 0; ctx.__exit__(None, None, None); "
                    "print(time.perf_counter() - t, 'sympy' in sys.modules)")
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
            seconds, sympy = done.stdout.split()
            times.append((float(seconds), sympy == "True"))
        return min(times)
    (diff_s, sympy_loaded), (import_s, _) = best(["diff", "x^T A x", "--wrt", "x"]), best([])
    return {"diff": diff_s, "import": import_s, "sympy_loaded": sympy_loaded}


def print_header(head: str, tensorgrad: str | None) -> None:
    """A Markdown table's header and rule, with the tensorgrad column when it is measured."""
    if tensorgrad:
        head += " tensorgrad |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-layers", type=int, default=1024)
    parser.add_argument("--timeout", type=float, default=300, help="per symmat case, seconds")
    parser.add_argument("--sympy-timeout", type=float, default=30)
    parser.add_argument("--tensorgrad", metavar="PYTHON", help="an interpreter with tensorgrad installed")
    parser.add_argument("--only", choices=("deep", "inputs", "growth"), help="run one table (and no cold start)")
    args = parser.parse_args()
    if args.only in (None, "deep"):
        deep_table(args)
    if args.only in (None, "inputs"):
        inputs_table(args)
    if args.only in (None, "growth"):
        growth_table(args)
    if args.only is None:
        c = cold_start()
        print(f"\nCold start: `symmat diff \"x^T A x\" --wrt x` {c['diff']:.2f} s in all, of which importing "
              f"symmat {c['import']:.2f} s; SymPy imported: {'yes' if c['sympy_loaded'] else 'no'}.")


def deep_table(args: argparse.Namespace) -> None:
    layers = [L for L in (64, 128, 256, 512, 1024, 2048) if L <= args.max_layers]
    print("Deep network: d/dW1 of norm(W_L tanh(... tanh(W1 x)) - t)^2 (each row in a fresh interpreter)\n")
    print_header("| L | parse | derive | text | LaTeX | NumPy | derive+print+NumPy | t(L)/t(L/2) | peak RSS | "
                 "RSS(L)/RSS(L/2) | text chars | LaTeX chars | parses back | SymPy (3x3 symbols) |", args.tensorgrad)
    previous, sympy_out = None, False
    for L in layers:
        r = run_symmat("deep", L, args.timeout)
        if sympy_out:
            sp_r = {"error": "skipped (timed out at a smaller L)"}
        else:
            sp_r = run_sympy("deep", L, args.sympy_timeout)
        sympy_out = sympy_out or "error" in sp_r
        ratio = rss_ratio = ""
        if previous and "error" not in previous and "error" not in r:
            ratio = f"{r['total'] / previous['total']:.2f}"
            rss_ratio = f"{r['rss_mb'] / previous['rss_mb']:.2f}"
        row = (f"| {L} | {cell(r, 'parse')} | {cell(r, 'derive')} | {cell(r, 'text')} | {cell(r, 'latex')} | "
               f"{cell(r, 'numpy')} | {cell(r, 'total')} s | {ratio} | "
               f"{cell(r, 'rss_mb', '{:.0f}')} MB | {rss_ratio} | "
               f"{cell(r, 'text_chars', '{:,}')} | {cell(r, 'latex_chars', '{:,}')} | {cell(r, 'parses_back', '{}')} | "
               f"{reference(sp_r)} |")
        if args.tensorgrad:
            row += f" {reference(run_tensorgrad(args.tensorgrad, 'deep', L, args.sympy_timeout))} |"
        print(row, flush=True)
        previous = r


def inputs_table(args: argparse.Namespace) -> None:
    print("\nWide, chained and nested inputs\n")
    print_header("| input | derive | text + LaTeX + NumPy | total | peak RSS | text chars | parses back | SymPy |",
                 args.tensorgrad)
    for kind, size, label in (("wide", 10_000, "sum of 10,000 quadratic forms and traces, by x"),
                              ("chain", 100, "A1 A2 … A100 x, by x"),
                              ("nested", 1000, "sum(tanh(… tanh(x))), 1,000 deep, by x")):
        r = run_symmat(kind, size, args.timeout)
        sp_r = run_sympy(kind, size, args.sympy_timeout)
        if "error" in r:
            row = f"| {label} | {r['error']} | | | | | | {reference(sp_r)} |"
        else:
            row = (f"| {label} | {r['derive']:.2f} | {r['text'] + r['latex'] + r['numpy']:.2f} | {r['total']:.2f} s | "
                   f"{r['rss_mb']:.0f} MB | {r['text_chars']:,} | {r['parses_back']} | {reference(sp_r)} |")
        if args.tensorgrad:
            row += f" {reference(run_tensorgrad(args.tensorgrad, kind, size, args.sympy_timeout))} |"
        print(row, flush=True)


def growth_table(args: argparse.Namespace) -> None:
    print("\nGrowth: t(2n)/t(n) (derive + text + LaTeX + NumPy; parse beside), one run\n")
    print_header("| input | n | t(n) | t(2n) | t(2n)/t(n) | parse t(2n)/t(n) |", None)
    for kind, size, label in GROWTH:
        small, large = run_symmat(kind, size, args.timeout), run_symmat(kind, 2 * size, args.timeout)
        if "error" in small or "error" in large:
            print(f"| {label} | {size} | {cell(small, 'total')} | {cell(large, 'total')} | | |", flush=True)
            continue
        print(f"| {label} | {size:,} | {small['total']:.2f} s | {large['total']:.2f} s | "
              f"{large['total'] / small['total']:.2f} | {large['parse'] / small['parse']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
