"""Renders LaTeX with KaTeX through node, many formulas per process.

``render(formulas)`` returns, for each formula, ``None`` when KaTeX (strict mode,
throwOnError) renders it, or KaTeX's error message. KaTeX is installed by
``tests/katex/install.sh`` (run here if it has not been yet)."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent


def node_missing() -> str | None:
    """Why KaTeX cannot run here, or None."""
    if shutil.which("node") is None:
        return "node is not installed: the LaTeX rendering tests need node (CI has it)"
    return None


def ensure_installed() -> None:
    if not (HERE / "node_modules" / "katex" / "package.json").exists():
        subprocess.run(["sh", str(HERE / "install.sh")], check=True, timeout=300)


def render(formulas: list[str]) -> list[str | None]:
    ensure_installed()
    done = subprocess.run(
        ["node", str(HERE / "render.js")], input=json.dumps(formulas), capture_output=True,
        text=True, timeout=300, cwd=HERE, check=True,
    )
    return json.loads(done.stdout)
