#!/usr/bin/env bash
# Q1 (the 50-deal page) against its own SQL: captures the one statement dealgate sends for it
# (log_statement=all for one request), then runs that statement under `pgbench -M prepared`
# (32 clients, 2 threads, 10 s) and prints its tps, and the page's size plain / gzip / br.
# Compare the tps with Q1's req/s from bench/compare.sh (issue 9's target: ≥ 40 %).
#
# Usage: DEALGATE_KEY=dg_… bench/pgbench-q1.sh   (the peer harness's cluster must be running:
#        ../shared/bench-peer/pg.sh start; DEALGATE_KEY is a key of its demo organisation)
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DEALGATE_KEY:?set DEALGATE_KEY}"
harness=../shared/bench-peer
pgdata="${PGDATA_DIR:-/tmp/pgbench-data}"
url=postgres://crm:crm@127.0.0.1:55432/dg
bind=127.0.0.1:8197
cargo build --release --quiet
body="$(mktemp)"; script="$(mktemp --suffix=.sql)"; log="$(mktemp)"
jq -cn --rawfile q "$harness/queries/dealgate/q1_deal_page.graphql" '{query: $q, variables: {first: 50}}' >"$body"
DATABASE_URL=$url DEALGATE_BIND=$bind DEALGATE_DB_MAX_CONNECTIONS=1 ./target/release/dealgate serve >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$body" "$script" "$log"' EXIT
for _ in $(seq 1 100); do curl -fs "http://$bind/healthz" >/dev/null && break; sleep 0.1; done
post() { curl -s -o /dev/null -w '%{size_download}' -H 'content-type: application/json' \
  -H "x-api-key: $DEALGATE_KEY" ${1:+-H "accept-encoding: $1"} --data-binary @"$body" "http://$bind/graphql"; }
post >/dev/null  # warm-up
mark=$(wc -l <"$pgdata/postgres.log")
"$harness/pg.sh" psql -q -c "ALTER ROLE crm SET log_statement = 'all'" >/dev/null
kill $server; wait $server 2>/dev/null || true
DATABASE_URL=$url DEALGATE_BIND=$bind DEALGATE_DB_MAX_CONNECTIONS=1 ./target/release/dealgate serve >"$log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -fs "http://$bind/healthz" >/dev/null && break; sleep 0.1; done
post >/dev/null
"$harness/pg.sh" psql -q -c "ALTER ROLE crm RESET log_statement" >/dev/null
# The deal page's statement and its parameters, inlined.
tail -n +"$mark" "$pgdata/postgres.log" | python3 -c '
import re, sys
lines = sys.stdin.read().splitlines()
for i, line in enumerate(lines):
    m = re.search(r"execute \S+: (SELECT \"deal\".*)", line)
    if m:
        sql = m.group(1)
        params = re.findall(r"\$(\d+) = (\x27[^\x27]*\x27|\S+?)(?:,|$)", lines[i + 1])
        for n, value in sorted(params, key=lambda p: -int(p[0])):
            sql = sql.replace("$" + n, value)
        print(sql + ";")
        break
else:
    sys.exit("the deal page statement was not logged")
' >"$script"
echo "page bytes: plain $(post) / gzip $(post gzip) / br $(post br)"
PGPASSWORD=crm pgbench -n -M prepared -c 32 -j 2 -T 10 -f "$script" -h 127.0.0.1 -p 55432 -U crm dg 2>/dev/null | grep -E '^tps|latency average'
