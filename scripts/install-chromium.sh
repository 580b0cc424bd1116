#!/usr/bin/env bash
# Installs headless Chromium (Debian's `chromium` package) for the web page's browser test.
# Prints the browser's path; does nothing but print it when it is already installed.
set -euo pipefail
for candidate in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then
    echo "$candidate"
    exit 0
  fi
done
exec bash "$(dirname "$0")/install-debian-command.sh" chromium chromium
