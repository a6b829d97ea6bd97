#!/bin/sh
# Installs KaTeX (pinned by package-lock.json) for the LaTeX rendering tests (katex.py runs
# this when needed). CI runs it before pytest; node_modules/ stays out of git.
set -eu
cd "$(dirname "$0")"
if [ -f node_modules/katex/package.json ]; then
    exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
