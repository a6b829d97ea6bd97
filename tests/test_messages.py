"""Messages a new user meets first (issue 16), each through ``main`` and through the API:
articles and × in shapes, invalid UTF-8, the symmetric convention on a variable not
declared symmetric, and named dimensions that take an integer size."""
from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest

import symmat
from symmat.check import verify
from symmat.cli import main
from symmat.errors import DeclarationError, DiffError, ParseError, ShapeError
from symmat.shapes import Type, article


def run(argv: list[str], stdin: bytes | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


# ------------------------------------------------------------------ articles, ×
@pytest.mark.parametrize("word,expected", [
    ("m", "an"), ("n", "an"), ("x", "an"), ("f", "an"), ("k", "a"), ("p", "a"), ("n1", "an"), ("d2", "a"),
    ("8", "an"), ("11", "an"), ("18", "an"), ("80", "an"), ("800", "an"), ("18000", "an"),
    ("1", "a"), ("3", "a"), ("110", "a"), ("1000", "a"), ("batch", "a"), ("input", "an"),
])
def test_article_follows_how_the_word_is_read(word, expected):
    assert article(word) == expected


@pytest.mark.parametrize("shape,text", [
    (("m", "n"), "an m × n matrix"), (("p", "q"), "a p × q matrix"), ((8, 3), "an 8 × 3 matrix"),
    ((2, "m"), "a 2 × m matrix"), (("n", "m", "p"), "an n × m × p tensor"), (("m",), "a column vector of length m"),
    ((), "a scalar"),
])
def test_shapes_are_described_with_article_and_times_sign(shape, text):
    assert Type(shape).describe() == text


def test_shape_error_reads_an_m_by_n_matrix():
    message = "product: an m × n matrix and a column vector of length p do not fit"
    with pytest.raises(ShapeError, match=message):
        symmat.parse("W x", "W: m x n; x: p")
    status, out, err = run(["parse", "W x", "--where", "W: m x n; x: p"])
    assert status == 2 and out == "" and message in err and "Traceback" not in err


# ------------------------------------------------------------------ invalid UTF-8
def test_invalid_utf8_on_standard_input_is_a_parse_error(monkeypatch):
    status, out, err = run(["diff", "-", "--wrt", "x"], stdin=b"W x\xff + y", monkeypatch=monkeypatch)
    assert status == 2 and out == ""
    assert err == (
        "symmat: error: invalid UTF-8 in the expression: the byte 0xff is not part of a character\n"
        "  W x\ufffd + y\n"
        "     ^\n"
    )


def test_valid_utf8_on_standard_input_whatever_the_locale(monkeypatch):
    status, out, _ = run(["parse", "-"], stdin="x ⊙ y\n".encode(), monkeypatch=monkeypatch)
    assert status == 0 and out.startswith("x .* y\n")


def test_invalid_utf8_in_arguments_and_in_the_api():
    # Python hands undecodable bytes of argv to us as lone surrogates (surrogateescape).
    status, _, err = run(["parse", "a\udcfe b"])
    assert status == 2 and "invalid UTF-8 in the expression: the byte 0xfe" in err
    with pytest.raises(ParseError, match="the byte 0xff is not part of a character") as caught:
        symmat.parse("x + \udcffy")
    assert caught.value.column == 4
    with pytest.raises(DeclarationError, match="invalid UTF-8 in the declarations: the byte 0xe9"):
        symmat.parse("x", "x\udce9: 3")


# ------------------------------------------------------------------ --symmetric symmetric
def test_symmetric_convention_names_the_variable_to_declare():
    message = 'X is not: declare it \\("X: n x n symmetric" in --where or where=\\)'
    with pytest.raises(DiffError, match=message):
        symmat.diff("tr(A X)", "X", symmetric="symmetric", where="A: n x n")
    status, out, err = run(["diff", "tr(A X)", "--wrt", "X", "--where", "A: n x n", "--symmetric", "symmetric"])
    assert status == 2 and out == ""
    assert 'declare it ("X: n x n symmetric" in --where or where=)' in err


def test_symmetric_convention_by_a_vector_or_a_rectangular_matrix_says_why_not():
    with pytest.raises(DiffError, match="x is a column vector of length n"):
        symmat.diff("x^T S x", "x", symmetric="symmetric", where="S: n x n symmetric")
    with pytest.raises(DiffError, match="W is an m × n matrix, not a square matrix"):
        symmat.diff("a^T W b", "W", symmetric="symmetric", where="W: m x n")


def test_symmetric_convention_on_a_symmetric_variable_still_works():
    result = symmat.diff("tr(B S)", "S", symmetric="symmetric", layout="denominator", where="S: n x n symmetric")
    n = 4
    B = np.random.default_rng(1).normal(size=(n, n))
    np.testing.assert_allclose(result.evaluate({"B": B, "S": np.eye(n)}), (B + B.T) / 2, atol=1e-12)
    status, _, _ = run(["diff", "tr(B S)", "--wrt", "S", "--where", "S: n x n symmetric", "--symmetric", "symmetric",
                        "--check"])
    assert status == 0


# ------------------------------------------------------------------ named and integer sizes
def test_a_named_dimension_takes_an_integer_size():
    expr = symmat.parse("A x", "A: 2 x m; x: 3")
    assert expr.shape == (2,)
    assert expr.free_symbols()["A"].type.shape == (2, 3)
    status, out, err = run(["parse", "A x", "--where", "A: 2 x m; x: 3"])
    assert status == 0, err
    assert out == "A x\nshape: 2\nwhere: A: 2 x 3; x: 3\n"


def test_the_size_a_name_takes_holds_everywhere():
    expr = symmat.parse("A x + B y", "A: 2 x m; x: 3; B: 2 x m; y: m")
    assert expr.free_symbols()["y"].type.shape == (3,)
    # Once m took the size 3, messages say 3 (they said "a 2 × m matrix").
    with pytest.raises(ShapeError, match="a 2 × 3 matrix and a column vector of length 4"):
        symmat.parse("A x + A y", "A: 2 x m; x: 3; y: 4")
    with pytest.raises(ShapeError, match="a row vector of length 3 and a column vector of length 4"):
        symmat.parse("(A x)^T A + y", "A: 2 x m; x: 3; y: 4")
    with pytest.raises(ShapeError, match="a row vector of length 2 and a 2 × 3 matrix"):
        symmat.parse("x^T A^T + A", "A: 2 x m; x: 3")
    status, _, err = run(["parse", "x^T A^T + A", "--where", "A: 2 x m; x: 3"])
    assert status == 2 and "a 2 × 3 matrix" in err


def test_different_names_stay_different_sizes():
    with pytest.raises(ShapeError, match="an m × n matrix and a column vector of length p"):
        symmat.parse("W x", "W: m x n; x: p")


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_derivative_with_a_named_and_an_integer_size_matches_finite_differences(layout):
    where = "A: 4 x m; x: 3; a: 4"
    for f, wrt in [("a^T tanh(A x)", "A"), ("a^T tanh(A x)", "x"), ("tanh(A x)", "x")]:
        report = verify(symmat.parse(f, where), wrt, layout=layout, where=where)
        assert report.passed, (f, wrt, report.summary())
    grad = symmat.diff("a^T tanh(A x)", "x", layout=layout, where=where)
    assert grad.shape == (3,)
    rng = np.random.default_rng(0)
    values = {"A": rng.normal(size=(4, 3)), "x": rng.normal(size=3), "a": rng.normal(size=4)}
    assert np.asarray(grad.evaluate(values)).shape == (3,)
    status, _out, err = run(["diff", "a^T tanh(A x)", "--wrt", "A", "--where", where, "--layout", layout, "--check"])
    assert status == 0, err
