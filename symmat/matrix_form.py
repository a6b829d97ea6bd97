"""Back to matrix notation: index-form tensors -> matrix-language expressions.

A contraction whose operands have at most two axes is a tensor network in which,
after a few local rewrites, every label occurs at most twice; its connected
components are then paths and cycles, and

    a path  is a product chain   A B^T C ...   (ends: free labels, vectors vᵀ … w,
                                                 or summed ends 1ᵀ … 1),
    a cycle is a trace            tr(A B C),
    two free paths make an outer product  u wᵀ.

The local rewrites, each an identity:

    X_ii (i summed only here) = tr X          X_ii (i kept) = diag(X)_i
    x_i y_i (same label)      = (x ⊙ y)_i     A_ij B_ij (a label kept) = (A ⊙ B)_ij
    v_j with j on a matrix M and elsewhere: M_ij v_j = (M diag(v))_ij

A tensor that is not a matrix expression (rank > 2, or a label shared by three
matrices) raises :class:`NoMatrixForm`; the caller keeps index notation for it.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass

from . import nodes as N
from .algebra import chain, mul, transpose
from .functions import ELEMENTWISE
from .index import tensor as T
from .index.expr import IndexExpr
from .provenance import Derivative
from .shapes import Type


class NoMatrixForm(Exception):
    """The tensor has no expression in the matrix language."""


@dataclass
class Piece:
    expr: N.Expr  # rank 0, column vector, or matrix
    legs: tuple  # () | (label,) | (row label, column label)


def _col(e: N.Expr) -> N.Expr:
    """``e`` as a column vector (rank-1 expressions may be rows)."""
    return N.Transpose(e) if e.type.is_vector and e.type.row else e


class Raiser:
    def __init__(self):
        self.memo: dict[T.Tensor, N.Expr] = {}

    def __call__(self, t: T.Tensor) -> N.Expr:
        """Matrix expression for ``t``: scalars, column vectors, matrices."""
        if t not in self.memo:
            if t.rank > 2:
                raise NoMatrixForm(f"a tensor of rank {t.rank}")
            method = getattr(self, "_raise_" + type(t).__name__, None)
            if method is None:
                raise NoMatrixForm(type(t).__name__)
            self.memo[t] = method(t)
        return self.memo[t]

    # ----------------------------------------------------------------- leaves
    def _raise_Var(self, t):
        return N.Symbol(t.name, Type(t.shape), t.symmetric)

    def _raise_Const(self, t):
        return N.Number(t.value)

    def _raise_Zero(self, t):
        return N.zeros(Type(t.shape))

    def _raise_Ones(self, t):
        if t.rank == 0:
            return N.Number(1.0)
        if t.rank == 1:
            return N.Ones(t.shape[0])
        return N.MatMul(N.Ones(t.shape[0]), N.Transpose(N.Ones(t.shape[1])))

    def _raise_Delta(self, t):
        return N.Identity(t.args[0])

    # ----------------------------------------------------------------- functions
    def _raise_Sum(self, t):
        return N.Add(*[self(term) for term in t.terms])

    def _raise_Elem(self, t):
        name, arg, order = t.args
        inner = self(arg)
        if order and name in ELEMENTWISE:
            from .differentiation.elementwise import elementwise_derivative

            return instantiate(self(elementwise_derivative(name, order)), inner)
        return N.Elementwise(name, inner, order)

    def _raise_Pow(self, t):
        arg, p = t.args
        if (2 * p).is_integer() and isinstance(arg, T.Einsum) and not arg.out and len(arg.operands) == 2 \
                and arg.operands[0] is arg.operands[1] and arg.subscripts[0] == arg.subscripts[1] \
                and arg.operands[0].rank >= 1 and arg.coef == 1.0:
            # (Σ x_i x_i)^(p) = norm(x)^(2p)
            norm = N.Apply("norm", self(arg.operands[0]))
            return norm if p == 0.5 else N.Power(norm, 2 * p)
        inner = self(arg)
        return N.Power(inner, p) if inner.type.is_scalar else N.ElemPower(inner, p)

    def _raise_VarPow(self, t):
        return N.GeneralPower(self(t.args[0]), self(t.args[1]))

    def _raise_Apply(self, t: T.Apply):
        """An opaque primitive in matrix notation: as the primitive says, else name(x)."""
        args = [self(op) for op in t.operands]
        if t.prim.matrix_form is not None:
            return t.prim.matrix_form(*args)
        return N.Apply(t.prim.name, *args)

    def _raise_Call(self, t):
        name, arg, order = t.args
        inner = self(arg)
        if order > 2 or (order == 2 and inner.type.rank > 1):
            raise NoMatrixForm(f"derivative of order {order} of {name}")
        return N.Call(name, inner, order)

    def kron(self, t: T.Tensor, rows: int, cols: int) -> N.Expr:
        """The matrix with row axis = the first ``rows`` axes of ``t`` fused row-major
        and column axis = the rest, as a Kronecker product A ⊗ B of two factors of
        ``t`` with no label in common:  (A ⊗ B)[(i,k),(j,l)] = A_ij B_kl. A side with
        one axis gives it to A or to B (the other factor is a vector there):
        (A ⊗ b)[(i,k),j] = A_ij b_k."""
        if rows == 0 or cols == 0 or rows > 2 or cols > 2:
            raise NoMatrixForm("vectorised form of this shape")
        if t.rank == 2:
            return self(t)
        if isinstance(t, T.Reshape):
            t = T.einsum([t], [tuple(range(t.rank))], tuple(range(t.rank)))
        if isinstance(t, T.Sum):  # linear: a sum of Kronecker products
            return N.Add(*[self.kron(term, rows, cols) for term in t.terms])
        if not isinstance(t, T.Einsum):
            raise NoMatrixForm("a vectorised Jacobian that is not one contraction")
        row_labels, col_labels = list(t.out[:rows]), list(t.out[rows:])
        for a_row, b_row in _sides(row_labels):
            for a_col, b_col in _sides(col_labels):
                a_labels, b_labels = [a_row, a_col], [b_row, b_col]
                groups = _split(t, {l for l in a_labels if l is not None}, {l for l in b_labels if l is not None})
                if groups is None:
                    continue
                (a_ops, a_subs), (b_ops, b_subs) = groups
                a = self._kron_factor(a_ops, a_subs, a_labels, t.coef)
                b = self._kron_factor(b_ops, b_subs, b_labels, 1.0)
                return N.Kron(a, b)
        raise NoMatrixForm("no Kronecker factorisation")

    def _kron_factor(self, ops, subs, labels, coef) -> N.Expr:
        """One factor of a Kronecker product: a matrix (row and column label), a
        column (row label only) or a row vector (column label only)."""
        out = tuple(l for l in labels if l is not None)
        expr = self(T.einsum(ops, subs, out, coef)) if ops else self(T.Const(coef))
        return N.Transpose(expr) if labels[0] is None and expr.type.is_vector else expr

    def _raise_FnCall(self, t):
        name, args, which, out = t.args
        if any(a.rank > 2 for a in args):
            raise NoMatrixForm(f"an argument of {name} of rank > 2")
        return N.FnCall(name, tuple(_col(self(a)) for a in args), which, out[0] if out else None)

    def _raise_Reshape(self, t):
        """A row-major reshape of a matrix to one axis is vec of its transpose; a reshape
        to a matrix whose axes fuse axes of the argument is a Kronecker product."""
        arg = t.args[0]
        if t.rank == 1 and arg.rank == 2:
            return N.Apply("vec", transpose(self(arg)))
        if t.rank == 1 and arg.rank == 1:
            return self(arg)
        if isinstance(arg, T.Sum):
            # A reshape is linear: reshape(S + T) = reshape(S) + reshape(T).
            return N.Add(*[self(T.reshape(term, t.shape)) for term in arg.terms])
        if isinstance(arg, T.Einsum) and len(arg.operands) == 1 and arg.subscripts[0] == arg.out:
            # reshape(c A) = c reshape(A), and a reshape of a reshape is one reshape.
            return self(T.scale(T.reshape(arg.operands[0], t.shape), arg.coef))
        if t.rank == 2:
            groups = _fused_groups(arg.shape, t.shape)
            if groups is not None:
                return self.kron(arg, *groups)
        raise NoMatrixForm("a reshape other than vec or a Kronecker product")

    # ----------------------------------------------------------------- contractions
    def _raise_Einsum(self, t: T.Einsum):
        opened = open_wide_operand(t)
        if opened is not None:
            return self(opened)
        pieces: list[Piece] = []
        scalars: list[N.Expr] = []
        for op, sub in zip(t.operands, t.subscripts):
            expr = self(op)
            piece = Piece(_col(expr) if expr.type.is_vector else expr, tuple(sub))
            if sub:
                pieces.append(piece)
            else:
                scalars.append(piece.expr)
        network = Network(pieces, list(t.out))
        network.reduce()
        body = network.assemble()
        factors: list[N.Expr] = ([N.Number(abs(t.coef))] if abs(t.coef) != 1.0 else []) + scalars
        factors += [body] if body is not None else []
        result = chain(*factors) if factors else N.Number(1.0)
        return N.Neg(result) if t.coef < 0 else result


class Network:
    """Pieces of a contraction and its output labels, reduced to paths and cycles."""

    def __init__(self, pieces: list[Piece], out: list):
        self.pieces = pieces
        self.out = out
        self.scalars: list[N.Expr] = []

    def count(self, label) -> int:
        return sum(p.legs.count(label) for p in self.pieces) + self.out.count(label)

    def reduce(self) -> None:
        changed = True
        while changed:
            changed = (
                self._traces_and_diagonals() or self._vector_products() or self._matrix_products()
                or self._outer_hadamard() or self._contract_into_crowded() or self._absorb_vectors()
                or self._lone_scalars() or self._crowded_column_sums()
            )
        for label in {l for p in self.pieces for l in p.legs}:
            if self.count(label) > 2:
                raise NoMatrixForm("a label shared by three factors")

    def _traces_and_diagonals(self) -> bool:
        for k, p in enumerate(self.pieces):
            if len(p.legs) == 2 and p.legs[0] == p.legs[1]:
                label = p.legs[0]
                if self.count(label) == 2:
                    self.scalars.append(N.Apply("tr", p.expr))
                    del self.pieces[k]
                else:
                    self.pieces[k] = Piece(N.Apply("diag", p.expr), (label,))
                return True
        return False

    def _vector_products(self) -> bool:
        """x_i y_i z_… = (x ⊙ y)_i when both share the label (and something else uses it)."""
        by_label: dict = {}
        for k, p in enumerate(self.pieces):
            if len(p.legs) == 1:
                by_label.setdefault(p.legs[0], []).append(k)
        for label, ks in by_label.items():
            if len(ks) >= 2 and self.count(label) > 2:
                i, j = ks[:2]
                merged = Piece(N.Hadamard(self.pieces[i].expr, self.pieces[j].expr), (label,))
                self.pieces = [p for k, p in enumerate(self.pieces) if k not in (i, j)] + [merged]
                return True
        return False

    def _matrix_products(self) -> bool:
        """A_ij B_ij = (A ⊙ B)_ij (B transposed when its labels are the other way round),
        when a label of the pair is used elsewhere; otherwise the pair is a trace cycle."""
        for i, a in enumerate(self.pieces):
            for j in range(i + 1, len(self.pieces)):
                b = self.pieces[j]
                if len(a.legs) == 2 and len(b.legs) == 2 and set(a.legs) == set(b.legs):
                    if all(self.count(l) == 2 for l in a.legs):
                        continue
                    other = b.expr if b.legs == a.legs else N.Transpose(b.expr)
                    merged = Piece(N.Hadamard(a.expr, other), a.legs)
                    self.pieces = [p for k, p in enumerate(self.pieces) if k not in (i, j)] + [merged]
                    return True
        return False

    def _contract_into_crowded(self) -> bool:
        """A_ip v_p = (A v)_i and A_ip B_pj = (A B)_ij over a label p the two pieces alone
        carry, done first where A also carries a label shared by three factors
        (δ_ij A_ip x_p: the vector A x then meets δ as diag(A x))."""
        crowded = {l for p in self.pieces for l in p.legs if self.count(l) > 2}
        if not crowded:
            return False
        for i, a in enumerate(self.pieces):
            if not crowded & set(a.legs):
                continue
            for label in a.legs:
                if label in crowded or label in self.out or self.count(label) != 2 or a.legs.count(label) != 1:
                    continue
                j = next(k for k, p in enumerate(self.pieces) if k != i and label in p.legs)
                merged = _contract(a, self.pieces[j], label)
                if merged is None:
                    continue
                self.pieces = [p for k, p in enumerate(self.pieces) if k not in (i, j)]
                if merged.legs:
                    self.pieces.append(merged)
                else:
                    self.scalars.append(merged.expr)
                return True
        return False

    def _outer_hadamard(self) -> bool:
        """u_i M_ij v_j with i and j free and kept by nothing else: ((u vᵀ) ⊙ M)_ij."""
        if len(self.out) != 2 or len(self.pieces) != 3:
            return False
        i, j = self.out
        vectors = {p.legs[0]: p for p in self.pieces if len(p.legs) == 1}
        matrices = [p for p in self.pieces if len(p.legs) == 2 and set(p.legs) == {i, j} and i != j]
        if set(vectors) != {i, j} or len(matrices) != 1:
            return False
        m = matrices[0]
        outer = N.MatMul(vectors[i].expr, N.Transpose(vectors[j].expr))
        self.pieces = [Piece(N.Hadamard(outer, m.expr if m.legs == (i, j) else N.Transpose(m.expr)), (i, j))]
        return True

    def _absorb_vectors(self) -> bool:
        """M_ij v_j with j also used elsewhere: (M diag(v))_ij."""
        for k, v in enumerate(self.pieces):
            if len(v.legs) != 1 or self.count(v.legs[0]) <= 2:
                continue
            label = v.legs[0]
            for j, m in enumerate(self.pieces):
                if j != k and len(m.legs) == 2 and label in m.legs:
                    d = N.Apply("diag", v.expr)
                    expr = N.MatMul(d, m.expr) if m.legs[0] == label else N.MatMul(m.expr, d)
                    self.pieces[j] = Piece(expr, m.legs)
                    del self.pieces[k]
                    return True
        return False

    def _lone_scalars(self) -> bool:
        """A vector whose only label is summed nowhere else: sum(v)."""
        for k, p in enumerate(self.pieces):
            if len(p.legs) == 1 and self.count(p.legs[0]) == 1:
                self.scalars.append(N.Apply("sum", p.expr))
                del self.pieces[k]
                return True
        return False

    def _crowded_column_sums(self) -> bool:
        """Σ_k M_kj = (Mᵀ 1)_j when k is summed nowhere else, in a network where some
        label is shared by three factors (softmax(Z)_ij Σ_k Y_kj = (softmax(Z) diag(Yᵀ 1))_ij):
        the vector can then be contracted or absorbed as a diagonal. Otherwise a path
        writes the sum as 1ᵀ M."""
        if not any(self.count(l) > 2 for p in self.pieces for l in p.legs):
            return False
        for k, p in enumerate(self.pieces):
            if len(p.legs) != 2 or p.legs[0] == p.legs[1]:
                continue
            for axis in (0, 1):
                lone, other = p.legs[axis], p.legs[1 - axis]
                if self.count(lone) == 1 and other != lone:
                    oriented = N.Transpose(p.expr) if axis == 0 else p.expr
                    self.pieces[k] = Piece(mul(oriented, N.Ones(p.expr.type.shape[axis])), (other,))
                    return True
        return False

    # ----------------------------------------------------------------- assembly
    def assemble(self) -> N.Expr | None:
        """The product of all components; ``None`` when nothing but scalars is left."""
        components = self._components()
        vectors: dict = {}
        scalars = list(self.scalars)
        main = None
        for comp in components:
            free = [l for l in self.out if any(l in self.pieces[k].legs for k in comp)]
            expr = self._chain(comp, free)
            if len(free) == 2:
                main = expr
            elif len(free) == 1:
                vectors[free[0]] = expr
            else:
                scalars.append(expr)
        if len(self.out) == 2 and main is None:
            main = N.MatMul(vectors[self.out[0]], N.Transpose(vectors[self.out[1]]))
        elif len(self.out) == 1:
            main = vectors[self.out[0]]
        if main is None:
            return chain(*scalars) if scalars else None
        return chain(*scalars, main) if scalars else main

    def _components(self) -> list[list[int]]:
        parent = list(range(len(self.pieces)))

        def find(k):
            while parent[k] != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        owner: dict = {}
        for k, p in enumerate(self.pieces):
            for l in p.legs:
                if l in owner:
                    parent[find(k)] = find(owner[l])
                else:
                    owner[l] = k
        groups: dict = {}
        for k in range(len(self.pieces)):
            groups.setdefault(find(k), []).append(k)
        return list(groups.values())

    def _chain(self, comp: list[int], free: list) -> N.Expr:
        """The product along a path (or the trace around a cycle) of ``comp``."""
        legs_count = Counter(l for k in comp for l in self.pieces[k].legs)
        ends = [l for l in legs_count if legs_count[l] == 1]  # free or summed ends of matrices
        vector_ends = [k for k in comp if len(self.pieces[k].legs) == 1]
        if free:
            start = ("label", free[0])
        elif vector_ends:
            start = ("piece", vector_ends[0])
        elif ends:
            start = ("label", ends[0])
        else:
            return N.Apply("tr", self._walk(comp, comp[0], self.pieces[comp[0]].legs[0], cycle=True))
        if start[0] == "piece":
            k = start[1]
            v = self.pieces[k]
            rest = [j for j in comp if j != k]
            if not rest:
                return N.Apply("sum", v.expr)
            tail = self._walk(rest, None, v.legs[0])
            return chain(N.Transpose(v.expr), tail)
        label = start[1]
        first = next(k for k in comp if label in self.pieces[k].legs)
        body = self._walk(comp, first, label)
        if label not in self.out:
            body = chain(N.Transpose(N.Ones(self._size(first, label))), body)
        return body

    def _size(self, k: int, label):
        p = self.pieces[k]
        axis = p.legs.index(label)
        return p.expr.type.shape[axis]

    def _walk(self, comp: list[int], first: int | None, label, cycle: bool = False) -> N.Expr:
        """Product of the pieces in ``comp`` entered through ``label``: each matrix is
        oriented so that the entering label is its row; a vector ends the walk."""
        remaining = list(comp)
        factors = []
        current = first if first is not None else next(k for k in remaining if label in self.pieces[k].legs)
        while True:
            remaining.remove(current)
            p = self.pieces[current]
            if len(p.legs) == 1:
                factors.append(p.expr)
                break
            row, col = p.legs
            if row == label:
                factors.append(p.expr)
                label = col
            else:
                factors.append(N.Transpose(p.expr))
                label = row
            nxt = [k for k in remaining if label in self.pieces[k].legs]
            if not nxt:
                if not cycle and label not in self.out:
                    factors.append(N.Ones(self._size(current, label)))
                break
            current = nxt[0]
        return chain(*factors)


def _contract(a: Piece, b: Piece, label) -> Piece | None:
    """The product of two pieces over ``label`` (each carries it once), as a piece
    with the remaining legs: a's other leg first."""
    if b.legs.count(label) != 1:
        return None
    left = a.expr if a.legs[-1] == label else transpose(a.expr)
    right = b.expr if b.legs[0] == label else transpose(b.expr)
    if len(a.legs) == 1:
        left = transpose(a.expr)  # vᵀ B
    if len(b.legs) == 1:
        right = b.expr
    legs = tuple(l for l in a.legs if l != label) + tuple(l for l in b.legs if l != label)
    product = mul(left, right)
    if len(legs) == 1 and product.type.is_vector and product.type.row:
        product = transpose(product)
    return Piece(product, legs)


