"""Shared test setup."""
import os
import sys

from hypothesis import settings

from symmat.recursion import RECURSION_LIMIT

# symmat raises the recursion limit only around its public entry points (parse, diff,
# printing and evaluating an expression: symmat/recursion.py), and puts the caller's
# back. Many tests call the passes themselves (simplify, the printers' functions) on
# deep inputs, so the session raises it once, as a caller of those internals must;
# tests/test_recursion.py lowers it again to check the entry points on their own.
sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))

# Property tests are reproducible in CI: the "ci" profile derandomizes (the examples
# follow from each test's name), so a failure there fails the same way on any machine.
# Locally ("dev") examples are random, and a failure prints the blob that reproduces it
# (@reproduce_failure). HYPOTHESIS_PROFILE chooses explicitly (.ci/run sets "ci").
#
# To reproduce a failure:
# - from CI: `HYPOTHESIS_PROFILE=ci pytest tests/x.py::test_name` draws the same examples
#   in the same order, so it fails with the same falsifying example;
# - from anywhere: add the printed `@reproduce_failure("<version>", b"<blob>")` above the
#   test (it replays exactly that example; remove it once fixed);
# - a local random run: the example is kept in .hypothesis/ and tried first next time, and
#   `pytest --hypothesis-seed=N` repeats a whole run with the seed N.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
