#!/usr/bin/env bash
# A Python venv with pinned requirements, for the suite's scripts that use
# PyPI packages (py, signposting, validate). Debian's python3 needs
# python3-venv for ensurepip; it is installed when missing.
#   bash tests/venv.sh VENV_DIR REQUIREMENTS_FILE
set -euo pipefail
venv="$1"
requirements="$2"
if [ ! -x "$venv/bin/python" ]; then
  rm -rf "$venv"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    rm -rf "$venv"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$venv"
  fi
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements"
