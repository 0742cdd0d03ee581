#!/bin/bash
# Runs the model benchmarks with the MKL shim and tcmalloc preloaded: model/native/bench.sh [extra mvn args]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
preload="$("$here/build.sh")"
cd "$here/../.."
LD_PRELOAD="$preload" mvn -B -o -pl model verify -Pbenchmarks "$@"
