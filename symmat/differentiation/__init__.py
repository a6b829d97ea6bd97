"""Derivatives in index form: rules (rules.py forward, adjoint.py reverse), layouts and
higher orders (layout.py). The public ``symmat.diff`` (symmat/api.py) reads its
arguments, calls this engine and turns the tensor back into matrix notation."""
from .layout import differentiate

__all__ = ["differentiate"]
