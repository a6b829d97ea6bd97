"""Applies the rules of rules.py bottom-up until none applies."""
from __future__ import annotations

from .. import nodes as N
from ..algebra import hadamard_link, hadamard_spliced, opens_up, spliced
from .rules import RULES

MAX_REWRITES_PER_NODE = 50


class Simplifier:
    """One simplification: every node of the input DAG is simplified once.

    Cost is linear in the size of the DAG because of three habits:

    - the memo is keyed by node identity, so two equal but separately built inputs never
      meet in a deep structural comparison (each is simplified on its own, once);
    - every node it returns is canonical (one object per value, ``self.canon``), so its
      children are canonical too and comparing two results compares their children
      by identity: a rule sees a node once per change, never a deep walk;
    - a product of products is spliced once, top down (see ``__call__``).
    """

    def __init__(self, rules=RULES):
        self.rules = rules
        self.memo: dict[int, tuple[N.Expr, N.Expr]] = {}  # id(input) -> (input, result)
        self.canon: dict[N.Expr, N.Expr] = {}
        self.done: dict[N.Expr, N.Expr] = {}  # canonical node -> its simplified form

    def __call__(self, e: N.Expr) -> N.Expr:
        hit = self.memo.get(id(e))
        if hit is not None:
            return hit[1]
        # A product of products is spliced here, before its factors are simplified:
        # spliced level by level (bottom up) a chain nested L deep would be copied L times.
        start = N.MatMul(*spliced(e)) if isinstance(e, N.MatMul) and any(map(opens_up, e.args)) else e
        # Likewise a ⊙ chain is rechained left to right once, from its top: simplified link
        # by link as nested, each link's normal form would rebuild the whole chain below it.
        if hadamard_link(e) and hadamard_link(e.right):
            start = hadamard_spliced(e)
        result = first = self._rebuild(start)
        # A node rebuilt into one already simplified (a rule's output often is) is done.
        known = self.done.get(first)
        if known is not None:
            self.memo[id(e)] = (e, known)
            return known
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
        self.memo[id(e)] = (e, result)  # e is kept so that its id stays its own
        self.done[first] = self.done[result] = result
        return result

    def _rebuild(self, e: N.Expr) -> N.Expr:
        if e.children:
            # A tuple of expressions (the arguments of g(x, y)) is rebuilt entry by entry.
            args = tuple(
                self(a) if isinstance(a, N.Expr)
                else tuple(self(x) for x in a) if isinstance(a, tuple) and a and isinstance(a[0], N.Expr)
                else a
                for a in e.args
            )
            if not all(x is y or (isinstance(x, tuple) and all(map(lambda p, q: p is q, x, y)))
                       for x, y in zip(args, e.args)):
                # Every node class takes its ``args`` back as constructor arguments.
                e = type(e)(*args)
        # Children are canonical, so finding e's canonical twin compares them by identity.
        return self.canon.setdefault(e, e)

    def _rewrite_once(self, e: N.Expr) -> N.Expr | None:
        for rule in self.rules.get(type(e), ()):
            result = rule(e)
            if result is not None and result != e:
                assert result.type.shape == e.type.shape, (rule.__name__, e, result)
                return result
        return None


def simplify(e: N.Expr) -> N.Expr:
    return Simplifier()(e)
