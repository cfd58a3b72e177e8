#!/usr/bin/env bash
# Queues benchmark: the same Worker (bench/queues/) on wrangler dev and on flint dev, one after
# the other, each on fresh local state:
#   - throughput: messages per second from send() to the consumer's acknowledgement, with
#     sendBatch() and consumer batches of 10 and of 100 (SENDERS concurrent sending loops);
#   - latency: p50/p99 from send() to delivery for messages sent one at a time to an idle
#     consumer, with max_batch_timeout = 1 s and = 0.
#
#   bench/queues.sh                       # both runtimes
#   RUNTIMES=flint bench/queues.sh
#   N10=20000 N100=100000 SENDERS=4 LAT_N=100 SKIP_BUILD=1 bench/queues.sh
set -uo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
RUNTIMES=${RUNTIMES:-"wrangler flint"}
N10=${N10:-10000}; N100=${N100:-50000}; SENDERS=${SENDERS:-4}; LAT_N=${LAT_N:-100}; LAT_GAP=${LAT_GAP:-30}
PORT=${PORT:-18970}
work=$(mktemp -d)
pid=0
trap '[[ $pid -gt 0 ]] && kill -- -$pid 2>/dev/null; rm -rf "$work"' EXIT

[[ -f "$BENCH_DIR/node_modules/wrangler/bin/wrangler.js" ]] || (cd "$BENCH_DIR" && npm install --no-audit --no-fund --loglevel=error >&2)
if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  echo "== publishing Flint (Release, ReadyToRun) to bench/.flint-publish" >&2
  (cd "$REPO_DIR" && dotnet publish src/Flint.Cli -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    -o "$BENCH_DIR/.flint-publish" -nologo -v q >&2) || exit 2
fi

start() {
  local runtime=$1
  case "$runtime" in
    flint)
      (exec setsid "$BENCH_DIR/.flint-publish/flint" dev "$BENCH_DIR/queues" --port "$PORT" --ip 127.0.0.1 \
        --persist-to "$work/flint-state" --no-watch --log-level warn > "$work/flint.log" 2>&1) &
      ;;
    wrangler)
      (cd "$BENCH_DIR/queues" && exec setsid env "PATH=$BENCH_DIR/node_modules/.bin:$PATH" CI=1 WRANGLER_SEND_METRICS=false \
        WRANGLER_SEND_ERROR_REPORTS=false WRANGLER_HIDE_BANNER=true CLOUDFLARE_CF_FETCH_ENABLED=false NO_UPDATE_NOTIFIER=1 \
        "$BENCH_DIR/node_modules/.bin/node" "$BENCH_DIR/node_modules/wrangler/bin/wrangler.js" dev --port "$PORT" --ip 127.0.0.1 \
        --persist-to "$work/wrangler-state" --show-interactive-dev-session=false --log-level warn > "$work/wrangler.log" 2>&1) &
      ;;
  esac
  pid=$!
  for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && return 0; sleep 0.2; done
  echo "$runtime did not start" >&2; tail -20 "$work/$runtime.log" >&2; return 1
}

field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

declare -A R
for runtime in $RUNTIMES; do
  echo "== $runtime" >&2
  start "$runtime" || continue
  # Warm-up (the JIT's tiers, V8's optimizer, first SQLite pages), not measured.
  for _ in 1 2 3; do
    curl -s "http://127.0.0.1:$PORT/throughput?batch=10&n=$((N10 / 4))&senders=$SENDERS" > /dev/null
    curl -s "http://127.0.0.1:$PORT/throughput?batch=100&n=$((N100 / 4))&senders=$SENDERS" > /dev/null
  done
  t10=$(curl -s "http://127.0.0.1:$PORT/throughput?batch=10&n=$N10&senders=$SENDERS"); echo "   batch 10: $t10" >&2
  t100=$(curl -s "http://127.0.0.1:$PORT/throughput?batch=100&n=$N100&senders=$SENDERS"); echo "   batch 100: $t100" >&2
  l1=$(curl -s "http://127.0.0.1:$PORT/latency?timeout=1&n=$LAT_N&gap=$LAT_GAP"); echo "   latency, max_batch_timeout 1 s: $l1" >&2
  l0=$(curl -s "http://127.0.0.1:$PORT/latency?timeout=0&n=$LAT_N&gap=$LAT_GAP"); echo "   latency, max_batch_timeout 0: $l0" >&2
  R[$runtime.t10]=$(echo "$t10" | field perSecond); R[$runtime.t100]=$(echo "$t100" | field perSecond)
  R[$runtime.l1p50]=$(echo "$l1" | field p50); R[$runtime.l1p99]=$(echo "$l1" | field p99)
  R[$runtime.l0p50]=$(echo "$l0" | field p50); R[$runtime.l0p99]=$(echo "$l0" | field p99)
  kill -- -$pid 2>/dev/null; wait $pid 2>/dev/null; pid=0
done

ratio() { python3 -c "a,b='${R[flint.$1]:-}','${R[wrangler.$1]:-}'; print(f'{float(a)/float(b):.1f}x' if a and b and float(b)>0 else '-')"; }
echo
echo "| metric | wrangler dev | flint dev | flint / wrangler |"
echo "| --- | --- | --- | --- |"
echo "| messages/s, batches of 10 ($N10 messages, $SENDERS senders) | ${R[wrangler.t10]:--} | ${R[flint.t10]:--} | $(ratio t10) |"
echo "| messages/s, batches of 100 ($N100 messages, $SENDERS senders) | ${R[wrangler.t100]:--} | ${R[flint.t100]:--} | $(ratio t100) |"
echo "| send → delivery p50 / p99, max_batch_timeout 1 s (ms) | ${R[wrangler.l1p50]:--} / ${R[wrangler.l1p99]:--} | ${R[flint.l1p50]:--} / ${R[flint.l1p99]:--} | |"
echo "| send → delivery p50 / p99, max_batch_timeout 0 (ms) | ${R[wrangler.l0p50]:--} / ${R[wrangler.l0p99]:--} | ${R[flint.l0p50]:--} / ${R[flint.l0p99]:--} | |"
