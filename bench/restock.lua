-- POST a restock of one unit to the same SKU over and over: every request locks the same
-- level row, writes a ledger entry, a restock row and an outbox event.
request = function()
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, '{"quantity": 1}')
end