def open_wide_operand(t: T.Einsum) -> T.Tensor | None:
    """A contraction with an operand of rank > 2, which no matrix can stand for,
    rewritten without it: a nested contraction is inlined (Σ_k A_ijk B_k with
    A_ijk = Σ_l C_il D_jlk: one contraction), and the contraction distributes over a
    sum (c_k (S + T)_ijk = c_k S_ijk + c_k T_ijk). None when every operand is narrow."""
    for k, (op, sub) in enumerate(zip(t.operands, t.subscripts)):
        if op.rank <= 2 or not isinstance(op, (T.Einsum, T.Sum)):
            continue
        ops = list(t.operands)
        subs: list[tuple[Hashable, ...]] = list(t.subscripts)
        if isinstance(op, T.Sum):
            terms = []
            for term in op.terms:
                ops[k] = term
                terms.append(T.einsum(ops, subs, t.out, t.coef))
            # Not T.add: it would factor the common operands back out.
            return T.Sum(tuple(terms))
        rename = dict(zip(op.out, sub))
        inner_ops = list(op.operands)
        inner_subs = [tuple(rename.get(l, ("inner", l)) for l in s) for s in op.subscripts]
        return T.einsum(ops[:k] + inner_ops + ops[k + 1:], subs[:k] + inner_subs + subs[k + 1:], t.out,
                        t.coef * op.coef)
    return None


