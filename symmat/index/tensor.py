"""Index form: tensors, contractions and Kronecker deltas.

The derivative engine works on this representation (Laue, Mitterreiter, Giesen,
NeurIPS 2018): every product, transpose, trace, diagonal, sum and outer product of
the language is one :class:`Einsum` (a contraction ``coef * Σ Π operand[labels]``),
so the product rule is one rule, and differentiating a variable by itself yields
Kronecker deltas that :func:`einsum` eliminates as it builds the contraction.

Nodes are hash-consed: building a node equal to an existing one returns that node,
so an expression is a DAG with shared subexpressions and equality is identity.
A delta is never materialised except where the result really is a diagonal (then it
stays a ``Delta`` operand of the contraction).
"""
from __future__ import annotations

import bisect
import heapq
import itertools
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, ClassVar

from ..registry import PRIMITIVES, Primitive
from ..shapes import Dim, dim_product


class Tensor:
    """Base of index-form nodes; ``shape`` is a tuple of dimensions."""

    __slots__ = ("args", "shape", "__weakref__")
    # Set once by __new__; each node class reads ``args`` back through typed properties.
    args: tuple[Any, ...]
    shape: tuple[Dim, ...]
    # Each node class's shape rule, from the arguments it is built with.
    _shape: ClassVar[Callable[..., tuple[Dim, ...]]]
    # The interning table holds nodes weakly: a node lives as long as some expression,
    # memo or result refers to it, so a long-lived process that differentiates many
    # unrelated expressions does not accumulate them. The lock makes "equal is
    # identical" hold across threads (two threads building the same node get one).
    _table: ClassVar[weakref.WeakValueDictionary] = weakref.WeakValueDictionary()
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __new__(cls, *args):
        key = (cls, args)
        node = Tensor._table.get(key)
        if node is None:
            shape = cls._shape(*args)
            with Tensor._lock:
                node = Tensor._table.get(key)
                if node is None:
                    node = object.__new__(cls)
                    object.__setattr__(node, "args", args)
                    object.__setattr__(node, "shape", shape)
                    Tensor._table[key] = node
        return node

    def __setattr__(self, name, value):
        raise AttributeError("tensor nodes are immutable")

    def __repr__(self) -> str:
        return f"{type(self).__name__}{self.args!r}"

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def children(self) -> tuple[Tensor, ...]:
        return tuple(a for a in self.args if isinstance(a, Tensor)) + tuple(
            t for a in self.args if isinstance(a, tuple) for t in a if isinstance(t, Tensor)
        )

    def variables(self) -> frozenset:
        """Names of the variables this tensor depends on (one walk of the DAG; not cached
        per node: in a deep network every layer's set would repeat the layers below it,
        memory quadratic in depth — :func:`depends_on` answers for one name instead)."""
        found, seen, stack = set(), set(), [self]
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            if isinstance(node, Var):
                found.add(node.name)
            stack.extend(node.children)
        return frozenset(found)


class Var(Tensor):
    """A variable; ``symmetric`` records the declaration (S_ij = S_ji)."""

    __slots__ = ()

    def __new__(cls, name, shape, symmetric=False):
        return super().__new__(cls, name, shape, bool(symmetric))

    @staticmethod
    def _shape(name, shape, symmetric):
        return shape

    @property
    def name(self) -> str:
        return self.args[0]

    @property
    def symmetric(self) -> bool:
        return self.args[2]


class Const(Tensor):
    """A scalar constant."""

    __slots__ = ()

    @staticmethod
    def _shape(value):
        return ()

    @property
    def value(self) -> float:
        return self.args[0]


class Zero(Tensor):
    """The zero tensor of a shape."""

    __slots__ = ()

    @staticmethod
    def _shape(shape):
        return shape


class Ones(Tensor):
    """The all-ones tensor of a shape (scalar expansion, ``ones``)."""

    __slots__ = ()

    @staticmethod
    def _shape(shape):
        return shape


class Delta(Tensor):
    """Kronecker delta δ_ij of size n (the identity matrix)."""

    __slots__ = ()

    @staticmethod
    def _shape(n):
        return (n, n)


