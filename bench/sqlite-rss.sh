#!/usr/bin/env bash
# The server's memory on SQLite under the peer harness's four queries: starts BIN over an SQLite
# demo, runs Q1–Q4 twice (wrk 2 threads × 32 connections, DUR seconds each) and prints each
# run's req/s with the server's peak and current RSS (VmHWM / VmRSS, kB). Environment settings
# pass through to the server, so pool sizes compare as e.g.
#   DEALGATE_DB_MAX_CONNECTIONS=16 bench/sqlite-rss.sh …   vs   bench/sqlite-rss.sh …
#
# Usage: DEALGATE_KEY=dg_… bench/sqlite-rss.sh BIN DB_FILE BODY_DIR
#   DB_FILE   an SQLite demo (the harness leaves one in /tmp/bench-peer-sqlite/; work on a copy)
#   BODY_DIR  holds q1_deal_page.json … q4_filtered.json: POST bodies with that database's ids
#             (../shared/bench-peer/body.sh on OUT/queries/dealgate-sqlite/*.graphql of a run)
set -euo pipefail
[ $# -eq 3 ] || { sed -n '2,12p' "$0"; exit 2; }
bin="$1" db="$2" bodies="$3"
: "${DEALGATE_KEY:?set DEALGATE_KEY to a key of the demo organisation in DB_FILE}"
lua="$(dirname "$0")/../../shared/bench-peer/post.lua"
[ -f "$lua" ] || { echo "no post.lua at $lua" >&2; exit 1; }
export DATABASE_URL="sqlite://$db?mode=rwc" DEALGATE_COST_BUDGET_PER_MINUTE=0
export DEALGATE_BIND="${DEALGATE_BIND:-127.0.0.1:8002}"
"$bin" serve >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://$DEALGATE_BIND/healthz" >/dev/null && break; sleep 0.1; done
status() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$pid/status"; }
for round in 1 2; do
  for q in q1_deal_page q2_deal_detail q3_board q4_filtered; do
    out="$(BODY_FILE="$bodies/$q.json" EXTRA_HEADER="X-API-KEY: $DEALGATE_KEY" \
      wrk -t2 -c32 -d"${DUR:-8}s" -s "$lua" "http://$DEALGATE_BIND/graphql")"
    rps="$(grep -o 'rps=[0-9.]*' <<<"$out" | cut -d= -f2)"
    echo "round $round  $q  req/s $rps  VmHWM $(status VmHWM) kB  VmRSS $(status VmRSS) kB"
  done
done
