#!/usr/bin/env bash
# Side-by-side benchmark: Flint (`flint dev`) vs workerd vs wrangler dev.
#
#   bench/run.sh [workload...]            # default: every directory in bench/workloads
#
# Environment:
#   RUNTIMES="flint workerd wrangler aspnet"  runtimes to measure, in this order (aspnet: the bare
#                                         ASP.NET Core baseline in bench/baseline, for workloads that name it;
#                                         nginx: the same bytes as static files from nginx, the machine's
#                                         ceiling for a byte-serving workload — installed with apt-get when
#                                         missing, and only run when named here and in the workload's list)
#   DURATION=10s  CONNECTIONS=50  THREADS=2  WARMUP=2s
#   BASE_PORT=18787                       first port tried; busy ports are skipped
#   STARTUP_TIMEOUT=30                    seconds to wait for a server's first response
#   SKIP_BUILD=1                          do not (re)build Flint
#   FLINT_ARGS="..."                      extra arguments for `flint dev`
#
# Everything listens on 127.0.0.1 and wrk only talks to 127.0.0.1. Each server is started
# in its own process group and stopped by killing that group. Results are printed as
# markdown and written to bench/results/<timestamp>.md (raw logs in bench/results/<timestamp>/).
set -uo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
RUNTIMES="${RUNTIMES:-flint workerd wrangler aspnet}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-50}"
THREADS="${THREADS:-2}"
WARMUP="${WARMUP:-2s}"
BASE_PORT="${BASE_PORT:-18787}"
STARTUP_TIMEOUT="${STARTUP_TIMEOUT:-30}"
ERROR_GRACE_MS=3000
FLINT_ARGS="${FLINT_ARGS:-}"

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS_DIR="$BENCH_DIR/results"
RUN_DIR="$RESULTS_DIR/$STAMP"
RESULT_MD="$RESULTS_DIR/$STAMP.md"
mkdir -p "$RUN_DIR"

log() { printf '%s\n' "$*" >&2; }
die() { log "run.sh: $*"; exit 1; }

# Request path and expected body fragment per workload (default: "/" and nothing checked).
workload_path() {
  case "$1" in
    json) printf '/api/items?name=flint&n=5' ;;
    kv) printf '/kv' ;;
    d1) printf '/d1' ;;
    stream) printf '/stream' ;; echo) printf '/echo' ;; hmac) printf '/hmac' ;; gzip) printf '/gzip' ;; r2) printf '/r2' ;;
    cache) printf '/cache/asset.txt' ;; htmlrewriter) printf '/page' ;;
    assets) printf '/asset.txt' ;; assets-big) printf '/big.bin' ;;
    *) printf '/' ;;
  esac
}
workload_expect() {
  case "$1" in
    hello) printf 'Hello World!' ;;
    rpc) printf 'sum=5050' ;;
    service-fetch) printf 'Hello from the service' ;;
    json) printf '"greeting":"Hello, flint!"' ;;
    kv) printf 'value-' ;;
    d1) printf '"name":"item-' ;;
    cache) printf 'cached-asset' ;;
    do-counter) printf 'count=' ;;
    assets) printf 'asset-10k' ;;
    *) printf '' ;;
  esac
}

# ---------------------------------------------------------------------------------------
# Prerequisites
# ---------------------------------------------------------------------------------------
ensure_wrk() {
  command -v wrk >/dev/null 2>&1 && return 0
  log "== installing wrk (apt-get)"
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >&2 \
    || die "could not install wrk"
}

ensure_nginx() {
  command -v nginx >/dev/null 2>&1 && return 0
  log "== installing nginx (apt-get)"
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nginx-light >&2
}

# The static files nginx serves for a workload: the bytes its Worker answers with, at its path.
make_nginx_site() { # make_nginx_site WORKLOAD DIR
  case "$1" in
    r2) python3 -c "import sys; open(sys.argv[1], 'wb').write(bytes(i & 255 for i in range(1 << 20)))" "$2/r2" ;;
    assets-big) ln -sf "$BENCH_DIR/workloads/assets-big/public/big.bin" "$2/big.bin" ;;
    *) return 1 ;;
  esac
}

