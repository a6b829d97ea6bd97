"""Base printer: dispatch to ``_print_<ClassName>`` and parenthesise by precedence."""
from __future__ import annotations

from .. import nodes as N
from .precedence import precedence

MEMO_LIMIT = 256  # characters


class Printer:
    def __init__(self, sized: frozenset | set = frozenset(), names: dict | None = None):
        self.memo: dict[int, str] = {}
        # ids of the constants printed with their sizes (see sizes.py)
        self.sized = sized
        # subexpressions printed as a name (see shared.py); their definitions are
        # printed by ``structure``
        self.names: dict[N.Expr, str] = names or {}

    def doprint(self, node: N.Expr) -> str:
        key = id(node)
        text = self.memo.get(key)
        if text is None:
            name = self.names.get(node) if self.names else None
            text = name if name is not None else self.structure(node)
            # Only short texts are kept: a long one belongs to a node printed once (a
            # repeated large subexpression prints as its name, see shared.py), and keeping
            # every level of a deep nested result would hold depth × length characters.
            if len(text) <= MEMO_LIMIT:
                self.memo[key] = text
        return text

    def structure(self, node: N.Expr) -> str:
        """``node`` written out, even where it has a name."""
        method = getattr(self, "_print_" + type(node).__name__, None)
        if method is None:
            raise NotImplementedError(f"{type(self).__name__} cannot print {type(node).__name__}")
        return method(node)

    def named(self, node: N.Expr) -> bool:
        return bool(self.names) and node in self.names

    def paren(self, text: str) -> str:
        return f"({text})"

    def at_least(self, node: N.Expr, level: int) -> str:
        """``node`` printed, in parentheses unless it binds at least as tightly as ``level``."""
        text = self.doprint(node)
        return text if self.named(node) or precedence(node) >= level else self.paren(text)
