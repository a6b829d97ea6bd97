"""``symmat diff``: through main() for every option, and as real processes for every
class of bad input (stderr, a caret under the expression, exit status 2, no traceback)."""
from __future__ import annotations

import io
import json
import subprocess
import sys

import numpy as np
import pytest

import symmat
from symmat.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(["diff", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_diff_prints_the_derivative_in_the_input_language(capsys):
    assert run(capsys, "g(W^T a)", "--wrt", "W", "--layout", "denominator") == (0, "a ∇g(W^T a)^T\n", "")
    status, out, _ = run(capsys, "g(W^T a)", "--wrt", "W")
    assert status == 0 and out == str(symmat.diff("g(W^T a)", "W")) + "\n"


def test_options_reach_the_api(capsys):
    """--where, --order, --layout and --symmetric mean what they mean in symmat.diff."""
    where = "S: n x n symmetric; B: n x n"
    for argv, kwargs in [
        (["x^T A x", "--wrt", "x", "--order", "2"], dict(order=2)),
        (["tr(A X B)", "--wrt", "X", "--where", "A: p x m; B: n x p"], dict(where="A: p x m; B: n x p")),
        (["tr(B S)", "--wrt", "S", "--where", where, "--symmetric", "symmetric", "--layout", "denominator"],
         dict(where=where, symmetric="symmetric", layout="denominator")),
    ]:
        status, out, _ = run(capsys, *argv)
        assert status == 0 and out == str(symmat.diff(argv[0], argv[2], **kwargs)) + "\n"


def test_emit_latex_numpy_and_index(capsys):
    f = "norm(A x - b)^2"
    assert run(capsys, f, "--wrt", "x", "--emit", "latex")[1] == symmat.diff(f, "x").latex() + "\n"
    status, out, _ = run(capsys, f, "--wrt", "x", "--emit", "numpy")
    assert status == 0 and out.rstrip("\n") == symmat.diff(f, "x").numpy("d_f").rstrip("\n")
    namespace: dict = {}
    exec(out, namespace)  # the printed source is a working function
    A, x, b = np.ones((3, 2)), np.array([1.0, 2.0]), np.zeros(3)
    np.testing.assert_allclose(namespace["d_f"](A, x, b), 2 * (A @ x - b) @ A)
    status, out, _ = run(capsys, "W x", "--wrt", "W", "--emit", "index")
    assert status == 0 and out == str(symmat.diff("W x", "W", form="index")) + "\n"
    entry, vectorised = out.splitlines()
    assert entry.startswith("∂(W x)[i]/∂W[k,j] = ") and vectorised == "∂(W x)/∂vec(W) = kron(x^T, I_m)"
    # index form on request even where a matrix form exists
    assert run(capsys, "a^T x", "--wrt", "x", "--emit", "index")[1] == \
        str(symmat.diff("a^T x", "x", form="index")) + "\n"


def test_emit_steps_and_document(capsys):
    status, out, err = run(capsys, "logdet(X)", "--wrt", "X", "--emit", "steps")
    assert status == 0 and err == ""
    assert "\\begin{align*}" in out and "X^{-1}" in out
    status, out, _ = run(capsys, "logdet(X)", "--wrt", "X", "--emit", "steps", "--document")
    assert status == 0 and out.startswith("\\documentclass") and "\\end{document}" in out


def test_steps_missing_is_a_clear_error(capsys, monkeypatch):
    """Without symmat.steps (an older install), --emit steps says so; the rest works."""
    monkeypatch.setitem(sys.modules, "symmat.steps", None)  # makes the import fail
    status, out, err = run(capsys, "logdet(X)", "--wrt", "X", "--emit", "steps")
    assert status == 2 and out == ""
    assert err == "symmat: error: step-by-step derivations (--emit steps) are not available in this version\n"
    assert run(capsys, "logdet(X)", "--wrt", "X")[0] == 0


def test_check_reports_the_error_and_passes(capsys):
    """The result alone on stdout; the check's report on stderr (contract §5)."""
    status, out, err = run(capsys, "logdet(X)", "--wrt", "X", "--check")
    assert status == 0 and out == "X^-1\n"
    line, = err.splitlines()
    assert line.startswith("check: max relative error ") and line.endswith(
        " over 3 random inputs (finite differences)")
    assert float(line.split()[4]) < 1e-6


@pytest.mark.parametrize("emit", ["numpy", "latex", "steps"])
def test_check_leaves_stdout_a_valid_file(capsys, tmp_path, emit):
    """`symmat diff ... --emit numpy --check > f.py` gives a module that imports."""
    status, out, err = run(capsys, "norm(A x - b)^2", "--wrt", "x", "--emit", emit, "--check")
    assert status == 0 and err.startswith("check: max relative error")
    assert "check:" not in out
    if emit == "numpy":
        (tmp_path / "f.py").write_text(out)
        done = subprocess.run([sys.executable, "-c", "import f; print(f.d_f.__name__)"], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
        assert (done.returncode, done.stdout) == (0, "d_f\n"), done.stderr


def test_name_names_the_generated_function(capsys):
    status, out, _ = run(capsys, "g(A x)", "--wrt", "x", "--order", "2", "--emit", "numpy", "--name", "hess_loss",
                         "--where", "A: m x n")
    namespace: dict = {}
    exec(out, namespace)
    assert status == 0 and out.count("def hess_loss(") == 1 and callable(namespace["hess_loss"])
    # every callable's docstring states its own shape: the Hessian of g: R^m -> R is m x m
    assert "hess_g: callable, the Hessian of g: returns an array of shape (m, m)" in out
    status, out, err = run(capsys, "x", "--wrt", "x", "--emit", "numpy", "--name", "not a name")
    assert status == 2 and out == "" and "--name must be a Python identifier" in err


@pytest.mark.parametrize("where", ["A: 100000 x 100000", "A: 3000 x 3000"])
def test_check_at_large_declared_sizes_runs_small(capsys, where):
    """No MemoryError and no minutes of finite differences: stand-in sizes, said so."""
    status, out, err = run(capsys, "x^T A x", "--wrt", "x", "--where", where, "--check")
    assert status == 0 and out == str(symmat.diff("x^T A x", "x", where=where)) + "\n"
    head, note = err.splitlines()
    assert head.startswith("check: max relative error ") and "checked at small sizes" in note


def test_check_that_cannot_run_is_bad_input_not_a_wrong_derivative(capsys):
    status, out, err = run(capsys, "log(-(x^T x) - 1)", "--wrt", "x", "--check")
    assert status == 2 and out != "" and "Traceback" not in err and "keeps the expression finite" in err


def test_json_errors_are_json(capsys):
    status, out, err = run(capsys, "W x +", "--wrt", "x", "--json")
    record = json.loads(out)["error"]
    assert status == 2 and record["type"] == "ParseError" and record["column"] == 5 and record["text"] == "W x +"
    assert err.startswith("symmat: error: the expression ends too early")
    status, out, _ = run(capsys, "x", "--wrt", "x", "--json", "--document")
    assert status == 2 and json.loads(out)["error"]["type"] == "UsageError"
    status, out, err = run(capsys, "x", "--json")  # argparse's own usage errors too
    assert status == 2 and "usage: symmat diff" in err
    assert json.loads(out)["error"] == {"type": "UsageError", "message": "the following arguments are required: --wrt"}


def test_check_fails_with_exit_1_on_a_wrong_derivative(capsys, monkeypatch):
    """A wrong result (here: the derivative doubled) is caught, reported, exit 1."""
    import symmat.check

    real = symmat.check.diff
    monkeypatch.setattr(symmat.check, "diff", lambda f, wrt, **kw: symmat.parse(f"2 ({real(f, wrt, **kw)})")
                        if kw.get("order") == 1 else real(f, wrt, **kw))
    status, out, err = run(capsys, "x^T x", "--wrt", "x", "--check")
    assert status == 1 and out.strip() and "check:" not in out
    assert err.startswith("check: FAILED: max relative error ")


def test_json_record(capsys):
    status, out, _ = run(capsys, "tr(A X B)", "--wrt", "X", "--where", "A: p x m; B: n x p", "--json", "--check")
    record = json.loads(out)
    assert status == 0
    assert record["input"] == "tr(A X B)" and record["wrt"] == "X"
    assert record["where"] == {"A": "p x m", "X": "m x n", "B": "n x p"}
    assert (record["layout"], record["order"], record["symmetric"]) == ("numerator", 1, "unconstrained")
    assert record["shape"] == ["n", "m"]
    assert (record["result"], record["latex"]) == ("B A", "B A")
    assert record["check"]["passed"] is True and record["check"]["samples"] == 3
    status, out, _ = run(capsys, "x^T x", "--wrt", "x", "--json", "--emit", "numpy", "--where", "x: 3")
    record = json.loads(out)
    assert record["shape"] == [3] and record["numpy"].startswith("import numpy as np")


def test_stdin(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("sigmoid(w^T x)\n"))
    status, out, _ = run(capsys, "-", "--wrt", "w")
    assert status == 0 and out == str(symmat.diff("sigmoid(w^T x)", "w")) + "\n"


def test_help_has_worked_examples(capsys):
    assert main(["diff", "--help"]) == 0
    out = capsys.readouterr().out
    assert "examples:" in out and 'symmat diff "g(W^T a)" --wrt W --layout denominator' in out
    for option in ("--wrt", "--layout", "--where", "--order", "--emit", "--check", "--json", "--document"):
        assert option in out


@pytest.mark.parametrize("argv,message", [
    (["x", "--wrt", "x", "--document"], "--document goes with --emit steps"),
    (["x^T x", "--wrt", "x", "--emit", "steps", "--order", "3"], "steps cover first and second derivatives"),
    (["x^T A x", "--wrt", "x", "--symmetric", "A"], 'to declare A symmetric, write "A: n x n symmetric"'),
])
def test_options_that_do_not_go_together(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == "" and message in err


def test_steps_take_the_symmetric_convention(capsys):
    """--emit steps --symmetric symmetric derives the gradient in the space of symmetric
    matrices, ending where symmat diff does (tests/steps/test_steps.py checks the lines)."""
    where = ["--where", "S: n x n symmetric"]
    status, out, err = run(capsys, "a^T S b", "--wrt", "S", "--emit", "steps", "--symmetric", "symmetric", *where)
    assert status == 0 and "symmetric variable" in out, err
    status, answer, _ = run(capsys, "a^T S b", "--wrt", "S", "--symmetric", "symmetric", *where)
    assert answer.strip() == "0.5 (b a^T + a b^T)"
    assert out.rstrip().endswith(r"\frac{\partial f}{\partial S} &= 0.5 \left(b a^\top + a b^\top\right)" "\n"
                                 r"\end{align*}")


@pytest.mark.parametrize("argv", [["x"], ["x", "--wrt"], ["x", "--wrt", "x", "--order", "two"],
                                  ["x", "--wrt", "x", "--emit", "pdf"]])
def test_bad_usage(capsys, argv):
    status, _, err = run(capsys, *argv)
    assert status == 2 and "usage: symmat diff" in err


# Every class of bad input: (argv after "diff", error class, message's first line, caret line).
ERRORS = [
    (["W x +", "--wrt", "x"], symmat.ParseError,
     "the expression ends too early: expected an operand (a name, a number, '(' or a function call) or '-'",
     "       ^"),
    (["A + x", "--wrt", "x"], symmat.ShapeError,
     "sum: a matrix and a column vector do not fit (left: `A`, right: `x`)", "      ^"),
    (["x", "--wrt", "x", "--where", "x: 3 x"], symmat.DeclarationError,
     "cannot read the shape '3 x' of x: expected 'scalar', 'DIM', 'DIM x DIM' (optionally 'symmetric'), "
     "'R^DIM -> R', 'function' or 'elementwise'", "     ^"),
    (["sin + x", "--wrt", "x"], symmat.UnknownFunctionError, "sin is a function and needs an argument: sin(...)",
     "  ^"),
    (["tr(A, B)", "--wrt", "A"], symmat.ArityError, "tr takes 1 argument, not 2", "  ^"),
    (["W x", "--wrt", "q"], symmat.DiffError,
     "'q' is not a variable of the expression; declare its shape in where= to get the zero derivative", None),
    (["W x", "--wrt", "x", "--order", "0"], symmat.DiffError, "order must be a positive integer, not 0", None),
    (["W x", "--wrt", "x", "--layout", "sideways"], symmat.DiffError,
     "layout must be 'numerator' or 'denominator', not 'sideways'", None),
    (["g(x)", "--wrt", "g"], symmat.DiffError, "g is a function; differentiate with respect to a variable", None),
]
IDS = [f"{cls.__name__}:{argv[0]}:{' '.join(argv[1:])}" for argv, cls, _, _ in ERRORS]


def expected_stderr(message: str, caret: str | None, argv: list[str]) -> list[str]:
    if caret is None:
        return [f"symmat: error: {message}"]
    # The caret sits under the expression, or under the declaration it concerns.
    shown = argv[argv.index("--where") + 1] if "--where" in argv else argv[0]
    return [f"symmat: error: {message}", f"  {shown}", caret]


@pytest.mark.parametrize("argv,cls,message,caret", ERRORS, ids=IDS)
def test_bad_input_through_main(capsys, argv, cls, message, caret):
    with pytest.raises(cls):  # the API raises the class the row names ...
        kwargs = {"where": argv[argv.index("--where") + 1]} if "--where" in argv else {}
        if "--order" in argv:
            kwargs["order"] = int(argv[argv.index("--order") + 1])
        if "--layout" in argv:
            kwargs["layout"] = argv[argv.index("--layout") + 1]
        symmat.diff(argv[0], argv[2], **kwargs)
    status, out, err = run(capsys, *argv)  # ... and the command reports it
    assert (status, out) == (2, "")
    assert err.splitlines() == expected_stderr(message, caret, argv)


def test_bad_input_as_real_processes():
    """`python -m symmat diff ...` for every class: stderr, caret, exit 2, no traceback.
    The processes run side by side: each pays the interpreter's start-up once."""
    processes = [
        subprocess.Popen([sys.executable, "-m", "symmat", "diff", *argv], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for argv, *_ in ERRORS
    ]
    for (argv, _, message, caret), process in zip(ERRORS, processes):
        out, err = process.communicate(timeout=120)
        assert process.returncode == 2, (argv, err)
        assert out == "" and "Traceback" not in err
        assert err.splitlines() == expected_stderr(message, caret, argv)


def test_console_script_runs_a_derivative():
    """The process reads standard input for `-` and prints the derivative."""
    done = subprocess.run([sys.executable, "-m", "symmat", "diff", "-", "--wrt", "W", "--layout", "denominator"],
                          input="g(W^T a)\n", capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (0, "a ∇g(W^T a)^T\n", "")


def test_a_reader_that_goes_away_is_no_error():
    """`symmat diff ... | head -1`: when the pipe closes first, no traceback."""
    process = subprocess.Popen([sys.executable, "-m", "symmat", "diff", "x^T A x", "--wrt", "x", "--emit", "steps"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    process.stdout.close()  # before the process has printed anything: it is still importing
    err = process.stderr.read()
    process.wait(timeout=120)
    assert "Traceback" not in err and process.returncode == 1