class Einsum(Tensor):
    """``coef * Σ_{labels not in out} Π operands[k][subscripts[k]]``.

    Build with :func:`einsum`, which normalises (flattens nested contractions,
    folds constants, eliminates deltas, relabels canonically)."""

    __slots__ = ()

    @staticmethod
    def _shape(coef, operands, subscripts, out):
        size: dict = {}
        for op, sub in zip(operands, subscripts):
            for label, dim in zip(sub, op.shape):
                size.setdefault(label, dim)
        return tuple(size[label] for label in out)

    @property
    def coef(self) -> float:
        return self.args[0]

    @property
    def operands(self) -> tuple[Tensor, ...]:
        return self.args[1]

    @property
    def subscripts(self) -> tuple[tuple[int, ...], ...]:  # labels numbered by einsum()
        return self.args[2]

    @property
    def out(self) -> tuple[int, ...]:
        return self.args[3]


class Sum(Tensor):
    __slots__ = ()

    @staticmethod
    def _shape(terms):
        return terms[0].shape

    @property
    def terms(self) -> tuple[Tensor, ...]:
        return self.args[0]


class Elem(Tensor):
    """Elementwise function ``name`` (built-in or abstract), ``order``-th derivative."""

    __slots__ = ()

    @staticmethod
    def _shape(name, arg, order):
        return arg.shape


class Pow(Tensor):
    """Elementwise power ``arg .^ p``."""

    __slots__ = ()

    @staticmethod
    def _shape(arg, p):
        return arg.shape


class VarPow(Tensor):
    """``arg .^ exponent`` with a symbolic scalar tensor ``exponent`` (``x .^ t``)."""

    __slots__ = ()

    @staticmethod
    def _shape(arg, exponent):
        return arg.shape


class Apply(Tensor):
    """A matrix function of the registry (:mod:`symmat.registry`) kept as one node
    (inv, det, logdet, softmax, logsumexp, …): ``prim`` applied to ``operands``. The
    primitive says its axes, its value and its derivative."""

    __slots__ = ()

    @staticmethod
    def _shape(prim, operands):
        return prim.index_shape(*(op.shape for op in operands))

    @property
    def prim(self) -> Primitive:
        return self.args[0]

    @property
    def operands(self) -> tuple[Tensor, ...]:
        return self.args[1]


class Call(Tensor):
    """``∇^order g(arg)``: a tensor with ``order`` copies of the argument's axes."""

    __slots__ = ()

    @staticmethod
    def _shape(name, arg, order):
        return arg.shape * order


class FnCall(Tensor):
    """An abstract function of several arguments or with a vector value, differentiated
    by the arguments ``which`` (sorted): axes ``out`` ++ the axes of each of them."""

    __slots__ = ()

    @staticmethod
    def _shape(name, args, which, out):
        return tuple(out) + tuple(d for k in which for d in args[k].shape)

    def partial(self, k: int) -> Tensor:
        """∂/∂args[k] of this tensor, with axes ``self.shape ++ args[k].shape``: the node
        with ``k`` added to ``which`` (kept sorted: mixed partials commute), permuted."""
        name, args, which, out = self.args
        bisect = sum(1 for j in which if j <= k)
        node = FnCall(name, args, which[:bisect] + (k,) + which[bisect:], out)
        blocks, axis = [], len(out)
        for j in node.args[2]:
            blocks.append(tuple(range(axis, axis + args[j].rank)))
            axis += args[j].rank
        moved = blocks.pop(bisect)
        axes = tuple(range(len(out))) + tuple(a for b in blocks for a in b) + moved
        return permute(node, axes)


class Reshape(Tensor):
    """Row-major reshape to ``shape`` (same number of entries). ``vec`` and ``kron`` are
    contractions followed by a reshape that fuses axes (see :func:`fuse`)."""

    __slots__ = ()

    @staticmethod
    def _shape(arg, shape):
        return shape


def apply(name: str, *operands: Tensor) -> Tensor:
    """The opaque node of the registry's primitive ``name`` applied to ``operands``."""
    return Apply(PRIMITIVES[name], operands)


