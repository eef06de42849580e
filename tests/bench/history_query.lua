-- wrk script for history_p99_ms_http: GET /v1/chips/{chip}/history at a random K, P fixed,
-- with detail=lanes as the timeline page asks.
-- @KEY@, @CHIPS@, @LOW@, @HIGH@ (epoch seconds) and @POSITION@ are filled in by
-- tests/bench/history_http.py; init, done (the summary line) and instant come from
-- wrk_common.lua, put before this script.
local chips = { @CHIPS@ }
local low, high = @LOW@, @HIGH@

wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer @KEY@"

function request()
  local chip = chips[math.random(1, #chips)]
  local path = "/v1/chips/" .. chip .. "/history?known_at=" .. instant(low, high) ..
    "&at_position=@POSITION@&detail=lanes"
  return wrk.format(nil, path)
end
