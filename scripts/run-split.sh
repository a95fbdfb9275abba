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
#
# REPLICAS=2 starts two processes of every service: replica n listens on the port
# plus 10·n (gateway 8000 and 8010, …), and every service calls every replica of the services
# it needs (a comma list of URLs), leaving out one that stops answering.
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
replicas=${REPLICAS:-1}
if ! [[ "$replicas" =~ ^[1-9]$ ]]; then
  echo "error: REPLICAS must be a number from 1 to 9, got '$replicas'" >&2
  exit 2
fi
declare -A base_port=(
  [gateway]=${INVENTORY_GATEWAY_PORT:-8000} [catalog]=${INVENTORY_CATALOG_PORT:-8001}
  [inventory]=${INVENTORY_INVENTORY_PORT:-8002} [sales]=${INVENTORY_SALES_PORT:-8003}
  [reports]=${INVENTORY_REPORTS_PORT:-8004} [admin]=${INVENTORY_ADMIN_PORT:-3000}
)
port() { echo $((base_port[$1] + 10 * $2)); }
# Every replica's URL of a service, as a comma list.
urls() {
  local list="" n
  for ((n = 0; n < replicas; n++)); do
    list+="${list:+,}http://$host:$(port "$1" "$n")"
  done
  echo "$list"
}
export INVENTORY_CATALOG_URL=${INVENTORY_CATALOG_URL:-$(urls catalog)}
export INVENTORY_INVENTORY_URL=${INVENTORY_INVENTORY_URL:-$(urls inventory)}
export INVENTORY_SALES_URL=${INVENTORY_SALES_URL:-$(urls sales)}
export INVENTORY_REPORTS_URL=${INVENTORY_REPORTS_URL:-$(urls reports)}
export INVENTORY_GATEWAY_URL=${INVENTORY_GATEWAY_URL:-$(urls gateway)}

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
  for ((n = 0; n < replicas; n++)); do
    log="$LOG_DIR/$target.log"
    ((replicas > 1)) && log="$LOG_DIR/$target-$n.log"
    port_var="INVENTORY_${target^^}_PORT"
    env "$port_var=$(port "$target" "$n")" "$BIN" serve --target "$target" >>"$log" 2>&1 &
    pids+=("$!")
    echo "$target $n: pid $!, port $(port "$target" "$n"), log $log"
  done
done
echo "dashboard: http://$host:$(port admin 0)  API: http://$host:$(port gateway 0)/api/docs"

# If one service exits, stop the others: a half-running shop is worse than a stopped one.
wait -n "${pids[@]}"
echo "a service exited; see $LOG_DIR" >&2
exit 1
