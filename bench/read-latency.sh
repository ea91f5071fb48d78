#!/usr/bin/env bash
# Deal page and board on PostgreSQL with the default demo data (5,000 deals): statements per
# request and median latency over 100 requests, against the release build.
# Usage: bench/read-latency.sh [N]   (needs PostgreSQL on 127.0.0.1:5432, trust auth)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100}"
db=dealgate_read_bench
base="${PG_URL_BASE:-postgres://postgres@127.0.0.1:5432}"
bind=127.0.0.1:8199
cargo build --release --quiet
psql "$base/postgres" -v ON_ERROR_STOP=1 -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
log=$(mktemp)
DATABASE_URL="$base/$db" DEALGATE_BIND=$bind ./target/release/dealgate serve --demo --sql-metrics >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 1 120); do grep -q 'serving' "$log" && break; sleep 0.5; done
key=$(grep -o 'dg_[0-9a-f]*' "$log" | head -n1)
python3 bench/read_latency.py "http://$bind/graphql" "$key" "$n"
