"""Labelled index notation for derivatives of rank 3 and more (and ``--emit index``):

    ∂(W x)[i]/∂W[k,j] = δ[i,k] x[j]
    ∂²(tr(X X))/∂X[j,i]∂X[l,k] = 2 δ[i,l] δ[j,k]
    ∂(vec(A X))[(i,j)]/∂X[l,k] = A[j,l] δ[i,k]

The left side names the entry; the result's axes, in layout order (contract §3), take
the labels i, j, k, … in turn (:data:`symmat.index.expr.LABEL_ORDER`, skipping names in
use), which is how the parser tells the layout from the labels. The right side is a sum of products
of labelled factors (Einstein convention: a label that is not on the left is summed);
each factor is a matrix expression of the language (``(1 - tanh(W x) .^ 2)[i]``) or
the Kronecker delta ``δ[i,k]``. A fused axis (of ``vec`` or ``kron``) is labelled by
the axes it fuses, row-major: ``vec(Y)[(j,i)] = Y[i,j]``. When the vectorised
Jacobian ∂vec(f)/∂vec(x) has a matrix form (a Kronecker product, ``xᵀ ⊗ I``), it
follows on its own line, labelled as what it is. symmat.parse reads all of this back
(symmat/index/reading.py).
"""
from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable
from typing import NamedTuple

from . import nodes as N
from . import provenance
from .index import tensor as T
from .index.expr import LABEL_ORDER, IndexExpr, derivative_axes
from .numbers import number_text
from .provenance import Derivative
from .shapes import Prod, dim_product

# Summed labels take these letters (the result's axes take LABEL_ORDER's).
SUM_LETTERS = "pqrstuvwxyz"


def _names_in_use(node: IndexExpr) -> frozenset[str]:
    """Dimension names (a label must never read as a size), variable and function
    names (``x[x]`` would be legal but unreadable) of the result."""
    names: set[str] = set()
    seen: set[int] = set()
    stack: list = [node.tensor]
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        names.update(str(d) for d in t.shape if str(d).isidentifier())
        if isinstance(t, T.Var):
            names.add(t.name)
        elif isinstance(t, (T.Elem, T.Call, T.FnCall)):
            names.add(t.args[0])
        stack.extend(t.children)
    names.update(name for name, _ in provenance.of(node).variables)
    return frozenset(names)


# ------------------------------------------------------------------ terms
class _Term(NamedTuple):
    """``coef * Π factors``: each factor an operand and one label per axis."""

    coef: float
    factors: tuple


