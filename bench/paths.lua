-- wrk script: cycle through the request paths listed in the file BENCH_PATHS (one per line), each
-- thread from its own offset, and print one machine-readable summary line when done.
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do
  if #line > 0 then paths[#paths + 1] = line end
end
local i = 0

setup = function(thread)
  thread:set("start", math.random(#paths))
end

init = function()
  i = tonumber(start) or 0
end

request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
