-- wrk reporting script for tools/bench/run.py: one JSON line with throughput, latency percentiles (µs) and errors.
-- With paths given after `--`, each connection asks them in turn (the mixed run); without, wrk's own URL.
local paths = {}
local counter = 0

function init(args)
  for i = 1, #args do paths[#paths + 1] = args[i] end
  counter = math.random(0, math.max(#paths - 1, 0))
end

function request()
  if #paths == 0 then return wrk.request() end
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "p50": %d, "p95": %d, "p99": %d, "max": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
