"""Shared test setup."""
import os

from hypothesis import settings

from symmat.parse import ensure_recursion_limit

# symmat raises the recursion limit on first use (deep expressions); doing it before
# any test runs keeps hypothesis from warning that the limit changed under it.
ensure_recursion_limit()

# Property tests are reproducible in CI: the "ci" profile derandomizes (the examples
# follow from each test's name), so a failure there fails the same way on any machine.
# Locally ("dev") examples are random, and a failure prints the blob that reproduces it
# (@reproduce_failure). HYPOTHESIS_PROFILE chooses explicitly.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
