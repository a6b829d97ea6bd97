"""Every example that ``symmat --help`` and ``symmat diff --help`` show runs, through
``main``, and prints what the help shows: the help is built from the same data
(symmat.cli.Example), so an example whose output changes fails here."""
from __future__ import annotations

import contextlib
import io
import json
import shlex

import pytest

from symmat.cli import DIFF_EXAMPLES, MAIN_EXAMPLES, Example, main
from tests.test_readme import measured

EXAMPLES = [("symmat", e) for e in MAIN_EXAMPLES] + [("symmat diff", e) for e in DIFF_EXAMPLES]


def run(argv: list[str], stdin: str = "", monkeypatch=None) -> tuple[int, str, str]:
    if monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8"))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("where,example", EXAMPLES, ids=[e.command for _, e in EXAMPLES])
def test_example_prints_what_the_help_shows(where: str, example: Example, monkeypatch):
    status, out, err = run(shlex.split(example.command), example.stdin or "", monkeypatch)
    assert status == 0, err
    if example.output is not None:
        got, errors = measured((out + err).rstrip("\n"))
        shown, shown_errors = measured(example.output)
        assert got == shown
        assert all(e < 1e-8 for e in errors + shown_errors), (errors, shown_errors)
    else:
        assert out.strip() and not err, err
    if "--json" in example.command:
        json.loads(out)
    if example.to_file is not None and example.to_file.endswith(".tex"):
        assert out.startswith(r"\documentclass")
    if "--emit numpy" in example.command:
        compile(out, "<generated>", "exec")


@pytest.mark.parametrize("argv,examples", [(["--help"], MAIN_EXAMPLES), (["diff", "--help"], DIFF_EXAMPLES)])
def test_help_shows_every_example(argv, examples):
    status, out, _ = run(argv)
    assert status == 0
    for example in examples:
        assert example.shown() in out


def test_example_lines_read_as_shell_commands():
    assert Example("diff - --wrt w", stdin="s(w)").shown() == '  echo "s(w)" | symmat diff - --wrt w'
    assert Example('diff "f(x)" --wrt x', "1\n2", to_file="o.txt").shown() == (
        '  symmat diff "f(x)" --wrt x > o.txt\n      1\n      2'
    )
