"""Imports point one way: a module imports only from its own layer or the layers below.

The layers, lowest first (the README's "Layout of the code" states the same rule):

    foundation      errors, the elementwise table, shapes, how numbers are written,
                    the registry of matrix functions (plain data, read by every layer),
                    the recursion limit of the public entry points
    nodes           the typed expression tree, its algebra, provenance beside it
    language        declarations and the parser (text -> nodes; the tables write
                    their formulas in the language, so it sits just above the nodes)
    index           index-form tensors: lowering, notation
    differentiation the engine: ∂f/∂x in index form, layouts, higher orders, and the
                    elementwise functions' derivative formulas (built by the engine)
    evaluation      numbers for nodes and tensors (tanh''(x) too), random samples
    matrix form     index form back to matrix notation
    simplify        rewrite rules and the engine that applies them
    printing        text, LaTeX, NumPy/JAX/PyTorch printers
    results         labelled index form of a derivative, what --json reports
    interop         SymPy in and out
    api             symmat.diff: reads its arguments, orchestrates the stages
    steps, check    derivations by differentials, the numeric check
    primitives      the matrix functions, one module each: each describes its function
                    to every layer below and registers it (symmat.registry)
    cli             the command line and the package's front door

Every import is read, including those inside functions (``ast``, not the import
graph at run time). On top of the order, printers never differentiate nor simplify
(they print what they are given; the code printers' derivative formulas and stable
forms are data computed below them).

One kind of upward import is allowed, each listed below by name (KNOWN_UPWARD lists
edges still to be removed by the work that owns them; it is empty):

- the convenience methods on expressions (``Expr.evaluate``, ``.latex``, ``.numpy``,
  ``.to_sympy``, ``str(IndexExpr)``, ...), as in SymPy: a lazy import inside the method,
  so that ``expr.latex()`` works without importing the printers first.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "symmat"

# Lowest first. A module belongs to the layer of the longest prefix that names it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("foundation", ("symmat.errors", "symmat.functions", "symmat.shapes", "symmat.numbers", "symmat.registry",
                    "symmat.recursion")),
    ("nodes", ("symmat.nodes", "symmat.algebra", "symmat.provenance")),
    ("language", ("symmat.declarations", "symmat.parse")),
    ("index", ("symmat.index",)),
    ("differentiation", ("symmat.differentiation",)),
    ("evaluation", ("symmat.evaluate", "symmat.index.evaluate", "symmat.sample")),
    ("matrix form", ("symmat.matrix_form",)),
    ("simplify", ("symmat.simplify",)),
    ("printing", ("symmat.printing",)),
    ("results", ("symmat.index_form", "symmat.report")),
    ("interop", ("symmat.interop",)),
    ("api", ("symmat.api",)),
    ("steps and check", ("symmat.steps", "symmat.check")),
    ("primitives", ("symmat.primitives",)),
    ("cli", ("symmat.cli", "symmat.__main__", "symmat")),
]

# (importer prefix, imported prefix): never, whatever the layers say.
NEVER: list[tuple[str, str, str]] = [
    ("symmat.printing", "symmat.differentiation", "printers never differentiate"),
    ("symmat.printing", "symmat.api", "printers never differentiate"),
    ("symmat.printing", "symmat.simplify.engine", "printers never simplify"),
    ("symmat.evaluate", "symmat.simplify", "evaluation never simplifies"),
    ("symmat.index.evaluate", "symmat.simplify", "evaluation never simplifies"),
]

# Convenience methods on expressions (module, enclosing function): lazy upward imports.
CONVENIENCE: set[tuple[str, str]] = {
    ("symmat.nodes", "Expr.evaluate"),
    ("symmat.nodes", "Expr.__str__"),
    ("symmat.nodes", "Expr.latex"),
    ("symmat.nodes", "Expr.numpy"),
    ("symmat.nodes", "Expr.jax"),
    ("symmat.nodes", "Expr.torch"),
    ("symmat.nodes", "Expr.to_sympy"),
    ("symmat.index.expr", "IndexExpr.evaluate"),
    ("symmat.index.expr", "IndexExpr.vec_form"),
    ("symmat.index.expr", "IndexExpr.__str__"),
    ("symmat.index.expr", "IndexExpr.latex"),
}

# Known upward edges (importer, imported), each to be deleted by the work that owns it.
KNOWN_UPWARD: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    function: str  # qualified name of the enclosing function, "" at module level


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def exists(module: str) -> bool:
    base = ROOT.parent.joinpath(*module.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def imports_of(path: Path) -> list[Import]:
    """Every import of a symmat module in ``path``, with the function it sits in."""
    importer = module_name(path)
    package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
    found: list[Import] = []

    def visit(node: ast.AST, scope: tuple[str, ...]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                visit(child, scope + (child.name,))
                continue
            function = ".".join(scope)
            if isinstance(child, ast.Import):
                for alias in child.names:
                    found.append(Import(importer, alias.name, child.lineno, function))
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    source = ".".join(base + ([child.module] if child.module else []))
                else:
                    source = child.module or ""
                for alias in child.names:
                    # `from . import nodes` imports the module symmat.nodes; `from .x import f`
                    # imports from symmat.x.
                    sub = f"{source}.{alias.name}"
                    found.append(Import(importer, sub if exists(sub) else source, child.lineno, function))
            visit(child, scope)

    visit(ast.parse(path.read_text(encoding="utf-8")), ())
    return [i for i in found if i.imported == "symmat" or i.imported.startswith("symmat.")]


def within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def layer_of(module: str) -> int:
    best, depth = -1, -1
    for k, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if within(module, prefix) and prefix.count(".") > depth:
                best, depth = k, prefix.count(".")
    return best


def all_imports() -> list[Import]:
    """Each (importer, imported, line, function) once (``from x import a, b`` is one)."""
    return sorted({i for path in sorted(ROOT.rglob("*.py")) for i in imports_of(path)},
                  key=lambda i: (i.importer, i.line, i.imported))


def test_every_module_has_a_layer():
    """A new module is placed in the table (the catch-all `symmat` is the cli layer,
    so a new top-level module must be placed by hand)."""
    unplaced = []
    for path in sorted(ROOT.rglob("*.py")):
        name = module_name(path)
        k = layer_of(name)
        if k == len(LAYERS) - 1 and name not in LAYERS[-1][1]:
            unplaced.append(name)
    assert not unplaced, f"modules with no layer in LAYERS: {unplaced}"


def test_imports_point_down():
    wrong = []
    for i in all_imports():
        low, high = layer_of(i.importer), layer_of(i.imported)
        if high <= low:
            continue
        if (i.importer, i.function) in CONVENIENCE or (i.importer, i.imported) in KNOWN_UPWARD:
            continue
        where = f" in {i.function}()" if i.function else ""
        wrong.append(f"{i.importer} (line {i.line}{where}, layer {LAYERS[low][0]}) imports "
                     f"{i.imported} (layer {LAYERS[high][0]})")
    assert not wrong, "imports from a lower layer to a higher one:\n" + "\n".join(wrong)


def test_printers_and_evaluators_never_derive_or_simplify():
    wrong = [f"{i.importer} (line {i.line}) imports {i.imported}: {why}"
             for i in all_imports() for importer, imported, why in NEVER
             if within(i.importer, importer) and within(i.imported, imported)]
    assert not wrong, "\n".join(wrong)


def test_the_exceptions_are_still_needed():
    """An allowed exception that no import uses any more is removed from the lists."""
    imports = all_imports()
    used = {(i.importer, i.function) for i in imports}
    assert not CONVENIENCE - used, f"CONVENIENCE entries no import uses: {CONVENIENCE - used}"
    edges = {(i.importer, i.imported) for i in imports}
    assert not KNOWN_UPWARD - edges, f"KNOWN_UPWARD entries no import uses: {KNOWN_UPWARD - edges}"


def test_the_reader_sees_imports_inside_functions():
    """The reader itself: function-local and relative imports are found and resolved."""
    found = {(i.imported, i.function) for i in imports_of(ROOT / "nodes.py")}
    assert ("symmat.printing.latex", "Expr.latex") in found
    assert ("symmat.errors", "") in found
