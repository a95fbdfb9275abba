-- PATCH the same product over and over: every request is a write (new version + outbox event).
-- wrk.format sends only the headers it is given, so the command line's (the bearer token) are
-- copied in.
counter = 0
request = function()
  counter = counter + 1
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/json"
  local body = string.format('{"price_cents": %d}', 10000 + (counter % 5000))
  return wrk.format("PATCH", nil, headers, body)
end
