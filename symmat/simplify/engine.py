"""Applies the rules of rules.py bottom-up until none applies."""
from __future__ import annotations

from .. import nodes as N
from .rules import RULES, STABLE_FORMS

MAX_REWRITES_PER_NODE = 50


class Simplifier:
    def __init__(self, rules=RULES):
        self.rules = rules
        self.memo: dict[N.Expr, N.Expr] = {}

    def __call__(self, e: N.Expr) -> N.Expr:
        if e in self.memo:
            return self.memo[e]
        result = self._rebuild(e)
        seen = {result}
        for _ in range(MAX_REWRITES_PER_NODE):
            rewritten = self._rewrite_once(result)
            if rewritten is None:
                break
            # A rewrite may expose new work in the children it built.
            result = self._rebuild(rewritten)
            if result in seen:
                raise AssertionError(f"simplification rules cycle on {result!r}")
            seen.add(result)
        self.memo[e] = result
        return result

    def _rebuild(self, e: N.Expr) -> N.Expr:
        if not e.children:
            return e
        args = tuple(self(a) if isinstance(a, N.Expr) else a for a in e.args)
        if all(x is y for x, y in zip(args, e.args)):
            return e
        # Every node class takes its ``args`` back as constructor arguments.
        return type(e)(*args)

    def _rewrite_once(self, e: N.Expr) -> N.Expr | None:
        for rule in self.rules.get(type(e), ()):
            result = rule(e)
            if result is not None and result != e:
                assert result.type.shape == e.type.shape, (rule.__name__, e, result)
                return result
        return None


def simplify(e: N.Expr) -> N.Expr:
    from ..parse import ensure_recursion_limit

    ensure_recursion_limit()
    return Simplifier()(e)


def stable_forms(e: N.Expr) -> N.Expr:
    """``e`` with the formulas that overflow when written by hand (log(1 + exp(u)),
    log(sum(exp(u))), exp(u) / sum(exp(u))) replaced by the functions that do not."""
    from ..parse import ensure_recursion_limit

    ensure_recursion_limit()
    return Simplifier(STABLE_FORMS)(e)
