#!/usr/bin/env bash
# Two (or more) dealgate binaries against each other on the same database and query:
# alternating rounds of a 4 s warm-up and a 10 s wrk run (2 threads, 32 connections), printing
# each run's req/s, the server's CPU per request (utime+stime of its process) and p50/p99. Alternation
# and medians over rounds are what make a difference of 10–20 % visible on a shared 2-core box.
#
# Usage: DEALGATE_KEY=dg_… bench/ab.sh BODY.json ROUNDS BIN_A BIN_B [BIN…]
#   BODY.json  a GraphQL POST body, e.g. made with ../shared/bench-peer/body.sh
#   DATABASE_URL  defaults to the peer harness's cluster (postgres://crm:crm@127.0.0.1:55432/dg)
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,10p' "$0"; exit 2; }
body="$1" rounds="$2"; shift 2
: "${DEALGATE_KEY:?set DEALGATE_KEY to a key of the organisation in the database}"
export DATABASE_URL="${DATABASE_URL:-postgres://crm:crm@127.0.0.1:55432/dg}"
export DEALGATE_COST_BUDGET_PER_MINUTE=0 DEALGATE_BIND=127.0.0.1:8000
lua="$(dirname "$0")/../../shared/bench-peer/post.lua"
[ -f "$lua" ] || lua="$(dirname "$0")/post.lua"
run_wrk() { BODY_FILE="$body" EXTRA_HEADER="X-API-KEY: $DEALGATE_KEY" wrk -t2 -c32 -d"$1" -s "$lua" http://127.0.0.1:8000/graphql; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
for round in $(seq 1 "$rounds"); do
  for bin in "$@"; do
    "$bin" serve >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 1 50); do curl -fs http://127.0.0.1:8000/healthz >/dev/null && break; sleep 0.1; done
    run_wrk 4s >/dev/null
    before="$(cpu_ticks "$pid")"
    summary="$(run_wrk 10s | grep WRKSUMMARY)"
    after="$(cpu_ticks "$pid")"
    requests="$(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$summary")"
    rps="$(sed 's/.*rps=\([0-9.]*\).*/\1/' <<<"$summary")"
    ticks_per_s="$(getconf CLK_TCK)"
    cpu="$(python3 -c "print(round(($after - $before) * 1000 / $ticks_per_s / $requests, 3))")"
    p50="$(sed 's/.*p50_us=\([0-9]*\).*/\1/' <<<"$summary")"
    p99="$(sed 's/.*p99_us=\([0-9]*\).*/\1/' <<<"$summary")"
    echo "round $round  $bin  req/s $rps  server CPU ms/req $cpu  p50/p99 ms $((p50 / 1000)).$(((p50 % 1000) / 100))/$((p99 / 1000)).$(((p99 % 1000) / 100))"
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
