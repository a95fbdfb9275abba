#!/usr/bin/env bash
# Load test of the inventory through the gateway, with wrk on loopback.
#   bench/inventory.sh [embedded|production]
# Production mode needs MariaDB, Redis and RabbitMQ on 127.0.0.1.
set -euo pipefail
mode=${1:-embedded}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
bench_prepare "$mode"
bin=$target/inventory-tracker
"$bin" "${args[@]}" seed-demo >/dev/null
"$bin" "${args[@]}" serve --gateway-port 18000 --catalog-port 18001 --inventory-port 18002 --sales-port 18003 --admin-port 13000 &
pid=$!
gw=http://127.0.0.1:18000
# A product sold by the piece: a serialized one's restock names a serial number per unit.
sku=FAN-NOC-NFA12X25
for _ in $(seq 100); do curl -sf "$gw/health" >/dev/null && break; sleep 0.1; done
token=$(bench_login "$gw")
auth=(-H "Authorization: Bearer $token")
for _ in $(seq 100); do curl -sf "${auth[@]}" "$gw/api/v1/inventory/$sku" >/dev/null && break; sleep 0.1; done
run() { echo "### $1"; shift; wrk --latency "${auth[@]}" "$@" | grep -E "Requests/sec|Latency|50%|99%|Non-2xx|Socket errors"; }
run "POST restock of one SKU via gateway (locked row + ledger + outbox)" -t2 -c16 -d10s -s "$here/restock.lua" "$gw/api/v1/inventory/$sku/restock"
run "GET one SKU's stock via gateway" -t2 -c32 -d10s "$gw/api/v1/inventory/$sku"
echo "### on hand after the run, movements, unpublished events"
curl -s "${auth[@]}" "$gw/api/v1/inventory/$sku" | grep -o '"totals":{[^}]*}'
sleep 2
curl -s http://127.0.0.1:18002/metrics | grep -E '^(outbox_backlog|events_published_total)\{service="inventory"'
