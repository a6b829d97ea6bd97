"""Reading index notation back: the printed form of a derivative of rank 3 or more.

    ∂(W x)[i]/∂W[k,j] = δ[i,k] x[j]
    ∂(W x)/∂vec(W) = kron(x^T, I_m)

The meaning, as symmat/index_form.py writes it:

- The left side names an entry of the ``k``-th derivative of ``f`` by the variable
  ``x``: ``∂f[…]/∂x[…]`` (``∂²f[…]/∂x[…]∂x[…]`` and ``∂^3`` for higher orders), one
  label per axis (``f`` scalar: no brackets). The result's axes are the labels in the
  order i, j, k, …, n, a, b, … (:func:`symmat.printing.index_form.label_key`); the
  layout (contract §3) is the one whose axis order that is (numerator when both are).
- The right side is a sum of products of entries ``A[i,k]`` (any expression of the
  language, labelled on each axis), Kronecker deltas ``δ[i,k]`` and scalars; a label
  that is not on the left is summed (Einstein convention), in each term; a term
  without a label of the left is constant along it.
- A label ``(i,j)`` stands for a fused axis (of ``vec`` or ``kron``), row-major:
  ``vec(Y)[(j,i)] = Y[i,j]``.
- The line ``∂vec(f)/∂vec(x) = …`` (``(…)^T`` in denominator layout) that may follow
  is the same derivative reshaped to a matrix: it is read and its shape checked, and
  the value is the entry's.

The result is an :class:`IndexExpr` equal in value to the one printed; it prints the
same way again.
"""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from .. import nodes as N
from .. import provenance
from ..errors import ParseError, ShapeError
from ..parse import register_index_notation
from ..provenance import Derivative
from ..shapes import SCALAR, DimVar, Prod, Type, dim_product, matrix
from . import tensor as T
from .expr import IndexExpr, derivative_axes, label_key
from .lower import Lowering

if TYPE_CHECKING:
    from ..parse import _Typer

DELTA = "δ"


