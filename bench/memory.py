"""Benchmark (never a timed test): memory of a long-lived process that differentiates
many unrelated expressions (issue 9). Each derivation uses its own variable names, so
nothing from one can be reused by the next; the interning table of index-form tensors
holds nodes weakly, so the process should stay flat.

    python bench/memory.py [--count 10000]

Prints, every 1,000 derivations, the resident set size (ru_maxrss is a peak, so the
current RSS is read from /proc where available) and the number of interned tensors.
"""
from __future__ import annotations

import argparse
import gc
import os
import resource
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import symmat
from symmat.index import tensor as T


def rss_mb() -> float:
    """Current resident set size in MB (peak RSS where /proc is missing)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    print(f"{'derivations':>12} {'RSS MB':>8} {'interned tensors':>17}")
    for k in range(args.count):
        d = symmat.diff(f"tanh(W{k} x{k})^T a{k} + tr(X{k} B{k}) + logdet(S{k})", f"W{k}")
        str(d)
        if (k + 1) % 1000 == 0:
            gc.collect()
            print(f"{k + 1:>12} {rss_mb():>8.1f} {len(T.Tensor._table):>17}", flush=True)


if __name__ == "__main__":
    main()