class _Expansion:
    """A tensor as a sum of products of labelled factors that each have a matrix form
    (or are an abstract function's derivative of rank > 2): contractions of rank > 2
    are inlined, products distributed over sums, and a reshape that fuses axes (vec,
    kron) opened, its fused axes labelled by the tuple of the axes it fuses."""

    def __init__(self) -> None:
        self.fresh = itertools.count()
        self.fused: dict = {}  # label -> (sub-labels, their dimensions)

    def label(self) -> tuple:
        return ("label", next(self.fresh))

    def products(self, term: _Term, out: tuple) -> _Term:
        """Factors joined only by summed labels, written as the one matrix expression
        they make: (X^-1)[j,p] a[p] = (X^-1 a)[j], A[i,p] B[p,k] = (A B)[i,k] (a group
        whose contraction has no matrix form, or that holds a δ, stays as it is)."""
        fused = {l for subs, _ in self.fused.values() for l in subs} | set(self.fused)
        factors = list(term.factors)
        owner: dict = {}
        parent = list(range(len(factors)))

        def find(k: int) -> int:
            while parent[k] != k:
                k = parent[k]
            return k

        for k, (_, labels) in enumerate(factors):
            for l in labels:
                if l in out or l in fused:
                    continue
                if l in owner:
                    parent[find(k)] = find(owner[l])
                else:
                    owner[l] = k
        groups: dict[int, list[int]] = {}
        for k in range(len(factors)):
            groups.setdefault(find(k), []).append(k)
        replaced: dict[int, tuple] = {}
        drop: set[int] = set()
        for members in groups.values():
            if len(members) < 2 or any(isinstance(factors[k][0], T.Delta) or factors[k][0].rank > 2 for k in members):
                continue
            labels = [l for k in members for l in factors[k][1]]
            if set(labels) & fused:
                continue
            free = tuple(dict.fromkeys(l for l in labels if l in out))
            if len(free) > 2:
                continue
            joined = T.einsum([factors[k][0] for k in members], [factors[k][1] for k in members], free)
            if _factor_expr(joined) is None:
                continue
            replaced[members[0]] = (joined, free)
            drop.update(members[1:])
        if not replaced:
            return term
        kept = tuple(replaced.get(k, f) for k, f in enumerate(factors) if k not in drop)
        return _Term(term.coef, kept)

    def without_deltas(self, term: _Term, out: tuple) -> _Term:
        """Σ_b A[b] δ[a,b] = A[a] in a term whose contractions were inlined (the engine
        eliminates such deltas in each contraction, inlining may bring them together)."""
        fused = {l for subs, _ in self.fused.values() for l in subs} | set(self.fused)
        factors = list(term.factors)
        changed = True
        while changed:
            changed = False
            for k, (op, labels) in enumerate(factors):
                if not isinstance(op, T.Delta) or labels[0] == labels[1] or set(labels) & fused:
                    continue
                elsewhere = [l for j, (_, ls) in enumerate(factors) if j != k for l in ls]
                for keep, drop in (labels, labels[::-1]):
                    if drop not in out and drop in elsewhere:
                        del factors[k]
                        factors = [(o, tuple(keep if l == drop else l for l in ls)) for o, ls in factors]
                        changed = True
                        break
                if changed:
                    break
        return _Term(term.coef, tuple(factors))

    def __call__(self, t: T.Tensor, labels: tuple) -> list[_Term]:
        if isinstance(t, T.Zero) or (isinstance(t, T.Const) and t.value == 0):
            return []
        if isinstance(t, T.Const):
            return [_Term(t.value, ())]
        if isinstance(t, T.Sum):
            return [term for part in t.terms for term in self(part, labels)]
        if isinstance(t, T.Einsum):
            return self.contraction(t, labels)
        if isinstance(t, T.Reshape):
            opened = self.reshape(t, labels)
            if opened is None:
                opened = self.split(t, labels)
            if opened is not None:
                return opened
        return [_Term(1.0, ((t, labels),))]

    def contraction(self, t: T.Einsum, labels: tuple) -> list[_Term]:
        rename = dict(zip(t.out, labels))
        for sub in t.subscripts:
            for l in sub:
                if l not in rename:
                    rename[l] = self.label()
        terms = [_Term(t.coef, ())]
        for op, sub in zip(t.operands, t.subscripts):
            op_labels = tuple(rename[l] for l in sub)
            # Opened: what has no notation of its own (rank > 2, a reshape, or a sum or
            # contraction with no matrix form, such as one holding an un-vec'd vector).
            if isinstance(op, T.Reshape) or (isinstance(op, (T.Einsum, T.Sum))
                                             and (op.rank > 2 or _factor_expr(op) is None)):
                parts = self(op, op_labels)
            else:
                parts = [_Term(1.0, ((op, op_labels),))]
            terms = [_Term(a.coef * b.coef, a.factors + b.factors) for a in terms for b in parts]
        return terms

    def reshape(self, t: T.Reshape, labels: tuple) -> list[_Term] | None:
        """A reshape that fuses consecutive axes: each fused axis's label stands for
        the tuple of the labels of the axes it fuses."""
        from .matrix_form import _fused_groups

        inner = t.args[0]
        groups = _fused_groups(inner.shape, t.shape)
        if groups is None:
            return None
        inner_labels: list = []
        links: list = []
        axis = 0
        for label, g in zip(labels, groups):
            dims = inner.shape[axis:axis + g]
            axis += g
            if g == 1:
                inner_labels.append(label)
                continue
            subs, known = self.fused.setdefault(label, (tuple(self.label() for _ in dims), dims))
            if known != dims:
                # The axis is fused another way elsewhere (vec(X) beside kron(x, y)): these
                # labels are new, and a δ on the fused axis says both name one entry.
                key = self.label()
                subs = tuple(self.label() for _ in dims)
                self.fused[key] = (subs, dims)
                links.append((T.Delta(dim_product(dims)), (label, key)))
            inner_labels.extend(subs)
        terms = self(inner, tuple(inner_labels))
        return [_Term(term.coef, term.factors + tuple(links)) for term in terms] if links else terms

    def split(self, t: T.Reshape, labels: tuple) -> list[_Term] | None:
        """A reshape that splits axes (the inverse of a fusion): its argument, each of
        whose axes is labelled by the tuple of the axes it splits into."""
        from .matrix_form import _fused_groups

        inner = t.args[0]
        groups = _fused_groups(t.shape, inner.shape)
        if groups is None:
            return None
        inner_labels: list = []
        axis = 0
        for g in groups:
            parts = labels[axis:axis + g]
            if g == 1:
                inner_labels.append(parts[0])
            else:
                key = self.label()
                self.fused[key] = (parts, t.shape[axis:axis + g])
                inner_labels.append(key)
            axis += g
        if inner.rank <= 2:  # a factor that has a matrix form, labelled
            return [_Term(1.0, ((inner, tuple(inner_labels)),))]
        return self(inner, tuple(inner_labels))


