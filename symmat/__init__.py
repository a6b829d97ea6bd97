"""symmat: symbolic matrix calculus."""
from .errors import (
    ArityError, DeclarationError, DiffError, EvaluationError, ParseError, ShapeError, SymmatError,
    UnknownFunctionError,
)
from .nodes import Expr
from .parse import parse
from .interop.sympy import from_sympy
from .diff import diff

__version__ = "0.1.0"

__all__ = [
    "parse", "from_sympy", "diff", "Expr", "SymmatError", "ParseError", "ShapeError", "DeclarationError",
    "UnknownFunctionError", "ArityError", "EvaluationError", "DiffError", "__version__",
]
