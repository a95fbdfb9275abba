#!/usr/bin/env bash
# Runs every service as its own process against existing MariaDB/MySQL, RabbitMQ and Redis:
# the production layout of docker-compose.yml, without containers. Logs go to $LOG_DIR.
#
#   export INVENTORY_DATABASE_URL=mysql://shop:secret@db-host:3306/shop
#   export INVENTORY_AMQP_URL=amqp://shop:secret@mq-host:5672/%2f
#   export INVENTORY_REDIS_URL=redis://cache-host:6379
#   export INVENTORY_INTERNAL_SECRET=$(openssl rand -hex 32)   # the same for every process
#   scripts/run-split.sh
#
# Ctrl-C (or SIGTERM) stops every service gracefully. Ports: gateway 8000, catalog 8001,
# inventory 8002, sales 8003, reports 8004, dashboard 3000 (the INVENTORY_*_PORT variables change them).
set -euo pipefail

BIN=${TRACKER_BIN:-}
if [[ -z "$BIN" ]]; then
  if command -v inventory-tracker >/dev/null; then
    BIN=inventory-tracker
  elif [[ -x target/release/inventory-tracker ]]; then
    BIN=target/release/inventory-tracker
  else
    echo "error: no inventory-tracker binary: build it with 'cargo build --release' or set TRACKER_BIN" >&2
    exit 2
  fi
fi
for required in INVENTORY_DATABASE_URL INVENTORY_AMQP_URL INVENTORY_INTERNAL_SECRET; do
  if [[ -z "${!required:-}" ]]; then
    echo "error: $required must be set (see the top of $0)" >&2
    exit 2
  fi
done
LOG_DIR=${LOG_DIR:-./logs}
mkdir -p "$LOG_DIR"
export INVENTORY_LOG_FORMAT=${INVENTORY_LOG_FORMAT:-json}
host=${INVENTORY_HOST:-127.0.0.1}
[[ "$host" == 0.0.0.0 ]] && host=127.0.0.1
url() { echo "http://$host:$1"; }
export INVENTORY_CATALOG_URL=${INVENTORY_CATALOG_URL:-$(url "${INVENTORY_CATALOG_PORT:-8001}")}
export INVENTORY_INVENTORY_URL=${INVENTORY_INVENTORY_URL:-$(url "${INVENTORY_INVENTORY_PORT:-8002}")}
export INVENTORY_SALES_URL=${INVENTORY_SALES_URL:-$(url "${INVENTORY_SALES_PORT:-8003}")}
export INVENTORY_REPORTS_URL=${INVENTORY_REPORTS_URL:-$(url "${INVENTORY_REPORTS_PORT:-8004}")}
export INVENTORY_GATEWAY_URL=${INVENTORY_GATEWAY_URL:-$(url "${INVENTORY_GATEWAY_PORT:-8000}")}

# Migrations once, before any service starts, so that two processes never race to apply them.
"$BIN" migrate

pids=()
stop() {
  trap - INT TERM EXIT
  echo "stopping ${#pids[@]} services"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

# In dependency order; each service waits for what it needs at start-up anyway.
for target in catalog inventory sales reports gateway admin; do
  "$BIN" serve --target "$target" >>"$LOG_DIR/$target.log" 2>&1 &
  pids+=("$!")
  echo "$target: pid $!, log $LOG_DIR/$target.log"
done
echo "dashboard: $(url "${INVENTORY_ADMIN_PORT:-3000}")  API: $INVENTORY_GATEWAY_URL/api/docs"

# If one service exits, stop the others: a half-running shop is worse than a stopped one.
wait -n "${pids[@]}"
echo "a service exited; see $LOG_DIR" >&2
exit 1
