"""Errors raised for bad input. Every one is a :class:`SymmatError`.

An error that knows where in the source text it arose carries ``text`` and
``column`` (0-based) and renders a caret under the offending place.
"""
from __future__ import annotations

import re

_WINDOW = 40  # characters shown on each side of the caret in a long line


class SymmatError(Exception):
    """Base class of every error symmat raises for bad input."""

    def __init__(self, message: str, text: str | None = None, column: int | None = None):
        self.message = message
        self.text = text
        self.column = column
        super().__init__(self.render())

    def render(self) -> str:
        if self.text is None or self.column is None:
            return self.message
        # Show only the line that holds the column, so a caret lines up under it.
        start = self.text.rfind("\n", 0, self.column) + 1
        end = self.text.find("\n", self.column)
        line = self.text[start:] if end < 0 else self.text[start:end]
        caret = self.column - start
        # A very long line is cut to a window around the caret, so it stays readable.
        if len(line) > 2 * _WINDOW:
            left = max(0, min(caret - _WINDOW, len(line) - 2 * _WINDOW))
            right = left + 2 * _WINDOW
            prefix = "..." if left > 0 else ""
            line = prefix + line[left:right] + ("..." if right < len(line) else "")
            caret = caret - left + len(prefix)
        return f"{self.message}\n  {line}\n  {' ' * caret}^"

    def located(self, text: str, column: int | None) -> SymmatError:
        """The same error, pointing at ``column`` of ``text`` (kept if already located)."""
        if self.text is not None or column is None:
            return self
        return type(self)(self.message, text, column)


class ParseError(SymmatError):
    """The text is not an expression of the input language."""


class ShapeError(SymmatError):
    """Operands whose shapes do not fit the operator."""


class DeclarationError(SymmatError):
    """A malformed or contradictory ``where`` declaration."""


class UnknownFunctionError(SymmatError):
    """A name used as a function that is not one."""


class ArityError(SymmatError):
    """A function called with the wrong number of arguments."""


class EvaluationError(SymmatError):
    """Values passed to ``evaluate`` that are missing or do not fit the shapes."""


class DiffError(SymmatError):
    """A derivative that cannot be taken as asked (bad ``wrt``, ``order``, layout...)."""



class InteropError(SymmatError):
    """An expression that has no faithful counterpart in the other system (SymPy)."""


class UnsupportedStep(DiffError):
    """A construct the step-by-step derivation does not cover (the derivative itself
    may still be available from ``symmat.diff``)."""


class SymmatWarning(UserWarning):
    """Input that symmat reads, but probably not as meant (a name one typo away from a
    built-in function). The CLI prints it on stderr."""


_SURROGATE = re.compile("[\ud800-\udfff]")


def reject_invalid_utf8(text: str, error: type[SymmatError], what: str) -> None:
    """Raises ``error`` at the first byte of ``text`` that was not valid UTF-8.

    Python decodes such bytes (in command-line arguments, and on standard input as
    ``symmat`` reads it) to lone surrogates U+DC80..U+DCFF, which no text contains; the
    message names the byte, and the text is shown with U+FFFD in its place."""
    found = _SURROGATE.search(text)
    if found is None:
        return
    code = ord(found.group())
    what_char = f"the byte 0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"U+{code:04X}"
    shown = _SURROGATE.sub("\ufffd", text)
    raise error(f"invalid UTF-8 in {what}: {what_char} is not part of a character", shown, found.start())
