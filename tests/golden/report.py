"""Printed size of symmat's derivatives against the textbook answers (the golden corpus).

    python tests/golden/report.py            # every entry, worst ratio first
    python tests/golden/report.py --over 1   # only entries longer than the textbook
    python tests/golden/report.py --check    # also compare values (symmat, textbook, FD)

Ratio = tokens of ``str(result)`` / tokens of the textbook answer (tokens: see
tests/golden/measure.py). Issue 10's goal: every result of rank ≤ 2 in matrix notation;
median ≤ 1.0, 90th percentile ≤ 1.3, max ≤ 2.0.
"""
from __future__ import annotations

import argparse
import pathlib
import sys

if __package__ in (None, ""):
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))

import numpy as np

import symmat
from tests.golden import measure as M
from tests.golden.corpus import ALL as CORPUS


def _check(o: M.Outcome) -> str:
    """"ok", or which of symmat / textbook / round trip disagree with finite differences."""
    try:
        values = M.values_for(o, 0)
        got = np.asarray(o.result.evaluate(values), dtype=float)
        want = M.evaluate(o.answer, values, got, M.known_dims(o))
        fd = M.numeric(o, values)
        again = M.evaluate(symmat.parse(o.printed, o.entry.where), values, got, M.known_dims(o))
    except Exception as error:  # a report, not a test: show the failure and go on
        return f"error: {type(error).__name__}: {error}"
    bad = [name for name, value in (("symmat", got), ("textbook", want), ("round-trip", again))
           if not M.close(value, fd)]
    return "ok" if not bad else "MISMATCH " + ",".join(bad)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--over", type=float, default=0.0, help="show only entries with a ratio above this")
    parser.add_argument("--check", action="store_true", help="also check values against finite differences")
    args = parser.parse_args(argv)

    rows, ratios, matrix = [], [], 0
    for entry in CORPUS:
        try:
            o = M.run(entry)
            matrix += M.in_matrix_form(o)
        except symmat.SymmatError as error:
            rows.append((float("inf"), entry, f"<{type(error).__name__}: {error}>", ""))
            continue
        ratios.append(o.ratio)
        rows.append((o.ratio, entry, o.printed, _check(o) if args.check else ""))

    rows.sort(key=lambda row: -row[0])
    for ratio, entry, printed, check in rows:
        if ratio <= args.over:
            continue
        print(f"{entry.id}  [{entry.source}; d/d{entry.wrt} {entry.expr}, {entry.layout}"
              f"{', order 2' if entry.order == 2 else ''}]")
        print(f"    textbook ({M.size(entry.answer):2d}): {entry.answer}")
        print(f"    symmat   ({M.size(printed) if ratio != float('inf') else 0:2d}): {printed}")
        print(f"    ratio {ratio:.2f}{'   ' + check if check else ''}")
    median, worst = M.summary(ratios)
    p90 = M.percentile(ratios, 90)
    longer = sum(r > 1 for r in ratios)
    print(f"\n{len(ratios)} entries: {matrix}/{len(ratios)} in matrix form ({100 * matrix / len(ratios):.0f} %); "
          f"size against the textbook: median {median:.2f} (goal 1.0), p90 {p90:.2f} (goal 1.3), "
          f"max {worst:.2f} (goal 2.0); {longer} longer than the textbook, {sum(r > 2 for r in ratios)} over 2.0")
    print("worst ten: " + ", ".join(f"{entry.id} {ratio:.2f}" for ratio, entry, _, _ in rows[:10]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
