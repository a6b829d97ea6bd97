"""Step-by-step derivations: every line checked numerically, the last line against
symmat.diff in both layouts, every line rendered by KaTeX, refusals named."""
from __future__ import annotations

import itertools
import re
import shutil
import subprocess

import numpy as np
import pytest

import symmat
from symmat import nodes as N
from symmat.steps import UnsupportedStep, derivation_steps, derive, expr_latex, steps_latex
from symmat.steps.check import line_values, stages
from symmat.steps.render import step_lines
from tests.katex import katex
from tests.steps.corpus import CORPUS, declarations, direction, random_values

LAYOUTS = ("numerator", "denominator")
CASES = [pytest.param(f, wrt, extra, id=f"d[{f}]/d{wrt}") for f, wrt, extra in CORPUS]


def assert_lines_hold(derivation, values, V, rtol=1e-6):
    """Every line of a stage gives the value of that stage's first line, d(f) (or, at
    stage 2, the differential of the first derivative), computed by central differences."""
    lines = line_values(derivation, values, V)
    for group in stages(derivation):
        first = lines[group[0]]
        scale = max(1.0, float(np.max(np.abs(first))) if np.size(first) else 1.0)
        for i in group[1:]:
            step = derivation.steps[i]
            np.testing.assert_allclose(lines[i], first, rtol=0, atol=rtol * scale, equal_nan=False,
                                       err_msg=f"{step.rule}: {expr_latex(step.expr)}")


SYMMETRIC_CASES = [("b^T S c", 1), ("tr(A S)", 1), ("logdet(S) + tr(S S)", 1), ("x^T S x", 1), ("tr(S A S)", 1),
                   ("tr(S A S)", 2), ("norm(S b)^2", 1), ("S b", 1)]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("f, order", SYMMETRIC_CASES)
def test_steps_in_the_symmetric_convention(f, order, layout):
    """symmetric="symmetric": dS is symmetric, so tr(P dS) = tr(½(P + Pᵀ) dS) is a step;
    every line holds along symmetric directions at symmetric values, and the last line
    is diff's symmetric gradient."""
    where = declarations("")
    derivation = derive(f, "S", layout=layout, where=where, order=order, symmetric="symmetric")
    answer = symmat.diff(f, "S", layout=layout, where=where, order=order, symmetric="symmetric")
    assert str(derivation.steps[-1].expr) == str(answer)
    unconstrained = symmat.diff(f, "S", layout=layout, where=where, order=order)
    if order == 1 and derivation.f.type.is_scalar and str(unconstrained) != str(answer):
        assert any("symmetric variable" in step.rule for step in derivation.steps)
    rng = np.random.default_rng(len(f) + order)
    for _ in range(2):
        V = rng.standard_normal((4, 4))
        assert_lines_hold(derivation, random_values(derivation.f, rng), (V + V.T) / 2)
    formulas = [expr_latex(step.expr) for step in derivation.steps] + [s.law for s in derivation.steps if s.law]
    assert [e for e in katex.render(formulas) if e is not None] == []
    with pytest.raises(symmat.SymmatError, match="declared symmetric"):
        derive(f.replace("S", "X"), "X", layout=layout, where=where, order=order, symmetric="symmetric")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_symmetric_declaration_used_is_said(layout):
    """When a line drops the transpose of a matrix declared symmetric, its note says
    Sᵀ = S; an undeclared A never gets the note."""
    where = declarations("")
    derivation = derive("tr(V^T S V)", "V", layout=layout, where=where)
    assert any(r"S^\top = S" in step.law for step in derivation.steps)
    assert all("symmetric" not in step.rule for step in derive("tr(V^T A V)", "V", layout=layout, where=where).steps)
    rng = np.random.default_rng(11)
    assert_lines_hold(derivation, random_values(derivation.f, rng), direction(derivation.var, rng))


