"""The command line, called through main() (and once as a real process)."""
from __future__ import annotations

import io
import subprocess
import sys

import pytest

from symmat import __version__
from symmat.cli import main


def test_parse_prints_the_expression_its_shape_and_inferred_names(capsys):
    assert main(["parse", "g(W^T a)"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["g(W^T a)", "shape: scalar", "where: W: m x n; a: m; g: R^n -> R"]


def test_parse_with_declarations(capsys):
    assert main(["parse", "W x", "--where", "W: 3 x 4; x: 4"]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == ["W x", "shape: 3"]
    assert main(["parse", "S x", "--where", "S: n x n symmetric"]) == 0
    assert "S: n x n symmetric" in capsys.readouterr().out


def test_parse_reads_standard_input_for_a_dash(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("x^T A x\n"))
    assert main(["parse", "-"]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == ["x^T A x", "shape: scalar"]


def test_bad_expression_exits_2_with_a_caret_on_stderr(capsys):
    assert main(["parse", "A + x"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "symmat: error: sum: a matrix and a column vector do not fit (left: `A`, right: `x`)",
        "  A + x",
        "      ^",
    ]


def test_bad_declaration_exits_2(capsys):
    assert main(["parse", "x", "--where", "x: 3 x"]) == 2
    err = capsys.readouterr().err
    assert "cannot read the shape" in err and "Traceback" not in err


def test_too_deep_nesting_exits_2(capsys):
    assert main(["parse", "(" * 100_000 + "x" + ")" * 100_000]) == 2
    assert "nested too deeply" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [[], ["bogus"], ["parse"], ["parse", "x", "--nope"]])
def test_bad_usage_exits_2(argv, capsys):
    assert main(argv) == 2
    assert "usage: symmat" in capsys.readouterr().err


def test_version_and_help_exit_0(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"symmat {__version__}"
    assert main(["--help"]) == 0
    assert "parse" in capsys.readouterr().out


def test_module_run_exits_2_without_a_traceback():
    """`python -m symmat` as a real process: bad input is exit status 2, no traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "symmat", "parse", "W x +"], capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1] == "       ^"
    done = subprocess.run([sys.executable, "-m", "symmat", "parse", "W x"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("W x\nshape: m\n")
