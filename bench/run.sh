#!/usr/bin/env bash
# Seed the benchmark database if it is missing, then measure six URLs with wrk.
# Loopback only, bounded in time; the server is stopped on exit. See bench/README.md.
#
#   bench/run.sh                      seed (first time, ~2 min) and measure
#   DURATION=10s CONNECTIONS="8 2" bench/run.sh   (one table per connection count)
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${BENCH_PORT:-8765}"
source bench/lib.sh
if [ "$(db_count 'select count(*) from work_task')" = 0 ]; then
  echo "==> Seeding $BENCH_DB_NAME (1,000,000 tasks)"
  manage bench_seed
fi
analyze_and_collect_static
eval "$(.venv/bin/python bench/prepare.py)"
echo "==> Busy person: $BUSY_OPEN open tasks; project $PROJECT: $PROJECT_TASKS tasks"

start_server

COOKIE="Cookie: $COOKIE_NAME=$SESSION"
AUTH="Authorization: Bearer $TOKEN"
# name | path | header
targets=(
  "bare|/healthz|X-Bench: bare"
  "signed_in|/inbox/count|$COOKIE"
  "api_me|/api/v1/me|$AUTH"
  "my_tasks|/work/|$COOKIE"
  "project_list|/work/projects/$PROJECT/|$COOKIE"
  "api_tasks|/api/v1/tasks?project=$PROJECT|$AUTH"
)

echo "==> Load average before measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
measure
echo "==> Load average after measuring: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "==> In-process service time: one request at a time, fastest and median of 20"
PROJECT="$PROJECT" TOKEN="$TOKEN" .venv/bin/python bench/service_time.py
