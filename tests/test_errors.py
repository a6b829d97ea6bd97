"""Every error class: its message in words and the column its caret points at."""
from __future__ import annotations

import pytest

import symmat
from symmat import (
    ArityError,
    DeclarationError,
    EvaluationError,
    ParseError,
    ShapeError,
    SymmatError,
    UnknownFunctionError,
    parse,
)


def _error(cls, text, where=None):
    with pytest.raises(cls) as info:
        parse(text, where)
    return info.value


# (error class, text, where, words in the message, caret column)
CASES = [
    (ParseError, "W x +", None, "ends too early: expected an operand", 5),
    (ParseError, "W x)", None, "unexpected ')': expected '+', '-' or the end of the expression", 3),
    (ParseError, "(W x", None, "ends too early: expected ')'", 4),
    (ParseError, "W $ x", None, "unexpected character '$'", 2),
    (ShapeError, "x .^ (y + x)", None, "an exponent must be a scalar, not a column vector", 5),
    (ParseError, "", None, "the expression is empty", 0),
    (ParseError, "   ", None, "the expression is empty", 0),
    (ParseError, "tr()", None, "unexpected ')'", 3),
    (ParseError, "f(x,)", None, "unexpected ')'", 4),
    (ShapeError, "A + x", None, "sum: a matrix and a column vector do not fit (left: `A`, right: `x`)", 4),
    (ShapeError, "W x", "W: m x n; x: p", "product: an m × n matrix and a column vector of length p do not fit", 2),
    (ShapeError, "a + b x^T", "a: m; b: n; x: p",
     "sum: a column vector of length m and an n × p matrix do not fit (left: `a`, right: `b x^T`)", 4),
    (ShapeError, "A .* B", "A: m x n; B: n x m",
     "elementwise product: an m × n matrix and an n × m matrix do not fit", 2),
    (ShapeError, "a / x", None, "division: the divisor must be a scalar, not a column vector", 2),
    (ShapeError, "tr(x)", None, "tr needs a square matrix, not a column vector", 0),
    (ShapeError, "det(W)", "W: m x n", "det needs a square matrix, not an m × n matrix", 0),
    (ShapeError, "x^2", None, "^ cannot raise a column vector to a power (use .^ for elementwise powers)", 1),
    (ShapeError, "X^0.5", None, "a matrix power must be an integer, not 0.5", 1),
    (ShapeError, "W^2", "W: m x n", "a matrix power needs a square matrix, not an m × n matrix", 1),
    (ShapeError, "softmax(x^T x)", None, "softmax needs a vector or a matrix, not a scalar", 0),
    (ShapeError, "g(x) + g(X)", None, "g takes a column vector, not a matrix", 7),
    (ShapeError, "x + x(y)", None, "product: a column vector and a column vector do not fit", 4),
    (ShapeError, "x y", None, "product: a column vector and a column vector do not fit (left: `x`, right: `y`)", 2),
    (ShapeError, "g(x) + g", None, "g is used both as a function and as a variable", 7),
    (UnknownFunctionError, "sin + x", None, "sin is a function and needs an argument: sin(...)", 0),
    (UnknownFunctionError, "∇tr(x)", None, "∇tr needs an abstract scalar function, and tr is not one", 0),
    (ArityError, "kron(A)", None, "kron takes 2 arguments, not 1", 0),
    (ArityError, "f(x) + f(x, y)", None, "f takes 1 argument, not 2", 7),
    (ArityError, "ones(x)", None, "ones takes no arguments: its size is inferred", 0),
    (ArityError, "tr(A, B)", None, "tr takes 1 argument, not 2", 0),
]


@pytest.mark.parametrize("cls,text,where,words,column", CASES, ids=[c[1] or "empty" for c in CASES])
def test_error_message_and_caret(cls, text, where, words, column):
    e = _error(cls, text, where)
    assert words in e.message
    assert e.column == column
    assert e.text == text
    assert isinstance(e, SymmatError)
    # The rendered message shows the line with a caret under the column.
    lines = str(e).split("\n")
    assert lines[-2] == "  " + text and lines[-1] == "  " + " " * column + "^"