ensure_node_modules() {
  if [[ -x "$BENCH_DIR/node_modules/.bin/workerd" && -x "$BENCH_DIR/node_modules/.bin/node" \
        && -f "$BENCH_DIR/node_modules/wrangler/bin/wrangler.js" ]]; then
    return 0
  fi
  log "== installing bench/node_modules"
  # npm ci refuses lockfiles without entries for platform packages the registry here lacks
  # (workerd's darwin/windows builds); npm install honours the same lockfile and leaves it as is.
  (cd "$BENCH_DIR" && { npm ci --no-audit --no-fund > "$RUN_DIR/npm-ci.log" 2>&1 \
      || { log "   npm ci rejected the lockfile (see results/$STAMP/npm-ci.log); using npm install";
           npm install --no-audit --no-fund --loglevel=error >&2; }; }) \
    || die "npm install failed in bench/"
}

FLINT_CMD=()
FLINT_BUILD_ERROR=""
build_flint() {
  if [[ "${SKIP_BUILD:-}" != 1 ]]; then
    # Published as it would be deployed: Release, ReadyToRun (precompiled, so startup does not wait for the JIT).
    log "== publishing Flint (Release, ReadyToRun) to bench/.flint-publish"
    if ! (cd "$REPO_DIR" && dotnet publish src/Flint.Cli -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
          -o "$BENCH_DIR/.flint-publish" -nologo -v q > "$RUN_DIR/flint-build.log" 2>&1); then
      FLINT_BUILD_ERROR="build failed (see results/$STAMP/flint-build.log)"
      log "   $FLINT_BUILD_ERROR"
      tail -n 20 "$RUN_DIR/flint-build.log" >&2
      return 1
    fi
  fi
  local out="$BENCH_DIR/.flint-publish"
  if [[ -x "$out/flint" ]]; then
    FLINT_CMD=("$out/flint")
  elif [[ -f "$out/flint.dll" ]]; then
    FLINT_CMD=(dotnet "$out/flint.dll")
  else
    FLINT_BUILD_ERROR="no build output in bench/.flint-publish"
    return 1
  fi
}

BASELINE_ERROR=""
build_baseline() {
  log "== building the ASP.NET Core baseline (bench/baseline, Release)"
  if ! (cd "$BENCH_DIR/baseline" && dotnet publish -c Release -o "$BENCH_DIR/.baseline-publish" -nologo -v q > "$RUN_DIR/baseline-build.log" 2>&1); then
    BASELINE_ERROR="build failed (see results/$STAMP/baseline-build.log)"
    log "   $BASELINE_ERROR"
  fi
}

# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
NEXT_PORT=$BASE_PORT
pick_port() {
  while port_busy "$NEXT_PORT"; do NEXT_PORT=$((NEXT_PORT + 1)); done
  PORT=$NEXT_PORT
  NEXT_PORT=$((NEXT_PORT + 1))
}

now_ms() { local t; t=$(date +%s%N); echo $((t / 1000000)); }

# toml_get FILE KEY: the first top-level `KEY = "value"` (good enough for the workloads here).
toml_get() {
  sed -n -E "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*\"([^\"]*)\".*/\1/p" "$1" | head -n 1
}