def depends_on(t: Tensor, name: str, memo: dict[Tensor, bool]) -> bool:
    """Whether ``t`` mentions the variable ``name``. ``memo`` belongs to the caller and
    to that one name (a derivation keeps one), so questions about every node of a DAG
    cost one walk in all. Iterative: deep expressions need no recursion."""
    stack = [t]
    while stack:
        node = stack[-1]
        if node in memo:
            stack.pop()
        elif isinstance(node, Var):
            memo[node] = node.name == name
            stack.pop()
        else:
            pending = [c for c in node.children if c not in memo]
            if pending:
                stack.extend(pending)
            else:
                memo[node] = any(memo[c] for c in node.children)
                stack.pop()
    return memo[t]


def power(arg: Tensor, p: float) -> Tensor:
    """``arg .^ p`` with (a^q)^p = a^(qp) for integer p, a^1 = a, constants folded."""
    p = float(p)
    if isinstance(arg, Pow) and p.is_integer():
        arg, p = arg.args[0], arg.args[1] * p
    if p == 1.0:
        return arg
    if isinstance(arg, Const):
        return Const(arg.value ** p)
    return Pow(arg, p)


def reshape(arg: Tensor, shape: tuple) -> Tensor:
    """Row-major reshape; nested reshapes collapse and a reshape to the same shape vanishes."""
    if isinstance(arg, Reshape):
        arg = arg.args[0]
    if arg.shape == shape:
        return arg
    half = len(shape) // 2
    if isinstance(arg, Delta) and len(shape) % 2 == 0 and shape[:half] == shape[half:] \
            and dim_product(shape[:half]) == dim_product(arg.shape[:1]):
        # The identity on a fused axis is the product of the identities on its parts.
        return einsum([Delta(d) for d in shape[:half]], [(k, half + k) for k in range(half)], tuple(range(len(shape))))
    if isinstance(arg, Ones):
        return Ones(shape)
    return Reshape(arg, shape)


def fuse(arg: Tensor, groups: tuple) -> Tensor:
    """``arg`` with consecutive axes fused row-major, ``groups[k]`` of them into axis k."""
    shape, axis = [], 0
    for g in groups:
        shape.append(dim_product(arg.shape[axis:axis + g]) if g != 1 else arg.shape[axis])
        axis += g
    return reshape(arg, tuple(shape))


# ------------------------------------------------------------------ construction
def _is_zero(t: Tensor) -> bool:
    return isinstance(t, Const) and t.value == 0


# Contractions with more operands than this stay nested as an operand: inlining
# without bound makes a chain of L products cost O(L²) to build and gives np.einsum
# more labels than it takes.
MAX_INLINE = 8


def einsum(operands: Sequence[Tensor], subscripts: Sequence[Sequence], out: Sequence, coef: float = 1.0) -> Tensor:
    """The contraction ``coef * Σ Π operands[k][subscripts[k]]`` with output labels ``out``.

    Labels are any hashable values. Normal form: small nested contractions are inlined,
    constants folded into ``coef``, ``δ_ab`` with a summed label is eliminated by
    renaming (``Σ_b A_b δ_ab = A_a``), all-ones factors whose labels occur elsewhere
    are dropped, and labels are renumbered in order of first appearance.
    """
    ops: list[Tensor] = []
    subs: list[list] = []
    fresh = itertools.count()
    for op, sub in zip(operands, subscripts):
        sub = list(sub)
        assert len(sub) == op.rank, (op, sub)
        if isinstance(op, Einsum) and len(op.operands) <= MAX_INLINE:
            # Inline: the inner output labels become ours, inner summed labels fresh.
            rename = dict(zip(op.out, sub))
            tag = ("inner", next(fresh))
            for inner_op, inner_sub in zip(op.operands, op.subscripts):
                ops.append(inner_op)
                subs.append([rename.get(l, (tag, l)) for l in inner_sub])
            coef *= op.coef
        elif isinstance(op, Const):
            coef *= op.value
        else:
            ops.append(op)
            subs.append(sub)
    out = list(out)
    if coef == 0 or any(isinstance(op, Zero) for op in ops):
        size = {l: d for op, sub in zip(ops, subs) for l, d in zip(sub, op.shape)}
        return Zero(tuple(size[l] for l in out)) if out else Const(0.0)
    ops, subs, out = _eliminate_deltas(ops, subs, out)
    ops, subs = _drop_ones(ops, subs, out)
    ops, subs = _merge_powers(ops, subs)
    if not ops:
        if out:
            raise AssertionError("a contraction with free labels needs operands")
        return Const(coef)
    if len(ops) == 1 and coef == 1.0 and list(subs[0]) == out and len(set(out)) == len(out):
        return ops[0]
    # Operands keep the order they were written in (σ(u) (1 - σ(u)) reads as the table
    # writes it); merging equal terms and factoring compare operands as multisets.
    # Symmetry (S_ab = S_ba) is not used here: a derivative by S itself must follow
    # the expression as written (tr(B S) and tr(B Sᵀ) have different unconstrained
    # gradients); results are simplified with it in matrix form instead.
    subs, out = _canonical_labels(subs, out)
    return Einsum(float(coef), tuple(ops), tuple(map(tuple, subs)), tuple(out))


