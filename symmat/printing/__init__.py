"""Printers: one module per target, one method per node class."""
