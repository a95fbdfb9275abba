# Shared by the bench scripts: the first admin's password, no rate limits (the load comes
# from one address and one user), and logging in.
export INVENTORY_ADMIN_PASSWORD="bench counter till 2026"
export INVENTORY_RATE_LIMIT_PER_MINUTE=0 INVENTORY_RATE_LIMIT_PER_ADDRESS_PER_MINUTE=0

# Prints a session token for `admin` at the gateway $1.
bench_login() {
  curl -sf -X POST -H 'content-type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$INVENTORY_ADMIN_PASSWORD\"}" "$1/api/v1/auth/login" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}

# The invariants after a load, read straight from the databases: every level equals the sum of
# its ledger, none is below zero, no reservation is pending, every outbox is relayed and no
# event was dead-lettered. Prints them, and fails when one does not hold.
#   bench_invariants embedded <data dir> | bench_invariants production <database>
bench_invariants() {
  local mode=$1 where=$2
  bench_sql() {
    if [[ $mode == production ]]; then
      mariadb -h 127.0.0.1 -u root -N -B "$where" -e "$2"
    else
      sqlite3 "$where/$1.db" "$2"
    fi
  }
  local ledger negative pending unrelayed dead
  ledger=$(bench_sql inventory "SELECT COUNT(*) FROM (SELECT l.sku FROM inventory_levels l
    LEFT JOIN inventory_movements m ON m.sku = l.sku AND m.location = l.location
    GROUP BY l.sku, l.location, l.on_hand HAVING l.on_hand <> COALESCE(SUM(m.quantity), 0)) t")
  negative=$(bench_sql inventory "SELECT COUNT(*) FROM inventory_levels WHERE on_hand < 0")
  pending=$(bench_sql inventory "SELECT COUNT(*) FROM inventory_reservations WHERE status = 'pending'")
  unrelayed=0
  for service in catalog inventory sales; do
    unrelayed=$((unrelayed + $(bench_sql "$service" "SELECT COUNT(*) FROM ${service}_outbox WHERE published_at IS NULL")))
  done
  dead=$(( $(bench_sql inventory "SELECT COUNT(*) FROM inventory_dead_letters") +
           $(bench_sql reports "SELECT COUNT(*) FROM reports_dead_letters") ))
  echo "invariants: levels off their ledger $ledger, below zero $negative, pending reservations $pending, unrelayed events $unrelayed, dead letters $dead"
  [[ $ledger == 0 && $negative == 0 && $pending == 0 && $unrelayed == 0 && $dead == 0 ]]
}

# Production mode's backing for one run, named after the script's process: a fresh database
# bench_$$ (the caller's $$), its own Redis key prefix and event exchange. Appends the
# server's options to the array `args` and sets `db`.
bench_production_backing() {
  db=bench_$$
  mariadb -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db"
  args+=(--database-url "mysql://root@127.0.0.1:3306/$db" --redis-url redis://127.0.0.1:6379
         --amqp-url "amqp://guest:guest@127.0.0.1:5672/%2f")
  export INVENTORY_REDIS_KEY_PREFIX="bench-$$" INVENTORY_EVENT_EXCHANGE="bench-$$"
}

# Drops what bench_production_backing made. Durable queues outlive the run, and leftovers full
# of messages can trip RabbitMQ's alarms, so they go too. BENCH_KEEP_DATABASE=1 keeps the
# database, to look at the plans of its queries afterwards (drop it by hand).
bench_production_cleanup() {
  if [[ ${BENCH_KEEP_DATABASE:-} == 1 ]]; then
    echo "kept database bench_$$" >&2
  else
    mariadb -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS bench_$$" || true
  fi
  for q in "bench-$$.inventory" "bench-$$.reports" "bench-$$.sales.inventory" "bench-$$.sales.reports"; do
    rabbitmqctl -q delete_queue "$q" >/dev/null 2>&1 || true
    rabbitmqctl -q delete_queue "$q.dead-letter" >/dev/null 2>&1 || true
  done
}

# What every server-starting bench script sets up: `target` (the release build), `work` (a
# data directory removed on exit with the server `pid` and, in production mode, the backing),
# and the server's `args`. Usage: bench_prepare <embedded|production>
bench_prepare() {
  mode=$1
  target=${CARGO_TARGET_DIR:-$(dirname "${BASH_SOURCE[0]}")/../target}/release
  work=$(mktemp -d)
  pid=
  trap bench_cleanup EXIT
  args=(--data-dir "$work" --log-level warn)
  if [[ $mode == production ]]; then bench_production_backing; fi
}

bench_cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
  if [[ $mode == production ]]; then bench_production_cleanup; fi
}