# Sum of VmRSS (kB) over a process and all its descendants, using only builtins.
_rss_sum=0
_rss_walk() {
  local pid=$1 k v rest t c
  local -a kids
  if [[ -r /proc/$pid/status ]]; then
    while read -r k v rest; do
      if [[ $k == VmRSS: ]]; then _rss_sum=$((_rss_sum + v)); break; fi
    done < "/proc/$pid/status" 2>/dev/null
  fi
  for t in /proc/"$pid"/task/*/children; do
    [[ -r $t ]] || continue
    read -r -a kids < "$t" 2>/dev/null || true
    for c in "${kids[@]}"; do _rss_walk "$c"; done
  done
}
# sample_rss ROOT_PID OUT_FILE: every 100 ms, writes the peak tree RSS (kB) seen so far.
sample_rss() {
  local root=$1 out=$2 peak=0 fd
  exec {fd}<> <(:)
  while kill -0 "$root" 2>/dev/null; do
    _rss_sum=0
    _rss_walk "$root"
    if ((_rss_sum > peak)); then peak=$_rss_sum; echo "$peak" > "$out"; fi
    read -r -t 0.1 -u "$fd" _ || true
  done
}

# stop_group PGID: TERM the process group, KILL it if still there after 5 s.
stop_group() {
  local pg=$1 i
  kill -TERM -- "-$pg" 2>/dev/null || return 0
  for i in $(seq 1 50); do
    kill -0 -- "-$pg" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$pg" 2>/dev/null || true
  wait "$pg" 2>/dev/null || true
}

# to_ms "2.30ms" | "750.00us" | "1.20s" -> milliseconds
to_ms() {
  awk -v x="$1" 'BEGIN {
    if (x ~ /us$/) { sub(/us$/, "", x); printf "%.2f", x / 1000 }
    else if (x ~ /ms$/) { sub(/ms$/, "", x); printf "%.2f", x }
    else if (x ~ /m$/) { sub(/m$/, "", x); printf "%.2f", x * 60000 }
    else if (x ~ /s$/) { sub(/s$/, "", x); printf "%.2f", x * 1000 }
    else printf "?" }'
}

# Generates a workerd config for a workload into DIR; prints the config path. A workload with
# services.list ("BINDING NAME" per line) also gets each services/NAME Worker, bound to the main one;
# one with durable-objects.list ("BINDING CLASS" per line) gets those SQLite-backed Durable Object
# namespaces, stored on local disk (DIR/do-storage), as wrangler dev stores them.
make_workerd_config() {
  local wl_dir=$1 dir=$2 port=$3 main compat
  main=$(toml_get "$wl_dir/wrangler.toml" main)
  compat=$(toml_get "$wl_dir/wrangler.toml" compatibility_date)
  [[ -n $main && -f "$wl_dir/$main" ]] || { log "no main module in $wl_dir/wrangler.toml"; return 1; }
  mkdir -p "$dir"
  cp "$wl_dir/$main" "$dir/worker.js"
  local services='(name = "main", worker = .w)' bindings="" workers="" binding name svc_main n=0
  if [[ -f "$wl_dir/services.list" ]]; then
    while read -r binding name; do
      [[ -z $binding ]] && continue
      n=$((n + 1))
      svc_main=$(toml_get "$wl_dir/services/$name/wrangler.toml" main)
      cp "$wl_dir/services/$name/$svc_main" "$dir/$name.js"
      services+=", (name = \"$name\", worker = .svc$n)"
      bindings+="${bindings:+, }(name = \"$binding\", service = \"$name\")"
      workers+="
const svc$n :Workerd.Worker = (
  modules = [(name = \"$name.js\", esModule = embed \"$name.js\")],
  compatibilityDate = \"${compat:-2025-11-01}\",
);
"
    done < "$wl_dir/services.list"
  fi
  local namespaces="" storage="" class
  if [[ -f "$wl_dir/durable-objects.list" ]]; then
    while read -r binding class; do
      [[ -z $binding ]] && continue
      bindings+="${bindings:+, }(name = \"$binding\", durableObjectNamespace = \"$class\")"
      namespaces+="${namespaces:+, }(className = \"$class\", uniqueKey = \"bench-$class\", enableSql = true)"
    done < "$wl_dir/durable-objects.list"
    mkdir -p "$dir/do-storage"
    services+=', (name = "do-disk", disk = (path = "'"$dir/do-storage"'", writable = true))'
    storage="durableObjectNamespaces = [$namespaces], durableObjectStorage = (localDisk = \"do-disk\"),"
  fi
  cat > "$dir/config.capnp" <<EOF
# Generated by bench/run.sh for $(basename "$wl_dir")
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [$services],
  sockets = [(name = "http", address = "127.0.0.1:$port", http = (), service = "main")],
);

const w :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = "${compat:-2025-11-01}",
  bindings = [$bindings],
  $storage
);
$workers
EOF
  echo "$dir/config.capnp"
}

# ---------------------------------------------------------------------------------------
# One measurement: sets R_* variables
# ---------------------------------------------------------------------------------------
run_one() {
  local runtime=$1 wl=$2
  local wl_dir="$BENCH_DIR/workloads/$wl"
  local tag="$wl-$runtime"
  local server_log="$RUN_DIR/$tag.server.log"
  R_ERR="" R_RPS="" R_P50="" R_P99="" R_RSS="" R_FIRST="" R_NOTE="" R_IDLE="" R_MBPS=""

  # A workload may need files made first (e.g. a large asset kept out of git).
  [[ -x "$wl_dir/prepare" ]] && "$wl_dir/prepare"
  pick_port
  local url="http://127.0.0.1:$PORT$(workload_path "$wl")"
  local -a cmd env_cmd=(env)
  local cwd="$wl_dir"
  case "$runtime" in
    flint)
      if [[ -n $FLINT_BUILD_ERROR ]]; then R_ERR=$FLINT_BUILD_ERROR; return; fi
      # shellcheck disable=SC2206
      # --no-restart: the server alone, as `flint serve` runs under systemd; dev's supervisor is a second process.
      cmd=("${FLINT_CMD[@]}" dev "$wl_dir" --port "$PORT" --ip 127.0.0.1 --no-restart $FLINT_ARGS)
      # A workload's other Workers run beside it, as wrangler's multi-config dev.
      for svc in "$wl_dir"/services/*/; do [[ -d $svc ]] && cmd+=(-c "$svc"); done
      ;;
    workerd)
      local cfg
      cfg=$(make_workerd_config "$wl_dir" "$RUN_DIR/workerd-$wl" "$PORT") || { R_ERR="could not generate config.capnp"; return; }
      cwd="$RUN_DIR/workerd-$wl"
      cmd=("$BENCH_DIR/node_modules/.bin/workerd" serve "$cfg")
      ;;
    wrangler)
      # Node >= 22 comes from the `node` npm package (bench/node_modules/.bin/node).
      env_cmd=(env "PATH=$BENCH_DIR/node_modules/.bin:$PATH" CI=1 WRANGLER_SEND_METRICS=false
        WRANGLER_SEND_ERROR_REPORTS=false WRANGLER_HIDE_BANNER=true CLOUDFLARE_CF_FETCH_ENABLED=false
        NO_UPDATE_NOTIFIER=1 BROWSER=none)
      cmd=("$BENCH_DIR/node_modules/.bin/node" "$BENCH_DIR/node_modules/wrangler/bin/wrangler.js"
        dev --port "$PORT" --ip 127.0.0.1 --show-interactive-dev-session=false)
      ;;
    aspnet)
      if [[ -n $BASELINE_ERROR ]]; then R_ERR=$BASELINE_ERROR; return; fi
      rm -rf "$RUN_DIR/aspnet-$wl"
      cmd=(dotnet "$BENCH_DIR/.baseline-publish/Baseline.dll" --port "$PORT" --data "$RUN_DIR/aspnet-$wl")
      ;;
    nginx)
      # Two workers (one per core here), no access log; sendfile off measured faster on this VM's loopback.
      ensure_nginx || { R_ERR="could not install nginx"; return; }
      local ndir="$RUN_DIR/nginx-$wl"
      mkdir -p "$ndir/www" "$ndir/logs"
      make_nginx_site "$wl" "$ndir/www" || { R_ERR="no static files for $wl"; return; }
      printf '%s\n' "worker_processes auto; pid $ndir/nginx.pid; error_log $ndir/logs/error.log;" \
        "events { worker_connections 4096; }" \
        "http { access_log off; sendfile off; default_type application/octet-stream;" \
        "  server { listen 127.0.0.1:$PORT; root $ndir/www; } }" > "$ndir/nginx.conf"
      cmd=(nginx -p "$ndir" -c "$ndir/nginx.conf" -g "daemon off;")
      ;;
    *) R_ERR="unknown runtime"; return ;;
  esac

  log "== $wl / $runtime: ${cmd[*]}  ($url)"
  local t0 pid
  t0=$(now_ms)
  (cd "$cwd" && exec setsid "${env_cmd[@]}" "${cmd[@]}" < /dev/null > "$server_log" 2>&1) &
  pid=$!
  local rss_file="$RUN_DIR/$tag.rss"
  echo 0 > "$rss_file"
  sample_rss "$pid" "$rss_file" &
  local sampler=$!

  # Wait for the first successful (2xx) response.
  local deadline=$((t0 + STARTUP_TIMEOUT * 1000)) code="" first_error_at=""
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      local why
      why=$(grep -m1 -iE '^[^[:space:]].*(error|✘|exception|unrecognized|fail)' "$server_log" \
        || grep -m1 -v '^[[:space:]]*$' "$server_log")
      R_ERR="exited before answering: ${why:0:120}"
      [[ -z $why ]] && R_ERR="exited before answering (see results/$STAMP/$tag.server.log)"
      break
    fi
    code=$(curl -s -o "$RUN_DIR/$tag.first-body" -w '%{http_code}' --max-time 2 "$url" 2>/dev/null || true)
    if [[ $code == 2* ]]; then R_FIRST=$(( $(now_ms) - t0 )); break; fi
    # A server that is up but keeps answering an error is failed after ERROR_GRACE_MS
    # (a dev server may answer 5xx for a moment while it loads the Worker).
    if [[ $code =~ ^[45] ]]; then
      [[ -z $first_error_at ]] && first_error_at=$(now_ms)
      if (( $(now_ms) - first_error_at > ERROR_GRACE_MS )); then
        R_ERR="HTTP $code: $(grep -m1 -v '^[[:space:]]*$' "$RUN_DIR/$tag.first-body" | cut -c1-100)"
        break
      fi
    else
      first_error_at=""
    fi
    if (( $(now_ms) > deadline )); then R_ERR="no 2xx response within ${STARTUP_TIMEOUT}s (last status ${code:-none})"; break; fi
    sleep 0.02
  done

  if [[ -z $R_ERR ]]; then
    local expect; expect=$(workload_expect "$wl")
    if [[ -n $expect ]] && ! grep -qF -- "$expect" "$RUN_DIR/$tag.first-body"; then
      R_ERR="unexpected body: $(head -c 80 "$RUN_DIR/$tag.first-body" | tr '\n' ' ')"
    fi
  fi

  if [[ -z $R_ERR ]]; then
    # A workload may set its own connection count (big bodies) and a wrk Lua script (method, body).
    local conns=$CONNECTIONS threads=$THREADS
    local -a script=()
    [[ -f "$wl_dir/connections" ]] && conns=$(cat "$wl_dir/connections")
    ((threads > conns)) && threads=$conns
    [[ -f "$wl_dir/wrk.lua" ]] && script=(-s "$wl_dir/wrk.lua")
    _rss_sum=0; _rss_walk "$pid"; R_IDLE=$((_rss_sum / 1024))
    wrk -t"$threads" -c"$conns" -d"$WARMUP" "${script[@]}" "$url" > "$RUN_DIR/$tag.warmup.txt" 2>&1
    local out="$RUN_DIR/$tag.wrk.txt"
    wrk -t"$threads" -c"$conns" -d"$DURATION" --latency "${script[@]}" "$url" > "$out" 2>&1
    R_MBPS=$(awk '/^Transfer\/sec:/ { v = $2; if (v ~ /GB$/) { sub(/GB$/, "", v); v *= 1024 } else if (v ~ /MB$/) sub(/MB$/, "", v); else if (v ~ /KB$/) { sub(/KB$/, "", v); v /= 1024 } else v = 0; printf "%.0f", v }' "$out")
    R_RPS=$(awk '/^Requests\/sec:/ { printf "%d", $2 }' "$out")
    R_P50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
    R_P99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
    local non2xx sockerr
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
    sockerr=$(sed -n 's/^ *Socket errors: *//p' "$out")
    [[ -n $non2xx ]] && R_NOTE+="${non2xx} non-2xx responses; "
    [[ -n $sockerr ]] && R_NOTE+="socket errors: ${sockerr}; "
    if ! kill -0 "$pid" 2>/dev/null; then R_NOTE+="server died during the run; "; fi
    [[ -z $R_RPS ]] && R_ERR="could not parse wrk output (see results/$STAMP/$tag.wrk.txt)"
  fi

  stop_group "$pid"
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
  R_RSS=$(awk '{ printf "%.0f", $1 / 1024 }' "$rss_file")
  if [[ -n $R_ERR ]]; then
    log "   failed: $R_ERR"
  else
    log "   ${R_RPS} req/s, p50 ${R_P50} ms, p99 ${R_P99} ms, peak RSS ${R_RSS} MB, first response ${R_FIRST} ms ${R_NOTE}"
  fi
}

