#!/usr/bin/env bash
# Seed the desk into the benchmark database if it holds no tickets, then measure the agent
# queues, a ticket page and the ticket API with wrk, as bench/run.sh does for tasks.
# Loopback only, bounded in time; the server is stopped on exit. See bench/README.md.
#
#   bench/run_desk.sh                          seed (first time, ~4 min) and measure
#   DURATION=10s CONNECTIONS="2" bench/run_desk.sh   (one table per connection count)
#   DESK_TICKETS=50000 ACTIVE_SHARE=0.3 BUSY_ACTIVE=375 HISTORY_DAYS=730 bench/run_desk.sh
#                                              the desk's shape when it is seeded
#   PAGES="dashboard all_open" bench/run_desk.sh   only these pages (names as in `targets`)
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
    --busy-active "${BUSY_ACTIVE:-1500}" --history-days "${HISTORY_DAYS:-730}"
fi
analyze_and_collect_static
eval "$(.venv/bin/python bench/prepare_desk.py)"
echo "==> $TICKETS tickets; the busy agent has $MINE active; ticket page: #$TICKET; customer filter: $CUSTOMER"

start_server

COOKIE="Cookie: $COOKIE_NAME=$SESSION"
AUTH="Authorization: Bearer $TOKEN"
# name | path | header: every queue and filter issue 18 names, the dashboard, the reports.
all_targets=(
  "bare|/healthz|X-Bench: bare"
  "dashboard|/desk/|$COOKIE"
  "mine|/desk/mine/|$COOKIE"
  "unassigned|/desk/unassigned/|$COOKIE"
  "at_risk|/desk/at-risk/|$COOKIE"
  "breached|/desk/breached/|$COOKIE"
  "pending|/desk/pending/|$COOKIE"
  "all|/desk/all/|$COOKIE"
  "all_open|/desk/all/?status=open|$COOKIE"
  "all_customer|/desk/all/?customer=$CUSTOMER|$COOKIE"
  "all_priority|/desk/all/?priority=2|$COOKIE"
  "all_me|/desk/all/?assignee=me|$COOKIE"
  "all_closed|/desk/all/?status=closed|$COOKIE"
  "reports|/desk/reports/|$COOKIE"
  "ticket|/desk/tickets/$TICKET/|$COOKIE"
  "api_tickets|/api/v1/desk/tickets|$AUTH"
)
targets=()
for target in "${all_targets[@]}"; do
  name="${target%%|*}"
  if [ -z "${PAGES:-}" ] || [ "$name" = bare ] || [[ " $PAGES " == *" $name "* ]]; then
    targets+=("$target")
  fi
done

measure --load
echo "==> Load average after measuring: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "==> In-process service time: one request at a time, fastest and median of 20"
TICKET="$TICKET" TOKEN="$TOKEN" PAGES="$(tr ' ' , <<<"${PAGES:-}")" .venv/bin/python bench/service_time_desk.py
