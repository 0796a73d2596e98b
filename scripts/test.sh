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
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test,postgres]"
# PostgreSQL for the tests that check "PostgreSQL by URL" (they skip without it, loudly).
if [ -z "${KRAFTSAMLING_TEST_POSTGRES_URL:-}" ] && [ "$(id -u)" -eq 0 ]; then
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null; } ||
      echo "PostgreSQL could not be installed: its tests will be skipped." >&2
  fi
  if service postgresql start >/dev/null 2>&1; then
    su postgres -c "psql -q -c \"DROP DATABASE IF EXISTS kraftsamling_test\" \
      -c \"DROP ROLE IF EXISTS kraftsamling_test\" \
      -c \"CREATE ROLE kraftsamling_test LOGIN PASSWORD 'kraftsamling-test'\" \
      -c \"CREATE DATABASE kraftsamling_test OWNER kraftsamling_test\"" >/dev/null &&
      export KRAFTSAMLING_TEST_POSTGRES_URL="postgresql+psycopg://kraftsamling_test:kraftsamling-test@127.0.0.1/kraftsamling_test"
  fi
fi
echo "== ruff"
.venv/bin/ruff check src tests scripts benchmarks
echo "== mypy"
.venv/bin/mypy
echo "== pytest"
PATH="$PWD/.venv/bin:$PATH" .venv/bin/pytest --durations=25 "$@"
