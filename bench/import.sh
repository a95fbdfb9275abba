#!/usr/bin/env bash
# Importing 100,000 products with opening stock through the gateway, timed with curl.
#   bench/import.sh [embedded|production] [rows]
# Uses the release binary; production mode needs MariaDB and Redis on 127.0.0.1. Prints the
# dry run's and the real run's times, then how long the inventory took to count the last
# product's opening stock in (the events are applied after the import answers).
set -euo pipefail
mode=${1:-embedded}
rows=${2:-100000}
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
python3 - "$rows" > "$work/products.csv" <<'PY'
import sys
rows = int(sys.argv[1])
print("sku;name;category;brand;price;cost;barcode;description;stock:main")
for i in range(rows):
    body = f"2{i:011d}"
    digits = [int(c) for c in body]
    check = (10 - (sum(digits[-1::-2]) * 3 + sum(digits[-2::-2])) % 10) % 10
    print(f'IMP-{i:06d};"Part {i}; rev. B";Cat {i % 40};Brand {i % 25};{i % 500 + 1},99;{i % 300 + 1},50;'
          f'{body}{check};"A part\nfor testing";{i % 17}')
PY
echo "file: $(wc -c < "$work/products.csv") bytes, $rows rows"
"$bin" "${args[@]}" serve --gateway-port 18000 --catalog-port 18001 --inventory-port 18002 --sales-port 18003 --admin-port 13000 &
pid=$!
for _ in $(seq 100); do curl -sf localhost:18000/health >/dev/null && break; sleep 0.1; done
gw=http://127.0.0.1:18000
token=$(bench_login "$gw")
post() {
  curl -s -o "$work/answer.json" -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $token" \
    -H 'content-type: text/csv' --data-binary @"$work/products.csv" "$gw/api/v1/imports/products?dry_run=$1"
}
echo "### dry run: status seconds"; post true
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print({k: r[k] for k in ("created","updated","stock_rows")}, len(r["errors"]), "errors")' "$work/answer.json"
start=$(date +%s.%N)
echo "### import: status seconds"; post false
last=$(printf 'IMP-%06d' $((rows - 1)))
expected=$(( (rows - 1) % 17 ))
until curl -sf -H "Authorization: Bearer $token" "$gw/api/v1/inventory/$last" | grep -q "\"on_hand\":$expected,"; do sleep 0.2; done
echo "### the inventory counted the last opening stock in after $(python3 -c "import time; print(round(time.time() - $start, 1))") s"
kill $pid; wait $pid 2>/dev/null || true
if [[ $mode == production ]]; then mariadb -h 127.0.0.1 -u root -e "DROP DATABASE $db"; fi