def _canonical_labels(subs, out):
    """Labels renumbered 0, 1, ... in order of first appearance (output first)."""
    number: dict = {}
    for label in itertools.chain(out, *subs):
        number.setdefault(label, len(number))
    return [[number[l] for l in s] for s in subs], [number[l] for l in out]


def _eliminate_deltas(ops, subs, out):
    """Σ_b A_b δ_ab = A_a: a delta with a summed label renames it away. Where the
    summed label occurs nowhere else, Σ_b δ_ab = 1_a; δ_aa with a kept is 1_a too."""
    changed = any(isinstance(op, Delta) for op in ops)
    while changed:
        changed = False
        for k, (op, sub) in enumerate(zip(ops, subs)):
            if not isinstance(op, Delta):
                continue
            a, b = sub
            elsewhere = {l for j, s in enumerate(subs) if j != k for l in s}
            if a == b:
                if a in out or a in elsewhere:
                    # δ_aa = 1 for each a (Σ_a δ_aa A_a = Σ_a A_a).
                    ops[k], subs[k] = Ones((op.args[0],)), [a]
                    changed = True
                    break
                continue  # Σ_a δ_aa = n: a trace of the identity
            if b not in out:
                keep, drop = a, b
            elif a not in out:
                keep, drop = b, a
            else:
                continue
            if drop not in elsewhere:
                if keep not in out and keep not in elsewhere:
                    continue  # Σ_ab δ_ab = n
                ops[k], subs[k] = Ones((op.args[0],)), [keep]
            else:
                del ops[k], subs[k]
                subs[:] = [[keep if l == drop else l for l in s] for s in subs]
            changed = True
            break
    return ops, subs, out


def _drop_ones(ops, subs, out):
    """Drop all-ones factors whose every label another factor carries (Σ_i 1_i A_i = Σ_i A_i)."""
    if not any(isinstance(op, Ones) for op in ops):
        return ops, subs
    ops, subs = list(ops), list(subs)
    k = 0
    while k < len(ops):
        others = [s for j, s in enumerate(subs) if j != k]
        if isinstance(ops[k], Ones) and all(any(l in s for s in others) for l in subs[k]):
            del ops[k], subs[k]
        else:
            k += 1
    return ops, subs