def _sides(labels: list) -> list[tuple]:
    """Ways to give the labels of one side of a Kronecker product to (A, B)."""
    if len(labels) == 2:
        return [(labels[0], labels[1])]
    return [(None, labels[0]), (labels[0], None)]


def _fused_groups(shape: tuple, fused: tuple) -> tuple | None:
    """How many consecutive axes of ``shape`` each axis of ``fused`` fuses, or None."""
    from .shapes import dim_product

    groups, axis = [], 0
    for d in fused:
        for count in range(1, len(shape) - axis + 1):
            if dim_product(shape[axis:axis + count]) == d:
                groups.append(count)
                axis += count
                break
        else:
            return None
    return tuple(groups) if axis == len(shape) else None


def _split(t: T.Einsum, a_labels: set, b_labels: set):
    """The operands of ``t`` in two groups joined by no label, one carrying
    ``a_labels`` and the other ``b_labels``; None if there are no such groups."""
    n = len(t.operands)
    parent = list(range(n))

    def find(k):
        while parent[k] != k:
            k = parent[k]
        return k

    owner: dict = {}
    for k, sub in enumerate(t.subscripts):
        for l in sub:
            if l in owner:
                parent[find(k)] = find(owner[l])
            else:
                owner[l] = k
    side: dict[int, set[str]] = {}
    for k, sub in enumerate(t.subscripts):
        root = find(k)
        if a_labels & set(sub):
            side.setdefault(root, set()).add("a")
        if b_labels & set(sub):
            side.setdefault(root, set()).add("b")
    if any(len(v) > 1 for v in side.values()):
        return None
    groups: dict[str, tuple[list[T.Tensor], list]] = {"a": ([], []), "b": ([], [])}
    for k, (op, sub) in enumerate(zip(t.operands, t.subscripts)):
        which = side.get(find(k))
        if which is None:
            return None  # a scalar factor: could go either side, keep it simple
        name = next(iter(which))
        groups[name][0].append(op)
        groups[name][1].append(sub)
    return groups["a"], groups["b"]


