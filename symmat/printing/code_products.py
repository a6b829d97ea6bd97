"""Products in generated code (every target): what is never materialised, and in what order.

A product node is flattened into ``sign * scalars * item_1 ... item_k`` (scalars
commute; matrix products are associative; ``(A B)^T = B^T A^T``; ``I`` drops out;
``A^3`` is ``A A A``). The items are then multiplied in the order of least work,
found by the classic matrix-chain dynamic programme (cubic in the length: chains
longer than ``MAX_EXACT_CHAIN`` are ordered greedily instead, see
:func:`chain_order`), where some items are *operators* applied without building their
matrix:

- ``diag(v) M`` → ``v[:, None] * M``,  ``M diag(v)`` → ``M * v``;
- ``inv(A) M`` → ``solve(A, M)``, ``M inv(A)`` → ``solve(A^T, M^T)^T``;
- ``(A ⊗ B) vec`` → ``vec(A X B^T)`` with ``X`` the vector reshaped (the vec trick).

An operator that is never multiplied (the value asked for *is* ``diag(v)``) is built
by the ordinary node printer.
"""
from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import nodes as N
from ..algebra import scalar_runs
from ..shapes import STRICT, Dim, Prod, Type

ADD, MUL, UNARY, POW, ATOM = 1, 2, 3, 4, 5
Code = tuple  # (text, precedence)

MAX_EXPANDED_POWER = 8  # A^k with |k| above this stays matrix_power
_GUESSED_SIZE = 100  # a named dimension's size, for choosing the order of a chain
# Chains up to this many items get the least-work order (a programme cubic in the
# length: ~20 ms at 32 items, 5 s at 200); longer ones a greedy order (k log k).
MAX_EXACT_CHAIN = 32


def wrap(code: Code, level: int) -> str:
    text, prec = code
    return text if prec >= level else f"({text})"


_BINARY = ((ADD, (" + ", " - ")), (MUL, (" * ", " / ", " @ ")), (POW, (" ** ",)))


def precedence_of(text: str) -> int:
    """The precedence of Python source ``text``: that of its loosest operator outside
    parentheses, brackets and strings (a call or a name is an atom)."""
    depth, quoted, top = 0, False, ""
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif not quoted:
            depth += (ch in "([{") - (ch in ")]}")
        top += ch if depth == 0 and not quoted and ch not in ")]}" else "_"
    for level, ops in _BINARY:
        if any(op in top for op in ops):
            return level
    return UNARY if text.startswith("-") else ATOM


# ---------------------------------------------------------------- flattening
def _inv(a: N.Expr) -> N.Expr:
    return N.Apply("inv", a)


def _transpose(a: N.Expr) -> N.Expr:
    return a.args[0] if isinstance(a, N.Transpose) else N.Transpose(a)


def kind(item: N.Expr) -> str:
    """``diag``, ``inv`` or ``kron`` for an operator item, ``plain`` otherwise."""
    if isinstance(item, N.Apply) and item.name == "diag" and item.args[1].type.is_vector:
        return "diag"
    if isinstance(item, N.Apply) and item.name == "inv":
        return "inv"
    if isinstance(item, N.Kron) and item.left.type.is_matrix and item.right.type.is_matrix:
        return "kron"
    return "plain"


@dataclass
class Factors:
    negative: bool
    scalars: list
    items: list
    identity: N.Expr | None = None


def flatten(node: N.Expr) -> Factors:
    out = Factors(False, [], [])
    # The node itself is expanded by its structure even when its value is a scalar
    # (an inner product); scalar *children* stay whole, as scalar factors.
    if isinstance(node, N.MatMul):
        for g in node.args:
            _expand(g, out)
    elif isinstance(node, N.Transpose):
        _expand_transpose(node.args[0], node, out)
    else:
        _expand(node, out)
    if not out.items and out.identity is not None:
        out.items.append(out.identity)
    _cut_inner_products(out)
    return out


def _cut_inner_products(out: Factors) -> None:
    """``x^T y B z`` is the scalar ``x^T y`` times ``B z``: a prefix of the chain that
    multiplies out to a scalar (with more factors after it) becomes a scalar factor,
    so that the chain is a pure matrix product and a scalar never scales a matrix it
    could scale after the matrix-vector product."""
    runs, rest = scalar_runs(out.items)
    if runs and not rest:  # the whole chain is one inner product: it stays the chain
        rest = runs.pop()
    out.scalars += [N.MatMul(*run) for run in runs]
    out.items = rest


