-- Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
-- wrk script for test/bench/run. Everything comes from the environment, so one
-- script serves every case:
--   BENCH_AUTH        base64 of user:password (adds "Authorization: Basic ...")
--   BENCH_METHOD      GET (default) or POST
--   BENCH_BODY        request body (sent with Content-Type: application/json)
--   BENCH_STOP_AFTER  each wrk thread stops after this many responses (for the
--                     request-count runs of the RSS soak); unset: run for -d
local auth = os.getenv("BENCH_AUTH")
local body = os.getenv("BENCH_BODY")
local stop_after = tonumber(os.getenv("BENCH_STOP_AFTER") or "")

wrk.method = os.getenv("BENCH_METHOD") or "GET"
-- a client that follows a link directly, as a browser says it: without it a
-- remote_call.htm link (Basic, type 1) gets the confirmation page, not a call
wrk.headers["Sec-Fetch-Site"] = "none"
if auth and auth ~= "" then
   wrk.headers["Authorization"] = "Basic " .. auth
end
if body and body ~= "" then
   wrk.body = body
   wrk.headers["Content-Type"] = "application/json"
end

-- Defined only when needed: a response() function makes wrk parse every reply.
if stop_after then
   local n = 0
   response = function(status, headers, body)
      n = n + 1
      if n >= stop_after then
         wrk.thread:stop()
      end
   end
end
