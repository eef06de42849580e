-- wrk script for check_p99_ms_http: GET /v1/checks/export at a random (T, K), P fixed.
-- @KEY@, @PAIRS@ (chip and end-user query strings), @DESTINATIONS@, @LOW@, @HIGH@ (epoch
-- seconds) and @POSITION@ are filled in by tests/bench/checks.py; init, done (the summary
-- line) and instant come from wrk_common.lua, put before this script.
local pairs_ = { @PAIRS@ }
local destinations = { @DESTINATIONS@ }
local low, high = @LOW@, @HIGH@

wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer @KEY@"

function request()
  local path = "/v1/checks/export?" .. pairs_[math.random(1, #pairs_)] ..
    "&destination=" .. destinations[math.random(1, #destinations)] ..
    "&as_of=" .. instant(low, high) .. "&known_at=" .. instant(low, high) ..
    "&at_position=@POSITION@"
  return wrk.format(nil, path)
end
