-- wrk script for history_p99_ms_http: GET /v1/chips/{chip}/history at a random K, P fixed.
-- @KEY@, @CHIPS@, @LOW@, @HIGH@ (epoch seconds) and @POSITION@ are filled in by
-- tests/bench/history_http.py. done() prints a machine-readable summary line.
local chips = { @CHIPS@ }
local low, high = @LOW@, @HIGH@

wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer @KEY@"

function init(args)
  -- each wrk thread has its own Lua state: seed each differently
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 1000003)
end

function request()
  local chip = chips[math.random(1, #chips)]
  local known_at = os.date("!%Y-%m-%dT%H:%M:%SZ", math.random(low, high))
  local path = "/v1/chips/" .. chip .. "/history?known_at=" .. known_at ..
    "&at_position=@POSITION@"
  return wrk.format(nil, path)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"errors":{"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d},"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
