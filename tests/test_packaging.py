"""The wheel ships every subpackage: pyproject lists them explicitly (the grammar is
mapped from the top-level grammar/ folder), so a new folder must be added there."""
from __future__ import annotations

from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parent.parent


def test_every_subpackage_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        "symmat" + "".join("." + part for part in init.parent.relative_to(ROOT / "symmat").parts)
        for init in (ROOT / "symmat").rglob("__init__.py")
    }
    assert found - listed == set(), f"add to [tool.setuptools] packages: {sorted(found - listed)}"
    assert "symmat.grammar" in listed
