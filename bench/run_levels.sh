#!/usr/bin/env bash
# Seed two years of evidence ledger and a review cycle into a benchmark database, then
# measure a person's ledger page, their brag document and the calibration page of a
# 30-person team with wrk, as bench/run.sh does for tasks. Loopback only, bounded in time;
# the server is stopped on exit. See bench/README.md.
#
#   bench/run_levels.sh                          seed (first time, ~3 min) and measure
#   DURATION=10s CONNECTIONS="2" bench/run_levels.sh   (one table per connection count)
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${BENCH_PORT:-8773}"
# Its own file by default: the ledger seed needs only the people, not a million tasks.
BENCH_DB="${BENCH_DB:-var/bench-levels.sqlite3}"
source bench/lib.sh
if [ "$(db_count 'select count(*) from levels_ledgerentry')" = 0 ]; then
  echo "==> Seeding $BENCH_DB (300 people, 500,000 ledger entries, a 30-person cycle)"
  manage bench_seed_levels
fi
analyze_and_collect_static
eval "$(.venv/bin/python bench/prepare_levels.py)"
echo "==> The busy lead has $ENTRIES ledger entries; calibration: cycle #$CYCLE, team $TEAM"

start_server

COOKIE="Cookie: $COOKIE_NAME=$SESSION"
# name | path | header
targets=(
  "bare|/healthz|X-Bench: bare"
  "ledger|/levels/ledger/|$COOKIE"
  "brag|/levels/brag/|$COOKIE"
  "calibration|/reviews/cycles/$CYCLE/calibration/$TEAM/|$COOKIE"
)

measure --load
echo "==> Load average after measuring: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "==> In-process service time: one request at a time, fastest and median of 20"
CYCLE="$CYCLE" TEAM="$TEAM" TOKEN="$TOKEN" .venv/bin/python bench/service_time_levels.py
