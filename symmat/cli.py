"""The ``symmat`` command: argument parsing and exit codes only; the API does the work.

Each subcommand is one ``add_<name>_command(subparsers)`` function that declares its
arguments and sets ``run``, a function of the parsed arguments that prints the result
and returns the exit status. Add a subcommand by appending its function to
:data:`SUBCOMMANDS`.

Exit status: 0 on success, 1 when ``diff --check`` finds the result wrong, 2 on bad input (a
:class:`SymmatError`, shown with a caret under the offending place) and on bad usage (argparse's own convention).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import keyword
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import __version__
from .api import diff
from .errors import DiffError, SymmatError, SymmatWarning
from .parse import parse
from .recursion import deep
from .report import derivative_record, format_shape, where_text


def _verify():
    """``symmat.check.verify``, imported only for --check: it needs NumPy, which a
    derivative printed as text or LaTeX does not (half the cold start)."""
    from .check import verify

    return verify

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class UsageError(Exception):
    """Options that do not go together; reported like argparse's own usage errors."""


def read_expression(text: str) -> str:
    """The EXPR argument, or standard input when it is ``-``. Standard input is read as
    UTF-8 whatever the locale, bytes that are not UTF-8 kept (as the command line keeps
    them) so that the parser reports them where they are."""
    if text != "-":
        return text
    stdin = getattr(sys.stdin, "buffer", None)
    data = sys.stdin.read() if stdin is None else stdin.read().decode("utf-8", "surrogateescape")
    return data.strip()


# ------------------------------------------------------------------ parse
def run_parse(args: argparse.Namespace) -> int:
    expr = parse(read_expression(args.expr), args.where)
    print(expr)
    print(f"shape: {format_shape(expr.shape)}")
    names = where_text(expr)
    if names:
        print(f"where: {names}")
    return EXIT_OK


def add_parse_command(subparsers) -> None:
    p = subparsers.add_parser(
        "parse", help="read an expression; print it back with its shape",
        description="Parse EXPR, infer every shape, and print the expression, its shape and "
        "the shapes of its names.",
    )
    p.add_argument("expr", metavar="EXPR", help="the expression, e.g. \"g(W^T a)\"; - reads it from standard input")
    p.add_argument("--where", default=None, help="declarations, e.g. \"W: m x n; a: m; g: R^n -> R\"")
    p.set_defaults(run=run_parse)


# ------------------------------------------------------------------ diff
EMITS = ("text", "latex", "numpy", "jax", "torch", "steps", "index")
CODE_EMITS = ("numpy", "jax", "torch")  # a Python function, from Expr.numpy / .jax / .torch

@dataclass(frozen=True)
class Example:
    """A command shown in ``--help``, with what it prints (standard output, then standard
    error). tests/test_cli_help.py runs every one and compares, so the help cannot drift;
    ``output=None`` shows the command alone (its output is too long to show) and the test
    only checks that it succeeds and prints."""

    command: str  # the arguments after "symmat", as typed in a shell
    output: str | None = None
    stdin: str | None = None  # shown as `echo "..." | symmat ...`
    to_file: str | None = None  # shown as `symmat ... > FILE`

    def shown(self) -> str:
        line = f"symmat {self.command}"
        if self.stdin is not None:
            line = f'echo "{self.stdin}" | {line}'
        if self.to_file is not None:
            line = f"{line} > {self.to_file}"
        lines = [f"  {line}"] + [f"      {out}" for out in (self.output or "").splitlines()]
        return "\n".join(lines)


def examples_epilog(examples: Sequence[Example], note: str) -> str:
    return "examples:\n" + "\n".join(e.shown() for e in examples) + "\n\n" + note


DIFF_EXAMPLES = [
    Example('diff "g(W^T a)" --wrt W --layout denominator', "a ∇g(W^T a)^T"),
    Example('diff "norm(A x - b)^2" --wrt x --emit latex', "2 \\left(A x - b\\right)^\\top A"),
    Example('diff "x^T A x" --wrt x --order 2', "A + A^T"),
    Example('diff "logdet(X)" --wrt X --check',
            "X^-1\ncheck: max relative error 4e-11 over 3 random inputs (finite differences)"),
    Example('diff "W x" --wrt W --emit index', "∂(W x)[i]/∂W[k,j] = δ[i,k] x[j]\n∂(W x)/∂vec(W) = kron(x^T, I_m)"),
    Example('diff "tr(A X B)" --wrt X --where "A: p x m; B: n x p" --json'),
    Example('diff "log(det(X))" --wrt X --emit steps --document', to_file="steps.tex"),
    Example("diff - --wrt w --emit numpy", stdin="sigmoid(w^T x)"),
]