def _merge_powers(ops, subs):
    """a^p a^q = a^(p+q) for factors with the same labels, when one is a power
    (x_i x_i stays an inner product); a^0 = 1."""
    groups: dict = {}
    for k, (op, sub) in enumerate(zip(ops, subs)):
        base = op.args[0] if isinstance(op, Pow) else op
        groups.setdefault((base, tuple(sub)), []).append(k)
    mergeable = [ks for ks in groups.values() if len(ks) > 1 and any(isinstance(ops[k], Pow) for k in ks)]
    if not mergeable:
        return ops, subs
    merged_ops: list[Tensor] = []
    merged_subs: list = []
    done: set[int] = set()
    for k, (op, sub) in enumerate(zip(ops, subs)):
        if k in done:
            continue
        ks = next((g for g in mergeable if g[0] == k), [k])
        done.update(ks)
        p = sum(ops[j].args[1] if isinstance(ops[j], Pow) else 1.0 for j in ks)
        base = op.args[0] if isinstance(op, Pow) else op
        merged_ops.append(Ones(base.shape) if p == 0.0 else power(base, p) if len(ks) > 1 else op)
        merged_subs.append(sub)
    return merged_ops, merged_subs


def add(terms: Iterable[Tensor | None]) -> Tensor | None:
    """Sum of the non-zero terms (``None`` is zero); nested sums are flattened and equal
    terms merged (``x + x = 2x``)."""
    whole: dict[Tensor, float] = {}
    for t in terms:
        if t is None or _is_zero(t) or isinstance(t, Zero):
            continue
        base, c = _split_coef(t)
        whole[base] = whole.get(base, 0.0) + c
    counts: dict[Tensor, float] = {}
    for t, c in whole.items():
        # A sum that occurs once is opened up so its terms can combine with others;
        # one that occurs repeatedly stays whole: 2 (a + b), not 2a + 2b.
        for part in t.terms if isinstance(t, Sum) and c == 1.0 else (scale(t, c),):
            base, k = _split_coef(part)
            counts[base] = counts.get(base, 0.0) + k
    parts = _factor([scale(base, c) for base, c in counts.items() if c != 0])
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Sum(tuple(parts))


def add_or_zero(terms: Iterable[Tensor | None], shape: tuple) -> Tensor:
    """:func:`add`, with an explicit zero of ``shape`` when the terms cancel."""
    total = add(terms)
    if total is not None:
        return total
    return Zero(shape) if shape else Const(0.0)


def _factor(parts: list[Tensor]) -> list[Tensor]:
    """Distributivity: Σ … A … + Σ … B … = Σ … (A + B) … for two contractions that
    differ in one operand only (B's labels may be a permutation of A's: then Bᵀ).

    Contractions that differ in one operand are gathered in one pass, keyed by the
    rest, and each gathered sum is built once (linear in the number of terms); the
    remaining joins (several operands apart, see :func:`_join`) are then tried pairwise,
    only between terms that share a factor."""
    return _join_pairwise(_gather_one_apart(parts))


def _gather_one_apart(parts: list[Tensor]) -> list[Tensor]:
    """The terms, those that differ in one operand only merged: C·A + C·Bᵀ + … = C·(A + Bᵀ + …).
    A term joins the first group (in its operand order) that one of its keys finds; a
    group of one term answers to all that term's keys, a larger one only to the key it
    was formed by. Merged groups follow the unmerged terms, in order of their first term."""
    groups: list[list] = []  # [key or None, [(term, k)]] in order of the first term
    by_key: dict[tuple, list] = {}
    for p in parts:
        keys = _one_apart_keys(p)
        for k, key in keys:
            group = by_key.get(key)
            if group is not None and group[0] in (None, key) and _fits(group, key, p, k):
                group[0] = key
                group[1].append((p, k))
                break
        else:
            group = [None, [(p, None)]]
            groups.append(group)
            for _, key in keys:
                by_key.setdefault(key, group)
    single = [g[1][0][0] for g in groups if len(g[1]) == 1]
    return single + [_gathered(g) for g in groups if len(g[1]) > 1]


def _one_apart_keys(t: Tensor) -> list[tuple[int, tuple]]:
    """(k, key) for each operand k of a contraction that a sum may gather over: the key is
    the output, the other factors (as a multiset) and the set of operand k's labels."""
    if not isinstance(t, Einsum):
        return []
    pairs = list(zip(t.operands, t.subscripts))
    keys = []
    for k, (_, sub) in enumerate(pairs):
        if len(set(sub)) != len(sub):
            continue
        rest: dict = {}
        for pair in pairs[:k] + pairs[k + 1:]:
            rest[pair] = rest.get(pair, 0) + 1
        if rest:
            keys.append((k, (t.out, frozenset(rest.items()), frozenset(sub))))
    return keys


