#!/usr/bin/env bash
# Seed the desk into the benchmark database if it holds no tickets, then measure the agent
# queues, a ticket page and the ticket API with wrk, as bench/run.sh does for tasks.
# Loopback only, bounded in time; the server is stopped on exit. See bench/README.md.
#
#   bench/run_desk.sh                          seed (first time, ~4 min) and measure
#   DURATION=10s CONNECTIONS="2" bench/run_desk.sh   (one table per connection count)
#   DESK_TICKETS=50000 ACTIVE_SHARE=0.3 BUSY_ACTIVE=755 HISTORY_DAYS=730 bench/run_desk.sh
#                                              the desk's shape when it is seeded
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${BENCH_PORT:-8766}"
source bench/lib.sh
# The task seed first (it makes the bench people and refuses a file that has them), so
# both benchmarks share one file and one busy person.
if [ "$(db_count 'select count(*) from work_task')" = 0 ]; then
  echo "==> Seeding $BENCH_DB_NAME (1,000,000 tasks)"
  manage bench_seed
fi
if [ "$(db_count 'select count(*) from desk_ticket')" = 0 ]; then
  echo "==> Seeding $BENCH_DB_NAME (${DESK_TICKETS:-200000} tickets, ${ACTIVE_SHARE:-0.3} active)"
  manage bench_seed_desk --tickets "${DESK_TICKETS:-200000}" --active-share "${ACTIVE_SHARE:-0.3}" \
    --busy-active "${BUSY_ACTIVE:-150}" --history-days "${HISTORY_DAYS:-365}"
fi
analyze_and_collect_static
eval "$(.venv/bin/python bench/prepare_desk.py)"
echo "==> $TICKETS tickets; the busy agent has $MINE active; ticket page: #$TICKET"

start_server

COOKIE="Cookie: $COOKIE_NAME=$SESSION"
AUTH="Authorization: Bearer $TOKEN"
# name | path | header
targets=(
  "bare|/healthz|X-Bench: bare"
  "mine|/desk/mine/|$COOKIE"
  "unassigned|/desk/unassigned/|$COOKIE"
  "at_risk|/desk/at-risk/|$COOKIE"
  "breached|/desk/breached/|$COOKIE"
  "pending|/desk/pending/|$COOKIE"
  "all|/desk/all/|$COOKIE"
  "ticket|/desk/tickets/$TICKET/|$COOKIE"
  "api_tickets|/api/v1/desk/tickets|$AUTH"
)

measure --load
echo "==> Load average after measuring: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "==> In-process service time: one request at a time, fastest and median of 20"
TICKET="$TICKET" TOKEN="$TOKEN" .venv/bin/python bench/service_time_desk.py