DIFF_NOTE = """\
Undeclared names: uppercase is a matrix, lowercase a vector, an unknown function an
abstract scalar function; every size is inferred. Exit status: 0 on success, 1 when
--check finds the derivative wrong, 2 on bad input (the message points at the place).
"""

MAIN_EXAMPLES = [
    Example('parse "g(W^T a)"', "g(W^T a)\nshape: scalar\nwhere: W: m x n; a: m; g: R^n -> R"),
    Example('diff "g(W^T a)" --wrt W --layout denominator', "a ∇g(W^T a)^T"),
]

MAIN_NOTE = "symmat COMMAND --help shows a command's options and more examples.\n"

NUMPY_FUNCTION_NAME = "d_f"  # the generated function's name unless --name gives one


def load_steps() -> Callable[..., str]:
    """``symmat.steps.steps_latex``, imported only when asked for, so that every other
    use works whether or not this version has step-by-step derivations."""
    try:
        from .steps import steps_latex
    except ImportError as error:
        if error.name != f"{__package__}.steps":
            raise  # a bug inside symmat.steps, not its absence
        raise DiffError("step-by-step derivations (--emit steps) are not available in this version") from None
    return steps_latex


def function_name(name: str | None) -> str:
    """The generated function's name: ``--name`` if given (a Python identifier), else d_f."""
    if name is None:
        return NUMPY_FUNCTION_NAME
    if not name.isidentifier() or keyword.iskeyword(name):
        raise UsageError(f"--name must be a Python identifier, not {name!r}")
    return name


def run_diff(args: argparse.Namespace) -> int:
    if args.document and args.emit != "steps":
        raise UsageError("--document goes with --emit steps")
    name = function_name(args.name)
    text = read_expression(args.expr)
    f = parse(text, args.where)
    options = dict(layout=args.layout, where=args.where, order=args.order, symmetric=args.symmetric)
    result = diff(f, args.wrt, form="index" if args.emit == "index" else "matrix", **options)
    if args.emit == "steps":
        output = load_steps()(text, args.wrt, layout=args.layout, where=args.where, document=args.document,
                              order=args.order, symmetric=args.symmetric)
    elif args.emit == "latex":
        output = result.latex()
    elif args.emit in CODE_EMITS:
        output = getattr(result, args.emit)(name)
    else:
        output = str(result)
    if args.json:
        record = derivative_record(text, f, result, wrt=args.wrt, layout=args.layout, order=args.order,
                                   symmetric=args.symmetric)
        if args.emit in CODE_EMITS + ("steps",):
            record[args.emit] = output
        report = _verify()(f, args.wrt, **options) if args.check else None
        if report is not None:
            record["check"] = report.as_dict()
        print(json.dumps(record, indent=2, ensure_ascii=False))
    else:
        # The result first: it stands even when the check cannot run. stdout holds the
        # result alone (a file that imports or compiles); the check reports on stderr.
        print(output.rstrip("\n"), flush=True)
        report = _verify()(f, args.wrt, **options) if args.check else None
        if report is not None:
            print(report.summary(), file=sys.stderr)
    return EXIT_CHECK_FAILED if report is not None and not report.passed else EXIT_OK


