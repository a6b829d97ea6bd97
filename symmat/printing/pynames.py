"""Safe Python identifiers for generated code.

Every name that reaches generated source goes through :class:`Namespace`: the
result is plain ASCII, a valid identifier, not a keyword, not a builtin, not a module name (``np``, ``jnp``, ``torch``),
and distinct from every other name of the function. A caller's name is never copied
into code otherwise, so no user text can become code.
"""
from __future__ import annotations

import builtins
import keyword
import re
import unicodedata

from .targets import MODULE_NAMES

_RESERVED = (
    set(keyword.kwlist)
    | set(getattr(keyword, "softkwlist", []))
    | set(dir(builtins))
    | MODULE_NAMES  # np, jnp, torch, ...: the modules of every target
)
_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def _transliterate(char: str) -> str:
    """``λ`` → ``lambda`` (``lamda`` in Unicode's spelling), ``é`` → ``e``, else ``_``."""
    parts = unicodedata.name(char, "").split()
    if len(parts) == 4 and parts[0] == "GREEK" and parts[2] == "LETTER":
        word = {"LAMDA": "LAMBDA"}.get(parts[3], parts[3]).lower()
        return word if parts[1] == "SMALL" else word.capitalize()
    stripped = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return stripped if stripped.isascii() and stripped.isalnum() else "_"


def safe_identifier(name: str) -> str:
    """A valid ASCII identifier resembling ``name`` (not yet made unique)."""
    text = "".join(c if c.isascii() else _transliterate(c) for c in name)
    text = _UNSAFE.sub("_", text)
    if not text.strip("_"):
        text = "v"
    if text[0].isdigit():
        text = "v" + text
    if text in _RESERVED or text.startswith("__"):
        text = text + "_"
    return text


class Namespace:
    """Allocates distinct safe identifiers; ``taken`` names are never handed out."""

    def __init__(self, taken: set[str] | None = None):
        self.used: set[str] = set(taken or ())
        self.next_temp: dict[str, int] = {}

    def take(self, name: str) -> str:
        base = safe_identifier(name)
        candidate, k = base, 2
        while candidate in self.used or candidate in _RESERVED:
            candidate, k = f"{base}_{k}", k + 1
        self.used.add(candidate)
        assert candidate.isidentifier() and candidate.isascii() and not keyword.iskeyword(candidate)
        return candidate

    def temp(self, prefix: str = "t") -> str:
        # Counting on from the last number handed out keeps n temporaries linear.
        k = self.next_temp.get(prefix, 1)
        while f"{prefix}{k}" in self.used:
            k += 1
        self.next_temp[prefix] = k + 1
        self.used.add(f"{prefix}{k}")
        return f"{prefix}{k}"
