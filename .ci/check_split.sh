#!/usr/bin/env bash
# Smoke test of scripts/run-split.sh against this machine's MariaDB, RabbitMQ and Redis, with
# two replicas of every service: each starts as its own process, both gateways report ready
# (their database, and the services behind them), both dashboards answer through to them, a
# session opened on one gateway works on the other, and SIGTERM stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
suffix=$(date +%s)$$
db="ci_split_$suffix"
work=$(mktemp -d)
mariadb --protocol=tcp -h 127.0.0.1 -u root -e "CREATE DATABASE $db"
cleanup() {
  mariadb --protocol=tcp -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS $db" || true
  rm -rf "$work"
}
trap cleanup EXIT

export TRACKER_BIN="$CARGO_TARGET_DIR/debug/inventory-tracker"
export INVENTORY_DATABASE_URL="mysql://root@127.0.0.1:3306/$db"
export INVENTORY_AMQP_URL="amqp://guest:guest@127.0.0.1:5672/%2f"
export INVENTORY_REDIS_URL="redis://127.0.0.1:6379"
export INVENTORY_REDIS_KEY_PREFIX="ci-split-$suffix"
export INVENTORY_EVENT_EXCHANGE="ci-split-$suffix"
export INVENTORY_EVENT_QUEUE_EXPIRY_SECS=60
export INVENTORY_INTERNAL_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export INVENTORY_ADMIN_PASSWORD="five processes, one shop"
export INVENTORY_GATEWAY_PORT=18000 INVENTORY_CATALOG_PORT=18001 INVENTORY_INVENTORY_PORT=18002
export INVENTORY_SALES_PORT=18003 INVENTORY_REPORTS_PORT=18004 INVENTORY_ADMIN_PORT=13000
export LOG_DIR="$work/logs"
export REPLICAS=2

scripts/run-split.sh >"$work/script.log" 2>&1 &
script=$!
ready=""
for _ in $(seq 60); do
  if curl -fsS http://127.0.0.1:13000/health/ready >/dev/null 2>&1 \
    && curl -fsS http://127.0.0.1:13010/health/ready >/dev/null 2>&1 \
    && curl -fsS http://127.0.0.1:18000/health/ready >/dev/null 2>&1 \
    && curl -fsS http://127.0.0.1:18010/health/ready >/dev/null 2>&1; then
    ready=yes
    break
  fi
  sleep 1
done
if [[ -z "$ready" ]]; then
  echo "error: the split services did not become ready" >&2
  cat "$work/script.log" >&2
  tail -n 20 "$LOG_DIR"/*.log >&2 || true
  kill -TERM "$script" || true
  exit 1
fi
# A login through a dashboard reaches the gateways' database; the session works on the other
# gateway replica too.
token=$(curl -fsS -X POST http://127.0.0.1:13010/api/v1/auth/login -H 'content-type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$INVENTORY_ADMIN_PASSWORD\"}" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
for gateway in 18000 18010; do
  curl -fsS "http://127.0.0.1:$gateway/api/v1/products" -H "authorization: Bearer $token" >/dev/null
done
pgrep -f "$TRACKER_BIN serve --target" | wc -l | grep -qx 12 || { echo "error: not twelve service processes" >&2; exit 1; }
# SIGTERM, as an init system sends (a background job of a script ignores SIGINT).
kill -TERM "$script"
wait "$script" || true
sleep 1
if pgrep -f "$TRACKER_BIN serve --target" >/dev/null; then
  echo "error: services still running after Ctrl-C" >&2
  exit 1
fi
echo "split: two replicas of six services served and stopped"
