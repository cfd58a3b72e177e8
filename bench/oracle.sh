#!/usr/bin/env bash
# Behaviour oracle: runs one Worker directory on wrangler dev and on flint dev, requests the
# same paths from both and prints a diff of the answers (status line and body).
#
#   bench/oracle.sh WORKER_DIR [PATH...]       # default path: /
#   PORT_W=… PORT_F=… bench/oracle.sh …        # other ports (default 18901 and 18902)
#   RECORD=DIR bench/oracle.sh …               # also save wrangler's answers as DIR/<path>.json,
#                                              # golden files a test can compare Flint with
#   CONFIG=wrangler.x.toml bench/oracle.sh …    # run that config of WORKER_DIR (default wrangler.toml)
#
# Both listen on 127.0.0.1 only; each runs with its own fresh local state (a temporary
# --persist-to), so runs do not see each other's data. Exit status 1 when the answers differ.
set -uo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
dir="$(cd "$1" && pwd)"; shift
paths=("$@"); [[ ${#paths[@]} -eq 0 ]] && paths=(/)
work=$(mktemp -d)
wpid=0; fpid=0
trap '[[ $wpid -gt 0 ]] && kill -- -$wpid 2>/dev/null; [[ $fpid -gt 0 ]] && kill -- -$fpid 2>/dev/null; rm -rf "$work"' EXIT

[[ -f "$BENCH_DIR/node_modules/wrangler/bin/wrangler.js" ]] || (cd "$BENCH_DIR" && npm install --no-audit --no-fund --loglevel=error >&2)
dotnet build -v q "$REPO_DIR/src/Flint.Cli" >&2 || exit 2

port_w=${PORT_W:-18901}; port_f=${PORT_F:-18902}
(cd "$dir" && exec setsid env "PATH=$BENCH_DIR/node_modules/.bin:$PATH" CI=1 WRANGLER_SEND_METRICS=false \
  WRANGLER_SEND_ERROR_REPORTS=false CLOUDFLARE_CF_FETCH_ENABLED=false NO_UPDATE_NOTIFIER=1 \
  "$BENCH_DIR/node_modules/.bin/node" "$BENCH_DIR/node_modules/wrangler/bin/wrangler.js" dev ${CONFIG:+-c "$CONFIG"} \
  --port $port_w --ip 127.0.0.1 --persist-to "$work/wrangler-state" --show-interactive-dev-session=false \
  > "$work/wrangler.log" 2>&1) &
wpid=$!
(exec setsid dotnet "$REPO_DIR/src/Flint.Cli/bin/Debug/net10.0/flint.dll" dev "$dir${CONFIG:+/$CONFIG}" --port $port_f \
  --persist-to "$work/flint-state" --no-watch > "$work/flint.log" 2>&1) &
fpid=$!

wait_up() { for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.2; done; echo "server on $1 did not start" >&2; return 1; }
wait_up $port_w || { tail -20 "$work/wrangler.log" >&2; exit 2; }
wait_up $port_f || { tail -20 "$work/flint.log" >&2; exit 2; }

status=0
for p in "${paths[@]}"; do
  curl -s -w '\n[%{http_code}]\n' "http://127.0.0.1:$port_w$p" > "$work/w.out"
  curl -s -w '\n[%{http_code}]\n' "http://127.0.0.1:$port_f$p" > "$work/f.out"
  # JSON bodies are pretty-printed one key per line so a difference shows on its own line.
  for f in w f; do python3 -c 'import json,sys
t=open(sys.argv[1]).read()
body,_,code=t.rpartition("\n[")
try: print(json.dumps(json.loads(body),indent=1,ensure_ascii=False))
except Exception: print(body)
print("["+code)' "$work/$f.out" > "$work/$f.txt"; done
  if [[ -n "${RECORD:-}" ]]; then
    mkdir -p "$RECORD"; name=$(printf '%s' "$p" | tr -c 'A-Za-z0-9_-' '_'); body=$(sed '$d' "$work/w.out")
    printf '%s' "$body" > "$RECORD/${name#_}.json"; echo "recorded $RECORD/${name#_}.json"
  fi
  if diff -u --label "wrangler $p" --label "flint $p" "$work/w.txt" "$work/f.txt"; then echo "same: $p"; else status=1; fi
done
exit $status