class IndexNotationReader:
    """Types and builds index notation for one run of the parser's typer ``p``: its
    unifier gives the labels their dimensions, its ``infer`` and ``build`` read the
    expressions inside (symmat.parse calls ``infer_labelled``, ``infer_indexed`` and
    ``build_labelled`` for the grammar's records)."""

    def __init__(self, typer: _Typer) -> None:
        self.p = typer
        # While an entry is typed (in_entry): label -> its dimension, and the fused
        # labels (axis dimension, the labels, where) whose sizes are checked once known.
        self.in_entry = False
        self.label_dims: dict[str, Any] = {}
        self.fused_axes: list[tuple] = []
        self.index_forms: dict[int, tuple] = {}  # entry record -> what typing found
        self.has_labels: dict[int, bool] = {}

    # ------------------------------------------------------------------ helpers
    def _index_error(self, message: str, pos: int, kind: type = ParseError):
        return kind(message, self.p.text, pos)

    def _has_labels(self, s) -> bool:
        key = id(s)
        if key not in self.has_labels:
            self.has_labels[key] = s.op == "indexed" or any(self._has_labels(c) for c in _syn_children(s))
        return self.has_labels[key]

    def _is_delta(self, head) -> bool:
        return head.op == "symbol" and head.args[0] == DELTA and DELTA not in self.p.decls.variables \
            and DELTA not in self.p.lets

    def _bind_labels(self, labels, t: Type, what: str, pos: int, check_fused: bool = True) -> list[tuple]:
        """Give each label the dimension of its axis of ``t``; the label items, as tuples."""
        items = list(labels.args) if labels is not None else []
        if len(items) != t.rank:
            axes = {0: "no axis", 1: "1 axis"}.get(t.rank, f"{t.rank} axes")
            raise self._index_error(f"{what} has {axes}, and {len(items)} label{'s' if len(items) != 1 else ''}",
                                    labels.pos if labels is not None else pos, ShapeError)
        for item, dim in zip(items, t.shape):
            names, fused = item.args
            if fused:
                for name in names:
                    self.label_dims.setdefault(name, DimVar())
                if check_fused:
                    self.fused_axes.append((dim, names, item.pos))
                continue
            name = names[0]
            if name in self.label_dims:
                message = f"label {name} stands for axes of two different sizes"
                self.p.u.unify(self.label_dims[name], dim, functools.partial(str, message))
            else:
                self.label_dims[name] = dim
        return [item.args[0] for item in items]

    # ------------------------------------------------------------------ pass 2
    def infer_indexed(self, s: Any) -> Type:
        head, labels = s.args
        if not self.in_entry:
            raise self._index_error("labels such as x[i] are written only in index notation, "
                                    "after an entry: ∂f[i]/∂x[j] = …", s.pos)
        delta = self._is_delta(head)
        if delta:
            n = DimVar()
            t = matrix(n, n)
        else:
            t = self.p.infer(head)
        # A δ's size is its labels' (two fused labels: the fused axis, checked when built).
        self._bind_labels(labels, t, f"`{self.p.snippet(head)}`", s.pos, check_fused=not delta)
        return SCALAR

    def infer_labelled(self, s: Any) -> Type:
        entry, body, vec = s.args
        order, f, f_labels, wrts = entry.args
        if order < 1:
            raise self._index_error("a derivative has order 1 or more: ∂, ∂², ∂^3, …", entry.pos)
        self.in_entry, self.label_dims, self.fused_axes = True, {}, []
        f_type = self.p.infer(f)
        header = self._bind_labels(f_labels, f_type, f"`{self.p.snippet(f)}`", f.end)
        names = {w.args[0] for w in wrts}
        if len(names) != 1:
            raise self._index_error("an entry differentiates by one variable", wrts[1].pos)
        if len(wrts) != order:
            raise self._index_error(f"a derivative of order {order} has {order} ∂{wrts[0].args[0]}[…] below the bar, "
                                    f"not {len(wrts)}", entry.pos)
        x_types, x_headers = [], []
        for w in wrts:
            name, labels = w.args
            symbol = type(entry)("symbol", (name,), w.pos, w.pos, w.pos + len(name))
            x_type = self.p.infer(symbol)
            if name in self.p.lets or name in ("I", "ones") or self.p._is_pi(name):
                raise self._index_error(f"{name} is not a variable", w.pos)
            x_types.append(x_type)
            x_headers.append(self._bind_labels(labels, x_type, name, w.end))
        every = [n for item in header + [i for h in x_headers for i in h] for n in item]
        repeated = sorted({n for n in every if every.count(n) > 1})
        if repeated:
            raise self._index_error(f"label {repeated[0]} names two axes of the entry", entry.pos)
        body_type = self.p.infer(body)
        if not body_type.is_scalar:
            raise self._index_error("the right side of an entry is a sum of products of entries: give every "
                                    f"vector or matrix its labels (it is {body_type.describe()})", body.start)
        layout = self._layout(header, x_headers, order, f_type.rank, x_types[0].rank, entry.pos)
        if vec is not None:
            self._infer_vec_line(vec, layout, wrts[0].args[0])
        self.index_forms[id(s)] = (layout, header, x_headers, symbol, self.label_dims, self.fused_axes)

        axes = derivative_axes(layout, order, f_type.rank, x_types[0].rank)
        shape = tuple(f_type.shape[a[1]] if a[0] == "f" else x_types[0].shape[a[2]] for a in axes)
        before = f_type.rank + (order - 1) * x_types[0].rank
        row = len(shape) == 1 and ((layout == "numerator") == (before == 0))
        self.in_entry = False
        return Type(shape, row)

    def _layout(self, header, x_headers, order, f_rank, x_rank, pos) -> str:
        """The layout whose axis order the labels follow (see the module docstring)."""

        for layout in ("numerator", "denominator"):
            axes = derivative_axes(layout, order, f_rank, x_rank)
            keys = [label_key((header[a[1]] if a[0] == "f" else x_headers[a[1]][a[2]])[0]) for a in axes]
            if keys == sorted(keys):
                return layout
        raise self._index_error(
            "the labels of the entry name the result's axes in the order i, j, k, … of a layout: "
            "∂(W x)[i]/∂W[k,j] (numerator, axes i, j, k) or ∂(W x)[k]/∂W[i,j] (denominator)", pos)

    def _infer_vec_line(self, vec, layout: str, wrt: str) -> None:
        f, x, transposed, rhs = vec.args
        if transposed != (layout == "denominator"):
            raise self._index_error(
                f"in {layout} layout the vectorised Jacobian is written "
                + ("(∂vec(f)/∂vec(x))^T" if layout == "denominator" else "∂vec(f)/∂vec(x)"), vec.pos)
        if not (x.op == "call" and x.args[0] == "vec" and len(x.args[1]) == 1 and x.args[1][0].op == "symbol"
                and x.args[1][0].args[0] == wrt):
            raise self._index_error(f"the vectorised Jacobian is by vec({wrt})", x.start)
        self.p.infer(f)
        t = self.p.infer(rhs)
        if t.rank != 2:
            raise self._index_error(f"a vectorised Jacobian is a matrix, not {t.describe()}", rhs.start, ShapeError)

    # ------------------------------------------------------------------ pass 3
    def build_labelled(self, s: Any) -> IndexExpr:

        entry, body, vec = s.args
        order, f = entry.args[:2]
        layout, header, x_headers, symbol, label_dims, fused_axes = self.index_forms[id(s)]
        f_node = self.p.build(f)
        x_node = self.p.build(symbol)
        assert isinstance(x_node, N.Symbol)  # typing refused anything else
        final = {name: self.p.namer.final(self.p.u, d) for name, d in label_dims.items()}
        for dim, names, pos in fused_axes:
            whole, parts = self.p.namer.final(self.p.u, dim), [final[n] for n in names]
            if dim_product([whole]) != dim_product(parts):
                raise self._index_error(f"the label ({','.join(names)}) has {' × '.join(map(str, parts))} entries, "
                                        f"and its axis {whole}", pos, ShapeError)
        self.lowering = Lowering()
        nodes: list[N.Expr] = [f_node, x_node]
        terms = self._terms(body, final, nodes)
        self._sizes_known(final, nodes, body.start)
        f_rank, x_rank = f_node.type.rank, x_node.type.rank
        # Built with the axes of f, then those of each differentiation (for order 1:
        # ∂f/∂x with axes f ++ x, what provenance's Derivative.raw holds), then laid out.
        natural: list[tuple] = [("f", a) for a in range(f_rank)]
        natural += [("x", t, b) for t in range(order) for b in range(x_rank)]
        items = [header[a[1]] if a[0] == "f" else x_headers[a[1]][a[2]] for a in natural]
        out = [n for item in items for n in item]
        tensors = []
        for coef, factors in terms:
            ops = [t for t, _ in factors]
            subs = [labels for _, labels in factors]
            present = {l for sub in subs for l in sub}
            for l in out:
                if l not in present:  # constant along this axis
                    ops.append(T.Ones((final[l],)))
                    subs.append((l,))
            tensors.append(T.einsum(ops, subs, out, coef) if ops else T.Const(coef))
        raw = T.fuse(T.add_or_zero(tensors, tuple(final[l] for l in out)), tuple(len(item) for item in items))
        axes = derivative_axes(layout, order, f_rank, x_rank)
        value = T.permute(raw, [natural.index(a) for a in axes])
        type_ = self.p.final_type(self.p.types[id(s)])
        if vec is not None:
            self._check_vec_line(vec, f_node, x_node, layout)
        variables: dict[str, Type] = {}
        for node in nodes:
            for name, symbol in node.free_symbols().items():
                variables.setdefault(name, symbol.type)
        for name, var in self.p.decls.variables.items():  # declared sizes the value may need
            variables.setdefault(name, Type(var.shape))
        # What it is the derivative of, and the variables fixing its sizes: its provenance.
        unlaid = IndexExpr(raw, Type(raw.shape)) if order == 1 else None
        about = Derivative(f_node, x_node.name, layout, order, f_rank, x_rank, unlaid)
        return provenance.record(IndexExpr(value, type_), variables=tuple(variables.items()), derivative=about)

    def _sizes_known(self, final: dict, nodes: list, pos: int) -> None:
        """Every label's size is one that a variable, a written size or a declaration
        fixes: a label only on deltas (Σ_p δ[p,p], the size of p) would be a size
        nothing gives."""
        known = {f for node in nodes for n in N.walk(node) for d in n.type.shape
                 for f in (d.factors if isinstance(d, Prod) else (d,))}
        known |= {d for var in self.p.decls.variables.values() for d in var.shape}
        for name, dim in final.items():
            parts = dim.factors if isinstance(dim, Prod) else (dim,)
            unknown = [d for d in parts if not isinstance(d, int) and d not in known]
            if unknown:
                raise self._index_error(f"nothing fixes the size of label {name} (it labels deltas only): "
                                        f"write the size, as in I_n[{name},{name}]", pos, ShapeError)

    def _terms(self, s, final: dict, nodes: list) -> list[tuple[float, list]]:
        """The right side as (coefficient, [(tensor, labels)]) terms."""

        if not self._has_labels(s):
            node = self.p.build(s)
            if not node.type.is_scalar:
                raise self._index_error(f"`{self.p.snippet(s)}` is {node.type.describe()}: give it its labels "
                                        "(x[i], A[i,j])", s.start, ShapeError)
            nodes.append(node)
            value = self.lowering(node)
            return [(value.value, [])] if isinstance(value, T.Const) else [(1.0, [(value, ())])]
        if s.op == "group":
            return self._terms(s.args[0], final, nodes)
        if s.op == "add":
            return [t for a in s.args for t in self._terms(a, final, nodes)]
        if s.op == "neg":
            return [(-c, f) for c, f in self._terms(s.args[0], final, nodes)]
        if s.op == "mul":
            terms: list[tuple[float, list]] = [(1.0, [])]
            for a in s.args:
                part = self._terms(a, final, nodes)
                terms = [(c1 * c2, f1 + f2) for c1, f1 in terms for c2, f2 in part]
            return terms
        if s.op == "div" and not self._has_labels(s.args[1]):
            denominator = self.p.build(s.args[1])
            nodes.append(denominator)
            inverse = T.power(self.lowering(denominator), -1.0)
            return [(c, f + [(inverse, ())]) for c, f in self._terms(s.args[0], final, nodes)]
        if s.op == "indexed":
            return [(1.0, [self._entry_factor(s, final, nodes)])]
        raise self._index_error("index notation writes sums and products of entries (x[i] A[i,j]), "
                                "and quotients by scalars", s.pos)

    def _entry_factor(self, s, final: dict, nodes: list) -> tuple:

        head, labels = s.args
        items = [item.args[0] for item in labels.args]
        t: T.Tensor
        if self._is_delta(head):
            sizes = {dim_product([final[n] for n in item]) for item in items}
            if len(sizes) != 1:
                raise self._index_error(f"δ joins axes of different sizes ({' and '.join(map(str, sizes))})",
                                        s.pos, ShapeError)
            t = T.Delta(sizes.pop())
        else:
            node = self.p.build(head)
            nodes.append(node)
            t = self.lowering(node)
        shape: list = []
        for item, dim in zip(items, t.shape):
            shape.extend([final[n] for n in item] if len(item) > 1 else [dim])
        if len(shape) != t.rank:
            t = T.reshape(t, tuple(shape))  # a fused label splits its axis (row-major)
        return t, tuple(n for item in items for n in item)

    def _check_vec_line(self, vec, f_node: N.Expr, x_node: N.Expr, layout: str) -> None:
        f, _, _, rhs = vec.args
        f_vec = self.p.build(f)
        # A vector is its own vec: ∂(W x)/∂vec(W); a matrix F has ∂vec(F)/∂vec(W).
        if f_vec != (N.Apply("vec", f_node) if f_node.type.rank == 2 else f_node):
            raise self._index_error("the vectorised Jacobian is of another expression than the entry "
                                    f"(∂vec({f_node})/∂vec({x_node}))", f.start)
        rows, cols = dim_product(f_node.type.shape), dim_product(x_node.type.shape)
        want = (rows, cols) if layout == "numerator" else (cols, rows)
        got = tuple(dim_product([d]) for d in self.p.build(rhs).type.shape)
        if got != want:
            raise self._index_error(f"the vectorised Jacobian is {want[0]} × {want[1]}, and this is "
                                    f"{got[0]} × {got[1]}", rhs.start, ShapeError)


def _syn_children(s) -> list:
    found = []
    for a in s.args:
        if hasattr(a, "op") and hasattr(a, "args"):
            found.append(a)
        elif isinstance(a, (tuple, list)):
            found.extend(c for c in a if hasattr(c, "op") and hasattr(c, "args"))
    return found


register_index_notation(IndexNotationReader)
