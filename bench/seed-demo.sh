#!/usr/bin/env bash
# Times `dealgate demo --deals N` (default 100,000) into a fresh PostgreSQL database.
# Usage: bench/seed-demo.sh [DEALS]   (needs PostgreSQL on 127.0.0.1:5432, trust auth)
set -euo pipefail
cd "$(dirname "$0")/.."
deals="${1:-100000}"
db=dealgate_seed_bench
base="${PG_URL_BASE:-postgres://postgres@127.0.0.1:5432}"
cargo build --release --quiet
psql "$base/postgres" -v ON_ERROR_STOP=1 -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
start=$(date +%s.%N)
DATABASE_URL="$base/$db" ./target/release/dealgate demo --deals "$deals" >/dev/null
end=$(date +%s.%N)
echo "seeded $deals deals on PostgreSQL in $(echo "$end - $start" | bc) s (migrations included)"
psql "$base/$db" -Atc "select 'rows: deals=' || (select count(*) from deal) || ' products=' || (select count(*) from deal_product) || ' stage_changes=' || (select count(*) from stage_change) || ' activities=' || (select count(*) from activity) || ' tasks=' || (select count(*) from task) || ' sales=' || (select count(*) from sale)"
