#!/usr/bin/env bash
# Usage: install-debian-command.sh COMMAND PACKAGE
# Prints the path of COMMAND, installing Debian's PACKAGE first (apt-get, once per machine) when
# it is not on PATH. Exits non-zero with a message saying what to do when it cannot install it.
set -euo pipefail
command_name="$1"
package="$2"
if found=$(command -v "$command_name"); then
  echo "$found"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "$command_name is not installed, and installing it needs root: apt-get install $package" >&2
    exit 1
  fi
  sudo="sudo -n"
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "$command_name is not installed and this is not a Debian system: install $package yourself" >&2
  exit 1
fi
echo "installing $package (apt-get), once per machine..." >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { $sudo apt-get update -qq &&
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$package"; } >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  echo "could not install $package with apt-get: install it yourself (apt-get install $package)" >&2
  exit 1
fi
command -v "$command_name"
