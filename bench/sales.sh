#!/usr/bin/env bash
# Realistic counter load (sales of 1–5 lines over 1,000 products, plus product reads) through
# the gateway, with tools/loadgen.
#   bench/sales.sh [embedded|production] [concurrency list] [seconds]
# Production mode needs MariaDB, Redis and RabbitMQ on 127.0.0.1. VIA=dashboard sends the load
# through the dashboard's /api pass-through (:13000) instead of straight to the gateway.
set -euo pipefail
mode=${1:-embedded}
concurrency=${2:-1,8,32}
seconds=${3:-10}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
bench_prepare "$mode"
"$target/inventory-tracker" "${args[@]}" serve --gateway-port 18000 --catalog-port 18001 \
  --inventory-port 18002 --sales-port 18003 --admin-port 13000 &
pid=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:18000/health >/dev/null && break; sleep 0.1; done
front=http://127.0.0.1:18000
[[ ${VIA:-gateway} == dashboard ]] && front=http://127.0.0.1:13000
LOADGEN_TOKEN=$(bench_login http://127.0.0.1:18000) "$target/loadgen" --url "$front" --products 1000 --concurrency "$concurrency" --seconds "$seconds"
if [[ $mode == production ]]; then bench_invariants production "$db"; else bench_invariants embedded "$work"; fi
