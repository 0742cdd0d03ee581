#!/usr/bin/env bash
# The trainer service against model/native/bench.sh, in one run: deploy/bench-trainer.sh [--home DIR] [--port PORT]
#   [--updates N] [extra mvn args for the bench]
# Needs a local cluster whose trainer is training (./streamparrot up --home DIR ...). It
#  1. reads the trainer's step and its process CPU time from /trainer/status and /proc over a window of N updates
#     (default 50; the local cluster checkpoints every 10 updates, each checkpoint with its 2-update decay branch
#     and an evaluation, so the window holds five of each, as the service's own throughput does),
#  2. pauses the trainer (SIGSTOP, so that the two do not share the cores) and runs the model benchmark for the
#     same preset, batch, sequence, vocabulary and thread count, then resumes it (SIGCONT, also on Ctrl-C),
#  3. prints both in tokens/s (wall) and tokens per CPU-second, and the ratios service / benchmark.
# On a machine shared with other work the wall-clock figures move with the load; the CPU-time ratio is steadier.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
home="$root/.local"; port=8084; updates=50
while [ $# -gt 0 ]; do
  case "$1" in
    --home) home="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --updates) updates="$2"; shift 2 ;;
    *) break ;;
  esac
done
pid="$(cat "$home/pids/trainer.pid")"
status() { curl -sf "http://127.0.0.1:$port/trainer/status"; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
cpu_seconds() { # utime + stime of the whole process, in seconds
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print ($12 + $13) / hz }' "/proc/$pid/stat"
}

s="$(status)"
model="$(echo "$s" | field model)"; threads="$(echo "$s" | field libtorchThreads)"
# the vocabulary of the model being trained: its latest checkpoint's config.json (the tokenizer's size)
config="$(find "$home" -path "*checkpoints*" -name config.json 2>/dev/null | sort | tail -1)"
vocab="$( [ -n "$config" ] && python3 -c "import json; print(json.load(open('$config'))['vocab_size'])" || echo 32768)"
per_update="$(echo "$s" | field tokensPerUpdate)"; batch="$(echo "$s" | field trainBatchSize)"; seq="$(echo "$s" | field seqLength)"
case "$model" in cpu-tiny|cpu-tiny-512) ;; *) echo "the bench matches the cpu-tiny presets only; the trainer runs $model" >&2; exit 2 ;; esac
echo "trainer pid $pid: model $model, vocab $vocab, $per_update tokens/update, libtorch threads $threads," \
  "preloaded: $(grep -o 'libfakeintel[^ ]*\|libtcmalloc[^ ]*' "/proc/$pid/maps" | sort -u | tr '\n' ' ')"
echo "load average before: $(cat /proc/loadavg)"

# the window runs from one update's end to another's (polled every 0.2 s)
start="$(echo "$s" | field step)"
step0="$start"; while [ "$step0" = "$start" ]; do sleep 0.2; step0="$(status | field step)"; done
cpu0="$(cpu_seconds)"; t0="$(date +%s.%N)"
step1="$step0"; while [ "$step1" -lt $((step0 + updates)) ]; do sleep 0.2; step1="$(status | field step)"; done
cpu1="$(cpu_seconds)"; t1="$(date +%s.%N)"
window="$(python3 -c "print('%.0f' % ($t1-$t0))")"
read -r service_wall service_cpu < <(python3 -c "
u=($step1-$step0)*$per_update; print(u/($t1-$t0), u/max($cpu1-$cpu0,1e-9))")
echo "SERVICE updates $step0-$step1 in ${window} s: $(printf %.0f "$service_wall") tokens/s," \
  "$(printf %.0f "$service_cpu") tokens per CPU-s (the trainer's own figure for its last update: $(status | field tokensPerSecond))"

kill -STOP "$pid"; trap 'kill -CONT "$pid"' EXIT
log="$(mktemp)"
"$root/model/native/bench.sh" -q -Dtest='TrainingBenchmarkTest#cpuTiny' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.threads="$threads" -Dbench.vocab="$vocab" -Dbench.model="$model" -Dbench.batch="$batch" -Dbench.seq="$seq" "$@" > "$log" 2>&1 || { tail -40 "$log"; exit 4; }
kill -CONT "$pid"; trap - EXIT
result="$(grep -m1 "^RESULT $model " "$log")"; grep -m1 '^threads=' "$log" || true
echo "$result"
read -r bench_wall bench_cpu < <(echo "$result" | sed -E 's/.*mean of [0-9]+ updates ([0-9.]+) tokens\/s, ([0-9.]+) tokens per CPU-s.*/\1 \2/')
echo "BENCH   $bench_wall tokens/s, $bench_cpu tokens per CPU-s (model/native/bench.sh, trainer paused)"
python3 -c "print('RATIO   service / bench: %.0f%% (wall), %.0f%% (CPU time)' % (100*$service_wall/$bench_wall, 100*$service_cpu/$bench_cpu))"
echo "load average after: $(cat /proc/loadavg)"