# ------------------------------------------------------------------ factors
_ATOMS = (N.Symbol, N.Identity, N.Ones, N.Apply, N.Elementwise, N.Call, N.FnCall, N.Number)


_FACTORS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # tensor -> (its form,)


def _factor_expr(op: T.Tensor) -> N.Expr | None:
    """``op`` in matrix notation; an abstract function's derivative of rank > 2
    (``∇^3f(x)``, ``∇²h(x)``) as the call it is; None when neither exists. Asked twice
    per factor (to open it or not, then to print it), so remembered while it lives."""
    if op not in _FACTORS:
        _FACTORS[op] = (_matrix_expr(op),)
    return _FACTORS[op][0]


def _matrix_expr(op: T.Tensor) -> N.Expr | None:
    from .matrix_form import NoMatrixForm, Raiser, _col
    from .simplify.engine import simplify

    try:
        if op.rank <= 2:
            return simplify(Raiser()(op))
        raiser = Raiser()
        if isinstance(op, T.Call):
            name, arg, order = op.args
            return N.Call(name, _col(simplify(raiser(arg))), order)
        if isinstance(op, T.FnCall):
            name, args, which, out = op.args
            return N.FnCall(name, tuple(_col(simplify(raiser(a))) for a in args), which, out[0] if out else None)
    except NoMatrixForm:
        return None
    return None


def _written_out(expr: N.Expr, latex: bool) -> str:
    """A factor in the language, without where-names: a label follows it, and index
    notation has no where clause."""
    from .printing.latex import LatexPrinter
    from .printing.sizes import sized_constants
    from .printing.text import TextPrinter

    printer = (LatexPrinter if latex else TextPrinter)(sized_constants(expr), {})
    return printer.doprint(expr)


def _sized_identity(n, latex: bool) -> str:
    """I_n, the identity with its size written (a δ whose labels nothing else sizes)."""
    parts = n.factors if isinstance(n, Prod) else (n,)
    names = [rf"I_{{{d}}}" if latex else f"I_{d}" for d in parts]
    if len(names) == 1:
        return names[0]
    if latex:
        return r"\left(" + r" \otimes ".join(names) + r"\right)"
    return f"kron({', '.join(names)})"


def _factor(op: T.Tensor, labels: list[str], latex: bool, delta: str, sized: bool = False) -> str:
    if isinstance(op, T.Delta):
        head = _sized_identity(op.args[0], latex) if sized else (r"\delta" if latex else delta)
    else:
        expr = _factor_expr(op)
        if expr is None:  # pragma: no cover - every operand the engine builds has one
            from .index.notation import IndexPrinter

            text = IndexPrinter(latex)(op)
            head = rf"\left({text}\right)" if latex else f"({text})"
        else:
            text = _written_out(expr, latex)
            atomic = isinstance(expr, _ATOMS) and not (isinstance(expr, N.Number) and expr.value < 0)
            head = text if atomic else (rf"\left({text}\right)" if latex else f"({text})")
    if not labels:
        return head
    if latex:
        if "_" in head or "^" in head:
            head = f"{{{head}}}"  # W_{1}, \mathbf{1}_{m}: a second subscript needs a group
        return f"{head}_{{{''.join(labels)}}}"
    return f"{head}[{','.join(labels)}]"


