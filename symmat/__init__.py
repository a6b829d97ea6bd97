"""symmat: symbolic matrix calculus."""
from . import primitives  # noqa: F401  (registers the matrix functions: see symmat.registry)
from .api import diff
from .errors import (
    ArityError,
    DeclarationError,
    DiffError,
    EvaluationError,
    InteropError,
    ParseError,
    ShapeError,
    SymmatError,
    UnknownFunctionError,
    UnsupportedStep,
)
from .index import reading as _reading  # noqa: F401  (plugs index notation into the parser)
from .nodes import Expr
from .parse import parse


def from_sympy(expr):
    """A SymPy matrix expression as a symmat expression (see symmat.interop.sympy).
    SymPy is imported on first use, so `import symmat` stays fast."""
    from .interop.sympy import from_sympy as convert

    return convert(expr)


__version__ = "0.1.0"

__all__ = [
    "parse", "from_sympy", "diff", "Expr", "SymmatError", "ParseError", "ShapeError", "DeclarationError",
    "UnknownFunctionError", "ArityError", "EvaluationError", "DiffError", "InteropError", "UnsupportedStep",
    "__version__",
]
