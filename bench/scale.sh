#!/usr/bin/env bash
# Does the cost of a read stay flat as the shop's data grows? Measures the screens' reads at
# 1,000 products and a few thousand sales, then again at 100,000 products and 1,000,000 sales.
#   bench/scale.sh [embedded|production] [products] [sales] [days]
# The small shop is made through the API (tools/loadgen: products, stock, a burst of sales);
# the large one adds products by a CSV import through the API and multiplies the recorded sales
# in SQL (each copy a new sale id, moved back in time, spread over `days` before today), with
# the server stopped. Today's sales are the same in both, so the dashboard's summary of today
# must not grow with the history. Latencies are wrk's at one connection through the gateway.
# Production mode needs MariaDB, Redis and RabbitMQ on 127.0.0.1.
set -euo pipefail
mode=${1:-embedded}
products=${2:-100000}
sales=${3:-1000000}
days=${4:-1000}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
bench_prepare "$mode"
gw=http://127.0.0.1:18000

sql() { # sql <service> <statement>
  if [[ $mode == production ]]; then
    mariadb -h 127.0.0.1 -u root -N -B "$db" -e "$2"
  else
    sqlite3 "$work/$1.db" "$2"
  fi
}

# Starts the server; sets `started` to how many milliseconds it took to answer /health/ready.
start() {
  local began
  began=$(date +%s%N)
  "$target/inventory-tracker" "${args[@]}" serve --gateway-port 18000 --catalog-port 18001 \
    --inventory-port 18002 --sales-port 18003 --reports-port 18004 --admin-port 13000 >>"$work/server.log" 2>&1 &
  pid=$!
  until curl -sf "$gw/health/ready" >/dev/null; do sleep 0.01; done
  started=$(( ($(date +%s%N) - began) / 1000000 ))
}

stop() {
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}

# Milliseconds of wrk's latency line `$1` ("50%", "99%") in its report on stdin.
latency_ms() {
  awk -v at="$1" '$1 == at {
    v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
    if (unit == "us") v /= 1000; else if (unit == "s") v *= 1000; else if (unit == "m") v *= 60000
    printf "%.2f", v }'
}

