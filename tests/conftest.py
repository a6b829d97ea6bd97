"""Shared test setup."""
from symmat.parse import ensure_recursion_limit

# symmat raises the recursion limit on first use (deep expressions); doing it before
# any test runs keeps hypothesis from warning that the limit changed under it.
ensure_recursion_limit()
