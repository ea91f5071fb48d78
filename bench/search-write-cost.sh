#!/usr/bin/env bash
# What keeping the search words costs a deal update on PostgreSQL: N updates that change no
# word (a date) and N that change the title, each in a transaction rolled back afterwards,
# printing milliseconds per update.
# Usage: bench/search-write-cost.sh [N]   DATABASE_URL defaults to the peer harness's
#   100,000-deal cluster (postgres://crm:crm@127.0.0.1:55432/dg, see ../shared/bench-peer).
set -euo pipefail
n="${1:-2000}"
url="${DATABASE_URL:-postgres://crm:crm@127.0.0.1:55432/dg}"
run() {
    local label="$1" change="$2"
    local ms
    ms=$(psql "$url" -qAt -v ON_ERROR_STOP=1 <<SQL | tail -1
BEGIN;
CREATE TEMP TABLE started ON COMMIT DROP AS SELECT clock_timestamp() AS at;
DO \$\$ DECLARE r record; BEGIN
  FOR r IN SELECT id FROM deal ORDER BY id LIMIT $n LOOP
    UPDATE deal SET $change WHERE id = r.id;
  END LOOP; END \$\$;
SELECT round(extract(epoch FROM clock_timestamp() - at) * 1000 / $n, 3) FROM started;
ROLLBACK;
SQL
)
    echo "$label: $ms ms per update over $n updates"
}
run "update changing no word (expected_close_date)" "expected_close_date = expected_close_date"
run "update changing the title" "title = title || 'x'"
