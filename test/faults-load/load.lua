-- Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
-- wrk script for test/faults-load/run: replays a plan of mixed requests and
-- stops each thread after its share of the total.
--   wrk ... -s load.lua URL -- PLAN_FILE REQUESTS_PER_THREAD DONE_DIR
-- A thread that has had its share of answers stops and leaves DONE_DIR/done.ID;
-- wrk's main thread sleeps for the whole -d duration whatever its threads do,
-- so monitor.pl sends wrk SIGINT once every thread has left its file.
-- PLAN_FILE: one request a line, tab-separated:
--   class  method  host  path  [header: value]...
-- The class goes out as the X-Load-Class header, which the access log records
-- next to the status, so that every answer can be checked against its class.

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("id", counter)
   table.insert(threads, thread)
end

local reqs = {}
local n, quota, answered, sent = 0, 0, 0, 0
local done_dir

local function split(s, sep)
   local out = {}
   for field in (s .. sep):gmatch("(.-)" .. sep) do table.insert(out, field) end
   return out
end

function init(args)
   local plan, per_thread = args[1], tonumber(args[2])
   quota = per_thread
   done_dir = args[3]
   for line in io.lines(plan) do
      if line ~= "" and line:sub(1, 1) ~= "#" then
         local f = split(line, "\t")
         local headers = { ["Host"] = f[3], ["X-Load-Class"] = f[1] }
         for i = 5, #f do
            local k, v = f[i]:match("^([^:]+):%s*(.*)$")
            if k then headers[k] = v end
         end
         local body = nil
         if f[2] == "POST" or f[2] == "PUT" then body = "" end
         table.insert(reqs, wrk.format(f[2], f[4], headers, body))
      end
   end
   n = #reqs
   -- threads start at different places in the plan
   sent = ((id or 1) - 1) * math.floor(n / 2)
end

function request()
   sent = sent + 1
   return reqs[(sent % n) + 1]
end

function response(status, headers, body)
   answered = answered + 1
   if answered == quota then
      if done_dir then
         local f = io.open(done_dir .. "/done." .. tostring(id or 1), "w")
         if f then f:close() end
      end
      wrk.thread:stop()
   end
end

function done(summary, latency, requests)
   io.write(string.format("wrk: %d answers in %.2f s; socket errors: connect %d, read %d, write %d, timeout %d; status >= 400 or < 200: %d\n",
      summary.requests, summary.duration / 1e6, summary.errors.connect, summary.errors.read,
      summary.errors.write, summary.errors.timeout, summary.errors.status))
   io.write(string.format("wrk: latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms\n",
      latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
      latency.max / 1000))
   io.write(string.format("WRK_REQUESTS=%d\nWRK_SECONDS=%.3f\nWRK_ERR_CONNECT=%d\nWRK_ERR_READ=%d\nWRK_ERR_WRITE=%d\nWRK_ERR_TIMEOUT=%d\n",
      summary.requests, summary.duration / 1e6, summary.errors.connect, summary.errors.read,
      summary.errors.write, summary.errors.timeout))
end