def instantiate(formula: N.Expr, arg: N.Expr) -> N.Expr:
    """A formula in the scalar ``x`` applied entry by entry to ``arg``:
    products of entries become ⊙, powers .^, quotients ./ (for a scalar ``arg``,
    plain substitution)."""
    elementwise = not arg.type.is_scalar

    def depends(e: N.Expr) -> bool:
        return any(isinstance(n, N.Symbol) for n in N.walk(e))

    def go(e: N.Expr) -> N.Expr:
        if isinstance(e, N.Symbol):
            return arg
        if isinstance(e, N.Number):
            return e
        if isinstance(e, N.Add):
            return N.Add(*[go(a) for a in e.args])
        if isinstance(e, N.Neg):
            return N.Neg(go(e.args[0]))
        if isinstance(e, N.MatMul):
            constants = [f for f in e.args if not depends(f)]
            varying = [go(f) for f in e.args if depends(f)]
            if elementwise:
                body = varying[0]
                for f in varying[1:]:
                    body = N.Hadamard(body, f)
            else:
                body = mul(*varying)
            return mul(*constants, body) if constants else body
        if isinstance(e, N.Power):
            base = go(e.base)
            return N.ElemPower(base, e.exponent) if elementwise and depends(e.base) else N.Power(base, e.exponent)
        if isinstance(e, N.Div):
            left, right = go(e.left), go(e.right)
            return N.HadamardDiv(left, right) if elementwise and depends(e.right) else N.Div(left, right)
        if isinstance(e, N.Elementwise):
            return N.Elementwise(e.name, go(e.args[1]), e.order)
        if isinstance(e, N.ElemPower):
            return N.ElemPower(go(e.base), e.exponent)
        if isinstance(e, (N.Hadamard, N.HadamardDiv)):
            return type(e)(go(e.left), go(e.right))
        raise NoMatrixForm(f"{type(e).__name__} in an elementwise formula")

    return go(formula)


