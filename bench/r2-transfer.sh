#!/usr/bin/env bash
# R2 transfer and listing benchmark (the 1 MiB read is the `r2` workload of bench/run.sh).
#
#   bench/r2-transfer.sh
#
# 1. A SIZE_MB (default 100) MiB object, each transfer REPEAT (default 5) times after a warm-up
#    (median time, highest RSS), through the Worker's binding (PUT with put(key,
#    request.body), GET with new Response(object.body)) and through the S3 API (curl's SigV4,
#    one PUT and one GET; and the aws CLI's multipart cp when it is installed), against a plain
#    file copy on the same disk: `dd conv=fsync` (as durable as a put) and `cp` (page cache only).
#    curl transfers are timed by curl (time_total, without its start-up), the rest by the clock.
#    MB/s and Flint's RSS, idle and the peak during each transfer (sampled every 50 ms). With
#    WRANGLER=1 (default) the binding transfers also run on wrangler dev.
# 2. list() of 1,000 keys from a bucket of KEYS (default 1,000,000) keys: the first page, a page
#    from a cursor halfway through, and a page under a prefix; time per request (curl's
#    time_total, HTTP included) over LIST_RUNS (default 100) requests, median and p99. The
#    bucket is seeded straight into its SQLite file with one INSERT (the schema of
#    src/Flint.Engine/R2/R2BucketStore.cs): a million puts would take far longer than the test.
#
# Environment: SKIP_BUILD=1 (reuse bench/.flint-publish), PORT (default 18850; the S3 API on
# PORT+1, wrangler dev on PORT+2), SIZE_MB, KEYS, LIST_RUNS, WRANGLER=0|1.
# Everything listens on 127.0.0.1 only; each server runs in its own process group and is stopped.
set -uo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
PORT="${PORT:-18850}"; S3PORT=$((PORT + 1)); WPORT=$((PORT + 2))
SIZE_MB="${SIZE_MB:-100}"; KEYS="${KEYS:-1000000}"; LIST_RUNS="${LIST_RUNS:-100}"; WRANGLER="${WRANGLER:-1}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$BENCH_DIR/results"
WORK="$(mktemp -d -p "$BENCH_DIR/results" "r2-$STAMP-XXXX")" # the same disk as Flint's data
RESULT_MD="$BENCH_DIR/results/$STAMP-r2.md"
log() { printf '%s\n' "$*" >&2; }
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -- "-$p" 2>/dev/null; done; rm -rf "$WORK/data" "$WORK/wrangler-state" "$WORK"/*.bin; }
trap cleanup EXIT

command -v sqlite3 >/dev/null || { log "installing sqlite3"; apt-get install -y -q sqlite3 >/dev/null; }
FLINT="$BENCH_DIR/.flint-publish/flint"
if [[ "${SKIP_BUILD:-}" != 1 || ! -x "$FLINT" ]]; then
  log "== publishing Flint (Release, ReadyToRun) to bench/.flint-publish"
  (cd "$REPO_DIR" && dotnet publish src/Flint.Cli -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    -o "$BENCH_DIR/.flint-publish" -nologo -v q > "$WORK/build.log" 2>&1) || { tail -20 "$WORK/build.log" >&2; exit 2; }
fi

now_ms() { date +%s%3N; }
mbps() { awk -v mb="$SIZE_MB" -v s="$1" 'BEGIN { printf "%.0f", mb * 1.048576 / s }'; }
seconds_of() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1000 }'; }

# ---- the source file and the baselines --------------------------------------------------------
SRC="$WORK/source.bin"
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom > "$SRC"
sync
median3() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
COPY_SYNC=$(for _ in 1 2 3; do t0=$(now_ms); dd if="$SRC" of="$WORK/copy-sync.bin" bs=1M conv=fsync status=none; t1=$(now_ms); rm -f "$WORK/copy-sync.bin"; seconds_of "$t0" "$t1"; echo; done | median3)
COPY=$(for _ in 1 2 3; do t0=$(now_ms); cp "$SRC" "$WORK/copy.bin"; t1=$(now_ms); rm -f "$WORK/copy.bin"; seconds_of "$t0" "$t1"; echo; done | median3)

# ---- a bucket of KEYS keys --------------------------------------------------------------------
DATA="$WORK/data"
"$FLINT" r2 bucket create million --persist-to "$DATA" > /dev/null
t0=$(now_ms)
sqlite3 "$DATA/r2/million/r2.sqlite" <<SQL
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $KEYS - 1)
INSERT INTO objects (key, version, size, etag, uploaded, checksums, body)
SELECT CAST(printf('key/%07d', i) AS BLOB), lower(hex(randomblob(16))), 0, 'd41d8cd98f00b204e9800998ecf8427e',
       CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), '{"md5":"d41d8cd98f00b204e9800998ecf8427e"}', X'' FROM n;
COMMIT;
SQL
log "seeded $KEYS keys in $(seconds_of "$t0" "$(now_ms)") s"

# ---- Flint ---------------------------------------------------------------------------------
(exec setsid env FLINT_S3_ACCESS_KEY_ID=bench FLINT_S3_SECRET_ACCESS_KEY=bench-secret "$FLINT" dev "$BENCH_DIR/r2" \
  --port "$PORT" --s3-port "$S3PORT" --ip 127.0.0.1 --persist-to "$DATA" --no-watch --log-level warn \
  < /dev/null > "$WORK/flint.log" 2>&1) &
FPID=$!; PIDS+=("$FPID")
for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
curl -sf -o /dev/null "http://127.0.0.1:$PORT/" || { log "flint did not start"; tail -20 "$WORK/flint.log" >&2; exit 2; }

# RSS of a process tree, sampled every 50 ms: "ms kB" lines. The tree is found once (the servers
# are up by then) and read with shell builtins: forking pgrep and awk 20 times a second took CPU
# from the transfers on a two-core machine.
sample_rss() {
  local root=$1 out=$2 tree p line kb total
  tree="$root $(pgrep -d' ' -P "$root") $(for c in $(pgrep -P "$root"); do pgrep -d' ' -P "$c"; done)"
  while [[ -e /proc/$root ]]; do
    total=0
    for p in $tree; do
      kb=0
      while read -r line; do [[ $line == VmRSS:* ]] && { kb=${line//[^0-9]/}; break; }; done < "/proc/$p/status" 2>/dev/null
      total=$((total + kb))
    done
    echo "$(( ${EPOCHREALTIME/./} / 1000 )) $total" >> "$out"
    sleep 0.05
  done
}
sample_rss "$FPID" "$WORK/flint-rss.log" & PIDS+=($!)
peak_mb() { awk -v a="$2" -v b="$3" '$1 >= a && $1 <= b && $2 > m { m = $2 } END { printf "%.0f", m / 1024 }' "$1"; }
sleep 1
IDLE=$(awk '{ v = $2 } END { printf "%.0f", v / 1024 }' "$WORK/flint-rss.log")

declare -A SECS PEAK
# Runs a transfer REPEAT times (default 5): the median time, the highest RSS of any run. A curl
# transfer is timed by curl itself (time_total: connect, request and response, not the ~12 ms curl
# takes to start, which alone was a fifth of a 100 MiB GET); any other command by the wall clock.
transfer() { # name, rss log, command...
  local name=$1 rsslog=$2; shift 2
  local a b i t times=() start; start=$(now_ms)
  for i in $(seq 1 "${REPEAT:-5}"); do
    a=$(now_ms)
    if [[ $1 == curl ]]; then
      t=$("$@" -w '%{time_total}' 2> "$WORK/$name.out") || { log "$name failed: $(tail -3 "$WORK/$name.out")"; SECS[$name]=fail; return; }
    else
      "$@" > "$WORK/$name.out" 2>&1 || { log "$name failed: $(tail -3 "$WORK/$name.out")"; SECS[$name]=fail; return; }
      t=$(seconds_of "$a" "$(now_ms)")
    fi
    b=$(now_ms)
    times+=("$t")
  done
  SECS[$name]=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  PEAK[$name]=$(peak_mb "$rsslog" "$start" "$((b + 100))")
}
# The first transfers of a fresh process run cold code (.NET tiers a method up after 30 calls, and
# a put makes a few hundred): warm each path with a smaller object, three times, first.
warm() { head -c $((16 * 1024 * 1024)) "$SRC" > "$WORK/warm.bin"; for _ in 1 2 3; do "$@" > /dev/null 2>&1; done; }
sigv4=(--aws-sigv4 "aws:amz:auto:s3" --user "bench:bench-secret" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD")
warm curl -sSf -o /dev/null -T "$WORK/warm.bin" "http://127.0.0.1:$PORT/warm.bin"
warm curl -sSf -o /dev/null "http://127.0.0.1:$PORT/warm.bin"
warm curl -sSf -o /dev/null "${sigv4[@]}" -T "$WORK/warm.bin" "http://127.0.0.1:$S3PORT/transfer/warm.bin"
warm curl -sSf -o /dev/null "${sigv4[@]}" "http://127.0.0.1:$S3PORT/transfer/warm.bin"
transfer binding-put "$WORK/flint-rss.log" curl -sSf -o /dev/null -T "$SRC" "http://127.0.0.1:$PORT/big.bin"
transfer binding-get "$WORK/flint-rss.log" curl -sSf -o /dev/null "http://127.0.0.1:$PORT/big.bin"
transfer s3-put "$WORK/flint-rss.log" curl -sSf -o /dev/null "${sigv4[@]}" -T "$SRC" "http://127.0.0.1:$S3PORT/transfer/s3.bin"
transfer s3-get "$WORK/flint-rss.log" curl -sSf -o /dev/null "${sigv4[@]}" "http://127.0.0.1:$S3PORT/transfer/s3.bin"
if command -v aws > /dev/null; then
  export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret AWS_DEFAULT_REGION=auto AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
  transfer aws-put "$WORK/flint-rss.log" aws --endpoint-url "http://127.0.0.1:$S3PORT" s3 cp "$SRC" s3://transfer/aws.bin --only-show-errors
  transfer aws-get "$WORK/flint-rss.log" aws --endpoint-url "http://127.0.0.1:$S3PORT" s3 cp s3://transfer/aws.bin "$WORK/aws-back.bin" --only-show-errors
  cmp -s "$SRC" "$WORK/aws-back.bin" || log "aws-get: the object read back differs"
fi
curl -sS "http://127.0.0.1:$PORT/big.bin" | cmp -s - "$SRC" || log "binding-get: the object read back differs"

# ---- listing -----------------------------------------------------------------------------------
half=$(printf 'key/%07d' $((KEYS / 2)) | base64)
declare -A LIST
list_runs() { # name, query
  local name=$1 query=$2 i
  curl -sS "http://127.0.0.1:$PORT/list?$query" > "$WORK/list-$name.json"
  for i in $(seq 1 "$LIST_RUNS"); do curl -sS -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$PORT/list?$query"; done \
    | sort -n | awk '{ v[NR] = $1 * 1000 } END { printf "%.1f / %.1f", v[int((NR + 1) / 2)], v[int(NR * 0.99 + 0.5)] }' > "$WORK/list-$name.txt"
  LIST[$name]="$(cat "$WORK/list-$name.txt") ($(tr -d '\n' < "$WORK/list-$name.json"))"
}
list_runs first ""
list_runs cursor "cursor=$(printf '%s' "$half" | sed 's/=/%3D/g')"
list_runs prefix "prefix=key/09"

kill -- "-$FPID" 2>/dev/null; wait "$FPID" 2>/dev/null

# ---- wrangler dev, binding transfers -------------------------------------------------------------
if [[ $WRANGLER == 1 ]]; then
  (cd "$BENCH_DIR/r2" && exec setsid env "PATH=$BENCH_DIR/node_modules/.bin:$PATH" CI=1 WRANGLER_SEND_METRICS=false \
    WRANGLER_SEND_ERROR_REPORTS=false CLOUDFLARE_CF_FETCH_ENABLED=false NO_UPDATE_NOTIFIER=1 \
    "$BENCH_DIR/node_modules/.bin/node" "$BENCH_DIR/node_modules/wrangler/bin/wrangler.js" dev --port "$WPORT" --ip 127.0.0.1 \
    --persist-to "$WORK/wrangler-state" --show-interactive-dev-session=false < /dev/null > "$WORK/wrangler.log" 2>&1) &
  WPID=$!; PIDS+=("$WPID")
  for _ in $(seq 1 600); do curl -s -o /dev/null "http://127.0.0.1:$WPORT/" && break; sleep 0.1; done
  sample_rss "$WPID" "$WORK/wrangler-rss.log" & PIDS+=($!)
  warm curl -sSf -o /dev/null -T "$WORK/warm.bin" "http://127.0.0.1:$WPORT/warm.bin"
  sleep 1
  W_IDLE=$(awk '{ v = $2 } END { printf "%.0f", v / 1024 }' "$WORK/wrangler-rss.log")
  transfer wrangler-put "$WORK/wrangler-rss.log" curl -sSf -o /dev/null -T "$SRC" "http://127.0.0.1:$WPORT/big.bin"
  transfer wrangler-get "$WORK/wrangler-rss.log" curl -sSf -o /dev/null "http://127.0.0.1:$WPORT/big.bin"
  kill -- "-$WPID" 2>/dev/null
fi

# ---- report ----------------------------------------------------------------------------------
row() { # label, name, idle
  local s=${SECS[$2]:-} p=${PEAK[$2]:-}
  if [[ -z $s ]]; then return; fi
  if [[ $s == fail ]]; then printf '| %s | failed | | |\n' "$1"; return; fi
  printf '| %s | %s | %s | %s → %s (+%s) |\n' "$1" "$(mbps "$s")" "$s" "$3" "$p" "$((p - $3))"
}
{
  echo "# R2 transfer and listing — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, commit $(git -C "$REPO_DIR" rev-parse --short HEAD)"
  echo
  echo "$SIZE_MB MiB object; baselines on the same disk: \`dd conv=fsync\` $(mbps "$COPY_SYNC") MB/s ($COPY_SYNC s), \`cp\` $(mbps "$COPY") MB/s ($COPY s)."
  echo
  echo "| transfer | MB/s | seconds | RSS idle → peak MB |"
  echo "| --- | ---: | ---: | --- |"
  row "Flint binding: PUT, put(key, request.body)" binding-put "$IDLE"
  row "Flint binding: GET, new Response(object.body)" binding-get "$IDLE"
  row "Flint S3 API: PutObject (curl SigV4, one request)" s3-put "$IDLE"
  row "Flint S3 API: GetObject (curl SigV4)" s3-get "$IDLE"
  row "Flint S3 API: aws s3 cp up (multipart)" aws-put "$IDLE"
  row "Flint S3 API: aws s3 cp down (ranged GETs)" aws-get "$IDLE"
  [[ $WRANGLER == 1 ]] && row "wrangler dev binding: PUT" wrangler-put "$W_IDLE"
  [[ $WRANGLER == 1 ]] && row "wrangler dev binding: GET" wrangler-get "$W_IDLE"
  echo
  echo "list() of 1,000 keys from a bucket of $KEYS keys, $LIST_RUNS requests each, curl time_total (HTTP included), median / p99 ms:"
  echo
  echo "| page | median / p99 ms (answer) |"
  echo "| --- | --- |"
  echo "| first page | ${LIST[first]} |"
  echo "| from a cursor halfway | ${LIST[cursor]} |"
  echo "| under a prefix (key/09) | ${LIST[prefix]} |"
} | tee "$RESULT_MD"
log "written $RESULT_MD"
