"""Every example in README.md runs and prints what the README shows, so the README
never drifts from the code.

The README's conventions, which these tests read:

- a ```` ```console ```` block holds ``$ symmat ...`` command lines, each followed by its
  output (standard output, then standard error) up to the next ``$`` line; the command
  is run through ``symmat.cli.main`` with the line split as a shell would (shlex), each
  in a fresh interpreter as a user runs it (all at once, so the interpreters start in
  parallel);
- a ```` ```python ```` block runs in a fresh namespace; when a ```` ```text ```` block
  follows it (nothing but blank lines between), that is its printed output;
- the quick start (between the ``<!-- quickstart`` markers) is exactly the two commands,
  and ``.ci/run`` runs both.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from symmat.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
QUICKSTART = [
    "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]' && "
    """symmat diff "g(W^T a)" --wrt W --layout denominator""",
    "pytest",
]

_FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)


@dataclass(frozen=True)
class Block:
    lang: str
    text: str
    line: int  # of the opening fence, 1-based
    start: int  # offsets of the whole fenced block in the README
    end: int


def fenced_blocks(markdown: str) -> list[Block]:
    return [
        Block(m.group(1), m.group(2), markdown.count("\n", 0, m.start()) + 1, m.start(), m.end())
        for m in _FENCE.finditer(markdown)
    ]


@dataclass(frozen=True)
class ShellExample:
    command: str
    output: str
    line: int


def shell_examples(blocks: list[Block]) -> list[ShellExample]:
    examples: list[ShellExample] = []
    for block in blocks:
        if block.lang != "console":
            continue
        command, output, line = None, [], block.line
        for k, text in enumerate(block.text.splitlines(), start=block.line + 1):
            if text.startswith("$ "):
                if command is not None:
                    examples.append(ShellExample(command, "\n".join(output), line))
                command, output, line = text[2:], [], k
            elif command is None:
                raise AssertionError(f"README line {k}: output before any `$` command: {text!r}")
            else:
                output.append(text)
        if command is not None:
            examples.append(ShellExample(command, "\n".join(output), line))
    return examples


@dataclass(frozen=True)
class PythonExample:
    code: str
    output: str | None
    line: int


def python_examples(markdown: str, blocks: list[Block]) -> list[PythonExample]:
    examples = []
    for block, following in zip(blocks, blocks[1:] + [None]):
        if block.lang != "python":
            continue
        output = None
        if following is not None and following.lang == "text" and not markdown[block.end:following.start].strip():
            output = following.text
        examples.append(PythonExample(block.text, output, block.line))
    return examples


MARKDOWN = README.read_text(encoding="utf-8")
BLOCKS = fenced_blocks(MARKDOWN)
SHELL = shell_examples(BLOCKS)
PYTHON = python_examples(MARKDOWN, BLOCKS)


def symmat_argv(command: str) -> list[str]:
    argv = shlex.split(command)
    assert argv[0] == "symmat", f"README commands run through symmat.cli.main: {command!r}"
    return argv[1:]


def run_command(command: str) -> tuple[int, str]:
    """Exit status and output (stdout, then stderr) of a ``symmat`` command line, run
    through ``main`` in this process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(symmat_argv(command))
    return status, out.getvalue() + err.getvalue()


# main(argv) in a fresh interpreter that imports symmat from this tree (cwd is on sys.path).
_FRESH_MAIN = "import sys; from symmat.cli import main; sys.exit(main(sys.argv[1:]))"


def start_command(command: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", _FRESH_MAIN, *symmat_argv(command)], cwd=ROOT, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


@pytest.fixture(scope="module")
def shell_runs() -> dict[int, tuple[int, str]]:
    """Every README command's (exit status, stdout + stderr), by example line."""
    started = {example.line: start_command(example.command) for example in SHELL}
    runs = {}
    for line, process in started.items():
        out, err = process.communicate(timeout=300)
        runs[line] = (process.returncode, out + err)
    return runs


def run_python(code: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(README), "exec"), {"__name__": "__readme__"})
    return out.getvalue()


def test_readme_has_examples_of_every_use():
    commands = " ".join(e.command for e in SHELL)
    for option in ("symmat diff", "--emit latex", "--check", "--json", "--emit index", "--emit steps",
                   "--emit numpy", "symmat parse"):
        assert option in commands, option
    code = " ".join(e.code for e in PYTHON)
    assert "symmat.diff(" in code and "from_sympy" in code and "MatrixSymbol" in code


_CHECK_ERROR = re.compile(r"(check: max relative error )(\S+)")


def measured(output: str) -> tuple[str, list[float]]:
    """The output with --check's measured error taken out (its last digits depend on the
    platform's floating point), and those errors."""
    errors = [float(m.group(2)) for m in _CHECK_ERROR.finditer(output)]
    return _CHECK_ERROR.sub(r"\1<error>", output), errors


@pytest.mark.parametrize("example", SHELL, ids=[f"line {e.line}: {e.command}" for e in SHELL])
def test_shell_example(example: ShellExample, shell_runs):
    status, output = shell_runs[example.line]
    got, errors = measured(output.rstrip("\n"))
    shown, shown_errors = measured(example.output.rstrip("\n"))
    assert got == shown
    # The README's measured errors are small, and so are today's.
    assert all(e < 1e-8 for e in errors + shown_errors), (errors, shown_errors)
    # An example either succeeds or shows the error it is about.
    assert status == (2 if example.output.startswith("symmat: error") else 0), output


@pytest.mark.parametrize("example", PYTHON, ids=[f"line {e.line}" for e in PYTHON])
def test_python_example(example: PythonExample):
    for framework in re.findall(r"^import (jax|torch)\b", example.code, re.M):  # optional extras
        pytest.importorskip(framework, reason=f"{framework} is not installed (pip install 'symmat-cas[{framework}]')")
    printed = run_python(example.code)
    if example.output is not None:
        assert printed.rstrip("\n") == example.output.rstrip("\n")


def test_quickstart_is_the_two_commands():
    found = re.search(r"<!-- quickstart[^>]*-->\s*```\w*\n(.*?)```\s*<!-- /quickstart -->", MARKDOWN, re.S)
    assert found, "the README's quick start markers"
    assert found.group(1).splitlines() == QUICKSTART
    status, output = run_command(QUICKSTART[0].rsplit(" && ", 1)[1])
    assert status == 0 and output.strip()


def test_ci_runs_the_quickstart_commands():
    """.ci/run checks the quick start's symmat command from outside the tree and runs
    the README's test command as written."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    stripped = [line.strip() for line in ci]
    assert QUICKSTART[0].rsplit(" && ", 1)[1] in " ".join(stripped)
    assert QUICKSTART[1] in stripped
