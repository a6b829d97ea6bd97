"""Declarations (``where``, contract §2), from a string or a dict.

    W: m x n; a: m; c: scalar; S: n x n symmetric; g: R^n -> R; s: elementwise
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NoReturn

from .errors import DeclarationError, reject_invalid_utf8
from .functions import is_reserved

# Undeclared names that are scalars by the seeds' notation (contract §2): the lowercase
# Greek letters below and their spelled-out names. π and pi are the constant.
SCALAR_NAMES = frozenset("αβγδεηκλνρτ") | frozenset(
    "alpha beta gamma delta eps epsilon eta kappa lambda nu rho tau".split()
)
PI_NAMES = frozenset(["pi", "π"])

_NAME = re.compile(r"(?!\d)[^\W²ᵀ]+$")
_DIM = re.compile(r"(?!\d)[^\W²ᵀ]+$|\d+$")
_SPACE = re.compile(r"R(?:\s*\^\s*\{?\s*([^\s}x×]+)\s*\}?)?")
_SIGNATURE = re.compile(r"R.*(->|→)\s*R.*$")
_FUNCTION = re.compile(r"R\s*\^\s*\{?\s*([^\s}]+)\s*\}?\s*(->|→)\s*R$")


@dataclass(frozen=True)
class Variable:
    shape: tuple  # of dims: str names or ints
    symmetric: bool = False


@dataclass(frozen=True)
class Signature:
    """An abstract function of several arguments or with a vector value:
    ``g: R^n x R^m -> R`` is ``Signature((n, m), None)``, ``h: R^n -> R^m`` is
    ``Signature((n,), m)``; an argument ``R`` (no exponent) is a scalar, dimension None."""

    args: tuple[int | str | None, ...]
    out: int | str | None = None


@dataclass
class Declarations:
    variables: dict[str, Variable] = field(default_factory=dict)
    # name -> argument dim (g: R^n -> R), None (g: function) or a Signature
    functions: dict[str, int | str | Signature | None] = field(default_factory=dict)
    elementwise: set[str] = field(default_factory=set)

    def declares(self, name: str) -> bool:
        return name in self.variables or name in self.functions or name in self.elementwise

    def dim_names(self) -> set[str]:
        names = {d for v in self.variables.values() for d in v.shape if isinstance(d, str)}
        for f in self.functions.values():
            dims = (*f.args, f.out) if isinstance(f, Signature) else (f,)
            names |= {d for d in dims if isinstance(d, str)}
        return names


Where = None | str | Mapping[str, object] | Declarations


def parse_declarations(where: Where) -> Declarations:
    if where is None:
        return Declarations()
    if isinstance(where, Declarations):
        return where
    decls = Declarations()
    if isinstance(where, str):
        reject_invalid_utf8(where, DeclarationError, "the declarations")
        offset = 0
        for part in where.split(";"):
            if part.strip():
                _declare(decls, part, where, offset)
            offset += len(part) + 1
        _check_dimension_names(decls, where)
        return decls
    if isinstance(where, Mapping):
        for name, spec in where.items():
            text = spec if isinstance(spec, str) else _spec_from_value(name, spec)
            _declare(decls, f"{name}: {text}", None, 0)
        _check_dimension_names(decls, None)
        return decls
    raise DeclarationError(f"where must be a string or a dict, not {type(where).__name__}")


def _check_dimension_names(decls: Declarations, text: str | None) -> None:
    """A name is a dimension or a scalar, never both: a number given for it could not
    say which (``n: scalar`` and ``W: m x n`` would make 5 both n and W's width)."""
    scalars = {name for name, v in decls.variables.items() if not v.shape}
    clash = sorted(decls.dim_names() & scalars)
    if clash:
        name = clash[0]
        at = None
        if text is not None:
            found = re.search(rf"(?<![^\W\d]){re.escape(name)}\s*:", text)
            at = found.start() if found else None
        raise DeclarationError(
            f"{name!r} is declared a scalar and also used as a dimension; "
            "give the dimension another name", text, at,
        )


def _signature(spec: str, fail: Callable[[str], NoReturn]) -> Signature:
    """``R^n x R^m -> R`` or ``R^n -> R^m`` (an argument ``R`` is a scalar)."""
    left, right = re.split(r"->|→", spec, maxsplit=1)
    spaces = []
    for part in re.split(r"\s+x\s+|\s*×\s*", left.strip()):
        found = _SPACE.fullmatch(part.strip())
        if not found:
            fail(f"cannot read the argument space {part.strip()!r}: expected R or R^DIM")
        spaces.append(found.group(1))
    found = _SPACE.fullmatch(right.strip())
    if not found:
        fail(f"cannot read the value space {right.strip()!r}: expected R or R^DIM")
    dims = [d for d in spaces + [found.group(1)] if d is not None]
    for d in dims:
        if not _DIM.match(d):
            fail(f"{d!r} is not a dimension")

    def dim(d: str | None) -> int | str | None:
        return None if d is None else int(d) if d.isdigit() else d

    return Signature(tuple(dim(d) for d in spaces), dim(found.group(1)))


def _spec_from_value(name: str, spec) -> str:
    if isinstance(spec, (tuple, list)):
        if not spec:
            return "scalar"
        return " x ".join(str(d) for d in spec)
    raise DeclarationError(f"declaration of {name!r} must be a string or a tuple of dimensions")


def _declare(decls: Declarations, part: str, text: str | None, offset: int) -> None:
    def fail(message: str, at: int) -> NoReturn:
        raise DeclarationError(message, text, offset + at if text is not None else None)

    if ":" not in part:
        fail(f"expected 'NAME: shape' in declaration {part.strip()!r}", len(part) - len(part.lstrip()))
    name_part, spec_part = part.split(":", 1)
    name = name_part.strip()
    name_at = len(name_part) - len(name_part.lstrip())
    spec_at = len(name_part) + 1 + len(spec_part) - len(spec_part.lstrip())
    spec = spec_part.strip()
    if not _NAME.match(name):
        fail(f"{name!r} is not a valid name", name_at)
    if is_reserved(name):
        fail(f"{name!r} is a built-in name and cannot be declared", name_at)
    if decls.declares(name):
        fail(f"{name!r} is declared twice", name_at)

    words = spec.split()
    if spec == "scalar":
        decls.variables[name] = Variable(())
    elif spec in ("elementwise", "elementwise function"):
        decls.elementwise.add(name)
    elif spec == "function":
        decls.functions[name] = None
    elif _SIGNATURE.match(spec) and not _FUNCTION.match(spec):
        decls.functions[name] = _signature(spec, lambda message: fail(message, spec_at))
    elif (function := _FUNCTION.match(spec)) is not None:
        dim = function.group(1)
        if not _DIM.match(dim):
            fail(f"{dim!r} is not a dimension", spec_at)
        decls.functions[name] = int(dim) if dim.isdigit() else dim
    else:
        symmetric = bool(words) and words[-1] == "symmetric"
        dims_text = " ".join(words[:-1] if symmetric else words)
        dims = [d.strip() for d in re.split(r"\s+x\s+|\s*×\s*", dims_text)] if dims_text else []
        if not dims or len(dims) > 2 or not all(_DIM.match(d) for d in dims):
            fail(
                f"cannot read the shape {spec!r} of {name}: expected 'scalar', 'DIM', 'DIM x DIM' "
                "(optionally 'symmetric'), 'R^DIM -> R', 'function' or 'elementwise'",
                spec_at,
            )
        shape = tuple(int(d) if d.isdigit() else d for d in dims)
        if symmetric and (len(shape) != 2 or shape[0] != shape[1]):
            fail(f"{name} is declared symmetric but is not square", spec_at)
        decls.variables[name] = Variable(shape, symmetric)
