#!/usr/bin/env bash
# Installs Kraftsamling and starts the web app on fresh synthetic demo data.
# Extra arguments go to `kraftsamling demo` (e.g. --port 8080).
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[demo]'
exec .venv/bin/kraftsamling demo "$@"
