-- wrk script for check_p99_ms_http: GET /v1/checks/export at a random (T, K), P fixed.
-- @KEY@, @PAIRS@ (chip and end-user query strings), @DESTINATIONS@, @LOW@, @HIGH@ (epoch
-- seconds) and @POSITION@ are filled in by tests/bench/checks.py. done() prints a
-- machine-readable summary line.
local pairs_ = { @PAIRS@ }
local destinations = { @DESTINATIONS@ }
local low, high = @LOW@, @HIGH@

wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer @KEY@"

function init(args)
  -- each wrk thread has its own Lua state: seed each differently
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 1000003)
end

local function instant()
  return os.date("!%Y-%m-%dT%H:%M:%SZ", math.random(low, high))
end

function request()
  local path = "/v1/checks/export?" .. pairs_[math.random(1, #pairs_)] ..
    "&destination=" .. destinations[math.random(1, #destinations)] ..
    "&as_of=" .. instant() .. "&known_at=" .. instant() .. "&at_position=@POSITION@"
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
