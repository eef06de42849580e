-- wrk script for ingest_single_http: one CompanyRegistered per request, unique slug per
-- request (run tag + wrk thread number + per-thread counter). @KEY@ and @TAG@ are filled in
-- by tests/bench/ingest/over_http.py; done (the summary line) comes from wrk_common.lua, put
-- before this script.
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
