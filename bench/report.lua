-- wrk reporter: one machine-readable line per run, read by bench/run.sh.
-- RESULT <name> <requests/s> <p50 ms> <p95 ms> <p99 ms> <requests> <errors>
-- Non-2xx answers count as errors, so a page that redirects to the log-in form
-- (an expired session) cannot pass for a fast page.

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format(
    "RESULT %s %.1f %.2f %.2f %.2f %d %d\n",
    os.getenv("BENCH_NAME") or "page",
    summary.requests / seconds,
    latency:percentile(50) / 1000,
    latency:percentile(95) / 1000,
    latency:percentile(99) / 1000,
    summary.requests,
    errors
  ))
end
