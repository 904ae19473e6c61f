#!/usr/bin/env bash
# Build every example tool to a WASI preview1 module, reproducibly.
#
#   examples/build.sh            rebuild tools/<name>/<name>.wasm in place
#   examples/build.sh OUT_DIR    write OUT_DIR/<name>.wasm instead
#
# Same sources + same toolchain = same bytes: the compiler runs from the
# tools folder with relative paths, file prefixes are mapped, and the
# modules carry no debug info, names or producers section, so no path or
# date ends up in a binary. A different clang or wasi-libc version can
# produce different (equally valid) bytes; the versions are printed below.
#
# Needs clang, wasm-ld and wasi-libc; on Debian/Ubuntu the script installs
# them with apt-get when they are missing.
set -euo pipefail
export LC_ALL=C

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tools="$here/tools"
out="${1:-}"
if [[ -n "$out" ]]; then
  mkdir -p "$out"
  out="$(cd "$out" && pwd)"
fi

CC="${CC:-clang}"
CFLAGS=(--target=wasm32-wasi -std=c11 -O2 -Wall -Wextra
  -ffile-prefix-map="$tools"=. -fno-ident)
LDFLAGS=(-Wl,--strip-all)
# Debian's clang finds wasi-libc in /usr; elsewhere point at a sysroot.
if [[ -n "${WASI_SYSROOT:-}" ]]; then
  CFLAGS+=(--sysroot="$WASI_SYSROOT")
elif [[ ! -e /usr/include/wasm32-wasi/stdio.h && -d /usr/share/wasi-sysroot ]]; then
  CFLAGS+=(--sysroot=/usr/share/wasi-sysroot)
fi

toolchain_works() {
  command -v "$CC" >/dev/null 2>&1 || return 1
  local probe
  probe="$(mktemp -d)"
  printf 'int main(void){return 0;}\n' >"$probe/t.c"
  "$CC" "${CFLAGS[@]}" "${LDFLAGS[@]}" -o "$probe/t.wasm" "$probe/t.c" >/dev/null 2>&1
  local rc=$?
  rm -rf "$probe"
  return $rc
}

install_toolchain() {
  local sudo=()
  [[ "$(id -u)" == 0 ]] || sudo=(sudo)
  command -v apt-get >/dev/null 2>&1 || {
    echo "build.sh: clang, lld and wasi-libc are needed (no apt-get here to install them)" >&2
    exit 1
  }
  local major pkgs
  if command -v clang >/dev/null 2>&1; then
    major="$(clang -dumpversion | cut -d. -f1)"
  else
    major="$(apt-cache show clang 2>/dev/null | sed -n 's/^Depends:.*clang-\([0-9][0-9]*\).*/\1/p' | head -n1)"
  fi
  pkgs=(clang lld wasi-libc)
  [[ -n "$major" ]] && pkgs+=("libclang-rt-$major-dev-wasm32")
  echo "build.sh: installing ${pkgs[*]}" >&2
  # Update the package lists only if the packages cannot be found as they are.
  "${sudo[@]}" apt-get install -y --no-install-recommends "${pkgs[@]}" ||
    { "${sudo[@]}" apt-get update && "${sudo[@]}" apt-get install -y --no-install-recommends "${pkgs[@]}"; }
  # Without clang at first, the compiler-rt package name was a guess; retry.
  if ! toolchain_works && [[ -z "$major" ]]; then
    major="$(clang -dumpversion | cut -d. -f1)"
    "${sudo[@]}" apt-get install -y --no-install-recommends "libclang-rt-$major-dev-wasm32"
  fi
}

toolchain_works || install_toolchain
toolchain_works || { echo "build.sh: clang cannot build for wasm32-wasi" >&2; exit 1; }

echo "toolchain: $("$CC" --version | head -n1); wasi-libc $(dpkg-query -W -f='${Version}' wasi-libc 2>/dev/null || echo '?')" >&2

cd "$tools"
for dir in */; do
  name="${dir%/}"
  [[ -f "$name/$name.c" ]] || continue
  target="${out:+$out/$name.wasm}"
  target="${target:-$name/$name.wasm}"
  "$CC" "${CFLAGS[@]}" "${LDFLAGS[@]}" -o "$target" "$name/$name.c" common/json.c common/tool.c
  printf '%-12s %7d bytes  %s\n' "$name" "$(wc -c <"$target")" "$(sha256sum "$target" | cut -c1-16)"
done
