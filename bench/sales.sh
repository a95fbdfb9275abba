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
target=${CARGO_TARGET_DIR:-$here/../target}/release
work=$(mktemp -d)
pid=
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
  if [[ $mode == production ]]; then
    mariadb -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS bench_$$" || true
    # Durable queues outlive the run; leftovers full of messages can trip RabbitMQ's alarms.
    for q in "bench-$$.inventory" "bench-$$.sales.inventory"; do
      rabbitmqctl -q delete_queue "$q" >/dev/null 2>&1 || true
      rabbitmqctl -q delete_queue "$q.dead-letter" >/dev/null 2>&1 || true
    done
  fi
}
trap cleanup EXIT
args=(--data-dir "$work" --log-level warn)
if [[ $mode == production ]]; then
  db=bench_$$
  mariadb -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db"
  args+=(--database-url "mysql://root@127.0.0.1:3306/$db" --redis-url redis://127.0.0.1:6379
         --amqp-url "amqp://guest:guest@127.0.0.1:5672/%2f")
  export INVENTORY_REDIS_KEY_PREFIX="bench-$$" INVENTORY_EVENT_EXCHANGE="bench-$$"
fi
"$target/inventory-tracker" "${args[@]}" serve --gateway-port 18000 --catalog-port 18001 \
  --inventory-port 18002 --sales-port 18003 --admin-port 13000 &
pid=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:18000/health >/dev/null && break; sleep 0.1; done
front=http://127.0.0.1:18000
[[ ${VIA:-gateway} == dashboard ]] && front=http://127.0.0.1:13000
LOADGEN_TOKEN=$(bench_login http://127.0.0.1:18000) "$target/loadgen" --url "$front" --products 1000 --concurrency "$concurrency" --seconds "$seconds"
if [[ $mode == production ]]; then bench_invariants production "$db"; else bench_invariants embedded "$work"; fi
