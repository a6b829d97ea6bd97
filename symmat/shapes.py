"""Dimensions, types and their unification.

A dimension is an ``int``, a ``str`` name (``"m"``) or a :class:`Prod` of dimensions
(the length of ``vec(X)`` for ``X: m x n`` is ``m*n``). While an expression is being
typed, unknown dimensions are :class:`DimVar` s joined by union-find; once the whole
expression is typed every variable is resolved to a concrete dimension.

A :class:`Type` is a shape plus, for vectors, an orientation: the language writes
``x^T y`` and ``x y^T``, so a row vector and a column vector are distinct types even
though both have the shape ``(n,)`` (contract §3).
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from .errors import ShapeError


@dataclass(frozen=True)
class Prod:
    """A product of dimensions, kept sorted so that ``m*n == n*m``."""

    factors: tuple

    def __str__(self) -> str:
        return "*".join(str(f) for f in self.factors)


Dim = int | str | Prod


def dim_product(dims) -> Dim:
    """The product of ``dims``, folding integers and flattening nested products."""
    number, names = 1, []
    for d in dims:
        for f in (d.factors if isinstance(d, Prod) else (d,)):
            if isinstance(f, int):
                number *= f
            else:
                names.append(f)
    if not names:
        return number
    factors = ([number] if number != 1 else []) + sorted(names, key=str)
    return factors[0] if len(factors) == 1 else Prod(tuple(factors))


@dataclass(frozen=True)
class Type:
    """Shape of a value; ``row`` marks a transposed (row) vector."""

    shape: tuple = ()
    row: bool = False

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def is_scalar(self) -> bool:
        return not self.shape

    @property
    def is_vector(self) -> bool:
        return len(self.shape) == 1

    @property
    def is_matrix(self) -> bool:
        return len(self.shape) == 2

    def describe(self) -> str:
        if not self.shape:
            return "a scalar"
        # While typing, a dimension may still be unknown; say nothing of a size that
        # nothing fixes rather than print a placeholder.
        unknown = [isinstance(d, DimVar) and d.root().value is None for d in self.shape]
        sizes = _NAMED_SIZES.get() or {}
        names = ["?" if u else str(sizes.get(str(d), d)) for d, u in zip(self.shape, unknown)]
        kind = {1: f"{'row' if self.row else 'column'} vector", 2: "matrix"}.get(self.rank, "tensor")
        if all(unknown):
            return f"a {kind}"
        if self.is_vector:
            return f"a {kind} of length {names[0]}"
        return f"{article(names[0].split('*')[0])} {' × '.join(names)} {kind}"

    def map(self, fn: Callable) -> Type:
        return Type(tuple(fn(d) for d in self.shape), self.row)


def article(word: str) -> str:
    """"a" or "an", as ``word`` is read aloud: a dimension name of one letter (or one
    letter and digits) is spelled (an m, an n1, a k), a number is said (an 8, an 11, an 18,
    a 1000), a longer name is a word (a batch, an input)."""
    if word.isdigit():
        n = int(word)
        while n >= 1000:  # 18000 is said "eighteen thousand"
            n //= 1000
        return "an" if n in (11, 18) or str(n).startswith("8") else "a"
    head = word[:1].lower()
    spelled = len(word) == 1 or not any(c.isalpha() for c in word[1:])
    return "an" if head in ("aefhilmnorsx" if spelled else "aeiou") and head.isascii() else "a"


SCALAR = Type()


def column(n) -> Type:
    return Type((n,))


def row(n) -> Type:
    return Type((n,), True)


def matrix(m, n) -> Type:
    return Type((m, n))


# --------------------------------------------------------------------- inference
class DimVar:
    """An unknown dimension; union-find node. ``value`` is set on a root once known."""

    __slots__ = ("parent", "value", "serial")
    _counter = itertools.count()

    def __init__(self, value: Dim | None = None):
        self.parent: DimVar | None = None
        self.value = value
        self.serial = next(DimVar._counter)

    def root(self) -> DimVar:
        node = self
        while node.parent is not None:
            node = node.parent
        # Path compression keeps the whole inference near-linear.
        while self.parent is not None and self.parent is not node:
            self.parent, self = node, self.parent
        return node

    def __repr__(self) -> str:
        r = self.root()
        return "?" if r.value is None else f"{r.value}"


# The sizes that named dimensions have taken in the typing under way (``A: 2 x m; x: 3``
# gives m = 3), so that its messages say "a 2 × 3 matrix": a message is written where a
# mismatch is found, far from the unifier that knows the sizes.
_NAMED_SIZES: ContextVar[Mapping[str, int] | None] = ContextVar("named_sizes", default=None)


@contextmanager
def sizes_in_messages(sizes: Mapping[str, int]) -> Iterator[None]:
    """Within the block, :meth:`Type.describe` writes a named dimension that took a size
    as that size."""
    token = _NAMED_SIZES.set(sizes)
    try:
        yield
    finally:
        _NAMED_SIZES.reset(token)


class Unifier:
    """Equates dimensions.

    A named dimension (``m``) and an integer (``3``) unify: ``m`` takes the size 3, here
    and wherever else it appears (``A: 2 x m; x: 3`` makes ``A x`` fit). Two different
    names stay different sizes, since declaring them apart says they are. ``strict``
    unifiers (``names_take_sizes=False``), which check finished nodes, only compare."""

    def __init__(self, names_take_sizes: bool = True):
        self.names_take_sizes = names_take_sizes
        self.sizes: dict[str, int] = {}  # named dimension -> the integer it took

    def unify(self, a, b, describe: Callable[[], str]) -> None:
        ra, rb = self.resolve(a), self.resolve(b)
        if isinstance(ra, DimVar) or isinstance(rb, DimVar):
            self._bind(ra, rb, describe)
            return
        if isinstance(ra, Prod) and isinstance(rb, Prod) and len(ra.factors) == len(rb.factors):
            for fa, fb in zip(ra.factors, rb.factors):
                self.unify(fa, fb, describe)
            return
        if self.names_take_sizes:
            for name, size in ((ra, rb), (rb, ra)):
                if isinstance(name, str) and isinstance(size, int):
                    self.sizes[name] = size
                    return
        if ra != rb:
            raise ShapeError(describe())

    def _bind(self, a, b, describe) -> None:
        if isinstance(a, DimVar) and isinstance(b, DimVar):
            if a is not b:
                b.parent = a
            return
        var, value = (a, b) if isinstance(a, DimVar) else (b, a)
        var.value = value

    def resolve(self, d):
        """Follow a DimVar to its value (or its root if still unknown)."""
        if isinstance(d, DimVar):
            r = d.root()
            return r if r.value is None else self.resolve(r.value)
        if isinstance(d, Prod):
            return dim_product(self.resolve(f) for f in d.factors)
        return self.sizes.get(d, d) if isinstance(d, str) else d

    def unify_types(self, a: Type, b: Type, describe: Callable[[], str]) -> None:
        if a.rank != b.rank or (a.is_vector and a.row != b.row):
            raise ShapeError(describe())
        for da, db in zip(a.shape, b.shape):
            self.unify(da, db, describe)


STRICT = Unifier(names_take_sizes=False)

FRESH_NAMES = ("m", "n", "p", "q", "r", "k", "l", "s", "t", "u", "v", "w")


class DimNamer:
    """Gives readable names to dimensions left unknown after inference."""

    def __init__(self, taken):
        self._pool = [n for n in FRESH_NAMES if n not in taken]
        self._extra = (f"d{i}" for i in itertools.count(1) if f"d{i}" not in taken)
        self._names: dict[int, str] = {}

    def final(self, unifier: Unifier, d) -> Dim:
        r = unifier.resolve(d)
        if isinstance(r, DimVar):
            if r.serial not in self._names:
                self._names[r.serial] = self._pool.pop(0) if self._pool else next(self._extra)
            return self._names[r.serial]
        if isinstance(r, Prod):
            return dim_product(self.final(unifier, f) for f in r.factors)
        return r
