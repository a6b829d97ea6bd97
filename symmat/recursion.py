"""The one place symmat touches the interpreter's recursion limit, and why.

The engine's passes (typing, lowering, differentiation, matrix form, simplification,
printing, evaluation) recurse once per nesting level of an expression, and CPython's
default limit (1,000 frames) would refuse a 1,024-layer network or a 2,000-deep
parenthesised input. So each public entry point (``symmat.parse``, ``symmat.diff``, the
convenience methods of an expression, the steps, the check, the command line) runs
under :func:`deep_recursion`, which raises the limit to ``RECURSION_LIMIT`` for the
duration of the call and puts the caller's own limit back when the call returns: calling
the library changes nothing in the interpreter. Nested and concurrent calls share one
raise (the outermost call of any thread restores).

Beyond ``RECURSION_LIMIT`` levels an input is refused with an error (the parser says
"nested too deeply") rather than crashing the interpreter's C stack.
"""
from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

RECURSION_LIMIT = 20_000

_lock = threading.Lock()
_active = 0  # calls under deep_recursion, in all threads
_saved: int | None = None  # the limit to put back when the last of them returns

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def deep_recursion() -> Iterator[None]:
    """Run the body with a recursion limit of at least ``RECURSION_LIMIT``, restoring
    the caller's limit afterwards (unless someone else changed it meanwhile)."""
    global _active, _saved
    with _lock:
        if _active == 0:
            current = sys.getrecursionlimit()
            _saved = current if current < RECURSION_LIMIT else None
            if _saved is not None:
                sys.setrecursionlimit(RECURSION_LIMIT)
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0:
                if _saved is not None and sys.getrecursionlimit() == RECURSION_LIMIT:
                    sys.setrecursionlimit(_saved)
                _saved = None


def deep(func: F) -> F:
    """``func`` run under :func:`deep_recursion` (for the public entry points)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with deep_recursion():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
