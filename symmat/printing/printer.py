"""Base printer: dispatch to ``_print_<ClassName>`` and parenthesise by precedence."""
from __future__ import annotations

from .. import nodes as N
from .precedence import precedence


class Printer:
    def __init__(self, sized: frozenset | set = frozenset()):
        self.memo: dict[int, str] = {}
        # ids of the constants printed with their sizes (see sizes.py)
        self.sized = sized

    def doprint(self, node: N.Expr) -> str:
        key = id(node)
        if key not in self.memo:
            method = getattr(self, "_print_" + type(node).__name__, None)
            if method is None:
                raise NotImplementedError(f"{type(self).__name__} cannot print {type(node).__name__}")
            self.memo[key] = method(node)
        return self.memo[key]

    def paren(self, text: str) -> str:
        return f"({text})"

    def at_least(self, node: N.Expr, level: int) -> str:
        """``node`` printed, in parentheses unless it binds at least as tightly as ``level``."""
        text = self.doprint(node)
        return text if precedence(node) >= level else self.paren(text)
