"""Parse + type time for expressions of about 1k, 10k and 100k tokens.

Run: ``python bench/parse.py``. Prints the time of ``symmat.parse`` (lexing, LALR
parsing, shape inference by unification, building the typed nodes) for each size,
the time per token, and the growth ratio from one size to the next: for a linear
parser the time ratio is about the token ratio (10x).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

# Run from a source checkout without installing.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import symmat
from symmat.parse import _parser

# Scalar-valued terms mixing the constructs: products, transposes, calls, powers,
# nesting, elementwise operations; undeclared names, so all shapes are inferred.
TERMS = [
    "x^T A x",
    "tr(A B^T)",
    "c sin(W y)^T (W y .* z)",
    "norm(W y - b)^2",
    "logdet(S + I) - 2 ones^T softmax(b)",
    "(x - y)^T inv(S) (x - y) / c",
    "g(W^T b) + sum(exp(-A) ./ (1 + A .* B))",
]

WHERE = "c: scalar"


def expression(tokens: int) -> str:
    """A sum of the TERMS, repeated until it has about ``tokens`` tokens."""
    parts, count, i = [], 0, 0
    while count < tokens:
        term = TERMS[i % len(TERMS)]
        parts.append(term)
        count += count_tokens(term) + 1  # and the "+"
        i += 1
    return " + ".join(parts)


def count_tokens(text: str) -> int:
    return sum(1 for _ in _parser().lex(text))


def best_time(text: str, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        symmat.parse(text, WHERE)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    symmat.parse("x")  # build the parser once, outside the timings
    previous = None
    print(f"{'tokens':>8} {'seconds':>9} {'us/token':>9} {'growth':>8}")
    for target, repeats in ((1_000, 5), (10_000, 3), (100_000, 2)):
        text = expression(target)
        tokens = count_tokens(text)
        seconds = best_time(text, repeats)
        growth = ""
        if previous is not None:
            growth = f"{seconds / previous[1]:.1f}x/{tokens / previous[0]:.1f}x"
        print(f"{tokens:>8} {seconds:>9.3f} {1e6 * seconds / tokens:>9.1f} {growth:>8}")
        previous = (tokens, seconds)
    print("growth = time ratio / token ratio to the previous size (linear: equal ratios)")


if __name__ == "__main__":
    main()
