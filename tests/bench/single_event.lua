-- wrk script for ingest_single_http: one CompanyRegistered per request, unique slug per
-- request (run tag + wrk thread number + per-thread counter). @KEY@ and @TAG@ are filled in
-- by tests/bench/ingest.py. done() prints a machine-readable summary line.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer @KEY@"

local n = 0

function request()
  n = n + 1
  local slug = "w-@TAG@-" .. tid .. "-" .. n
  local body = '{"type":"CompanyRegistered","summary":"bench ' .. slug ..
    '","data":{"company":"' .. slug .. '","name":"Bench ' .. slug .. '","country":"US"}}'
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"errors":{"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d},"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
