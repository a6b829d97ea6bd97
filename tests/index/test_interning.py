"""Interning of index-form tensors: equal is identical, across threads, and the table
holds nodes only while something uses them (a long-lived process stays flat)."""
from __future__ import annotations

import gc
import threading

import symmat
from symmat.index import tensor as T


def test_equal_nodes_are_identical_across_threads():
    barrier = threading.Barrier(8)
    built: list[list[T.Tensor]] = [[] for _ in range(8)]

    def build(slot: int) -> None:
        barrier.wait()
        for k in range(300):
            built[slot].append(T.Var(f"v{k}", ("n",)))

    threads = [threading.Thread(target=build, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in range(300):
        first = built[0][k]
        assert all(built[i][k] is first for i in range(8))


def test_interning_table_does_not_grow_over_unrelated_derivations():
    """3,000 unrelated derivations (each with its own variable names) leave no more
    entries behind than a few of them do: nodes no result refers to are freed."""

    def derive_many(start: int, count: int) -> None:
        for k in range(start, start + count):
            d = symmat.diff(f"tanh(W{k} x{k})^T a{k} + tr(X{k} B{k})", f"W{k}")
            assert d.shape

    derive_many(0, 50)
    gc.collect()
    baseline = len(T.Tensor._table)
    derive_many(50, 3000)
    gc.collect()
    assert len(T.Tensor._table) <= baseline + 200