def _fits(group: list, key: tuple, t: Tensor, k: int) -> bool:
    """Whether ``t``'s operand ``k``, relabelled like the group's, has the same shape."""
    assert isinstance(t, Einsum)  # only a contraction has keys (_one_apart_keys)
    first, k0 = group[1][0]
    if k0 is None:
        k0 = next(j for j, kk in _one_apart_keys(first) if kk == key)
    return _aligned(t, k, first.subscripts[k0]).shape == first.operands[k0].shape


def _aligned(t: Einsum, k: int, labels: tuple) -> Tensor:
    """Operand ``k`` of ``t`` with its axes in the order of ``labels``."""
    sub = t.subscripts[k]
    axes = tuple(sub.index(l) for l in labels)
    return t.operands[k] if axes == tuple(range(len(axes))) else permute(t.operands[k], axes)


def _gathered(group: list) -> Tensor:
    key, members = group
    first = members[0][0]
    k0 = next(j for j, kk in _one_apart_keys(first) if kk == key)
    labels = first.subscripts[k0]
    inner = add([scale(_aligned(t, k if k is not None else k0, labels), t.coef) for t, k in members])
    if inner is None:
        inner = Zero(first.operands[k0].shape)
    common = [j for j in range(len(first.operands)) if j != k0]
    return einsum([first.operands[j] for j in common] + [inner],
                  [first.subscripts[j] for j in common] + [labels], first.out)


def _join_pairwise(parts: list[Tensor]) -> list[Tensor]:
    """Joins by :func:`_join` to a fixed point: the first term (in order) that joins a
    later one joins the first such, the joined term goes last, and so on. Only terms
    that share a factor are tried (others cannot join).

    One forward scan gives the same joins as restarting from the first term after each
    (restarting made a sum whose terms differ in several factors quadratic): terms are
    numbered in order, a joined term taking the next number, and a term the scan has
    passed (it joins no later term) can afterwards join only a term made after it. So
    after each join only the passed terms sharing a factor with the new term are tried
    against it, first to last, and then the scan goes on."""
    terms: dict[int, Tensor] = dict(enumerate(parts))  # the live terms, in order
    holders: dict[tuple, list[int]] = {}  # factor -> numbers of the terms with it, ascending
    passed: dict[tuple, set[int]] = {}  # factor -> live passed terms with it

    def enter(number: int, t: Tensor) -> None:
        terms[number] = t
        for factor in _factors(t):
            holders.setdefault(factor, []).append(number)

    def leave(number: int) -> None:
        for factor in _factors(terms.pop(number)):
            passed.get(factor, set()).discard(number)

    for number, t in enumerate(parts):
        enter(number, t)
    count, cursor = len(parts), 0
    while cursor < count:
        p = terms.get(cursor)
        joined = None
        if p is not None:
            for j in _later_holders(p, cursor, holders, terms):
                joined = _join(p, terms[j])
                if joined is not None:
                    leave(cursor)
                    leave(j)
                    break
            else:
                for factor in _factors(p):
                    passed.setdefault(factor, set()).add(cursor)
        while joined is not None:  # passed terms may join the new one, the first first
            new, count = count, count + 1
            enter(new, joined)
            candidates = sorted(set().union(*(passed.get(f, ()) for f in _factors(joined))))
            joined = None
            for s in candidates:
                joined = _join(terms[s], terms[new])
                if joined is not None:
                    leave(s)
                    leave(new)
                    break
        cursor += 1
    return list(terms.values())


def _factors(t: Tensor) -> set[tuple]:
    """The factors (operand and labels, with the output) by which a term meets others."""
    if not isinstance(t, Einsum):
        return set()
    return {(t.out, pair) for pair in zip(t.operands, t.subscripts)}


