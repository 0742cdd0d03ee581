#!/bin/sh
# layout.sh SRC M2 OUT [APP]: lays out every built module of the checkout SRC for a machine where it lives at
# APP (default /app): module classes under OUT/<module>/target/classes, the jars its classpath names from the
# Maven repository M2 under OUT/m2, the reactor's own jars under OUT/<their path>, and each module's
# target/classpath.txt rewritten to name those paths. The image's build stage runs it after `mvn package`
# (Maven's classpath.txt names the build stage's ~/.m2); DockerLayoutTest runs it here with LAYOUT_LINK=1
# (symbolic links instead of copies).
set -eu
src=$(cd "$1" && pwd); m2=$(cd "$2" && pwd); out=$3; app=${4:-/app}
mkdir -p "$out"
out=$(cd "$out" && pwd)
place() { # place FROM TO: copies (or links) a file or a folder
    mkdir -p "$(dirname "$2")"
    [ -e "$2" ] && return 0
    if [ "${LAYOUT_LINK:-0}" = 1 ]; then ln -s "$1" "$2"; else cp -r "$1" "$2"; fi
}
found=0
for cpfile in "$src"/*/target/classpath.txt "$src"/deploy/*/target/classpath.txt; do
    [ -e "$cpfile" ] || continue
    found=$((found + 1))
    target=$(dirname "$cpfile")
    module=${target#"$src"/}; module=${module%/target}
    mkdir -p "$out/$module/target"
    if [ -d "$target/classes" ]; then place "$target/classes" "$out/$module/target/classes"; fi
    rewritten=""
    for entry in $(tr ':' ' ' < "$cpfile"); do
        case "$entry" in
            "$m2"/*) rel=m2/${entry#"$m2"/} ;;
            "$src"/*) rel=${entry#"$src"/} ;;
            *) echo "layout.sh: $module's classpath names $entry, outside $m2 and $src" >&2; exit 1 ;;
        esac
        place "$entry" "$out/$rel"
        rewritten="${rewritten:+$rewritten:}$app/$rel"
    done
    printf '%s\n' "$rewritten" > "$out/$module/target/classpath.txt"
done
[ "$found" -gt 0 ] || { echo "layout.sh: no target/classpath.txt under $src: run mvn package first" >&2; exit 1; }
echo "laid out $found modules in $out for $app"
