"""Declarations (contract §2) from a string and from a dict."""
from __future__ import annotations

from symmat.declarations import Declarations, Variable, parse_declarations


def test_every_kind_of_declaration_from_a_string():
    d = parse_declarations(
        "W: m x n; a: m; c: scalar; S: n x n symmetric; g: R^n -> R; s: elementwise; "
        "h: function; V: 3 × 4; k: R^{p} → R; t: elementwise function"
    )
    assert d.variables == {
        "W": Variable(("m", "n")), "a": Variable(("m",)), "c": Variable(()),
        "S": Variable(("n", "n"), True), "V": Variable((3, 4)),
    }
    assert d.functions == {"g": "n", "h": None, "k": "p"}
    assert d.elementwise == {"s", "t"}
    assert d.dim_names() == {"m", "n", "p"}


def test_declarations_from_a_dict():
    d = parse_declarations({"W": "m x n", "x": ("n",), "c": (), "S": "n x n symmetric", "g": "R^n -> R"})
    assert d.variables["W"] == Variable(("m", "n"))
    assert d.variables["x"] == Variable(("n",))
    assert d.variables["c"] == Variable(())
    assert d.variables["S"].symmetric
    assert d.functions == {"g": "n"}


def test_empty_and_none_and_trailing_semicolons():
    assert parse_declarations(None) == Declarations()
    assert parse_declarations("") == Declarations()
    assert parse_declarations(" ; x: n ;").variables == {"x": Variable(("n",))}


def test_declarations_object_passes_through():
    d = parse_declarations("x: n")
    assert parse_declarations(d) is d