# Prints "name p50 p99" for each read, one wrk run of 3 s at one connection each.
measure() {
  local token sale today
  token=$(bench_login "$gw")
  sale=$(curl -sf -H "Authorization: Bearer $token" "$gw/api/v1/sales?limit=1" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["id"])')
  today=$(date -u +%Y-%m-%dT00:00:00Z)
  local -a reads=(
    "product-by-sku /api/v1/products/LOAD-00777"
    "product-list /api/v1/products?limit=50"
    "product-list-page /api/v1/products?limit=50&cursor=LOAD-00500"
    "search-one-match /api/v1/products?q=load-00777"
    "search-many-matches /api/v1/products?q=load%20test"
    "sale-by-id /api/v1/sales/$sale"
    "sales-list /api/v1/sales?limit=50"
    "sales-of-a-sku /api/v1/sales?limit=50&sku=LOAD-00007"
    "summary-today /api/v1/sales/summary?from=$today"
    "summary-30-days /api/v1/sales/summary"
  )
  for read in "${reads[@]}"; do
    local name=${read%% *} path=${read#* } out
    curl -sf -o /dev/null -H "Authorization: Bearer $token" "$gw$path" || { echo "$name: $path failed" >&2; exit 1; }
    out=$(wrk -t1 -c1 -d3s --latency -H "Authorization: Bearer $token" "$gw$path")
    echo "$name $(latency_ms 50% <<<"$out") $(latency_ms 99% <<<"$out")"
  done
}

rss_mb() { echo $(( $(ps -o rss= -p "$pid") / 1024 )); }

start; small_start=$started
LOADGEN_TOKEN=$(bench_login "$gw") "$target/loadgen" --url "$gw" --products 1000 --concurrency 8 --seconds 5 >"$work/loadgen.txt"
template=$(sql sales "SELECT COUNT(*) FROM sales_sales")
newest=$(sql sales "SELECT MAX(receipt_number) FROM sales_sales")
measure >"$work/small.txt"
small_rss=$(rss_mb)

# The large catalog: the rest of the products by CSV import, without stock (the reads measured
# do not depend on it).
more=$((products - 1000))
python3 - "$more" >"$work/products.csv" <<'PY'
import sys
print("sku;name;category;brand;price;cost;description")
for i in range(int(sys.argv[1])):
    print(f'IMP-{i:06d};Imported part {i};Cat {i % 40};Brand {i % 25};{i % 500 + 1},99;{i % 300 + 1},50;A part for testing')
PY
token=$(bench_login "$gw")
curl -sf -o /dev/null -H "Authorization: Bearer $token" -H 'content-type: text/csv' \
  --data-binary @"$work/products.csv" "$gw/api/v1/imports/products?dry_run=false"
imported=$(date +%s)
last=$(printf 'IMP-%06d' $((more - 1)))
until curl -sf -o /dev/null -H "Authorization: Bearer $token" "$gw/api/v1/inventory/$last"; do sleep 0.5; done
until [[ $(sql catalog "SELECT COUNT(*) FROM catalog_outbox WHERE published_at IS NULL") == 0 ]]; do sleep 0.5; done
# MariaDB's search index of the imported products is written after the import, in batches.
if [[ $mode == production ]]; then
  until [[ $(sql catalog "SELECT COUNT(*) FROM catalog_search_pending") == 0 ]]; do sleep 0.5; done
fi
indexed_in=$(( $(date +%s) - imported ))
stop

# The long history: `layers` copies of the recorded sales, copy n moved back 1 + n × days /
# layers days, so none lands on today. Every table keyed by the sale is copied with it, column
# by column as the schema stands, with the id, the times and the receipt number renewed.
layers=$(( (sales - template + template - 1) / template ))
shift_ms=$(( days * 86400000 / layers ))
columns() { # columns <table>
  if [[ $mode == production ]]; then
    sql sales "SELECT GROUP_CONCAT(column_name ORDER BY ordinal_position) FROM information_schema.columns
      WHERE table_schema = '$db' AND table_name = '$1'"
  else
    sql sales "SELECT group_concat(name) FROM pragma_table_info('$1')"
  fi
}
copy() { # copy <table> <id column> <time columns...>; reads n (the copy) and t (the table)
  local table=$1 key=$2 list=() select=() column
  shift 2
  IFS=, read -ra all <<<"$(columns "$table")"
  for column in "${all[@]}"; do
    case $column in
      receipt_number) continue ;;
      id) [[ $key != id ]] && continue ;;
    esac
    list+=("$column")
    if [[ $column == "$key" ]]; then
      if [[ $mode == production ]]; then
        select+=("CONCAT(LEFT(t.$column, 28), LPAD(LOWER(HEX(n.seq)), 8, '0'))")
      else
        select+=("substr(t.$column, 1, 28) || printf('%08x', n.seq)")
      fi
    elif [[ " $* " == *" $column "* ]]; then
      select+=("t.$column - 86400000 - n.seq * $shift_ms")
    else
      select+=("t.$column")
    fi
  done
  local IFS=,
  echo "INSERT INTO $table (${list[*]}) SELECT ${select[*]} FROM $table t, __numbers n WHERE n.seq BETWEEN __from AND __to AND t.$key IN (SELECT id FROM sales_sales WHERE receipt_number <= $newest);"
}
statements="$(copy sales_sales id created_at updated_at)
$(copy sales_lines sale_id)
$(copy sales_payments sale_id)
$(copy sales_history sale_id at)"
began=$(date +%s)
chunk=50
for ((from = 1; from <= layers; from += chunk)); do
  to=$((from + chunk - 1 < layers ? from + chunk - 1 : layers))
  batch=${statements//__from/$from}
  batch=${batch//__to/$to}
  if [[ $mode == production ]]; then
    sql sales "START TRANSACTION; ${batch//__numbers/seq_1_to_$layers} COMMIT;"
  else
    sql sales "BEGIN; CREATE TEMP TABLE IF NOT EXISTS __numbers (seq INTEGER PRIMARY KEY);
      INSERT OR IGNORE INTO __numbers WITH RECURSIVE c(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM c WHERE v < $layers) SELECT v FROM c;
      $batch COMMIT;"
  fi
done
# The copies land in hours whose figures the small shop's summaries kept; a shop never records
# a sale in a past hour, so the copier retires them itself.
sql sales "DELETE FROM sales_kept_figures"
[[ $mode == production ]] && sql sales "ANALYZE TABLE sales_sales, sales_lines, sales_payments, sales_history" >/dev/null
[[ $mode == embedded ]] && sql sales "ANALYZE" && sql catalog "ANALYZE"
# MariaDB writes the copies out for minutes after they commit; reads measured meanwhile wait
# on that I/O (2 to 20 times slower in two runs). Wait until its count of dirty pages has stood
# still for 5 s (it may never reach 0: MariaDB stops flushing when idle).
if [[ $mode == production ]]; then
  dirty() {
    mariadb -h 127.0.0.1 -u root -N -B -e "SELECT VARIABLE_VALUE FROM information_schema.global_status
      WHERE VARIABLE_NAME = 'INNODB_BUFFER_POOL_PAGES_DIRTY'"
  }
  last=$(dirty) still=0
  while ((still < 5)); do
    sleep 1
    now=$(dirty)
    if [[ $now == "$last" ]]; then still=$((still + 1)); else still=0; fi
    last=$now
  done
fi
generated=$(( $(date +%s) - began ))
total_sales=$(sql sales "SELECT COUNT(*) FROM sales_sales")
total_products=$(sql catalog "SELECT COUNT(*) FROM catalog_products")

start; large_start=$started
measure >"$work/large.txt"
sleep 2
large_rss=$(rss_mb)
stop

echo "### $mode: $template sales and 1000 products, then $total_sales sales over $days days and $total_products products (sales generated in ${generated} s; the import's events relayed and its search index written ${indexed_in} s after it answered)"
echo
echo "| read | p50 small | p50 large | ratio | p99 small | p99 large |"
echo "|---|---|---|---|---|---|"
paste -d' ' "$work/small.txt" "$work/large.txt" |
  awk '{ printf "| %s | %s ms | %s ms | %.1f× | %s ms | %s ms |\n", $1, $2, $5, ($2 > 0 ? $5 / $2 : 0), $3, $6 }'
echo
echo "start-up to ready: $small_start ms small, $large_start ms large; RSS after the reads: $small_rss MB small, $large_rss MB large"
if [[ $mode == production ]]; then bench_invariants production "$db"; else bench_invariants embedded "$work"; fi
