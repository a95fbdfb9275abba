#!/usr/bin/env bash
# Load test of the catalog through the gateway, with wrk on loopback.
#   bench/catalog.sh [embedded|production]
# Uses the release binary; production mode needs MariaDB and Redis on 127.0.0.1.
set -euo pipefail
mode=${1:-embedded}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
bin=${CARGO_TARGET_DIR:-$here/../target}/release/inventory-tracker
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
args=(--data-dir "$work" --log-level warn)
if [[ $mode == production ]]; then
  db=bench_$$
  mariadb -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db"
  args+=(--database-url "mysql://root@127.0.0.1:3306/$db" --redis-url redis://127.0.0.1:6379)
  export INVENTORY_REDIS_KEY_PREFIX="bench-$$"
fi
"$bin" "${args[@]}" seed-demo >/dev/null
"$bin" "${args[@]}" serve --gateway-port 18000 --catalog-port 18001 --inventory-port 18002 --sales-port 18003 --admin-port 13000 &
pid=$!
for _ in $(seq 50); do curl -sf localhost:18000/health >/dev/null && break; sleep 0.1; done
gw=http://127.0.0.1:18000
token=$(bench_login "$gw")
run() { echo "### $1"; shift; wrk --latency -H "Authorization: Bearer $token" "$@" | grep -E "Requests/sec|Latency|50%|99%|Non-2xx|Socket errors"; }
run "GET one product via gateway (cached)" -t2 -c32 -d10s "$gw/api/v1/products/CPU-AMD-R5-7600"
run "GET a page of 50 products via gateway" -t2 -c32 -d10s "$gw/api/v1/products?limit=50"
run "GET search q=ssd via gateway" -t2 -c32 -d10s "$gw/api/v1/products?q=ssd"
run "PATCH one product via gateway (write + outbox)" -t2 -c16 -d10s -s "$here/patch.lua" "$gw/api/v1/products/GPU-NV-RTX4060"
echo "### final version of the patched product"
curl -s -H "Authorization: Bearer $token" "$gw/api/v1/products/GPU-NV-RTX4060" | grep -o '"version":[0-9]*'
if [[ $mode == production ]]; then mariadb -h 127.0.0.1 -u root -e "DROP DATABASE $db"; fi
