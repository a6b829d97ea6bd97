"""Named inputs several tests share (the benchmarks in bench/ build the same ones)."""
from __future__ import annotations


def network(L: int) -> tuple[str, str]:
    """``norm(W_L tanh(… tanh(W1 x)) - t)^2`` with its declarations: an L-layer network's
    loss, the deep input of bench/scale.py."""
    inner = "x"
    for k in range(1, L):
        inner = f"tanh(W{k} {inner})"
    where = "; ".join([f"W{k}: n x n" for k in range(1, L + 1)] + ["x: n", "t: n"])
    return f"norm(W{L} {inner} - t)^2", where