# ---------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------
WORKLOADS=("$@")
if [[ ${#WORKLOADS[@]} -eq 0 ]]; then
  for d in "$BENCH_DIR"/workloads/*/; do WORKLOADS+=("$(basename "$d")"); done
fi
for wl in "${WORKLOADS[@]}"; do
  [[ -f "$BENCH_DIR/workloads/$wl/wrangler.toml" ]] || die "no workload '$wl' (bench/workloads/$wl/wrangler.toml)"
done

ensure_wrk
ensure_node_modules
if [[ " $RUNTIMES " == *" flint "* ]]; then build_flint || true; fi

{
  echo "# Flint benchmark — $STAMP"
  echo
  echo "- wrk: \`wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency\` after a ${WARMUP} warm-up; each runtime started fresh"
  echo "- machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- commit: $(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$REPO_DIR" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "- versions: workerd $("$BENCH_DIR/node_modules/.bin/workerd" --version 2>/dev/null | awk '{print $2}'), wrangler $(node -p "require('$BENCH_DIR/node_modules/wrangler/package.json').version" 2>/dev/null), .NET $(dotnet --version 2>/dev/null)"
  echo "- peak RSS: sum of VmRSS over the server process and its children, sampled every 100 ms from start to stop"
  echo "- first response: from process start to the first 2xx response"
  echo
} > "$RESULT_MD"

# A workload may name the runtimes it can run on (e.g. KV needs a wrangler config: no bare workerd).
workload_runtimes() {
  local file="$BENCH_DIR/workloads/$1/runtimes" rt out=""
  # Without a list: every runtime but the baseline, which only knows the workloads that name it.
  if [[ ! -f $file ]]; then local rts=${RUNTIMES//aspnet/}; printf '%s' "${rts//nginx/}"; return; fi
  for rt in $RUNTIMES; do grep -qw "$rt" "$file" && out+="$rt "; done
  printf '%s' "$out"
}

ratio_vs() { # ratio_vs RUNTIME BASELINE
  if [[ -n ${RPS[$2]:-} && ${RPS[$2]:-0} -gt 0 && -z ${ERR[$2]:-} ]]; then
    awk -v a="${RPS[$1]}" -v b="${RPS[$2]}" 'BEGIN { printf "%.2f×", a / b }'
  else printf '–'; fi
}

for wl in "${WORKLOADS[@]}"; do
  if [[ " $(workload_runtimes "$wl") " == *" aspnet "* ]]; then build_baseline; break; fi
done

for wl in "${WORKLOADS[@]}"; do
  declare -A RPS=() P50=() P99=() RSS=() FIRST=() ERR=() NOTE=() IDLE=() MBPS=()
  WL_RUNTIMES=$(workload_runtimes "$wl")
  for rt in $WL_RUNTIMES; do
    run_one "$rt" "$wl"
    IDLE[$rt]=$R_IDLE MBPS[$rt]=$R_MBPS
    RPS[$rt]=$R_RPS P50[$rt]=$R_P50 P99[$rt]=$R_P99 RSS[$rt]=$R_RSS FIRST[$rt]=$R_FIRST ERR[$rt]=$R_ERR NOTE[$rt]=$R_NOTE
  done
  {
    echo "## $wl — \`GET $(workload_path "$wl")\`"
    echo
    echo "| runtime | req/s | MB/s | p50 ms | p99 ms | idle → peak RSS MB | first response ms | req/s vs workerd | req/s vs wrangler dev | req/s vs bare ASP.NET | req/s vs nginx | notes |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    for rt in $WL_RUNTIMES; do
      if [[ -n ${ERR[$rt]} ]]; then
        echo "| $rt | failed: ${ERR[$rt]//|/\\|} | | | | ${RSS[$rt]:-} | | | | | | |"
        continue
      fi
      note=${NOTE[$rt]%; }
      echo "| $rt | ${RPS[$rt]} | ${MBPS[$rt]} | ${P50[$rt]} | ${P99[$rt]} | ${IDLE[$rt]} → ${RSS[$rt]} | ${FIRST[$rt]} | $(ratio_vs "$rt" workerd) | $(ratio_vs "$rt" wrangler) | $(ratio_vs "$rt" aspnet) | $(ratio_vs "$rt" nginx) | ${note//|/\\|} |"
    done
    echo
  } | tee -a "$RESULT_MD"
  unset RPS P50 P99 RSS FIRST ERR NOTE IDLE MBPS
done

echo "Results written to ${RESULT_MD#"$REPO_DIR/"} (logs in ${RUN_DIR#"$REPO_DIR/"}/)"
