#!/usr/bin/env bash
# How fast the reports answer over a year of sales, with wrk on loopback.
#   bench/reports.sh [embedded|production] [sales] [days]
# The history is made up (`inventory-tracker reports generate`: weekly seasonality, a December
# peak, a few best sellers and a long tail) straight into the reports' database; the other
# services stay empty. Uses the release binary; production mode needs MariaDB on 127.0.0.1.
set -euo pipefail
mode=${1:-embedded}
sales=${2:-1000000}
days=${3:-365}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
bin=${CARGO_TARGET_DIR:-$here/../target}/release/inventory-tracker
work=$(mktemp -d)
pid=
db=
cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if [[ -n $db ]]; then mariadb -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS $db"; fi
  rm -rf "$work"
}
trap cleanup EXIT
args=(--data-dir "$work" --log-level warn)
if [[ $mode == production ]]; then
  db=bench_reports_$$
  mariadb -h 127.0.0.1 -u root -e "CREATE DATABASE $db"
  args+=(--database-url "mysql://root@127.0.0.1:3306/$db")
fi
echo "### made-up history: $sales sales over $days days ($mode)"
"$bin" "${args[@]}" reports generate --sales "$sales" --days "$days"
if [[ $mode == production ]]; then
  mariadb -h 127.0.0.1 -u root -N -e "SELECT 'rollup rows (daily, monthly):',
    (SELECT COUNT(*) FROM $db.reports_daily), (SELECT COUNT(*) FROM $db.reports_monthly)"
else
  python3 - "$work/reports.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print("rollup rows (daily, monthly):", *(c.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
      for t in ("reports_daily", "reports_monthly")))
PY
fi
"$bin" "${args[@]}" serve --gateway-port 18000 --catalog-port 18001 --inventory-port 18002 --sales-port 18003 \
  --reports-port 18004 --admin-port 13000 &
pid=$!
for _ in $(seq 100); do curl -sf localhost:18000/health/ready >/dev/null && break; sleep 0.2; done
gw=http://127.0.0.1:18000
token=$(bench_login "$gw")
to=$(date -u +%F)
from=$(date -u -d "$((days - 1)) days ago" +%F)
mid=$(date -u -d "$((days / 2)) days ago" +%F)
queries=(
  "sales?from=$from&to=$to&by=day"
  "sales?from=$from&to=$to&by=month"
  "sales?from=$from&to=$to&by=product"
  "sales?from=$from&to=$to&by=category"
  "sales?from=$from&to=$to&by=staff"
  "sales?from=$from&to=$to&by=product&location=north"
  "sales?from=$mid&to=$to&by=brand"
  "tax?from=$from&to=$to"
  "stock?days=90"
  "stock?days=$days"
)
for q in "${queries[@]}"; do
  url="$gw/api/v1/reports/$q"
  first=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "Authorization: Bearer $token" "$url")
  echo "### GET /api/v1/reports/$q — first request: HTTP ${first% *}, ${first#* } s"
  wrk -t1 -c1 -d5s --latency -H "Authorization: Bearer $token" "$url" |
    grep -E "Requests/sec|  50%|  99%|Non-2xx|Socket errors"
done
