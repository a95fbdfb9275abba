-- POST a restock of one unit to the same SKU over and over: every request locks the same
-- level row, writes a ledger entry, a restock row and an outbox event. wrk.format sends only
-- the headers it is given, so the command line's (the bearer token) are copied in.
request = function()
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/json"
  return wrk.format("POST", nil, headers, '{"quantity": 1}')
end