def _later_holders(t: Tensor, number: int, holders: dict[tuple, list[int]],
                   terms: dict[int, Tensor]) -> Iterator[int]:
    """Live terms numbered after ``number`` that share a factor with ``t``, ascending,
    each once; lazily, so that finding the first partner does not list them all."""
    def after(run: list[int]) -> Iterator[int]:
        return (run[k] for k in range(bisect.bisect_right(run, number), len(run)))

    last = None
    for j in heapq.merge(*(after(holders[factor]) for factor in _factors(t))):
        if j != last and j in terms:
            yield j
        last = j


def _join(a: Tensor, b: Tensor) -> Tensor | None:
    """a + b as one contraction when they share factors: C·Ra + C·Rb = C·(Ra + Rb)."""
    if not (isinstance(a, Einsum) and isinstance(b, Einsum)) or a.out != b.out:
        return None
    rest_b = list(zip(b.operands, b.subscripts))
    common, rest_a = [], []
    for pair in zip(a.operands, a.subscripts):
        if pair in rest_b:
            rest_b.remove(pair)
            common.append(pair)
        else:
            rest_a.append(pair)
    if not common or (not rest_a and not rest_b):
        return None
    outer = set(a.out).union(*(set(sub) for _, sub in common))
    if len(rest_a) == 1 and len(rest_b) == 1:
        inner, labels = _join_one(rest_a[0], a.coef, rest_b[0], b.coef)
        if inner is not None:
            return einsum([op for op, _ in common] + [inner], [sub for _, sub in common] + [labels], a.out)
    shared_a = _shared(rest_a, outer)
    if shared_a != _shared(rest_b, outer):
        return None
    size = {l: d for op, sub in common + rest_a + rest_b for l, d in zip(sub, op.shape)}
    inner = add([_residual(rest_a, shared_a, a.coef, size), _residual(rest_b, shared_a, b.coef, size)])
    if inner is None:
        return Zero(a.shape) if a.shape else Const(0.0)
    return einsum([op for op, _ in common] + [inner], [sub for _, sub in common] + [shared_a], a.out)


def _join_one(pa, ca, pb, cb):
    """A[s] and B[t] with t a permutation of s: (ca A + cb Bᵀ)[s]."""
    (op_a, sa), (op_b, sb) = pa, pb
    if sorted(sa) != sorted(sb) or len(set(sa)) != len(sa):
        return None, None
    axes = tuple(sb.index(l) for l in sa)
    other = op_b if axes == tuple(range(len(axes))) else permute(op_b, axes)
    if other.shape != op_a.shape:
        return None, None
    inner = add([scale(op_a, ca), scale(other, cb)])
    return (inner if inner is not None else Zero(op_a.shape)), tuple(sa)


def _shared(pairs, outer) -> tuple:
    """Labels of the factors ``pairs`` that connect them to the rest, in order."""
    return tuple(dict.fromkeys(l for _, sub in pairs for l in sub if l in outer))


def _residual(pairs, labels, coef, size) -> Tensor:
    if not pairs:
        return scale(Ones(tuple(size[l] for l in labels)), coef) if labels else Const(coef)
    return einsum([op for op, _ in pairs], [sub for _, sub in pairs], labels, coef)


def _split_coef(t: Tensor) -> tuple[Tensor, float]:
    if isinstance(t, Einsum) and t.coef != 1.0:
        return einsum(t.operands, t.subscripts, t.out), t.coef
    if isinstance(t, Const):
        return Const(1.0), t.value
    return t, 1.0


def scale(t: Tensor, c: float) -> Tensor:
    if c == 1.0:
        return t
    labels = tuple(range(t.rank))
    return einsum([t], [labels], labels, c)


def permute(t: Tensor, axes: Sequence[int]) -> Tensor:
    """``t`` with its axes reordered: result axis k is ``t``'s axis ``axes[k]``."""
    return einsum([t], [tuple(range(t.rank))], tuple(axes))


def identity(shape: tuple) -> Tensor:
    """∂x/∂x: the tensor δ over ``shape ++ shape``."""
    r = len(shape)
    if r == 0:
        return Const(1.0)
    return einsum(
        [Delta(d) for d in shape], [(k, r + k) for k in range(r)], tuple(range(2 * r))
    )
