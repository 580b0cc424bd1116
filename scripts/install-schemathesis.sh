#!/usr/bin/env bash
# Installs schemathesis (property-based API fuzzing, from PyPI) into a virtualenv cached per
# machine, for the faults suite's OpenAPI scenario. Prints the path of its `st` command.
set -euo pipefail
version="4.32.5"
venv="${XDG_CACHE_HOME:-$HOME/.cache}/nest-chat/schemathesis-$version"
if [ ! -x "$venv/bin/st" ]; then
  echo "installing schemathesis $version into $venv, once per machine..." >&2
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version" >&2
fi
echo "$venv/bin/st"
