#!/bin/bash
# Builds libfakeintel.so (see fakeintel.c) next to this script and prints the LD_PRELOAD value to use.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/target"
mkdir -p "$out"
gcc -shared -fPIC -O2 -o "$out/libfakeintel.so" "$here/fakeintel.c"
tc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
if [ -e "$tc" ]; then
  echo "$out/libfakeintel.so:$tc"
else
  echo "warning: $tc missing (apt-get install -y libtcmalloc-minimal4); glibc malloc is slower for libtorch" >&2
  echo "$out/libfakeintel.so"
fi
