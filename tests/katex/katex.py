"""Renders LaTeX with KaTeX through node, many formulas per process.

``render(formulas)`` returns, for each formula, ``None`` when KaTeX (strict mode,
throwOnError) renders it, or KaTeX's error message. KaTeX is installed by
``tests/katex/install.sh`` (``npm ci``; run here, once per session, if it has not been yet).

Where KaTeX cannot run — node or npm missing, or npm unable to reach its registry (offline,
a proxy) — ``render`` *skips* the calling test and says why, so the rest of the suite still
runs. CI sets ``SYMMAT_REQUIRE_KATEX=1``: there the same situation fails the test instead,
so the rendering checks cannot silently stop running.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REQUIRE = "SYMMAT_REQUIRE_KATEX"
INSTALL_TIMEOUT_S = 120
# npm's defaults retry an unreachable registry for over a minute; a test session asks once.
NPM_FAIL_FAST = {"npm_config_fetch_retries": "0", "npm_config_fetch_timeout": "30000"}


def installed() -> bool:
    return (HERE / "node_modules" / "katex" / "package.json").exists()


def node_missing() -> str | None:
    """Why node is missing, or None: a cheap check for ``pytest.mark.skipif`` at collection.
    ``render`` skips in every case (npm missing or unable to install KaTeX too)."""
    if shutil.which("node") is None:
        return "node is not installed: the LaTeX rendering tests run KaTeX on Node.js (install node and npm)"
    return None


@cache
def unavailable() -> str | None:
    """Why KaTeX cannot render here, or None; installs it (once) when it can."""
    if node_missing() is not None:
        return node_missing()
    if installed():
        return None
    if shutil.which("npm") is None:
        return "npm is not installed: it installs KaTeX for the LaTeX rendering tests (tests/katex/install.sh)"
    env = {**NPM_FAIL_FAST, **os.environ}  # the user's own npm settings win
    try:
        done = subprocess.run(["sh", str(HERE / "install.sh")], env=env, capture_output=True, text=True,
                              timeout=INSTALL_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return f"installing KaTeX with npm took over {INSTALL_TIMEOUT_S} s (is npm's registry reachable?)"
    if done.returncode != 0 or not installed():
        return f"npm could not install KaTeX ({_npm_reason(done.stderr + done.stdout)}); " \
               "check npm's registry and proxy (npm config get registry), then run tests/katex/install.sh"
    return None


def _npm_reason(output: str) -> str:
    """The line of npm's error output that says what went wrong."""
    lines = [line.removeprefix("npm error").removeprefix("npm ERR!").strip() for line in output.splitlines()]
    lines = [line for line in lines if line]
    for clue in ("reason:", "FetchError", "code "):
        for line in lines:
            if clue in line:
                return line
    return lines[0] if lines else "no message"


def require() -> None:
    """Skips the calling test, saying why, when KaTeX cannot run (fails it under CI)."""
    reason = unavailable()
    if reason is not None:
        if os.environ.get(REQUIRE):
            pytest.fail(f"{reason} ({REQUIRE} is set)")
        pytest.skip(reason)


def render(formulas: list[str]) -> list[str | None]:
    require()
    done = subprocess.run(
        ["node", str(HERE / "render.js")], input=json.dumps(formulas), capture_output=True,
        text=True, timeout=300, cwd=HERE, check=True,
    )
    return json.loads(done.stdout)
