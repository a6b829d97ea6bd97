"""Holds symmat.lark so that it ships inside the wheel as package data (``symmat.grammar``)."""
