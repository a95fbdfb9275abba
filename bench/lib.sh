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
