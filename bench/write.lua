-- wrk script for the write benchmark (bench/run_writes.sh): every request is a POST of
-- BENCH_BODY with BENCH_TYPE as its content type; reports like bench/report.lua.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = os.getenv("BENCH_TYPE")

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format(
    "RESULT %s %.1f %.2f %.2f %.2f %d %d\n",
    os.getenv("BENCH_NAME") or "write",
    summary.requests / seconds,
    latency:percentile(50) / 1000,
    latency:percentile(95) / 1000,
    latency:percentile(99) / 1000,
    summary.requests,
    errors
  ))
end
