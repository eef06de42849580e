-- Shared by the bench's wrk scripts: tests/bench/wrk.py (lua_script) puts this file before
-- each of them, in the one file wrk loads into every thread's Lua state.

function init(args)
  -- each wrk thread has its own Lua state: seed each differently
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 1000003)
end

-- A random instant between low and high (epoch seconds), as the API takes it.
local function instant(low, high)
  return os.date("!%Y-%m-%dT%H:%M:%SZ", math.random(low, high))
end

-- A machine-readable summary line (tests/bench/wrk.py wrk_summary reads it).
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"errors":{"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d},"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
