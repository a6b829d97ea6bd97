#!/bin/sh
# Installs KaTeX (pinned by package-lock.json) for tests/printing/test_latex.py.
# CI runs this before pytest; node_modules/ stays out of git.
set -eu
cd "$(dirname "$0")"
if [ -f node_modules/katex/package.json ]; then
    exit 0
fi
npm ci --no-audit --no-fund --silent