def add_diff_command(subparsers) -> None:
    p = subparsers.add_parser(
        "diff", help="differentiate an expression with respect to a variable",
        description="Differentiate EXPR with respect to the variable --wrt and print the derivative "
        "(matrix notation where one exists, index notation for results of rank 3 and more).",
        epilog=examples_epilog(DIFF_EXAMPLES, DIFF_NOTE), formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("expr", metavar="EXPR", help="the expression, e.g. \"g(W^T a)\"; - reads it from standard input")
    p.add_argument("--wrt", required=True, metavar="X", help="the variable to differentiate by")
    # layout and --symmetric are checked by symmat.diff, so that a bad value is reported
    # the same way from Python and from here.
    p.add_argument("--layout", default="numerator", metavar="{numerator,denominator}",
                   help="numerator (default): a gradient is a row vector; denominator: it has the variable's shape")
    p.add_argument("--where", default=None, help="declarations, e.g. \"W: m x n; a: m; g: R^n -> R\"")
    p.add_argument("--order", type=int, default=1, metavar="K", help="differentiate K times (2: the Hessian)")
    p.add_argument("--symmetric", default="unconstrained", metavar="{unconstrained,symmetric}",
                   help="by a matrix declared symmetric: entries independent (default), or the gradient "
                   "in the space of symmetric matrices, (G + G^T)/2")
    p.add_argument("--emit", default="text", choices=EMITS,
                   help="text (default, the input language), latex, numpy / jax / torch (a Python function "
                   "for NumPy, JAX or PyTorch), steps (the derivation as LaTeX), index (index notation)")
    p.add_argument("--document", action="store_true",
                   help="with --emit steps: a standalone LaTeX document")
    p.add_argument("--check", action="store_true",
                   help="also compare the result with finite differences at random inputs; exit 1 if they disagree")
    p.add_argument("--json", action="store_true",
                   help="print a JSON object: input, inferred shapes, the request, result as text and LaTeX "
                   "(an error too is a JSON object, {\"error\": ...})")
    p.add_argument("--name", default=None, metavar="NAME",
                   help=f"the name of the generated function (default {NUMPY_FUNCTION_NAME})")
    p.set_defaults(run=run_diff)


SUBCOMMANDS: list[Callable] = [add_parse_command, add_diff_command]


# ------------------------------------------------------------------ main
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="symmat", description="Symbolic matrix calculus: parse and differentiate matrix expressions.",
        epilog=examples_epilog(MAIN_EXAMPLES, MAIN_NOTE), formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"symmat {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in SUBCOMMANDS:
        add(subparsers)
    return parser


def report_json_error(args: argparse.Namespace, error: Exception, kind: str) -> None:
    """With --json, an error is a JSON object on stdout as well (the message on stderr
    stays): ``{"error": {"type": ..., "message": ..., "text": ..., "column": ...}}``."""
    if not getattr(args, "json", False):
        return
    record: dict = {"type": kind, "message": getattr(error, "message", str(error))}
    column = getattr(error, "column", None)
    if column is not None:
        record.update(text=getattr(error, "text", None), column=column)
    print(json.dumps({"error": record}, indent=2, ensure_ascii=False))


_python_showwarning = warnings.showwarning


def _show_warning(message, category, *args, **kwargs) -> None:
    """A symmat warning (a probable typo) as one note on stderr; others as Python shows them."""
    if issubclass(category, SymmatWarning):
        print(f"symmat: warning: {message}", file=sys.stderr)
    else:
        _python_showwarning(message, category, *args, **kwargs)


@deep
def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    captured = io.StringIO()
    try:
        with contextlib.redirect_stderr(captured):
            args = parser.parse_args(argv)
    except SystemExit as stop:  # usage errors (2), --help and --version (0)
        sys.stderr.write(captured.getvalue())
        code = stop.code if isinstance(stop.code, int) else EXIT_BAD_INPUT
        if code == EXIT_BAD_INPUT and "--json" in argv:
            lines = captured.getvalue().strip().splitlines()
            message = lines[-1].split("error: ", 1)[-1] if lines else "invalid usage"
            print(json.dumps({"error": {"type": "UsageError", "message": message}}, indent=2, ensure_ascii=False))
        return code
    sys.stderr.write(captured.getvalue())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", SymmatWarning)
            warnings.showwarning = _show_warning
            return args.run(args)
    except SymmatError as error:
        print(f"symmat: error: {error}", file=sys.stderr)
        report_json_error(args, error, type(error).__name__)
        return EXIT_BAD_INPUT
    except UsageError as error:
        print(f"symmat {args.command}: error: {error}", file=sys.stderr)
        report_json_error(args, error, "UsageError")
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # The reader went away (`symmat diff ... | head`): stop quietly, and keep Python
        # from complaining again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_CHECK_FAILED
    except RecursionError:
        print("symmat: error: the expression is nested too deeply", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
