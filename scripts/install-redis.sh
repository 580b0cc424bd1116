#!/usr/bin/env bash
# Installs Redis (Debian's `redis-server` package) for the scale-out tests and `npm run cluster`.
# Prints the server's path; does nothing but print it when it is already installed.
set -euo pipefail
exec bash "$(dirname "$0")/install-debian-command.sh" redis-server redis-server
