"""Derivatives: rules in index form (rules.py), layouts and higher orders (api.py)."""
from .api import diff

__all__ = ["diff"]
