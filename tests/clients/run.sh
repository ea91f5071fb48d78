#!/usr/bin/env bash
# dealgate as real clients meet it, against the release binary on a fresh SQLite demo:
#   - GraphiQL in headless Chromium with every request off this server blocked and counted:
#     it loads, explains the key, loads the schema once the key is typed, runs a query
#     (screenshots in $OUT);
#   - CORS from a page on an allowed origin and from one that is not;
#   - graphql-http's server audits (GraphQL-over-HTTP);
#   - the subgraph SDL from `_service { sdl }` composes with @apollo/composition.
# Needs Debian's chromium (installed here when missing, as root) and Node with npm; the npm
# packages are pinned in package.json and installed into tests/clients/node_modules.
#
# Usage: tests/clients/run.sh            (BIN=path/to/dealgate to test another build,
#                                          OUT=dir for the screenshots and the server log)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${BIN:-$root/target/release/dealgate}"
out="${OUT:-/tmp/dealgate-clients}"
mkdir -p "$out"

if ! command -v chromium >/dev/null; then
  echo "installing Debian's chromium"
  apt-get install -y -q chromium >/dev/null
fi
if [ -z "${BIN:-}" ]; then
  (cd "$root" && cargo build --release --quiet)
fi
if [ ! -d "$here/node_modules/playwright-core" ] || [ "$here/package.json" -nt "$here/node_modules" ]; then
  (cd "$here" && npm install --no-audit --no-fund --silent && touch node_modules)
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
work="$(mktemp -d)"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

export DATABASE_URL="sqlite://$work/dealgate.db?mode=rwc"
key="$("$bin" demo --deals 200 2>/dev/null | sed -n 's/.*API key: //p')"
[ -n "$key" ] || { echo "no demo key" >&2; exit 1; }
port="$(free_port)"
app_port="$(free_port)"
DEALGATE_BIND="127.0.0.1:$port" DEALGATE_CORS_ORIGINS="http://127.0.0.1:$app_port" \
  DEALGATE_LOG_FORMAT=json "$bin" serve >"$out/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 50); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.2
done

DEALGATE_URL="http://127.0.0.1:$port" DEALGATE_KEY="$key" APP_PORT="$app_port" OUT="$out" \
  node "$here/checks.mjs"