COLUMNWISE_CASES = [
    ("sum(logsumexp(W X))", "W"), ("b^T logsumexp(W X)", "X"), ("a^T softmax(W X) b", "W"),
    ("sum(log_softmax(W X) .* Y)", "W"), ("sum(log(softmax(W X)) .* Y)", "X"),
    ("sum(logsumexp(W X)) - tr(Y^T W X)", "W"), ("norm(softmax(W X))^2", "W"),
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("f, wrt", COLUMNWISE_CASES)
def test_columnwise_functions_derive_in_matrix_form(f, wrt, layout):
    """softmax, log_softmax and logsumexp of a matrix, column by column: their laws are
    matrix steps (dS = S ⊙ (dZ - 1 1ᵀ (S ⊙ dZ)), d logsumexp(Z) = (S ⊙ dZ)ᵀ 1), so the
    derivation never falls back to index notation; every line holds."""
    where = declarations("Y: m x n")
    derivation = derive(f, wrt, layout=layout, where=where)
    rules = " ".join(step.rule for step in derivation.steps)
    assert "index notation" not in rules and ("softmax" in rules or "log-sum-exp" in rules), rules
    assert str(derivation.steps[-1].expr) == str(symmat.diff(f, wrt, layout=layout, where=where))
    rng = np.random.default_rng(len(f))
    for _ in range(2):
        assert_lines_hold(derivation, random_values(derivation.f, rng), direction(derivation.var, rng))
    formulas = [expr_latex(step.expr) for step in derivation.steps] + [s.law for s in derivation.steps if s.law]
    assert [e for e in katex.render(formulas) if e is not None] == []


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("f, wrt, extra", CASES)
def test_every_step_holds_numerically(f, wrt, extra, layout):
    """Each line, with dX a random direction, gives the directional derivative of f
    (the first line, d(f), is computed by central differences of f itself)."""
    where = declarations(extra)
    derivation = derive(f, wrt, layout=layout, where=where)
    rng = np.random.default_rng(abs(hash((f, wrt, layout))) % 2**32)
    for _ in range(2):
        assert_lines_hold(derivation, random_values(derivation.f, rng), direction(derivation.var, rng))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("f, wrt, extra", CASES)
def test_answer_equals_diff(f, wrt, extra, layout):
    where = declarations(extra)
    steps = derivation_steps(f, wrt, layout=layout, where=where)
    answer, reference = steps[-1].expr, symmat.diff(f, wrt, layout=layout, where=where)
    assert steps[-1].lhs == "derivative" and answer.shape == reference.shape
    assert str(answer) == str(reference) and expr_latex(answer) == reference.latex()
    assert answer.type.row == reference.type.row
    rng = np.random.default_rng(7)
    values = random_values(symmat.parse(f, where), rng)
    np.testing.assert_allclose(answer.evaluate(values), reference.evaluate(values), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("f, wrt, extra", CASES)
def test_steps_are_rules_on_expressions(f, wrt, extra):
    """No decorative lines: every step after the first names its rule and carries an
    expression tree; no two consecutive lines print alike."""
    steps = derivation_steps(f, wrt, where=declarations(extra))
    assert steps[0].rule == "" and steps[0].lhs == "differential"
    for step in steps[1:]:
        assert step.rule and isinstance(step.expr, N.Expr)
    printed = [(s.lhs, expr_latex(s.expr)) for s in steps]
    assert all(a != b for a, b in itertools.pairwise(printed))


def test_headline_g_of_W_transpose_a():
    """∂g(Wᵀa)/∂W = a ∇g(Wᵀa)ᵀ (denominator), ∇g(Wᵀa) aᵀ (numerator)."""
    text = steps_latex("g(W^T a)", "W", layout="denominator")
    assert r"\frac{\partial f}{\partial W} &= a \nabla g\left(W^\top a\right)^\top" in text
    assert "trace trick" in text and "chain rule" in text
    numerator = derivation_steps("g(W^T a)", "W")[-1].expr
    assert str(numerator) == "∇g(W^T a) a^T"


def test_textbook_rules_appear():
    assert "log-determinant" in steps_latex("log(det(X))", "X")
    assert "cyclic property" in steps_latex("tr(inv(X) A)", "X")
    assert "product rule" in steps_latex("x^T A x", "x")
    assert r"\begin{align*}" in steps_latex("a^T x", "x")


# ----------------------------------------------------------------- refusals
@pytest.mark.parametrize("f, wrt, kwargs, words", [
    ("a^T b", "x", {}, "not a variable"),
    ("x^T A x", "x", {"order": 3}, "first and second derivatives"),
])
def test_refusals_name_the_construct(f, wrt, kwargs, words):
    with pytest.raises(symmat.SymmatError, match=words):
        derive(f, wrt, **kwargs)


def test_unsupported_is_a_symmat_error():
    assert issubclass(UnsupportedStep, symmat.SymmatError)
    with pytest.raises(symmat.DiffError, match="layout"):
        derivation_steps("a^T x", "x", layout="sideways")


# ------------------------------------------------------------------ LaTeX
def test_every_step_renders_in_katex():
    formulas = []
    for f, wrt, extra in CORPUS + [(f, wrt, None) for f, wrt in LONG]:
        where = declarations(extra) if extra is not None else None
        for layout in LAYOUTS:
            derivation = derive(f, wrt, layout=layout, where=where)
            formulas.append(steps_latex(f, wrt, layout=layout, where=where))
            formulas += [rf"\begin{{aligned}}{line}\end{{aligned}}" for line in step_lines(derivation)]
    errors = katex.render(formulas)
    failures = [(formula, error) for formula, error in zip(formulas, errors) if error]
    assert not failures, failures[:3]


def _document_math(doc: str) -> list[str]:
    """The display blocks and inline formulas of a generated document."""
    start, end = doc.index(r"\begin{align*}"), doc.index(r"\end{align*}") + len(r"\end{align*}")
    inline = doc[: start].split("$")[1::2]
    return [doc[start:end], *inline]


def test_document_is_standalone():
    doc = steps_latex("g(W^T a)", "W", layout="denominator", document=True)
    assert doc.startswith(r"\documentclass{article}")
    assert r"\usepackage{amsmath,amssymb}" in doc
    assert doc.count(r"\begin{document}") == 1 and doc.rstrip().endswith(r"\end{document}")
    assert doc.count("{") == doc.count("}")


def test_document_math_renders_in_katex():
    docs = [steps_latex(f, wrt, document=True, where=declarations(extra)) for f, wrt, extra in CORPUS[:12]]
    formulas = [m for doc in docs for m in _document_math(doc)]
    errors = katex.render(formulas)
    assert not any(errors), [e for e in errors if e][:3]


LONG = [
    ("norm(A x - b)^2 + norm(B x - c)^2 + sum(softplus(C x)) + x^T D x + sum(exp(E tanh(F x)))", "x"),
    ("g(V tanh(W sigmoid(U x + a) + b) + c)", "U"),
    ("g(W6 tanh(W5 tanh(W4 tanh(W3 tanh(W2 tanh(W1 x))))))", "W1"),  # products only; a result with where
]


def test_long_lines_break_at_sums():
    """A row wider than the page breaks at a + or -, outside parentheses where it can,
    else inside them (\\left( becomes \\bigl(, which may span rows); no piece is too wide."""
    from symmat.steps.render import LINE_UNITS, break_expression, visible_width

    short = r"a + b"
    assert break_expression(short) == [short]
    terms = " + ".join(rf"A_{{{k}}}^\top \left(x - b_{{{k}}}\right)" for k in range(12))
    pieces = break_expression(terms)
    assert len(pieces) > 1 and " ".join(pieces) == terms
    assert all(visible_width(p) <= LINE_UNITS for p in pieces) and pieces[1].startswith("+ ")
    inner = rf"2 \left({terms}\right)"
    pieces = break_expression(inner)
    assert len(pieces) > 1 and pieces[0].startswith(r"2 \bigl(") and pieces[-1].endswith(r"\bigr)")
    assert r"\left" not in "".join(pieces) and all(visible_width(p) <= LINE_UNITS for p in pieces)


needs_pdflatex = pytest.mark.skipif(
    shutil.which("pdflatex") is None,
    reason="pdflatex is not installed: compiling a step document needs TeX (texlive-latex-base, "
    "texlive-latex-recommended; .ci/run installs them); the KaTeX tests still check its math")


def pdflatex(tmp_path, doc: str, name: str = "steps") -> str:
    """Compile ``doc``; the log (the test fails on an error)."""
    (tmp_path / f"{name}.tex").write_text(doc)
    done = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    missing = re.search(r"File `([^']+\.sty)' not found", done.stdout)
    if missing:  # a TeX installation without amsmath/amssymb: the machine's, not the document's
        pytest.skip(f"this TeX installation lacks {missing.group(1)}, which a step document uses")
    assert done.returncode == 0, done.stdout[-2000:]
    return (tmp_path / f"{name}.log").read_text(errors="replace")


@needs_pdflatex
def test_document_compiles_with_pdflatex(tmp_path):
    doc = steps_latex("sum(log(1 + exp(-y .* (X w))))", "w", layout="denominator", document=True)
    log = pdflatex(tmp_path, doc)
    assert "Overfull" not in log


@needs_pdflatex
def test_corpus_documents_have_no_overfull_box(tmp_path):
    """Every derivation of the golden corpus (both layouts, its order) as the document
    ``--document`` writes; the bodies share one pdflatex run (same preamble)."""
    from tests.golden.corpus import ALL as GOLDEN

    preamble, bodies = None, []
    for entry in GOLDEN:
        for layout in LAYOUTS:
            doc = steps_latex(entry.expr, entry.wrt, layout=layout, where=entry.where, order=entry.order,
                              document=True)
            begin, end = doc.index(r"\begin{document}"), doc.index(r"\end{document}")
            preamble = preamble or doc[:begin]
            assert doc[:begin] == preamble
            bodies.append(f"% {entry.id} {layout}\n" + doc[begin + len(r"\begin{document}"):end] + "\\clearpage\n")
    for extra in CORPUS:  # the homework corpus too
        f, wrt, decl = extra
        doc = steps_latex(f, wrt, layout="denominator", where=declarations(decl), document=True)
        bodies.append(doc[doc.index(r"\begin{document}") + len(r"\begin{document}"):doc.index(r"\end{document}")])
    for f, wrt in LONG:  # lines that must break inside align*
        doc = steps_latex(f, wrt, layout="denominator", document=True)
        assert "&\\quad " in doc
        bodies.append(doc[doc.index(r"\begin{document}") + len(r"\begin{document}"):doc.index(r"\end{document}")])
    log = pdflatex(tmp_path, preamble + "\\begin{document}\n" + "\n".join(bodies) + "\\end{document}\n", "corpus")
    overfull = [line for line in log.splitlines() if line.startswith("Overfull")]
    assert not overfull, overfull[:5]


# ------------------------------------------------------------ random compositions
@pytest.mark.parametrize("seed", range(0, 120, 3))
def test_random_compositions(seed):
    """Scalar compositions of every construct (tests/differentiation/compositions.py), by each of
    their variables: every line holds and the answer is diff's."""
    from symmat.shapes import Type
    from tests.differentiation.compositions import build
    from tests.strategies import random_values as values_for

    f = build(seed, depth=2, type_=Type())
    rng = np.random.default_rng(seed)
    values = values_for(f, rng)
    for name, sym in f.free_symbols().items():
        for layout in LAYOUTS:
            derivation = derive(f, name, layout=layout)
            x = np.asarray(values[name], dtype=float)
            V = rng.standard_normal(x.shape) if x.ndim else float(rng.standard_normal())
            if sym.symmetric:
                V = (V + V.T) / 2
            assert_lines_hold(derivation, values, V, rtol=1e-5)
            reference = symmat.diff(f, name, layout=layout)
            assert str(derivation.steps[-1].expr) == str(reference)


def test_vec_inner_product_is_a_trace():
    text = steps_latex("vec(A)^T vec(X)", "X", layout="denominator")
    assert "vec inner product" in text
