#!/bin/bash
# Prints the LD_PRELOAD value for a JVM that runs libtorch: the MKL shim (libfakeintel.so, see fakeintel.c; built
# here with gcc when missing or older than its source) and tcmalloc (Debian's libtcmalloc-minimal4), each where
# available; a warning on stderr for each one missing. Every launcher calls this (deploy/cluster's NativePreload,
# deploy/with-libtorch-preload for shell launchers and the container image, bench.sh), so they all preload the same.
# Prints an empty line when there is nothing to preload; never fails for a missing part (libtorch only runs slower).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/target"
value=""

# The shim matters only where libtorch's MKL runs: x86-64.
if [ "$(uname -m)" = x86_64 ]; then
  shim="$out/libfakeintel.so"
  if [ ! -e "$shim" ] || [ "$here/fakeintel.c" -nt "$shim" ]; then
    if command -v gcc >/dev/null 2>&1; then
      mkdir -p "$out"
      gcc -shared -fPIC -O2 -o "$shim.tmp" "$here/fakeintel.c" && mv "$shim.tmp" "$shim"
    else
      echo "warning: no gcc to build $shim; libtorch's MKL runs its slower kernels" >&2
    fi
  fi
  [ -e "$shim" ] && value="$shim"
fi

# tcmalloc, wherever the dynamic linker knows it (ldconfig), else in the usual library folders.
tc="$( (ldconfig -p 2>/dev/null || true) | awk '/libtcmalloc_minimal\.so\.4 /{print $NF; exit}')"
if [ -z "$tc" ]; then
  for dir in /usr/lib/"$(uname -m)"-linux-gnu /usr/lib64 /usr/lib /usr/local/lib; do
    [ -e "$dir/libtcmalloc_minimal.so.4" ] && { tc="$dir/libtcmalloc_minimal.so.4"; break; }
  done
fi
if [ -n "$tc" ]; then
  value="${value:+$value:}$tc"
else
  echo "warning: tcmalloc not found (Debian: apt-get install -y libtcmalloc-minimal4); glibc malloc is slower for libtorch" >&2
fi
echo "$value"
