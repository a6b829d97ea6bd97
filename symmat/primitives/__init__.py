"""The matrix functions of the language, one module each (or one per small family).

A module defines its functions as :class:`symmat.registry.Primitive` values — typing
rule, NumPy value, code spellings, printed forms, index form and derivative, matrix
notation, SymPy counterpart, differential law — states their laws in its docstring,
and registers them. Adding a matrix function is adding a module here (and its tests):
this package imports every module in it when ``symmat`` is imported.

Modules here sit above every layer they describe (nodes, index form, printers,
steps); they must not use those layers at import time, only inside their functions.
"""
from __future__ import annotations

import importlib
import pkgutil

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if not _module.startswith("_"):
        importlib.import_module(f"{__name__}.{_module}")
