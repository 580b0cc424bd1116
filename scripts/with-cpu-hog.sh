#!/usr/bin/env bash
# Usage: with-cpu-hog.sh COMMAND [ARGS...]
# Runs COMMAND on a loaded machine: a busy loop pinned to CPU 0 for as long as it runs, so the
# guarantees are shown to hold when the server, the database and the tests share fewer cores.
set -euo pipefail
taskset -c 0 bash -c 'while :; do :; done' &
hog=$!
trap 'kill "$hog" 2>/dev/null || true' EXIT
# Reports say so (the faults suite's header).
export CPU_HOG="a busy loop held CPU 0 for the whole run (scripts/with-cpu-hog.sh)"
echo "with-cpu-hog: a busy loop (pid $hog) holds CPU 0 while: $*" >&2
"$@"
