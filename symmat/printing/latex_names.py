"""How names are written in LaTeX: ``W_1`` → ``W_{1}``, ``alpha`` → ``\\alpha``,
``loss`` → ``\\mathit{loss}``.

Kept apart from the printer because variable, function and dimension names all go
through it, and because it is where untrusted text (any name a caller chose) turns
into LaTeX: every character either maps to a fixed command or is escaped.
"""
from __future__ import annotations

import re
import unicodedata

# Greek letters LaTeX has commands for. The capitals that look like Latin letters have
# no command in standard LaTeX, so they are written as those letters.
_GREEK_COMMANDS = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
    "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "pi", "varpi", "rho", "varrho",
    "sigma", "varsigma", "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega",
    "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega",
}
_GREEK_AS_LATIN = {
    "omicron": "o", "Alpha": "A", "Beta": "B", "Epsilon": "E", "Zeta": "Z", "Eta": "H",
    "Iota": "I", "Kappa": "K", "Mu": "M", "Nu": "N", "Omicron": "O", "Rho": "P", "Tau": "T",
    "Chi": "X",
}
# Unicode spells two letters differently from LaTeX.
_UNICODE_SPELLING = {"lamda": "lambda", "Lamda": "Lambda"}

# Characters that mean something to TeX, written so that they print as themselves.
_TEX_SPECIAL = {
    "\\": r"\backslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "%": r"\%", "#": r"\#",
    "&": r"\&", "_": r"\_", "^": r"\hat{}", "~": r"\sim{}", " ": r"\ ", "'": r"\prime{}", '"': r"''",
}

_TRAILING_DIGITS = re.compile(r"^(.*?[^\d])(\d+)$")


def _greek_word(word: str) -> str | None:
    if word in _GREEK_COMMANDS:
        return "\\" + word
    return _GREEK_AS_LATIN.get(word)


def _unicode_greek(char: str) -> str | None:
    """``λ`` → ``\\lambda`` via the character's Unicode name."""
    parts = unicodedata.name(char, "").split()
    if len(parts) == 4 and parts[0] == "GREEK" and parts[2] == "LETTER":
        word = parts[3].lower()
        word = _UNICODE_SPELLING.get(word, word)
        return _greek_word(word if parts[1] == "SMALL" else word.capitalize())
    return None


def _char(char: str) -> str:
    """One character of a name as LaTeX (math mode)."""
    if char.isascii() and char.isalnum():
        return char
    if char in _TEX_SPECIAL:
        return _TEX_SPECIAL[char]
    greek = _unicode_greek(char)
    if greek is not None:
        return greek + " " if greek.startswith("\\") else greek
    if char.isalpha() and ord(char) <= 0xFF:
        # Accented Latin letters (é) are accepted in text mode only.
        return r"\text{" + char + "}"
    plain = unicodedata.normalize("NFKD", char)
    if plain[:1].isascii() and plain[:1].isalnum():  # ℓ → l, ² → 2
        return plain[0]
    # Anything else is spelled out: renderers differ on which symbols they know.
    return rf"\text{{U+{ord(char):04X}}}"


def _plain(word: str, multi: str) -> str:
    """A name without subscript: one letter as is, greek as a command, else ``multi{..}``."""
    greek = _greek_word(word)
    if greek is not None:
        return greek
    text = "".join(_char(c) for c in word).rstrip()
    return text if len(word) == 1 else f"{multi}{{{text}}}"


def latex_name(name: str, multi: str = r"\mathit") -> str:
    """LaTeX for a variable or function name.

    ``W_1`` and ``W1`` → ``W_{1}``; ``x_ij`` → ``x_{ij}``; ``W_a_b`` → ``W_{a,b}``;
    ``alpha`` → ``\\alpha``; ``λ`` → ``\\lambda``; a multi-letter name is set as one word
    with ``multi`` (``\\mathit`` for variables, ``\\operatorname`` for functions) so that
    ``xy`` does not read as the product ``x y``.
    """
    if not name:
        return r"\text{?}"
    base, subs = name, []
    if "_" in name.strip("_"):
        head, *rest = name.split("_")
        if head and all(rest):
            base, subs = head, rest
    if not subs:
        match = _TRAILING_DIGITS.match(name)
        if match:
            base, subs = match.group(1), [match.group(2)]
    text = _plain(base, multi)
    if subs:
        sub = ",".join(_sub(s) for s in subs)
        text += f"_{{{sub}}}"
    return text


def _sub(word: str) -> str:
    """A subscript: indices like ``ij`` or ``12`` stay as letters; a greek word is a command."""
    greek = _greek_word(word)
    if greek is not None:
        return greek
    return "".join(_char(c) for c in word).rstrip()
