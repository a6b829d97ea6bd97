"""Labelled index notation for derivatives of rank 3 and more:

    ∂(W x)[i]/∂W[k,j] = δ[i,k] x[j]

The left side names the entry (the result's axes, in layout order, are the labels in
order of the brackets of the whole result: here (i, j, k)); repeated labels on the
right are summed (Einstein convention). Each factor is written in matrix notation
where it has one (``tanh'(W x)[i]`` → ``(1 - tanh(W x) .^ 2)[i]``). When the vectorised
Jacobian ∂vec(f)/∂vec(x) has a matrix form (a Kronecker product, ``xᵀ ⊗ I``), it
follows on its own line, labelled as what it is.
"""
from __future__ import annotations

from .index import tensor as T
from .index.expr import IndexExpr
from .index.notation import IndexPrinter
from .matrix_form import open_wide_operand
from .numbers import format_number

OUT_LETTERS = "ijklmnabcdefgh"
SUM_LETTERS = "pqrstuvwxyz"


def _dimension_names(t: T.Tensor) -> frozenset[str]:
    """The names of the dimensions in ``t`` (sizes of every node): labels must not be
    read as sizes, so no label takes one of them."""
    names: set[str] = set()
    seen: set[int] = set()
    stack = [t]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        names.update(str(d) for d in node.shape if str(d).isidentifier())
        stack.extend(node.children)
    return frozenset(names)


class _Labels:
    def __init__(self, out_letters: list[str], taken: frozenset[str] = frozenset()):
        self.out = out_letters
        self.taken = taken

    def letters(self, t: T.Einsum) -> dict:
        names = {label: self.out[k] for k, label in enumerate(t.out)}
        free = [c for c in SUM_LETTERS if c not in self.out and c not in self.taken]
        for sub in t.subscripts:
            for label in sub:
                if label not in names:
                    names[label] = free.pop(0) if free else f"s{label}"
        return names


def _matrix_text(op: T.Tensor, latex: bool) -> str | None:
    from .matrix_form import NoMatrixForm, Raiser
    from .simplify.engine import simplify

    try:
        expr = simplify(Raiser()(op))
    except NoMatrixForm:
        return None
    return expr.latex() if latex else str(expr)


def _atomic(text: str) -> bool:
    return text.replace("_", "").replace("'", "").isalnum() or (text.endswith(")") and "(" in text
                                                                and text.index("(") > 0 and text.count("(") == 1)


def _factor(op: T.Tensor, labels: list[str], latex: bool) -> str:
    if isinstance(op, T.Delta):
        head = r"\delta" if latex else "δ"
    else:
        text = _matrix_text(op, latex)
        if text is None:
            text = IndexPrinter(latex)(op)
        head = text if _atomic(text) else (rf"\left({text}\right)" if latex else f"({text})")
    if not labels:
        return head
    if latex:
        return f"{head}_{{{''.join(labels)}}}"
    return f"{head}[{','.join(labels)}]"


def _body(t: T.Tensor, out_letters: list[str], latex: bool, taken: frozenset[str]) -> str:
    if isinstance(t, T.Sum):
        return " + ".join(_body(term, out_letters, latex, taken) for term in t.terms).replace("+ -", "- ")
    if isinstance(t, T.Einsum):
        opened = open_wide_operand(t)
        if opened is not None:  # an operand of rank > 2 has no notation of its own: inline it
            return _body(opened, out_letters, latex, taken)
        names = _Labels(out_letters, taken).letters(t)
        parts = [_factor(op, [names[l] for l in sub], latex) for op, sub in zip(t.operands, t.subscripts)]
        body = " ".join(parts)
        if t.coef == -1.0:
            return "-" + body
        return body if t.coef == 1.0 else f"{format_number(t.coef)} {body}"
    text = _matrix_text(t, latex) if t.rank <= 2 else None
    if text is not None:
        return _factor(t, out_letters, latex)
    return IndexPrinter(latex)(t)


