#!/usr/bin/env bash
# dealgate against PostGraphile v4 and v5 over the same 100,000-deal PostgreSQL database, with
# dealgate over SQLite as a third column: builds the release binary, runs the peer harness
# (../shared/bench-peer/run.sh, see its README) and prints its table (also in OUT/table.md).
# Needs the machine to itself for the whole run (about 25 minutes with the defaults).
#
# Usage: bench/compare.sh [run.sh options]     e.g. bench/compare.sh --rounds 1 --duration 10
# Defaults: --peers "v4 v5" --sqlite (3 rounds of 20 s per query and server).
# HARNESS=path/to/bench-peer overrides where the harness is.
set -euo pipefail
cd "$(dirname "$0")/.."
harness="${HARNESS:-../shared/bench-peer}"
if [ ! -x "$harness/run.sh" ]; then
    echo "no peer harness at $harness (set HARNESS=…)" >&2
    exit 1
fi
cargo build --release --quiet
# The harness drives thousands of requests a second with one key: the per-key cost budget
# (a protection against abuse, see README "Limits") would answer 429 and stop the run.
export DEALGATE_COST_BUDGET_PER_MINUTE=0
exec "$harness/run.sh" --peers "v4 v5" --sqlite "$@"
