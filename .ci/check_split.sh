#!/usr/bin/env bash
# Smoke test of scripts/run-split.sh against this machine's MariaDB, RabbitMQ and Redis: every
# service starts as its own process, the gateway reports ready (its database, and the
# services behind it), the dashboard answers through to it, and SIGTERM stops them all.
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

scripts/run-split.sh >"$work/script.log" 2>&1 &
script=$!
ready=""
for _ in $(seq 60); do
  if curl -fsS http://127.0.0.1:13000/health/ready >/dev/null 2>&1 \
    && curl -fsS http://127.0.0.1:18000/health/ready >/dev/null 2>&1; then
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
# A login through the dashboard reaches the gateway's database.
curl -fsS -X POST http://127.0.0.1:13000/api/v1/auth/login -H 'content-type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$INVENTORY_ADMIN_PASSWORD\"}" >/dev/null
pgrep -f "$TRACKER_BIN serve --target" | wc -l | grep -qx 6 || { echo "error: not six service processes" >&2; exit 1; }
# SIGTERM, as an init system sends (a background job of a script ignores SIGINT).
kill -TERM "$script"
wait "$script" || true
sleep 1
if pgrep -f "$TRACKER_BIN serve --target" >/dev/null; then
  echo "error: services still running after Ctrl-C" >&2
  exit 1
fi
echo "split: six processes served and stopped"
