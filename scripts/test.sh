#!/usr/bin/env bash
# Installs everything the tests need (Chromium from Debian's packages included), then runs
# ruff, mypy (strict, src/) and the whole pytest suite. Extra arguments go to pytest.
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
echo "== ruff"
.venv/bin/ruff check src tests scripts benchmarks
echo "== mypy"
.venv/bin/mypy
echo "== pytest"
PATH="$PWD/.venv/bin:$PATH" .venv/bin/pytest "$@"