def matrix_form(t: T.Tensor, type_: Type) -> N.Expr:
    """``t`` in matrix notation with the orientation of ``type_`` (row vector results
    are transposed columns); raises NoMatrixForm."""
    expr = Raiser()(t)
    if type_.is_vector and type_.row:
        expr = N.Transpose(expr)
    return expr


def vectorised_jacobian(info: Derivative | None) -> N.Expr:
    """∂vec(f)/∂vec(x) (numerator; its transpose in denominator layout) of an order-1
    derivative, in matrix notation (not yet simplified): vec stacks columns, so entry
    [vec index of f_(i…), vec index of x_(a…)] = ∂f_(i…)/∂x_(a…)."""
    if info is None or not isinstance(info.raw, IndexExpr):
        raise NoMatrixForm("no vectorised form for this result")
    r, k = info.f_rank, info.x_rank
    raw = info.raw.tensor
    # Column-major vec index = row-major fusion of the reversed axes.
    axes = tuple(range(r))[::-1] + tuple(range(r, r + k))[::-1]
    coef, fused = 1.0, raw
    if isinstance(raw, T.Einsum) and len(raw.operands) == 1 and raw.subscripts[0] == raw.out:
        coef, fused = raw.coef, raw.operands[0]  # c reshape(…): the Jacobian of reshape(…), times c
    if r == 1 and isinstance(fused, T.Reshape):
        # f is itself a fused vector (vec(A X), kron(x, a)): its index is the row-major
        # fusion of the axes it was made of, which are the Jacobian's row axes.
        groups = _fused_groups(fused.args[0].shape, fused.shape)
        if groups is not None and all(g == 1 for g in groups[1:]):
            raw, r = T.scale(fused.args[0], coef), groups[0]
            axes = tuple(range(r)) + tuple(range(r, r + k))[::-1]
    moved = T.permute(raw, axes)
    jacobian = Raiser().kron(moved, r, k)
    return N.Transpose(jacobian) if info.layout == "denominator" else jacobian
