#!/usr/bin/env bash
# Where the server's CPU goes under one query: starts BIN, loads it with wrk (2 threads × 32
# connections) for 14 s, records `perf` for 8 s of it (call graphs by DWARF with CALLS=1) and
# prints the top symbols; the recording stays in OUT (default /tmp/perf-<query>.data) for
# `perf report -i OUT` (e.g. `--no-children -S __memmove_avx512_unaligned_erms -G`).
#
# Usage: DEALGATE_KEY=dg_… bench/perf-profile.sh BIN BODY.json
#   DATABASE_URL  defaults to the peer harness's cluster (postgres://crm:crm@127.0.0.1:55432/dg)
set -euo pipefail
[ $# -eq 2 ] || { sed -n '2,9p' "$0"; exit 2; }
bin="$1" body="$2"
: "${DEALGATE_KEY:?set DEALGATE_KEY}"
export DATABASE_URL="${DATABASE_URL:-postgres://crm:crm@127.0.0.1:55432/dg}"
export DEALGATE_COST_BUDGET_PER_MINUTE=0 DEALGATE_BIND="${DEALGATE_BIND:-127.0.0.1:8000}"
lua="$(dirname "$0")/../../shared/bench-peer/post.lua"
out="${OUT:-/tmp/perf-$(basename "$body" .json).data}"
"$bin" serve >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://$DEALGATE_BIND/healthz" >/dev/null && break; sleep 0.1; done
BODY_FILE="$body" EXTRA_HEADER="X-API-KEY: $DEALGATE_KEY" \
  wrk -t2 -c32 -d14s -s "$lua" "http://$DEALGATE_BIND/graphql" >/dev/null &
load=$!
sleep 3
graph=()
[ "${CALLS:-0}" = 1 ] && graph=(--call-graph dwarf,16384)
perf record -F 499 "${graph[@]}" -p "$pid" -o "$out" -- sleep 8 2>/dev/null
wait "$load"
perf report -i "$out" --no-children --sort dso 2>/dev/null | grep -E '^ +[0-9]' | head -6
perf report -i "$out" --no-children --sort sym 2>/dev/null | grep -E '^ +[0-9]' | head -30