class _Letters:
    """Letters for labels: the result's axes first (:data:`LABEL_ORDER`), then, per
    term, the summed labels (:data:`SUM_LETTERS`); none is a name in use."""

    def __init__(self, taken: frozenset[str], fused: dict, latex: bool):
        self.taken, self.fused, self.latex = taken, fused, latex
        self.out: dict = {}
        self.used: set[str] = set()

    def _pick(self, alphabet: str, used: set[str], prefix: str) -> str:
        for c in alphabet:
            if c not in self.taken and c not in used:
                return c
        k = itertools.count(1)
        while True:
            name = f"{prefix}{next(k)}"
            if name not in self.taken and name not in used:
                return name

    def axis(self, label) -> str:
        """The text of an axis label of the result (a tuple for a fused axis)."""
        if label in self.fused:
            parts = [self._out(sub) for sub in self.fused[label][0]]
            return f"({''.join(parts)})" if self.latex else f"({','.join(parts)})"
        return self._out(label)

    def _out(self, label) -> str:
        if label not in self.out:
            self.out[label] = self._pick(LABEL_ORDER, self.used, "i")
            self.used.add(self.out[label])
        return self.out[label]

    def term(self) -> Callable[[object], str]:
        """The naming of one term's labels: its summed labels are its own."""
        summed: dict = {}

        def name(label) -> str:
            if label in self.fused:
                parts = [name(sub) for sub in self.fused[label][0]]
                return f"({''.join(parts)})" if self.latex else f"({','.join(parts)})"
            if label in self.out:
                return self.out[label]
            if label not in summed:
                summed[label] = self._pick(SUM_LETTERS, self.used | set(summed.values()), "s")
            return summed[label]

        return name


def _term_text(term: _Term, name: Callable, latex: bool, delta: str, out: set) -> str:
    def alone(k: int) -> bool:  # a δ whose labels no other factor carries: Σ_p δ[p,p] = n
        others = {l for j, (_, ls) in enumerate(term.factors) if j != k for l in ls}
        return not (set(term.factors[k][1]) & (others | out))

    parts = [_factor(op, [name(l) for l in labels], latex, delta, isinstance(op, T.Delta) and alone(k))
             for k, (op, labels) in enumerate(term.factors)]
    body = " ".join(parts) if parts else "1"
    coef = term.coef
    if coef == 1.0:
        return body
    if coef == -1.0:
        return "-" + body
    number = number_text(coef)
    if latex and "/" in number:
        sign, fraction = ("-", number[1:]) if number.startswith("-") else ("", number)
        numerator, denominator = fraction.split("/")
        number = rf"{sign}\frac{{{numerator}}}{{{denominator}}}"
    elif latex and number == "pi":
        number = r"\pi"
    return number if not parts else f"{number} {body}"


def _body(terms: list[_Term], letters: _Letters, latex: bool, delta: str) -> str:
    if not terms:
        return "0"
    out = set(letters.out) | set(letters.fused)
    texts = [_term_text(term, letters.term(), latex, delta, out) for term in terms]
    return " ".join([texts[0]] + [f"- {t[1:]}" if t.startswith("-") else f"+ {t}" for t in texts[1:]])


# ------------------------------------------------------------------ headline
def _entry(name: str, letters: list[str], latex: bool) -> str:
    if not letters:
        return name
    if latex:
        return f"{name}_{{{''.join(letters)}}}"
    return f"{name}[{','.join(letters)}]"


def _partial(order: int, latex: bool) -> str:
    if latex:
        return r"\partial" if order == 1 else rf"\partial^{{{order}}}"
    return {1: "∂", 2: "∂²"}.get(order, f"∂^{order}")