@pytest.mark.parametrize(
    "where,words,column",
    [
        ("x: 3 x", "cannot read the shape '3 x' of x", 3),
        ("W: m x n; x", "expected 'NAME: shape' in declaration 'x'", 10),
        ("W: m x n; W: n", "'W' is declared twice", 10),
        ("tr: m", "'tr' is a built-in name and cannot be declared", 0),
        ("2x: m", "'2x' is not a valid name", 0),
        ("S: m x n symmetric", "S is declared symmetric but is not square", 3),
        ("A: m x n x p", "cannot read the shape", 3),
    ],
)
def test_declaration_errors(where, words, column):
    e = _error(DeclarationError, "x", where)
    assert words in e.message and e.column == column and e.text == where


def test_declaration_errors_from_a_dict_have_no_caret():
    e = _error(DeclarationError, "W", {"W": 5})
    assert "must be a string or a tuple" in str(e) and e.column is None
    e = _error(DeclarationError, "W", {"W": "m by n"})
    assert "cannot read the shape 'm by n' of W" in str(e)


def test_where_of_another_type_is_refused():
    assert "where must be a string or a dict" in str(_error(DeclarationError, "x", 3))


def test_expression_that_is_not_a_string_is_refused():
    assert "expected the expression as a string" in str(_error(ParseError, b"x"))


def test_caret_points_into_the_right_line_of_a_multi_line_expression():
    e = _error(ShapeError, "A\n + x")
    assert str(e).endswith("   + x\n     ^")


@pytest.mark.parametrize(
    "text,values,words",
    [
        ("W x", {"W": [[1, 2], [3, 4]], "x": [1, 2, 3]}, "dimension n of x is 3, but elsewhere n is 2"),
        ("W x", {"W": [[1, 2]]}, "no value given for x (a column vector of length n)"),
        ("W x", {"W": [1, 2], "x": [1, 2]}, "W is an m × n matrix, but its value has shape (2,)"),
        ("W x", {"W": "abc", "x": [1]}, "the value of W is not a number or a numeric array"),
        ("g(x)", {"x": [1.0, 2.0]}, "no callable given for g (pass values['g'])"),
        ("g(x)", {"x": [1.0, 2.0], "g": 3}, "values['g'] must be a callable"),
        ("∇g(x)", {"x": [1.0, 2.0], "∇g": lambda u: 1.0}, "∇g returned shape (), expected (2,)"),
        ("tr(I)", {}, "the size of dimension p is not fixed by any value; pass {'p': size}"),
        ("x^T S x", None, "S is declared symmetric but its value is not"),
    ],
)
def test_evaluation_errors(text, values, words):
    if values is None:
        expr = parse(text, "S: n x n symmetric")
        values = {"x": [1.0, 2.0], "S": [[1.0, 2.0], [3.0, 4.0]]}
    else:
        expr = parse(text, "W: m x n")
    with pytest.raises(EvaluationError) as info:
        expr.evaluate(values)
    assert words in str(info.value)


def test_values_must_be_a_dict():
    with pytest.raises(EvaluationError, match="values must be a dict"):
        parse("x").evaluate([1, 2])


def test_every_error_class_is_exported_and_a_symmat_error():
    for cls in (ParseError, ShapeError, DeclarationError, UnknownFunctionError, ArityError, EvaluationError):
        assert issubclass(cls, SymmatError) and getattr(symmat, cls.__name__) is cls


def test_a_long_line_is_cut_around_the_caret():
    text = "x + " * 100 + "A" + " + x" * 100
    e = _error(ShapeError, text)
    message, line, caret = str(e).split("\n")
    assert len(line) < 100 and line.startswith("  ...") and line.endswith("...")
    assert line[caret.index("^")] == "A"
    assert "left: `...x + x" in message and len(message) < 150


def test_every_error_class_is_exported():
    """Each error symmat raises for bad input, wherever it is raised (the SymPy bridge,
    the step-by-step derivations, ...), can be caught by name from the package itself."""
    import importlib
    import pkgutil

    for module in pkgutil.walk_packages(symmat.__path__, "symmat."):
        if not module.name.endswith("__main__"):  # that one runs the command line
            importlib.import_module(module.name)
    found, stack = set(), [SymmatError]
    while stack:
        cls = stack.pop()
        found.add(cls)
        stack.extend(cls.__subclasses__())
    for cls in found:
        assert getattr(symmat, cls.__name__, None) is cls, f"symmat.{cls.__name__} is not exported"
        assert cls.__name__ in symmat.__all__