def _expand(f: N.Expr, out: Factors) -> None:
    if isinstance(f, N.Neg):
        out.negative = not out.negative
        _expand(f.args[0], out)
    elif f.type.is_scalar:
        out.scalars.append(f)
    elif isinstance(f, N.MatMul):
        for g in f.args:
            _expand(g, out)
    elif isinstance(f, N.Identity):
        out.identity = f
    elif isinstance(f, N.Power) and f.base.type.is_matrix and abs(f.exponent) <= MAX_EXPANDED_POWER:
        k = int(f.exponent)
        if k == 0:
            out.identity = N.Identity(f.type.shape[0])
        for _ in range(abs(k)):
            _expand(f.base if k > 0 else _inv(f.base), out)
    elif isinstance(f, N.Kron) and (f.left.type.is_scalar or f.right.type.is_scalar):
        _expand(f.left, out)
        _expand(f.right, out)
    elif isinstance(f, N.Transpose):
        _expand_transpose(f.args[0], f, out)
    else:
        out.items.append(f)


def _expand_transpose(a: N.Expr, whole: N.Expr, out: Factors) -> None:
    if isinstance(a, N.MatMul):  # (A B)^T = B^T A^T
        for g in reversed(a.args):
            _expand(g if g.type.is_scalar else _transpose(g), out)
    elif isinstance(a, N.Transpose):  # (A^T)^T = A
        _expand(a.args[0], out)
    elif isinstance(a, N.Neg):  # (-A)^T = -(A^T)
        out.negative = not out.negative
        _expand(_transpose(a.args[0]), out)
    elif isinstance(a, N.Identity) or kind(a) == "diag":  # symmetric
        _expand(a, out)
    elif kind(a) == "inv":  # inv(A)^T = inv(A^T)
        out.items.append(_inv(_transpose(a.args[1])))
    elif isinstance(a, N.Power) and a.base.type.is_matrix:  # (A^k)^T = (A^T)^k
        _expand(N.Power(_transpose(a.base), a.exponent), out)
    elif isinstance(a, N.Kron) and kind(a) == "kron":  # (A ⊗ B)^T = A^T ⊗ B^T
        out.items.append(N.Kron(_transpose(a.left), _transpose(a.right)))
    else:
        out.items.append(whole)


# ------------------------------------------------------------ order of work
def _size(d) -> int:
    if isinstance(d, int):
        return d
    if isinstance(d, Prod):
        total = 1
        for f in d.factors:
            total *= _size(f)
        return total
    return _GUESSED_SIZE


def _rows_cols(t: Type) -> tuple[int, int]:
    if t.is_matrix:
        return _size(t.shape[0]), _size(t.shape[1])
    if t.is_vector:
        return (1, _size(t.shape[0])) if t.row else (_size(t.shape[0]), 1)
    return 1, 1


def _materialise_cost(item: N.Expr | None, rows: int, cols: int) -> int:
    k = "plain" if item is None else kind(item)
    return {"plain": 0, "diag": rows * cols, "inv": rows**3, "kron": rows * cols}[k]


def _step_cost(left: N.Expr | None, right: N.Expr | None, p: int, q: int, r: int) -> int:
    """Work of one product of a p x q and a q x r factor; an operator item is passed
    as its node (``None`` for an already computed product)."""
    lk = "plain" if left is None else kind(left)
    rk = "plain" if right is None else kind(right)
    if "diag" in (lk, rk):
        # Scaling rows or columns; the other side is built if it is an operator too.
        return p * r + (_materialise_cost(left, p, q) if rk == "diag" else _materialise_cost(right, q, r))
    if lk == "inv":
        return p**3 + p * p * r + _materialise_cost(right, q, r)
    if rk == "inv":
        return q**3 + q * q * p + _materialise_cost(left, p, q)
    if lk == "kron":
        return r * q * (p + q) + _materialise_cost(right, q, r)
    if rk == "kron":
        return p * q * (p + r) + _materialise_cost(left, p, q)
    return p * q * r + _materialise_cost(left, p, q) + _materialise_cost(right, q, r)


