#!/usr/bin/env bash
# How long a new isolate takes to be ready (V8 + the built-in Web APIs + the Worker's modules).
# Starts `flint dev` with N isolates, reads its "Isolate ready in … ms" debug lines: the first
# isolate of a process pays for loading V8 and JIT-compiling Flint; the others show the cost of
# one more isolate in a warm process. Prints the first, then the median and best of the rest.
#   bench/isolate-start.sh [N=12] [WORKLOAD=hello]
set -uo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
N=${1:-12}; WL=${2:-hello}
FLINT="$BENCH_DIR/.flint-publish/flint"
if [[ ! -x $FLINT || "${SKIP_BUILD:-}" != 1 ]]; then
  dotnet publish "$BENCH_DIR/../src/Flint.Cli" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    -o "$BENCH_DIR/.flint-publish" -nologo -v q >&2 || exit 1
fi
log=$(mktemp)
setsid "$FLINT" dev "$BENCH_DIR/workloads/$WL" --port 0 --no-watch --log-level debug --isolates "$N" > "$log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do [[ $(grep -c "Isolate ready" "$log") -ge $N ]] && break; sleep 0.1; done
kill -- -$pid 2>/dev/null; wait $pid 2>/dev/null
times=$(grep -o "Isolate ready in [0-9.]* ms" "$log" | awk '{print $4}')
first=$(head -1 <<< "$times")
rest=$(tail -n +2 <<< "$times" | sort -n)
count=$(wc -l <<< "$rest")
median=$(awk -v c="$count" 'NR == int((c + 1) / 2) { print }' <<< "$rest")
best=$(head -1 <<< "$rest")
echo "first isolate (cold process): $first ms; another isolate: median $median ms, best $best ms ($count measured)"
rm -f "$log"
