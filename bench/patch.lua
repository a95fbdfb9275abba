-- PATCH the same product over and over: every request is a write (new version + outbox event).
counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"price_cents": %d}', 10000 + (counter % 5000))
  return wrk.format("PATCH", nil, {["Content-Type"] = "application/json"}, body)
end
