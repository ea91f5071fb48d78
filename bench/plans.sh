#!/usr/bin/env bash
# The plans PostgreSQL runs for dealgate's statements, as the server really prepares them (on
# their generic plans): switches auto_explain on for role crm of the peer harness's cluster,
# starts BIN with one connection, sends each BODY a few times, switches it off again, and prints
# each statement's execution time and the rows its LIMIT nodes were planned for (a generic plan
# of `LIMIT $n` assumes a tenth of the table; a LIMIT written into the text is planned as is).
#
# Usage: DEALGATE_KEY=dg_… bench/plans.sh BIN BODY.json [BODY.json…]   (REPEAT=n requests per body, default 4)
#   (the cluster must be running: ../shared/bench-peer/pg.sh start)
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,9p' "$0"; exit 2; }
bin="$1"; shift
: "${DEALGATE_KEY:?set DEALGATE_KEY}"
harness="$(dirname "$0")/../../shared/bench-peer"
pglog="${PGDATA_DIR:-/tmp/pgbench-data}/postgres.log"
bind=127.0.0.1:8198
"$harness/pg.sh" psql -q -c "ALTER ROLE crm SET session_preload_libraries = 'auto_explain'" \
  -c "ALTER ROLE crm SET auto_explain.log_min_duration = 0" >/dev/null
mark=$(($(wc -l <"$pglog") + 1))
DATABASE_URL=postgres://crm:crm@127.0.0.1:55432/dg DEALGATE_BIND=$bind DEALGATE_DB_MAX_CONNECTIONS=1 \
  DEALGATE_COST_BUDGET_PER_MINUTE=0 "$bin" serve >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; "$harness/pg.sh" psql -q -c "ALTER ROLE crm RESET session_preload_libraries" -c "ALTER ROLE crm RESET auto_explain.log_min_duration" >/dev/null' EXIT
for _ in $(seq 1 100); do curl -fs "http://$bind/healthz" >/dev/null && break; sleep 0.1; done
for body in "$@"; do
  for _ in $(seq 1 "${REPEAT:-4}"); do
    curl -s -o /dev/null -H 'content-type: application/json' -H "x-api-key: $DEALGATE_KEY" \
      --data-binary @"$body" "http://$bind/graphql"
  done
done
sleep 0.5
echo "statement executions (ms), in order:"
tail -n +"$mark" "$pglog" | grep -o 'duration: [0-9.]* ms  plan' | awk '{printf "%s ", $2} END {print ""}'
echo "LIMIT nodes (times seen, planned rows):"
tail -n +"$mark" "$pglog" | grep -o 'Limit  (cost=[^ ]* rows=[0-9]*' | sed 's/.*rows=/rows=/' | sort | uniq -c
