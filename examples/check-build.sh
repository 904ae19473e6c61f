#!/usr/bin/env bash
# Rebuild every example tool into a temporary folder and compare it with
# the committed tools/<name>/<name>.wasm. Exit 1 if any differs or is missing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

"$here/build.sh" "$tmp" >/dev/null

status=0
for src in "$here"/tools/*/*.c; do
  name="$(basename "$src" .c)"
  [[ "$(basename "$(dirname "$src")")" == "$name" ]] || continue
  committed="$here/tools/$name/$name.wasm"
  if [[ ! -f "$committed" ]]; then
    echo "MISSING  tools/$name/$name.wasm (run examples/build.sh)"
    status=1
  elif cmp -s "$committed" "$tmp/$name.wasm"; then
    echo "ok       tools/$name/$name.wasm"
  else
    echo "DIFFERS  tools/$name/$name.wasm: committed $(sha256sum <"$committed" | cut -c1-16)," \
      "rebuilt $(sha256sum <"$tmp/$name.wasm" | cut -c1-16)"
    status=1
  fi
done
if [[ $status != 0 ]]; then
  echo "The committed binaries do not match their sources with this toolchain." >&2
  echo "If the sources changed, run examples/build.sh and commit the .wasm files." >&2
fi
exit $status