def chain_order(items: list[N.Expr]) -> dict[tuple[int, int], int]:
    """For each span (i, j) of ``items`` that the order multiplies, the split s giving
    (i..s)(s+1..j): the least total work (the matrix-chain-order dynamic programme) for
    up to ``MAX_EXACT_CHAIN`` items, the greedy order of :func:`_greedy_order` beyond."""
    if len(items) > MAX_EXACT_CHAIN:
        return _greedy_order(items)
    dims = [_rows_cols(it.type) for it in items]
    k = len(items)
    cost: dict[tuple[int, int], int] = {(i, i): 0 for i in range(k)}
    split: dict[tuple[int, int], int] = {}
    for length in range(2, k + 1):
        for i in range(k - length + 1):
            j = i + length - 1
            best = None
            for s in range(i, j):
                left = items[i] if s == i else None
                right = items[j] if s + 1 == j else None
                c = cost[i, s] + cost[s + 1, j] + _step_cost(left, right, dims[i][0], dims[s][1], dims[j][1])
                if best is None or c < best[0]:
                    best = (c, s)
            assert best is not None  # j > i: there is a split
            cost[i, j], split[i, j] = best
    return split


def _greedy_order(items: list[N.Expr]) -> dict[tuple[int, int], int]:
    """Splits of a long chain: the two neighbouring factors (items or products made so
    far) whose product costs least are multiplied first, again and again (the rightmost
    of equal costs, as the exact programme, which splits after the first item on a
    tie, multiplies from the right). Not always the least work overall, but never worse than the least
    first step, and k log k: a heap of the neighbours' costs, stale entries skipped.
    ``A1 … Ak x`` is still computed from the right, one matrix-vector product a step."""
    dims = [_rows_cols(it.type) for it in items]
    k = len(items)
    end = list(range(k))  # a factor is items[i..end[i]], named by its first item i
    after = list(range(1, k + 1))  # the next factor's first item (k: none)
    before = list(range(-1, k - 1))
    merged = [False] * k  # whether factor i is a product made (not an item)
    stamp = [0] * k  # changes whenever factor i does, so that stale costs are skipped
    heap: list[tuple[int, int, int, int, int]] = []

    def offer(i: int) -> None:  # the cost of factor i times the next one
        j = after[i]
        if i < 0 or j >= k:
            return
        c = _step_cost(None if merged[i] else items[i], None if merged[j] else items[j],
                       dims[i][0], dims[end[i]][1], dims[end[j]][1])
        heapq.heappush(heap, (c, -i, j, stamp[i], stamp[j]))

    for i in range(k - 1):
        offer(i)
    split: dict[tuple[int, int], int] = {}
    while heap:
        _, minus_i, j, si, sj = heapq.heappop(heap)
        i = -minus_i
        if after[i] != j or stamp[i] != si or stamp[j] != sj:
            continue
        split[i, end[j]] = end[i]
        end[i], merged[i] = end[j], True
        after[i] = after[j]
        if after[j] < k:
            before[after[j]] = i
        stamp[i] += 1
        stamp[j] += 1
        offer(before[i])
        offer(i)
    return split


def _span_types(items: list[N.Expr], split: dict[tuple[int, int], int]) -> dict[tuple[int, int], Type]:
    """The type of each factor the order makes, from its two halves (the product of
    types is associative), shortest first: not a fold over each span, quadratic for a
    chain computed from one end."""
    types = {(i, i): item.type for i, item in enumerate(items)}
    for (i, j), s in sorted(split.items(), key=lambda entry: entry[0][1] - entry[0][0]):
        types[i, j] = N.infer_matmul(STRICT, types[i, s], types[s + 1, j])
    return types


class _SpanKey:
    """The key under which the product of a run of items is cached (shared by every
    equal run, in any chain): the run, with a hash made from its halves' hashes in O(1)
    (a polynomial hash, the same whatever the split) rather than rehashing the run."""

    __slots__ = ("run", "_hash")

    def __init__(self, run: tuple, hash_: int) -> None:
        self.run, self._hash = run, hash_

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _SpanKey) and self._hash == other._hash and self.run == other.run


_MODULUS, _BASE = (1 << 61) - 1, 1_000_003


