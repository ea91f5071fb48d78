#!/usr/bin/env bash
# Times the refusal of every abuse family against the release build over an SQLite demo
# (5,000 deals): prints, per family, the slowest of N refusals in ms and the code it got.
# Usage: bench/abuse.sh [N]      (default 5 repetitions per attack)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-5}"
bind=127.0.0.1:8198
dir=$(mktemp -d)
cargo build --release --quiet
log="$dir/server.log"
DATABASE_URL="sqlite://$dir/abuse.db?mode=rwc" DEALGATE_BIND=$bind ./target/release/dealgate serve --demo >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 240); do grep -q 'serving' "$log" && break; sleep 0.5; done
key=$(grep -o 'dg_[0-9a-f]*' "$log" | head -n1)
python3 bench/abuse.py "http://$bind" "$key" "$n"
