#!/usr/bin/env bash
# Durable Object broadcast benchmark: a room of CLIENTS WebSocket clients (one Durable Object with
# hibernatable sockets) where every message is broadcast to every client, on Flint, workerd (local
# disk storage) and wrangler dev, one after the other, each started fresh.
#
#   bench/do-broadcast.sh                 # RUNTIMES="flint workerd wrangler" CLIENTS=100 SECONDS=10
#
# Prints a markdown table: messages delivered per second and delivery latency (p50, p99), from the
# closed-loop client in bench/do-broadcast/client.mjs (each client sends its next message when its
# previous one came back, so CLIENTS messages are in flight). Everything listens on 127.0.0.1.
set -uo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
RUNTIMES="${RUNTIMES:-flint workerd wrangler}"
CLIENTS="${CLIENTS:-100}"
SECONDS_="${SECONDS:-10}"
PORT="${PORT:-19540}"
WL="$BENCH_DIR/do-broadcast"
NODE="$BENCH_DIR/node_modules/.bin/node"
work=$(mktemp -d)
pg=0
trap '[[ $pg -gt 0 ]] && kill -- -$pg 2>/dev/null; rm -rf "$work"' EXIT

if [[ " $RUNTIMES " == *" flint "* && "${SKIP_BUILD:-}" != 1 ]]; then
  echo "== publishing Flint (Release, ReadyToRun)" >&2
  (cd "$REPO_DIR" && dotnet publish src/Flint.Cli -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    -o "$BENCH_DIR/.flint-publish" -nologo -v q >&2) || exit 2
fi

start() { # start RUNTIME: starts the server in its own process group, sets pg
  local rt=$1
  case $rt in
    flint)
      rm -rf "$work/flint-state"
      (exec setsid "$BENCH_DIR/.flint-publish/flint" dev "$WL" --port "$PORT" --ip 127.0.0.1 --no-restart --no-watch \
        --persist-to "$work/flint-state" --log-level warn > "$work/$rt.log" 2>&1) & ;;
    workerd)
      mkdir -p "$work/workerd/do-storage"
      cp "$WL/src/index.js" "$work/workerd/worker.js"
      cat > "$work/workerd/config.capnp" <<CAPNP
using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .w), (name = "do-disk", disk = (path = "$work/workerd/do-storage", writable = true))],
  sockets = [(name = "http", address = "127.0.0.1:$PORT", http = (), service = "main")],
);
const w :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = "2025-11-01",
  bindings = [(name = "ROOM", durableObjectNamespace = "Room")],
  durableObjectNamespaces = [(className = "Room", uniqueKey = "bench-room", enableSql = true)],
  durableObjectStorage = (localDisk = "do-disk"),
);
CAPNP
      (cd "$work/workerd" && exec setsid "$BENCH_DIR/node_modules/.bin/workerd" serve config.capnp > "$work/$rt.log" 2>&1) & ;;
    wrangler)
      (cd "$WL" && exec setsid env "PATH=$BENCH_DIR/node_modules/.bin:$PATH" CI=1 WRANGLER_SEND_METRICS=false WRANGLER_SEND_ERROR_REPORTS=false \
        CLOUDFLARE_CF_FETCH_ENABLED=false NO_UPDATE_NOTIFIER=1 "$NODE" "$BENCH_DIR/node_modules/wrangler/bin/wrangler.js" dev \
        --port "$PORT" --ip 127.0.0.1 --persist-to "$work/wrangler-state" --show-interactive-dev-session=false > "$work/$rt.log" 2>&1) & ;;
  esac
  pg=$!
  for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && return 0; sleep 0.1; done
  echo "$rt did not start:" >&2; tail -20 "$work/$rt.log" >&2; return 1
}

declare -A RATE=() ROW=()
for rt in $RUNTIMES; do
  echo "== $rt" >&2
  start "$rt" || { ROW[$rt]="failed to start | | |"; continue; }
  out=$("$NODE" "$WL/client.mjs" "ws://127.0.0.1:$PORT/room" "$CLIENTS" "$SECONDS_" 2 2>"$work/$rt.client.err")
  kill -- -$pg 2>/dev/null; wait $pg 2>/dev/null; pg=0
  if [[ -z $out ]]; then ROW[$rt]="client failed: $(head -c 120 "$work/$rt.client.err") | | |"; continue; fi
  echo "   $out" >&2
  read -r rate p50 p99 < <(echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["deliveredPerSecond"], d["p50"], d["p99"])')
  RATE[$rt]=$rate
  ROW[$rt]="$rate | $p50 | $p99"
done
echo "| runtime | clients | messages delivered/s | p50 ms | p99 ms | vs workerd |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for rt in $RUNTIMES; do
  ratio="–"
  [[ -n ${RATE[workerd]:-} && -n ${RATE[$rt]:-} && $rt != workerd ]] && ratio=$(awk -v a="${RATE[$rt]}" -v b="${RATE[workerd]}" 'BEGIN { printf "%.2f×", a / b }')
  echo "| $rt | $CLIENTS | ${ROW[$rt]} | $ratio |"
done
