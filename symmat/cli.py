"""The ``symmat`` command: argument parsing and exit codes only; the API does the work.

Each subcommand is one ``add_<name>_command(subparsers)`` function that declares its
arguments and sets ``run``, a function of the parsed arguments that prints the result
and returns the exit status. Add a subcommand by appending its function to
:data:`SUBCOMMANDS`.

Exit status: 0 on success, 2 on bad input (a :class:`SymmatError`, shown with a caret
under the offending place) and on bad usage (argparse's own convention).
"""
from __future__ import annotations

import argparse
import sys
from typing import Callable, Sequence

from . import __version__
from .errors import SymmatError
from .nodes import Expr
from .parse import parse

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def read_expression(text: str) -> str:
    """The EXPR argument, or standard input when it is ``-``."""
    return sys.stdin.read().strip() if text == "-" else text


def format_shape(shape: tuple) -> str:
    return " x ".join(str(d) for d in shape) if shape else "scalar"


def describe_names(expr: Expr) -> str:
    """The variables and abstract functions with their (inferred) shapes, in the
    ``where`` syntax, so the user sees what inference decided."""
    parts = []
    for name, symbol in expr.free_symbols().items():
        spec = format_shape(symbol.shape) + (" symmetric" if symbol.symmetric else "")
        parts.append(f"{name}: {spec}")
    from . import nodes as N

    for node in N.walk(expr):
        if isinstance(node, N.Call):
            argument = node.args[1].shape
            parts.append(f"{node.name}: R^{argument[0] if argument else 1} -> R")
        elif isinstance(node, N.Elementwise) and node.is_abstract:
            parts.append(f"{node.name}: elementwise")
    return "; ".join(dict.fromkeys(parts))


# ------------------------------------------------------------------ parse
def run_parse(args: argparse.Namespace) -> int:
    expr = parse(read_expression(args.expr), args.where)
    print(expr)
    print(f"shape: {format_shape(expr.shape)}")
    names = describe_names(expr)
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


SUBCOMMANDS: list[Callable] = [add_parse_command]


# ------------------------------------------------------------------ main
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="symmat", description="Symbolic matrix calculus: parse and differentiate matrix expressions.",
    )
    parser.add_argument("--version", action="version", version=f"symmat {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in SUBCOMMANDS:
        add(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # usage errors (2), --help and --version (0)
        return stop.code if isinstance(stop.code, int) else EXIT_BAD_INPUT
    try:
        return args.run(args)
    except SymmatError as error:
        print(f"symmat: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except RecursionError:
        print("symmat: error: the expression is nested too deeply", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