def _entry(name: str, letters: list[str], latex: bool) -> str:
    if not letters:
        return name
    if latex:
        return f"{name}_{{{''.join(letters)}}}"
    return f"{name}[{','.join(letters)}]"


def _headline(node: IndexExpr, latex: bool, taken: frozenset[str]) -> tuple[str, list[str]]:
    """The entry the result's axes name: ∂f[i]/∂W[k,j] (order 1, axes in layout
    order), or [∂²f/∂W²][i,j,k,l] for higher orders (axes of the repeated layout)."""
    rank = node.tensor.rank
    free = [c for c in OUT_LETTERS if c not in taken]
    letters = [free[k] if k < len(free) else f"i{k}" for k in range(rank)]
    info = node.info
    if info is None:
        return (f"[{','.join(letters)}]" if not latex else ""), letters
    simple = info.f_text.isidentifier()
    f_name = (info.f_latex if simple else rf"\left({info.f_latex}\right)") if latex else \
        (info.f_text if simple else f"({info.f_text})")
    if info.order != 1:
        k = info.order
        if latex:
            fraction = rf"\frac{{\partial^{{{k}}} {f_name}}}{{\partial {info.wrt}^{{{k}}}}}"
            return rf"\left[{fraction}\right]_{{{''.join(letters)}}}", letters
        return f"[∂^{k} {f_name}/∂{info.wrt}^{k}][{','.join(letters)}]", letters
    r, k = info.f_rank, info.x_rank
    if info.layout == "numerator":
        f_letters, x_letters = letters[:r], letters[r:][::-1]
    else:
        x_letters, f_letters = letters[:k], letters[k:][::-1]
    if latex:
        return (rf"\frac{{\partial {_entry(f_name, f_letters, True)}}}{{\partial {_entry(info.wrt, x_letters, True)}}}",
                letters)
    return f"∂{_entry(f_name, f_letters, False)}/∂{_entry(info.wrt, x_letters, False)}", letters


def labelled_text(node: IndexExpr) -> str:
    taken = _dimension_names(node.tensor)
    head, letters = _headline(node, False, taken)
    body = _body(node.tensor, letters, False, taken)
    text = f"{head} = {body}" if head.startswith(("∂", "[∂")) else f"{head} {body}"
    vec = _vectorised(node)
    if vec is not None:
        text += f"\n{_vec_label(node, False)} = {vec}"
    return text


def labelled_latex(node: IndexExpr) -> str:
    taken = _dimension_names(node.tensor)
    head, letters = _headline(node, True, taken)
    body = _body(node.tensor, letters, True, taken)
    line = f"{head} = {body}" if head else body
    vec = _vectorised(node)
    if vec is None:
        return line
    return rf"\begin{{aligned}} {line} \\ {_vec_label(node, True)} = {vec.latex()} \end{{aligned}}"


def _vec_label(node: IndexExpr, latex: bool) -> str:
    """∂vec(f)/∂vec(x), transposed in denominator layout: a reshaping, so named
    (∂f/∂vec(x) for a vector f, which is its own vec)."""
    info = node.info
    # A vector is its own vec: ∂(W x)/∂vec(W), as textbooks write it (never vec(vec(…))).
    simple = info.f_text.isidentifier()
    if latex:
        f = (info.f_latex if simple else rf"\left({info.f_latex}\right)") if info.f_rank == 1 else \
            rf"\operatorname{{vec}}\left({info.f_latex}\right)"
        jacobian = rf"\frac{{\partial {f}}}{{\partial \operatorname{{vec}}\left({info.wrt}\right)}}"
        return jacobian if info.layout == "numerator" else rf"\left({jacobian}\right)^\top"
    f = (info.f_text if simple else f"({info.f_text})") if info.f_rank == 1 else f"vec({info.f_text})"
    jacobian = f"∂{f}/∂vec({info.wrt})"
    return jacobian if info.layout == "numerator" else f"({jacobian})^T"


def _vectorised(node: IndexExpr):
    from .matrix_form import NoMatrixForm

    if node.info is None or node.info.raw is None:
        return None
    try:
        return node.vec_form()
    except NoMatrixForm:
        return None
