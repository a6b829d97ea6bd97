"""Verification of the derivative engine (issue 4): every construct, rank and order
against finite differences, known answers against hand-written NumPy, properties."""
