#!/bin/sh
# run-service <module> <main class>: starts one service with the classpath Maven wrote at build time.
# Config comes from the environment: STREAMPARROT_KAFKA_BOOTSTRAP_SERVERS -> streamparrot.kafka.bootstrap-servers, etc.
set -e
module="$1"; main="$2"; shift 2
exec java $JAVA_OPTS -Dai.djl.offline=true -Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.streamparrot \
  -cp "/app/$module/target/classes:$(cat /app/$module/target/classpath.txt)" "$main" "$@"
