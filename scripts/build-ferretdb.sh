#!/usr/bin/env bash
# Builds FerretDB v1.24.2 (the embedded MongoDB-compatible database) once per machine and caches it.
# A plain `go install` panics at start: build/version/version.txt is not in the module zip
# (FerretDB issue 2982), so we build from a writable copy of the module with that file written.
# Prints the binary's path on stdout; everything else goes to stderr.
set -euo pipefail

version="v1.24.2"
cache_dir="${CHAT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/nest-chat}/ferretdb-$version"
binary="$cache_dir/ferretdb"

if [ -x "$binary" ]; then
  echo "$binary"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "build-ferretdb: Go is not installed, so FerretDB cannot be built." >&2
  echo "Install Go, or point MONGODB_URI at a MongoDB server." >&2
  exit 1
fi

echo "build-ferretdb: building FerretDB $version (once per machine, about a minute)..." >&2
module_dir=$(go mod download -json "github.com/FerretDB/FerretDB@$version" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
if [ -z "$module_dir" ] || [ ! -d "$module_dir" ]; then
  echo "build-ferretdb: could not download github.com/FerretDB/FerretDB@$version" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cp -R "$module_dir/." "$work/src"
chmod -R u+w "$work/src"
echo "$version" >"$work/src/build/version/version.txt"
mkdir -p "$cache_dir"
(cd "$work/src" && go build -trimpath -o "$work/ferretdb" ./cmd/ferretdb) >&2
mv "$work/ferretdb" "$binary"
echo "build-ferretdb: built $binary" >&2
echo "$binary"
