#!/bin/sh
# run-service <module> <main class> [args...]: starts one StreamParrot JVM with the classpath that layout.sh wrote
# for the image (STREAMPARROT_APP, default /app). Config comes from the environment:
# STREAMPARROT_KAFKA_BOOTSTRAP_SERVERS -> streamparrot.kafka.bootstrap-servers, etc.
# A module that runs libtorch (its classpath holds DJL's PyTorch engine) gets the preloads that deploy/cluster's
# NativePreload gives it locally: the MKL shim of model/native and tcmalloc (Debian's libtcmalloc-minimal4),
# each where present; without them libtorch runs, only slower.
set -e
app=${STREAMPARROT_APP:-/app}
module="$1"; main="$2"; shift 2
classpath="$app/$module/target/classes:$(cat "$app/$module/target/classpath.txt")"
case "$classpath" in
    *pytorch-engine*)
        preload=""
        for lib in "$app/native/libfakeintel.so" /usr/lib/*/libtcmalloc_minimal.so.4; do
            [ -e "$lib" ] && preload="${preload:+$preload:}$lib"
        done
        if [ -n "$preload" ]; then export LD_PRELOAD="$preload${LD_PRELOAD:+:$LD_PRELOAD}"; fi ;;
esac
exec java $JAVA_OPTS -Dai.djl.offline=true -Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.streamparrot -cp "$classpath" "$main" "$@"