def _span_keys(items: list[N.Expr], split: dict[tuple[int, int], int]) -> dict[tuple[int, int], _SpanKey]:
    """The cache key of each product the order makes (see _SpanKey), shortest first."""
    hashes = {(i, i): hash(item) % _MODULUS for i, item in enumerate(items)}
    keys: dict[tuple[int, int], _SpanKey] = {}
    for (i, j), s in sorted(split.items(), key=lambda entry: entry[0][1] - entry[0][0]):
        h = (hashes[i, s] * pow(_BASE, j - s, _MODULUS) + hashes[s + 1, j]) % _MODULUS
        hashes[i, j] = h
        keys[i, j] = _SpanKey(tuple(items[i : j + 1]), h)
    return keys


# ------------------------------------------------------------------ emission
class ProductPrinter:
    """Mixin of the code printer: products, and the trace of a product.

    Relies on the printer's ``code(node)``, ``cached(key, build)``, ``named(code)``,
    ``dim(d)``, ``op(name, *codes)`` and ``transposed(code)``."""

    if TYPE_CHECKING:  # provided by the code printer (code.py)

        def code(self, node: N.Expr) -> Code: ...
        def cached(self, key: Any, build: Callable[[], Code]) -> Code: ...
        def named(self, code: Code) -> str: ...
        def dim(self, d: Dim) -> str: ...
        def op(self, name: str, *args: Code) -> Code: ...
        def transposed(self, code: Code) -> Code: ...

    def _print_MatMul(self, node: N.MatMul) -> Code:
        parts = flatten(node)
        codes = [self.code(s) for s in parts.scalars]
        outer = self._outer_split(parts.items) if (codes or parts.negative) else None
        if outer is not None:
            # c (u vᵀ) is computed as (c u) vᵀ: scaling the vector, not the matrix.
            u, v = (self._materialise(self._chain(side)) for side in outer)
            return self.op("outer", self._scale(parts.negative, codes + [u]), v)
        if parts.items:
            codes.append(self._materialise(self._chain(parts.items)))
        return self._scale(parts.negative, codes)

    def _outer_split(self, items: list) -> tuple | None:
        """The two halves of a chain whose last step is an outer product u vᵀ."""
        if len(items) < 2 or not N.product_type(items).is_matrix or any(kind(it) != "plain" for it in items):
            return None
        s = chain_order(items)[0, len(items) - 1]
        lt, rt = N.product_type(items[: s + 1]), N.product_type(items[s + 1:])
        if lt.is_vector and not lt.row and rt.is_vector and rt.row:
            return items[: s + 1], items[s + 1:]
        return None

    def _scale(self, negative: bool, codes: list) -> Code:
        """``-c * d * (A @ x)``: the product of scalars times the chain's value."""
        text = " * ".join([wrap(codes[0], MUL)] + [wrap(c, UNARY) for c in codes[1:]])
        code = (text, MUL if len(codes) > 1 else codes[0][1])
        if negative:
            code = ("-" + wrap(code, POW), UNARY)
        return code

    # An operand is (node, code): node set while it is an operator not yet applied.
    def _chain(self, items: list) -> tuple:
        if len(items) == 1:
            return self._leaf(items[0])
        split = chain_order(items)
        types, keys = _span_types(items, split), _span_keys(items, split)

        def span(i: int, j: int) -> tuple:
            if i == j:
                item = items[i]
                return self._leaf(item)
            s = split[i, j]
            build = lambda: self._product(span(i, s), types[i, s], span(s + 1, j), types[s + 1, j])
            return None, self.cached(keys[i, j], build)

        return span(0, len(items) - 1)

    def _leaf(self, item: N.Expr) -> tuple:
        """An item as an operand: operators and transposed matrices keep their node (a
        transposed matrix times a vector has a spelling of its own, see targets.py)."""
        if kind(item) != "plain" or (isinstance(item, N.Transpose) and item.type.is_matrix):
            return item, None
        return None, self.code(item)

    def _materialise(self, operand: tuple) -> Code:
        node, code = operand
        return code if node is None else self.code(node)

    def _product(self, left: tuple, lt: Type, right: tuple, rt: Type) -> Code:
        lk = "plain" if left[0] is None else kind(left[0])
        rk = "plain" if right[0] is None else kind(right[0])
        if lk == "diag" and rk != "diag":
            v = wrap(self.code(left[0].args[1]), ATOM)
            other = self._materialise(right)
            return (f"{v}[:, None] * {wrap(other, UNARY)}" if rt.is_matrix else f"{v} * {wrap(other, UNARY)}"), MUL
        if rk == "diag":  # M diag(w) scales the columns of M; y^T diag(w) is y * w
            w = self.code(right[0].args[1])
            return f"{wrap(self._materialise(left), MUL)} * {wrap(w, UNARY)}", MUL
        if lk == "inv":
            return self.op("solve", self.code(left[0].args[1]), self._materialise(right))
        if rk == "inv":
            at = self.code(_transpose(right[0].args[1]))
            other = self._materialise(left)
            if lt.is_vector:
                return self.op("solve", at, other)
            return self.transposed(self.op("solve", at, self.transposed(other)))
        if lk == "kron":
            return self._kron_apply(left[0].left, left[0].right, self._materialise(right), rt.is_vector)
        if rk == "kron":
            a, b = _transpose(right[0].left), _transpose(right[0].right)
            other = self._materialise(left)
            if lt.is_vector:
                return self._kron_apply(a, b, other, True)
            return self.transposed(self._kron_apply(a, b, self.transposed(other), False))
        if isinstance(left[0], N.Transpose) and rt.is_vector and not rt.row:  # Aᵀx
            return self.op("tmatvec", self.code(left[0].args[0]), self._materialise(right))
        l, r = self._materialise(left), self._materialise(right)
        if lt.is_scalar or rt.is_scalar:
            return f"{wrap(l, MUL)} * {wrap(r, UNARY)}", MUL
        if lt.is_vector and rt.is_vector and not lt.row:
            return self.op("outer", l, r)
        return f"{wrap(l, MUL)} @ {wrap(r, UNARY)}", MUL

    def _kron_apply(self, a: N.Expr, b: N.Expr, x: Code, vector: bool) -> Code:
        """``(A ⊗ B) x`` without the Kronecker product. With ``A: m x n``, ``B: p x q``
        and ``X`` the n x q matrix whose rows, laid end to end, are ``x``:
        ``(A ⊗ B) x`` is ``A X B^T`` read row by row (columns of a matrix ``x`` alike)."""
        a_id, b_id = isinstance(a, N.Identity), isinstance(b, N.Identity)
        if a_id and b_id:
            return x
        n = self.dim(a.type.shape[1])
        q = self.dim(b.type.shape[1])
        A = None if a_id else wrap(self.code(a), UNARY)
        xs = self.named(x)
        if vector:
            inner = f"{xs}.reshape({n}, -1)"
            if A:
                inner = f"{A} @ {inner}"
            if not b_id:
                inner = f"{inner} @ {wrap(self.code(_transpose(b)), UNARY)}"
            return f"({inner}).reshape(-1)", ATOM
        B = None if b_id else wrap(self.code(b), UNARY)
        spec = ",".join(s for s, use in (("ij", A), ("jlc", True), ("kl", B)) if use)
        out = ("i" if A else "j") + ("k" if B else "l") + "c"
        args = ", ".join(t for t in (A, f"{xs}.reshape({n}, {q}, -1)", B) if t)
        product = self.op("einsum", (f'"{spec}->{out}"', ATOM), (args, ATOM))
        return f"{wrap(product, ATOM)}.reshape(-1, {xs}.shape[1])", ATOM

    def trace_of_product(self, node: N.MatMul) -> Code | None:
        """``tr(A B) = sum(A ⊙ B^T)`` (no n^3 product), ``tr(x y^T) = x^T y``."""
        parts = flatten(node)
        items = parts.items
        if len(items) < 2 or kind(items[0]) != "plain":
            return None
        rest = self._materialise(self._chain(items[1:]))
        first = self.code(items[0])
        if items[0].type.is_vector:  # x (y^T ...) : the trace of an outer product
            core = (f"{wrap(first, MUL)} @ {wrap(rest, UNARY)}", MUL)
        else:
            core = self.op("sum", (f"{wrap(first, MUL)} * {self.transposed(rest)[0]}", MUL))
        codes = [self.code(s) for s in parts.scalars] + [core]
        return self._scale(parts.negative, codes)
