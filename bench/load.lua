-- wrk script for `python -m bench.load`: each request takes the next path of the mix, signed in.
-- PATHS_FILE holds one path a line; COOKIE the session cookie.
local paths = {}
local cookie = os.getenv("COOKIE")
for line in io.lines(os.getenv("PATHS_FILE")) do paths[#paths + 1] = line end
local counter = 0

function init(args)
  counter = math.random(#paths)
end

function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter], { ["Cookie"] = cookie, ["Host"] = "127.0.0.1" })
end

function done(summary, latency, requests)
  io.write(string.format("LOAD requests=%d errors=%d non2xx=%d duration_us=%d\n", summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.duration))
  for _, p in ipairs({ 50, 90, 95, 99 }) do
    io.write(string.format("LOAD p%d_us=%d\n", p, latency:percentile(p)))
  end
end
