#!/usr/bin/env bash
# Live delivery under load: N subscribers (default 1,000, one websocket each) hold a
# `dealEvents` subscription on one pipeline board while deals of it are moved (default 100
# moves, one every 100 ms); prints the commit-to-client latency (p50/p99/max), the deliveries
# that arrived, and the server's resident memory before and with the subscribers.
# Usage: bench/subscribers.sh [N] [MOVES] [INTERVAL_MS]
#   DATABASE_URL: a fresh SQLite file by default; e.g. postgres://crm:crm@127.0.0.1:55432/dg for
#   the peer harness's cluster (see ../shared/bench-peer). A bench organisation is created.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000}"
moves="${2:-100}"
interval="${3:-100}"
# One descriptor per connection on each side.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d)
export DATABASE_URL="${DATABASE_URL:-sqlite://$work/bench.db?mode=rwc}"
bind=127.0.0.1:8197
cargo build --release --quiet --bin dealgate --example subscribers
./target/release/dealgate migrate >/dev/null 2>&1
key=$(./target/release/dealgate api-key create --org "Live bench $(date +%s)" --create-org --name bench 2>/dev/null | grep -o 'dg_[A-Za-z0-9_]*' | head -1)
log="$work/server.log"
DEALGATE_BIND=$bind DEALGATE_COST_BUDGET_PER_MINUTE=0 DEALGATE_MAX_SUBSCRIPTIONS_PER_KEY="$n" \
    ./target/release/dealgate serve >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do grep -q 'serving' "$log" && break; sleep 0.5; done
echo "database: ${DATABASE_URL%%\?*}" | sed 's|//[^@]*@|//…@|'
./target/release/examples/subscribers "http://$bind" "$key" "$n" "$moves" "$interval" "$server"
