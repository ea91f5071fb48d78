#!/usr/bin/env bash
# Statements per request and median latency of the dashboard queries (dealGroups, summary
# aggregates, composed and customFields filters, related sort keys, dealsTimeline, dealFunnel,
# searchDeals) against the release build.
# Usage: DATABASE_URL=… DEALGATE_KEY=dg_… bench/analytics-latency.sh [N]
#   DATABASE_URL defaults to the peer harness's 100,000-deal cluster
#   (postgres://crm:crm@127.0.0.1:55432/dg, see ../shared/bench-peer); DEALGATE_KEY is a key of
#   its demo organisation (`dealgate api-key create --org "…"`).
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-20}"
: "${DEALGATE_KEY:?set DEALGATE_KEY}"
export DATABASE_URL="${DATABASE_URL:-postgres://crm:crm@127.0.0.1:55432/dg}"
bind=127.0.0.1:8198
cargo build --release --quiet
log=$(mktemp)
DEALGATE_BIND=$bind DEALGATE_COST_BUDGET_PER_MINUTE=0 ./target/release/dealgate serve --sql-metrics >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 1 120); do grep -q 'serving' "$log" && break; sleep 0.5; done
python3 bench/analytics_latency.py "http://$bind/graphql" "$DEALGATE_KEY" "$n"