def _f_name(info: Derivative, latex: bool) -> str:
    """The function differentiated, as the headline writes it (parenthesised unless a name)."""
    text = str(info.f)
    if text.isidentifier():
        return info.f.latex() if latex else text
    return rf"\left({info.f.latex()}\right)" if latex else f"({text})"


def _headline(info: Derivative, axis_text: list[str], latex: bool) -> str:
    """The entry the result's axes name: ∂f[i]/∂W[k,j]; for order k, one ∂x[…] per
    differentiation, in order: ∂²f/∂X[j,i]∂X[l,k]."""
    f_name = _f_name(info, latex)
    axes = derivative_axes(info.layout, info.order, info.f_rank, info.x_rank)
    f_labels = [axis_text[axes.index(("f", a))] for a in range(info.f_rank)]
    wrt = [_entry(info.wrt, [axis_text[axes.index(("x", t, b))] for b in range(info.x_rank)], latex)
           for t in range(info.order)]
    top = f"{_partial(info.order, latex)} {_entry(f_name, f_labels, latex)}" if latex else \
        f"{_partial(info.order, latex)}{_entry(f_name, f_labels, latex)}"
    if latex:
        below = " ".join(r"\partial " + w for w in wrt)
        return rf"\frac{{{top}}}{{{below}}}"
    return f"{top}/{''.join('∂' + w for w in wrt)}"


def _labelled(node: IndexExpr, latex: bool) -> str:
    taken = _names_in_use(node)
    expand = _Expansion()
    out = tuple(expand.label() for _ in range(node.tensor.rank))
    terms = [expand.products(expand.without_deltas(term, out), out) for term in expand(node.tensor, out)]
    letters = _Letters(taken, expand.fused, latex)
    axis_text = [letters.axis(l) for l in out]  # the result's axes take the first letters
    delta = "I" if "δ" in taken else "δ"  # a variable named δ keeps its name
    body = _body(terms, letters, latex, delta)
    info = provenance.of(node).derivative
    if info is None:
        return body if not axis_text else (f"[{','.join(axis_text)}] {body}" if not latex else body)
    return f"{_headline(info, axis_text, latex)} = {body}"


def labelled_text(node: IndexExpr) -> str:
    text = _labelled(node, False)
    vectorised = _vectorised(node)
    if vectorised is not None:
        info, vec = vectorised
        text += f"\n{_vec_label(info, False)} = {vec}"
    return text


def labelled_latex(node: IndexExpr) -> str:
    line = _labelled(node, True)
    vectorised = _vectorised(node)
    if vectorised is None:
        return line
    info, vec = vectorised
    return rf"\begin{{aligned}} {line} \\ {_vec_label(info, True)} = {vec.latex()} \end{{aligned}}"


def _vec_label(info: Derivative, latex: bool) -> str:
    """∂vec(f)/∂vec(x), transposed in denominator layout: a reshaping, so named
    (∂f/∂vec(x) for a vector f, which is its own vec)."""
    # A vector is its own vec: ∂(W x)/∂vec(W), as textbooks write it (never vec(vec(…))).
    if latex:
        f = _f_name(info, True) if info.f_rank == 1 else rf"\operatorname{{vec}}\left({info.f.latex()}\right)"
        jacobian = rf"\frac{{\partial {f}}}{{\partial \operatorname{{vec}}\left({info.wrt}\right)}}"
        return jacobian if info.layout == "numerator" else rf"\left({jacobian}\right)^\top"
    f = _f_name(info, False) if info.f_rank == 1 else f"vec({info.f})"
    jacobian = f"∂{f}/∂vec({info.wrt})"
    return jacobian if info.layout == "numerator" else f"({jacobian})^T"


def _vectorised(node: IndexExpr) -> tuple[Derivative, N.Expr] | None:
    """What ``node`` is the derivative of, and its vectorised Jacobian, where it has one."""
    from .matrix_form import NoMatrixForm

    info = provenance.of(node).derivative
    if info is None or info.raw is None:
        return None
    try:
        return info, node.vec_form()
    except NoMatrixForm:
        return None
